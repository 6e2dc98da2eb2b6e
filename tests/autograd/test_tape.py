"""Tracing into a tape, its optimisations, and the Numba kernels on plain `Value` graphs.

The reference is always the scalar engine: the same function on the same
numbers, differentiated by ``backward()`` on the batch's mean.
"""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd import OPS, Value, kernels
from autograd.tape import DOT, trace

from checks import assert_agree
from spellings import TAPEGRAD_OPS


def scalar_reference(fn, params, X, T=None):
    """Per-sample losses and d mean / d params from the scalar engine."""
    for p in params:
        p.grad = 0.0
    losses = []
    for i, x in enumerate(X):
        inputs = [Value(v) for v in x]
        out = fn(inputs, [Value(v) for v in T[i]]) if T is not None else fn(inputs)
        losses.append(out)
    mean = sum(losses) / len(losses)
    mean.backward()
    return np.array([v.data for v in losses]), np.array([p.grad for p in params])


def compiled(fn, params, X, T=None, **options):
    n_targets = 0 if T is None else T.shape[1]
    tape = trace(fn, X.shape[1], params, n_targets, **options)
    return kernels.loss_and_grad(tape, X, T)


# --- the Wengert list ----------------------------------------------------------


def test_print_is_a_numbered_wengert_list():
    w = Value(2.0, label="w")
    tape = trace(lambda x: (x[0] * x[1] + w).exp(), n_inputs=2, params=[w])
    assert str(tape).splitlines() == [
        "inputs: %0 %1",
        "params: $0 (w)",
        "%2 = mul %0 %1",
        "%3 = add %2 $0",
        "%4 = exp %3",
        "outputs: %4",
    ]


def test_constant_parameters_of_ops_are_printed():
    tape = trace(lambda x: x[0].leaky_relu(0.1) ** 3, n_inputs=1, params=[])
    assert "%1 = leaky_relu %0 slope=0.1" in str(tape)
    assert "%2 = pow_const %1 exponent=3.0" in str(tape)


def test_shared_subexpressions_stay_shared():
    def fn(x):
        a = x[0] * x[1]
        return a * a + a

    tape = trace(fn, 2, [])
    assert [OPS[c].name for c in tape.code] == ["mul", "mul", "add"]
    losses, _ = kernels.loss_and_grad(tape, np.array([[2.0, 3.0]]))
    assert losses.tolist() == [42.0]


def test_fn_must_return_values():
    with pytest.raises(TypeError, match="fn must return Values, got float"):
        trace(lambda x: 1.0, 1, [])


def test_example_numbers_must_match_the_inputs():
    with pytest.raises(ValueError, match="expected 2 example numbers for 'x', got 1"):
        trace(lambda x: x[0] + x[1], 2, [], example_inputs=[1.0])


def test_forward_needs_the_targets_the_tape_reads():
    tape = trace(lambda x, t: x[0] - t[0], 1, [], n_targets=1)
    with pytest.raises(ValueError, match="reads 1 targets: pass T"):
        kernels.forward(tape, np.ones((2, 1)))
    assert kernels.forward(tape, np.ones((2, 1)), np.array([[3.0], [0.5]])).tolist() == [
        [-2.0],
        [0.5],
    ]


def test_a_parameter_output_is_copied_into_a_slot():
    w = Value(3.0)
    tape = trace(lambda x: [x[0] * w, w], 1, [w])
    np.testing.assert_array_equal(kernels.forward(tape, np.array([[2.0]])), [[6.0, 3.0]])


def test_the_trace_is_one_path_through_python_control_flow():
    # Documented: an `if` on the numbers is decided once, at trace time (x = 0.5).
    tape = trace(lambda x: x[0] * 2 if x[0] > 0 else x[0] * 3, 1, [])
    assert kernels.forward(tape, np.array([[-1.0]])).tolist() == [[-2.0]]


# --- optimisations keep every number ---------------------------------------------


def neuron_net(n_in=3, width=4):
    """Two layers of neurons built like nn's: b + w0*x0 + w1*x1 + ..."""
    rng = np.random.default_rng(1)
    layers = [
        [([Value(rng.normal()) for _ in range(n)], Value(rng.normal())) for _ in range(m)]
        for n, m in ((n_in, width), (width, 1))
    ]
    params = [p for layer in layers for ws, b in layer for p in (*ws, b)]

    def fn(x, t):
        for k, layer in enumerate(layers):
            outs = []
            for ws, b in layer:
                z = b
                for wi, xi in zip(ws, x):
                    z = z + wi * xi
                outs.append(z.tanh() if k == 0 else z)
            x = outs
        return (x[0] - t[0]) ** 2 * 0.5

    return fn, params


def run(tape, X, T):
    return kernels.loss_and_grad(tape, X, T)


@pytest.fixture
def batch():
    rng = np.random.default_rng(2)
    return rng.normal(size=(7, 3)), rng.normal(size=(7, 1))


def test_neurons_fuse_into_dot_products_with_identical_results(batch):
    fn, params = neuron_net()
    fused = trace(fn, 3, params, 1)
    plain = trace(fn, 3, params, 1, fuse=False)
    assert (fused.code == DOT).sum() == 5  # one per neuron
    assert len(fused) < len(plain)
    assert "%4 = dot 1.0*$3 + $0*%0 + $1*%1 + $2*%2" in str(fused)
    for a, b in zip(run(fused, *batch), run(plain, *batch)):
        np.testing.assert_array_equal(a, b)


def test_dead_slot_elimination_keeps_results(batch):
    fn, params = neuron_net()
    kept = trace(fn, 3, params, 1, eliminate_dead=False)
    pruned = trace(fn, 3, params, 1)
    assert pruned.n_slots < kept.n_slots and len(pruned) < len(kept)
    for a, b in zip(run(pruned, *batch), run(kept, *batch)):
        np.testing.assert_array_equal(a, b)


def test_constant_folding_keeps_results(batch):
    two, three = Value(2.0), Value(3.0)
    w = Value(0.5)

    def fn(x, t):
        scale = (two * three).log() / three  # no input or parameter below: a constant
        return ((w * x[0] + x[1] * x[2]) * scale - t[0]).tanh()

    folded = trace(fn, 3, [w], 1)
    literal = trace(fn, 3, [w], 1, fold_constants=False)
    assert len(literal) - len(folded) == 3  # mul, log, truediv folded
    assert repr(math.log(6.0) / 3.0) in str(folded)
    for a, b in zip(run(folded, *batch), run(literal, *batch)):
        np.testing.assert_array_equal(a, b)


def test_common_subexpressions_are_computed_once(batch):
    w = Value(0.3)

    def fn(x, t):  # two calls build two equal graphs, as two calls of a loss do
        def score():
            return (w * x[0] - t[0]).exp() * 2.0

        return [score() - x[1], score() + x[2]]

    shared, copied = trace(fn, 3, [w], 1), trace(fn, 3, [w], 1, share_common=False)
    assert len(copied) - len(shared) == 4  # mul, sub, exp, mul
    np.testing.assert_array_equal(kernels.forward(shared, *batch), kernels.forward(copied, *batch))
    for a, b in zip(run(shared, *batch), run(copied, *batch)):
        assert_agree(a, b, rtol=1e-15)


def test_sums_of_plain_rows_fuse_too(batch):
    def fn(x, t):
        return x[0].tanh() + x[1].exp() + x[2] * x[0] + t[0]

    fused, plain = trace(fn, 3, [], 1), trace(fn, 3, [], 1, fuse=False)
    assert (fused.code == DOT).sum() == 1
    for a, b in zip(run(fused, *batch), run(plain, *batch)):
        np.testing.assert_array_equal(a, b)


def test_gradients_flow_only_where_parameters_are(batch):
    fn, params = neuron_net()
    tape = trace(fn, 3, params, 1)
    assert not tape.needs_grad[tape.input_slots].any()
    assert tape.needs_grad[tape.output_slots].all()


# --- agreement with the scalar engine, op by op ------------------------------------

POSITIVE = {"log", "sqrt", "pow", "pow_const", "truediv"}  # operands kept > 0 for these


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_every_op_agrees_with_the_scalar_engine(op):
    rng = np.random.default_rng(op.code)
    w, v = Value(0.8), Value(-0.6)
    shift = 3.0 if op.name in POSITIVE else 0.0
    param = {"pow_const": 2.5, "leaky_relu": 0.1, "clamp_min": 0.2}.get(op.name)

    def fn(x, t):
        a = w * x[0] + shift
        b = v * x[1] + shift
        out = Value._apply(op, *(a, b)[: op.arity], param=param)
        return out * t[0] + w * v

    X = rng.uniform(-1.5, 1.5, size=(9, 2))
    T = rng.uniform(-1.0, 1.0, size=(9, 1))
    losses, grad = compiled(fn, [w, v], X, T, example_inputs=[1.0, 1.0])
    want_losses, want_grad = scalar_reference(fn, [w, v], X, T)
    assert_agree(losses, want_losses)
    assert_agree(grad, want_grad)


def test_the_mean_gradient_of_a_known_case():
    w = Value(3.0)
    tape = trace(lambda x, t: (w * x[0] - t[0]) ** 2, 1, [w], n_targets=1)
    losses, grad = kernels.loss_and_grad(tape, np.array([[1.0], [2.0]]), np.array([[1.0], [5.0]]))
    assert losses.tolist() == [4.0, 1.0]
    assert grad.tolist() == [4.0]  # (2·2·1 + 2·1·2) / 2


def test_parallel_halves_agree_with_one_pass(batch):
    fn, params = neuron_net()
    tape = trace(fn, 3, params, 1)
    X, T = np.tile(batch[0], (4, 1)), np.tile(batch[1], (4, 1))
    serial = kernels.loss_and_grad(tape, X, T, parallel=False)
    parallel = kernels.loss_and_grad(tape, X, T, parallel=True)
    np.testing.assert_array_equal(serial[0], parallel[0])
    assert_agree(parallel[1], serial[1], rtol=1e-14)


# --- errors name the op and the sample ---------------------------------------------


def test_a_domain_error_names_the_op_and_the_sample():
    tape = trace(lambda x: x[0].log(), 1, [], example_inputs=[1.0])
    with pytest.raises(ValueError, match=r"sample 2 of the batch, %1 = log %0: log: .*x > 0"):
        kernels.forward(tape, np.array([[1.0], [2.0], [-1.0]]))


def test_an_overflow_names_the_op():
    tape = trace(lambda x: x[0].exp(), 1, [])
    with pytest.raises(OverflowError, match=r"sample 1 .* exp\(1000.0\) overflows"):
        kernels.loss_and_grad(tape, np.array([[1.0], [1000.0]]))


def test_an_infinite_gradient_is_reported():
    w = Value(1.0, label="w")
    tape = trace(lambda x: (w * x[0]).sqrt(), 1, [w])
    with pytest.raises(FloatingPointError, match="gradient (inf|nan) for parameter w"):
        kernels.loss_and_grad(tape, np.array([[0.0]]))


# --- random graphs ---------------------------------------------------------------

UNARY = ["tanh", "sigmoid", "softplus", "relu", "abs", "neg", "leaky_relu"]
BINARY = ["add", "sub", "mul"]
LEAKY_SLOPE = 0.01  # Value.leaky_relu's default


@st.composite
def random_graphs(draw):
    """A recipe: each step applies an op to earlier nodes (inputs, parameters, steps)."""
    n_steps = draw(st.integers(2, 12))
    steps = []
    for k in range(n_steps):
        available = 4 + k  # 2 inputs, 2 parameters, then every step so far
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(UNARY)), draw(st.integers(0, available - 1)), None))
        else:
            a, b = draw(st.integers(0, available - 1)), draw(st.integers(0, available - 1))
            steps.append((draw(st.sampled_from(BINARY)), a, b))
    return steps


def build(steps, params):
    def fn(x):
        nodes = [*x, *params]
        for name, a, b in steps:
            operands = [nodes[a]] if b is None else [nodes[a], nodes[b]]
            if name == "leaky_relu":
                operands.append(LEAKY_SLOPE)
            nodes.append(TAPEGRAD_OPS[name](*operands))
        return nodes[-1].tanh() * nodes[2] + nodes[3] * 0.5  # always reaches both parameters

    return fn


@settings(max_examples=40)
@given(random_graphs(), st.integers(0, 2**32 - 1))
def test_random_graphs_agree_with_the_scalar_engine(steps, seed):
    rng = np.random.default_rng(seed)
    params = [Value(rng.normal()), Value(rng.normal())]
    fn = build(steps, params)
    X = rng.normal(size=(5, 2))
    want_losses, want_grad = scalar_reference(fn, params, X)
    for options in ({}, {"fuse": False, "fold_constants": False}):
        losses, grad = compiled(fn, params, X, **options)
        assert_agree(losses, want_losses)
        assert_agree(grad, want_grad)


def test_a_dot_of_parameter_products_agrees_with_the_scalar_engine():
    """Four or more ``$w*$w`` terms (a weight penalty): no term reads a row of the batch."""
    params = [Value(0.5 + 0.25 * k) for k in range(5)]

    def fn(x):
        return x[0] * params[0] + sum(p * p for p in params) * 0.1

    X = np.array([[1.0], [-2.0], [3.0]])
    tape = trace(fn, 1, params)
    assert any("$1*$1 + $2*$2" in tape.instruction(i) for i in range(len(tape)))
    want_losses, want_grad = scalar_reference(fn, params, X)
    losses, grad = kernels.loss_and_grad(tape, X)
    assert_agree(losses, want_losses)
    assert_agree(grad, want_grad)
