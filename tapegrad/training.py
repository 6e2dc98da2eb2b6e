"""Training for the commands: a model, its optimizer and its data, through `nn.train.fit`.

`train_model` builds an MLP for a `Table` (or resumes a checkpoint written by
``tapegrad train``), trains it with `nn.train.fit` and returns a `Run`: the
trained `nn.inference.Predictor`, the `Task`, the data split and the
`nn.train.History`. `save_run` writes it as an `nn.checkpoint` file whose
meta says which features and task it was trained on.
"""

from __future__ import annotations

import argparse
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
from tapegrad.tables import LOSSES, Table, Task, infer_task

OPTIMIZERS = {"adam": Adam, "sgd": SGD}
CHECKPOINT_NAME = "model.json"


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
    model = MLP(
        table.X.shape[1],
        [*(args.hidden if args.hidden is not None else [16, 16]), task.n_outputs],
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
    try:
        history = History.from_dict(checkpoint.meta.get("history") or {})
    except TypeError:
        raise CLIError(f"{args.resume}: the training history in its meta is malformed") from None
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
    seconds = sum(history.epoch_seconds[start.history.epochs :])
    predictor = Predictor(start.model, standardizer, args.engine)
    return Run(predictor, task, table, history, start.optimizer, split, seconds)


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

    Examples
    --------
    >>> from nn.checkpoint import Checkpoint
    >>> meta = {"task": {"loss": "mse", "classes": None}, "features": ["x0"], "target": "y"}
    >>> trained_with(Checkpoint(model=None, meta=meta), Path("model.json"))
    (Task(loss='mse', classes=None), ['x0'], 'y')
    """
    meta = checkpoint.meta
    task, features = meta.get("task"), meta.get("features")
    if not (
        isinstance(task, dict)
        and task.get("loss") in LOSSES
        and (task.get("classes") is None or isinstance(task.get("classes"), list))
        and isinstance(features, list)
        and all(isinstance(name, str) for name in features)
    ):
        raise CLIError(
            f"{path}: this checkpoint does not say which features and task it was trained on "
            "(it was not written by tapegrad train)"
        )
    return Task(task["loss"], task["classes"]), features, meta.get("target")


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
