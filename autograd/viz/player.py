"""An interactive backprop player: `backprop_player` steps through ``backward()`` in a page.

The frames are `autograd.viz.frames`' own (the pictures `backprop_steps`
draws, with each step's arithmetic written beside the picture instead of in
it). The player shows itself inline in Jupyter and `BackpropPlayer.save`
writes it as one self-contained HTML file: every frame's SVG is inside it,
with a little JavaScript for the previous/next buttons, the slider and the
arrow keys, and nothing is loaded from anywhere else.

Examples
--------
>>> from autograd import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> player = backprop_player((a * b).tanh())
>>> len(player), player.steps[0].title
(2, 'Step 1 of 2: chain rule at v3 = tanh(v2)')
"""

from __future__ import annotations

import hashlib
import html
import itertools
import os
from pathlib import Path

from autograd.files import atomic_write
from autograd.value import Value
from autograd.viz.frames import (
    COMPLETE_FILL,
    CURRENT_FILL,
    RECEIVING_FILL,
    Step,
    steady_widths,
    step_frames,
)
from autograd.viz.graph import render

__all__ = ["BackpropPlayer", "backprop_player"]

SUFFIXES = (".html", ".htm")
_count = itertools.count(1)  # one id per player shown in a notebook, the same on a re-run

STYLE = """
.tgp { font-family: Helvetica, Arial, sans-serif; color: #212121; outline: none; }
.tgp h2 { font-size: 1.15em; margin: 0 0 0.5em; }
.tgp-controls { display: flex; align-items: center; gap: 0.6em; margin-bottom: 0.6em; }
.tgp-controls button { font-size: 1em; padding: 0.25em 0.8em; cursor: pointer; }
.tgp-slider { flex: 1 1 auto; max-width: 28em; }
.tgp-counter { font-variant-numeric: tabular-nums; min-width: 7em; }
.tgp-hint { color: #757575; font-size: 0.9em; }
.tgp-body { display: flex; flex-wrap: wrap; gap: 1em; align-items: flex-start; }
.tgp-pictures, .tgp-arithmetic { display: grid; }
/* the picture at its own size (at most the page's width), the arithmetic beside it where
   there is room, else below it */
.tgp-pictures { flex: 0 1 auto; max-width: 100%; }
.tgp-arithmetic { flex: 1 1 24em; }
.tgp-frame, .tgp-step { grid-area: 1 / 1; visibility: hidden; }
.tgp-frame.tgp-current, .tgp-step.tgp-current { visibility: visible; }
.tgp-frame svg { max-width: 100%; height: auto; }
.tgp-step h3 { font-size: 1em; margin: 0 0 0.5em; }
.tgp-step code { display: block; white-space: pre-wrap; margin: 0 0 0.4em 1em; font-size: 1rem; }
.tgp-legend { margin-top: 0.8em; font-size: 0.9em; }
.tgp-legend span { display: inline-block; width: 0.9em; height: 0.9em;
  border: 1px solid #757575; margin: 0 0.3em 0 0.8em; vertical-align: -0.1em; }
"""

# Steps through the frames; ``keys`` is the element listening to the arrow keys.
SCRIPT = """
(function () {
  var player = document.getElementById(%(id)s);
  var frames = player.querySelectorAll(".tgp-frame");
  var steps = player.querySelectorAll(".tgp-step");
  var slider = player.querySelector(".tgp-slider");
  var counter = player.querySelector(".tgp-counter");
  var previous = player.querySelector(".tgp-previous");
  var next = player.querySelector(".tgp-next");
  var current = 0;
  function show(index) {
    current = Math.max(0, Math.min(frames.length - 1, index));
    for (var k = 0; k < frames.length; k++) {
      frames[k].classList.toggle("tgp-current", k === current);
      steps[k].classList.toggle("tgp-current", k === current);
    }
    slider.value = current + 1;
    counter.textContent = "Step " + (current + 1) + " of " + frames.length;
    previous.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    player.setAttribute("data-step", current + 1);
  }
  previous.addEventListener("click", function () { show(current - 1); });
  next.addEventListener("click", function () { show(current + 1); });
  slider.addEventListener("input", function () { show(slider.value - 1); });
  %(keys)s.addEventListener("keydown", function (event) {
    if (event.target === slider) { return; }  // the slider moves itself with the arrows
    var moves = {ArrowRight: current + 1, ArrowLeft: current - 1,
                 Home: 0, End: frames.length - 1};
    if (event.key in moves) { show(moves[event.key]); event.preventDefault(); }
  });
  show(0);
})();
"""


class BackpropPlayer:
    """``backward()`` of a graph as a page of frames, one chain-rule step each.

    Made by `backprop_player`. In Jupyter it shows itself (``_repr_html_``);
    `save` writes it as a self-contained HTML file.

    Attributes
    ----------
    steps : tuple of Step
        Each frame's arithmetic (`autograd.viz.frames.Step`).
    frames : tuple of str
        Each frame's picture, as SVG text.
    title : str
        The heading above the player.

    Examples
    --------
    >>> from autograd import Value
    >>> player = backprop_player(Value(2.0, label="a") * Value(-3.0, label="b"))
    >>> player.frames[0].startswith("<svg"), "a.grad = -3" in player.steps[0].lines[0]
    (True, True)
    """

    def __init__(self, steps: list[Step], frames: list[str], title: str) -> None:
        self.steps = tuple(steps)
        self.frames = tuple(frames)
        self.title = title

    def __len__(self) -> int:
        return len(self.frames)

    def __repr__(self) -> str:
        return f"<BackpropPlayer: {len(self)} steps of backward()>"

    def _repr_html_(self) -> str:
        """The player inline in a notebook (the arrow keys work once it is clicked)."""
        return self._fragment(f"{self._id()}-{next(_count)}", keys_on_page=False)

    def html(self) -> str:
        """The whole page `save` writes: the player, its style and its script.

        Examples
        --------
        >>> from autograd import Value
        >>> page = backprop_player(Value(2.0) * 3.0).html()
        >>> page.startswith("<!DOCTYPE html>"), "<script src" in page
        (True, False)
        """
        return (
            '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(self.title)}</title>\n</head>\n"
            f"<body>\n{self._fragment(self._id(), keys_on_page=True)}\n</body>\n</html>\n"
        )

    def save(self, path: str | os.PathLike) -> Path:
        """Write the player to ``path`` (``.html``), whole or not at all.

        Parent folders are created; the file is written to a temporary file
        beside it, then renamed (`autograd.files.atomic_write`).

        Returns
        -------
        pathlib.Path
            The path written.

        Examples
        --------
        >>> import tempfile
        >>> from autograd import Value
        >>> with tempfile.TemporaryDirectory() as tmp:
        ...     written = backprop_player(Value(2.0) * 3.0).save(Path(tmp) / "backprop.html")
        ...     print(written.name, written.stat().st_size > 1000)
        backprop.html True
        """
        path = Path(path)
        if path.suffix.lower() not in SUFFIXES:
            raise ValueError(f"BackpropPlayer.save: path must end in .html, got {str(path)!r}")
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, self.html().encode("utf-8"))
        return path

    def _id(self) -> str:
        digest = hashlib.sha1("".join(self.frames).encode("utf-8")).hexdigest()[:8]
        return f"tapegrad-player-{digest}"

    def _fragment(self, element_id: str, keys_on_page: bool) -> str:
        total = len(self)
        frames = "".join(
            f'<div class="tgp-frame{" tgp-current" if i == 0 else ""}" data-step="{i + 1}">'
            f"{svg}</div>\n"
            for i, svg in enumerate(self.frames)
        )
        steps = "".join(
            f'<div class="tgp-step{" tgp-current" if i == 0 else ""}">'
            f"<h3>{html.escape(step.title)}</h3>"
            + "".join(f"<code>{html.escape(line)}</code>" for line in step.lines)
            + "</div>\n"
            for i, step in enumerate(self.steps)
        )
        legend = "".join(
            f'<span style="background: {fill}"></span>{html.escape(words)}'
            for fill, words in (
                (CURRENT_FILL, "chain rule applied now"),
                (RECEIVING_FILL, "gradient received"),
                (COMPLETE_FILL, "gradient complete"),
            )
        )
        script = SCRIPT % {
            "id": f'"{element_id}"',
            "keys": "document" if keys_on_page else "player",
        }
        return (
            f"<style>{STYLE}</style>\n"
            f'<div class="tgp" id="{element_id}" tabindex="0" data-step="1">\n'
            f"<h2>{html.escape(self.title)}</h2>\n"
            '<div class="tgp-controls">'
            '<button type="button" class="tgp-previous" title="previous step (←)">'
            "◀ previous</button>"
            f'<input type="range" class="tgp-slider" min="1" max="{total}" value="1" '
            'aria-label="step">'
            '<button type="button" class="tgp-next" title="next step (→)">next ▶</button>'
            f'<span class="tgp-counter">Step 1 of {total}</span>'
            '<span class="tgp-hint">← → keys step too</span></div>\n'
            f'<div class="tgp-body"><div class="tgp-pictures">\n{frames}</div>'
            f'<div class="tgp-arithmetic">\n{steps}</div></div>\n'
            f'<div class="tgp-legend">{legend}</div>\n'
            f"</div>\n<script>{script}</script>"
        )


def backprop_player(
    root: Value, rankdir: str = "LR", max_nodes: int = 200, title: str | None = None
) -> BackpropPlayer:
    """Step through ``root.backward()`` one chain-rule step at a time, in a page.

    Each frame is a step of `backprop_steps` (the node whose chain rule runs
    in orange, the operands receiving gradient in yellow, complete gradients
    in green), with the step's arithmetic beside it. Previous/next buttons, a
    slider and the left/right arrow keys move between the steps. The graph's
    own gradients are left as they were.

    Parameters
    ----------
    root : Value
        The result backpropagated from.
    rankdir : {"LR", "TB", "RL", "BT"}
        As in `draw_dot`.
    max_nodes : int
        Refuse graphs with more values than this: the page holds one picture
        of the whole graph per step.
    title : str, optional
        The heading; by default it names ``backward()`` of the root.

    Returns
    -------
    BackpropPlayer
        Shown inline in Jupyter; ``.save("backprop.html")`` writes one
        self-contained HTML file.

    Raises
    ------
    ValueError
        If ``root`` is an input (no op made it: ``backward()`` has no step).
    GraphvizNotFoundError
        If Graphviz's ``dot`` program is not installed.

    Examples
    --------
    >>> from autograd import Value
    >>> x = Value(0.5, label="x")
    >>> player = backprop_player(x * x + x)
    >>> [step.title for step in player.steps]
    ['Step 1 of 2: chain rule at v2 = v1 + x', 'Step 2 of 2: chain rule at v1 = x * x']
    """
    if title is not None and not isinstance(title, str):
        raise TypeError(f"backprop_player: title must be a str, got {type(title).__name__}")
    pairs = list(step_frames(root, rankdir, "svg", max_nodes, "backprop_player"))
    if not pairs:
        raise ValueError(
            "backprop_player: root is an input (no op made it), so backward() has no step to show"
        )
    steps = [step for step, _ in pairs]
    drawings = steady_widths([drawing for _, drawing in pairs])
    frames = [_inline_svg(render(drawing, "svg")) for drawing in drawings]
    name = root.label or "the result"
    return BackpropPlayer(steps, frames, title or f"backward() of {name}, step by step")


def _inline_svg(svg: bytes) -> str:
    """Graphviz's SVG document as an element to put in a page (no XML prolog)."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :].strip()
