"""The data a command trains on: CSV tables, built-in datasets, and the `Task` that encodes labels.

A CSV file is read with the standard `csv` module: a header row, then one
row per sample; the target column holds class labels (or numbers, for a
regression) and every other column must be numeric. The `Task` says what the
model learns: which loss (by its ``--loss`` name), and the classes.

Examples
--------
>>> import tempfile
>>> with tempfile.TemporaryDirectory() as tmp:
...     path = Path(tmp) / "pets.csv"
...     _ = path.write_text("weight,height,species\\n4,25,cat\\n30,60,dog\\n")
...     table = read_csv(path, "species")
>>> task = infer_task(table.targets, None, table.source)
>>> table.features, task.loss, task.encode(table.targets, table.source).tolist()
(['weight', 'height'], 'bce_with_logits', [0, 1])
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from nn import datasets, losses
from nn.losses import decision_threshold
from nn.train import accuracy, classify, rmse
from tapegrad.errors import CLIError

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

# --loss names: the function, and what the model's single output means to it
# (each loss declares its decision threshold, see nn.losses.decision_threshold).
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


def read_rows(path: Path) -> tuple[list[str], list[list[str]], list[int]]:
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


def numeric_columns(path: Path, csv_rows: tuple, columns: list[str]) -> np.ndarray:
    """The named columns of `read_rows`' result as a float64 array, or an error naming
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


def check_columns(path: Path, header: list[str], wanted: list[str], what: str) -> None:
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
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = Path(tmp) / "exam.csv"
    ...     _ = path.write_text("hours,score,passed\\n1,2,no\\n8,7,yes\\n")
    ...     table = read_csv(path, "passed")
    >>> table.X.tolist(), table.features, table.targets
    ([[1.0, 2.0], [8.0, 7.0]], ['hours', 'score'], ['no', 'yes'])
    """
    csv_rows = read_rows(path)
    header, rows, _ = csv_rows
    check_columns(path, header, [target], "target")
    if len(set(header)) != len(header):
        raise CLIError(f"{path}: the header names a column twice: {header}")
    features = [name for name in header if name != target]
    if not features:
        raise CLIError(f"{path}: no feature columns besides the target {target!r}")
    column = header.index(target)
    targets = [row[column].strip() for row in rows]
    return Table(numeric_columns(path, csv_rows, features), targets, features, target, str(path))


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
        except ImportError as error:  # asked for by name: bad input, naming the extra
            raise CLIError(str(error)) from None
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
    def loss_fn(self) -> Callable:
        """The loss function that ``loss`` names.

        Examples
        --------
        >>> Task("hinge", [0, 1]).loss_fn.__name__
        'hinge_loss'
        """
        return LOSSES[self.loss]

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
        index = {label_key(c): i for i, c in enumerate(self.classes)}
        unknown = sorted({str(t) for t in targets if label_key(t) not in index})
        if unknown:
            raise CLIError(
                f"{source}: classes {unknown} were not seen in training "
                f"(known: {[str(c) for c in self.classes]})"
            )
        return np.array([index[label_key(t)] for t in targets], dtype=np.int64)

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
        return classify(outputs, decision_threshold(self.loss_fn))

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
            return rmse(outputs, y)
        return accuracy(outputs, y, decision_threshold(self.loss_fn))

    @property
    def metric(self) -> str:
        """The name of what `score` measures.

        Examples
        --------
        >>> Task("cross_entropy", ["a", "b", "c"]).metric, Task("mse", None).metric
        ('accuracy', 'RMSE')
        """
        return "RMSE" if self.classes is None else "accuracy"


def label_key(label: object) -> object:
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
    numeric = all(isinstance(label_key(t), float) for t in targets)
    integral = numeric and all(float(t).is_integer() for t in targets)
    if loss in REGRESSION_LOSSES or (loss is None and numeric and not integral):
        return Task(loss or "mse", None)
    labels = {label_key(t): t for t in targets}
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
