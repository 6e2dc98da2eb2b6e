"""`Value`: a scalar that remembers how it was computed, and reverse-mode autograd.

Every arithmetic op on `Value` s builds a node of a graph: the result knows its
operands (``_prev``) and the op that made it (``_row``, a row of the op table
in `autograd.ops`; ``_op`` is its symbol, as micrograd spells it).
``backward()`` then walks that graph from the result back to the inputs, in
reverse topological order, and applies the chain rule:

    d root / d child  +=  d root / d node  *  d node / d child

summing over every path from the root to each node. That is all of reverse
mode; the rest of this file is operators that record nodes, and checks that
turn bad input into clear errors.

Examples
--------
>>> a = Value(2.0, label="a")
>>> b = Value(-3.0, label="b")
>>> c = a * b + a  # a is used twice: its gradient sums both paths
>>> c.backward()
>>> a.grad, b.grad  # dc/da = b + 1, dc/db = a
(-2.0, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from autograd.numbers import as_number
from autograd.ops import OPS_BY_NAME, Op

_OP = OPS_BY_NAME  # short alias for the operator methods below


class Value:
    """A scalar in a computation graph, with the gradient ``backward()`` fills in.

    Parameters
    ----------
    data : int or float
        The number. It must be finite: NaN and infinity are refused.
    label : str, optional
        A name shown in graph drawings and in ``repr``.

    Attributes
    ----------
    data : float
        The forward value.
    grad : float
        d root / d self after ``root.backward()``; 0.0 before.
    label : str
        The name given, or ``""``.
    _op : str
        The op's symbol as micrograd writes it (``'+'``, ``'**2'``, ``'ReLU'``),
        ``''`` for an input.
    _row : Op or None
        The op-table row that produced this value (None for an input).
    _prev : tuple of Value
        The operands of the op, in order (read from ``_x`` and ``_y``, the
        slots that hold them).

    Examples
    --------
    >>> x = Value(3.0, label="x")
    >>> y = x**2 + 1
    >>> y
    Value(data=10.0, grad=0.0)
    >>> y.backward()
    >>> x.grad
    6.0
    """

    # A node is one small object: its number, its gradient, its op and up to
    # two operands, in slots (no tuple of operands). Fewer objects per node
    # means less memory and less work for Python's garbage collector, which
    # scans every object a graph allocates. ``__dict__`` is there for code
    # that attaches attributes of its own (an optimizer's moments ``p.m``).
    __slots__ = ("__dict__", "_param", "_row", "_x", "_y", "data", "grad", "label")

    # Make numpy hand `array + Value` to Value.__radd__ (which refuses it with
    # a clear TypeError) instead of broadcasting an array of Values.
    __array_ufunc__ = None

    def __init__(self, data: float, label: str = "") -> None:
        self.data = as_number(data, "Value")
        self.grad = 0.0
        self.label = label
        self._row: Op | None = None
        self._param: float | None = None
        self._x: Value | None = None  # the operands, None where the op has fewer
        self._y: Value | None = None

    @property
    def _prev(self) -> tuple[Value, ...]:
        """The operands of the op that made this node, in order (micrograd's name).

        >>> a, b = Value(2.0), Value(3.0)
        >>> (a * b)._prev == (a, b), a._prev
        (True, ())
        """
        if self._y is not None:
            return (self._x, self._y)
        return () if self._x is None else (self._x,)

    # --- recording ops -------------------------------------------------------

    @staticmethod
    def _apply(op: Op, x: Value, y: Value | None = None, param: float | None = None) -> Value:
        """Run ``op`` forward on the operands ``x`` (and ``y``); record the result as a node."""
        args = _numbers(x, y, param)
        if op.domain is not None and (error := op.domain(*args)) is not None:
            raise type(error)(f"{op.name}: {error}")
        try:
            data = op.forward(*args)
        except OverflowError:
            data = math.inf
        if not math.isfinite(data):
            shown = ", ".join(map(str, args))
            raise OverflowError(f"{op.name}({shown}) overflows a float64 (gives {data})")
        out = Value.__new__(Value)  # skip __init__: data is already a checked float
        out.data, out.grad, out.label, out._row, out._param = data, 0.0, "", op, param
        out._x, out._y = x, y
        return out

    def _binary(self, other: object, op_name: str, reflected: bool = False) -> Value:
        if not isinstance(other, Value):
            other = Value(as_number(other, op_name))
        if reflected:
            return Value._apply(_OP[op_name], other, self)
        return Value._apply(_OP[op_name], self, other)

    def _unary(self, op_name: str, param: float | None = None) -> Value:
        return Value._apply(_OP[op_name], self, param=param)

    def __add__(self, other: Value | float) -> Value:
        return self._binary(other, "add")

    def __radd__(self, other: float) -> Value:
        return self._binary(other, "add", reflected=True)

    def __sub__(self, other: Value | float) -> Value:
        return self._binary(other, "sub")

    def __rsub__(self, other: float) -> Value:
        return self._binary(other, "sub", reflected=True)

    def __mul__(self, other: Value | float) -> Value:
        return self._binary(other, "mul")

    def __rmul__(self, other: float) -> Value:
        return self._binary(other, "mul", reflected=True)

    def __truediv__(self, other: Value | float) -> Value:
        return self._binary(other, "truediv")

    def __rtruediv__(self, other: float) -> Value:
        return self._binary(other, "truediv", reflected=True)

    def __pow__(self, exponent: Value | float) -> Value:
        if isinstance(exponent, Value):
            return self._binary(exponent, "pow")
        # A constant exponent is a parameter of the op, not a graph input.
        return self._unary("pow_const", as_number(exponent, "pow"))

    def __rpow__(self, base: float) -> Value:
        return self._binary(base, "pow", reflected=True)

    def __neg__(self) -> Value:
        return self._unary("neg")

    def __abs__(self) -> Value:
        return self._unary("abs")

    def exp(self) -> Value:
        """e ** self."""
        return self._unary("exp")

    def log(self) -> Value:
        """Natural logarithm; ``ValueError`` for self <= 0."""
        return self._unary("log")

    def tanh(self) -> Value:
        """Hyperbolic tangent."""
        return self._unary("tanh")

    def relu(self) -> Value:
        """max(self, 0)."""
        return self._unary("relu")

    def sigmoid(self) -> Value:
        """1 / (1 + e ** -self), computed without overflow."""
        return self._unary("sigmoid")

    def softplus(self) -> Value:
        """log(1 + e ** self), computed without overflow."""
        return self._unary("softplus")

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """self if self > 0 else slope * self."""
        return self._unary("leaky_relu", as_number(slope, "leaky_relu"))

    def maximum(self, other: Value | float) -> Value:
        """The larger of self and other (``torch.maximum``); a tie splits the gradient."""
        return self._binary(other, "maximum")

    def clamp_min(self, min: float = 0.0) -> Value:
        """max(self, min) for a constant ``min`` (``torch.clamp_min``); no gradient below it."""
        return self._unary("clamp_min", as_number(min, "clamp_min"))

    def abs(self) -> Value:
        """|self|."""
        return self._unary("abs")

    def sqrt(self) -> Value:
        """Square root; ``ValueError`` for self < 0."""
        return self._unary("sqrt")

    @property
    def _op(self) -> str:
        """The op's symbol as micrograd spells it (``'*'``, ``'**2'``); ``''`` for an input.

        Spelled from ``_row`` when read, so a node stores no string of its own.

        >>> (Value(3.0) ** 2)._op, Value(3.0)._op
        ('**2', '')
        """
        return "" if self._row is None else self._row.spell(self._param)

    # --- reading the number --------------------------------------------------

    def item(self) -> float:
        """The number held, as a Python float (PyTorch's ``Tensor.item``)."""
        return self.data

    def __float__(self) -> float:
        return self.data

    # Ordering compares the numbers and records nothing (for max(), sorting).
    # There is no __eq__: Values hash by identity, so they can live in sets.
    def __lt__(self, other: Value | float) -> bool:
        return self.data < _data_of(other, "<")

    def __le__(self, other: Value | float) -> bool:
        return self.data <= _data_of(other, "<=")

    def __gt__(self, other: Value | float) -> bool:
        return self.data > _data_of(other, ">")

    def __ge__(self, other: Value | float) -> bool:
        return self.data >= _data_of(other, ">=")

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data}, grad={self.grad}{label})"

    # --- reverse mode --------------------------------------------------------

    def _topological_order(self) -> list[Value]:
        """Every node of the graph below ``self``, each listed after its operands.

        See `topological_order`, which this calls with ``self`` as the one root.
        """
        return topological_order([self])

    def _local_derivatives(self) -> tuple[float, ...]:
        """d self / d operand for each operand, from the op table."""
        args = _numbers(self._x, self._y, self._param)
        try:
            return self._row.derivative(*args, self.data)
        except (ArithmeticError, ValueError):  # e.g. sqrt'(0) = 1 / 0
            return (math.inf,) * len(self._prev)

    def _backward(self) -> None:
        """Apply this node's own chain-rule step: add its share into each operand's grad.

        ``d root / d child += d self / d child * d root / d self`` for every
        operand; a no-op for an input. Calling it by hand on every node, the
        root first, is how micrograd's lecture walks through backpropagation;
        ``backward()`` takes the same steps.

        Examples
        --------
        >>> a, b = Value(2.0), Value(-3.0)
        >>> c = a * b
        >>> c.grad = 1.0
        >>> c._backward()
        >>> a.grad, b.grad
        (-3.0, 2.0)
        """
        if self._row is None:
            return  # an input: nothing below it to pass a gradient to
        grad = self.grad
        for child, local in zip(self._prev, self._local_derivatives()):
            child.grad += local * grad  # the chain rule, summed over paths

    def backward(self, gradient: float = 1.0) -> None:
        """Fill ``.grad`` of every node below ``self`` with d self / d node.

        Parameters
        ----------
        gradient : float, default 1.0
            The seed d L / d self, for when ``self`` is itself part of a larger
            function L (PyTorch's ``backward(gradient)``).

        Notes
        -----
        Gradients of the graph's inputs (nodes no op produced, such as weights)
        **accumulate**: a second ``backward()`` adds to them, exactly like
        PyTorch's leaf tensors, so call ``zero_grad()`` between steps. The
        gradients of intermediate nodes are recomputed by every call and show
        the last one. Raises ``FloatingPointError`` if a gradient would be
        infinite or NaN (as ``sqrt`` at 0), naming the op, or if adding it to
        an input's gradient overflows. All or nothing: when it raises, every
        ``.grad`` is as it was before the call.

        Examples
        --------
        >>> w = Value(3.0)
        >>> loss = w * w
        >>> loss.backward()
        >>> w.grad
        6.0
        >>> loss.backward()  # accumulates: now 6 + 6
        >>> w.grad
        12.0
        """
        seed = as_number(gradient, "backward")
        order = self._topological_order()
        before = [node.grad for node in order]  # put back if the pass fails: all or nothing
        try:
            for node in order:
                node.grad = 0.0  # this pass's gradients first; the inputs add theirs below
            self.grad = seed
            for node in reversed(order):  # the root first, each node before its operands
                node._backward()
            _check_gradients_finite(order)
            inputs = [node for node in order if node._row is None]
            shares = [node.grad for node in inputs]
            for node, grad in zip(order, before):
                if node._row is None:
                    node.grad = grad  # an input's gradient accumulates: back to its old sum
            accumulate_grads(inputs, shares, "backward")  # or raise, changing none
        except BaseException:  # a bad gradient, or Ctrl-C halfway
            for node, grad in zip(order, before):
                node.grad = grad
            raise

    def zero_grad(self) -> None:
        """Set ``.grad`` to 0.0 on every node of the graph below ``self``.

        Examples
        --------
        >>> x = Value(2.0)
        >>> y = x * x
        >>> y.backward()
        >>> y.zero_grad()
        >>> x.grad
        0.0
        """
        for node in self._topological_order():
            node.grad = 0.0


def topological_order(roots: Sequence[Value]) -> list[Value]:
    """Every node of the graph below ``roots``, each listed after its operands.

    Kahn's algorithm, run from the roots: count how many times each node is
    used as an operand, then release a node once every node using it has
    been released. That is exactly when its gradient is complete, so the
    reverse of this list is the order ``backward()`` needs. Loops over an
    explicit stack, never recursion: a graph a million nodes deep needs no
    raised recursion limit.

    Examples
    --------
    >>> a = Value(2.0, label="a")
    >>> b = a * a
    >>> c = b + a
    >>> [v.label or v._row.name for v in topological_order([c])]
    ['a', 'mul', 'add']
    """
    uses: dict[Value, int] = dict.fromkeys(roots, 0)
    stack = list(uses)
    while stack:
        node = stack.pop()
        for child in (node._x, node._y):  # its operands: _prev, without building a tuple
            if child is None:
                break  # no (more) operands: an op fills _x first
            if child in uses:
                uses[child] += 1
            else:
                uses[child] = 1
                stack.append(child)
    released: list[Value] = []
    ready = [root for root in dict.fromkeys(roots) if uses[root] == 0]  # no root uses it
    while ready:
        node = ready.pop()
        released.append(node)
        for child in (node._x, node._y):
            if child is None:
                break
            uses[child] -= 1
            if uses[child] == 0:  # its last user is released
                ready.append(child)
    released.reverse()
    return released


def _numbers(x: Value, y: Value | None, param: float | None) -> tuple[float, ...]:
    """The arguments of an op-table function: the operands' numbers, then the parameter."""
    args = (x.data,) if y is None else (x.data, y.data)
    return args if param is None else (*args, param)


def _data_of(other: object, where: str) -> float:
    return other.data if isinstance(other, Value) else as_number(other, where)


def accumulate_grads(values: Sequence[Value], shares: Sequence[float], where: str) -> None:
    """Add ``shares[i]`` to ``values[i].grad`` for every i, or refuse and change none.

    The one place an input's gradient accumulates (``backward()`` and the
    compiled engine both add here): a sum that overflows a float64 raises
    ``FloatingPointError`` before any ``.grad`` changes, rather than
    leaving an ``inf`` that poisons every later step.

    Examples
    --------
    >>> w = Value(1.0)
    >>> accumulate_grads([w], [1e308], "backward")
    >>> accumulate_grads([w], [1e308], "backward")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    FloatingPointError: backward: adding the gradient 1e+308 to the accumulated 1e+308 ...
    >>> w.grad
    1e+308
    """
    totals = [value.grad + share for value, share in zip(values, shares)]
    for value, share, total in zip(values, shares, totals):
        if not math.isfinite(total):
            raise FloatingPointError(
                f"{where}: adding the gradient {share} to the accumulated {value.grad} "
                "overflows a float64; call zero_grad() between steps"
            )
    for value, total in zip(values, totals):
        value.grad = total


def _check_gradients_finite(order: list[Value]) -> None:
    """Raise if backward() produced an infinite or NaN gradient, naming its source."""
    if all(map(math.isfinite, [node.grad for node in order])):
        return
    for node in reversed(order):  # the first bad node seen from the root is the cause
        bad = [child.grad for child in node._prev if not math.isfinite(child.grad)]
        if math.isfinite(node.grad) and bad:
            operands = ", ".join(str(v.data) for v in node._prev)
            raise FloatingPointError(
                f"backward through {node._row.name}({operands}) gives the gradient {bad[0]}: "
                "its derivative is infinite or undefined there, or the gradient overflowed"
            )
