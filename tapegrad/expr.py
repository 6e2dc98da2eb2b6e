"""Safe arithmetic expressions over `Value` s, for ``tapegrad graph``.

``evaluate("(a*b + c).tanh()", {"a": 2, "b": -3, "c": 10})`` builds the same
graph as writing that line of Python with ``a``, ``b`` and ``c`` being
`Value` s, but without running Python: the text is parsed with `ast` and only
these pieces are accepted, everything else is refused with an
`ExpressionError` that names the piece:

* numbers (``2``, ``0.5``, ``1e-3``),
* names given a value in ``variables``,
* the op table's binary operators ``+ - * / **`` and unary minus,
* the op table's unary ops called as methods: ``x.tanh()``, ``x.exp()``, and
  the ones with a constant parameter take it as one number
  (``x.leaky_relu(0.1)``),
* the op table's binary ops that have no operator, called as methods with
  one operand: ``x.maximum(y)``.

The lists of operators and methods are read from `autograd.ops.OPS`, so a new
op in the table is usable here at once. There is no way to reach a function
call, an attribute, a subscript, a lambda or a comprehension: the parser
refuses them before anything is evaluated.

Examples
--------
>>> out = evaluate("(a*b + c).tanh()", {"a": 2, "b": -3, "c": 1})
>>> round(out.data, 6)
-0.999909
>>> sorted(variables_in("a * b + a"))
['a', 'b']
>>> evaluate("__import__('os')", {})  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
tapegrad.expr.ExpressionError: a call of '__import__' is not allowed (at column 1): only ...
"""

from __future__ import annotations

import ast
import math
import operator
from collections.abc import Callable, Mapping

from autograd.ops import OPS, Op
from autograd.value import Value

MAX_LENGTH = 2000  # characters: an expression for a picture, not a program

# Python's syntax for an op-table symbol: the parsed operator, and the Python
# operator that makes a `Value` record that op.
_SYNTAX: dict[str, tuple[type[ast.operator], Callable]] = {
    "+": (ast.Add, operator.add),
    "-": (ast.Sub, operator.sub),
    "*": (ast.Mult, operator.mul),
    "/": (ast.Div, operator.truediv),
    "**": (ast.Pow, operator.pow),
}


def binary_operators() -> dict[type[ast.operator], tuple[Op, Callable]]:
    """The op table's binary ops that have Python syntax: ast class -> (op, Python operator).

    Examples
    --------
    >>> sorted(op.symbol for op, _ in binary_operators().values())
    ['*', '**', '+', '-', '/']
    """
    rows = (op for op in OPS if op.arity == 2 and op.symbol in _SYNTAX)
    return {_SYNTAX[op.symbol][0]: (op, _SYNTAX[op.symbol][1]) for op in rows}


def methods() -> dict[str, Op]:
    """The op table's ops that a `Value` offers as methods (``x.tanh()``, ``x.maximum(y)``).

    Examples
    --------
    >>> "tanh" in methods(), "maximum" in methods(), "neg" in methods()  # -x: the operator
    (True, True, False)
    """
    return {op.name: op for op in OPS if callable(getattr(Value, op.name, None))}


class ExpressionError(ValueError):
    """An expression that is not allowed, does not parse, or cannot be evaluated.

    A `ValueError`, so callers that check input already catch it.

    Examples
    --------
    >>> try:
    ...     evaluate("a + b", {"a": 1.0})
    ... except ExpressionError as error:
    ...     print(error)
    the name 'b' has no value (at column 5): give it with -b VALUE or --var b=VALUE
    """


def _where(node: ast.AST) -> str:
    return f" (at column {node.col_offset + 1})" if hasattr(node, "col_offset") else ""


def _parse(source: str) -> ast.Expression:
    if not isinstance(source, str):
        raise TypeError(f"expression: expected a str, got {type(source).__name__}")
    if not source.strip():
        raise ExpressionError("the expression is empty")
    if len(source) > MAX_LENGTH:
        raise ExpressionError(f"the expression is {len(source)} characters, at most {MAX_LENGTH}")
    try:
        return ast.parse(source.strip(), mode="eval")
    except SyntaxError as error:
        # Python reports an error at the very end of the text (``a +``) at offset 0.
        where = f"column {error.offset}" if error.offset else "at the end"
        raise ExpressionError(f"not a valid expression: {error.msg} ({where})") from None
    except (RecursionError, MemoryError):
        raise ExpressionError("the expression is nested too deeply") from None


def variables_in(source: str) -> set[str]:
    """The names an expression reads (checked to be an allowed expression).

    Examples
    --------
    >>> sorted(variables_in("(x * w + b).relu()"))
    ['b', 'w', 'x']
    """
    tree = _parse(source)
    _Evaluator(None).visit(tree)  # refuses what is not allowed, evaluates nothing
    return {node.id for node in ast.walk(tree) if isinstance(node, ast.Name)}


def evaluate(source: str, variables: Mapping[str, float]) -> Value:
    """Build the `Value` graph of ``source``, with each name a `Value` labelled by it.

    A name used twice is the same `Value` (its gradient sums both uses).

    Parameters
    ----------
    source : str
        The expression, such as ``"(a*b + c).tanh()"``.
    variables : mapping of str to float
        The value of every name the expression uses.

    Returns
    -------
    Value
        The result; call ``backward()`` on it for the gradients.

    Raises
    ------
    ExpressionError
        The expression does not parse, uses something not allowed, uses a
        name without a value, or cannot be evaluated (``log`` of a negative
        number, division by zero, overflow).

    Examples
    --------
    >>> out = evaluate("x * x + 3 * x", {"x": 2.0})
    >>> out.backward()
    >>> out.data, out._prev[0]._prev[0].grad
    (10.0, 7.0)
    >>> evaluate("x.__class__", {"x": 1.0})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    tapegrad.expr.ExpressionError: attribute access 'x.__class__' is not allowed (at column 1): ...
    """
    tree = _parse(source)
    leaves: dict[str, Value] = {}
    for name, number in variables.items():
        if not name.isidentifier():
            raise ExpressionError(f"{name!r} is not a valid variable name")
        try:
            leaves[name] = Value(number, label=name)
        except (TypeError, ValueError) as error:
            raise ExpressionError(f"variable {name}: {error}") from None
    try:
        _Evaluator(None).visit(tree)  # refuse what is not allowed before evaluating anything
        result = _Evaluator(leaves).visit(tree)
    except (ArithmeticError, ValueError, TypeError) as error:
        if isinstance(error, ExpressionError):
            raise
        raise ExpressionError(f"cannot evaluate {_short(source)}: {error}") from None
    except RecursionError:
        raise ExpressionError("the expression is nested too deeply") from None
    if not isinstance(result, Value):
        result = Value(result)  # a constant expression is a graph of one node
    return result


def _short(source: str, width: int = 60) -> str:
    """``source`` quoted, cut to ``width`` characters so that an error stays one line."""
    text = " ".join(source.split())
    return repr(text if len(text) <= width else text[: width - 3] + "...")


def _allowed_methods_text() -> str:
    spelled = (f".{name}({'y' if op.arity == 2 else ''})" for name, op in methods().items())
    return "only the op-table methods " + ", ".join(spelled) + " may be called, as in x.tanh()"


class _Evaluator(ast.NodeVisitor):
    """Walks the parsed expression; ``leaves`` None only checks it."""

    def __init__(self, leaves: Mapping[str, Value] | None) -> None:
        self.leaves = leaves
        self.binary = binary_operators()
        self.methods = methods()

    def generic_visit(self, node: ast.AST) -> None:
        kind = type(node).__name__
        try:
            text = f" {ast.unparse(node)!r}"
        except Exception:  # some nodes (operators, contexts) have no text of their own
            text = ""
        raise ExpressionError(
            f"{kind}{text} is not allowed{_where(node)}: an expression may use numbers, "
            "variables, + - * / **, unary - and the op-table methods such as x.tanh()"
        )

    def visit_Expression(self, node: ast.Expression) -> Value | float:
        return self.visit(node.body)

    def visit_Constant(self, node: ast.Constant) -> float:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExpressionError(
                f"the constant {value!r} is not allowed{_where(node)}: only numbers are"
            )
        try:
            number = float(value)
        except OverflowError:  # an int literal beyond float64
            number = math.inf
        if not math.isfinite(number):
            text = _short(ast.unparse(node), 20)
            raise ExpressionError(f"the number {text} is too large for a float64{_where(node)}")
        return number

    def visit_Name(self, node: ast.Name) -> Value | float:
        if self.leaves is None:
            return 1.0
        if node.id not in self.leaves:
            raise ExpressionError(
                f"the name {node.id!r} has no value{_where(node)}: "
                f"give it with -{node.id} VALUE or --var {node.id}=VALUE"
            )
        return self.leaves[node.id]

    def visit_UnaryOp(self, node: ast.UnaryOp) -> Value | float:
        if not isinstance(node.op, ast.USub):
            raise ExpressionError(
                f"the unary operator in {ast.unparse(node)!r} is not allowed{_where(node)}: "
                "only unary minus is"
            )
        return -self.visit(node.operand)  # of a number: a signed number; of a Value: a neg node

    def visit_BinOp(self, node: ast.BinOp) -> Value | float:
        if type(node.op) not in self.binary:
            allowed = " ".join(op.symbol for op, _ in self.binary.values())
            raise ExpressionError(
                f"the operator in {ast.unparse(node)!r} is not allowed{_where(node)}: "
                f"only {allowed} are"
            )
        left, right = self.visit(node.left), self.visit(node.right)
        if self.leaves is None:
            return 1.0
        if not isinstance(left, Value) and not isinstance(right, Value):
            left = Value(left)  # number op number: still computed by the op table
        return self.binary[type(node.op)][1](left, right)

    def visit_Call(self, node: ast.Call) -> Value | float:
        func = node.func
        if not isinstance(func, ast.Attribute):
            name = ast.unparse(func)
            raise ExpressionError(
                f"a call of {name!r} is not allowed{_where(node)}: {_allowed_methods_text()}"
            )
        op = self.methods.get(func.attr)
        if op is None:
            raise ExpressionError(
                f"the method .{func.attr}() is not allowed{_where(func)}: {_allowed_methods_text()}"
            )
        receiver = self.visit(func.value)
        argument = self._operand(node, op) if op.arity == 2 else self._method_argument(node, op)
        if self.leaves is None:
            return 1.0
        if not isinstance(receiver, Value):
            receiver = Value(receiver)
        method = getattr(receiver, op.name)
        return method() if argument is None else method(argument)

    def _operand(self, node: ast.Call, op: Op) -> Value | float:
        """The second operand of a binary op called as a method: ``x.maximum(y)``."""
        if len(node.args) != 1 or node.keywords:
            raise ExpressionError(
                f".{op.name}() takes one operand, as in x.{op.name}(y); "
                f"got {ast.unparse(node)!r}{_where(node)}"
            )
        return self.visit(node.args[0])

    def _method_argument(self, node: ast.Call, op: Op) -> float | None:
        """The constant parameter of ``x.leaky_relu(0.1)``; None when not given."""
        args = list(node.args) + [k.value for k in node.keywords]
        keywords_ok = all(k.arg == op.param for k in node.keywords)
        if op.param is None and not args:
            return None
        if op.param is None or len(args) > 1 or not keywords_ok:
            takes = "no arguments" if op.param is None else f"at most one number, its {op.param}"
            raise ExpressionError(
                f".{op.name}() takes {takes}; got {ast.unparse(node)!r}{_where(node)}"
            )
        if not args:
            return None
        value = self.visit(args[0])
        if isinstance(value, Value):
            raise ExpressionError(
                f"the {op.param} of .{op.name}() must be a number, not an expression of "
                f"variables{_where(args[0])}"
            )
        return value

    def visit_Attribute(self, node: ast.Attribute) -> None:
        raise ExpressionError(
            f"attribute access {ast.unparse(node)!r} is not allowed{_where(node)}: "
            f"{_allowed_methods_text()}"
        )
