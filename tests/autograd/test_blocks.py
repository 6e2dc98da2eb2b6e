"""Layer blocks: found on the tape, run as matrix products, equal to the scalar engine."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from threadpoolctl import threadpool_info, threadpool_limits

from autograd import Value, blas, blocks, halves, kernels
from autograd.block_kernels import BLOCK, W_TRANSPOSED
from autograd.blocks import Program, _one_blas_thread
from autograd.ops import OPS_BY_NAME
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
    assert "%9..%13 = relu %4..%8" in text  # the block's activations, fused into it
    assert "block 4×5" in text and "block 1×4" in text  # a lone neuron is a block too
    assert "dot" not in text


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
    assert program.blocks == [] and program.tape.code.tolist() == tape.code.tolist()
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


HALVES_RTOL = 1e-13  # two halves sum the batch's gradients in another order


@pytest.mark.parametrize(("loss_fn", "width"), [(mse_loss, 1), (cross_entropy, 3)])
def test_two_halves_at_once_give_the_numbers_of_one_pass(loss_fn, width):
    model = MLP(3, [6, 5, width], seed=3)
    compiled = model.compile(loss_fn)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(10, 3))
    y = rng.integers(0, width, 10) if width > 1 else rng.normal(size=10)
    compiled.loss_and_grad(X, y)  # traces the loss
    program = compiled.program
    T, selected = (None, y.astype(np.int64)) if width > 1 else (y.reshape(-1, 1), None)
    one_losses, one_grad = program.loss_and_grad(X, T, selected, parallel=False)
    one_grad = one_grad.copy()
    halves_losses, halves_grad = program.loss_and_grad(X, T, selected, parallel=True)
    assert 2 in program._buffers  # the batch ran as two chunks
    assert_agree(halves_losses, one_losses, HALVES_RTOL)
    assert_agree(halves_grad, one_grad, HALVES_RTOL)
    model.zero_grad()
    want = sum(loss_fn(model(x), t) for x, t in zip(X, y)) / len(y)
    want.backward()
    assert_agree(halves_grad, np.array([p.grad for p in model.parameters()]), RTOL)


def test_an_odd_batch_runs_in_one_pass_when_halves_are_asked_for():
    program = MLP(2, [4, 1], seed=0).compile(mse_loss).program
    X, T = np.ones((3, 2)), np.zeros((3, 1))
    program.loss_and_grad(X, T, parallel=True)
    assert 2 not in program._buffers


@pytest.mark.parametrize("threadpoolctl", [True, False])
def test_a_big_batch_runs_as_halves_only_where_blas_can_run_one_thread(threadpoolctl, monkeypatch):
    monkeypatch.setattr(halves, "PARALLEL_MIN_WORK", 0)  # every batch is big
    if not threadpoolctl:  # the `threads` extra is not installed
        monkeypatch.setattr(blocks, "ThreadpoolController", None)
    program = MLP(2, [4, 1], seed=0).compile(mse_loss).program
    program.loss_and_grad(np.ones((4, 2)), np.zeros((4, 1)))
    assert (2 in program._buffers) == threadpoolctl


def test_a_bad_sample_in_the_second_half_is_named():
    w = [Value(0.5), Value(-0.25)]
    tape = trace(lambda x: [(w[0] * x[0] + w[1] * x[1] + w[0]).log()], 2, w)
    X = np.ones((6, 2))
    X[4] = [-10.0, 0.0]  # 0.5·(-10) + 0.5 < 0: log of a negative number
    with pytest.raises(ValueError, match="sample 4 of the batch"):
        Program(tape).loss_and_grad(X, parallel=True)


def test_each_layer_and_its_activations_run_as_one_instruction():
    program = MLP(2, [4, 3, 1], seed=0).compile(mse_loss).program
    codes = program.tape.code.tolist()
    assert codes[:3] == [BLOCK] * 3 and BLOCK not in codes[3:]  # then the loss
    relu = OPS_BY_NAME["relu"].code
    assert [b.activation for b in program.blocks] == [relu, relu, -1]  # a linear output
    first = program.blocks[0]
    assert first.out == 3 and first.shape == (4, 2)  # %3..%6 (after %0 %1 and the target)
    assert program.blocks[1].inputs.tolist() == [7, 8, 9, 10]  # the relus, right after


def test_weights_read_outside_their_block_still_get_every_gradient():
    """A penalty on the first layer's weights: that block adds its gradients instead of
    writing them, the others write theirs."""
    model = MLP(2, [3, 2, 1], seed=4)
    first = model.layers[0].parameters()

    def loss(x, t):
        penalty = sum(p * p for p in first) * 0.1
        return mse_loss(model(x), t[0]) + penalty

    params = model.parameters()
    program = Program(trace(loss, 2, params, n_targets=1))
    assert [b.sets_param_grads for b in program.blocks] == [False, True, True]
    X, T = np.random.default_rng(5).normal(size=(6, 2)), np.ones((6, 1))
    got_loss, got_grad = program_loss_and_grads(program, X, T)
    want_loss, want_grad = scalar_loss_and_grads(loss, params, X, T)
    assert_agree(got_loss, want_loss, RTOL)
    assert_agree(got_grad, want_grad, RTOL)


def test_the_halves_run_with_one_blas_thread_and_give_the_setting_back():
    def blas_threads():
        return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]

    with threadpool_limits(2, user_api="blas"):
        before = blas_threads()
        with _one_blas_thread():
            assert set(blas_threads()) <= {1}
        assert blas_threads() == before


def _one_layer(order):
    """A tanh layer of 3 neurons over 4 inputs, its parameters listed in ``order``."""
    rng = np.random.default_rng(7)
    W = [[Value(rng.normal()) for _ in range(4)] for _ in range(3)]
    b = [Value(rng.normal()) for _ in range(3)]

    def loss(x, t):
        out = []
        for j in range(3):
            z = b[j]
            for i in range(4):
                z = z + W[j][i] * x[i]
            out.append(z.tanh())
        return sum((h - t[0]) ** 2 for h in out)

    return loss, order(W, b)


def _agrees_with_the_scalar_engine(loss, params):
    rng = np.random.default_rng(8)
    X, T = rng.normal(size=(6, 4)), rng.normal(size=(6, 1))
    program = Program(trace(loss, 4, params, n_targets=1))
    got_loss, got_grad = program_loss_and_grads(program, X, T)
    want_loss, want_grad = scalar_loss_and_grads(loss, params, X, T)
    assert_agree(got_loss, want_loss, RTOL)
    assert_agree(got_grad, want_grad, RTOL)
    return program


def test_weights_listed_input_by_input_run_as_a_transposed_block():
    loss, params = _one_layer(lambda W, b: [W[j][i] for i in range(4) for j in range(3)] + b)
    program = _agrees_with_the_scalar_engine(loss, params)
    assert [blk.shape for blk in program.blocks] == [(3, 4)]
    assert program.blocks_table[0, W_TRANSPOSED] == 1  # BLAS reads Wᵀ row by row


def test_weights_in_no_even_layout_stay_dots():
    order = np.random.default_rng(9).permutation(15)
    loss, params = _one_layer(lambda W, b: [[*W[0], *W[1], *W[2], *b][k] for k in order])
    program = _agrees_with_the_scalar_engine(loss, params)
    assert program.blocks == []


def test_without_a_blas_to_call_layers_stay_dots(monkeypatch):
    tape = MLP(3, [4, 2], seed=0).compile(cross_entropy).tape
    X, selected = np.random.default_rng(3).normal(size=(5, 3)), np.array([0, 1, 1, 0, 1])
    with_blocks = Program(tape).loss_and_grad(X, None, selected)[1].copy()
    monkeypatch.setattr(blas, "DGEMM", 0)  # numpy linked against a BLAS we cannot reach
    program = Program(tape)
    assert program.blocks == [] and BLOCK not in program.tape.code
    assert_agree(program.loss_and_grad(X, None, selected)[1], with_blocks, RTOL)


def test_no_samples_give_no_outputs():
    compiled = MLP(3, [4, 1], seed=0).compile(mse_loss)
    compiled.loss_and_grad(np.ones((1, 3)), np.ones(1))  # traces the loss
    outputs = compiled.program.forward(np.empty((0, 3)), np.empty((0, 1)))
    assert outputs.shape == (0, len(compiled.program.tape.output_slots))
