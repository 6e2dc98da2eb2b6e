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

from nn.checkpoint import load, save
from nn.data import DataLoader, Standardizer, train_val_split
from nn.datasets import moons
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
# ## Model and optimizer
#
# Two hidden layers of 16 ReLU neurons with batch normalization (each hidden
# sum is normalized over the mini-batch before the ReLU), one output: a logit,
# whose sigmoid is the probability of class 1. Adam adapts each weight's
# step size.

# %%
model = MLP(2, [16, 16, 1], activation="relu", batchnorm=True, seed=0)
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
    epochs=25,
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
# validation set:

# %%
checkpoint = load(best_path)
best = checkpoint.model
print("saved at:", checkpoint.meta)
val_outputs = predict(best, checkpoint.standardizer.transform(X_val))
print(f"validation accuracy: {accuracy(val_outputs, y_val, threshold=0.0):.3f}")
plot_decision_boundary(best, scaler.transform(X), y, threshold=0.0, resolution=40)

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
# classification, pushes hardest on confident mistakes.
#
# Next: the same model in PyTorch.
