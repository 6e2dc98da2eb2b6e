"""``tapegrad train``: train on a built-in dataset or a CSV file, write the checkpoint."""

from __future__ import annotations

import argparse

from nn import plot
from tapegrad.errors import CLIError
from tapegrad.staging import staging
from tapegrad.tables import load_dataset, read_csv
from tapegrad.training import CHECKPOINT_NAME, draw_plots, print_result, save_run, train_model


def run_train(args: argparse.Namespace) -> None:
    """``tapegrad train``: train, then write the checkpoint (and plots) into ``args.out``.

    Examples
    --------
    >>> import tempfile
    >>> from tapegrad.cli import build_parser
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
    if args.plot:
        try:
            plot.require_matplotlib()  # asked for: fail before training, naming the extra
        except ImportError as error:
            raise CLIError(f"--plot: {error}") from None
    if args.csv is not None:
        table = read_csv(args.csv, args.target)
    else:
        table = load_dataset(args.dataset, args.samples, args.seed)
    with staging(args.out) as temp:
        run = train_model(args, table)
        save_run(run, temp / CHECKPOINT_NAME)
        note = draw_plots(run, temp)[1] if args.plot else None
        names = sorted(p.name for p in temp.iterdir())
    print_result(run, args.out, names, [note])
