"""The op table written out as Numba dispatch: one branch per row, no line per op.

Numba needs each call's target known when it compiles, so the kernels of
`autograd.kernels` cannot look an op up in a table at run time. This module
writes the branches out from `autograd.ops.OPS` instead: ``_forward_op_rows``
runs an instruction's op along a whole row of samples, and
``_derivative_op_rows`` its local derivatives. Each op's own ``forward`` and
``derivative`` are what run, compiled once, so the kernels and the scalar
engine share every line of math.

Examples
--------
>>> print(dispatch_source([OPS[0]]).splitlines()[2])  # one op: no branch, the loop
        out[s] = _f_add(x[s], y[s])
"""

from __future__ import annotations

from collections.abc import Sequence

from numba import njit
from numba.extending import register_jitable

from autograd.ops import OPS, Op

# Op-table functions may call each other (d_softplus calls sigmoid): let them.
for _op in OPS:
    register_jitable(_op.forward)


# error_model="numpy": 1/0 gives inf as in numpy, instead of raising inside the
# loop; the callers check for non-finite numbers afterwards. Helpers are only
# called from other kernels: no wrappers for calls from Python (faster compile).
HELPER = {"error_model": "numpy", "no_cpython_wrapper": True, "no_cfunc_wrapper": True}


def jit_helper(fn):
    """``njit`` for a function only other kernels call (no wrapper for calls from Python)."""
    return njit(**HELPER)(fn)


def dispatch_source(rows: Sequence[Op] = OPS) -> str:
    """Source of ``_forward_op_rows`` and ``_derivative_op_rows``: one branch per op of ``rows``.

    Numba needs each call's target known when it compiles, so a table lookup
    at run time is not possible; the branches are written out from the table
    instead, and every row gets a kernel without a line here. The branch is
    taken once per instruction and runs the op along the whole row, a loop the
    compiler can vectorise. A unary op writes only ``dx``.
    """
    forward = ["def _forward_op_rows(code, x, y, p, out):"]
    derivative = ["def _derivative_op_rows(code, x, y, p, out, dx, dy):"]
    for op in rows:
        operands = "x[s], y[s]" if op.arity == 2 else "x[s], p" if op.param is not None else "x[s]"
        local = f"_d_{op.name}({operands}, out[s])"
        last = op is rows[-1]  # the last branch needs no test: what remains is this op
        indent = "    " if last else "        "
        if not last:
            forward.append(f"    if code == {op.code}:")
            derivative.append(f"    if code == {op.code}:")
        forward += [
            f"{indent}for s in range(len(out)):",
            f"{indent}    out[s] = _f_{op.name}({operands})",
        ]
        derivative += [
            f"{indent}for s in range(len(out)):",
            f"{indent}    dx[s], dy[s] = {local}"
            if op.arity == 2
            else f"{indent}    dx[s] = {local}[0]",
        ]
        if not last:
            forward.append(f"{indent}return")
            derivative.append(f"{indent}return")
    if not rows:  # a tape of dots alone
        forward.append("    pass")
        derivative.append("    pass")
    return "\n".join([*forward, "", "", *derivative, ""])


DISPATCH_SOURCE = dispatch_source()
"""The dispatch over every row of the table (a tape's kernels get the rows it uses)."""

# Each op's forward and derivative, compiled once however many tapes use them.
_OP_FUNCTIONS = {
    **{f"_f_{op.name}": jit_helper(op.forward) for op in OPS},
    **{f"_d_{op.name}": jit_helper(op.derivative) for op in OPS},
}


def dispatch(rows: Sequence[Op]) -> tuple:
    """``_forward_op_rows`` and ``_derivative_op_rows`` for ``rows``, compiled on first call.

    Each set of rows gets functions of its own name (``forward_op_rows_ops0_2``):
    Numba names compiled code after the function's module and qualified name
    and a counter of its own process, and code loaded from its disk cache
    keeps those names. Two sets' dispatch under one name could then meet in a
    process, one set's kernels loaded from the cache calling another set's
    dispatch: wrong ops, silently.

    Examples
    --------
    >>> forward, derivative = dispatch([OPS[0], OPS[2]])
    >>> forward.py_func.__qualname__
    'forward_op_rows_ops0_2'
    """
    namespace = {**_OP_FUNCTIONS, "__name__": __name__}
    exec(compile(dispatch_source(rows), "<autograd.dispatch>", "exec"), namespace)
    tag = "ops" + "_".join(str(op.code) for op in rows)
    compiled = []
    for name in ("_forward_op_rows", "_derivative_op_rows"):
        fn = namespace[name]
        fn.__qualname__ = f"{name.lstrip('_')}_{tag}"
        compiled.append(jit_helper(fn))
    return tuple(compiled)


KERNEL_OPS = frozenset(op.name for op in OPS)
"""Every op of the table: the dispatch is written from it."""
