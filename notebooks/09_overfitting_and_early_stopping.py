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
# # 9. Overfitting, validation and early stopping
#
# A network with enough weights can learn its training set by heart, noise
# included, and get *worse* on new data while its training loss keeps falling.
# That is overfitting. The training loss cannot show it; a **validation set**,
# data the network never trains on, can. This notebook
#
# * overfits a large network on a small, noisy data set and watches the
#   training and validation curves part,
# * keeps the weights of the best validation epoch with a callback of `fit`,
# * and lets `fit` stop early on its own.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from nn.data import DataLoader, Standardizer, train_val_split
from nn.datasets import moons
from nn.layers import MLP
from nn.losses import binary_cross_entropy_with_logits
from nn.optim import Adam
from nn.plot import plot_decision_boundary, plot_history
from nn.train import accuracy, fit, predict

# %% [markdown]
# ## Few noisy points, many weights
#
# 60 points of two noisy moons: half to train on, half held out for validation
# (stratified: both halves have as many points of each class). The
# standardizer learns from the training half only.

# %%
X, y = moons(n_samples=60, noise=0.4, seed=1)
X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=0.5, seed=0, stratify=True)
scaler = Standardizer().fit(X_train)
X_train, X_val = scaler.transform(X_train), scaler.transform(X_val)
train_loader = DataLoader(X_train, y_train, batch_size=30, seed=0)
val_loader = DataLoader(X_val, y_val, batch_size=30, shuffle=False)


def new_model():
    """2 → 48 → 48 → 1 ReLU: about 2,500 weights for 30 training points."""
    return MLP(2, [48, 48, 1], activation="relu", seed=0)


def train(model, epochs, **options):
    return fit(
        model,
        binary_cross_entropy_with_logits,
        Adam(model.parameters(), lr=0.01),
        train_loader,
        val_loader,
        epochs=epochs,
        progress=False,
        engine="compiled",  # the same numbers as the scalar engine, faster: notebook 7
        **options,
    )


print(len(new_model().parameters()), "weights and biases;", len(X_train), "training points")

# %% [markdown]
# ## Train far too long, and keep the best epoch
#
# A callback runs after every epoch with the history so far. This one copies
# the weights whenever the validation loss reaches a new low (`best_epoch` is
# the epoch with the lowest validation loss yet).

# %%
model = new_model()
best = {}


def keep_best(epoch, history):
    if history.best_epoch == epoch:
        best["epoch"], best["state"] = epoch, model.state_dict()


history = train(model, epochs=400, callbacks=[keep_best])
fig, axes = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
plot_history(history, ax=axes)
axes[0].set_yscale("log")
plt.show()
print(f"best validation loss {min(history.val_loss):.3f} at epoch {history.best_epoch}")
print(f"after 400 epochs: training loss {history.train_loss[-1]:.4f}, ", end="")
print(f"validation loss {history.val_loss[-1]:.3f}")

# %% [markdown]
# The curves part. The training loss falls toward 0 for as long as we train:
# the network is memorising the 30 points. The validation loss falls with it
# for the first epochs, then turns and climbs: what is learned from there on
# is the noise of the training points, which does not carry over to new ones.
# The validation curve is the only one that shows this.
#
# What the memorising looks like in the plane: the weights of the best epoch
# against the weights after 400 epochs. Circles are the training points,
# triangles the validation points.

# %%
best_model = new_model()
best_model.load_state_dict(best["state"])
fig, axes = plt.subplots(1, 2, figsize=(13, 4.8), layout="constrained")
for ax, (title, net) in zip(axes, [(f"best epoch ({best['epoch'] + 1})", best_model),
                                   ("after 400 epochs", model)]):  # fmt: skip
    plot_decision_boundary(
        net, X_train, y_train, threshold=0.0, resolution=80, ax=ax, validation=(X_val, y_val)
    )
    ax.set_title(title)
plt.show()
for title, net in (("best epoch", best_model), ("after 400 epochs", model)):
    scores = [accuracy(predict(net, data), labels, threshold=0.0)
              for data, labels in ((X_train, y_train), (X_val, y_val))]  # fmt: skip
    print(f"{title:>16}: training accuracy {scores[0]:.2f}, validation accuracy {scores[1]:.2f}")

# %% [markdown]
# At its best epoch the network draws a smooth boundary between the moons and
# leaves the training points on the wrong side of it where the noise put them.
# After 400 epochs the boundary bends around single training points, islands
# included; the training accuracy is perfect, the validation accuracy is
# lower, and the
# validation *loss* is far higher: the network has grown very sure of
# boundaries that are wrong for new points.
#
# ## Early stopping
#
# No need to train 400 epochs and look back: `fit(..., early_stopping=p)`
# stops once the validation loss has not improved for `p` epochs, and puts the
# weights of the best epoch back in the model.

# %%
stopped = new_model()
history = train(stopped, epochs=400, early_stopping=20)
fig = plot_history(history)
plt.show()
outputs = predict(stopped, X_val)
print(f"stopped early: {history.stopped_early}, after {history.epochs} of 400 epochs")
print(f"weights put back from epoch {history.best_epoch}: validation loss ", end="")
best_val_loss = history.val_loss[history.best_epoch - 1]
print(f"{best_val_loss:.3f}, accuracy {accuracy(outputs, y_val, 0.0):.2f}")
assert np.allclose(outputs, predict(best_model, X_val), rtol=1e-12, atol=1e-12)

# %% [markdown]
# Training ran 20 epochs past the best one, saw no improvement and stopped;
# the model holds the best epoch's weights, the very ones the callback kept
# above (the last line checks it). Other cures for overfitting: more data, a
# smaller network, or weight decay (`AdamW`).
#
# Next: why deep networks can stop learning at all.
