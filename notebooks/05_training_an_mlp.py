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
# # 5. Training an MLP, with the best practices
#
# From the tutorial's list of best practices:
#
# * shuffle the data before training (use a DataLoader),
# * normalize the inputs for stable training,
# * zero out the gradients each iteration: `optimizer.zero_grad()`,
# * use a validation set to check overfitting,
# * avoid exploding/vanishing gradients: ReLU, batch norm,
# * save checkpoints and track the loss with logging.
#
# All of them on the two-moons data, with `nn.train.fit` running the loop.

# %%
import logging
import sys
import tempfile
from pathlib import Path

# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from autograd import Value
from nn.checkpoint import load, save
from nn.data import DataLoader, Standardizer, train_val_split
from nn.datasets import moons
from nn.functional import mean
from nn.layers import MLP
from nn.losses import binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss
from nn.optim import Adam
from nn.plot import plot_decision_boundary, plot_history
from nn.train import accuracy, fit, predict

# %% [markdown]
# ## Data: split, normalize, shuffle
#
# Hold out a quarter of the points for validation. The `Standardizer` learns
# the mean and spread from the **training** set only (statistics from the
# validation set would leak it into training) and applies them to both. The
# `DataLoader` yields mini-batches in a new random order every epoch.

# %%
X, y = moons(n_samples=200, noise=0.2, seed=0)
X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=0.25, seed=0, stratify=True)
scaler = Standardizer().fit(X_train)
train_loader = DataLoader(scaler.transform(X_train), y_train, batch_size=32, seed=0)
val_loader = DataLoader(scaler.transform(X_val), y_val, batch_size=64, shuffle=False)
print(train_loader, val_loader, sep="\n")

# %% [markdown]
# ### Why normalize
#
# A linear neuron y = w₁x₁ + w₂x₂ fitted by gradient descent on MSE, where x₂
# is in units ten times larger than x₁ (centimetres against decimetres, say).
# The loss over (w₁, w₂) becomes a long narrow valley: a learning rate small
# enough not to diverge across the valley crawls along it. Standardized, the
# valley is round and the same number of steps reaches the bottom.


# %%
def descent_path(features, targets, lr, steps=25):
    """Gradient descent on the MSE of y = w1*x1 + w2*x2, from w = (0, 0): each w."""
    w = [Value(0.0), Value(0.0)]
    path = [[v.data for v in w]]
    for _ in range(steps):
        for v in w:
            v.grad = 0.0
        loss = mean([mse_loss(w[0] * a + w[1] * b, t) for (a, b), t in zip(features, targets)])
        loss.backward()
        for v in w:
            v.data -= lr * v.grad
        path.append([v.data for v in w])
    return np.array(path)


rng = np.random.default_rng(0)
raw = rng.normal(size=(40, 2)) * [1.0, 10.0]
targets = raw @ [1.5, 0.15] + rng.normal(scale=0.1, size=40)
scaled = Standardizer().fit_transform(raw)
fig, axes = plt.subplots(1, 2, figsize=(12, 4.2), layout="constrained")
for ax, (title, features, lr) in zip(
    axes, [("raw: x₂ ten times larger", raw, 0.009), ("standardized", scaled, 0.3)]
):
    path = descent_path(features, targets, lr)
    best = np.linalg.lstsq(features, targets, rcond=None)[0]
    span = max(np.abs(best).max(), np.abs(path).max()) * 1.3
    grid = np.linspace(-span, span, 120)
    w1, w2 = np.meshgrid(grid, grid)
    residuals = features[:, 0, None, None] * w1 + features[:, 1, None, None] * w2
    loss = ((residuals - targets[:, None, None]) ** 2).mean(axis=0)
    levels = np.geomspace(loss.min() + 1e-3, np.quantile(loss, 0.9), 10)
    ax.contour(w1, w2, loss, levels=levels, cmap="viridis", linewidths=1)
    ax.plot(*path.T, "o-", color="C3", markersize=3, label=f"25 steps, lr = {lr}")
    ax.plot(*best, "*", color="C2", markersize=14, label="the minimum")
    ax.set(title=title, xlabel="w₁", ylabel="w₂", aspect="equal")
    ax.legend(loc="lower right")
plt.show()

# %% [markdown]
# Left (contour lines of the loss), the steps first zig-zag across the valley,
# then crawl along it: after 25 steps they have covered a third of the way to
# the minimum. Right, they walk straight to it.
#
# ### Why shuffle
#
# Sort the training points by class and feed them in that order: every epoch
# starts with batches of class 0 only, then of class 1 only, and each run of
# batches drags the model toward its own class, undoing part of what the run
# before did. The validation loss after every batch, against the same data
# shuffled every epoch:


# %%
def validation_loss_per_batch(loader, epochs=6):
    net = MLP(2, [8, 8, 1], activation="relu", seed=0)
    opt = Adam(net.parameters(), lr=0.05)
    losses = []
    for _ in range(epochs):
        for X_batch, y_batch in loader:
            opt.zero_grad()
            mean(
                [binary_cross_entropy_with_logits(net(x), t) for x, t in zip(X_batch, y_batch)]
            ).backward()
            opt.step()
            outputs = predict(net, scaler.transform(X_val))[:, 0]
            losses.append(
                mean(
                    [binary_cross_entropy_with_logits(Value(o), t) for o, t in zip(outputs, y_val)]
                ).data
            )
    return losses


order = np.argsort(y_train, kind="stable")
sorted_loader = DataLoader(
    scaler.transform(X_train)[order], y_train[order], batch_size=30, shuffle=False
)
shuffled_loader = DataLoader(scaler.transform(X_train), y_train, batch_size=30, seed=0)
fig, ax = plt.subplots(figsize=(8, 3.6), layout="constrained")
for name, loader in (
    ("sorted by class, not shuffled", sorted_loader),
    ("shuffled every epoch", shuffled_loader),
):
    ax.plot(np.arange(1, 31) / 5, validation_loss_per_batch(loader), "o-", markersize=3, label=name)
ax.set(title="validation loss after every batch", xlabel="epoch", ylabel="binary cross-entropy")
ax.legend()
plt.show()

# %% [markdown]
# Shuffled, every batch holds both classes and pulls the model toward the
# boundary between them: the loss is down to about 0.3 within two epochs.
# Sorted, the one-class batches pull it back and forth, and it takes three
# times as long.

# %% [markdown]
# ## Model and optimizer
#
# Two hidden layers of 8 ReLU neurons with batch normalization (each hidden
# sum is normalized over the mini-batch before the ReLU), one output: a logit,
# whose sigmoid is the probability of class 1. Adam adapts each weight's
# step size.

# %%
model = MLP(2, [8, 8, 1], activation="relu", batchnorm=True, seed=0)
optimizer = Adam(model.parameters(), lr=0.02)
print(model)
print(len(model.parameters()), "parameters")

# %% [markdown]
# ## Logging and checkpoints
#
# `fit` reports every epoch through Python's `logging` (logger `"nn.train"`).
# A callback runs after each epoch; ours saves a checkpoint whenever the
# validation loss reaches a new best. The checkpoint holds the architecture,
# the weights, the optimizer's state and the standardizer, as JSON written
# atomically.
#
# Each epoch of `fit` does, for every batch: `optimizer.zero_grad()`, forward,
# loss, `backward()`, `optimizer.step()`.

# %%
log = logging.getLogger("nn.train")
log.setLevel(logging.INFO)
if not log.handlers:
    log.addHandler(logging.StreamHandler(sys.stdout))

best_path = Path(tempfile.mkdtemp()) / "best.json"


def save_best(epoch, history):
    if history.best_epoch == epoch:  # the lowest validation loss so far
        val_loss = history.val_loss[-1]
        save(model, best_path, optimizer, scaler, epoch=epoch, val_loss=val_loss)


history = fit(
    model,
    binary_cross_entropy_with_logits,
    optimizer,
    train_loader,
    val_loader,
    epochs=15,
    callbacks=[save_best],
    progress=False,
)
log.setLevel(logging.WARNING)
plot_history(history)

# %% [markdown]
# ## Back from the checkpoint
#
# `load` rebuilds the model from the file and checks everything before it
# changes anything. The best epoch's model, with its standardizer, on the
# validation set; in the picture, circles are training points and triangles
# validation points, over the model's probability of class 1:

# %%
checkpoint = load(best_path)
best = checkpoint.model
print("saved at:", checkpoint.meta)
val_outputs = predict(best, checkpoint.standardizer.transform(X_val))
print(f"validation accuracy: {accuracy(val_outputs, y_val, threshold=0.0):.3f}")
plot_decision_boundary(
    best,
    scaler.transform(X_train),
    y_train,
    threshold=0.0,
    resolution=30,
    validation=(scaler.transform(X_val), y_val),
)

# %% [markdown]
# ## Which loss? MSE vs MAE vs cross-entropy
#
# The loss measures how far predictions are from the truth. Mean squared error
# (MSE) and mean absolute error (MAE) are the regression losses: here they
# push a single output toward 0 or 1. Cross-entropy is the classification
# loss: two outputs, one logit per class, turned into probabilities by
# softmax. Same network, same data, same optimizer:

# %%
runs = {
    "MSE": (mse_loss, 1),
    "MAE": (l1_loss, 1),
    "cross-entropy": (cross_entropy, 2),
}
histories = {}
for name, (loss_fn, n_outputs) in runs.items():
    net = MLP(2, [16, 16, n_outputs], activation="relu", seed=0)
    histories[name] = fit(
        net,
        loss_fn,
        Adam(net.parameters(), lr=0.02),
        DataLoader(scaler.transform(X_train), y_train, batch_size=32, seed=0),
        val_loader,
        epochs=25,
        progress=False,
        engine="compiled",  # the same arithmetic, faster: see notebook 7
    )

fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
for name, h in histories.items():
    ax.plot(range(1, h.epochs + 1), h.val_accuracy, label=name)
ax.set(title="validation accuracy", xlabel="epoch", ylim=(0.5, 1.0))
ax.legend()
plt.show()
for name, h in histories.items():
    print(f"{name:>14}: best validation accuracy {max(h.val_accuracy):.3f}")

# %% [markdown]
# The losses are on different scales, so we compare what matters: the
# validation accuracy. MAE's gradient has the same size however wrong a
# prediction is, so it gives the worst points no extra push; MSE pushes
# harder the further off a prediction is; cross-entropy, made for
# classification, pushes hardest on confident mistakes. Notebook 8 draws the
# three losses and their slopes.
#
# Next: the same model in PyTorch.
