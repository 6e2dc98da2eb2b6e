"""Every row of the op table is reachable from `Value` and runs in the compiled kernels."""

import numpy as np
import pytest

from autograd import OPS, Value, dispatch, kernels
from autograd.tape import trace

# A point inside every op's domain, and the constant of the ops that take one.
X, Y, P = 0.7, 1.3, 3.0


def value_method(op):
    """The `Value` method recording ``op``: its name, or the operator's dunder."""
    for name in (op.name, f"__{op.name}__", f"__{op.name.removesuffix('_const')}__"):
        if callable(getattr(Value, name, None)):
            return getattr(Value, name)
    return None


def record(op):
    x, y = Value(X), Value(Y)
    method = value_method(op)
    assert method is not None, f"op-table row {op.name!r} has no Value method"
    return method(x, y) if op.arity == 2 else method(x, P) if op.param else method(x)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_every_row_has_a_value_method_that_records_it(op):
    node = record(op)
    assert node._row is op
    args = (X, Y) if op.arity == 2 else (X, P) if op.param else (X,)
    assert node.data == op.forward(*args)


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.name)
def test_every_row_runs_in_the_kernels_with_the_scalar_numbers(op):
    params = [Value(X), Value(Y)][: op.arity]
    tape = trace(lambda x: op_node(op, params), 1, params)
    assert [kernels.OPS[c] for c in tape.code] == [op]
    losses, grad = kernels.loss_and_grad(tape, np.zeros((1, 1)))
    scalar = op_node(op, params)
    scalar.backward()
    assert losses.tolist() == [scalar.data]  # the same functions: equal bit for bit
    assert grad.tolist() == [p.grad for p in params]


def op_node(op, operands):
    method = value_method(op)
    return method(*operands, P) if op.param else method(*operands)


def test_the_kernel_dispatch_has_one_branch_per_row():
    source = dispatch.DISPATCH_SOURCE
    for op in OPS:
        assert f"= _f_{op.name}(" in source and f"= _d_{op.name}(" in source
    tested = {int(line.split("==")[1].rstrip(":")) for line in source.splitlines() if "==" in line}
    assert tested == {op.code for op in OPS[:-1]}  # the last row is what remains
    assert frozenset(op.name for op in OPS) == dispatch.KERNEL_OPS
