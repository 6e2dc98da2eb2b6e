"""Training for the commands: a model, its optimizer and its data, through `nn.train.fit`.

`train_model` builds an MLP for a `Table` (or resumes a checkpoint written by
``tapegrad train``), trains it with `nn.train.fit` and returns a `Run`: the
trained `nn.inference.Predictor`, the `Task`, the data split and the
`nn.train.History`. `save_run` writes it as an `nn.checkpoint` file whose
meta says which features and task it was trained on.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nn import plot
from nn.checkpoint import load, load_optimizer_state, save
from nn.data import DataLoader, Standardizer, train_val_split
from nn.inference import Predictor
from nn.layers import MLP
from nn.losses import decision_threshold
from nn.optim import SGD, Adam
from nn.train import History, fit
from tapegrad import __version__
from tapegrad.errors import CLIError
from tapegrad.tables import (
    BINARY_LOSSES,
    LOSSES,
    REGRESSION_LOSSES,
    Table,
    Task,
    infer_task,
    label_key,
)

OPTIMIZERS = {"adam": Adam, "sgd": SGD}
CHECKPOINT_NAME = "model.json"
MAX_PARAMETERS = 1_000_000  # a fresh model's size limit (192 bytes and a graph node each)


@dataclass
class Run:
    """A finished training run, and what it needs to report and draw.

    Examples
    --------
    >>> from tapegrad.cli import build_parser
    >>> from tapegrad.tables import load_dataset
    >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--epochs", "1", "--quiet"]
    >>> run = train_model(build_parser().parse_args(argv), load_dataset("xor", 8, seed=0))
    >>> run.history.epochs, run.task.loss, [len(part) for part in run.split]
    (1, 'bce_with_logits', [6, 2, 6, 2])
    >>> [round(score, 3) for score in run.scores()]  # 4 of 6 training rows, 2 of 2 held out
    [0.667, 1.0]
    >>> meta = run.checkpoint_meta()
    >>> meta["task"], meta["features"], meta["target"], meta["epochs"]
    ({'loss': 'bce_with_logits', 'classes': [0, 1]}, ['x0', 'x1'], 'label', 1)
    """

    predictor: Predictor
    task: Task
    table: Table
    history: History
    optimizer: object
    split: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_train, X_val, y_train, y_val
    seconds: float

    def scores(self) -> tuple[float, float]:
        """Accuracy (or RMSE for regression) on the training and validation rows (see `Run`)."""
        X_train, X_val, y_train, y_val = self.split
        return (
            self.task.score(self.predictor.predict(X_train), y_train),
            self.task.score(self.predictor.predict(X_val), y_val),
        )

    def checkpoint_meta(self) -> dict:
        """What `save_run` stores beside the model, for ``predict`` and ``--resume`` (see `Run`)."""
        return {
            "tapegrad": __version__,
            "task": {"loss": self.task.loss, "classes": self.task.classes},
            "features": self.table.features,
            "target": self.table.target,
            "data": self.table.source,
            "epochs": self.history.epochs,
            "history": self.history.to_dict(),
        }


@dataclass
class _Start:
    """Where training starts: a fresh model, or a checkpoint's."""

    model: object
    task: Task
    standardizer: Standardizer | None
    optimizer: object
    history: History


def _fresh_start(args: argparse.Namespace, table: Table) -> _Start:
    task = infer_task(table.targets, args.loss, table.source)
    if task.note:
        print(f"note: {task.note}", file=sys.stderr)
    sizes = [table.X.shape[1], *(args.hidden if args.hidden is not None else [16, 16])]
    sizes.append(task.n_outputs)
    count = sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))
    if count > MAX_PARAMETERS:  # checked before building: each parameter is a Python object
        raise CLIError(
            f"--hidden {','.join(map(str, sizes[1:-1]))}: the model would have {count:,} "
            f"parameters, more than the {MAX_PARAMETERS:,} a fresh model may have"
        )
    model = MLP(
        sizes[0],
        sizes[1:],
        activation=None if args.activation == "none" else (args.activation or "relu"),
        output_activation="sigmoid" if task.loss == "bce" else None,
        seed=args.seed,
    )
    optimizer = OPTIMIZERS[args.optimizer or "adam"](model.parameters(), lr=args.lr or 0.01)
    return _Start(model, task, None, optimizer, History())


def _resumed_start(args: argparse.Namespace, table: Table) -> _Start:
    for option in ("hidden", "activation", "loss"):
        if getattr(args, option) is not None:
            raise CLIError(f"--{option} comes from the checkpoint when resuming; leave it out")
    checkpoint = read_checkpoint(args.resume)
    task, features, _ = trained_with(checkpoint, args.resume)
    if features != table.features:
        raise CLIError(
            f"{table.source}: the features {table.features} differ from the checkpoint's {features}"
        )
    saved = checkpoint.optimizer_state
    kind = saved["type"].lower() if saved else (args.optimizer or "adam")
    if kind not in OPTIMIZERS or (args.optimizer and args.optimizer != kind):
        raise CLIError(f"{args.resume}: holds a {kind} optimizer state; cannot resume with it")
    optimizer = OPTIMIZERS[kind](checkpoint.model.parameters(), lr=0.01)
    if saved:
        load_optimizer_state(optimizer, saved, args.resume)
    if args.lr is not None:
        optimizer.lr = args.lr
    history = saved_history(checkpoint.meta, args.resume)
    return _Start(checkpoint.model, task, checkpoint.standardizer, optimizer, history)


def train_model(args: argparse.Namespace, table: Table) -> Run:
    """Train an MLP on ``table`` as ``args`` says (resuming ``args.resume`` if set).

    Examples
    --------
    >>> from tapegrad.cli import build_parser
    >>> from tapegrad.tables import load_dataset
    >>> import tempfile
    >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--quiet"]
    >>> table = load_dataset("xor", 8, seed=0)
    >>> run = train_model(build_parser().parse_args([*argv, "--epochs", "2"]), table)
    >>> with tempfile.TemporaryDirectory() as tmp:  # then resume it for 3 more epochs
    ...     save_run(run, Path(tmp) / "model.json")
    ...     resume = ["--resume", f"{tmp}/model.json", "--epochs", "3"]
    ...     resumed = train_model(build_parser().parse_args([*argv, *resume]), table)
    >>> before, after = run.history, resumed.history
    >>> before.epochs, after.epochs, after.train_loss[:2] == before.train_loss
    (2, 5, True)
    """
    resume = getattr(args, "resume", None)
    start = _resumed_start(args, table) if resume else _fresh_start(args, table)
    task = start.task
    y = task.encode(table.targets, table.source)
    if task.classes is not None and np.bincount(y).max() < 2:
        raise CLIError(
            f"{table.source}: each of the {len(task.classes)} classes has one row, so none can "
            "be held out for validation; for a numeric target, use --loss mse"
        )
    split = train_val_split(
        table.X, y, args.val_fraction, seed=args.seed, stratify=task.classes is not None
    )
    X_train, X_val, y_train, y_val = split
    standardizer = start.standardizer or Standardizer().fit(X_train)
    train_loader = DataLoader(
        standardizer.transform(X_train), task.loss_targets(y_train), args.batch_size, seed=args.seed
    )
    val_loader = DataLoader(
        standardizer.transform(X_val), task.loss_targets(y_val), 256, shuffle=False
    )
    try:
        with numpy_raises():
            history = fit(
                start.model,
                task.loss_fn,
                start.optimizer,
                train_loader,
                val_loader,
                epochs=args.epochs,
                engine=args.engine,
                progress=not (args.quiet or args.verbose),  # fit prints lines when no bar shows
                metric="accuracy" if task.classes is not None else None,
                history=start.history,  # a resumed run continues the checkpoint's epochs
                verbose=not args.quiet,
            )
    except ArithmeticError as error:  # a number overflowed, or a loss left its domain
        reason = "a value overflows a float64" if isinstance(error, OverflowError) else error
        raise CLIError(
            f"training diverged ({shortened(reason)}); nothing was written: "
            f"try a smaller --lr than {start.optimizer.lr:g}"
        ) from None
    seconds = sum(history.epoch_seconds[start.history.epochs :])
    predictor = Predictor(start.model, standardizer, args.engine)
    return Run(predictor, task, table, history, start.optimizer, split, seconds)


def numpy_raises() -> np.errstate:
    """Make numpy's overflow, 0/0 and x/0 raise `FloatingPointError` (an `ArithmeticError`),
    as `autograd.Value` does, instead of warning on stderr and going on with inf or NaN.

    Examples
    --------
    >>> with numpy_raises():
    ...     np.float64(1e300) * 1e300
    Traceback (most recent call last):
    ...
    FloatingPointError: overflow encountered in scalar multiply
    """
    return np.errstate(over="raise", invalid="raise", divide="raise")


def shortened(error: object, limit: int = 120) -> str:
    """The first ``limit`` characters of an error's message, for a one-line report.

    Examples
    --------
    >>> shortened(OverflowError("dot " + "w*x + " * 40 + "b overflows"), limit=20)
    'dot w*x + w*x + w*x ...'
    """
    text = " ".join(str(error).split())
    return text if len(text) <= limit else text[:limit].rstrip() + " ..."


def save_run(run: Run, path: Path) -> None:
    """The checkpoint: model, optimizer state, input scaling and what `predict` needs.

    See the example of `train_model`, which saves a run and resumes it.
    """
    save(
        run.predictor.model,
        path,
        optimizer=run.optimizer,
        standardizer=run.predictor.standardizer,
        **run.checkpoint_meta(),
    )


def read_checkpoint(path: Path):
    """`nn.checkpoint.load`, with a missing file reported as bad input.

    Examples
    --------
    >>> import tempfile
    >>> from nn.checkpoint import save
    >>> from nn.layers import MLP
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save(MLP(2, [1], seed=0), Path(tmp) / "model.json")
    ...     read_checkpoint(Path(tmp) / "model.json").architecture["nouts"]
    [1]
    """
    if not path.is_file():
        raise CLIError(f"{path}: no such checkpoint file")
    return load(path)  # ValueError names what is wrong with the file


def trained_with(checkpoint, path: Path) -> tuple[Task, list[str], str | None]:
    """The task, feature names and target column that ``tapegrad train`` stored.

    They are checked against the model: a feature per input, an output per
    class for cross-entropy (else one), a sigmoid output for ``bce``.

    Examples
    --------
    >>> from nn.checkpoint import Checkpoint
    >>> meta = {"task": {"loss": "mse", "classes": None}, "features": ["x0"], "target": "y"}
    >>> architecture = {"type": "MLP", "nin": 1, "nouts": [4, 1], "output_activation": None}
    >>> trained_with(Checkpoint(None, meta=meta, architecture=architecture), Path("model.json"))
    (Task(loss='mse', classes=None), ['x0'], 'y')
    """
    meta, architecture = checkpoint.meta, checkpoint.architecture
    task, features = meta.get("task"), meta.get("features")
    if not (
        isinstance(task, dict)
        and isinstance(task.get("loss"), str)
        and task["loss"] in LOSSES
        and isinstance(features, list)
        and all(isinstance(name, str) for name in features)
        and architecture.get("type") == "MLP"
    ):
        raise CLIError(
            f"{path}: this checkpoint does not say which features and task it was trained on "
            "(it was not written by tapegrad train)"
        )
    task = Task(task["loss"], _saved_classes(task, path))
    problem = _misfit(task, features, architecture)
    if problem:
        raise CLIError(f"{path}: its meta does not fit its model: {problem}")
    return task, features, meta.get("target")


def _saved_classes(task: dict, path: Path) -> list | None:
    """The task's classes: None for a regression, else 2 or more distinct labels."""
    classes = task.get("classes")
    if task["loss"] in REGRESSION_LOSSES:
        if classes is not None:
            raise CLIError(f"{path}: meta.task.classes: a {task['loss']} regression has none")
        return None
    labels = classes if isinstance(classes, list) else []
    plain = all(isinstance(c, (str, int, float)) and not isinstance(c, bool) for c in labels)
    if not (plain and len(labels) >= 2 and len({label_key(c) for c in labels}) == len(labels)):
        raise CLIError(
            f"{path}: meta.task.classes: expected 2 or more distinct labels for the "
            f"{task['loss']} loss, got {str(classes)[:80]}"
        )
    return labels


def _misfit(task: Task, features: list[str], architecture: dict) -> str | None:
    """What in ``task`` and ``features`` does not fit the MLP ``architecture``, if anything."""
    inputs, outputs = architecture.get("nin"), (architecture.get("nouts") or [None])[-1]
    if len(set(features)) != len(features):
        return f"a feature name repeats in {features[:8]}"
    if len(features) != inputs:
        return f"{len(features)} feature names for {inputs} inputs"
    if task.loss in BINARY_LOSSES and len(task.classes) != 2:
        return f"the {task.loss} loss with {len(task.classes)} classes"
    if outputs != task.n_outputs:
        return f"the {task.loss} loss needs {task.n_outputs} outputs, the model has {outputs}"
    last = architecture.get("output_activation")
    if (task.loss == "bce") != (last == "sigmoid"):
        return f"the {task.loss} loss after a {last} output (bce needs sigmoid, the rest none)"
    return None


def saved_history(meta: dict, path: Path) -> History:
    """The `History` in a checkpoint's meta (empty when there is none), checked field by field.

    Examples
    --------
    >>> saved_history({"history": {"train_loss": [0.5, 0.25], "best_epoch": 2}}, Path("m.json"))
    History(train_loss=[0.5, 0.25], train_accuracy=[], val_loss=[], val_accuracy=[], \
epoch_seconds=[], best_epoch=2, stopped_early=False)
    >>> saved_history({"history": {"train_loss": "low"}}, Path("m.json"))
    Traceback (most recent call last):
    ...
    tapegrad.errors.CLIError: m.json: meta.history.train_loss: expected a list of numbers
    """
    try:
        return History.from_dict(meta.get("history") or {}, where="meta.history")
    except (TypeError, ValueError) as error:
        raise CLIError(f"{path}: {error}") from None


def print_result(run: Run, folder: Path, names: list[str], notes: list[str | None]) -> None:
    """The final scores, the notes on what could not be drawn, and the files written."""
    train_score, val_score = run.scores()
    print(
        f"final {run.task.metric}: train {train_score:.3f}, validation {val_score:.3f} "
        f"({run.history.epochs} epochs, {run.seconds:.1f} s)"
    )
    for note in filter(None, notes):
        print(f"note: {note}", file=sys.stderr)
    for name in names:
        print(f"wrote {folder / name}")


def draw_plots(run: Run, folder: Path) -> tuple[list[str], str | None]:
    """Draw loss.png, and decision_boundary.png for 2-input classifiers.

    Returns the files written, and a note when matplotlib is missing.
    """
    written = []
    try:
        plot.plot_history(run.history, folder / "loss.png")
        written.append("loss.png")
        if run.table.X.shape[1] == 2 and run.task.classes is not None:
            X = run.table.X
            y = run.task.encode(run.table.targets, run.table.source)
            threshold = decision_threshold(run.task.loss_fn)
            plot.plot_decision_boundary(
                run.predictor, X, y, folder / "decision_boundary.png", threshold=threshold
            )
            written.append("decision_boundary.png")
    except ImportError as error:
        return written, f"no plots: {error}"
    return written, None
