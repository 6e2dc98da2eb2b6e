"""The kernels' on-disk cache: a program that loads kernels another one compiled gets their numbers.

Numba names compiled code after its function's module, qualified name and a
counter of its own process, and keeps those names in its disk cache. Each
op set's kernels and dispatch carry names of their own, so kernels loaded
from the cache never call code compiled in this process for another op set.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

# Prints, for each model asked for, how far the compiled losses (the per-sample
# kernels of loss_and_grad, then the blocks and kernels of step) are from the scalar one.
SCRIPT = """
import json, sys
import numpy as np
from nn.layers import MLP
from nn.losses import cross_entropy, mse_loss
from nn.optim import SGD

CASES = {"mse": (mse_loss, 1), "cross_entropy": (cross_entropy, 3)}
gaps = {}
for name in sys.argv[1:]:
    loss_fn, classes = CASES[name]
    rng = np.random.default_rng(0)
    X = rng.normal(size=(8, 3))
    y = rng.integers(0, classes, 8) if classes > 1 else rng.normal(size=8)
    model = MLP(3, [4, 4, classes], activation="tanh", seed=1)
    scalar = (sum(loss_fn(model(x), t) for x, t in zip(X.tolist(), y.tolist())) / len(X)).data
    compiled = model.compile(loss_fn)
    losses = [compiled.loss_and_grad(X, y), compiled.step(SGD(model.parameters(), lr=0.1), X, y)]
    gaps[name] = max(abs(loss - scalar) / abs(scalar) for loss in losses)
print(json.dumps(gaps))
"""


def _run(cache: Path, *models: str) -> dict[str, float]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache)}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *models],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_kernels_loaded_from_the_cache_compute_what_they_compiled(tmp_path):
    cache = tmp_path / "numba"
    assert _run(cache, "cross_entropy")["cross_entropy"] < 1e-12  # compiles, and caches
    # A new process compiles another op set first, then loads the first one's kernels.
    assert _run(cache, "mse", "cross_entropy") == pytest.approx(
        {"mse": 0.0, "cross_entropy": 0.0}, abs=1e-12
    )
