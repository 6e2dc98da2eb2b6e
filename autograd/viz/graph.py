"""Pictures of a `Value` graph: `draw_dot` builds a `graphviz.Digraph`, `save` renders it.

One box per `Value` (its name, data and grad) and one small circle per op,
with arrows in the direction data flows; in Jupyter the result shows itself as
SVG. `draw_dot` can draw each neuron of a model as one box, from the groups of
parameters the caller passes (``groups=model.neuron_groups()``).

Building a picture needs only the ``graphviz`` Python package; turning it into
SVG, PNG or PDF (`save`, Jupyter) needs Graphviz's ``dot`` program. This
module and `autograd.viz.frames` are the only ones that import graphviz.

Examples
--------
>>> from autograd import Value
>>> e = Value(2.0, label="a") * Value(-3.0, label="b")
>>> graph = draw_dot(e, "png")  # micrograd's draw_dot(root, format, rankdir)
>>> graph.format
'png'
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import graphviz

from autograd.files import atomic_write
from autograd.value import Value
from autograd.viz.neurons import Groups, NeuronBox, hidden, neuron_boxes
from autograd.viz.text import check_root, fmt, names_of

__all__ = ["Drawing", "GraphvizNotFoundError", "draw_dot", "save"]

SAVE_FORMATS = ("svg", "png", "pdf")
RANKDIRS = ("LR", "TB", "RL", "BT")
INSTALL_HINT = (
    "install Graphviz (the program, not only the Python package): "
    "`apt-get install graphviz`, `brew install graphviz` or `conda install graphviz`"
)

# --- the look ------------------------------------------------------------------

FONT = "Helvetica,Arial,sans-serif"
GRAPH_STYLE = {"bgcolor": "white", "nodesep": "0.3", "ranksep": "0.4", "pad": "0.2"}
VALUE_STYLE = {"shape": "record", "style": "rounded,filled", "fontname": FONT, "fontsize": "12"}
OP_STYLE = {
    "shape": "circle",
    "style": "filled",
    "fillcolor": "#eceff1",
    "color": "#90a4ae",
    "fontname": FONT,
    "fontsize": "14",
    "width": "0.45",
    "margin": "0.03",
}
EDGE_STYLE = {"color": "#607d8b", "arrowsize": "0.7"}
INPUT_FILL = "#e3f2fd"  # blue: an input or parameter (no op made it)
COMPUTED_FILL = "#ffffff"
NEURON_FILL = "#ede7f6"  # violet: a whole nn neuron drawn as one box


# --- errors and checks -----------------------------------------------------------


class GraphvizNotFoundError(RuntimeError):
    """Raised when a picture is rendered but Graphviz's ``dot`` program is missing.

    A `RuntimeError`, so code that draws only when it can may catch it:

    Examples
    --------
    >>> issubclass(GraphvizNotFoundError, RuntimeError)
    True
    """


@contextlib.contextmanager
def explain_missing_dot() -> Iterator[None]:
    try:
        yield
    except graphviz.ExecutableNotFound as error:
        raise GraphvizNotFoundError(
            f"rendering a graph needs Graphviz's `dot` program, which was not found ({error}); "
            f"{INSTALL_HINT}. Building the graph and `print_graph` work without it."
        ) from None


class Drawing(graphviz.Digraph):
    """A `graphviz.Digraph` whose rendering explains a missing Graphviz install.

    It is what `draw_dot` returns; everything else is graphviz's own, including
    the ``_repr_mimebundle_`` that shows it as SVG in Jupyter.

    Examples
    --------
    >>> type(draw_dot(Value(1.0) + 2.0)).__name__
    'Drawing'
    """

    def pipe(self, *args, **kwargs):  # type: ignore[override]
        """`graphviz.Digraph.pipe`: the rendered bytes (raises `GraphvizNotFoundError`).

        Examples
        --------
        >>> draw_dot(Value(1.0) + 2.0).pipe(format="svg")[:5]
        b'<?xml'
        """
        with explain_missing_dot():
            return super().pipe(*args, **kwargs)

    def render(self, *args, **kwargs):  # type: ignore[override]
        """`graphviz.Digraph.render`: write the source and its rendering to files.

        Returns the rendered file's path; `save` is the simpler, atomic way.

        Examples
        --------
        >>> import tempfile
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     written = draw_dot(Value(1.0) + 2.0).render(Path(tmp) / "graph", format="png")
        >>> Path(written).name
        'graph.png'
        """
        with explain_missing_dot():
            return super().render(*args, **kwargs)


def check_options(rankdir: str, format: str, max_nodes: int, where: str) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"{where}: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if format not in graphviz.FORMATS:
        hint = " (rankdir is the third argument, as in micrograd)" if format in RANKDIRS else ""
        raise ValueError(f"{where}: format {format!r} is not a Graphviz output format{hint}")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
        raise TypeError(f"{where}: max_nodes must be an int, got {type(max_nodes).__name__}")
    if max_nodes < 1:
        raise ValueError(f"{where}: max_nodes must be at least 1, got {max_nodes}")


def check_size(count: int, max_nodes: int, offer_groups: bool, where: str) -> None:
    """Refuse a picture of more than ``max_nodes`` values, saying how to draw it."""
    if count <= max_nodes:
        return
    hint = (
        ""
        if not offer_groups
        else ", or groups=model.neuron_groups() to draw each neuron as one box"
    )
    raise ValueError(
        f"{where}: the graph has {count} values, more than max_nodes={max_nodes}; a picture "
        f"that large is unreadable and slow to lay out. Pass a larger max_nodes={count}{hint}."
    )


# --- building the Digraph -----------------------------------------------------------


def _record(fields: list[str], rankdir: str) -> str:
    """A record label with ``fields`` side by side whatever the rank direction."""
    escaped = [f.translate(str.maketrans({c: "\\" + c for c in "\\{}|<>"})) for f in fields]
    body = " | ".join(escaped)
    return "{ " + body + " }" if rankdir in ("LR", "RL") else body


@dataclass
class Paint:
    """Per-picture styling: extra attributes for value nodes, op nodes, edges."""

    values: Mapping[Value, Mapping[str, str]]
    ops: Mapping[Value, Mapping[str, str]]
    edges_into: Mapping[Value, Mapping[str, str]]  # every edge of that node's op


NO_PAINT = Paint({}, {}, {})


def digraph(
    order: list[Value],
    grads: Mapping[Value, float] | None,
    rankdir: str,
    format: str,
    neurons: tuple[NeuronBox, ...] = (),
    paint: Paint = NO_PAINT,
) -> Drawing:
    """Draw the nodes of ``order``; ``grads`` None leaves gradients out."""
    names = names_of(order)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    boxes = {n.output: n for n in neurons}
    inside = hidden(neurons)
    graph = Drawing(
        format=format,
        graph_attr={"rankdir": rankdir, **GRAPH_STYLE},
        node_attr=VALUE_STYLE,
        edge_attr=EDGE_STYLE,
    )
    for node in order:
        if node in inside:
            continue
        box = boxes.get(node)
        # A neuron box is named by its group, even when a batch repeats it.
        fields = [box.name, box.caption()] if box else [names[node]]
        fields.append(f"data {fmt(node.data)}")
        tooltip = f"{names[node]}: data={node.data!r}"  # full precision, on hover in SVG
        if grads is not None:
            fields.append(f"grad {fmt(grads[node])}")
            tooltip += f", grad={grads[node]!r}"
        fill = NEURON_FILL if box else COMPUTED_FILL if node._prev else INPUT_FILL
        look = {"fillcolor": fill, "tooltip": tooltip, **paint.values.get(node, {})}
        graph.node(ids[node], _record(fields, rankdir), **look)
        if node._row is None:
            continue
        edge = paint.edges_into.get(node, {})
        target = ids[node]
        if box is None:  # a neuron box is its own op; other values get an op circle
            target = f"{ids[node]}_op"
            graph.node(target, node._op, **{**OP_STYLE, **paint.ops.get(node, {})})
            graph.edge(target, ids[node], **edge)
        for child in box.inputs if box else node._prev:
            graph.edge(ids[child], target, **edge)
    return graph


def draw_dot(
    root: Value,
    format: str = "svg",
    rankdir: str = "LR",
    show_grad: bool = True,
    max_nodes: int = 500,
    groups: Groups | None = None,
) -> Drawing:
    """Draw the graph below ``root``: values as boxes, ops as circles.

    Parameters
    ----------
    root : Value
        The result whose graph is drawn (often a loss).
    format : str
        Output format used by ``graph.render()``; `save` picks it from the path.
    rankdir : {"LR", "TB", "RL", "BT"}
        Direction data flows in the picture: left to right by default.
        ``format`` and ``rankdir`` come in micrograd's order, so
        ``draw_dot(root, "png")`` works as there.
    show_grad : bool
        Show each value's ``.grad`` beside its data.
    max_nodes : int
        Refuse (``ValueError``) graphs with more values than this.
    groups : mapping of str to sequences of Value, optional
        Draw each neuron as one box, for models too large to draw value by
        value: box name -> that neuron's parameters, weights then bias, as
        ``nn``'s ``model.neuron_groups()`` returns. See `autograd.viz.neurons`
        for which values a box holds. (This replaces ``collapse=True``.)

    Returns
    -------
    graphviz.Digraph
        Shown inline as SVG in Jupyter; write it to a file with `save`.

    Examples
    --------
    >>> from autograd import Value
    >>> x = Value(0.5, label="x")
    >>> y = x**2
    >>> y.backward()
    >>> graph = draw_dot(y)
    >>> "**2" in graph.source and "grad 1" in graph.source
    True
    """
    check_root(root, "draw_dot")
    check_options(rankdir, format, max_nodes, "draw_dot")
    order = root._topological_order()
    neurons = () if groups is None else tuple(neuron_boxes(order, groups))
    check_size(len(order) - len(hidden(neurons)), max_nodes, groups is None, "draw_dot")
    grads = {node: node.grad for node in order} if show_grad else None
    return digraph(order, grads, rankdir, format, neurons)


# --- writing files ------------------------------------------------------------------


def save(graph: graphviz.Digraph, path: str | os.PathLike) -> Path:
    """Render ``graph`` to ``path`` as SVG, PNG or PDF, chosen by the path's suffix.

    Parent folders are created; the file appears whole or not at all (written
    to a temp file beside it, then renamed).

    Parameters
    ----------
    graph : graphviz.Digraph
        From `draw_dot` or `autograd.viz.frames.backprop_steps` (any graphviz graph works).
    path : str or os.PathLike
        Ends in ``.svg``, ``.png`` or ``.pdf``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    GraphvizNotFoundError
        If Graphviz's ``dot`` program is not installed.

    Examples
    --------
    >>> import tempfile
    >>> e = Value(2.0, label="a") * Value(-3.0, label="b")
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = save(draw_dot(e), Path(tmp) / "pictures" / "e.svg")
    ...     print(written.name, written.read_bytes()[:5])
    e.svg b'<?xml'
    """
    if not isinstance(graph, graphviz.Digraph | graphviz.Graph):
        raise TypeError(f"save: graph must be a graphviz graph, got {type(graph).__name__}")
    path = Path(path)
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in SAVE_FORMATS:
        raise ValueError(f"save: path must end in .svg, .png or .pdf, got {str(path)!r}")
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, render(graph, suffix))
    return path


def render(graph: graphviz.Digraph | graphviz.Graph, format: str) -> bytes:
    with explain_missing_dot():
        return graph.pipe(format=format)
