"""Pictures of a `Value` graph, and of backpropagation running through it.

* `autograd.viz.graph`: `draw_dot` turns a graph into a `graphviz.Digraph`
  (one box per `Value`, one circle per op), `save` renders it to a file.
* `autograd.viz.neurons`: which values one neuron computes, for drawing each
  neuron as one box (``draw_dot(loss, groups=model.neuron_groups())``).
* `autograd.viz.frames`: `backprop_steps` yields one picture per step of
  ``backward()``; `save_backprop_animation` writes them to disk.
* `autograd.viz.player`: `backprop_player` steps through ``backward()`` in
  the browser or Jupyter (buttons, slider, arrow keys), one self-contained page.
* `autograd.viz.text`: `trace_text` / `print_graph` give the same graph as
  text, a Wengert list ``e = a * b   (data=-6, grad=-2)``, with no Graphviz.

Building a picture needs only the ``graphviz`` Python package; turning it into
SVG, PNG or PDF (`save`, Jupyter) needs Graphviz's ``dot`` program.

Examples
--------
>>> from autograd import Value
>>> x = Value(0.5, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> graph = draw_dot(y)  # a graphviz.Digraph: save(graph, "y.svg"), or show it in Jupyter
>>> len(list(backprop_steps(y)))  # one picture per op: tanh, then *
2
"""

# The pictures, and their look and options (importable from here as before the split).
from autograd.viz.frames import (  # noqa: F401
    COMPLETE_FILL,
    CURRENT_EDGE,
    CURRENT_FILL,
    LEGEND,
    RECEIVING_FILL,
    UNREACHED_FONT,
    backprop_steps,
    save_backprop_animation,
)
from autograd.viz.graph import (  # noqa: F401
    COMPUTED_FILL,
    EDGE_STYLE,
    FONT,
    GRAPH_STYLE,
    INPUT_FILL,
    INSTALL_HINT,
    NEURON_FILL,
    OP_STYLE,
    RANKDIRS,
    SAVE_FORMATS,
    VALUE_STYLE,
    Drawing,
    GraphvizNotFoundError,
    draw_dot,
    save,
)
from autograd.viz.player import BackpropPlayer, backprop_player
from autograd.viz.text import print_graph, trace_text

__all__ = [
    "BackpropPlayer",
    "GraphvizNotFoundError",
    "backprop_player",
    "backprop_steps",
    "draw_dot",
    "print_graph",
    "save",
    "save_backprop_animation",
    "trace_text",
]
