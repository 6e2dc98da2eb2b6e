"""Backpropagation, one picture per step: `backprop_steps` and `save_backprop_animation`.

Each frame is one step of ``backward()``: the node whose chain rule is applied
(orange), the operands receiving gradient (yellow), every gradient complete so
far (green). The steps are the engine's own: the frames run `Value._backward`
node by node, exactly as ``backward()`` does, then give the graph back its
gradients; nothing here computes a derivative.

Examples
--------
>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> [frame] = backprop_steps(a * b)
>>> "Step 1 of 1" in frame.source
True
"""

from __future__ import annotations

import io
import json
import math
import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from autograd.files import atomic_write
from autograd.value import Value
from autograd.viz.graph import (
    FONT,
    Drawing,
    Paint,
    check_options,
    check_size,
    digraph,
    render,
    save,
)
from autograd.viz.text import check_root, expression, fmt, names_of

__all__ = ["Step", "backprop_steps", "save_backprop_animation", "step_frames"]

# Backprop frames: the step's node (orange), its operands (yellow), gradients
# that are complete (green), and not yet reached (grey text).
CURRENT_FILL = "#ffb74d"
RECEIVING_FILL = "#fff59d"
COMPLETE_FILL = "#c8e6c9"
CURRENT_EDGE = {"color": "#e65100", "penwidth": "2.2"}
UNREACHED_FONT = "#9e9e9e"
LEGEND = "orange: chain rule applied now   yellow: gradient received   green: gradient complete"


@dataclass(frozen=True)
class Step:
    """One step of ``backward()`` in words: the caption of its frame.

    ``title`` names the node whose chain rule runs, ``lines`` give one
    operand's update each, with the numbers.

    Examples
    --------
    >>> from autograd import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> [(step, _)] = step_frames(a * b)
    >>> step.title
    'Step 1 of 1: chain rule at v2 = a * b'
    >>> step.lines[0]
    'a.grad += ∂v2/∂a × v2.grad = -3 × 1   ⇒   a.grad = -3'
    """

    number: int
    total: int
    title: str
    lines: tuple[str, ...]

    def caption(self, height: int = 0) -> str:
        """The frame's Graphviz caption: title, lines (padded to ``height``), legend."""
        lines = [*self.lines, *[" "] * (height - len(self.lines))]
        return "\\l".join([self.title, *("    " + line for line in lines), LEGEND]) + "\\l"


def backprop_steps(
    root: Value, rankdir: str = "LR", format: str = "svg", max_nodes: int = 500
) -> Iterator[Drawing]:
    """Yield one picture per step of ``root.backward()``.

    Each step is one node, in reverse topological order (the root first),
    passing its gradient to its operands by the chain rule
    ``operand.grad += d node / d operand * node.grad``. The picture highlights
    that node and its operands, shows every gradient filled in so far, and
    spells the step out in its caption.

    The steps are run on the graph itself with `Value._backward`, the step
    ``backward()`` runs, starting from zero gradients (as after
    ``zero_grad()``); the graph's own ``.grad`` are put back before the first
    frame is drawn.

    Parameters
    ----------
    root : Value
        The result backpropagated from (its gradient is seeded with 1).
    rankdir, format, max_nodes
        As in `draw_dot`.

    Yields
    ------
    Drawing
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
    steps = list(step_frames(root, rankdir, format, max_nodes, "backprop_steps"))
    height = max((len(step.lines) for step, _ in steps), default=0)
    for step, graph in steps:
        # the same caption height in every frame
        graph.attr(
            label=step.caption(height), labelloc="t", labeljust="l", fontname=FONT, fontsize="13"
        )
        yield graph


def step_frames(
    root: Value,
    rankdir: str = "LR",
    format: str = "svg",
    max_nodes: int = 500,
    where: str = "step_frames",
) -> Iterator[tuple[Step, Drawing]]:
    """The steps of `backprop_steps`, each with its picture before the caption is added.

    For showing a step's words beside its picture rather than in it, as
    `autograd.viz.player` does. Arguments as in `backprop_steps`; ``where``
    names the caller in error messages.
    """
    check_root(root, where)
    check_options(rankdir, format, max_nodes, where)
    order = root._topological_order()
    check_size(len(order), max_nodes, False, where)
    names = names_of(order)
    steps = _run_steps(root, order)
    grads = dict.fromkeys(order, 0.0)
    grads[root] = 1.0
    reached = {root}
    uses_left = {node: 0 for node in order}  # how many results still owe a node gradient
    for node in order:
        for child in node._prev:
            uses_left[child] += 1
    for number, (node, received) in enumerate(steps, 1):
        grads.update(received)
        lines = []
        for child, local in zip(node._prev, node._local_derivatives()):
            uses_left[child] -= 1
            reached.add(child)
            lines.append(
                f"{names[child]}.grad += ∂{names[node]}/∂{names[child]} × {names[node]}.grad"
                f" = {fmt(local)} × {fmt(grads[node])}   ⇒   "
                f"{names[child]}.grad = {fmt(grads[child])}"
            )
        title = (
            f"Step {number} of {len(steps)}: chain rule at "
            f"{names[node]} = {expression(node, names)}"
        )
        paint = _step_paint(order, node, reached, uses_left)
        yield (
            Step(number, len(steps), title, tuple(lines)),
            digraph(order, grads, rankdir, format, paint=paint),
        )


def _run_steps(root: Value, order: list[Value]) -> list[tuple[Value, dict[Value, float]]]:
    """Run ``backward()``'s steps on the graph, keep what each one did, restore the grads.

    One pass from zero gradients with the root seeded with 1, each op node's
    `Value._backward` in reverse topological order: exactly ``backward()``.
    Returns each step's node with its operands' gradients right after it.
    """
    saved = [node.grad for node in order]
    steps = []
    try:
        for node in order:
            node.grad = 0.0
        root.grad = 1.0
        for node in reversed(order):
            if node._row is not None:
                node._backward()
                steps.append((node, {child: child.grad for child in node._prev}))
    finally:
        for node, grad in zip(order, saved):
            node.grad = grad
    return steps


def _step_paint(
    order: list[Value], node: Value, reached: set[Value], uses_left: Mapping[Value, int]
) -> Paint:
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
    return Paint(values, ops, {node: CURRENT_EDGE})


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
        The SVG frames, then the GIF.

    Raises
    ------
    ImportError
        When Pillow, the ``gif`` extra (``pip install 'tapegrad[gif]'``), is not
        installed; nothing is written then.

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
    image_module = _require_pillow()  # asked for a GIF: fail before writing any frame
    frames = steady_widths(list(backprop_steps(root, rankdir=rankdir)))
    if not frames:
        raise ValueError(
            "save_backprop_animation: root is an input (no op made it), so backward() has "
            "no step to show"
        )
    digits = max(3, len(str(len(frames))))
    written = [
        save(frame, folder / f"step_{i:0{digits}d}.svg") for i, frame in enumerate(frames, 1)
    ]
    images = [
        image_module.open(io.BytesIO(render(frame, "png"))).convert("RGB") for frame in frames
    ]
    atomic_write(gif, _gif_bytes(image_module, images, seconds_per_step))
    return [*written, gif]


def steady_widths(frames: list[Drawing]) -> list[Drawing]:
    """Give each box its widest width of all frames, so the animation does not jiggle."""
    widths: dict[str, float] = {}
    for frame in frames:
        for box in json.loads(render(frame, "json")).get("objects", []):
            widths[box["name"]] = max(widths.get(box["name"], 0.0), float(box["width"]))
    for frame in frames:
        for name, width in widths.items():
            frame.node(name, width=f"{width:.3f}")  # a later statement adds to a node's attributes
    return frames


def _require_pillow():
    """Pillow's ``PIL.Image`` module, or an ImportError naming the ``gif`` extra."""
    try:
        from PIL import Image
    except ImportError as error:  # the GIF is an optional extra
        raise ImportError(
            "save_backprop_animation writes a GIF with Pillow, which is not installed; "
            "install the optional extra: pip install 'tapegrad[gif]'"
        ) from error
    return Image


def _gif_bytes(image_module, images: list, seconds_per_step: float) -> bytes:
    """Frames of different sizes, centred on one white canvas, as a looping GIF."""
    width = max(image.width for image in images)
    height = max(image.height for image in images)
    canvases = []
    for image in images:
        canvas = image_module.new("RGB", (width, height), "white")
        canvas.paste(image, ((width - image.width) // 2, 0))
        canvases.append(canvas)
    step_ms = math.ceil(seconds_per_step * 1000)
    durations = [step_ms] * (len(canvases) - 1) + [2 * step_ms]
    buffer = io.BytesIO()
    canvases[0].save(
        buffer, "GIF", save_all=True, append_images=canvases[1:], duration=durations, loop=0
    )
    return buffer.getvalue()
