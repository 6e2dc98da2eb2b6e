"""Every op of the table: value and gradient equal PyTorch and finite differences."""

import itertools
import math
import random

import pytest

from autograd import OPS, OPS_BY_NAME, Value, gradcheck
from autograd.ops import Op

from spellings import TAPEGRAD_OPS, torch_ops

REL = 1e-12  # tapegrad and PyTorch both run float64 libm math: they agree to rounding

EDGES = [-1000.0, -30.0, -2.5, -1.0, -1e-8, 0.0, 1e-8, 0.3, 1.0, 2.5, 30.0, 1000.0]
POSITIVE = [1e-300, 1e-8, 0.3, 1.0, 2.5, 30.0, 1e300]

# Points where each op is defined (and its derivative finite), edge values included.
UNARY_GRID = {
    "neg": EDGES,
    "exp": [-1000.0, -30.0, -1.0, 0.0, 1e-8, 1.0, 30.0, 700.0],
    "log": POSITIVE,
    "tanh": EDGES,
    "relu": EDGES,
    "sigmoid": EDGES,
    "softplus": EDGES,
    "abs": EDGES,
    "sqrt": POSITIVE,
}
PARAM_GRID = {
    "pow_const": [
        (x, p)
        for x in [-2.5, -1.0, 0.0, 0.3, 2.0]
        for p in [0.0, 1.0, 2.0, 3.0, -2.0]
        if not (x == 0.0 and p < 0)
    ]
    + [(x, p) for x in [0.3, 2.0, 1e10] for p in [0.5, -0.5, 1.5]],
    "leaky_relu": [(x, p) for x in EDGES for p in [0.0, 0.01, 0.2]],
    "clamp_min": [(x, p) for x in EDGES for p in [-100.0, 0.0, 1e-8, 2.5]],
}
BINARY_GRID = {
    "add": list(itertools.product([-1e3, -1.5, 0.0, 2.0, 1e10], repeat=2)),
    "sub": list(itertools.product([-1e3, -1.5, 0.0, 2.0, 1e10], repeat=2)),
    "mul": list(itertools.product([-1e3, -1.5, 0.0, 2.0, 1e10], repeat=2)),
    "truediv": list(itertools.product([-1e3, -1.5, 0.0, 2.0], [-1e3, -1.5, 0.5, 2.0, 1e10])),
    "pow": [(x, y) for x in [1e-3, 0.5, 2.0, 10.0] for y in [-2.0, -0.5, 0.0, 1.0, 2.5]]
    + [(0.0, 0.0), (0.0, 1.0), (0.0, 2.0), (0.0, 3.0)],
    "maximum": list(itertools.product([-1e3, -1.5, 0.0, 2.0, 1e10], repeat=2)),  # ties too
}


def test_every_op_has_a_grid():
    assert set(UNARY_GRID) | set(PARAM_GRID) | set(BINARY_GRID) == set(OPS_BY_NAME)
    assert set(TAPEGRAD_OPS) == set(OPS_BY_NAME)


def test_codes_are_positions():
    assert [op.code for op in OPS] == list(range(len(OPS)))
    assert all(isinstance(op, Op) and op.arity in (1, 2) for op in OPS)


def cases():
    for name, points in UNARY_GRID.items():
        yield from ((name, (x,), None) for x in points)
    for name, points in PARAM_GRID.items():
        yield from ((name, (x,), p) for x, p in points)
    for name, points in BINARY_GRID.items():
        yield from ((name, xy, None) for xy in points)


def tapegrad_apply(name, operands, param):
    leaves = [Value(x) for x in operands]
    extra = () if param is None else (param,)
    out = TAPEGRAD_OPS[name](*leaves, *extra)
    out.backward()
    return out.data, [v.grad for v in leaves]


def torch_apply(name, operands, param):
    torch = pytest.importorskip("torch")
    leaves = [torch.tensor(x, dtype=torch.float64, requires_grad=True) for x in operands]
    extra = () if param is None else (param,)
    out = torch_ops()[name](*leaves, *extra)
    out.backward()
    return out.item(), [v.grad.item() for v in leaves]


def pytorch_loses_digits(name, operands):
    """PyTorch's tanh' = 1 - out² and sigmoid' = out·(1 - out) cancel as out nears 1.

    Past |x| = 5 they are off by more than 1e-12 (tapegrad's forms are not):
    tests/test_ops_precision.py checks tapegrad there against exact values.
    """
    return name in ("tanh", "sigmoid") and abs(operands[0]) > 5.0


@pytest.mark.parametrize(("name", "operands", "param"), list(cases()))
def test_op_matches_pytorch(name, operands, param):
    value, grads = tapegrad_apply(name, operands, param)
    torch_value, torch_grads = torch_apply(name, operands, param)
    assert math.isclose(value, torch_value, rel_tol=REL), (value, torch_value)
    if pytorch_loses_digits(name, operands):
        return
    for grad, torch_grad in zip(grads, torch_grads):
        assert math.isclose(grad, torch_grad, rel_tol=REL, abs_tol=1e-300), (grads, torch_grads)


# Points inside the domain where the slope is infinite (PyTorch's gradient is inf there):
# the local derivative says so, and backward() refuses it, naming the op.
INFINITE_SLOPES = [("pow", (0.0, 0.5), None), ("pow_const", (0.0,), 0.5), ("sqrt", (0.0,), None)]


@pytest.mark.parametrize(("name", "operands", "param"), INFINITE_SLOPES)
def test_an_infinite_slope_matches_pytorch_and_backward_refuses_it(name, operands, param):
    torch_value, torch_grads = torch_apply(name, operands, param)
    leaves = [Value(x) for x in operands]
    out = TAPEGRAD_OPS[name](*leaves, *(() if param is None else (param,)))
    assert out.data == torch_value
    assert list(out._local_derivatives()) == torch_grads  # inf, and 0 for d(0**y)/dy
    with pytest.raises(FloatingPointError, match=f"backward through {name}"):
        out.backward()
    assert [v.grad for v in leaves] == [0.0] * len(leaves)


def smooth_point(name, operands, param):
    """Points away from kinks and overflow, where finite differences are meaningful."""
    if name in ("relu", "abs", "leaky_relu") and abs(operands[0]) < 1e-3:
        return False
    if name in ("clamp_min", "maximum") and abs(operands[0] - (*operands, param)[1]) < 1e-3:
        return False  # the kink where the two sides meet
    return all(1e-3 <= abs(x) <= 50 for x in operands) and (param is None or param != 0.0)


@pytest.mark.parametrize(("name", "operands", "param"), [c for c in cases() if smooth_point(*c)])
def test_op_matches_finite_differences(name, operands, param):
    extra = () if param is None else (param,)

    def f(*leaves):
        return TAPEGRAD_OPS[name](*leaves, *extra)

    assert gradcheck(f, list(operands), eps=1e-6, atol=1e-6, rtol=1e-5)


def test_op_table_derivative_is_used_by_backward():
    """backward() reads the local derivative from the table, not a second copy of the math."""
    x = Value(0.7)
    y = x.tanh()
    y.backward()
    assert x.grad == OPS_BY_NAME["tanh"].derivative(0.7, y.data)[0]


def test_a_square_and_its_gradient_match_pytorch_bit_for_bit():
    # pow_const computes p = 2 as x * x and p = 1 as x (its fast, correctly rounded
    # special cases), as PyTorch's pow does: equal to it exactly, not to a tolerance.
    torch = pytest.importorskip("torch")
    rng = random.Random(0)
    for x in [*(rng.gauss(0.0, 1e3) for _ in range(500)), 0.0, -0.0, 1e150]:
        v = Value(x)
        y = v**2
        y.backward()
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        square = t**2
        square.backward()
        assert (y.data, v.grad) == (square.item(), t.grad.item())
    assert (Value(3.0) ** 1).data == 3.0
