"""Data-dependent steps of a loss run per sample on both engines: same numbers, same refusals.

The BCE clamp of log(p) at -100 and the softmax shift by the largest logit
are ops of the graph (``clamp_min``, ``max``), so the compiled tape clamps
and shifts each sample by its own numbers, not by the traced sample's.
"""

import math
import sys

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.functional import softmax
from nn.layers import MLP
from nn.losses import binary_cross_entropy, cross_entropy, hinge_loss

REL = 1e-12  # both engines run the same ops per sample
# The batch gradient is a sum of per-sample gradients; the engines add them in a
# different order, so where they cancel the difference is rounding of the terms,
# which are up to max(1, |x|) in size (x times a loss slope of at most 1).
ABS = 1e-15
ROUNDING = 4 * sys.float_info.epsilon


def both_engines(model, loss_fn, X, y):
    """(loss, grads) from the scalar graph, then from the compiled tape."""
    model.zero_grad()
    losses = [loss_fn(model(list(x)), t) for x, t in zip(X.tolist(), y.tolist())]
    scalar = sum(losses[1:], losses[0]) / len(losses)
    scalar.backward()
    scalar_grads = [p.grad for p in model.parameters()]
    model.zero_grad()
    compiled = model.compile(loss_fn).loss_and_grad(X, y)
    return (scalar.data, scalar_grads), (compiled, [p.grad for p in model.parameters()])


def assert_same(scalar, compiled, term_size=1.0):
    (loss, grads), (loss_c, grads_c) = scalar, compiled
    assert math.isclose(loss, loss_c, rel_tol=REL), (loss, loss_c)
    abs_tol = max(ABS, ROUNDING * term_size)
    for g, gc in zip(grads, grads_c):
        assert math.isclose(g, gc, rel_tol=REL, abs_tol=abs_tol), (grads, grads_c)


def sigmoid_unit(w):
    model = MLP(1, [1], activation=None, output_activation="sigmoid", init="zeros")
    model.parameters()[0].data = w
    return model


@pytest.mark.parametrize(
    ("X", "expected"),
    [([[-200.0], [0.0]], 50.0 + math.log(2) / 2), ([[0.0], [-200.0]], 50.0 + math.log(2) / 2)],
)
def test_bce_clamp_is_decided_per_sample(X, expected):
    scalar, compiled = both_engines(
        sigmoid_unit(1.0), binary_cross_entropy, np.array(X), np.array([1.0, 1.0])
    )
    assert_same(scalar, compiled)
    assert math.isclose(scalar[0], expected, rel_tol=REL)
    assert scalar[1] == [0.0, -0.25]  # the clamped sample passes no gradient


def test_bce_of_a_probability_that_rounds_to_one_is_finite_on_both_engines():
    X, y = np.array([[40.0], [0.0]]), np.array([0.0, 1.0])  # sigmoid(40) == 1.0 exactly
    scalar, compiled = both_engines(sigmoid_unit(1.0), binary_cross_entropy, X, y)
    assert_same(scalar, compiled)
    assert math.isclose(scalar[0], (100.0 + math.log(2)) / 2, rel_tol=REL)


def test_softmax_shift_is_each_samples_own_maximum():
    model = MLP(1, [2], activation=None, init="zeros")
    model.parameters()[0].data = 2.0  # logits (0.2, 0) and (800, 0)
    scalar, compiled = both_engines(
        model, cross_entropy, np.array([[0.1], [400.0]]), np.array([0, 1])
    )
    assert_same(scalar, compiled)
    assert math.isfinite(scalar[0])


extreme = st.floats(-1e3, 1e3, allow_nan=False) | st.sampled_from([-745.0, -700.0, 0.0, 700.0])


@settings(max_examples=60, deadline=None)
@given(st.lists(extreme, min_size=2, max_size=6), st.floats(-3.0, 3.0), st.booleans())
def test_bce_engines_agree_on_extreme_inputs(xs, w, ones):
    X = np.array(xs).reshape(-1, 1)
    y = np.ones(len(xs)) if ones else np.arange(len(xs)) % 2.0
    assert_same(*both_engines(sigmoid_unit(w), binary_cross_entropy, X, y), max(1.0, *map(abs, xs)))


@settings(max_examples=60, deadline=None)
@given(st.lists(extreme, min_size=2, max_size=6), st.floats(-2.0, 2.0))
def test_cross_entropy_engines_agree_on_extreme_logits(xs, w):
    model = MLP(1, [3], activation=None, init="zeros")
    weights = [w, -w, 0.5 * w]
    for p, value in zip(model.parameters(), weights):
        p.data = value
    X, y = np.array(xs).reshape(-1, 1), np.arange(len(xs)) % 3
    assert_same(*both_engines(model, cross_entropy, X, y), max(1.0, *map(abs, xs)))


def test_softmax_graph_shows_the_shift_as_max_nodes():
    logits = MLP(1, [3], seed=0)([0.5])
    ops = sorted({node._op for p in softmax(logits) for node in p._topological_order()})
    assert "max" in ops


@pytest.mark.parametrize("engine", ["scalar", "compiled"])
def test_hinge_labels_are_refused_on_both_engines(engine):
    model = MLP(1, [1], activation=None, seed=0)
    X, y = np.array([[1.0], [2.0]]), np.array([1.0, 0.0])
    with pytest.raises(ValueError, match=r"\[1\] must be -1 or \+1, got 0"):
        if engine == "compiled":
            model.compile(hinge_loss).loss_and_grad(X, y)
        else:
            hinge_loss([model(list(x)) for x in X.tolist()], y.tolist())
    assert all(p.grad == 0.0 for p in model.parameters())
