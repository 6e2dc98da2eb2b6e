"""``tapegrad predict``: one prediction per row of a CSV file, with a trained checkpoint."""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

import numpy as np

from nn.inference import Predictor
from tapegrad.errors import CLIError
from tapegrad.staging import write_file
from tapegrad.tables import check_columns, label_key, numeric_columns, read_rows
from tapegrad.training import numpy_raises, read_checkpoint, trained_with


def run_predict(args: argparse.Namespace) -> None:
    """``tapegrad predict``: one prediction per CSV row, as CSV (the score goes to stderr).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from tapegrad.cli import build_parser
    >>> from tapegrad.tables import load_dataset
    >>> from tapegrad.training import save_run, train_model
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
    csv_rows = read_rows(args.csv)
    header, rows, _ = csv_rows
    check_columns(args.csv, header, features, "feature")
    X = numeric_columns(args.csv, csv_rows, features)
    predictor = Predictor(checkpoint.model, checkpoint.standardizer, args.engine)
    outputs = _outputs(predictor, X, args.csv, csv_rows[2])
    predictions = task.decode(outputs)
    score = None
    if target in header:  # the answers are there: say how good the predictions are
        column = header.index(target)
        targets = [row[column].strip() for row in rows]
        if task.classes is None:
            score = task.score(outputs, task.encode(targets, str(args.csv)))
        else:
            hits = [label_key(p) == label_key(t) for p, t in zip(predictions, targets)]
            score = float(np.mean(hits))
    text = _as_csv("prediction", predictions)
    if args.out is None:
        sys.stdout.write(text)
    else:
        write_file(args.out, text.encode("utf-8"), inputs=[args.checkpoint, args.csv])
        print(f"wrote {len(rows)} predictions to {args.out}", file=sys.stderr)
    if score is not None:
        print(f"{task.metric} on {args.csv}: {score:.4f} ({len(rows)} rows)", file=sys.stderr)


def _outputs(predictor: Predictor, X: np.ndarray, path: Path, lines: list[int]) -> np.ndarray:
    """The model's outputs for ``X``, or an error naming the row (or column) they overflow on."""
    try:
        with numpy_raises():
            return predictor.predict(X)
    except ArithmeticError:
        bad = next((r for r in range(len(X)) if not _computes(predictor, X[r : r + 1])), None)
        where = f"line {lines[bad]}" if bad is not None else "a row"
        raise CLIError(
            f"{path}: {where}: the model's output overflows a float64 "
            "(is the row far outside the training data?)"
        ) from None
    except ValueError as error:  # the standardizer names the column it cannot scale
        raise CLIError(f"{path}: {error}") from None


def _computes(predictor: Predictor, row: np.ndarray) -> bool:
    try:
        with numpy_raises():
            predictor.predict(row)
    except ArithmeticError:
        return False
    return True


def _as_csv(header: str, cells: list) -> str:
    """One column as CSV text: numbers as Python writes them, text quoted when it must be."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerows([[header], *([cell] for cell in cells)])
    return text.getvalue()
