"""Kaiming initializers use PyTorch's leaky_relu gain √(2 / (1 + a²)), checked where |a| ≠ a²."""

import math

import pytest

from nn import init

SLOPES = [0.2, -0.5, 3.0]  # at a = 0 and a = 1, |a| = a²: a gain using |a| would pass there
FAN_IN, FAN_OUT = 30, 5


def pytorch_gain(a):
    torch = pytest.importorskip("torch")
    return torch.nn.init.calculate_gain("leaky_relu", a)


@pytest.mark.parametrize("a", SLOPES)
def test_kaiming_uniform_bound_uses_pytorchs_gain(a):
    bound = pytorch_gain(a) * math.sqrt(3.0 / FAN_IN)
    same_draws = init.uniform(FAN_IN, FAN_OUT, a=-bound, b=bound, seed=3)
    assert init.kaiming_uniform(FAN_IN, FAN_OUT, a=a, seed=3) == pytest.approx(
        same_draws, rel=1e-15, abs=1e-15
    )


@pytest.mark.parametrize("a", SLOPES)
def test_kaiming_normal_std_uses_pytorchs_gain(a):
    std = pytorch_gain(a) / math.sqrt(FAN_IN)
    same_draws = init.normal(FAN_IN, FAN_OUT, mean=0.0, std=std, seed=3)
    assert init.kaiming_normal(FAN_IN, FAN_OUT, a=a, seed=3) == pytest.approx(
        same_draws, rel=1e-15, abs=1e-15
    )
