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
# # 6. From tapegrad to PyTorch
#
# tapegrad uses PyTorch's names on purpose: what you learned here carries
# over. The key concepts:
#
# | Concept | PyTorch | tapegrad |
# | --- | --- | --- |
# | Model | `torch.nn.Module` | `nn.module.Module` |
# | Layer | `torch.nn.Linear` | `nn.layers.Layer(activation=None)` |
# | Activation | `torch.nn.ReLU`, `F.relu` | `activation="relu"`, `nn.functional.relu` |
# | Loss | `torch.nn.CrossEntropyLoss()` | `nn.losses.cross_entropy` |
# | Optimizer | `torch.optim.Adam()` | `nn.optim.Adam` |
# | Training loop | `.backward()`, `.step()` | `.backward()`, `.step()` |
#
# Below, one model and one batch of data in both libraries: the same loss, the
# same gradients, and the same training run. The PyTorch cells skip with a
# note when PyTorch is not installed.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from nn.data import Standardizer
from nn.datasets import moons
from nn.layers import MLP
from nn.losses import cross_entropy
from nn.optim import Adam

try:
    import torch
except ImportError:
    torch = None
    print("PyTorch is not installed: the PyTorch cells below only print a note.")

# %% [markdown]
# ## The tapegrad side
#
# A 2 → 8 → 2 network: a hidden layer of 8 ReLU neurons, then two logits for
# the two classes. One batch of 64 points.

# %%
X, y = moons(n_samples=64, noise=0.2, seed=0)
X = Standardizer().fit_transform(X)

model = MLP(2, [8, 2], activation="relu", seed=0)
loss = cross_entropy(model.forward_batch(X), y)
loss.backward()
print(f"tapegrad loss: {loss.data:.12f}")


# %% [markdown]
# ## The PyTorch side
#
# The same network as a `torch.nn.Module`, in float64, starting from
# tapegrad's weights. A tapegrad layer's neuron j holds row j of PyTorch's
# `weight` matrix.


# %%
def layer_arrays(layer):
    """A tapegrad Layer's weights (out × in) and biases, and their gradients."""
    W = np.array([[w.data for w in n.w] for n in layer.neurons])
    b = np.array([n.b.data for n in layer.neurons])
    dW = np.array([[w.grad for w in n.w] for n in layer.neurons])
    db = np.array([n.b.grad for n in layer.neurons])
    return W, b, dW, db


if torch is None:
    print("skipped: PyTorch is not installed")
else:

    class TorchMLP(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = torch.nn.Linear(2, 8, dtype=torch.float64)
            self.relu = torch.nn.ReLU()
            self.out = torch.nn.Linear(8, 2, dtype=torch.float64)

        def forward(self, x):
            return self.out(self.relu(self.hidden(x)))

    torch_model = TorchMLP()
    with torch.no_grad():
        for linear, layer in zip([torch_model.hidden, torch_model.out], model.layers):
            W, b, _, _ = layer_arrays(layer)
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))

    X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
    criterion = torch.nn.CrossEntropyLoss()
    torch_loss = criterion(torch_model(X_t), y_t)
    torch_loss.backward()
    print(f"PyTorch loss:  {torch_loss.item():.12f}")
    print(torch_model)

# %% [markdown]
# ## The same gradients

# %%
if torch is None:
    print("skipped: PyTorch is not installed")
else:
    linears = {"hidden": torch_model.hidden, "out": torch_model.out}
    for (name, linear), layer in zip(linears.items(), model.layers):
        _, _, dW, db = layer_arrays(layer)
        diff_W = np.abs(dW - linear.weight.grad.numpy()).max()
        diff_b = np.abs(db - linear.bias.grad.numpy()).max()
        print(f"{name:>6}: largest difference in dL/dW {diff_W:.1e}, in dL/db {diff_b:.1e}")

# %% [markdown]
# ## The same training loop
#
# The six steps of training a network, each one line of code, the same in
# both libraries:
#
# | Step | tapegrad | PyTorch |
# | --- | --- | --- |
# | 1. initialize randomly | `model = MLP(2, [8, 2], ...)` | `torch_model = TorchMLP()` |
# | 2. forward pass | `logits = model.forward_batch(X)` | `torch_logits = torch_model(X_t)` |
# | 3. loss | `loss = cross_entropy(logits, y)` | `torch_loss = criterion(torch_logits, y_t)` |
# | 4. backward pass | `loss.backward()` | `torch_loss.backward()` |
# | 5. update | `optimizer.step()` | `torch_optimizer.step()` |
# | 6. repeat 2–5 | `for _ in range(30):` | `for _ in range(30):` |
#
# One more line comes before the backward pass: `optimizer.zero_grad()`.
# Gradients add up across `backward()` calls (notebook 1 shows it), so each
# step first clears the last step's.
#
# Step 1 starts again from the same seed, so the weights are those PyTorch
# copied above.

# %%
model = MLP(2, [8, 2], activation="relu", seed=0)  # 1. initialize
optimizer = Adam(model.parameters(), lr=0.05)
tapegrad_losses = []
for _ in range(30):  # 6. repeat steps 2-5
    logits = model.forward_batch(X)  # 2. forward pass
    loss = cross_entropy(logits, y)  # 3. loss
    optimizer.zero_grad()  # (clear the last step's gradients)
    loss.backward()  # 4. backward pass
    optimizer.step()  # 5. update the weights
    tapegrad_losses.append(loss.data)

if torch is None:
    print("skipped: PyTorch is not installed")
else:
    torch_optimizer = torch.optim.Adam(torch_model.parameters(), lr=0.05)
    torch_losses = []
    for _ in range(30):  # 6. repeat steps 2-5
        torch_logits = torch_model(X_t)  # 2. forward pass
        torch_loss = criterion(torch_logits, y_t)  # 3. loss
        torch_optimizer.zero_grad()  # (clear the last step's gradients)
        torch_loss.backward()  # 4. backward pass
        torch_optimizer.step()  # 5. update the weights
        torch_losses.append(torch_loss.item())

    fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
    ax.plot(tapegrad_losses, linewidth=4, alpha=0.5, label="tapegrad")
    ax.plot(torch_losses, "k--", label="PyTorch")
    ax.set(title="the same training run", xlabel="step", ylabel="cross-entropy")
    ax.legend()
    plt.show()
    largest = max(
        np.abs(layer_arrays(layer)[0] - linear.weight.detach().numpy()).max()
        for linear, layer in zip([torch_model.hidden, torch_model.out], model.layers)
    )
    print(f"after 30 Adam steps, the weights differ by at most {largest:.1e}")

# %% [markdown]
# The curves lie on top of each other: the two libraries compute the same
# numbers, up to float64 rounding. What PyTorch adds is speed (tensors: whole
# arrays per operation instead of one scalar per `Value`) and a large library.
# The next notebook shows how tapegrad gets its own speed.
