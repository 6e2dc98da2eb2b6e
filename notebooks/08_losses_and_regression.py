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
# # 8. Losses: MSE, MAE, cross-entropy; a regression; and zero_grad
#
# The loss is the error in a prediction: how far the obtained value is from the
# desired one. Its *shape* decides how hard training pushes on each mistake,
# since the push is the loss's gradient. This notebook
#
# * draws the three losses of the tutorial as functions of the error (MSE, MAE)
#   and of the logit (cross-entropy), with the slopes `backward()` finds,
# * fits a curve (a regression) with MSE and with MAE, on data with outliers,
# * and shows what happens to a training step when you forget to zero the
#   gradients.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from autograd import Value
from nn.data import DataLoader
from nn.functional import mean
from nn.layers import MLP
from nn.losses import binary_cross_entropy_with_logits, l1_loss, mse_loss
from nn.optim import SGD, Adam
from nn.train import fit, predict


def loss_and_slope(loss_fn, x, target):
    """The loss at ``x`` and d loss / d x, from backward()."""
    v = Value(x)
    loss = loss_fn(v, target)
    loss.backward()
    return loss.data, v.grad


# %% [markdown]
# ## The shapes
#
# Left: a prediction off by e. MSE = e² and MAE = |e| (both for one sample).
# Right: binary cross-entropy of a logit z (the probability is σ(z)), for a
# sample of class 1 and one of class 0. Solid lines are the losses, dashed
# lines their slopes as `backward()` computes them.

# %%
errors = np.linspace(-3, 3, 241)
logits = np.linspace(-6, 6, 241)
curves = {
    "MSE = e²": (mse_loss, errors, 0.0),
    "MAE = |e|": (l1_loss, errors, 0.0),
    "cross-entropy, class 1": (binary_cross_entropy_with_logits, logits, 1.0),
    "cross-entropy, class 0": (binary_cross_entropy_with_logits, logits, 0.0),
}
fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
for k, (name, (loss_fn, xs, target)) in enumerate(curves.items()):
    ax = left if loss_fn is not binary_cross_entropy_with_logits else right
    values, slopes = np.array([loss_and_slope(loss_fn, x, target) for x in xs]).T
    ax.plot(xs, values, color=f"C{k}", label=name)
    ax.plot(xs, slopes, "--", color=f"C{k}", label="its slope (backward)")
left.set(
    title="regression losses",
    xlabel="error e = prediction − target",
    ylabel="loss (solid), slope (dashed)",
)
left.set_ylim(-3.5, 9)
right.set(
    title="classification loss", xlabel="logit z (p = σ(z))", ylabel="loss (solid), slope (dashed)"
)
for ax in (left, right):
    ax.axhline(0, color="grey", linewidth=0.5)
    ax.legend(fontsize="small")
plt.show()

# %% [markdown]
# * **MSE** grows with the square of the error and its slope 2e with the
#   error itself: a point twice as far off pulls twice as hard, and an outlier
#   pulls hardest of all.
# * **MAE**'s slope is ±1 wherever the error is not 0: every point pulls
#   equally hard, however far off it is.
# * **Cross-entropy** is almost 0 for a confident right answer and grows
#   linearly for a confident wrong one: its slope never dies out on mistakes,
#   which is why it is the loss for classification.
#
# ## A regression: fit a curve, with and without outliers' pull
#
# 60 noisy samples of y = sin(x), where five points are replaced by outliers
# far below the curve. The same network (1 → 16 → 1, tanh) is fitted once with
# MSE and once with MAE. A regression has no accuracy: `metric=None`.

# %%
rng = np.random.default_rng(0)
x = np.sort(rng.uniform(-3, 3, size=60))
y = np.sin(x) + rng.normal(scale=0.1, size=x.size)
outliers = rng.choice(x.size, size=5, replace=False)
y[outliers] -= 3.0
X = x[:, None]

fits = {}
for name, loss_fn in (("MSE", mse_loss), ("MAE", l1_loss)):
    model = MLP(1, [16, 1], activation="tanh", seed=0)
    history = fit(
        model,
        loss_fn,
        Adam(model.parameters(), lr=0.03),
        DataLoader(X, y, batch_size=20, seed=0),
        epochs=150,
        metric=None,
        progress=False,
        engine="compiled",  # the same arithmetic as the scalar engine, faster: notebook 7
    )
    fits[name] = (model, history)

grid = np.linspace(-3, 3, 200)[:, None]
fig, (curve_ax, loss_ax) = plt.subplots(1, 2, figsize=(12, 4), layout="constrained")
curve_ax.plot(grid, np.sin(grid), color="grey", linewidth=3, alpha=0.5, label="y = sin(x)")
curve_ax.scatter(np.delete(x, outliers), np.delete(y, outliers), s=14, color="k", label="data")
curve_ax.scatter(x[outliers], y[outliers], s=30, marker="x", color="C3", label="outliers")
for k, (name, (model, history)) in enumerate(fits.items()):
    curve_ax.plot(grid, predict(model, grid)[:, 0], color=f"C{k}", label=f"fitted with {name}")
    loss_ax.plot(range(1, history.epochs + 1), history.train_loss, color=f"C{k}", label=name)
curve_ax.set(title="the fitted curves", xlabel="x", ylabel="y")
curve_ax.legend(fontsize="small")
loss_ax.set(title="training loss", xlabel="epoch", ylabel="loss (its own units)")
loss_ax.legend()
plt.show()
clean = np.setdiff1d(np.arange(x.size), outliers)
for name, (model, _) in fits.items():
    miss = np.abs(predict(model, X)[clean, 0] - np.sin(x[clean])).mean()
    print(f"{name}: mean distance from sin(x) at the clean points {miss:.3f}")

# %% [markdown]
# MSE's fit sags toward the outliers: each one is 3 below the curve, and
# squared that is a pull nine times that of a point 1 off. MAE's fit stays on
# the sine: the outliers pull no harder than any other point. (The two loss
# curves are in different units, MSE's squared, so only their shapes compare.)
#
# ## Forgetting zero_grad
#
# `backward()` *adds* to every `.grad` (a value used twice must collect both
# paths' gradients, notebook 1). So a training step must clear the last step's
# gradients first: `optimizer.zero_grad()`. Two `backward()` calls without it,
# on the same loss:

# %%
model = MLP(1, [8, 1], activation="tanh", seed=0)
w = model.parameters()[0]
loss = mean([mse_loss(model([xi]), yi) for xi, yi in zip(x, y)])
loss.backward()
once = w.grad
loss.backward()  # no zero_grad in between
print(f"dL/dw after one backward(): {once:+.6f}; after a second one: {w.grad:+.6f}")
assert w.grad == 2 * once

# %% [markdown]
# The same six steps as always, one run with `zero_grad()` and one without it.
# Without it, each step uses the sum of *all* gradients so far: the steps keep
# going in the direction of the earlier ones and the loss overshoots.


# %%
def train(forget_zero_grad, steps=40, lr=0.05):
    model = MLP(1, [8, 1], activation="tanh", seed=0)  # 1. initialize
    optimizer = SGD(model.parameters(), lr=lr)
    losses, grad_norms = [], []
    for _ in range(steps):  # 6. repeat
        if not forget_zero_grad:
            optimizer.zero_grad()
        loss = mean([mse_loss(model([xi]), yi) for xi, yi in zip(x, y)])  # 2. forward, 3. loss
        loss.backward()  # 4. backward
        optimizer.step()  # 5. update
        losses.append(loss.data)
        grad_norms.append(np.sqrt(sum(p.grad**2 for p in model.parameters())))
    return losses, grad_norms


fig, (loss_ax, grad_ax) = plt.subplots(1, 2, figsize=(12, 3.8), layout="constrained")
for k, (name, forget) in enumerate((("with zero_grad()", False), ("forgot zero_grad()", True))):
    losses, grad_norms = train(forget)
    loss_ax.plot(losses, color=f"C{k}", label=name)
    grad_ax.plot(grad_norms, color=f"C{k}", label=name)
    late = losses[10:]
    print(f"{name:>18}: loss after step 10 between {min(late):.3f} and {max(late):.3f}")
loss_ax.set(title="training loss (MSE)", xlabel="step", ylabel="loss", yscale="log")
grad_ax.set(title="size of the gradient used by the step", xlabel="step", ylabel="‖grad‖")
grad_ax.set_yscale("log")
for ax in (loss_ax, grad_ax):
    ax.legend()
plt.show()

# %% [markdown]
# With `zero_grad()` the gradient shrinks as the loss falls: the steps get
# smaller near the minimum and the loss falls smoothly. Without it the
# "gradient" is a running sum that never forgets: it stays large near the
# minimum, every update shoots past it, and the loss bounces up and down
# instead of settling. (`fit` calls `optimizer.zero_grad()` for you before
# every batch.)
#
# Next: a validation set, and when to stop training.
