"""The op table's math to the last digits: exact references (mpmath), pow at its edges, one rule
for a negative base in both engines."""

import math

import numpy as np
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from autograd import OPS_BY_NAME, Value
from autograd.kernels import loss_and_grad
from autograd.tape import trace

mpmath = pytest.importorskip("mpmath")
mpmath.mp.prec = 120  # far more digits than a float64 holds: an exact reference

REL = 1e-14  # a few float64 roundings; 1 - tanh(x)**2 was 1e-9 off at x = 8.9


def exact_sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


# name: (x range where the results are normal floats, exact value, exact derivative)
EXACT = {
    "tanh": ((-350.0, 350.0), mpmath.tanh, lambda x: mpmath.sech(x) ** 2),
    "sigmoid": (
        (-700.0, 700.0),
        exact_sigmoid,
        lambda x: exact_sigmoid(x) * exact_sigmoid(-x),
    ),
    "softplus": ((-700.0, 700.0), lambda x: mpmath.log1p(mpmath.exp(x)), exact_sigmoid),
    "exp": ((-700.0, 700.0), mpmath.exp, mpmath.exp),
    "log": ((1e-300, 1e300), mpmath.log, lambda x: 1 / x),
    "sqrt": ((1e-300, 1e300), mpmath.sqrt, lambda x: 1 / (2 * mpmath.sqrt(x))),
}

# Where 1 - out**2 and out * (1 - out) lose digits (out near 1), and past the point where
# out rounds to exactly ±1.
FAR_FROM_ZERO = [5.0, 8.9, 12.0, 19.0, 19.1, 30.0, 40.0, 100.0, 300.0]


def relative_error(computed, exact):
    exact = float(exact)
    return abs(computed - exact) / abs(exact) if exact else abs(computed)  # tanh(0), log(1)


def assert_exact(name, x):
    _, value, derivative = EXACT[name]
    op = OPS_BY_NAME[name]
    out = op.forward(x)
    (local,) = op.derivative(x, out)
    xm = mpmath.mpf(x)
    assert relative_error(out, value(xm)) <= REL, (name, x, out)
    assert relative_error(local, derivative(xm)) <= REL, (name, x, local, float(derivative(xm)))


@pytest.mark.parametrize("name", sorted(EXACT))
def test_value_and_derivative_match_an_exact_reference(name):
    (low, high), _, _ = EXACT[name]

    @given(st.floats(low, high))
    @example(low)
    @example(high)
    def check(x):
        assert_exact(name, x)

    check()


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("x", FAR_FROM_ZERO + [-x for x in FAR_FROM_ZERO])
def test_tanh_and_sigmoid_derivatives_keep_their_digits_far_from_zero(name, x):
    assert_exact(name, x)


@pytest.mark.parametrize("name", ["tanh", "sigmoid"])
@pytest.mark.parametrize("x", [8.9, 30.0, -30.0])
def test_compiled_derivative_is_the_scalar_one(name, x):
    """The kernels run the op table's own derivative: the precise form reaches them too."""
    w = Value(x)
    tape = trace(lambda inputs: getattr(w * inputs[0], name)(), n_inputs=1, params=[w])
    _, grad = loss_and_grad(tape, np.array([[1.0]]))
    out = getattr(Value(x), name)()
    out.backward()
    assert math.isclose(grad[0], out._prev[0].grad, rel_tol=1e-15)
    assert relative_error(grad[0], EXACT[name][2](mpmath.mpf(x))) <= REL


# --- pow at 0 -----------------------------------------------------------------------


def test_zero_to_the_zero_is_one_with_zero_gradients():
    """As PyTorch: 0 ** 0 = 1, d/dx = 0 (x**0 is constant), d/dy = 0 (the limit at x = 0)."""
    x, y = Value(0.0), Value(0.0)
    out = x**y
    out.backward()
    assert (out.data, x.grad, y.grad) == (1.0, 0.0, 0.0)


def test_zero_to_a_fractional_power_has_an_infinite_slope():
    """d(x**0.5)/dx at 0 is inf (PyTorch: inf, 0): the table says so, backward() refuses it."""
    assert OPS_BY_NAME["pow"].derivative(0.0, 0.5, 0.0) == (math.inf, 0.0)
    assert OPS_BY_NAME["pow_const"].derivative(0.0, 0.5, 0.0) == (math.inf,)
    x, y = Value(0.0), Value(0.5)
    out = x**y
    assert out.data == 0.0
    with pytest.raises(FloatingPointError, match="pow"):
        out.backward()


@pytest.mark.parametrize(("y", "dx"), [(1.0, 1.0), (2.0, 0.0), (3.5, 0.0)])
def test_zero_base_slopes(y, dx):
    assert OPS_BY_NAME["pow"].derivative(0.0, y, 0.0) == (dx, 0.0)


# --- a negative base -----------------------------------------------------------------


@given(
    st.floats(max_value=-1e-300, min_value=-1e300),
    st.one_of(st.integers(-5, 5).map(float), st.floats(-10.0, 10.0)),
)
def test_a_negative_base_needs_a_constant_exponent(x, y):
    """x ** Value(y) for x < 0 is refused up front: d/dy = x**y ln(x) does not exist there."""
    with pytest.raises(ValueError, match="needs a constant exponent"):
        Value(x) ** Value(y)
    with pytest.raises(ValueError, match="needs a constant exponent"):
        x ** Value(y)


def test_both_engines_refuse_a_negative_base_with_a_value_exponent():
    """The compiled kernels get NaN from the op table's forward and report the domain error."""
    w = Value(2.0)
    tape = trace(lambda inputs: w ** inputs[0], n_inputs=1, params=[w])
    uniform = tape.uniform.copy()
    uniform[0] = -2.0  # the parameter went negative after the trace
    with pytest.raises(ValueError, match="pow: a negative base -2.0 needs a constant exponent"):
        loss_and_grad(tape, np.array([[2.0]]), uniform=uniform)
    with pytest.raises(ValueError, match="pow: a negative base -2.0 needs a constant exponent"):
        Value(-2.0) ** Value(2.0)


def test_integer_powers_of_a_negative_number_are_the_constant_exponent_op():
    x = Value(-2.0)
    out = x**3
    out.backward()
    assert (out.data, x.grad) == (-8.0, 12.0)
