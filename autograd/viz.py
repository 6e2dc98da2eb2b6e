"""Pictures of a `Value` graph, and of backpropagation running through it.

* `draw_dot` turns a graph into a `graphviz.Digraph`: one box per `Value`
  (its name, data and grad) and one small circle per op, with arrows in the
  direction data flows. In Jupyter the result shows itself as SVG.
* `backprop_steps` yields one picture per step of ``backward()``: the node
  whose local chain rule is applied, the operands receiving gradient, and every
  gradient filled in so far. `save_backprop_animation` writes them to disk.
* `trace_text` / `print_graph` give the same graph as text, a Wengert list
  ``e = a * b   (data=-6, grad=-2)``, which needs no Graphviz at all.

Building a picture needs only the ``graphviz`` Python package; turning it into
SVG, PNG or PDF (`save`, Jupyter) needs Graphviz's ``dot`` program.

Examples
--------
>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> e = a * b
>>> e.label = "e"
>>> e.backward()
>>> print_graph(e)
a = input   (data=2, grad=-3)
b = input   (data=-3, grad=2)
e = a * b   (data=-6, grad=1)
>>> graph = draw_dot(e)  # a graphviz.Digraph: save(graph, "e.svg"), or show it in Jupyter
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import graphviz

from autograd.files import atomic_write
from autograd.value import Value

__all__ = [
    "GraphvizNotFoundError",
    "backprop_steps",
    "draw_dot",
    "print_graph",
    "save",
    "save_backprop_animation",
    "trace_text",
]

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
# Backprop frames: the step's node (orange), its operands (yellow), gradients
# that are complete (green), and not yet reached (grey text).
CURRENT_FILL = "#ffb74d"
RECEIVING_FILL = "#fff59d"
COMPLETE_FILL = "#c8e6c9"
CURRENT_EDGE = {"color": "#e65100", "penwidth": "2.2"}
UNREACHED_FONT = "#9e9e9e"
LEGEND = "orange: chain rule applied now   yellow: gradient received   green: gradient complete"


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
def _explain_missing_dot() -> Iterator[None]:
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
        with _explain_missing_dot():
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
        with _explain_missing_dot():
            return super().render(*args, **kwargs)


def _check_root(root: object, where: str) -> None:
    if not isinstance(root, Value):
        raise TypeError(f"{where}: root must be a Value, got {type(root).__name__} ({root!r})")


def _check_options(rankdir: str, format: str, max_nodes: int, where: str) -> None:
    if rankdir not in RANKDIRS:
        raise ValueError(f"{where}: rankdir must be one of {RANKDIRS}, got {rankdir!r}")
    if format not in graphviz.FORMATS:
        raise ValueError(f"{where}: format {format!r} is not a Graphviz output format")
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int):
        raise TypeError(f"{where}: max_nodes must be an int, got {type(max_nodes).__name__}")
    if max_nodes < 1:
        raise ValueError(f"{where}: max_nodes must be at least 1, got {max_nodes}")


def _check_size(count: int, max_nodes: int, collapse: bool, where: str) -> None:
    if count <= max_nodes:
        return
    hint = "" if collapse else ", or collapse=True to draw each nn neuron as one box"
    raise ValueError(
        f"{where}: the graph has {count} values, more than max_nodes={max_nodes}; a picture "
        f"that large is unreadable and slow to lay out. Pass a larger max_nodes={count}{hint}."
    )


# --- naming and text -------------------------------------------------------------


def _fmt(x: float) -> str:
    """``x`` to 4 significant digits; ``+ 0.0`` turns -0.0 into 0."""
    return f"{x + 0.0:.4g}"


def _names(order: list[Value]) -> dict[Value, str]:
    """Each node's label when that label is unique in the graph, else ``v<position>``."""
    counts: dict[str, int] = {}
    for node in order:
        counts[node.label] = counts.get(node.label, 0) + 1
    return {
        node: node.label if node.label and counts[node.label] == 1 else f"v{i}"
        for i, node in enumerate(order)
    }


def _expression(node: Value, names: Mapping[Value, str]) -> str:
    """The right-hand side of ``node``'s line in the Wengert list: ``a * b``, ``tanh(a)``."""
    if node._row is None:
        return "input"
    args = [names[child] for child in node._prev]
    if node._param is not None:
        args.append(f"{node._param:g}")
    symbol = node._row.symbol
    if symbol.isidentifier():  # a function: tanh(a), leaky_relu(a, 0.01)
        return f"{symbol}({', '.join(args)})"
    return f" {symbol} ".join(args)  # an operator: a * b, a ** 2


def trace_text(root: Value) -> str:
    """The graph below ``root`` as a Wengert list: one assignment per node.

    Nodes come in topological order (every operand before its result), each
    once, named by its label or ``v<position>``. Needs no Graphviz.

    Examples
    --------
    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> y = (x * x).tanh()
    >>> print(trace_text(y))
    x = input       (data=3, grad=0)
    v1 = x * x      (data=9, grad=0)
    v2 = tanh(v1)   (data=1, grad=0)
    """
    _check_root(root, "trace_text")
    order = root._topological_order()
    names = _names(order)
    lines = [(f"{names[n]} = {_expression(n, names)}", n) for n in order]
    width = max(len(left) for left, _ in lines)
    return "\n".join(
        f"{left:<{width}}   (data={_fmt(n.data)}, grad={_fmt(n.grad)})" for left, n in lines
    )


def print_graph(root: Value) -> None:
    """Print `trace_text` of ``root``: the graph as numbered assignments.

    Examples
    --------
    >>> from autograd import Value
    >>> print_graph(Value(2.0, label="a") + 1)
    a = input     (data=2, grad=0)
    v1 = input    (data=1, grad=0)
    v2 = a + v1   (data=3, grad=0)
    """
    print(trace_text(root))


# --- collapsing nn neurons ---------------------------------------------------------


@dataclass(frozen=True)
class _Neuron:
    """A neuron drawn as one box: its output, the values it hides, its inputs."""

    output: Value
    members: frozenset[Value]
    inputs: tuple[Value, ...]


def _neurons(order: list[Value]) -> list[_Neuron]:
    """Find the nn neurons in a graph by their labels.

    An nn neuron labels its output with its module path (``"layers.1.neurons.0"``)
    and its parameters with names under that path (``"layers.1.neurons.0.w.2"``).
    The neuron's box holds its output and every node between its parameters and
    its output; whatever else feeds it (the previous layer) is its input.
    """
    prefixes = set()
    for node in order:
        if node._row is None and node.label:
            parts = node.label.split(".")
            prefixes.update(".".join(parts[:i]) for i in range(1, len(parts)))
    outputs = {node for node in order if node._row is not None and node.label in prefixes}
    position = {node: i for i, node in enumerate(order)}
    found = []
    for output in order:  # topological order keeps the boxes' order stable
        if output in outputs:
            members = _members(output, output.label + ".", outputs)
            inputs = {c for m in members for c in m._prev if c not in members}
            ordered = tuple(sorted(inputs, key=position.__getitem__))
            found.append(_Neuron(output, frozenset(members), ordered))
    return found


def _members(output: Value, prefix: str, outputs: set[Value]) -> set[Value]:
    """``output`` and the nodes below it that depend on a parameter named ``prefix...``."""
    inside: dict[Value, bool] = {}
    stack = [(child, False) for child in output._prev]
    while stack:  # post-order over an explicit stack: a node after its operands
        node, operands_done = stack.pop()
        if node in inside:
            continue
        if node._row is None or node in outputs:  # a leaf, or another neuron: a boundary
            inside[node] = node._row is None and node.label.startswith(prefix)
        elif operands_done:
            inside[node] = any(inside[child] for child in node._prev)
        else:
            stack.append((node, True))
            stack.extend((child, False) for child in node._prev if child not in inside)
    return {output} | {node for node, yes in inside.items() if yes}


def _hidden(neurons: tuple[_Neuron, ...]) -> set[Value]:
    """The values inside neuron boxes, not drawn themselves."""
    return {m for n in neurons for m in n.members} - {n.output for n in neurons}


def _neuron_caption(neuron: _Neuron) -> str:
    out = neuron.output
    kind = out._op if len(out._prev) == 1 else "linear"
    params = sum(1 for m in neuron.members if m._row is None)
    return f"{kind} neuron: {len(neuron.inputs)} in, {params} params"


# --- building the Digraph -----------------------------------------------------------


def _record(fields: list[str], rankdir: str) -> str:
    """A record label with ``fields`` side by side whatever the rank direction."""
    escaped = [f.translate(str.maketrans({c: "\\" + c for c in "\\{}|<>"})) for f in fields]
    body = " | ".join(escaped)
    return "{ " + body + " }" if rankdir in ("LR", "RL") else body


@dataclass
class _Paint:
    """Per-picture styling: extra attributes for value nodes, op nodes, edges."""

    values: Mapping[Value, Mapping[str, str]]
    ops: Mapping[Value, Mapping[str, str]]
    edges_into: Mapping[Value, Mapping[str, str]]  # every edge of that node's op


NO_PAINT = _Paint({}, {}, {})


def _digraph(
    order: list[Value],
    grads: Mapping[Value, float] | None,
    rankdir: str,
    format: str,
    neurons: tuple[_Neuron, ...] = (),
    paint: _Paint = NO_PAINT,
) -> Drawing:
    """Draw the nodes of ``order``; ``grads`` None leaves gradients out."""
    names = _names(order)
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    boxes = {n.output: n for n in neurons}
    hidden = _hidden(neurons)
    graph = Drawing(
        format=format,
        graph_attr={"rankdir": rankdir, **GRAPH_STYLE},
        node_attr=VALUE_STYLE,
        edge_attr=EDGE_STYLE,
    )
    for node in order:
        if node in hidden:
            continue
        box = boxes.get(node)
        # A neuron box is named by its module path, even when a batch repeats it.
        fields = [box.output.label, _neuron_caption(box)] if box else [names[node]]
        fields.append(f"data {_fmt(node.data)}")
        tooltip = f"{names[node]}: data={node.data!r}"  # full precision, on hover in SVG
        if grads is not None:
            fields.append(f"grad {_fmt(grads[node])}")
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
    rankdir: str = "LR",
    show_grad: bool = True,
    format: str = "svg",
    max_nodes: int = 500,
    collapse: bool = False,
) -> graphviz.Digraph:
    """Draw the graph below ``root``: values as boxes, ops as circles.

    Parameters
    ----------
    root : Value
        The result whose graph is drawn (often a loss).
    rankdir : {"LR", "TB", "RL", "BT"}
        Direction data flows in the picture: left to right by default.
    show_grad : bool
        Show each value's ``.grad`` beside its data.
    format : str
        Output format used by ``graph.render()``; `save` picks it from the path.
    max_nodes : int
        Refuse (``ValueError``) graphs with more values than this.
    collapse : bool
        Draw each ``nn`` neuron as one box (found by its labels), for models too
        large to draw value by value.

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
    _check_root(root, "draw_dot")
    _check_options(rankdir, format, max_nodes, "draw_dot")
    order = root._topological_order()
    neurons = tuple(_neurons(order)) if collapse else ()
    _check_size(len(order) - len(_hidden(neurons)), max_nodes, collapse, "draw_dot")
    grads = {node: node.grad for node in order} if show_grad else None
    return _digraph(order, grads, rankdir, format, neurons)


# --- backprop, step by step ---------------------------------------------------------


def backprop_steps(
    root: Value, rankdir: str = "LR", format: str = "svg", max_nodes: int = 500
) -> Iterator[graphviz.Digraph]:
    """Yield one picture per step of ``root.backward()``.

    Each step is one node, in reverse topological order (the root first),
    passing its gradient to its operands by the chain rule
    ``operand.grad += d node / d operand * node.grad``. The picture highlights
    that node and its operands, shows every gradient filled in so far, and
    spells the step out in its caption.

    The gradients are computed on the side, with the local derivatives of the
    op table: the graph's own ``.grad`` are left untouched. They are those of
    one ``backward()`` pass starting from zero (as after ``zero_grad()``).

    Parameters
    ----------
    root : Value
        The result backpropagated from (its gradient is seeded with 1).
    rankdir, format, max_nodes
        As in `draw_dot`.

    Yields
    ------
    graphviz.Digraph
        One per node that an op produced.

    Examples
    --------
    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> frames = list(backprop_steps((a * b).tanh()))
    >>> len(frames)  # one per op: mul, then tanh
    2
    >>> a.grad  # the real graph is untouched
    0.0
    """
    _check_root(root, "backprop_steps")
    _check_options(rankdir, format, max_nodes, "backprop_steps")
    order = root._topological_order()
    _check_size(len(order), max_nodes, False, "backprop_steps")
    names = _names(order)
    grads = dict.fromkeys(order, 0.0)
    grads[root] = 1.0
    reached = {root}
    uses_left = {node: 0 for node in order}  # how many results still owe a node gradient
    for node in order:
        for child in node._prev:
            uses_left[child] += 1
    steps = [node for node in reversed(order) if node._row is not None]
    most_operands = max((len(node._prev) for node in steps), default=0)
    for number, node in enumerate(steps, 1):
        lines = []
        for child, local in zip(node._prev, node._local_derivatives()):
            grads[child] += local * grads[node]  # the chain rule, as backward() applies it
            uses_left[child] -= 1
            reached.add(child)
            lines.append(
                f"{names[child]}.grad += ∂{names[node]}/∂{names[child]} × {names[node]}.grad"
                f" = {_fmt(local)} × {_fmt(grads[node])}   ⇒   "
                f"{names[child]}.grad = {_fmt(grads[child])}"
            )
        title = (
            f"Step {number} of {len(steps)}: chain rule at "
            f"{names[node]} = {_expression(node, names)}"
        )
        paint = _step_paint(order, node, reached, uses_left)
        graph = _digraph(order, grads, rankdir, format, paint=paint)
        lines += [" "] * (most_operands - len(lines))  # same caption height in every frame
        caption = "\\l".join([title, *("    " + line for line in lines), LEGEND]) + "\\l"
        graph.attr(label=caption, labelloc="t", labeljust="l", fontname=FONT, fontsize="13")
        yield graph


def _step_paint(
    order: list[Value], node: Value, reached: set[Value], uses_left: Mapping[Value, int]
) -> _Paint:
    """Colours for the step at ``node``: it, its operands, complete and unreached values."""
    values: dict[Value, dict[str, str]] = {}
    for other in order:
        if other not in reached:
            values[other] = {"fontcolor": UNREACHED_FONT, "color": UNREACHED_FONT}
        elif uses_left[other] == 0:  # every path to the root is summed in
            values[other] = {"fillcolor": COMPLETE_FILL}
    for child in node._prev:
        values[child] = {"fillcolor": RECEIVING_FILL, "penwidth": "2"}
    values[node] = {"fillcolor": CURRENT_FILL, "penwidth": "2"}
    ops = {node: {"fillcolor": CURRENT_FILL, "color": CURRENT_EDGE["color"], "penwidth": "2"}}
    return _Paint(values, ops, {node: CURRENT_EDGE})


# --- writing files ------------------------------------------------------------------


def save(graph: graphviz.Digraph, path: str | os.PathLike) -> Path:
    """Render ``graph`` to ``path`` as SVG, PNG or PDF, chosen by the path's suffix.

    Parent folders are created; the file appears whole or not at all (written
    to a temp file beside it, then renamed).

    Parameters
    ----------
    graph : graphviz.Digraph
        From `draw_dot` or `backprop_steps` (any graphviz graph works).
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
    atomic_write(path, _render(graph, suffix))
    return path


def _render(graph: graphviz.Digraph | graphviz.Graph, format: str) -> bytes:
    with _explain_missing_dot():
        return graph.pipe(format=format)


def save_backprop_animation(
    root: Value, path: str | os.PathLike, rankdir: str = "LR", seconds_per_step: float = 2.0
) -> list[Path]:
    """Write the `backprop_steps` of ``root`` as numbered SVGs and an animated GIF.

    Parameters
    ----------
    root : Value
        The result backpropagated from.
    path : str or os.PathLike
        A folder, which receives ``step_001.svg``, ... and ``backprop.gif``; or a
        ``.gif`` file, whose frames go to the folder ``<name>_frames`` beside it.
    rankdir : str
        As in `draw_dot`.
    seconds_per_step : float
        How long the GIF shows each step (the last one twice as long).

    Returns
    -------
    list of pathlib.Path
        The SVG frames, then the GIF. The GIF is written only when Pillow is
        installed (``pip install tapegrad[gif]``).

    Examples
    --------
    >>> import tempfile
    >>> e = Value(2.0, label="a") * Value(-3.0, label="b")
    >>> e.backward()
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     written = save_backprop_animation(e, tmp)  # one step: the multiplication
    >>> [p.name for p in written]
    ['step_001.svg', 'backprop.gif']
    """
    path = Path(path)
    if path.suffix.lower() == ".gif":
        gif, folder = path, path.with_name(path.stem + "_frames")
    elif path.suffix:
        raise ValueError(f"save_backprop_animation: path must be a folder or a .gif, got {path}")
    else:
        gif, folder = path / "backprop.gif", path
    if isinstance(seconds_per_step, bool) or not isinstance(seconds_per_step, int | float):
        raise TypeError(
            "save_backprop_animation: seconds_per_step must be a number, "
            f"got {type(seconds_per_step).__name__}"
        )
    if not seconds_per_step > 0:
        raise ValueError(
            f"save_backprop_animation: seconds_per_step must be > 0, got {seconds_per_step!r}"
        )
    frames = _steady(list(backprop_steps(root, rankdir=rankdir)))
    if not frames:
        raise ValueError(
            "save_backprop_animation: root is an input (no op made it), so backward() has "
            "no step to show"
        )
    digits = max(3, len(str(len(frames))))
    written = [
        save(frame, folder / f"step_{i:0{digits}d}.svg") for i, frame in enumerate(frames, 1)
    ]
    try:
        from PIL import Image
    except ImportError:  # the GIF is an optional extra
        return written
    images = [Image.open(io.BytesIO(_render(frame, "png"))).convert("RGB") for frame in frames]
    atomic_write(gif, _gif_bytes(images, seconds_per_step))
    return [*written, gif]


def _steady(frames: list[graphviz.Digraph]) -> list[graphviz.Digraph]:
    """Give each box its widest width of all frames, so the animation does not jiggle."""
    widths: dict[str, float] = {}
    for frame in frames:
        for box in json.loads(_render(frame, "json")).get("objects", []):
            widths[box["name"]] = max(widths.get(box["name"], 0.0), float(box["width"]))
    for frame in frames:
        for name, width in widths.items():
            frame.node(name, width=f"{width:.3f}")  # a later statement adds to a node's attributes
    return frames


def _gif_bytes(images: list, seconds_per_step: float) -> bytes:
    """Frames of different sizes, centred on one white canvas, as a looping GIF."""
    from PIL import Image

    width = max(image.width for image in images)
    height = max(image.height for image in images)
    canvases = []
    for image in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(image, ((width - image.width) // 2, 0))
        canvases.append(canvas)
    step_ms = math.ceil(seconds_per_step * 1000)
    durations = [step_ms] * (len(canvases) - 1) + [2 * step_ms]
    buffer = io.BytesIO()
    canvases[0].save(
        buffer, "GIF", save_all=True, append_images=canvases[1:], duration=durations, loop=0
    )
    return buffer.getvalue()
