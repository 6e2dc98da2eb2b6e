"""``tapegrad demo``: train on the moons, write checkpoint, data, pictures and a report."""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from autograd import Value
from autograd.viz import INSTALL_HINT, GraphvizNotFoundError, draw_dot, trace_text
from tapegrad.staging import staging
from tapegrad.tables import Table, load_dataset
from tapegrad.training import (
    CHECKPOINT_NAME,
    Run,
    draw_plots,
    print_result,
    save_run,
    train_model,
)


def _neuron_picture(run: Run, folder: Path) -> tuple[str, str, str | None]:
    """Draw the first hidden neuron on one training sample, after backward().

    Returns the file written (neuron.svg, or neuron.dot without Graphviz),
    the graph as text, and a note when Graphviz is missing.
    """
    model, scaler = run.predictor.model, run.predictor.standardizer
    neuron = model.layers[0].neurons[0]
    rows = scaler.transform(run.split[0])
    # A sample where a ReLU neuron is active, so that gradients flow through it.
    row = next((r for r in rows if neuron(r).data > 0), rows[0])
    inputs = [Value(x, label=name) for x, name in zip(row, run.table.features)]
    out = neuron(inputs)
    model.zero_grad()  # the last training step's gradients are not this graph's
    out.backward()
    text = trace_text(out)
    graph = draw_dot(out)
    model.zero_grad()  # the picture's backward pass is not a training step either
    try:
        (folder / "neuron.svg").write_bytes(graph.pipe(format="svg"))
        return "neuron.svg", text, None
    except GraphvizNotFoundError:
        (folder / "neuron.dot").write_text(graph.source, encoding="utf-8")
        note = (
            "Graphviz's dot program was not found, so the neuron's graph was written as DOT "
            f"source (neuron.dot); {INSTALL_HINT}, then run: dot -Tsvg neuron.dot -o neuron.svg"
        )
        return "neuron.dot", text, note


def _write_data_csv(table: Table, path: Path) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow([*table.features, table.target])
        for x, t in zip(table.X.tolist(), table.targets):
            writer.writerow([*(repr(v) for v in x), t])


def _report(run: Run, args: argparse.Namespace, plots: list[str], neuron: tuple) -> str:
    train_score, val_score = run.scores()
    sizes = [run.table.X.shape[1], *(len(layer.neurons) for layer in run.predictor.model.layers)]
    picture, text, _ = neuron
    lines = [
        "# tapegrad demo",
        "",
        f"An MLP({sizes[0]}, {sizes[1:]}) with {len(run.predictor.model.parameters())} parameters,",
        f"trained on the {run.table.source} dataset ({len(run.table.X)} points, "
        f"{len(run.split[1])} held out for validation) for {run.history.epochs} epochs with "
        f"{type(run.optimizer).__name__} and the {run.task.loss} loss, "
        f"on the {args.engine} engine, in {run.seconds:.1f} s.",
        "",
        f"| | loss | {run.task.metric} |",
        "|---|---|---|",
        f"| train | {run.history.train_loss[-1]:.4f} | {train_score:.3f} |",
        f"| validation | {run.history.val_loss[-1]:.4f} | {val_score:.3f} |",
        "",
        f"- Checkpoint: [{CHECKPOINT_NAME}]({CHECKPOINT_NAME}); the data: "
        f"[{run.table.source}.csv]({run.table.source}.csv). Predict with "
        f"`tapegrad predict {CHECKPOINT_NAME} --csv {run.table.source}.csv`.",
    ]
    titles = {"loss.png": "Loss per epoch", "decision_boundary.png": "Decision boundary"}
    lines += [f"- {titles[name]}: ![{titles[name]}]({name})" for name in plots]
    if picture.endswith(".svg"):
        lines.append(f"- One neuron, forward and backward: ![neuron]({picture})")
    else:
        lines.append(
            f"- One neuron, forward and backward, as Graphviz source: [{picture}]({picture})"
        )
    lines += [
        "",
        "## The first hidden neuron, as a list of assignments",
        "",
        "Each line is one node of the graph, operands before results, with its value (data)",
        "and the derivative of the neuron's output with respect to it (grad).",
        "",
        "```text",
        text,
        "```",
        "",
    ]
    return "\n".join(lines)


def _engine_for_demo(engine: str) -> str:
    """The compiled engine needs Numba; without it the demo still runs, on the scalar one."""
    if engine == "compiled":
        try:
            import nn.compiled  # noqa: F401
        except ImportError as error:
            print(f"note: compiled engine unavailable ({error}); using scalar", file=sys.stderr)
            return "scalar"
    return engine


def run_demo(args: argparse.Namespace) -> None:
    """``tapegrad demo``: train on moons, write checkpoint, data, pictures and report.md.

    Examples
    --------
    >>> import os, tempfile
    >>> from tapegrad.cli import build_parser
    >>> out = os.path.join(tempfile.mkdtemp(), "demo")
    >>> run_demo(build_parser().parse_args(["demo", "--out", out]))  # doctest: +ELLIPSIS
    epoch 1/50: loss=...
    final accuracy: train 1.000, validation 1.000 (50 epochs, ... s)
    ...
    >>> sorted(os.listdir(out))  # doctest: +ELLIPSIS
    ['decision_boundary.png', 'loss.png', 'model.json', 'moons.csv', 'neuron.svg', 'report.md']
    """
    args.engine = _engine_for_demo(args.engine)
    table = load_dataset("moons", 300, args.seed)
    with staging(args.out) as temp:
        run = train_model(args, table)
        save_run(run, temp / CHECKPOINT_NAME)
        _write_data_csv(table, temp / f"{table.source}.csv")
        plots, plot_note = draw_plots(run, temp)
        neuron = _neuron_picture(run, temp)
        (temp / "report.md").write_text(_report(run, args, plots, neuron), encoding="utf-8")
        names = sorted(p.name for p in temp.iterdir())
    print_result(run, args.out, names, [plot_note, neuron[2]])
