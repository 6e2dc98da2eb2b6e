"""An optimizer's state stays finite and in its domain, or the call changes nothing.

A step whose running averages would overflow is refused before any parameter
or state changes; a saved state outside its domain (a negative mean of
squares, a step count no float64 holds) is refused by ``load_state_dict``.
"""

import copy

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value
from nn.layers import MLP
from nn.losses import mse_loss
from nn.optim import MAX_COUNT, SGD, Adam, AdamW


def snapshot(opt):
    return [p.data for p in opt.params], copy.deepcopy(opt.state_dict())


@pytest.mark.parametrize("cls", [Adam, AdamW])
def test_adam_refuses_a_gradient_whose_square_overflows(cls):
    w, u = Value(1.0), Value(2.0)
    opt = cls([w, u], lr=0.1)
    w.grad, u.grad = 0.5, 0.5
    opt.step()
    before = snapshot(opt)
    w.grad, u.grad = 0.5, 1e200  # 1e200² is beyond float64: exp_avg_sq would be inf
    with pytest.raises(OverflowError, match=r"exp_avg_sq\[1\], the state kept for params\[1\]"):
        opt.step()
    assert snapshot(opt) == before
    u.grad = 1e100  # a gradient the state holds: the training goes on
    opt.step()
    assert np.isfinite(opt.exp_avg_sq).all() and opt.steps == 2


def test_sgd_refuses_a_momentum_buffer_that_overflows():
    w = Value(0.0)
    opt = SGD([w], lr=1e-300, momentum=0.9)
    w.grad = 1.7e308
    opt.step()
    before = snapshot(opt)
    with pytest.raises(OverflowError, match=r"momentum_buffer\[0\]"):
        opt.step()  # 0.9 · 1.7e308 + 1.7e308 overflows
    assert snapshot(opt) == before


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e300, 1e300), min_size=1, max_size=4), st.sampled_from([Adam, AdamW]))
def test_adam_state_is_finite_after_every_step_it_takes(grads, cls):
    params = [Value(1.0) for _ in grads]
    opt = cls(params, lr=1e-3)
    for p, g in zip(params, grads):
        p.grad = g
    before = snapshot(opt)
    try:
        opt.step()
    except OverflowError:
        assert snapshot(opt) == before
    else:
        assert np.isfinite(opt.exp_avg).all() and np.isfinite(opt.exp_avg_sq).all()


def adam_state(**changes):
    state = Adam([Value(1.0), Value(2.0)]).state_dict()
    state.update(changes)
    return state


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"steps": 10**400}, r"'steps' must be a count in \[0, 2\*\*53\], got 1000"),
        ({"steps": MAX_COUNT + 1}, "'steps' must be a count"),
        ({"steps": -1}, "'steps' must be a count"),
        ({"exp_avg_sq": [0.0, -1e-3]}, r"exp_avg_sq\[1\]: expected a finite number >= 0"),
        ({"exp_avg": [10**400, 0.0]}, r"exp_avg\[0\]: expected a finite number, got 1000"),
        ({"lr": 10**400}, "lr: expected a finite number > 0"),
    ],
)
def test_adam_state_outside_its_domain_is_a_value_error(changes, match):
    opt = Adam([Value(1.0), Value(2.0)])
    before = snapshot(opt)
    with pytest.raises(ValueError, match=match) as error:
        opt.load_state_dict(adam_state(**changes))
    assert len(str(error.value)) < 200  # a 400-digit number is cut, not printed
    assert snapshot(opt) == before


def test_the_compiled_whole_step_refuses_state_that_overflows_too():
    model = MLP(1, [1], activation=None, init="zeros")
    compiled, opt = model.compile(mse_loss), Adam(model.parameters(), lr=0.1)
    before = snapshot(opt)
    state = r"exp_avg_sq\[0\], the state kept for optimizer.params\[0\]"  # the optimizer's order
    with pytest.raises(OverflowError, match=state):
        compiled.step(opt, np.array([[1e200]]), np.array([-1.0]))  # d loss / d w = 2e200
    compiled.sync()
    assert snapshot(opt) == before
