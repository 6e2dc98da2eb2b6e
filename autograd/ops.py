"""The op table: every operation a `Value` can record, defined exactly once.

Each op is a row of plain math:

* ``forward(x[, y])`` computes the result from the operands' numbers,
* ``derivative(x[, y], out)`` returns the *local* derivatives
  ``(d out / d x[, d out / d y])``, one per operand. ``out`` is the forward
  result, passed in because many derivatives are cheapest written with it
  (``exp' = out``, ``sqrt' = 0.5 / out``),
* ``domain(x[, y])`` returns an exception when the operands are outside the
  op's domain (``log(-1)``, ``1 / 0``), or ``None`` when they are fine.

Ops with a constant parameter (``x ** 3``, ``leaky_relu(x, slope=0.01)``)
receive it as their last operand-like argument ``p``; the parameter is not a
`Value` and gets no gradient.

The scalar engine (`autograd.value`), the tape compiler and its Numba kernels
(`autograd.tape`, `autograd.kernels`) and the graph drawings (`autograd.viz`)
all read this table, so adding an op is one row here plus its tests.

Examples
--------
>>> MUL = OPS_BY_NAME["mul"]
>>> MUL.forward(2.0, 3.0)
6.0
>>> MUL.derivative(2.0, 3.0, 6.0)  # d(x*y)/dx = y, d(x*y)/dy = x
(3.0, 2.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

# Reading order: binary ops, then unary ops, then ops with a constant parameter.


# --- binary ops: f(x, y) -------------------------------------------------------


def add(x, y):
    return x + y


def d_add(x, y, out):
    return 1.0, 1.0


def sub(x, y):
    return x - y


def d_sub(x, y, out):
    return 1.0, -1.0


def mul(x, y):
    return x * y


def d_mul(x, y, out):
    return y, x


def truediv(x, y):
    return x / y


def d_truediv(x, y, out):
    # d(x/y)/dx = 1/y ; d(x/y)/dy = -x/y**2 = -out/y
    return 1.0 / y, -out / y


def domain_truediv(x, y):
    if y == 0.0:
        return ZeroDivisionError(f"division by zero: {x} / {y}")
    return None


def pow_value(x, y):
    # NaN outside the domain, so that the compiled kernels (which run this
    # function without the domain check) find the bad result and report it.
    return pow_const(x, y) if x >= 0.0 else math.nan


def d_pow_value(x, y, out):
    # d(x**y)/dx = y * x**(y-1) ; d(x**y)/dy = x**y * ln(x)
    dx = 0.0 if y == 0.0 else y * pow_const(x, y - 1.0)
    # At x = 0, the domain's edge, x**y is flat in y: d/dy = 0 (PyTorch's limit).
    dy = out * math.log(x) if x > 0.0 else 0.0
    return dx, dy


def domain_pow(x, y):
    # With a Value exponent the base must be >= 0: a negative base has a value
    # only at integer y, where d/dy = x**y * ln(x) does not exist (PyTorch
    # returns NaN for it). Integer powers of any number are x ** 3, whose
    # exponent is a constant.
    if x < 0.0:
        return ValueError(
            f"a negative base {x} needs a constant exponent (x ** 2, not x ** Value(2)): "
            f"d(x**y)/dy = x**y * ln(x) is undefined for x < 0"
        )
    return domain_pow_const(x, y)


def maximum(x, y):
    return x if x >= y else y


def d_maximum(x, y, out):
    # the larger operand passes the gradient; a tie splits it evenly, as torch.maximum
    if x == y:
        return 0.5, 0.5
    return (1.0, 0.0) if x > y else (0.0, 1.0)


# --- unary ops: f(x) -----------------------------------------------------------


def neg(x):
    return -x


def d_neg(x, out):
    return (-1.0,)


def exp(x):
    return math.exp(x)


def d_exp(x, out):
    return (out,)


def log(x):
    return math.log(x)


def d_log(x, out):
    return (1.0 / x,)


def domain_log(x):
    if x <= 0.0:
        return ValueError(f"log is defined for x > 0, got x = {x}")
    return None


def tanh(x):
    return math.tanh(x)  # the C library's tanh is stable for any |x|


def d_tanh(x, out):
    # 1 - out**2 = (1 + |out|)(1 - |out|), and 1 - |out| = 2 sigmoid(-2|x|) exactly:
    # computed this way it keeps every digit where out is near ±1 and
    # 1 - out**2 would cancel (7e-10 relative error at x = 8.9, 0 from x = 19.1).
    return ((1.0 + abs(out)) * 2.0 * sigmoid(-2.0 * abs(x)),)


def relu(x):
    return x if x > 0.0 else 0.0


def d_relu(x, out):
    return (1.0 if x > 0.0 else 0.0,)


def sigmoid(x):
    # Two forms so that exp() only ever sees a non-positive number: no overflow.
    if x >= 0.0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)
    return e / (1.0 + e)


def d_sigmoid(x, out):
    # out * (1 - out) with 1 - out = sigmoid(-x) computed directly: for large x
    # out rounds towards 1 and 1 - out would keep only its last digits.
    return (out * sigmoid(-x),)


def softplus(x):
    # log(1 + e**x) = max(x, 0) + log(1 + e**-|x|): exp() never overflows.
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


def d_softplus(x, out):
    return (sigmoid(x),)


def abs_(x):
    return abs(x)


def d_abs(x, out):
    # sign(x); 0 at the kink, as in PyTorch
    return (1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0,)


def sqrt(x):
    return math.sqrt(x)


def d_sqrt(x, out):
    return (0.5 / out,)


def domain_sqrt(x):
    if x < 0.0:
        return ValueError(f"sqrt is defined for x >= 0, got x = {x}")
    return None


# --- unary ops with a constant parameter p: f(x; p) ----------------------------


def pow_const(x, p):
    # The square (a squared error) and the first power (its derivative) as PyTorch
    # computes them: correctly rounded, and ten times faster than pow.
    if p == 2.0:
        return x * x
    if p == 1.0:
        return x
    # 0 ** negative is inf, as in C (math.pow raises): the derivatives use it at x = 0.
    return math.inf if x == 0.0 and p < 0.0 else math.pow(x, p)


def d_pow_const(x, p, out):
    # d(x**p)/dx = p * x**(p-1); exactly 0 for p = 0, as in PyTorch; inf at x = 0 for p < 1
    return (0.0 if p == 0.0 else p * pow_const(x, p - 1.0),)


def domain_pow_const(x, p):
    if x == 0.0 and p < 0.0:
        return ZeroDivisionError(f"0 cannot be raised to the negative power {p}")
    if x < 0.0 and not float(p).is_integer():
        return ValueError(f"a negative base {x} cannot be raised to the non-integer power {p}")
    return None


def leaky_relu(x, p):
    return x if x > 0.0 else p * x


def d_leaky_relu(x, p, out):
    return (1.0 if x > 0.0 else p,)


def clamp_min(x, p):
    return x if x >= p else p


def d_clamp_min(x, p, out):
    # below the floor the result is the constant p: no gradient (torch.clamp_min)
    return (1.0 if x >= p else 0.0,)


# --- the table -----------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    """One row of the op table.

    Attributes
    ----------
    code : int
        The op's number in a compiled tape (its position in `OPS`).
    name : str
        Identifier, also the `Value` method name for unary ops.
    arity : int
        Number of `Value` operands: 1 or 2.
    symbol : str
        Short label drawn in graphs (``"*"``, ``"tanh"``).
    forward : callable
        ``forward(*operands[, p]) -> float``.
    derivative : callable
        ``derivative(*operands[, p], out) -> tuple`` of one local derivative
        per operand.
    domain : callable or None
        ``domain(*operands[, p])`` returns an exception for inputs outside
        the op's domain, ``None`` when they are valid. ``None`` means every
        finite input is valid.
    param : str or None
        Name of the op's constant parameter (``"exponent"``, ``"slope"``).
    """

    code: int
    name: str
    arity: int
    symbol: str
    forward: Callable[..., float]
    derivative: Callable[..., tuple[float, ...]]
    domain: Callable[..., BaseException | None] | None = None
    param: str | None = None

    def __repr__(self) -> str:
        return f"Op({self.name!r})"

    def spell(self, param: float | None = None) -> str:
        """The op as micrograd writes a node's ``_op``: ``'*'``, ``'**2'``, ``'ReLU'``.

        >>> OPS_BY_NAME["pow_const"].spell(2.0), OPS_BY_NAME["leaky_relu"].spell(0.1)
        ('**2', 'leaky_relu(0.1)')
        """
        if param is None:
            return self.symbol
        constant = f"{param:g}"
        if self.symbol.isidentifier():  # a function: leaky_relu(0.1)
            return f"{self.symbol}({constant})"
        return self.symbol + constant  # an operator: **2


def _table(*rows: tuple) -> tuple[Op, ...]:
    return tuple(Op(code, *row) for code, row in enumerate(rows))


# name, arity, symbol, forward, derivative, domain, param
OPS: tuple[Op, ...] = _table(
    ("add", 2, "+", add, d_add),
    ("sub", 2, "-", sub, d_sub),
    ("mul", 2, "*", mul, d_mul),
    ("truediv", 2, "/", truediv, d_truediv, domain_truediv),
    ("pow", 2, "**", pow_value, d_pow_value, domain_pow),
    ("neg", 1, "neg", neg, d_neg),
    ("exp", 1, "exp", exp, d_exp),
    ("log", 1, "log", log, d_log, domain_log),
    ("tanh", 1, "tanh", tanh, d_tanh),
    ("relu", 1, "ReLU", relu, d_relu),
    ("sigmoid", 1, "sigmoid", sigmoid, d_sigmoid),
    ("softplus", 1, "softplus", softplus, d_softplus),
    ("abs", 1, "abs", abs_, d_abs),
    ("sqrt", 1, "sqrt", sqrt, d_sqrt, domain_sqrt),
    ("pow_const", 1, "**", pow_const, d_pow_const, domain_pow_const, "exponent"),
    ("leaky_relu", 1, "leaky_relu", leaky_relu, d_leaky_relu, None, "slope"),
    ("clamp_min", 1, "clamp_min", clamp_min, d_clamp_min, None, "min"),
    ("maximum", 2, "max", maximum, d_maximum),  # rows are appended: codes stay stable
)

OPS_BY_NAME: dict[str, Op] = {op.name: op for op in OPS}
