"""tapegrad.expr: expressions build the same graph as Python would, and nothing else runs."""

import math

import pytest

from autograd import OPS, Value
from tapegrad.expr import ExpressionError, binary_operators, evaluate, methods, variables_in

UNARY_METHODS = [op.name for op in OPS if op.arity == 1 and hasattr(Value, op.name)]
BINARY_METHODS = [op.name for op in OPS if op.arity == 2 and hasattr(Value, op.name)]
POSITIVE = 0.7  # inside every unary op's domain (log, sqrt)


def test_the_classic_expression_equals_the_graph_written_in_python():
    out = evaluate("(a*b + c) * f", {"a": 2, "b": -3, "c": 10, "f": -2})
    out.backward()
    a, b, c, f = Value(2.0), Value(-3.0), Value(10.0), Value(-2.0)
    expected = (a * b + c) * f
    expected.backward()
    leaves = {v.label: v for v in out._topological_order() if v._row is None}
    assert out.data == expected.data
    assert [leaves[name].grad for name in "abcf"] == [a.grad, b.grad, c.grad, f.grad]


def test_the_methods_are_the_op_tables_ops_that_value_offers():
    assert sorted(methods()) == sorted(UNARY_METHODS + BINARY_METHODS)
    assert "tanh" in methods() and "leaky_relu" in methods() and "maximum" in methods()
    assert "neg" not in methods()  # written -x, not x.neg()


@pytest.mark.parametrize("name", BINARY_METHODS)
def test_a_binary_op_without_an_operator_is_a_method_of_one_operand(name):
    out = evaluate(f"a.{name}(b * 2)", {"a": 1.5, "b": 0.5})
    out.backward()
    a, b = Value(1.5), Value(0.5)
    expected = getattr(a, name)(b * 2)
    expected.backward()
    leaves = {v.label: v for v in out._topological_order() if v._row is None and v.label}
    assert (out._row.name, out.data) == (name, expected.data)
    assert (leaves["a"].grad, leaves["b"].grad) == (a.grad, b.grad)
    assert evaluate(f"(2).{name}(3)", {}).data == getattr(Value(2.0), name)(3.0).data


@pytest.mark.parametrize("name", UNARY_METHODS)
def test_every_method_of_the_op_table_builds_its_op(name):
    out = evaluate(f"x.{name}()", {"x": POSITIVE})
    out.backward()
    expected = getattr(Value(POSITIVE), name)()
    assert out._row.name == name
    assert out.data == expected.data
    expected.backward()
    assert out._prev[0].grad == expected._prev[0].grad


@pytest.mark.parametrize("ast_op", list(binary_operators()))
def test_every_binary_operator_of_the_op_table_builds_its_op(ast_op):
    op, python_operator = binary_operators()[ast_op]
    out = evaluate(f"a {op.symbol} b", {"a": 1.5, "b": 2.5})
    assert out._row is op
    assert out.data == python_operator(Value(1.5), Value(2.5)).data


def test_the_binary_operators_are_the_op_tables():
    symbols = sorted(op.symbol for op, _ in binary_operators().values())
    operators = {"+", "-", "*", "/", "**"}  # max has no Python operator: x.maximum(y)
    assert symbols == sorted(op.symbol for op in OPS if op.arity == 2 and op.symbol in operators)


def test_unary_minus_negates_a_value_and_signs_a_number():
    assert evaluate("-a", {"a": 2.0})._row.name == "neg"
    out = evaluate("a ** -2", {"a": 2.0})
    assert (out._row.name, out._param, out.data) == ("pow_const", -2.0, 0.25)


def test_a_name_used_twice_is_one_value_whose_gradient_sums_both_uses():
    out = evaluate("x * x + 3 * x", {"x": 2.0})
    out.backward()
    (x,) = {v for v in out._topological_order() if v.label == "x"}
    assert x.grad == 2 * 2.0 + 3  # d(x² + 3x)/dx


def test_a_constant_parameter_is_passed_as_a_number():
    for source in ("x.leaky_relu(0.1)", "x.leaky_relu(slope=0.1)"):
        out = evaluate(source, {"x": -2.0})
        assert (out._param, out.data) == (0.1, -2.0 * 0.1)
    assert evaluate("x.leaky_relu()", {"x": -1.0})._param == 0.01  # the method's default


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x.exp(1)", r"\.exp\(\) takes no arguments"),
        ("x.leaky_relu(0.1, 0.2)", "at most one number"),
        ("x.leaky_relu(alpha=0.1)", "at most one number, its slope"),
        ("x.leaky_relu(x)", "must be a number"),
        ("x.maximum()", r"\.maximum\(\) takes one operand, as in x\.maximum\(y\)"),
        ("x.maximum(x, 1)", "takes one operand"),
        ("x.maximum(other=x)", "takes one operand"),
    ],
)
def test_method_arguments_are_checked(source, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate(source, {"x": 1.0})


REFUSED = [
    ("__import__('os')", "a call of '__import__' is not allowed"),
    ("__import__('os').system('true')", r"the method \.system\(\) is not allowed"),
    ("open('/etc/passwd')", "a call of 'open' is not allowed"),
    ("exec('1')", "a call of 'exec' is not allowed"),
    ("x.__class__", "attribute access 'x.__class__' is not allowed"),
    ("x.__class__.__bases__", "attribute access"),
    ("x.tanh().__class__", "attribute access"),
    ("x.data", "attribute access 'x.data' is not allowed"),
    ("x.tanh", "attribute access 'x.tanh' is not allowed"),
    ("x.backward()", r"the method \.backward\(\) is not allowed"),
    ("x.__add__(x)", r"the method \.__add__\(\) is not allowed"),
    ("x[0]", "Subscript"),
    ("lambda: x", "Lambda"),
    ("[x for y in x]", "ListComp"),
    ("(x for y in x)", "GeneratorExp"),
    ("{x: x}", "Dict"),
    ("x if x else x", "IfExp"),
    ("x < 1", "Compare"),
    ("not x", "only unary minus"),
    ("+x", "only unary minus"),
    ("x @ x", r"only \+ - \* / \*\* are"),
    ("x // 2", "operator"),
    ("x % 2", "operator"),
    ("'text'", "only numbers"),
    ("True", "only numbers"),
    ("None", "only numbers"),
    ("1j", "only numbers"),
    ("f'{x}'", "JoinedStr"),
    ("(y := 1)", "NamedExpr"),
    ("x.leaky_relu(*x)", "Starred"),
    ("x; x", "not a valid expression"),
    ("import os", "not a valid expression"),
]


@pytest.mark.parametrize(("source", "message"), REFUSED)
def test_anything_but_numbers_names_operators_and_methods_is_refused(source, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate(source, {"x": 1.0})


def test_a_refused_expression_runs_nothing(tmp_path):
    marker = tmp_path / "ran"
    with pytest.raises(ExpressionError, match="not allowed"):
        evaluate(f"x + __import__('os').system('touch {marker}')", {"x": 1.0})
    assert not marker.exists()


def test_refusal_comes_before_evaluation():
    # log(-1) would fail to evaluate; the forbidden call is reported instead.
    with pytest.raises(ExpressionError, match="not allowed"):
        evaluate("x.log() + open('f')", {"x": -1.0})


def test_a_name_without_a_value_says_how_to_give_one():
    with pytest.raises(ExpressionError, match=r"'b' has no value.*-b VALUE or --var b=VALUE"):
        evaluate("a * b", {"a": 1.0})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("x.log()", "log is defined for x > 0"),
        ("1 / (x - x)", "division by zero"),
        ("(-x).exp() ** 1000", "overflows"),
        ("1" * 400, "too large for a float64"),
        ("1e999 * x", "too large for a float64"),
    ],
)
def test_values_outside_an_ops_domain_are_clear_errors(source, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate(source, {"x": -1.0})


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("x +", r"not a valid expression: .*\(at the end\)"),
        ("x" + " + x" * 1000, "at most 2000"),
        ("(" * 400 + "x" + ")" * 400, "not a valid expression|nested too deeply"),
        ("-" * 1500 + "x", "nested too deeply"),
    ],
)
def test_malformed_or_huge_expressions_are_clear_errors(source, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate(source, {"x": 1.0})


@pytest.mark.parametrize(
    ("variables", "message"),
    [({"x": math.nan}, "variable x: .*finite"), ({"2x": 1.0}, "not a valid variable name")],
)
def test_bad_variables_are_clear_errors(variables, message):
    with pytest.raises(ExpressionError, match=message):
        evaluate("1", variables)


def test_a_constant_expression_is_a_graph_of_one_value():
    out = evaluate("2 * 3", {})
    assert (out.data, out._row.name) == (6.0, "mul")  # computed by the op table too
    assert evaluate("4", {}).data == 4.0


def test_variables_in_lists_the_names_read_and_checks_the_expression():
    assert variables_in("(x * w + b).relu() + x") == {"x", "w", "b"}
    with pytest.raises(ExpressionError, match="not allowed"):
        variables_in("x.__class__")


def test_an_expression_error_is_a_value_error():
    assert issubclass(ExpressionError, ValueError)
