"""Property tests: random expression graphs against PyTorch and finite differences.

A random program applies random ops of the table to random earlier nodes, so
graphs share sub-expressions and reuse leaves. Operands outside an op's domain
are first moved inside it with more ops (``abs(x) + 0.5`` before ``log``); the
finished `Value` graph is then replayed node by node, in topological order,
in PyTorch or at shifted inputs.
"""

import math

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from autograd import OPS, Value

from spellings import TAPEGRAD_OPS, torch_ops

KINKS = {"relu", "abs", "leaky_relu", "clamp_min", "maximum"}
EXPONENTS = [2.0, 3.0, -1.0, 0.5, -1.5]


def positive(x: Value) -> Value:
    return x if x.data > 0.1 else abs(x) + 0.5


def apply_random_op(op, x: Value, y: Value, choice: int) -> Value:
    """Apply ``op`` to x (and y), first moving the operands into its domain."""
    if op.name in ("log", "sqrt"):
        return TAPEGRAD_OPS[op.name](positive(x))
    if op.name == "exp":
        return (x if abs(x.data) < 10 else x.tanh()).exp()
    if op.name == "truediv":
        return x / (y if abs(y.data) > 0.1 else abs(y) + 0.5)
    if op.name == "pow":
        return positive(x) ** y.tanh()
    if op.name == "pow_const":
        exponent = EXPONENTS[choice % len(EXPONENTS)]
        return (x if exponent in (2.0, 3.0) else positive(x)) ** exponent
    if op.name == "leaky_relu":
        return x.leaky_relu((choice % 4) / 10)
    if op.name == "clamp_min":
        return x.clamp_min((choice % 5) - 2.0)
    return TAPEGRAD_OPS[op.name](*((x, y) if op.arity == 2 else (x,)))


@st.composite
def random_graphs(draw, max_steps: int = 30):
    """(root, leaves): up to 30 random ops over 1-4 leaves."""
    n_leaves = draw(st.integers(1, 4))
    values = st.floats(-3.0, 3.0, allow_nan=False, allow_infinity=False)
    leaves = [Value(draw(values), label=f"x{i}") for i in range(n_leaves)]
    nodes = list(leaves)
    for _ in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(OPS))
        # Mostly build on recent nodes (deep graphs), sometimes reach back (sharing).
        pick = st.integers(0, len(nodes) - 1) | st.integers(max(0, len(nodes) - 3), len(nodes) - 1)
        x, y = nodes[draw(pick)], nodes[draw(pick)]
        try:
            node = apply_random_op(op, x, y, draw(st.integers(0, 100)))
        except OverflowError:
            continue
        assume(abs(node.data) < 1e8)
        nodes.append(node)
    return nodes[-1], leaves


def backward_or_reject(root: Value) -> None:
    try:
        root.backward()
    except FloatingPointError:
        assume(False)  # a gradient overflowed: no meaningful comparison


def replay_in_torch(root: Value):
    """The graph below ``root`` rebuilt in PyTorch float64; returns {Value: tensor}."""
    import torch

    ops = torch_ops()
    tensors = {}
    for node in root._topological_order():
        if node._row is None:
            tensors[node] = torch.tensor(node.data, dtype=torch.float64, requires_grad=True)
        else:
            operands = [tensors[child] for child in node._prev]
            extra = () if node._param is None else (node._param,)
            tensors[node] = ops[node._row.name](*operands, *extra)
    return tensors


@settings(max_examples=300)
@given(random_graphs())
def test_random_graph_gradients_equal_pytorch(graph):
    torch = pytest.importorskip("torch")
    root, _ = graph
    backward_or_reject(root)
    tensors = replay_in_torch(root)
    tensors[root].backward()
    # Rounding in the operands (1 ulp of the largest one) can survive cancellation.
    scale = max(abs(node.data) for node in tensors)
    assert math.isclose(root.data, tensors[root].item(), rel_tol=1e-12, abs_tol=1e-15 * scale)
    for node, tensor in tensors.items():
        if node._row is None:  # every leaf, constants included
            expected = 0.0 if tensor.grad is None else tensor.grad.item()
            assert math.isclose(node.grad, expected, rel_tol=1e-9, abs_tol=1e-12), (
                node,
                expected,
            )
    assert torch.isfinite(tensors[root])


def replay_at(root: Value, leaf_values: dict) -> float:
    """The graph's output with its leaves set to ``leaf_values`` (same ops, new numbers)."""
    data = {}
    for node in root._topological_order():
        if node._row is None:
            data[node] = leaf_values.get(node, node.data)
        else:
            operands = tuple(Value(data[child]) for child in node._prev)
            data[node] = Value._apply(node._row, *operands, param=node._param).data
    return data[root]


def kink_distance(node):
    """How far x is from the kink: from 0 (relu, abs), the floor, or the other operand."""
    x = node._prev[0].data
    if node._row.name == "clamp_min":
        return x - node._param
    return x - node._prev[1].data if node._row.arity == 2 else x


@settings(max_examples=200)
@given(random_graphs(max_steps=20))
def test_random_graph_gradients_equal_finite_differences(graph):
    root, leaves = graph
    near_kink = any(
        node._row is not None and node._row.name in KINKS and abs(kink_distance(node)) < 1e-3
        for node in root._topological_order()
    )
    assume(not near_kink)  # finite differences are meaningless across a kink
    backward_or_reject(root)
    eps = 1e-6
    for leaf in leaves:
        try:
            up = replay_at(root, {leaf: leaf.data + eps})
            down = replay_at(root, {leaf: leaf.data - eps})
        except (ValueError, ArithmeticError):
            assume(False)  # the shift left an op's domain
        numeric = (up - down) / (2 * eps)
        assert abs(leaf.grad - numeric) <= 1e-4 + 1e-4 * abs(numeric), (leaf, numeric)
