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
# # 3. Will you pass the exam? The six training steps, written out
#
# Predict whether a student passes (1) or fails (0) from four inputs:
#
# * x1: hours studied,
# * x2: how smart they are,
# * x3: prior knowledge,
# * x4: their **name**.
#
# The name tells us nothing about passing. We train one neuron with a sigmoid
# (its output is the probability of passing) and watch it learn to give the
# name almost no weight. No `fit` here: every one of the six steps is written
# out.
#
# 1. Initialize weights and biases randomly.
# 2. Forward pass: compute the output.
# 3. Calculate the loss.
# 4. Backward pass: compute the gradients.
# 5. Update the weights and biases with the gradients.
# 6. Repeat steps 2–5 until the model converges.

# %%
# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from IPython.display import display

from autograd import Value, draw_dot
from nn.data import Standardizer
from nn.datasets import EXAM_FEATURE_NAMES, exam_pass_fail
from nn.layers import Neuron
from nn.losses import binary_cross_entropy

# %% [markdown]
# ## The data
#
# `exam_pass_fail` draws students at random: hours, smartness and prior
# knowledge on 0–10 scales, and the name coded as its first letter's position in
# the alphabet. Whether they pass depends on the first three only.

# %%
X, y = exam_pass_fail(n_samples=200, seed=0)
print(" ".join(f"{name:>16}" for name in EXAM_FEATURE_NAMES), "  passed")
for row, passed in zip(X[:5], y[:5]):
    print(" ".join(f"{v:16.2f}" for v in row), f"  {passed}")

fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
for ax, column in zip(axes, (0, 3)):
    ax.scatter(X[:, column], y + np.random.default_rng(0).normal(0, 0.04, len(y)), s=10)
    ax.set(xlabel=EXAM_FEATURE_NAMES[column], ylabel="passed (jittered)")
plt.show()

# %% [markdown]
# Passing clearly goes with hours studied, and not with the name.
#
# The features live on different scales (the name runs to 25). Following the
# best practice *normalize inputs*, we standardize each one to mean 0 and
# standard deviation 1; then the weights are comparable, each being the effect
# of one standard deviation of its feature.

# %%
scaler = Standardizer().fit(X)
Xs = scaler.transform(X)
print("means:", Xs.mean(axis=0).round(6), " stds:", Xs.std(axis=0).round(6))

# %% [markdown]
# ## Step 1: initialize weights and biases
#
# One neuron with four weights and a bias: out = σ(x1·w1 + x2·w2 + x3·w3 + x4·w4 + b).
# The weights start random (uniform in [−1, 1]), the bias at 0.

# %%
neuron = Neuron(4, activation="sigmoid", seed=5)
for name, w in zip(EXAM_FEATURE_NAMES, neuron.w):
    print(f"{name:>16}: {w.data:+.3f}")

# %% [markdown]
# ## Steps 2–4 for one student
#
# Forward pass (step 2), the binary cross-entropy loss
# −(t·log p + (1 − t)·log(1 − p)) (step 3), and the backward pass (step 4):
# every weight gets ∂loss/∂w. The student's four numbers go in as `Value`s
# labelled with the features' names, so the graph says which input is which.

# %%
student = [Value(v, label=name.replace("_", " ")) for v, name in zip(Xs[0], EXAM_FEATURE_NAMES)]
p = neuron(student)  # step 2
p.label = "p(pass)"
loss = binary_cross_entropy(p, y[0])  # step 3
loss.backward()  # step 4
print(f"p(pass) = {p.data:.3f}, passed = {y[0]}, loss = {loss.data:.3f}")

# %% [markdown]
# The neuron's part of the graph, drawn top to bottom: each input times its
# weight, summed with the bias, then the sigmoid. Every `grad` is ∂loss/∂(that
# value), left by `loss.backward()`; the loss's own ops (a log, a product, a
# sum) sit below `p(pass)` and are left out of the picture. A weight's gradient
# is its input times the gradient reaching the product: the name's weight gets
# a gradient because this student's name is a number too.

# %%
picture = draw_dot(p, rankdir="TB")
picture.attr(size="9,12")  # inches: graphviz scales the drawing down to fit
display(picture)

# %% [markdown]
# ## The loop
#
# Step 5 is the update rule of gradient descent, for every weight W:
#
# $$W_{new} = W_{old} - lr \cdot \frac{\partial E}{\partial W}$$
#
# Each pass uses all 200 students: the loss E is the mean over them.

# %%
lr = 1.0
losses, weight_history = [], []
for _ in range(120):  # step 6: repeat
    predictions = [neuron(x) for x in Xs]  # step 2: forward pass
    loss = binary_cross_entropy(predictions, y)  # step 3: loss (mean over students)
    for param in neuron.parameters():
        param.grad = 0.0  # gradients accumulate: clear the last step's
    loss.backward()  # step 4: backward pass
    for param in neuron.parameters():
        param.data -= lr * param.grad  # step 5: W_new = W_old - lr * dE/dW
    losses.append(loss.data)
    weight_history.append([w.data for w in neuron.w])
print(f"loss: {losses[0]:.4f} at the start, {losses[-1]:.4f} after {len(losses)} steps")

# %%
weight_history = np.array(weight_history)
fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
left.plot(losses)
left.set(title="loss", xlabel="step", ylabel="binary cross-entropy")
for k, name in enumerate(EXAM_FEATURE_NAMES):
    right.plot(weight_history[:, k], label=name, linewidth=3 if name == "name" else 1.5)
right.axhline(0.0, color="grey", linewidth=0.5)
right.set(title="weights", xlabel="step")
right.legend()
plt.show()

# %% [markdown]
# ## What the neuron learned

# %%
accuracy = np.mean([(neuron(x).data > 0.5) == passed for x, passed in zip(Xs, y)])
for name, w in zip(EXAM_FEATURE_NAMES, neuron.w):
    print(f"{name:>16}: {w.data:+.3f}")
print(f"{'bias':>16}: {neuron.b.data:+.3f}")
print(f"training accuracy: {accuracy:.2f}")

# %% [markdown]
# Hours studied gets the largest weight, then smartness and prior knowledge.
# The name's weight started at +0.88 and shrank to about −0.2, several times
# smaller than any real feature. It does not reach exactly 0: among 200 random
# students the name happens to line up with passing a little, by chance, and
# the neuron fits that too. More data would push it closer to 0.
#
# Next: what happens with a bad starting point or a bad learning rate.
