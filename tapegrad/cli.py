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
folder and renamed into place at the end. ``python -m tapegrad`` is the
same command.

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
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from autograd.viz import GraphvizNotFoundError
from nn.inference import ENGINES
from nn.layers import ACTIVATIONS
from tapegrad import __version__
from tapegrad.commands.demo import run_demo
from tapegrad.commands.graph import run_graph
from tapegrad.commands.predict import run_predict
from tapegrad.commands.train import run_train
from tapegrad.errors import BAD_INPUT, MISSING_TOOL, CLIError
from tapegrad.tables import DATASETS, LOSSES
from tapegrad.training import OPTIMIZERS

PROG = "tapegrad"


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
    # One kind of progress output at a time: a bar in a terminal, else a line per epoch.
    output = group.add_mutually_exclusive_group()
    output.add_argument("--quiet", action="store_true", help="print only the final result")
    output.add_argument(
        "--verbose",
        action="store_true",
        help="print a line per epoch instead of the progress bar (the default off a terminal)",
    )


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


def _fail(message: str, status: int) -> int:
    print(f"{PROG}: error: {' '.join(str(message).split())}", file=sys.stderr)
    return status


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``tapegrad`` command with ``argv`` (default: ``sys.argv[1:]``).

    Returns the exit status: 0 on success, 2 for bad input (an optional
    extra that the request needs included: the message names it), 1 when
    Graphviz's ``dot`` program is missing. Errors are one line on stderr.

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
    except GraphvizNotFoundError as error:
        return _fail(str(error), MISSING_TOOL)
    except ImportError as error:  # an extra that what was asked for needs: it names the extra
        return _fail(str(error), BAD_INPUT)
    except ValueError as error:  # the library's checks name what was wrong
        return _fail(str(error), BAD_INPUT)
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        return _fail(f"{where}{error.strerror or error}", BAD_INPUT)
    except KeyboardInterrupt:
        return _fail("interrupted; nothing was written", 130)
    return 0
