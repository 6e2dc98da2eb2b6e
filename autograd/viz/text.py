"""A `Value` graph as text: a Wengert list, one assignment per node.

``e = a * b   (data=-6, grad=-2)``: the same graph `draw_dot` draws, needing
no Graphviz at all. The names and number format here are also the ones the
pictures use.

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
"""

from __future__ import annotations

from collections.abc import Mapping

from autograd.value import Value

__all__ = ["print_graph", "trace_text"]


def check_root(root: object, where: str) -> None:
    """Refuse a ``root`` that is not a `Value`, naming the function called."""
    if not isinstance(root, Value):
        raise TypeError(f"{where}: root must be a Value, got {type(root).__name__} ({root!r})")


def fmt(x: float) -> str:
    """``x`` to 4 significant digits; ``+ 0.0`` turns -0.0 into 0."""
    return f"{x + 0.0:.4g}"


def names_of(order: list[Value]) -> dict[Value, str]:
    """Each node's label when that label is unique in the graph, else ``v<position>``."""
    counts: dict[str, int] = {}
    for node in order:
        counts[node.label] = counts.get(node.label, 0) + 1
    return {
        node: node.label if node.label and counts[node.label] == 1 else f"v{i}"
        for i, node in enumerate(order)
    }


def expression(node: Value, names: Mapping[Value, str]) -> str:
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
    check_root(root, "trace_text")
    order = root._topological_order()
    names = names_of(order)
    lines = [(f"{names[n]} = {expression(n, names)}", n) for n in order]
    width = max(len(left) for left, _ in lines)
    return "\n".join(
        f"{left:<{width}}   (data={fmt(n.data)}, grad={fmt(n.grad)})" for left, n in lines
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
