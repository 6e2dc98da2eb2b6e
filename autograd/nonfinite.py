"""Naming what went wrong when a batch gives a number that is not finite.

The kernels (`autograd.kernels`) run a whole batch before anything is
checked; then, as the scalar engine would, the first op whose result is not
finite is named, with the sample, the operands and the op's own domain
message; or the parameter whose gradient is not.
"""

from __future__ import annotations

import numpy as np

from autograd.numbers import all_finite
from autograd.ops import OPS
from autograd.tape import DOT, Tape


def check_gradient(tape: Tape, grad: np.ndarray) -> None:
    """Raise FloatingPointError, naming the parameter, if a gradient is not finite."""
    if not all_finite(grad):
        k = int(np.flatnonzero(~np.isfinite(grad))[0])
        label = tape.param_labels[k] or f"${k}"
        raise FloatingPointError(
            f"backward gives the gradient {grad[k]} for parameter {label}: an op's derivative "
            "is infinite or undefined on this batch (as sqrt at 0), or the gradient overflowed"
        )


def raise_if_nonfinite(tape: Tape, uniform: np.ndarray, vals: np.ndarray) -> None:
    """Name the first op that gave a non-finite result, as the scalar engine would.

    ``vals`` is (chunks × slots × samples), as the kernels fill it.

    Examples
    --------
    >>> from autograd.tape import trace
    >>> tape = trace(lambda x: x[0].log(), n_inputs=1, params=[])
    >>> vals = np.array([[[-1.0], [np.nan]]])  # slot 0: the input, slot 1: its log
    >>> raise_if_nonfinite(tape, tape.uniform, vals)
    Traceback (most recent call last):
    ...
    ValueError: sample 0 of the batch, %1 = log %0: log: ...
    """
    if np.isfinite(vals).all():
        return
    width = vals.shape[2]
    # per instruction, its result for every sample of the batch in order
    bad = ~np.isfinite(vals[:, tape.out, :].transpose(1, 0, 2).reshape(len(tape.out), -1))
    culprits = np.flatnonzero(bad.any(axis=1))
    if not len(culprits):
        raise ValueError("the batch's inputs or targets hold NaN or infinity")
    i = int(culprits[0])  # tape order: the first bad result is the cause
    s = int(np.flatnonzero(bad[i])[0])
    line = tape.instruction(i)
    if tape.code[i] == DOT:
        raise OverflowError(f"sample {s} of the batch: {line} overflows a float64")
    op = OPS[tape.code[i]]
    values = vals[s // width]
    operands = [
        float(values[r, s % width]) if r >= 0 else float(uniform[~r])
        for r in tape.args[i, : op.arity]
    ]
    if op.param is not None:
        operands.append(float(tape.const[i]))
    error = op.domain(*operands) if op.domain is not None else None
    if error is None:
        error = OverflowError(f"{op.name}({', '.join(map(str, operands))}) overflows a float64")
    raise type(error)(f"sample {s} of the batch, {line}: {op.name}: {error}")
