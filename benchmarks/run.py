"""Side-by-side timings: micrograd, tapegrad (scalar and compiled), PyTorch CPU and JAX.

Usage::

    python benchmarks/run.py            # the full run, a few minutes
    python benchmarks/run.py --quick    # fewer repeats, smaller chains: a smoke test

Prints markdown tables and writes ``benchmarks/results.json``. Every time is
the median of at least 5 repeats (the engines of a row timed in turns),
float64 throughout. A training step is forward + backward + Adam update on one
batch (``zero_grad`` included).
Needs the ``bench`` extra (JAX, PyTorch, micrograd, scikit-learn, threadpoolctl).
See ``benchmarks/README.md`` for what each number means.
"""

from __future__ import annotations

import os

# This machine sets these for old OpenBLAS builds; they slow a current numpy's
# matrix products. Unset here, before numpy loads, for this process only.
for _name in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
    os.environ.pop(_name, None)

import argparse
import contextlib
import gc
import json
import math
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from functools import partial
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from rivals import jax_step, step_flops, torch_step
from threadpoolctl import threadpool_info, threadpool_limits

from autograd import Value
from autograd.blocks import Program
from autograd.files import atomic_write
from nn.datasets import load_digits, moons
from nn.layers import MLP
from nn.losses import cross_entropy, mse_loss
from nn.optim import Adam

# name, nin, nouts, batch
CONFIGS = [
    ("MLP(2, [16, 16, 1])", 2, [16, 16, 1], 32),
    ("MLP(2, [16, 16, 1])", 2, [16, 16, 1], 1024),
    ("MLP(2, [64, 64, 1])", 2, [64, 64, 1], 256),
    ("MLP(64, [128, 128, 10])", 64, [128, 128, 10], 256),
]
# The scalar engines build the whole batch's graph each step (~ 2 nodes per
# weight per sample). Above this size a step takes tens of seconds (micrograd:
# about 40 s for MLP(2, [64, 64, 1]) at batch 256 here), so they are skipped.
MAX_GRAPH_NODES = 1_500_000
ROUNDS = 5  # turns of every measurement, so at least 5 repeats (see interleaved_times)
SLOW_S = 1.0  # a step slower than this gets no warm-up
SETTLE_S = 0.05  # a pause between two engines' turns


# --- timing ----------------------------------------------------------------------


def interleaved_times(entries: dict, budget: float, rounds: int = ROUNDS) -> dict:
    """Median seconds of each step, measured in turns: ``rounds`` rounds of every entry.

    ``entries`` maps a name to ``(step, setting)``, ``setting`` a context
    manager factory (a thread count, say). A burst of other work on the
    machine then falls on every engine alike, not on whichever ran at that
    moment, so the ratios between them hold better than their times. In each
    round an entry gets ``budget / rounds`` seconds of repeats (at least one),
    after a pause and an untimed call. A step that takes over a second (a
    pure-Python engine: nothing to warm up) skips both, and its first run,
    one-time costs included, counts as one of its repeats.
    """
    times: dict[str, list[float]] = {name: [] for name in entries}
    slow = set()
    for name, (step, setting) in entries.items():
        with setting():
            first = timed(step)  # the warm-up, and the first call's one-time costs
        if first > SLOW_S:
            slow.add(name)
            times[name].append(first)
    for _ in range(rounds):
        for name, (step, setting) in entries.items():
            with setting():
                if name not in slow:
                    time.sleep(SETTLE_S)  # the last engine's idle threads stop spinning
                    step()  # untimed: the first call after a switch refills the caches
                start = time.perf_counter()
                while not times[name] or time.perf_counter() - start < budget / rounds:
                    times[name].append(timed(step))
    results = {}
    for name, samples in times.items():
        results[name] = {"median_s": statistics.median(samples), "repeats": len(samples)}
        print(f"    {name}: {results[name]['median_s'] * 1e3:.3f} ms", file=sys.stderr)
    return results


def timed(step) -> float:
    start = time.perf_counter()
    step()
    return time.perf_counter() - start


@contextlib.contextmanager
def garbage_collected():
    """Collect the garbage a turn leaves (micrograd's reference cycles), after it, untimed."""
    try:
        yield
    finally:
        gc.collect()


@contextlib.contextmanager
def torch_threads(n: int):
    import torch

    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def data(nin: int, n_out: int, batch: int) -> tuple[np.ndarray, np.ndarray]:
    if nin == 2:  # micrograd's moons demo, labels ±1 as regression targets
        X, y = moons(n_samples=batch, noise=0.1, seed=0)
        return X, 2.0 * y - 1.0
    X, y = load_digits()
    return X[:batch] / 16.0, y[:batch]


# --- one training step per engine ---------------------------------------------------


def tapegrad_scalar_step(nin, nouts, X, y):
    model = MLP(nin, nouts, seed=0)
    loss_fn = mse_loss if nouts[-1] == 1 else cross_entropy
    opt = Adam(model.parameters(), lr=1e-3)

    def step():
        opt.zero_grad()
        outputs = model.forward_batch(X)
        loss = sum(loss_fn(out, t) for out, t in zip(outputs, y)) / len(y)
        loss.backward()
        opt.step()

    return step


def compiled_model(nin, nouts, X, y, blocks=True):
    """A compiled model with its loss traced on ``X``, and an Adam optimizer on its parameters."""
    model = MLP(nin, nouts, seed=0)
    compiled = model.compile(mse_loss if nouts[-1] == 1 else cross_entropy)
    opt = Adam(model.parameters(), lr=1e-3)
    compiled.loss_and_grad(X, y)  # traces the loss
    if not blocks:
        compiled._program = Program(compiled.tape, blocks=False)
    return compiled, opt


def tapegrad_compiled_step(nin, nouts, X, y, blocks=True):
    """The whole step as fit runs it: ``compiled.step``."""
    compiled, opt = compiled_model(nin, nouts, X, y, blocks)
    return lambda: compiled.step(opt, X, y)


def tapegrad_classic_step(nin, nouts, X, y):
    """The older loop: zero_grad, ``compiled.loss_and_grad``, ``optimizer.step()``."""
    compiled, opt = compiled_model(nin, nouts, X, y)

    def step():
        opt.zero_grad()
        compiled.loss_and_grad(X, y)
        opt.step()

    return step


def micrograd_step(nin, nouts, X, y):
    from micrograd.engine import Value as MValue
    from micrograd.nn import MLP as MicroMLP

    model = MicroMLP(nin, nouts)
    params = model.parameters()
    m, v, t = [0.0] * len(params), [0.0] * len(params), [0]
    rows = [[MValue(float(a)) for a in x] for x in X]

    def adam(lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):  # the same update as nn.optim.Adam
        t[0] += 1
        step_size = lr / (1.0 - beta1 ** t[0])
        correction = math.sqrt(1.0 - beta2 ** t[0])
        for i, p in enumerate(params):
            m[i] = beta1 * m[i] + (1.0 - beta1) * p.grad
            v[i] = beta2 * v[i] + (1.0 - beta2) * p.grad * p.grad
            p.data -= step_size * (m[i] / (math.sqrt(v[i]) / correction + eps))

    def step():
        model.zero_grad()
        loss = sum((model(x) - float(target)) ** 2 for x, target in zip(rows, y)) * (1.0 / len(y))
        # micrograd's backward recurses once per node of the longest path (the batch's sum)
        with recursion_limit_raised(100_000):
            loss.backward()
        adam()

    return step


# --- the training-step table --------------------------------------------------------


def graph_nodes(nin: int, nouts: list[int], batch: int) -> int:
    weights = sum(a * b for a, b in zip([nin, *nouts], nouts))
    return 2 * weights * batch


def best(row: dict, prefix: str) -> dict:
    """The fastest of the row's entries whose name starts with ``prefix``."""
    return min((v for k, v in row.items() if k.startswith(prefix)), key=lambda e: e["median_s"])


def training_steps(budget: float) -> list[dict]:
    rows = []
    for name, nin, nouts, batch in CONFIGS:
        X, y = data(nin, nouts[-1], batch)
        row = {"model": name, "batch": batch, "flops": step_flops(nin, nouts, batch)}
        small = graph_nodes(nin, nouts, batch) <= MAX_GRAPH_NODES
        scalar = {}  # each turn's leftover garbage is collected before the other's turn
        if small and nouts[-1] == 1:  # micrograd has no exp/log: no cross-entropy
            scalar["micrograd"] = (micrograd_step(nin, nouts, X, y), garbage_collected)
        if small:
            scalar["tapegrad scalar"] = (tapegrad_scalar_step(nin, nouts, X, y), garbage_collected)
        row.update(interleaved_times(scalar, budget))
        gc.collect()
        step = tapegrad_compiled_step(nin, nouts, X, y)
        classic = tapegrad_classic_step(nin, nouts, X, y)  # a model of its own
        start = time.perf_counter()
        jax = jax_step(nin, nouts, X, y)
        jax()
        row["JAX first call s"] = time.perf_counter() - start
        entries = {}
        for threads in (1, 2):
            entries[f"tapegrad compiled, BLAS {threads}"] = (
                step,
                partial(threadpool_limits, threads),
            )
        entries["compiled loss_and_grad + step()"] = (classic, contextlib.nullcontext)
        for threads in (1, 2):
            entries[f"PyTorch {threads}"] = (
                torch_step(nin, nouts, X, y),
                partial(torch_threads, threads),
            )
        entries["JAX jit"] = (jax, contextlib.nullcontext)
        row.update(interleaved_times(entries, budget))
        rows.append(row)
        print(f"  {name} batch {batch}: done", file=sys.stderr)
    return rows


def layouts(budget: float) -> list[dict]:
    """compiled.step with layer blocks (BLAS) and without (every dot by the Numba loops)."""
    rows = []
    for name, nin, nouts, batch in CONFIGS:
        X, y = data(nin, nouts[-1], batch)
        row = {"model": name, "batch": batch}
        entries = {}
        for blocks in (False, True):
            step = tapegrad_compiled_step(nin, nouts, X, y, blocks=blocks)
            for threads in (1, 2):
                key = f"{'blocks' if blocks else 'dots'}, BLAS {threads}"
                entries[key] = (step, partial(threadpool_limits, threads))
        row.update(interleaved_times(entries, budget))
        rows.append(row)
    return rows


# --- deep chains and memory ----------------------------------------------------------


def chain(value_class, n: int):
    x = value_class(1.0)
    c = value_class(1.0)
    y = x
    for _ in range(n):
        y = y * c
    return y


def in_big_thread(fn):
    """Run fn in a thread with a large stack (micrograd's backward recurses once per node)."""
    result = {}

    def target():
        try:
            result["value"] = fn()
        except RecursionError as error:
            result["error"] = f"RecursionError: {error}"

    threading.stack_size(1 << 29)
    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    threading.stack_size(0)
    return result


def timed_backward(value_class, n: int, recursion_limit: int | None = None) -> dict:
    y = chain(value_class, n)

    def run():
        start = time.perf_counter()
        y.backward()
        return time.perf_counter() - start

    with recursion_limit_raised(recursion_limit):
        result = in_big_thread(run)
    gc.collect()
    return {"seconds": result["value"]} if "value" in result else {"error": result["error"]}


@contextlib.contextmanager
def recursion_limit_raised(limit: int | None):
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(limit or old)
    try:
        yield
    finally:
        sys.setrecursionlimit(old)


def deep_chains(sizes: list[int]) -> list[dict]:
    from micrograd.engine import Value as MValue

    rows = []
    for n in sizes:
        row = {"nodes": n, "tapegrad scalar": timed_backward(Value, n)}
        row["micrograd"] = timed_backward(MValue, n)
        if "error" in row["micrograd"]:
            row["micrograd, recursion limit raised"] = timed_backward(MValue, n, 10 * n + 1000)
        rows.append(row)
        print(f"  chain {n}: done", file=sys.stderr)
    return rows


def bytes_per_node(value_class, n: int = 100_000) -> float:
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = chain(value_class, n)
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    del y
    return (after - before) / n


# --- JIT compile and cached start ----------------------------------------------------

START_SCRIPT = """
import json, sys, time
if "--hide-scipy" in sys.argv:  # as after `pip install tapegrad`: no SciPy for Numba to import
    import importlib.abc

    class HideSciPy(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] == "scipy":
                raise ModuleNotFoundError(f"No module named {name!r}")

    sys.meta_path.insert(0, HideSciPy())
t0 = time.perf_counter()
import numpy as np
from nn.layers import MLP
from nn.losses import mse_loss
from nn.optim import Adam
t1 = time.perf_counter()
X, y = np.random.default_rng(0).normal(size=(32, 2)), np.zeros(32)
model = MLP(2, [16, 16, 1], seed=0)
compiled = model.compile(mse_loss)
t2 = time.perf_counter()
compiled.step(Adam(model.parameters()), X, y)
t3 = time.perf_counter()
compiled.predict(X)
t4 = time.perf_counter()
print(json.dumps({"scipy_imported": "scipy" in sys.modules, "imports_s": t1 - t0,
                  "first_step_s": t3 - t2, "start_to_first_step_s": t3 - t0,
                  "predict_first_call_s": t4 - t3}))
"""


def jit_and_cache() -> dict:
    """First steps in new processes: with an empty cache (with and without SciPy), then warm.

    Numba imports SciPy at its first compile when SciPy is installed (here JAX
    brings it): the run that hides SciPy shows the first step a user of the
    core install (numpy, numba, graphviz) waits for.
    """
    runs = {}
    with tempfile.TemporaryDirectory() as cache, tempfile.TemporaryDirectory() as other:
        for name, cache_dir, flags in (
            ("cold cache (compiles)", cache, []),
            ("cold cache, SciPy hidden", other, ["--hide-scipy"]),
            ("warm cache", cache, []),
        ):
            env = {**os.environ, "NUMBA_CACHE_DIR": cache_dir, "PYTHONPATH": str(ROOT)}
            out = subprocess.run(
                [sys.executable, "-c", START_SCRIPT, *flags],
                env=env,
                capture_output=True,
                text=True,
            )
            if out.returncode:
                raise RuntimeError(out.stderr)
            runs[name] = json.loads(out.stdout)
    return runs


# --- report ---------------------------------------------------------------------------


def ms(entry: dict | None) -> str:
    return "—" if entry is None else f"{entry['median_s'] * 1e3:.3f}"


def ratio(slow: dict | None, fast: dict | None) -> str:
    if slow is None or fast is None:
        return "—"
    return f"{slow['median_s'] / fast['median_s']:,.1f}×"


def gflops(row: dict, entry: dict) -> str:
    return f"{row['flops'] / entry['median_s'] / 1e9:.1f}"


def report(results: dict) -> str:
    steps = results["training_steps"]
    lines = ["## Ratios (how many times faster tapegrad compiled is; best thread setting each)", ""]
    lines.append(
        "| model | batch | compiled × PyTorch | compiled × JAX jit | scalar × micrograd | "
        "compiled × micrograd |"
    )
    lines.append("|---|---:|---:|---:|---:|---:|")
    for row in steps:
        compiled = best(row, "tapegrad compiled")
        lines.append(
            f"| {row['model']} | {row['batch']} | {ratio(best(row, 'PyTorch'), compiled)} | "
            f"{ratio(row['JAX jit'], compiled)} | "
            f"{ratio(row.get('micrograd'), row.get('tapegrad scalar'))} | "
            f"{ratio(row.get('micrograd'), compiled)} |"
        )
    lines += ["", "## Time per training step (zero_grad, forward, backward, Adam), median ms", ""]
    engines = [
        "micrograd",
        "tapegrad scalar",
        "tapegrad compiled, BLAS 1",
        "tapegrad compiled, BLAS 2",
        "compiled loss_and_grad + step()",
        "PyTorch 1",
        "PyTorch 2",
        "JAX jit",
    ]
    lines.append("| model | batch | " + " | ".join(engines) + " |")
    lines.append("|---|---:|" + "---:|" * len(engines))
    for row in steps:
        cells = [ms(row.get(e)) for e in engines]
        lines.append(f"| {row['model']} | {row['batch']} | " + " | ".join(cells) + " |")
    lines += ["", "(BLAS n, PyTorch n: that many threads for the matrix products)", ""]
    lines += ["## Matrix-product FLOPs per step and GFLOP/s (best thread setting)", ""]
    lines.append("| model | batch | MFLOP per step | tapegrad compiled | PyTorch | JAX jit |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for row in steps:
        lines.append(
            f"| {row['model']} | {row['batch']} | {row['flops'] / 1e6:.2f} | "
            f"{gflops(row, best(row, 'tapegrad compiled'))} | "
            f"{gflops(row, best(row, 'PyTorch'))} | {gflops(row, row['JAX jit'])} |"
        )
    lines += ["", "## compiled.step with layer blocks (BLAS) or every dot in Numba, median ms", ""]
    keys = [k for k in results["layouts"][0] if k not in ("model", "batch")]
    lines.append("| model | batch | " + " | ".join(keys) + " |")
    lines.append("|---|---:|" + "---:|" * len(keys))
    for row in results["layouts"]:
        cells = " | ".join(ms(row[k]) for k in keys)
        lines.append(f"| {row['model']} | {row['batch']} | {cells} |")
    first = ", ".join(f"{row['JAX first call s']:.2f}" for row in steps)
    lines += ["", f"JAX's first call (tracing and XLA compilation), s, per row: {first}."]
    lines += ["", "## Deep chain backward (scalar engines), seconds", ""]
    lines.append("| nodes | tapegrad scalar | micrograd | micrograd, recursion limit raised |")
    lines.append("|---:|---:|---:|---:|")
    for row in results["deep_chains"]:

        def cell(entry):
            if entry is None:
                return "—"
            return f"{entry['seconds']:.2f}" if "seconds" in entry else "RecursionError"

        lines.append(
            f"| {row['nodes']:,} | {cell(row['tapegrad scalar'])} | {cell(row['micrograd'])} | "
            f"{cell(row.get('micrograd, recursion limit raised'))} |"
        )
    memory = results["bytes_per_node"]
    lines += [
        "",
        f"Bytes per node (tracemalloc): tapegrad {memory['tapegrad']:.0f}, "
        f"micrograd {memory['micrograd']:.0f}.",
        "",
    ]
    jit = results["jit"]
    cold, warm = jit["cold cache (compiles)"], jit["warm cache"]
    lines.append(
        f"JIT compile on first use (first compiled.step, empty cache): "
        f"{cold['first_step_s']:.2f} s, then {cold['predict_first_call_s']:.2f} s for "
        "predict's first call; "
        f"{jit['cold cache, SciPy hidden']['first_step_s']:.2f} s without SciPy, which Numba "
        "imports at its first compile when it is installed (JAX brings it here). "
        f"Warm on-disk cache: a new process runs its first step {warm['first_step_s']:.3f} s "
        f"after compile(), {warm['start_to_first_step_s']:.2f} s after starting "
        f"(imports: {warm['imports_s']:.2f} s)."
    )
    machine = results["machine"]
    blas = ", ".join(
        f"{b['internal_api']} {b['version']} ({b['architecture']})" for b in machine["blas"]
    )
    lines.append(
        f"\nMachine: {machine['cpus']} CPUs, Python {machine['python']}, BLAS {blas}; load average "
        f"{machine['load_average_at_start'][0]:.2f} at the start, "
        f"{machine['load_average_at_end'][0]:.2f} at the end (other work shares the CPUs)."
    )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repeats, smaller chains")
    parser.add_argument("--output", type=Path, default=ROOT / "benchmarks" / "results.json")
    args = parser.parse_args()
    budget = 0.2 if args.quick else 1.0  # seconds of repeats per measurement (at least 5)
    chains = [10_000, 100_000] if args.quick else [100_000, 1_000_000]
    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "blas": [
                {k: info.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
                for info in threadpool_info()
            ],
            "load_average_at_start": os.getloadavg(),
        },
        "jit": jit_and_cache(),
        "training_steps": training_steps(budget),
        "layouts": layouts(budget),
        "bytes_per_node": {},
        "deep_chains": deep_chains(chains),
    }
    from micrograd.engine import Value as MValue

    results["bytes_per_node"] = {
        "tapegrad": bytes_per_node(Value),
        "micrograd": bytes_per_node(MValue),
    }
    results["machine"]["load_average_at_end"] = os.getloadavg()
    text = report(results)
    print(text)
    results["table_markdown"] = text
    atomic_write(args.output, (json.dumps(results, indent=2) + "\n").encode("utf-8"))


if __name__ == "__main__":
    main()
