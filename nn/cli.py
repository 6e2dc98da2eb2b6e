"""The ``tapegrad`` command: see the library do its job from a shell.

Subcommands (``tapegrad SUBCOMMAND --help`` for each one's options):

* ``tapegrad demo``: train an MLP on the moons data and write a checkpoint,
  pictures and a short report into ``./tapegrad-demo/``.
* ``tapegrad train``: train on a built-in dataset or on a CSV file.
* ``tapegrad predict CHECKPOINT --csv FILE``: predictions for new rows.
* ``tapegrad graph "EXPR" -a 2 -b -3``: draw an expression's graph, with
  its values (forward) and gradients (backward).

Bad input (a missing file, an unknown column, a cell that is not a number,
a corrupt checkpoint, ...) is reported in one line on stderr with exit status
2, and nothing is written: every output is built in a temporary file or
folder and renamed into place at the end. ``python -m nn`` is the same
command.

Examples
--------
>>> import os, tempfile
>>> path = os.path.join(tempfile.mkdtemp(), "graph.dot")  # .svg needs Graphviz's dot
>>> main(["graph", "a * b", "-a", "2", "-b", "-3", "--out", path])  # doctest: +ELLIPSIS
a = input    (data=2, grad=-3)
b = input    (data=-3, grad=2)
v2 = a * b   (data=-6, grad=1)
wrote .../graph.dot
0
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import math
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd import __version__
from autograd.files import atomic_write
from autograd.viz import (
    INSTALL_HINT,
    SAVE_FORMATS,
    GraphvizNotFoundError,
    draw_dot,
    trace_text,
)
from nn import data as datasets
from nn import losses
from nn.checkpoint import load, load_optimizer_state, save
from nn.data import DataLoader, Standardizer, train_val_split
from nn.module import ACTIVATIONS, MLP
from nn.optim import SGD, Adam
from nn.train import History, classify, fit, predictor

PROG = "tapegrad"
BAD_INPUT = 2  # exit status for anything wrong in what was asked (argparse's own)
MISSING_TOOL = 1  # exit status when an optional program or package is missing

DATASETS: dict[str, Callable] = {
    "moons": datasets.moons,
    "circles": datasets.circles,
    "xor": datasets.xor,
    "spirals": datasets.spirals,
    "exam": datasets.exam_pass_fail,
    "iris": datasets.load_iris,
    "digits": datasets.load_digits,
}
GENERATED = ("moons", "circles", "xor", "spirals", "exam")  # take n_samples and seed

# --loss names: the function, and what the model's single output means to it.
LOSSES: dict[str, Callable] = {
    "mse": losses.mse_loss,
    "l1": losses.l1_loss,
    "bce": losses.binary_cross_entropy,  # a probability: the model ends in a sigmoid
    "bce_with_logits": losses.binary_cross_entropy_with_logits,  # a logit
    "cross_entropy": losses.cross_entropy,  # one logit per class
    "hinge": losses.hinge_loss,  # a score whose sign is the class (targets ±1)
}
REGRESSION_LOSSES = ("mse", "l1")
BINARY_LOSSES = ("bce", "bce_with_logits", "hinge")
THRESHOLDS = {"bce_with_logits": 0.0, "hinge": 0.0}  # single-output decision; else 0.5
OPTIMIZERS = {"adam": Adam, "sgd": SGD}
ENGINES = ("compiled", "scalar")
CHECKPOINT_NAME = "model.json"


class CLIError(Exception):
    """Something wrong in what the user asked: reported in one line, exit status 2.

    Examples
    --------
    >>> try:
    ...     read_checkpoint(Path("no/such/model.json"))
    ... except CLIError as error:
    ...     print(error)
    no/such/model.json: no such checkpoint file
    """


class MissingToolError(Exception):
    """An optional program or package is missing: reported in one line, exit status 1.

    Examples
    --------
    `main` turns it into the exit status `MISSING_TOOL`:

    >>> raise MissingToolError("load_iris needs scikit-learn, which is not installed")
    Traceback (most recent call last):
    ...
    nn.cli.MissingToolError: load_iris needs scikit-learn, which is not installed
    """


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line naming the problem (no usage dump)."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise CLIError(f"{message} (see '{self.prog} --help')")


# --- argument types --------------------------------------------------------------------


def _positive_int(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {text!r}") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 1, got {n}")
    return n


def _positive_float(text: str) -> float:
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}") from None
    if not (math.isfinite(x) and x > 0):
        raise argparse.ArgumentTypeError(f"expected a finite number > 0, got {text!r}")
    return x


def _fraction(text: str) -> float:
    x = _positive_float(text)
    if x >= 1:
        raise argparse.ArgumentTypeError(f"expected a number between 0 and 1, got {text!r}")
    return x


def _widths(text: str) -> list[int]:
    """``"16,16"`` -> [16, 16]; ``""`` or ``"none"`` -> [] (no hidden layer)."""
    if text.strip().lower() in ("", "none"):
        return []
    try:
        return [_positive_int(part.strip()) for part in text.split(",")]
    except argparse.ArgumentTypeError:
        raise argparse.ArgumentTypeError(
            f"expected layer widths like 16,16 (whole numbers >= 1), got {text!r}"
        ) from None


def _activation(text: str) -> str:
    """An activation name, kept as the string "none" for no activation.

    The option's default is None (not given), so "none" must stay a string
    until the model is built, or it would read as "not given".
    """
    names = [a for a in ACTIVATIONS if a is not None]
    if text != "none" and text not in names:
        raise argparse.ArgumentTypeError(f"expected one of {', '.join(names)}, none; got {text!r}")
    return text


# --- the parser ---------------------------------------------------------------------


def _add_out_folder(parser: argparse.ArgumentParser, default: str) -> None:
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(default),
        metavar="DIR",
        help=f"output folder (default ./{default})",
    )


def _add_training_options(parser: argparse.ArgumentParser, epochs: int) -> None:
    group = parser.add_argument_group("model and training")
    group.add_argument(
        "--hidden",
        type=_widths,
        default=None,
        metavar="W,W",
        help="hidden layer widths (default 16,16)",
    )
    group.add_argument(
        "--activation",
        type=_activation,
        default=None,
        metavar="NAME",
        help="activation of the hidden layers: relu (default), tanh, sigmoid, leaky_relu, none",
    )
    group.add_argument(
        "--loss",
        choices=sorted(LOSSES),
        default=None,
        help="default: bce_with_logits for 2 classes, cross_entropy for more, "
        "mse for a numeric target",
    )
    group.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=None, help="default adam")
    group.add_argument(
        "--lr", type=_positive_float, default=None, help="learning rate (default 0.01)"
    )
    group.add_argument(
        "--epochs",
        type=_positive_int,
        default=epochs,
        help=f"passes over the training set (default {epochs})",
    )
    group.add_argument(
        "--batch-size",
        type=_positive_int,
        default=32,
        metavar="N",
        help="samples per step (default 32)",
    )
    group.add_argument(
        "--val-fraction",
        type=_fraction,
        default=0.2,
        metavar="F",
        help="share of the samples held out for validation (default 0.2)",
    )
    group.add_argument(
        "--seed", type=int, default=0, help="seed of every random choice (default 0)"
    )
    group.add_argument(
        "--engine",
        choices=ENGINES,
        default="compiled",
        help="compiled: the Numba tape (fast, default); scalar: the Value graph "
        "(the teaching path, same numbers)",
    )
    group.add_argument("--quiet", action="store_true", help="print only the final result")


def build_parser() -> argparse.ArgumentParser:
    """The ``tapegrad`` argument parser, with one subparser per subcommand.

    Examples
    --------
    >>> args = build_parser().parse_args(["train", "--dataset", "xor", "--hidden", "8,8"])
    >>> args.dataset, args.hidden, args.epochs, args.engine
    ('xor', [8, 8], 20, 'compiled')
    """
    parser = _Parser(
        prog=PROG,
        description="Train, inspect and draw small neural networks built from scalar Values.",
        epilog="Run 'tapegrad SUBCOMMAND --help' for the options of each subcommand.",
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", parser_class=_Parser)
    sub.required = True

    demo = sub.add_parser(
        "demo",
        help="train an MLP on the moons data and write pictures and a report",
        description="Train MLP(2, [16, 16, 1]) on 300 moons points and write, into the output "
        "folder: the checkpoint, the loss curve and decision boundary (PNG, with matplotlib), "
        "one neuron's forward and backward graph (SVG, with Graphviz) and report.md.",
    )
    _add_out_folder(demo, "tapegrad-demo")
    _add_training_options(demo, epochs=50)
    demo.set_defaults(func=run_demo)

    train = sub.add_parser(
        "train",
        help="train a model on a built-in dataset or a CSV file",
        description="Train an MLP and write its checkpoint (model.json) into the output folder. "
        "A CSV file has a header row; the --target column holds the labels (or numbers, "
        "for regression) and every other column must be numeric. Inputs are standardised with "
        "statistics of the training split, which the checkpoint keeps for 'predict'.",
    )
    source = train.add_mutually_exclusive_group(required=True)
    source.add_argument("--dataset", choices=list(DATASETS), help="a built-in dataset")
    source.add_argument("--csv", type=Path, metavar="FILE", help="a CSV file with a header row")
    train.add_argument("--target", metavar="COLUMN", help="the CSV column to predict")
    train.add_argument(
        "--samples",
        type=_positive_int,
        default=300,
        metavar="N",
        help="points of a generated dataset (default 300)",
    )
    train.add_argument(
        "--resume",
        type=Path,
        metavar="CHECKPOINT",
        help="continue training this checkpoint (its model, loss, optimizer "
        "state and input scaling)",
    )
    _add_out_folder(train, "tapegrad-train")
    train.add_argument(
        "--plot",
        action="store_true",
        help="also draw loss.png (and decision_boundary.png for 2 inputs)",
    )
    _add_training_options(train, epochs=20)
    train.set_defaults(func=run_train)

    predict = sub.add_parser(
        "predict",
        help="predict the rows of a CSV file with a trained checkpoint",
        description="Read the checkpoint's feature columns from the CSV file (other columns are "
        "ignored) and write one prediction per row, as CSV, to --out or stdout. When the file "
        "also has the target column, the accuracy (or RMSE) is reported on stderr.",
    )
    predict.add_argument("checkpoint", type=Path, metavar="CHECKPOINT", help="from tapegrad train")
    predict.add_argument("--csv", type=Path, required=True, metavar="FILE", help="rows to predict")
    predict.add_argument("--out", type=Path, metavar="FILE", help="write the CSV here")
    predict.add_argument(
        "--engine", choices=ENGINES, default="compiled", help="compiled (default) or scalar"
    )
    predict.set_defaults(func=run_predict)

    graph = sub.add_parser(
        "graph",
        help="draw the graph of an expression, forward and backward",
        description="Build the Value graph of EXPR, run backward() from its result, print the "
        "graph as a list of assignments and draw it with each value's data and grad. EXPR may "
        "use numbers, variables, + - * / **, unary - and the op methods (x.tanh(), x.exp(), "
        "...); nothing else is evaluated.",
        epilog='Example: tapegrad graph "(a*b + c).tanh()" -a 2 -b -3 -c 10 --out graph.svg. '
        "Give each variable as -NAME VALUE or --var NAME=VALUE. An expression starting with - "
        'needs a space before it: " -a*b".',
    )
    graph.add_argument("expression", metavar="EXPR", help='such as "(a*b + c).tanh()"')
    graph.add_argument(
        "--var",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a variable's value (repeatable)",
    )
    graph.add_argument(
        "--out",
        type=Path,
        default=Path("graph.svg"),
        metavar="FILE",
        help="a .svg, .png or .pdf picture (needs Graphviz), or .dot source (default graph.svg)",
    )
    graph.add_argument(
        "--rankdir",
        choices=("LR", "TB"),
        default="LR",
        help="data flows left to right (LR, default) or top to bottom",
    )
    graph.set_defaults(func=run_graph)
    return parser


def _variables_as_options(argv: list[str]) -> list[str]:
    """Rewrite ``graph``'s ``-a 2`` into ``--var a=2``, which argparse knows.

    Variable names are not known in advance, so argparse cannot declare them;
    the value is taken as given, so ``-b -3`` works.
    """
    # The subcommand is the first word: the top-level options take no values.
    command = next((i for i, token in enumerate(argv) if not token.startswith("-")), None)
    if command is None or argv[command] != "graph":
        return argv
    start = command + 1
    out, i = argv[:start], start
    while i < len(argv):
        token = argv[i]
        if token == "--":
            return out + argv[i:]
        name = token[1:]
        if token.startswith("-") and name.isidentifier() and name != "h":
            if i + 1 == len(argv):
                raise CLIError(f"the variable -{name} needs a value: -{name} VALUE")
            out += ["--var", f"{name}={argv[i + 1]}"]
            i += 2
        else:
            out.append(token)
            i += 1
    return out


# --- output folders, written whole or not at all --------------------------------------


def _make_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return the ones created (deepest last)."""
    missing = []
    for path in [folder, *folder.parents]:
        if path.is_dir():
            break
        if path.exists():
            raise CLIError(f"cannot write to {folder}: {path} exists and is not a folder")
        missing.append(path)
    created = []
    try:
        for path in reversed(missing):
            path.mkdir()
            created.append(path)
    except OSError as error:
        _remove_dirs(created)
        raise CLIError(f"cannot create the folder {path}: {error.strerror}") from None
    return created


def _remove_dirs(created: list[Path]) -> None:
    for path in reversed(created):
        with contextlib.suppress(OSError):
            path.rmdir()


@contextlib.contextmanager
def staging(folder: Path) -> Iterator[Path]:
    """A temporary folder inside ``folder`` whose files move into ``folder`` on success.

    On any error the temporary folder, and any folder this created, are
    removed: an interrupted or failed run leaves nothing behind. An existing
    file of the same name is replaced only when the run succeeds.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with staging(Path(tmp) / "out") as temp:
    ...         _ = (temp / "report.md").write_text("# done")  # not in out/ yet
    ...     print(os.listdir(Path(tmp) / "out"))
    ['report.md']
    """
    created = _make_dirs(folder)
    try:
        temp = Path(tempfile.mkdtemp(dir=folder, prefix=".tapegrad-"))
    except OSError as error:
        _remove_dirs(created)
        raise CLIError(f"cannot write to {folder}: {error.strerror}") from None
    try:
        yield temp
        for item in sorted(temp.iterdir()):
            os.replace(item, folder / item.name)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        _remove_dirs(created)
        raise
    shutil.rmtree(temp, ignore_errors=True)


def _write_file(path: Path, data: bytes) -> None:
    """Write one output file atomically, creating its folder if needed."""
    created = _make_dirs(path.parent)
    try:
        atomic_write(path, data)
    except OSError as error:
        _remove_dirs(created)
        raise CLIError(f"cannot write {path}: {error.strerror}") from None


# --- reading data ---------------------------------------------------------------------------


@dataclass
class Table:
    """Rows of numeric features and, when known, their raw targets.

    Examples
    --------
    >>> table = load_dataset("xor", samples=8, seed=0)
    >>> table.X.shape, table.features, table.target, table.source
    ((8, 2), ['x0', 'x1'], 'label', 'xor')
    """

    X: np.ndarray
    targets: list  # numbers (built-in data) or the CSV's text
    features: list[str]
    target: str | None
    source: str


def _read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
    """The header, the data rows and their line numbers, checked to be rectangular."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            numbered = [(reader.line_num, r) for r in reader if any(c.strip() for c in r)]
    except FileNotFoundError:
        raise CLIError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise CLIError(f"{path}: cannot read it as CSV ({error})") from None
    if len(numbered) < 2:
        raise CLIError(f"{path}: expected a header row and at least one data row")
    header = [name.strip() for name in numbered[0][1]]
    for line, row in numbered[1:]:
        if len(row) != len(header):
            raise CLIError(f"{path}: line {line} has {len(row)} cells, the header {len(header)}")
    return header, [row for _, row in numbered[1:]], [line for line, _ in numbered[1:]]


def _numbers(path: Path, csv_rows: tuple, columns: list[str]) -> np.ndarray:
    """The named columns of `_read_rows`' result as a float64 array, or an error naming
    the first bad cell."""
    header, rows, lines = csv_rows
    index = [header.index(name) for name in columns]
    X = np.empty((len(rows), len(columns)))
    for r, row in enumerate(rows):
        for c, i in enumerate(index):
            try:
                X[r, c] = float(row[i])
            except ValueError:
                X[r, c] = math.nan
            if not math.isfinite(X[r, c]):
                raise CLIError(
                    f"{path}: line {lines[r]}, column {columns[c]!r}: "
                    f"{row[i].strip()!r} is not a finite number"
                )
    return X


def _check_columns(path: Path, header: list[str], wanted: list[str], what: str) -> None:
    missing = [name for name in wanted if name not in header]
    if missing:
        raise CLIError(
            f"{path}: no {what} column {', '.join(map(repr, missing))}; "
            f"the columns are {', '.join(map(repr, header))}"
        )


def read_csv(path: Path, target: str) -> Table:
    """A CSV training file: the ``target`` column and every other column as a feature.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "exam.csv"
    ...     _ = path.write_text("hours,score,passed\\n1,2,no\\n8,7,yes\\n")
    ...     table = read_csv(path, "passed")
    >>> table.X.tolist(), table.features, table.targets
    ([[1.0, 2.0], [8.0, 7.0]], ['hours', 'score'], ['no', 'yes'])
    """
    csv_rows = _read_rows(path)
    header, rows, _ = csv_rows
    _check_columns(path, header, [target], "target")
    if len(set(header)) != len(header):
        raise CLIError(f"{path}: the header names a column twice: {header}")
    features = [name for name in header if name != target]
    if not features:
        raise CLIError(f"{path}: no feature columns besides the target {target!r}")
    column = header.index(target)
    targets = [row[column].strip() for row in rows]
    return Table(_numbers(path, csv_rows, features), targets, features, target, str(path))


def load_dataset(name: str, samples: int, seed: int) -> Table:
    """A built-in dataset, with feature names ``x0, x1, ...`` (the exam's own names).

    Examples
    --------
    >>> table = load_dataset("exam", samples=10, seed=0)
    >>> table.X.shape, table.features[-1]
    ((10, 4), 'name')
    """
    if name in GENERATED:
        X, y = DATASETS[name](n_samples=samples, seed=seed)
    else:
        try:
            X, y = DATASETS[name]()
        except ImportError as error:
            raise MissingToolError(str(error)) from None
    names = datasets.EXAM_FEATURE_NAMES if name == "exam" else None
    features = list(names or (f"x{i}" for i in range(X.shape[1])))
    return Table(X, y.tolist(), features, "label", name)


# --- targets: classes or numbers ---------------------------------------------------------


@dataclass
class Task:
    """What the model learns: the loss, and the classes (None for regression).

    Examples
    --------
    >>> task = Task("bce_with_logits", ["no", "yes"])
    >>> task.encode(["yes", "no"], "exam.csv").tolist(), task.n_outputs, task.metric
    ([1, 0], 1, 'accuracy')
    """

    loss: str
    classes: list | None

    @property
    def n_outputs(self) -> int:
        """Outputs the model needs: one per class for cross-entropy, else one.

        Examples
        --------
        >>> Task("cross_entropy", ["a", "b", "c"]).n_outputs, Task("mse", None).n_outputs
        (3, 1)
        """
        return len(self.classes) if self.loss == "cross_entropy" else 1

    def encode(self, targets: list, source: str) -> np.ndarray:
        """Targets as class indices, or as floats for a regression.

        ``source`` names the data in error messages.

        Examples
        --------
        >>> Task("cross_entropy", ["a", "b", "c"]).encode(["c", "a"], "data.csv").tolist()
        [2, 0]
        >>> Task("mse", None).encode(["1.5", "2"], "data.csv").tolist()
        [1.5, 2.0]
        """
        if self.classes is None:
            return np.array([_as_float(t, source) for t in targets], dtype=np.float64)
        index = {_key(c): i for i, c in enumerate(self.classes)}
        unknown = sorted({str(t) for t in targets if _key(t) not in index})
        if unknown:
            raise CLIError(
                f"{source}: classes {unknown} were not seen in training "
                f"(known: {[str(c) for c in self.classes]})"
            )
        return np.array([index[_key(t)] for t in targets], dtype=np.int64)

    def loss_targets(self, y: np.ndarray) -> np.ndarray:
        """What the loss compares outputs with: the hinge loss wants labels -1 and +1.

        Examples
        --------
        >>> Task("hinge", [0, 1]).loss_targets(np.array([0, 1, 1])).tolist()
        [-1, 1, 1]
        """
        return 2 * y - 1 if self.loss == "hinge" else y

    def indices(self, outputs: np.ndarray) -> np.ndarray:
        """The predicted class index of each row of outputs.

        Examples
        --------
        >>> Task("bce_with_logits", ["no", "yes"]).indices(np.array([[2.0], [-1.0]])).tolist()
        [1, 0]
        """
        return classify(outputs, THRESHOLDS.get(self.loss, 0.5))

    def decode(self, outputs: np.ndarray) -> list:
        """The model's outputs as predictions: class labels, or numbers.

        Examples
        --------
        >>> Task("bce_with_logits", ["no", "yes"]).decode(np.array([[2.0], [-1.0]]))
        ['yes', 'no']
        """
        if self.classes is None:
            return outputs[:, 0].tolist()
        return [self.classes[i] for i in self.indices(outputs)]

    def score(self, outputs: np.ndarray, y: np.ndarray) -> float:
        """Accuracy against class indices ``y``, or the RMSE for a regression.

        Examples
        --------
        >>> Task("bce_with_logits", [0, 1]).score(np.array([[2.0], [-1.0]]), np.array([1, 1]))
        0.5
        >>> Task("mse", None).score(np.array([[1.0], [3.0]]), np.array([1.0, 1.0]))  # √(4/2)
        1.4142135623730951
        """
        if self.classes is None:
            return float(np.sqrt(np.mean((outputs[:, 0] - y) ** 2)))
        return float(np.mean(self.indices(outputs) == y))

    @property
    def metric(self) -> str:
        """The name of what `score` measures.

        Examples
        --------
        >>> Task("cross_entropy", ["a", "b", "c"]).metric, Task("mse", None).metric
        ('accuracy', 'RMSE')
        """
        return "RMSE" if self.classes is None else "accuracy"


def _key(label: object) -> object:
    """Compare labels by value: "1", "1.0" and 1 are one class."""
    try:
        return float(label)
    except (TypeError, ValueError):
        return str(label).strip()


def _as_float(text: object, source: str) -> float:
    try:
        x = float(text)
    except (TypeError, ValueError):
        x = math.nan
    if not math.isfinite(x):
        raise CLIError(f"{source}: the target {text!r} is not a finite number (regression)")
    return x


def infer_task(targets: list, loss: str | None, source: str) -> Task:
    """Choose classes and loss from the targets, unless ``loss`` decides.

    Integer or text targets are classes; other numbers are a regression.

    Examples
    --------
    >>> infer_task(["cat", "dog", "cat"], None, "pets.csv")
    Task(loss='bce_with_logits', classes=['cat', 'dog'])
    >>> infer_task([0, 2, 1], None, "digits")
    Task(loss='cross_entropy', classes=[0, 1, 2])
    >>> infer_task(["1.5", "2.25"], None, "prices.csv")
    Task(loss='mse', classes=None)
    """
    numeric = all(isinstance(_key(t), float) for t in targets)
    integral = numeric and all(float(t).is_integer() for t in targets)
    if loss in REGRESSION_LOSSES or (loss is None and numeric and not integral):
        return Task(loss or "mse", None)
    labels = {_key(t): t for t in targets}
    classes = [labels[k] for k in sorted(labels, key=lambda k: (isinstance(k, str), k))]
    if len(classes) < 2:
        raise CLIError(f"{source}: the target has only one class ({classes[0]!r}); need 2 or more")
    if loss is None:
        loss = "bce_with_logits" if len(classes) == 2 else "cross_entropy"
    if loss in BINARY_LOSSES and len(classes) != 2:
        raise CLIError(
            f"--loss {loss} needs 2 classes, the target has {len(classes)}; use cross_entropy"
        )
    return Task(loss, [c.item() if isinstance(c, np.generic) else c for c in classes])


# --- training ------------------------------------------------------------------------------


class Predictor:
    """A trained model with the input scaling it was trained with: raw rows in, outputs out.

    Parameters
    ----------
    model : Module
    standardizer : Standardizer or None
    engine : {'compiled', 'scalar'}
        'compiled' runs the model on the compiled engine when it can (see
        `nn.train.predictor`).

    Examples
    --------
    >>> from nn.module import MLP
    >>> scaler = Standardizer().fit(np.array([[0.0, 0.0], [2.0, 4.0]]))
    >>> predictor = Predictor(MLP(2, [3, 1], seed=0), scaler, "scalar")
    >>> predictor.predict(np.array([[1.0, 2.0]])).shape  # scaled to [0, 0] first
    (1, 1)
    """

    def __init__(self, model, standardizer: Standardizer | None, engine: str) -> None:
        self.model, self.standardizer = model, standardizer
        self._run = predictor(model, engine)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Outputs of shape (n_samples, n_outputs) for raw (unscaled) rows.

        Examples
        --------
        >>> from nn.module import MLP
        >>> model = MLP(2, [1], activation=None, init="zeros")
        >>> Predictor(model, None, "scalar").predict(np.ones((3, 2))).tolist()
        [[0.0], [0.0], [0.0]]
        """
        if self.standardizer is not None:
            X = self.standardizer.transform(X)
        return self._run(X)


@dataclass
class Run:
    """A finished training run, and what it needs to report and draw.

    Examples
    --------
    >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--epochs", "2", "--quiet"]
    >>> run = train_model(build_parser().parse_args(argv), load_dataset("xor", 8, seed=0))
    >>> run.history.epochs, run.task.loss, [len(part) for part in run.split]
    (2, 'bce_with_logits', [6, 2, 6, 2])
    """

    predictor: Predictor
    task: Task
    table: Table
    history: History
    optimizer: object
    split: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]  # X_train, X_val, y_train, y_val
    seconds: float

    def scores(self) -> tuple[float, float]:
        """Accuracy (or RMSE for regression) on the training and validation rows.

        Examples
        --------
        >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--epochs", "1", "--quiet"]
        >>> run = train_model(build_parser().parse_args(argv), load_dataset("xor", 8, seed=0))
        >>> [round(score, 3) for score in run.scores()]  # 4 of 6 training rows, 2 of 2 held out
        [0.667, 1.0]
        """
        X_train, X_val, y_train, y_val = self.split
        return (
            self.task.score(self.predictor.predict(X_train), y_train),
            self.task.score(self.predictor.predict(X_val), y_val),
        )

    def checkpoint_meta(self) -> dict:
        """What `save_run` stores beside the model, for ``predict`` and ``--resume``.

        Examples
        --------
        >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--epochs", "1", "--quiet"]
        >>> run = train_model(build_parser().parse_args(argv), load_dataset("xor", 8, seed=0))
        >>> meta = run.checkpoint_meta()
        >>> meta["task"], meta["features"], meta["target"], meta["epochs"]
        ({'loss': 'bce_with_logits', 'classes': [0, 1]}, ['x0', 'x1'], 'label', 1)
        """
        return {
            "tapegrad": __version__,
            "task": {"loss": self.task.loss, "classes": self.task.classes},
            "features": self.table.features,
            "target": self.table.target,
            "data": self.table.source,
            "epochs": self.history.epochs,
            "history": self.history.to_dict(),
        }


def _say(line: str) -> None:
    """Print a line without breaking tqdm's progress bar."""
    try:
        from tqdm.auto import tqdm
    except ImportError:
        print(line, flush=True)
    else:
        tqdm.write(line)


def _epoch_printer(first: int, last: int) -> Callable[[int, History], None]:
    def report(epoch: int, history: History) -> None:
        parts = [f"epoch {first + epoch + 1:>{len(str(last))}}/{last}"]
        parts.append(f"loss {history.train_loss[-1]:.4f}")
        if history.train_accuracy:
            parts.append(f"acc {history.train_accuracy[-1]:.3f}")
        if history.val_loss:
            parts.append(f"val_loss {history.val_loss[-1]:.4f}")
        if history.val_accuracy:
            parts.append(f"val_acc {history.val_accuracy[-1]:.3f}")
        _say("  ".join(parts))

    return report


def _concat(before: History, after: History) -> History:
    """One history for a resumed run: the checkpoint's epochs, then the new ones."""
    merged = History(
        **{key: getattr(before, key) + getattr(after, key) for key in _HISTORY_LISTS},
        stopped_early=after.stopped_early,
    )
    watched = merged.val_loss or merged.train_loss
    merged.best_epoch = int(np.argmin(watched))
    return merged


_HISTORY_LISTS = ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "epoch_seconds")


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
    >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--epochs", "2", "--quiet"]
    >>> run = train_model(build_parser().parse_args(argv), load_dataset("xor", 8, seed=0))
    >>> run.history.epochs, run.predictor.predict(np.zeros((1, 2))).shape
    (2, (1, 1))
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
    done = start.history.epochs
    callbacks = [] if args.quiet else [_epoch_printer(done, done + args.epochs)]
    began = time.perf_counter()
    history = fit(
        start.model,
        LOSSES[task.loss],
        start.optimizer,
        train_loader,
        val_loader,
        epochs=args.epochs,
        callbacks=callbacks,
        engine=args.engine,
        progress=not args.quiet,
        metric="accuracy" if task.classes is not None else None,
    )
    seconds = time.perf_counter() - began
    if done:
        history = _concat(start.history, history)
    predictor = Predictor(start.model, standardizer, args.engine)
    return Run(predictor, task, table, history, start.optimizer, split, seconds)


def save_run(run: Run, path: Path) -> None:
    """The checkpoint: model, optimizer state, input scaling and what `predict` needs.

    Examples
    --------
    >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--epochs", "1", "--quiet"]
    >>> run = train_model(build_parser().parse_args(argv), load_dataset("xor", 8, seed=0))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save_run(run, Path(tmp) / "model.json")
    ...     checkpoint = read_checkpoint(Path(tmp) / "model.json")
    >>> checkpoint.meta["features"], type(checkpoint.standardizer).__name__
    (['x0', 'x1'], 'Standardizer')
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
    >>> from nn.checkpoint import save
    >>> from nn.module import MLP
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


def _print_result(run: Run, folder: Path, names: list[str], notes: list[str | None]) -> None:
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


def _plots(run: Run, folder: Path) -> tuple[list[str], str | None]:
    """Draw loss.png, and decision_boundary.png for 2-input classifiers.

    Returns the files written, and a note when matplotlib is missing.
    """
    from nn import plot

    written = []
    try:
        plot.plot_history(run.history, folder / "loss.png")
        written.append("loss.png")
        if run.table.X.shape[1] == 2 and run.task.classes is not None:
            X = run.table.X
            y = run.task.encode(run.table.targets, run.table.source)
            threshold = THRESHOLDS.get(run.task.loss, 0.5)
            plot.plot_decision_boundary(
                run.predictor, X, y, folder / "decision_boundary.png", threshold=threshold
            )
            written.append("decision_boundary.png")
    except ImportError as error:
        return written, f"no plots: {error}"
    return written, None


def run_train(args: argparse.Namespace) -> None:
    """``tapegrad train``: train, then write the checkpoint (and plots) into ``args.out``.

    Examples
    --------
    >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--epochs", "2", "--quiet"]
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     run_train(build_parser().parse_args([*argv, "--out", tmp]))  # doctest: +ELLIPSIS
    final accuracy: train ..., validation ... (2 epochs, ... s)
    wrote .../model.json
    """
    if args.csv is not None and args.target is None:
        raise CLIError("--csv needs --target COLUMN: the column to predict")
    if args.csv is None and args.target is not None:
        raise CLIError("--target names a column of a --csv file")
    if args.csv is not None:
        table = read_csv(args.csv, args.target)
    else:
        table = load_dataset(args.dataset, args.samples, args.seed)
    with staging(args.out) as temp:
        run = train_model(args, table)
        save_run(run, temp / CHECKPOINT_NAME)
        note = _plots(run, temp)[1] if args.plot else None
        names = sorted(p.name for p in temp.iterdir())
    _print_result(run, args.out, names, [note])


# --- demo ---------------------------------------------------------------------------------


def _neuron_picture(run: Run, folder: Path) -> tuple[str, str, str | None]:
    """Draw the first hidden neuron on one training sample, after backward().

    Returns the file written (neuron.svg, or neuron.dot without Graphviz),
    the graph as text, and a note when Graphviz is missing.
    """
    from autograd import Value

    model, scaler = run.predictor.model, run.predictor.standardizer
    neuron = model.layers[0].neurons[0]
    rows = scaler.transform(run.split[0])
    # A sample where a ReLU neuron is active, so that gradients flow through it.
    row = next((r for r in rows if neuron(r).data > 0), rows[0])
    inputs = [Value(x, label=name) for x, name in zip(row, run.table.features)]
    out = neuron(inputs)
    out.backward()
    text = trace_text(out)
    graph = draw_dot(out)
    model.zero_grad()  # the picture's backward pass is not a training step
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
    >>> out = os.path.join(tempfile.mkdtemp(), "demo")
    >>> run_demo(build_parser().parse_args(["demo", "--out", out]))  # doctest: +ELLIPSIS
    epoch  1/50  loss ...
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
        plots, plot_note = _plots(run, temp)
        neuron = _neuron_picture(run, temp)
        (temp / "report.md").write_text(_report(run, args, plots, neuron), encoding="utf-8")
        names = sorted(p.name for p in temp.iterdir())
    _print_result(run, args.out, names, [plot_note, neuron[2]])


# --- predict ------------------------------------------------------------------------------


def run_predict(args: argparse.Namespace) -> None:
    """``tapegrad predict``: one prediction per CSV row, as CSV (the score goes to stderr).

    Examples
    --------
    >>> argv = ["train", "--dataset", "xor", "--samples", "8", "--epochs", "1", "--quiet"]
    >>> run = train_model(build_parser().parse_args(argv), load_dataset("xor", 8, seed=0))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save_run(run, Path(tmp) / "model.json")
    ...     _ = (Path(tmp) / "new.csv").write_text("x0,x1\\n0.1,0.9\\n0.9,0.9\\n")
    ...     run_predict(build_parser().parse_args(["predict", f"{tmp}/model.json",
    ...                                            "--csv", f"{tmp}/new.csv"]))
    ...     # doctest: +ELLIPSIS
    prediction
    ...
    """
    checkpoint = read_checkpoint(args.checkpoint)
    task, features, target = trained_with(checkpoint, args.checkpoint)
    csv_rows = _read_rows(args.csv)
    header, rows, _ = csv_rows
    _check_columns(args.csv, header, features, "feature")
    X = _numbers(args.csv, csv_rows, features)
    predictor = Predictor(checkpoint.model, checkpoint.standardizer, args.engine)
    outputs = predictor.predict(X)
    predictions = task.decode(outputs)
    score = None
    if target in header:  # the answers are there: say how good the predictions are
        column = header.index(target)
        targets = [row[column].strip() for row in rows]
        if task.classes is None:
            score = task.score(outputs, task.encode(targets, str(args.csv)))
        else:
            hits = [_key(p) == _key(t) for p, t in zip(predictions, targets)]
            score = float(np.mean(hits))
    lines = ["prediction", *(_cell(p) for p in predictions)]
    text = "\n".join(lines) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        _write_file(args.out, text.encode("utf-8"))
        print(f"wrote {len(rows)} predictions to {args.out}", file=sys.stderr)
    if score is not None:
        print(f"{task.metric} on {args.csv}: {score:.4f} ({len(rows)} rows)", file=sys.stderr)


def _cell(prediction: object) -> str:
    """One CSV cell: numbers as Python writes them, text quoted when it needs to be."""
    if isinstance(prediction, float):
        return repr(prediction)
    text = str(prediction)
    return '"' + text.replace('"', '""') + '"' if any(c in text for c in ',"\n') else text


# --- graph --------------------------------------------------------------------------------

PICTURE_SUFFIXES = tuple(f".{name}" for name in SAVE_FORMATS)  # what viz.save writes
SOURCE_SUFFIXES = (".dot", ".gv")


def _parse_variables(assignments: list[str]) -> dict[str, float]:
    variables: dict[str, float] = {}
    for text in assignments:
        name, equals, value = text.partition("=")
        name = name.strip()
        if not equals or not name.isidentifier():
            raise CLIError(f"--var {text!r}: expected NAME=VALUE, such as a=2")
        if name in variables:
            raise CLIError(f"the variable {name} is given twice")
        try:
            variables[name] = float(value)
        except ValueError:
            raise CLIError(f"the variable {name}: {value!r} is not a number") from None
        if not math.isfinite(variables[name]):
            raise CLIError(f"the variable {name}: {value!r} is not a finite number")
    return variables


def run_graph(args: argparse.Namespace) -> None:
    """``tapegrad graph``: evaluate and backpropagate ``EXPR``, print it, draw it.

    Examples
    --------
    >>> argv = ["graph", "a * b", "--var", "a=2", "--var", "b=-3"]
    >>> with tempfile.TemporaryDirectory() as tmp:  # .dot: no Graphviz needed
    ...     run_graph(build_parser().parse_args([*argv, "--out", f"{tmp}/ab.dot"]))
    ...     # doctest: +ELLIPSIS
    a = input    (data=2, grad=-3)
    b = input    (data=-3, grad=2)
    v2 = a * b   (data=-6, grad=1)
    wrote .../ab.dot
    """
    from nn.expr import evaluate

    suffix = args.out.suffix.lower()
    if suffix not in PICTURE_SUFFIXES + SOURCE_SUFFIXES:
        allowed = ", ".join(PICTURE_SUFFIXES + SOURCE_SUFFIXES)
        raise CLIError(f"--out {args.out}: expected a file ending in {allowed}")
    root = evaluate(args.expression, _parse_variables(args.var))
    try:
        root.backward()
    except FloatingPointError as error:
        raise CLIError(f"backward() of {args.expression!r}: {error}") from None
    graph = draw_dot(root, rankdir=args.rankdir)
    graph.attr(label=f"{' '.join(args.expression.split())}", labelloc="t")
    if suffix in SOURCE_SUFFIXES:
        data = graph.source.encode("utf-8")
    else:
        data = graph.pipe(format=suffix[1:])  # a missing `dot` program: exit status 1
    _write_file(args.out, data)
    print(trace_text(root))
    print(f"wrote {args.out}")


# --- entry point --------------------------------------------------------------------------


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {' '.join(str(message).split())}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tapegrad`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 2 for bad input, 1 when an
    optional program or package is missing. Errors are one line on stderr.

    Examples
    --------
    >>> main(["--version"])  # doctest: +ELLIPSIS
    tapegrad ...
    0
    >>> main(["train", "--dataset", "moons", "--epochs", "0"])  # one line on stderr
    2
    """

    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(_variables_as_options(argv))
        args.func(args)
    except SystemExit as exit_:  # --help and --version
        return exit_.code if isinstance(exit_.code, int) else 0
    except CLIError as error:
        return _fail(str(error), BAD_INPUT)
    except (MissingToolError, GraphvizNotFoundError, ImportError) as error:
        return _fail(str(error), MISSING_TOOL)
    except ValueError as error:  # the library's checks name what was wrong
        return _fail(str(error), BAD_INPUT)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        return _fail(f"{where}{error.strerror or error}", BAD_INPUT)
    except KeyboardInterrupt:
        return _fail("interrupted; nothing was written", 130)
    return 0
