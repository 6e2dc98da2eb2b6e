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
# # 10. Vanishing gradients: sigmoid, ReLU, BatchNorm
#
# Backpropagation multiplies: the gradient reaching a layer is the gradient of
# the layer above times that layer's local derivatives (its weights and its
# activation's slope). Through many layers, factors below 1 shrink the
# gradient toward 0 (**vanishing**) and factors above 1 blow it up
# (**exploding**); either way the first layers cannot learn. The tutorial's
# advice is ReLU and batch normalization. Here we *measure* it: one
# `backward()` through a deep network, and the size of the gradient that
# reaches each layer's weights.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from nn.data import DataLoader, Standardizer
from nn.datasets import moons
from nn.functional import mean
from nn.layers import MLP
from nn.losses import binary_cross_entropy_with_logits
from nn.optim import Adam
from nn.train import fit

X, y = moons(n_samples=32, noise=0.2, seed=0)
X = Standardizer().fit_transform(X)
DEPTH, WIDTH = 10, 16  # ten hidden layers of 16 neurons, then one output


def gradient_norms(model):
    """‖∂loss/∂W‖ of each layer's weights, after one backward() on the batch X, y."""
    model.zero_grad()  # the gradients of this backward() only
    outputs = model.forward_batch(X)  # a whole batch: BatchNorm needs one
    loss = mean([binary_cross_entropy_with_logits(out, t) for out, t in zip(outputs, y)])
    loss.backward()
    return [
        np.sqrt(sum(p.grad**2 for name, p in layer.named_parameters() if ".w." in name))
        for layer in model.layers
    ]


def deep(**options):
    return MLP(2, [WIDTH] * DEPTH + [1], seed=0, **options)


# %% [markdown]
# ## Vanishing: sigmoid against tanh, ReLU and BatchNorm
#
# Each network starts from the initialization made for its activation
# (Xavier for sigmoid and tanh, Kaiming for ReLU; notebook 4). The last one
# is the sigmoid network again with a `BatchNorm1d` before every sigmoid.

# %%
vanishing = {
    "sigmoid": deep(activation="sigmoid", init="xavier_uniform"),
    "tanh": deep(activation="tanh", init="xavier_uniform"),
    "ReLU": deep(activation="relu", init="kaiming_normal"),
    "sigmoid + BatchNorm1d": deep(activation="sigmoid", init="xavier_uniform", batchnorm=True),
}


def show_norms(models, title):
    """Plot and print the gradient norm per layer of each model."""
    norms = {name: gradient_norms(model) for name, model in models.items()}
    layers = np.arange(1, DEPTH + 2)
    _, ax = plt.subplots(figsize=(7.5, 4.2), layout="constrained")
    for name, values in norms.items():
        ax.plot(layers, values, "o-", label=name)
    ax.set(
        title=title,
        xlabel="layer (1 = next to the inputs, 11 = output)",
        ylabel="‖∂loss/∂W‖ of the layer (log scale)",
        yscale="log",
        xticks=layers,
    )
    ax.legend()
    plt.show()
    width = max(map(len, norms))
    for name, values in norms.items():
        print(f"{name:>{width}}: first layer {values[0]:.2e}, output layer {values[-1]:.2e}")


show_norms(vanishing, f"gradient reaching each layer: {DEPTH} hidden layers of {WIDTH}")

# %% [markdown]
# Read it from the right, the way `backward()` goes. With **sigmoid** the
# gradient shrinks by a factor of 3 to 5 per layer: the sigmoid's slope is at
# most 1/4. By the first layer it is about 200,000 times smaller than at the
# output: those weights will barely move. **tanh**, whose
# slope is 1 at 0, loses far less; **ReLU**'s slope is exactly 1 wherever a
# neuron is on, so the gradient keeps its size through the depth.
# **BatchNorm1d** rescues the sigmoid network itself: it rescales each
# layer's sums to mean 0 and spread 1 over the batch, so backward rescales the
# gradient by the same factor, and the gradient no longer dies out.
#
# ## Exploding: ReLU with weights too large
#
# ReLU does not fix everything. Start its weights from N(0, 1) instead of
# Kaiming's N(0, 1)·√(2/16): each layer now multiplies the signal, and the
# gradient, by about √8 ≈ 2.8.

# %%
exploding = {
    "ReLU, Kaiming": vanishing["ReLU"],
    "ReLU, N(0, 1)": deep(activation="relu", init={"name": "normal", "std": 1.0}),
    "ReLU, N(0, 1) + BatchNorm1d": deep(
        activation="relu", init={"name": "normal", "std": 1.0}, batchnorm=True
    ),
}
show_norms(exploding, "exploding gradients, and BatchNorm1d against them")

# %% [markdown]
# With N(0, 1) weights every layer's gradient is about 10,000 times what it is
# from Kaiming's start (the forward signal has grown by as much on the way
# up, and the output layer's gradient is proportional to it): one step of
# gradient descent would throw the weights far away. Batch normalization
# rescales every layer's sums, and the gradients come back to ordinary sizes.
#
# ## What it does to training
#
# The same deep networks without batch normalization, trained for 60 epochs
# (the compiled engine runs them; it does not run BatchNorm1d, which needs the
# whole batch at once).

# %%
fig, ax = plt.subplots(figsize=(7.5, 4), layout="constrained")
for name in ("sigmoid", "tanh", "ReLU"):
    model = vanishing[name]
    history = fit(
        model,
        binary_cross_entropy_with_logits,
        Adam(model.parameters(), lr=0.01),
        DataLoader(X, y, batch_size=32, seed=0),
        epochs=60,
        progress=False,
        engine="compiled",  # the same numbers as the scalar engine, faster: notebook 7
    )
    ax.plot(range(1, history.epochs + 1), history.train_loss, label=name)
    print(f"{name:>7}: loss {history.train_loss[0]:.3f} -> {history.train_loss[-1]:.3f}, "
          f"accuracy {history.train_accuracy[-1]:.2f}")  # fmt: skip
ax.set(title="training a 10-hidden-layer network", xlabel="epoch", ylabel="training loss")
ax.legend()
plt.show()

# %% [markdown]
# The sigmoid network's loss sits at log 2 ≈ 0.69, a coin toss, for about 45
# epochs: its first layers get almost no gradient, so the layers above see
# inputs that carry nothing. It gets going only because Adam divides each
# weight's step by that weight's own gradient size (plain SGD would wait far
# longer). tanh and ReLU learn from the first epochs, ReLU furthest.
#
# That closes the tutorial's best practices: shuffle, normalize, zero the
# gradients, validate, keep the gradient alive with ReLU and batch norm, and
# save checkpoints while logging the loss.
