"""``tapegrad graph``: evaluate an expression, backpropagate, print and draw its graph."""

from __future__ import annotations

import argparse
import math

from autograd.value import topological_order
from autograd.viz import SAVE_FORMATS, draw_dot, trace_text
from tapegrad.errors import CLIError
from tapegrad.expr import evaluate
from tapegrad.staging import write_file

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
    >>> import tempfile
    >>> from tapegrad.cli import build_parser
    >>> argv = ["graph", "a * b", "--var", "a=2", "--var", "b=-3"]
    >>> with tempfile.TemporaryDirectory() as tmp:  # .dot: no Graphviz needed
    ...     run_graph(build_parser().parse_args([*argv, "--out", f"{tmp}/ab.dot"]))
    ...     # doctest: +ELLIPSIS
    a = input    (data=2, grad=-3)
    b = input    (data=-3, grad=2)
    v2 = a * b   (data=-6, grad=1)
    wrote .../ab.dot
    """
    suffix = args.out.suffix.lower()
    if suffix not in PICTURE_SUFFIXES + SOURCE_SUFFIXES:
        allowed = ", ".join(PICTURE_SUFFIXES + SOURCE_SUFFIXES)
        raise CLIError(f"--out {args.out}: expected a file ending in {allowed}")
    root = evaluate(args.expression, _parse_variables(args.var))
    try:
        root.backward()
    except FloatingPointError as error:
        raise CLIError(f"backward() of {args.expression!r}: {error}") from None
    size = len(topological_order([root]))
    if size > args.max_nodes:
        raise CLIError(
            f"the graph has {size} values, more than --max-nodes "
            f"{args.max_nodes}; a picture that large is unreadable and slow to lay out: "
            f"pass --max-nodes {size} to draw it anyway"
        )
    graph = draw_dot(root, rankdir=args.rankdir, max_nodes=args.max_nodes)
    graph.attr(label=f"{' '.join(args.expression.split())}", labelloc="t")
    if suffix in SOURCE_SUFFIXES:
        data = graph.source.encode("utf-8")
    else:
        data = graph.pipe(format=suffix[1:])  # a missing `dot` program: exit status 1
    write_file(args.out, data)
    print(trace_text(root))
    print(f"wrote {args.out}")
