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
# # 4. Where training starts, and how big its steps are
#
# Two choices decide whether gradient descent works at all: the **initial
# weights** and the **learning rate**. This notebook tries both the wrong way and
# the right way, on the same small network.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from autograd import Value
from nn.data import DataLoader, Standardizer
from nn.datasets import moons
from nn.layers import MLP, Layer
from nn.losses import binary_cross_entropy_with_logits
from nn.optim import SGD
from nn.train import fit

X, y = moons(n_samples=48, noise=0.15, seed=0)
X = Standardizer().fit_transform(X)


def train(model, lr, steps=60):
    """Full-batch gradient descent (one batch of all 48 points); the loss of every step.

    Each step is notebook 3's: zero_grad, forward, loss, backward, update. The
    compiled engine runs them (the same numbers as the scalar engine, faster:
    notebook 7).
    """
    history = fit(
        model,
        binary_cross_entropy_with_logits,
        SGD(model.parameters(), lr=lr),
        DataLoader(X, y, batch_size=len(X), shuffle=False),
        epochs=steps,
        metric=None,
        progress=False,
        engine="compiled",
    )
    return history.train_loss


# %% [markdown]
# ## Initialization
#
# * **Zero**: every weight 0. The network fails to break symmetry: it will not learn.
# * **Random**: breaks the symmetry (micrograd's default: uniform in [−1, 1]).
# * **Xavier/Glorot**: uniform in ±√6 / √(nᵢ + nᵢ₊₁), for tanh and sigmoid.
# * **Kaiming/He**: for ReLU-like activations, N(0, 1)·√2 / √n with n the
#   number of inputs; biases start at 0.
#
# Train a 2 → 8 → 8 → 1 tanh network from each:

# %%
inits = ["zeros", "uniform", "xavier_uniform", "kaiming_normal"]
init_losses = {}
for init in inits:
    model = MLP(2, [8, 8, 1], activation="tanh", init=init, seed=0)
    init_losses[init] = train(model, lr=0.5)

fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
for init, losses in init_losses.items():
    ax.plot(losses, label=init)
ax.set(title="training loss by initialization", xlabel="step", ylabel="loss")
ax.legend()
plt.show()


# %% [markdown]
# With zero init the loss never moves. Every hidden neuron computes the same
# thing, so every one gets the same gradient. Here that gradient is even 0:
# the output weights are 0, so no gradient reaches the hidden layers, and the
# hidden outputs are tanh(0) = 0, so the output weights get none either.
#
# Any *equal* start has the same flaw. Start every weight at 0.3 instead: the
# network learns, but the neurons of a layer stay exact copies of each other,
# so eight neurons do the work of one.


# %%
def first_layer(model):
    return np.array([[w.data for w in n.w] for n in model.layers[0].neurons])


constant = MLP(2, [8, 8, 1], activation="tanh", seed=0)
for param in constant.parameters():
    param.data = 0.3 if param.label.split(".")[-2] == "w" else 0.0
random_init = MLP(2, [8, 8, 1], activation="tanh", init="xavier_uniform", seed=0)
train(constant, lr=0.5)
train(random_init, lr=0.5)

fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), layout="constrained")
starts = [("all weights 0.3", constant), ("Xavier", random_init)]
for ax, (title, model) in zip(axes, starts):
    image = ax.imshow(first_layer(model), cmap="coolwarm", vmin=-2, vmax=2, aspect="auto")
    ax.set(title=f"first layer after training:\n{title}", xlabel="input", ylabel="neuron")
    ax.set_xticks([0, 1])
fig.colorbar(image, ax=axes)
plt.show()
for title, model in starts:
    distinct = np.unique(first_layer(model).round(12), axis=0)
    print(f"{title}: {len(distinct)} different neurons out of 8")

# %% [markdown]
# ### Why scale the random weights?
#
# Random is not enough: the *size* matters. Send 20 random inputs through five
# tanh layers of 32 neurons and look at the spread of each layer's outputs.

# %%
rng = np.random.default_rng(0)
inputs = rng.normal(size=(20, 32))
spreads = {
    "uniform [−1, 1]": "uniform",
    "normal, std 0.01": {"name": "normal", "std": 0.01},
    "Xavier": "xavier_uniform",
}
fig, axes = plt.subplots(1, 3, figsize=(14, 3.4), layout="constrained", sharey=True)
for ax, (title, init) in zip(axes, spreads.items()):
    layers = [Layer(32, 32, activation="tanh", init=init, seed=k) for k in range(5)]
    h = [[Value(v) for v in x] for x in inputs]
    for depth, layer in enumerate(layers, 1):
        h = [layer(sample) for sample in h]  # each sample through one more layer
        outputs = [v.data for sample in h for v in sample]
        ax.hist(outputs, bins=40, range=(-1, 1), histtype="step", label=f"layer {depth}")
    ax.set(title=title, xlabel="tanh output")
axes[0].legend()
plt.show()


# %% [markdown]
# Too large (uniform [−1, 1] with 32 inputs) pushes tanh into its flat ends,
# ±1, where its derivative is almost 0. Too small shrinks the signal toward 0
# layer after layer. Xavier keeps the spread about the same in every layer.
#
# ## The learning rate
#
# Step 5 of training moves every weight against its gradient:
#
# $$W_{new} = W_{old} - lr \cdot \frac{\partial E}{\partial W_{old}}$$
#
# The learning rate decides how far. First on the simplest error there is,
# E(w) = (w − 3)², starting from w = 0, with the gradient from `backward()`:


# %%
def descend(lr, steps=12):
    w = Value(0.0)
    path = [w.data]
    for _ in range(steps):
        w.grad = 0.0
        error = (w - 3.0) ** 2
        error.backward()
        w.data -= lr * w.grad  # W_new = W_old - lr * dE/dW
        path.append(w.data)
    return np.array(path)


ws = np.linspace(-2.0, 8.0, 200)
rates = {"too small: 0.02": 0.02, "right: 0.3": 0.3, "too large: 1.05": 1.05}
fig, axes = plt.subplots(1, 3, figsize=(14, 3.6), layout="constrained", sharey=True)
for ax, (title, lr) in zip(axes, rates.items()):
    path = descend(lr)
    ax.plot(ws, (ws - 3.0) ** 2, color="grey")
    ax.plot(path, (path - 3.0) ** 2, "o-", color="C3", markersize=4)
    ax.set(title=f"lr {title}", xlabel="w", xlim=(-2, 8), ylim=(-1, 40))
axes[0].set_ylabel("E(w) = (w − 3)²")
plt.show()

# %% [markdown]
# Too small crawls toward the minimum; the right size gets there in a few
# steps; too large overshoots further each step and diverges.
#
# The same three regimes on the network:

# %%
lr_losses = {}
for lr in (0.01, 1.0, 20.0):
    model = MLP(2, [8, 8, 1], activation="tanh", init="xavier_uniform", seed=0)
    lr_losses[lr] = train(model, lr=lr)

fig, axes = plt.subplots(1, 3, figsize=(14, 3.6), layout="constrained", sharey=True)
for ax, (lr, losses), colour in zip(axes, lr_losses.items(), ("C0", "C2", "C3")):
    ax.plot(losses, color=colour, label=f"lr = {lr}")
    ax.axhline(losses[0], color="grey", linestyle="--", linewidth=1, label="loss at the start")
    ax.set(title=f"lr = {lr}", xlabel="step", yscale="log")
    ax.legend()
axes[0].set_ylabel("loss (log scale, shared)")
plt.show()
for lr, losses in lr_losses.items():
    print(f"lr = {lr:>5}: loss {losses[0]:.3f} -> {losses[-1]:.3f}")

# %% [markdown]
# All three panels share one logarithmic loss axis, so their heights compare:
#
# * **lr = 0.01**: the line is almost flat at the starting loss: it crawls
#   and would need thousands of steps.
# * **lr = 1.0**: quickly down, then steady.
# * **lr = 20**: the first step jumps far past the minimum, and the loss
#   bounces around far above where it started.
#
# Next: a full training run with the best practices of the tutorial.
