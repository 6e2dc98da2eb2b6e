"""Bad input gets a clear exception naming the op and what was wrong."""

import numpy as np
import pytest

from autograd import Value

from spellings import TAPEGRAD_OPS

BAD_OPERANDS = [
    ("a", "str"),
    (None, "NoneType"),
    ([1.0], "list"),
    ({"x": 1}, "dict"),
    (np.array([1.0, 2.0]), r"shape \(2,\)"),
    (True, "bool"),
    (np.bool_(False), "bool"),
]

BINARY = ["add", "sub", "mul", "truediv", "pow"]


@pytest.mark.parametrize(("operand", "type_name"), BAD_OPERANDS)
@pytest.mark.parametrize("op", BINARY)
def test_bad_operand_type(op, operand, type_name):
    with pytest.raises(TypeError, match=f"{op}: .*{type_name}"):
        TAPEGRAD_OPS[op](Value(1.0), operand)


@pytest.mark.parametrize(("operand", "type_name"), BAD_OPERANDS)
def test_bad_operand_reflected(operand, type_name):
    with pytest.raises(TypeError, match=f"add: .*{type_name}"):
        operand + Value(1.0)


@pytest.mark.parametrize(("data", "type_name"), [*BAD_OPERANDS, (Value(1.0), "Value")])
def test_bad_value_data(data, type_name):
    with pytest.raises(TypeError, match=f"Value: .*{type_name}"):
        Value(data)


@pytest.mark.parametrize("number", [float("nan"), float("inf"), -float("inf"), np.nan])
def test_value_refuses_non_finite(number):
    with pytest.raises(ValueError, match="finite"):
        Value(number)
    with pytest.raises(ValueError, match="mul: .*finite"):
        Value(1.0) * number


def test_numpy_scalars_and_size_one_arrays_are_numbers():
    assert Value(np.float32(1.5)).data == 1.5
    assert Value(np.int64(3)).data == 3.0
    assert Value(np.array(2.0)).data == 2.0
    assert (Value(1.0) + np.array([4.0])).data == 5.0
    assert type(Value(np.float32(1.5)).data) is float


@pytest.mark.parametrize(
    ("expression", "error", "message"),
    [
        (lambda: Value(-1.0).log(), ValueError, r"log: .*x > 0.*-1\.0"),
        (lambda: Value(0.0).log(), ValueError, r"log: .*0\.0"),
        (lambda: Value(-4.0).sqrt(), ValueError, r"sqrt: .*-4\.0"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"truediv: .*1\.0 / 0\.0"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, "truediv"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow_const: .*negative power"),
        (lambda: Value(0.0) ** Value(-2.0), ZeroDivisionError, "pow: "),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, r"pow_const: .*-8\.0.*non-integer"),
        (lambda: Value(-8.0) ** Value(0.5), ValueError, "pow: .*-8.0 needs a constant exponent"),
        (lambda: (-2.0) ** Value(2.0), ValueError, "pow: .*-2.0 needs a constant exponent"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp\(1000\.0\) overflows"),
        (lambda: Value(1e200) * 1e200, OverflowError, "mul"),
        (lambda: Value(1e308) + 1e308, OverflowError, "add"),
        (lambda: Value(10.0) ** 400, OverflowError, "pow_const"),
        (lambda: Value(1.0).leaky_relu("a"), TypeError, "leaky_relu: .*str"),
        (lambda: Value(2.0) ** "x", TypeError, "pow: .*str"),
    ],
)
def test_domain_and_overflow_errors(expression, error, message):
    with pytest.raises(error, match=message):
        expression()


@pytest.mark.parametrize(
    ("build", "op"),
    [
        (lambda x: x.sqrt(), "sqrt"),  # sqrt'(0) = 1 / 0
        (lambda x: x**0.5, "pow_const"),
        (lambda x: (x**2) ** 0.5, "pow_const"),  # deeper: the cause is named, not the root
    ],
)
def test_infinite_gradient_is_an_error_not_inf(build, op):
    x = Value(0.0)
    y = build(x) * 2
    with pytest.raises(FloatingPointError, match=f"backward through {op}\\(0\\.0"):
        y.backward()


def test_gradient_overflow_is_an_error():
    x = Value(1e-200)
    y = (1 / x) * 1e100  # d/dx = -1e100 / x**2 overflows
    with pytest.raises(FloatingPointError, match="truediv"):
        y.backward()


def test_backward_seed_must_be_finite_number():
    y = Value(1.0) * 2
    with pytest.raises(ValueError, match="backward: .*finite"):
        y.backward(gradient=float("nan"))
    with pytest.raises(TypeError, match="backward: .*str"):
        y.backward(gradient="1")


def test_stable_activations_at_extremes():
    for x in (-1000.0, 1000.0):
        for name in ("sigmoid", "tanh", "softplus"):
            out = getattr(Value(x), name)()
            out.backward()
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(1000.0).softplus().data == 1000.0
    assert Value(-745.0).softplus().data > 0.0
