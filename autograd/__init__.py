"""tapegrad's autograd: a scalar `Value` graph, reverse mode, and pictures of both.

>>> from autograd import Value
>>> x = Value(2.0)
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
7.0
"""

from importlib.metadata import version

from autograd.check import gradcheck
from autograd.distribution import warn_if_shared
from autograd.ops import OPS, OPS_BY_NAME, Op
from autograd.value import Value

__version__ = version("tapegrad")  # the one version literal is pyproject.toml's
warn_if_shared("autograd")  # another distribution owning `autograd` would break both

__all__ = [
    "OPS",
    "OPS_BY_NAME",
    "Op",
    "Value",
    "__version__",
    "draw_dot",
    "gradcheck",
    "print_graph",
    "save",
    "trace_text",
]

_VIZ = ("draw_dot", "print_graph", "save", "trace_text")


def __getattr__(name: str):
    """The pictures, loaded when first asked for: ``import autograd`` needs no graphviz."""
    if name in _VIZ:
        from autograd import viz  # viz imports value, never the other way: no cycle

        return getattr(viz, name)
    raise AttributeError(f"module 'autograd' has no attribute {name!r}")
