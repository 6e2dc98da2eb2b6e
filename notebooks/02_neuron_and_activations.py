# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 2. A neuron and its activation functions
#
# A neuron takes a weighted sum of its inputs plus a bias, then applies an
# activation function:
#
# $$z = x_1 w_1 + x_2 w_2 + \dots + x_n w_n + b, \qquad \text{out} = f(z)$$
#
# Each weight says how much its input matters; the bias shifts the result.
# In this notebook: a neuron's graph, the common activation functions with
# their derivatives (computed by tapegrad, not by formula), and why the
# activation must be non-linear.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from autograd import Value, draw_dot
from nn.data import DataLoader
from nn.datasets import xor
from nn.functional import softmax
from nn.layers import MLP, Neuron
from nn.losses import binary_cross_entropy_with_logits
from nn.optim import Adam
from nn.plot import plot_decision_boundary
from nn.train import fit

# %% [markdown]
# ## One neuron, by hand and by tapegrad

# %%
neuron = Neuron(3, activation=None, seed=0)  # a linear neuron: out = z
x = [2.0, -1.0, 0.5]
z = neuron(x)
by_hand = sum(xi * wi.data for xi, wi in zip(x, neuron.w)) + neuron.b.data
print("weights:", [round(w.data, 4) for w in neuron.w], " bias:", neuron.b.data)
print(f"z by hand: {by_hand:.6f}   neuron(x): {z.data:.6f}")

# %% [markdown]
# A neuron is made of `Value`s, so it has a graph. Here a tanh neuron with two
# inputs `x1`, `x2` (Values we label ourselves), after `backward()`: the
# weights `w.0`, `w.1` and the bias `b` are labelled with their names in the
# model. Each weight's gradient is
# (1 − out²)·xᵢ: tanh's local derivative times the input it multiplies.

# %%
neuron = Neuron(2, activation="tanh", seed=1)
out = neuron([Value(1.0, label="x1"), Value(-2.0, label="x2")])
out.backward()
draw_dot(out)

# %% [markdown]
# ## Activation functions
#
# | Function | Use case | Formula |
# | --- | --- | --- |
# | ReLU | most common, fast | max(0, x) |
# | Sigmoid | binary classification | σ(x) = 1 / (1 + e⁻ˣ) |
# | Tanh | zero-centred | (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ) |
# | Softmax | multi-class classification | turns logits into probabilities |
#
# For each x we build `Value(x)`, apply the function, call `backward()` and
# read the derivative from `x.grad`. No derivative is written in this notebook:
# the op table supplies each op's local derivative.

# %%
xs = np.linspace(-4.0, 4.0, 161)


def curve(activation):
    """activation(x) and its derivative at every x of xs, from tapegrad."""
    values, slopes = [], []
    for x0 in xs:
        x = Value(x0)
        y = activation(x)
        y.backward()
        values.append(y.data)
        slopes.append(x.grad)
    return np.array(values), np.array(slopes)


activations = {
    "ReLU": lambda x: x.relu(),
    "sigmoid": lambda x: x.sigmoid(),
    "tanh": lambda x: x.tanh(),
    # softmax of three logits (x, 1, -1): the probability of the first
    "softmax(x, 1, −1)[0]": lambda x: softmax([x, Value(1.0), Value(-1.0)])[0],
}
curves = {name: curve(fn) for name, fn in activations.items()}

fig, axes = plt.subplots(1, 4, figsize=(16, 3.6), layout="constrained")
for ax, (name, (values, slopes)) in zip(axes, curves.items()):
    ax.plot(xs, values, label="f(x)")
    ax.plot(xs, slopes, "--", label="f′(x) from backward()")
    ax.axhline(0.0, color="grey", linewidth=0.5)
    ax.axvline(0.0, color="grey", linewidth=0.5)
    ax.set(title=name, xlabel="x")
    ax.legend(loc="upper left")
plt.show()

# %% [markdown]
# The derivatives agree with the textbook formulas:

# %%
relu, d_relu = curves["ReLU"]
sig, d_sig = curves["sigmoid"]
th, d_th = curves["tanh"]
p, d_p = curves["softmax(x, 1, −1)[0]"]
print("ReLU′ = 1 if x > 0 else 0:    error", np.abs(d_relu - (xs > 0)).max())
print("σ′ = σ(1 − σ):                error", np.abs(d_sig - sig * (1 - sig)).max())
print("tanh′ = 1 − tanh²:            error", np.abs(d_th - (1 - th**2)).max())
print("softmax₀′ = p₀(1 − p₀):       error", np.abs(d_p - p * (1 - p)).max())

# %% [markdown]
# Look at the dashed lines far from 0: sigmoid's and tanh's derivatives fade
# to nothing (they *saturate*), so a gradient passing through many of them
# shrinks — the **vanishing gradient**. ReLU's derivative is exactly 1 for
# every positive input, one reason it is the default choice.
#
# ## Why non-linearity matters
#
# Without an activation a layer computes W x + b. Two such layers give
# W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂): again a single linear layer. However
# many linear layers you stack, the network can only draw a straight line.

# %%
linear_net = MLP(2, [4, 1], activation=None, seed=0)


def weights(layer):
    W = np.array([[w.data for w in n.w] for n in layer.neurons])
    return W, np.array([n.b.data for n in layer.neurons])


(W1, b1), (W2, b2) = weights(linear_net.layers[0]), weights(linear_net.layers[1])
W, b = W2 @ W1, W2 @ b1 + b2  # the one layer the two amount to
points = np.random.default_rng(0).normal(size=(4, 2))
print("two linear layers:", [round(linear_net(q).data, 10) for q in points])
print("one linear layer: ", (points @ W.T + b).ravel().round(10).tolist())

# %% [markdown]
# XOR is the classic problem no straight line solves. Train the same shape of
# network, 2 → 8 → 1, once without activation and once with ReLU:

# %%
X, y = xor(n_samples=80, noise=0.1, seed=0)
boundaries = []
for activation in (None, "relu"):
    model = MLP(2, [8, 1], activation=activation, seed=0)
    history = fit(
        model,
        binary_cross_entropy_with_logits,
        Adam(model.parameters(), lr=0.05),
        DataLoader(X, y, batch_size=40, seed=0),
        epochs=60,
        progress=False,
    )
    print(f"activation={activation}: training accuracy {history.train_accuracy[-1]:.2f}")
    fig = plot_decision_boundary(model, X, y, threshold=0.0, resolution=60)
    fig.axes[0].set_title(f"2 → 8 → 1, activation={activation}")
    boundaries.append(fig)
for fig in boundaries:
    display(fig)

# %% [markdown]
# The linear network can only cut the plane with one line and gets about half
# of XOR wrong; with ReLU the network bends its boundary around the four
# clusters.
#
# Next: a whole training run, written out step by step.
