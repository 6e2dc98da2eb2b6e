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
# # 7. The compiled path: the same numbers, much faster
#
# The scalar engine builds a new graph of Python objects for every sample, and
# walks it in Python. That is what makes it easy to read, and slow. But the
# graph's *shape* is the same for every sample: only the numbers change. So we
# can record it once, as a flat list of instructions (a **tape**), and run that
# list for a whole batch in compiled code (Numba).

# %%
import time

# %matplotlib inline
import matplotlib.pyplot as plt
import numpy as np

from autograd.tape import trace
from autograd.viz import print_graph
from nn.data import DataLoader, Standardizer
from nn.datasets import moons
from nn.functional import mean
from nn.layers import MLP
from nn.losses import binary_cross_entropy_with_logits, mse_loss
from nn.optim import Adam
from nn.train import fit

# %% [markdown]
# ## A graph and its tape
#
# A tiny model, 2 → 2 → 1. Here is the scalar engine's graph for one sample,
# as a Wengert list: one line per `Value`.

# %%
tiny = MLP(2, [2, 1], activation="relu", seed=0)
print_graph(tiny([0.5, -1.0]))

# %% [markdown]
# `trace` runs the model once on placeholder inputs and writes that graph down
# as instructions. `%k` is a slot (one number per sample: an input or an op's
# result), `$k` is a parameter. The literal tape has one instruction per op:

# %%
literal = trace(
    tiny,
    n_inputs=2,
    params=tiny.parameters(),
    fold_constants=False,
    fuse=False,
    eliminate_dead=False,
)
print(literal)

# %% [markdown]
# By default `trace` also fuses each neuron's chain of multiply-adds into one
# `dot` instruction (adding the terms in the same order, so the result is
# bit for bit the same) and drops what nothing uses:

# %%
tape = trace(tiny, n_inputs=2, params=tiny.parameters())
print(tape)
print(f"\n{len(literal)} instructions -> {len(tape)}")

# %% [markdown]
# ## Compile a model with its loss
#
# `model.compile(loss_fn)` traces the per-sample loss, `loss_fn(model(x), target)`,
# with the target as one more input. `loss_and_grad(X, y)` runs it forward and
# backward over the whole batch and adds the gradient of the batch's mean loss
# into each parameter's `.grad`, exactly where `backward()` would put it. So the
# same optimizers work on both engines.

# %%
compiled_tiny = tiny.compile(mse_loss)
print(compiled_tiny)
print(compiled_tiny.tape)

# %% [markdown]
# ## The same numbers
#
# A bigger model, 2 → 16 → 16 → 1, and a batch of 32: the loss and all 337
# gradients, once from the scalar engine and once from the tape.

# %%
X, y = moons(n_samples=256, noise=0.2, seed=0)
X = Standardizer().fit_transform(X)
xb, yb = X[:32], y[:32]
loss_fn = binary_cross_entropy_with_logits

model = MLP(2, [16, 16, 1], activation="relu", seed=0)
start = time.perf_counter()
compiled = model.compile(loss_fn)
trace_seconds = time.perf_counter() - start

model.zero_grad()
scalar_loss = mean([loss_fn(model(x), t) for x, t in zip(xb, yb)])
scalar_loss.backward()
scalar_grads = np.array([p.grad for p in model.parameters()])

model.zero_grad()
start = time.perf_counter()
compiled_loss = compiled.loss_and_grad(xb, yb)  # the first call loads the kernels
first_call_seconds = time.perf_counter() - start
compiled_grads = np.array([p.grad for p in model.parameters()])

print(f"loss: scalar {scalar_loss.data:.15f}, compiled {compiled_loss:.15f}")
relative = np.abs(compiled_grads - scalar_grads).max() / np.abs(scalar_grads).max()
print(f"{len(scalar_grads)} gradients, largest difference (relative): {relative:.1e}")

# %% [markdown]
# ## Training with the compiled engine
#
# `fit(..., engine="compiled")` runs each batch on the tape; everything else
# (the optimizer, the history, checkpoints) stays the same. Train two copies
# of one model for 5 epochs, one per engine:

# %%
results = {}
for engine in ("scalar", "compiled"):
    net = MLP(2, [16, 16, 1], activation="relu", seed=0)
    start = time.perf_counter()
    history = fit(
        net,
        loss_fn,
        Adam(net.parameters(), lr=0.02),
        DataLoader(X, y, batch_size=32, seed=0),
        epochs=5,
        progress=False,
        engine=engine,
    )
    seconds = time.perf_counter() - start
    results[engine] = net
    losses = np.round(history.train_loss, 6).tolist()
    print(f"{engine:>8}: losses {losses} in {seconds:.2f} s")

scalar_weights = np.array([p.data for p in results["scalar"].parameters()])
compiled_weights = np.array([p.data for p in results["compiled"].parameters()])
largest = np.abs(scalar_weights - compiled_weights).max()
print(f"after 40 Adam steps the weights differ by at most {largest:.1e}")


# %% [markdown]
# ## How much faster?
#
# Time one training step (zero the gradients, forward, loss, backward) with
# each engine, for two batch sizes. The compiled engine also pays once per
# model for tracing, and its first call pays for loading the Numba kernels:
# in a fresh environment, for compiling them (a few seconds; they are then
# cached on disk).


# %%
def scalar_step(batch_X, batch_y):
    model.zero_grad()
    mean([loss_fn(model(x), t) for x, t in zip(batch_X, batch_y)]).backward()


def compiled_step(batch_X, batch_y):
    model.zero_grad()
    compiled.loss_and_grad(batch_X, batch_y)


def median_seconds(step, batch_X, batch_y, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        step(batch_X, batch_y)
        times.append(time.perf_counter() - start)
    return float(np.median(times))


rows = []
for batch in (32, 256):
    batch_X, batch_y = X[:batch], y[:batch]
    scalar_ms = 1e3 * median_seconds(scalar_step, batch_X, batch_y, repeats=3)
    compiled_ms = 1e3 * median_seconds(compiled_step, batch_X, batch_y, repeats=50)
    rows.append((batch, scalar_ms, compiled_ms))

print("MLP(2, [16, 16, 1]), one training step")
print(f"{'batch':>6} {'scalar ms':>10} {'compiled ms':>12} {'speed-up':>9}")
for batch, scalar_ms, compiled_ms in rows:
    speed_up = scalar_ms / compiled_ms
    print(f"{batch:>6} {scalar_ms:>10.2f} {compiled_ms:>12.3f} {speed_up:>8.0f}x")
print(f"once per model: trace {trace_seconds:.2f} s, first call {first_call_seconds:.2f} s")

fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
positions = np.arange(len(rows))
ax.bar(positions - 0.2, [r[1] for r in rows], width=0.4, label="scalar")
ax.bar(positions + 0.2, [r[2] for r in rows], width=0.4, label="compiled")
ax.set_xticks(positions, [f"batch {r[0]}" for r in rows])
ax.set(yscale="log", ylabel="ms per step (log scale)", title="one training step")
ax.legend()
plt.show()

# %% [markdown]
# The tape does the same arithmetic in the same order, so the numbers agree;
# it just skips building Python objects and runs the loop in machine code. Use
# the scalar engine to see and learn, the compiled engine to train. The
# project's benchmarks compare both with micrograd and PyTorch.
