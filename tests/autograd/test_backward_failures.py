"""A failed backward() changes no gradient, and accumulation that overflows raises.

backward() computes the pass on a table of its own and writes ``.grad`` only
once every gradient is finite and every input's sum fits a float64.
"""

import math
import sys

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import Value
from autograd.value import accumulate_grads
from nn.layers import MLP
from nn.losses import mse_loss


def grads_of(root):
    return [node.grad for node in root._topological_order()]


def test_failed_backward_leaves_every_grad_as_before():
    z, w = Value(0.0), Value(1.0)
    w.grad = 2.0
    out = z.sqrt() * w + w
    before = grads_of(out)
    with pytest.raises(FloatingPointError, match=r"sqrt\(0.0\)"):
        out.backward()
    assert grads_of(out) == before
    assert (w.grad, z.grad) == (2.0, 0.0)


def test_backward_interrupted_halfway_leaves_every_grad_as_before(monkeypatch):
    w = Value(3.0)
    w.grad = 2.0
    out = (w * w).tanh() * w
    before = grads_of(out)
    steps = []

    def interrupted(node):  # Ctrl-C on the second node's chain-rule step
        steps.append(node)
        if len(steps) == 2:
            raise KeyboardInterrupt
        original(node)

    original = Value._backward
    monkeypatch.setattr(Value, "_backward", interrupted)
    with pytest.raises(KeyboardInterrupt):
        out.backward()
    assert grads_of(out) == before


def test_backward_after_a_failure_gives_the_same_as_without_it():
    w = Value(1.5)
    bad, good = Value(0.0).sqrt() * w, w * w
    with pytest.raises(FloatingPointError):
        bad.backward()
    good.backward()
    assert w.grad == 3.0  # d(w²)/dw = 2w, nothing left over from the failed pass


def test_leaf_gradient_that_overflows_raises_and_keeps_the_last_sum():
    v = Value(1.0)
    v.backward(1e308)
    with pytest.raises(FloatingPointError, match="overflows a float64; call zero_grad"):
        v.backward(1e308)
    assert v.grad == 1e308


def test_overflowing_accumulation_through_a_graph_changes_no_grad():
    w, x = Value(1.0), Value(0.5)
    out = w * x
    out.backward(1e308)  # w.grad = 0.5e308, x.grad = 1e308
    with pytest.raises(FloatingPointError, match="backward: adding the gradient 1e"):
        out.backward(1e308)  # x.grad would be 2e308
    assert (w.grad, x.grad, out.grad) == (5e307, 1e308, 1e308)


def test_accumulate_grads_changes_none_when_one_sum_overflows():
    a, b = Value(0.0), Value(0.0)
    a.grad, b.grad = 1.0, 1e308
    with pytest.raises(FloatingPointError, match="where: adding the gradient 1e"):
        accumulate_grads([a, b], [1.0, 1e308], "where")
    assert (a.grad, b.grad) == (1.0, 1e308)
    accumulate_grads([a, b], [1.0, -1e308], "where")
    assert (a.grad, b.grad) == (2.0, 0.0)


def test_compiled_gradient_that_overflows_the_accumulated_one_changes_nothing():
    model = MLP(1, [1], activation=None, init="zeros")
    compiled = model.compile(mse_loss)
    X, y = np.array([[1e300]]), np.array([-1.0])  # d mse / d (w, b) = (2e300, 2)
    for p in model.parameters():
        p.grad = sys.float_info.max  # w's sum overflows, b's does not
    with pytest.raises(FloatingPointError, match="loss_and_grad: adding the gradient 2e"):
        compiled.loss_and_grad(X, y)
    assert [p.grad for p in model.parameters()] == [sys.float_info.max] * 2


# Numbers at the edges: sqrt and log fail at 0, products of the huge ones overflow.
EDGE_NUMBERS = st.sampled_from([0.0, 1e-300, 1e-8, -1.0, 0.5, 2.0, 1e150, 1e300])
UNARY = [Value.sqrt, Value.log, Value.exp, Value.tanh, lambda v: v**-1.0, lambda v: v * v]


@st.composite
def edge_graphs(draw):
    """The root of a few ops over leaves at edge numbers; None if the forward pass fails."""
    leaves = [Value(draw(EDGE_NUMBERS)) for _ in range(draw(st.integers(1, 3)))]
    nodes = list(leaves)
    try:
        for _ in range(draw(st.integers(1, 6))):
            x, y = draw(st.sampled_from(nodes)), draw(st.sampled_from(nodes))
            kind = draw(st.integers(0, len(UNARY) + 1))
            if kind < len(UNARY):
                nodes.append(UNARY[kind](abs(x)))  # abs: sqrt and log see 0, not negatives
            else:
                nodes.append(x * y if kind == len(UNARY) else x + y)
    except (ArithmeticError, ValueError):
        return None
    return nodes[-1]


@settings(max_examples=200, deadline=None)
@given(edge_graphs(), st.lists(st.sampled_from([0.0, 1.0, -3.5, 1e308]), min_size=1), EDGE_NUMBERS)
def test_backward_is_all_or_nothing_on_any_graph(root, old_grads, seed):
    assume(root is not None)
    order = root._topological_order()
    for i, node in enumerate(order):
        node.grad = old_grads[i % len(old_grads)]
    before = [node.grad for node in order]
    try:
        root.backward(seed)
    except FloatingPointError:
        assert [node.grad for node in order] == before
    else:
        assert all(math.isfinite(node.grad) for node in order)
