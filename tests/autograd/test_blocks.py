"""Layer blocks: found on the tape, run as matrix products, equal to the scalar engine."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import Value, kernels
from autograd.blocks import Program
from autograd.tape import trace
from nn.layers import MLP
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l1_loss,
    mse_loss,
)

from checks import assert_agree

RTOL = 1e-10  # blocks sum a layer's products in BLAS's order, not left to right
ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", None]
LOSSES = [
    (mse_loss, 1, None),
    (l1_loss, 1, None),
    (binary_cross_entropy, 1, "sigmoid"),
    (binary_cross_entropy_with_logits, 1, None),
    (hinge_loss, 1, None),
    (cross_entropy, 3, None),
]


def scalar_loss_and_grads(loss_of_sample, params, X, T):
    """The batch's mean loss through the scalar engine, and every parameter's gradient."""
    for p in params:
        p.grad = 0.0
    loss = sum(loss_of_sample(x, t) for x, t in zip(X.tolist(), T.tolist())) / len(X)
    loss.backward()
    return loss.data, np.array([p.grad for p in params])


def program_loss_and_grads(program, X, T):
    losses, grad = program.loss_and_grad(X, T)
    return losses.mean(), grad.copy()


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize(("loss_fn", "width", "out_act"), LOSSES)
def test_every_loss_and_activation_agrees_with_the_scalar_engine(
    loss_fn, width, out_act, activation
):
    rng = np.random.default_rng(1)
    model = MLP(3, [5, 4, width], activation=activation, output_activation=out_act, seed=1)
    compiled = model.compile(loss_fn)
    X = rng.normal(size=(9, 3))
    y = rng.integers(0, width, 9) if width > 1 else rng.choice([-1.0, 1.0], 9)
    if loss_fn in (binary_cross_entropy, binary_cross_entropy_with_logits):
        y = (y > 0).astype(float)
    compiled.loss_and_grad(X, y)  # traces the loss on the first sample
    program = compiled.program
    assert [b.shape for b in program.blocks][:2] == [(5, 3), (4, 5)]
    if compiled.classification:
        losses, grad = program.loss_and_grad(X, None, y.astype(np.int64))
    else:
        losses, grad = program.loss_and_grad(X, y.reshape(-1, 1))
    model.zero_grad()
    want = sum(loss_fn(model(x), t) for x, t in zip(X, y)) / len(y)
    want.backward()
    assert_agree(losses.mean(), want.data, RTOL)
    assert_agree(grad, np.array([p.grad for p in model.parameters()]), RTOL)


def test_the_printout_shows_the_blocks():
    model = MLP(3, [5, 4, 1], seed=0)
    text = str(model.compile(mse_loss).program)
    assert "%4..%8 = block 5×3 [$0 … $18] @ [%0 … %2] + [$3 … $19]" in text
    assert "block 4×5" in text and "= relu %4" in text
    assert "dot" in text  # the lone output neuron stays one instruction


def _random_layers(draw):
    """(loss of one sample, params, n_inputs): layers of neurons, with extras that are no layer."""
    n_in = draw(st.integers(1, 4))
    widths = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    number = st.floats(-1.5, 1.5, allow_nan=False, allow_infinity=False)
    params, layers = [], []
    fan_in = n_in
    for width in widths:
        bias = draw(st.booleans())
        acts = draw(st.lists(st.sampled_from(ACTIVATIONS), min_size=width, max_size=width))
        if draw(st.booleans()):
            acts = [acts[0]] * width  # one activation for the layer
        neurons = []
        for _ in range(width):
            w = [Value(draw(number)) for _ in range(fan_in)]
            b = Value(draw(number)) if bias else None
            params += w + ([b] if b is not None else [])
            neurons.append((w, b))
        layers.append((neurons, acts, draw(st.booleans())))
        fan_in = width

    def loss(x, t):
        h = [Value(v) if not isinstance(v, Value) else v for v in x]
        for neurons, acts, extra in layers:
            out = []
            for (w, b), act in zip(neurons, acts):
                z = b if b is not None else w[0] * h[0]
                for wi, hi in zip(w if b is not None else w[1:], h if b is not None else h[1:]):
                    z = z + wi * hi
                out.append(getattr(z, act)() if act else z)
            if extra:  # a term that belongs to no layer
                out[0] = out[0] + out[-1] * h[0]
            h = out
        return sum((o - t[0]) ** 2 for o in h)

    return loss, params, n_in


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_random_layered_graphs_agree_with_the_scalar_engine(data):
    loss, params, n_in = _random_layers(data.draw)
    batch = data.draw(st.integers(1, 5))
    rng = np.random.default_rng(data.draw(st.integers(0, 1000)))
    X, T = rng.normal(size=(batch, n_in)), rng.normal(size=(batch, 1))
    program = Program(trace(loss, n_in, params, n_targets=1))
    got_loss, got_grad = program_loss_and_grads(program, X, T)
    want_loss, want_grad = scalar_loss_and_grads(loss, params, X, T)
    assert_agree(got_loss, want_loss, RTOL)
    assert_agree(got_grad, want_grad, RTOL)


def test_a_graph_with_no_layer_runs_instruction_by_instruction():
    a, b = Value(0.5), Value(-1.5)
    tape = trace(lambda x: (a * x[0] + b * x[1]).tanh() * (a - x[1]), 2, [a, b])
    program = Program(tape)
    assert program.blocks == [] and program.steps == [(0, len(tape))]
    X = np.array([[1.0, 2.0], [0.5, -1.0]])
    got, want = program.loss_and_grad(X), kernels.loss_and_grad(tape, X)
    np.testing.assert_array_equal(got[0], want[0])
    np.testing.assert_array_equal(got[1], want[1])


def test_dots_sharing_a_weight_are_no_block():
    w, u = Value(0.5), Value(2.0)

    def fn(x):
        return [w + w * x[0] + u * x[1], u + w * x[0] + w * x[1]]

    program = Program(trace(fn, 2, [w, u]))
    assert program.blocks == []


def test_blocks_off_gives_the_same_numbers():
    model = MLP(2, [4, 3, 1], seed=2)
    tape = model.compile(mse_loss).tape
    X, T = np.random.default_rng(0).normal(size=(6, 2)), np.zeros((6, 1))
    plain = Program(tape, blocks=False)
    assert plain.blocks == []
    assert_agree(Program(tape).loss_and_grad(X, T)[1], plain.loss_and_grad(X, T)[1].copy(), RTOL)
