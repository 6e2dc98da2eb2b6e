"""Draw the README's pictures with `autograd.viz`, so they always match the library.

Writes into ``docs/images/`` (or the folder given as the first argument):

* ``expression.svg``: L = (a*b + c) * f after ``L.backward()``,
* ``neuron.svg``: one tanh neuron o = tanh(x1*w1 + x2*w2 + b), forward and backward,
* ``backprop.gif`` and ``backprop_frames/step_*.svg``: backward() through L, step by step,
* ``backprop_player.html``: the same steps in the interactive player.

Run from the repository root::

    python scripts/make_readme_images.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from autograd import Value
from autograd.viz import (
    backprop_player,
    draw_dot,
    print_graph,
    save,
    save_backprop_animation,
)


def named(value: Value, label: str) -> Value:
    value.label = label
    return value


def expression() -> Value:
    """The classic first example: L = (a*b + c) * f."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = named(a * b, "e")
    d = named(e + c, "d")
    return named(d * f, "L")


def neuron() -> Value:
    """A neuron with two inputs, its bias chosen so that o = tanh(n) = 1/sqrt(2)."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    x1w1 = named(x1 * w1, "x1*w1")
    x2w2 = named(x2 * w2, "x2*w2")
    n = named(named(x1w1 + x2w2, "x1*w1 + x2*w2") + b, "n")
    return named(n.tanh(), "o")


def main(out: Path) -> None:
    L = expression()
    written = save_backprop_animation(L, out / "backprop.gif")
    written.append(backprop_player(L).save(out / "backprop_player.html"))
    L.backward()
    written.append(save(draw_dot(L), out / "expression.svg"))
    o = neuron()
    o.backward()
    written.append(save(draw_dot(o), out / "neuron.svg"))
    print_graph(o)
    for path in written:
        print(f"wrote {path}")


if __name__ == "__main__":
    root = Path(__file__).resolve().parent.parent
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else root / "docs" / "images")
