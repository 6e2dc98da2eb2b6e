"""gradcheck passes correct gradients and reports wrong ones with both numbers."""

import pytest

from autograd import Value, gradcheck
from autograd.check import numerical_gradient


def test_passes_for_correct_backward():
    assert gradcheck(lambda x, y: (x * y + x.exp()).tanh() / (y**2 + 1), [0.3, -1.2])


def test_accepts_values_as_the_point():
    assert gradcheck(lambda x: x.log(), [Value(2.0)])


def test_numerical_gradient_central_difference():
    assert abs(numerical_gradient(lambda x, y: x * y * y, [2.0, 3.0], 1) - 12.0) < 1e-6


def test_reports_each_mismatch_with_both_numbers():
    def wrong(x, y):
        # A function whose graph hides part of its dependence on y from backward():
        # the constant Value(y.data) carries no gradient back to y.
        return x * y + Value(y.data) * y

    with pytest.raises(AssertionError) as failure:
        gradcheck(wrong, [2.0, 3.0])
    message = str(failure.value)
    assert "input 1 (= 3.0)" in message
    assert "backward 5.0" in message and "numeric 8.0" in message
    assert "input 0" not in message


def test_rejects_non_value_result():
    with pytest.raises(TypeError, match="must return a Value"):
        gradcheck(lambda x: 1.0, [1.0])
