"""Numba kernels that run a `Tape` forward and backward over a whole batch.

The op table's own ``forward`` and ``derivative`` functions are compiled with
Numba, so the kernels and the scalar engine share every line of math; the
kernels only decide *where* numbers are read and written. Which op an
instruction runs is decided by a dispatch written out from the table
(`autograd.dispatch`): a new row of the table is a new kernel op, with no line
added here. A tape's kernels get a dispatch over only the ops it uses
(`kernels_for`), so a first run compiles a few ops, not the whole table; the
branch is taken once per instruction, and the op then runs along the row.
The one piece of math of their own is the fused ``dot`` instruction's running
sum, which adds its terms in the order the ``add`` chain it replaces did.

Memory layout: one row per tape slot, one column per sample (``vals[slot,
sample]``): each instruction is a loop along a contiguous row. Parameters and
constants are the same for every sample and live in a separate vector,
``uniform``. One kernel, `_run`, runs a whole tape (the loops inlined in it,
so they are compiled once); a layer is one `BLOCK` instruction
(`autograd.blocks`), a matrix product through numpy's BLAS.

The compiled code is cached on disk next to this file. Numba checks only this
file's timestamp, not that of the code the kernels call, so the kernel's
cache name carries a hash of every file whose code it compiles (and the codes
of its ops): editing any of them, or installing another version, compiles
afresh.

Examples
--------
>>> import numpy as np
>>> from autograd import Value
>>> from autograd.tape import trace
>>> w = Value(3.0)
>>> tape = trace(lambda x, t: (w * x[0] - t[0]) ** 2, 1, [w], n_targets=1)
>>> losses, grad = loss_and_grad(tape, np.array([[1.0], [2.0]]), np.array([[1.0], [5.0]]))
>>> losses.tolist(), grad.tolist()  # mean of 4 and 1; d/dw of the mean: (2*2*1 + 2*1*2) / 2
([4.0, 1.0], [4.0])
"""

from __future__ import annotations

import hashlib
import sys
import types
from collections.abc import Iterable
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
from numba import njit

from autograd import blas, block_kernels, ops
from autograd import dispatch as dispatch_module
from autograd.block_kernels import (
    ACT,
    BLOCK,
    BLOCK_COLUMNS,
    OUT,
    M,
    block_backward,
    block_forward,
)
from autograd.dispatch import HELPER, dispatch, jit_helper
from autograd.halves import run_halves, splits
from autograd.nonfinite import check_gradient, raise_if_nonfinite
from autograd.ops import OPS, OPS_BY_NAME
from autograd.tape import DOT, Tape

# Numba's disk cache checks only the timestamp of the file a function is in, not the
# code it calls: the kernels' names carry a hash of every file whose code they compile.
_CODE = (ops, dispatch_module, blas, block_kernels, sys.modules[__name__])
_CODE_HASH = hashlib.sha256(b"".join(Path(m.__file__).read_bytes() for m in _CODE)).hexdigest()[:12]

_forward_op_rows, _derivative_op_rows = dispatch(OPS)  # what the kernels' source calls

# The fused ``dot`` instruction's own arithmetic: products and a running sum.
MUL = OPS_BY_NAME["mul"].code
_add = jit_helper(OPS_BY_NAME["add"].forward)
_mul = jit_helper(OPS_BY_NAME["mul"].forward)
_d_mul = jit_helper(OPS_BY_NAME["mul"].derivative)

_ARITY = np.array([op.arity for op in OPS], dtype=np.int64)
# Whether the kernels have a ``dot`` branch. Numba compiles a global as a constant
# and drops a branch that a false one guards: kernels for a tape without dots
# (a program whose layers all run as blocks) compile without that code.
_DOTS = True
_BLOCKS = True  # the same for layer blocks (`autograd.blocks`),
_PRODUCTS = True  # and for the one-pass backward of products (tapes with dots or muls)


@jit_helper
def _row(vals, uniform, ref, spare):
    """The samples' values of reference ``ref`` as one row.

    A slot is its row of ``vals``; a parameter or constant is written across
    ``spare`` first. Inner loops then read plain rows: no per-sample branch,
    and no per-sample call taking arrays (whose reference counting costs more
    than the arithmetic).
    """
    if ref >= 0:
        return vals[ref]
    spare[:] = uniform[~ref]
    return spare


def _forward_rows(code, args, const, out, terms, uniform, vals, spare, blocks, fn):
    """Run every instruction for every sample (column); ``spare``: two scratch rows.

    A `BLOCK` instruction is a layer (`autograd.blocks`): row ``args[i, 0]`` of
    ``blocks``, a matrix product through the BLAS at address ``fn``, then its
    activation, row by row.
    """
    n = vals.shape[1]
    for i in range(len(code)):
        c, a, b, o, rows = code[i], args[i, 0], args[i, 1], out[i], 1
        if _BLOCKS and c == BLOCK:  # a layer: its product, then its activation over m rows
            block = blocks[a]
            block_forward(block, uniform, vals, fn)
            c, a, b, o = block[ACT], block[OUT], block[OUT], block[OUT] + block[M]
            rows = block[M] if c >= 0 else 0
        elif _DOTS and c == DOT:
            result = vals[o]
            for t in range(a, b):
                w_ref, x_ref = terms[t, 0], terms[t, 1]
                start = t == a  # the first product starts the sum
                if w_ref < 0 and x_ref >= 0:  # weight * row: the weight as one number
                    wv, x = uniform[~w_ref], vals[x_ref]
                    for s in range(n):
                        p = _mul(wv, x[s])
                        result[s] = p if start else _add(result[s], p)
                else:
                    w = _row(vals, uniform, w_ref, spare[0])
                    x = _row(vals, uniform, x_ref, spare[1])
                    for s in range(n):
                        p = _mul(w[s], x[s])
                        result[s] = p if start else _add(result[s], p)
            continue
        for j in range(rows):  # the op on row a + j (and b + j), into row o + j
            x = _row(vals, uniform, a + j, spare[0])
            y = _row(vals, uniform, b + j, spare[1])
            _forward_op_rows(c, x, y, const[i], vals[o + j])


@njit(**HELPER, fastmath={"reassoc"})
def _sum_of_products(a, b):
    """Σ a[s]·b[s] over the batch, in an order the compiler picks to vectorise (``reassoc``).

    This and `_backward_axpy` are the only places an instruction's batch is
    summed (a layer block's bias sums its own, `autograd.block_kernels`), and
    fused and unfused tapes sum through the same ones, so they still agree
    bit for bit.
    """
    total = 0.0
    for s in range(len(a)):
        total += a[s] * b[s]
    return total


@jit_helper
def _accumulate(ref, local, grads, gu, go, needs_grad, n_params):
    """Chain rule into operand ``ref``: its gradient += local[s] · go[s].

    A slot keeps one gradient per sample; a parameter gets the batch's sum.
    """
    if ref >= 0:
        if needs_grad[ref]:
            g = grads[ref]
            for s in range(len(g)):
                g[s] += local[s] * go[s]
    elif ~ref < n_params:
        gu[~ref] += _sum_of_products(local, go)


@njit(**HELPER, fastmath={"reassoc"})
def _backward_axpy(w_ref, x_ref, uniform, vals, grads, gu, go, needs_grad, n_params):
    """Backward of one ``weight * row`` product in one pass: what `_accumulate` does for both.

    Every such product, a dot's term or a lone ``mul``, comes through here.
    """
    wv, x = uniform[~w_ref], vals[x_ref]
    param = ~w_ref < n_params
    total = 0.0
    if needs_grad[x_ref]:
        gx = grads[x_ref]
        for s in range(len(x)):
            d_w, d_x = _d_mul(wv, x[s], 0.0)  # d_mul ignores its ``out`` argument
            gx[s] += d_x * go[s]
            total += d_w * go[s]
    elif param:
        for s in range(len(x)):
            total += _d_mul(wv, x[s], 0.0)[0] * go[s]
    if param:
        gu[~w_ref] += total


def _backward_rows(
    code, args, const, out, terms, uniform, needs_grad, n_params, vals, grads, gu, spare, blocks,
    fn,
):  # fmt: skip
    """Reverse mode for every sample: ``grads[o]`` holds d loss / d slot o.

    ``spare`` is scratch space, four rows: two operands, two local derivatives.
    """
    n = vals.shape[1]
    dx, dy = spare[2], spare[3]
    for i in range(len(code) - 1, -1, -1):
        o = out[i]
        if not needs_grad[o]:
            continue  # no parameter below: nothing to pass a gradient to
        c, rows, z = code[i], 1, 0
        layer = _BLOCKS and c == BLOCK
        dot = _DOTS and c == DOT
        if layer:  # its activation first, row by row (op c from row z + j to o + j)
            block = blocks[args[i, 0]]
            c, z, o = block[ACT], block[OUT], block[OUT] + block[M]
            rows = block[M] if c >= 0 else 0
        # the operand pairs: an op's arguments, or a dot's terms (each one product)
        first, stop = (args[i, 0], args[i, 1]) if dot else (0, 1)
        for j in range(rows):
            go, result = grads[o + j], vals[o + j]
            for t in range(stop - 1, first - 1, -1):  # a dot's terms in reverse, as a chain
                if dot:
                    a, b = terms[t, 0], terms[t, 1]
                elif layer:
                    a, b = z + j, z + j
                else:
                    a, b = args[i, 0], args[i, 1]
                if _PRODUCTS and (dot or c == MUL) and (a < 0) != (b < 0):  # weight * row
                    w_ref, x_ref = (a, b) if a < 0 else (b, a)
                    _backward_axpy(w_ref, x_ref, uniform, vals, grads, gu, go, needs_grad, n_params)
                    continue
                x = _row(vals, uniform, a, spare[0])
                y = _row(vals, uniform, b, spare[1])
                if dot:
                    for s in range(n):
                        dx[s], dy[s] = _d_mul(x[s], y[s], _mul(x[s], y[s]))
                else:
                    _derivative_op_rows(c, x, y, const[i], result, dx, dy)
                _accumulate(a, dx, grads, gu, go, needs_grad, n_params)
                if dot or _ARITY[c] == 2:
                    _accumulate(b, dy, grads, gu, go, needs_grad, n_params)
        if layer:  # then its product
            block_backward(block, uniform, vals, grads, gu, fn)


@jit_helper
def _load_batch(X, slots, vals):
    """Copy columns of ``X`` (samples × features) into their slots' rows."""
    for k in range(len(slots)):
        row = vals[slots[k]]
        for s in range(len(X)):
            row[s] = X[s, k]


@jit_helper
def _all_finite(vals):
    """Whether every number of ``vals`` is finite (an OR along the rows, which vectorises)."""
    bad = False
    for i in range(vals.shape[0]):
        row = vals[i]
        for s in range(len(row)):
            bad |= not np.isfinite(row[s])
    return not bad


def _run(tape_arrays, uniform, X, T, seeded, seed, train, vals, grads, gu, spare, losses):
    """Forward for the samples of ``X`` (and ``T``), then, if ``train`` and every value is
    finite, ``losses[s] = vals[seeded[s], s]`` and backward from ``grads[seeded[s], s] =
    seed``; whether every value was finite.

    Before backward only the ``(start, stop)`` runs ``zero_slots`` of gradient
    rows and ``zero_params`` of parameters are zeroed: a block writes the rest.
    """
    code, args, const, out, terms, in_slots, t_slots, needs_grad, n_params = tape_arrays[:9]
    blocks, zero_slots, zero_params, fn = tape_arrays[9:]
    _load_batch(X, in_slots, vals)
    _load_batch(T, t_slots, vals)
    _forward_rows(code, args, const, out, terms, uniform, vals, spare, blocks, fn)
    if not _all_finite(vals):
        return False
    if train:
        for r in range(len(zero_slots)):
            for i in range(zero_slots[r, 0], zero_slots[r, 1]):  # row by row: a ravel
                grads[i][:] = 0.0  # would compile Numba's reshape code, 0.3 s of a first step
        for r in range(len(zero_params)):
            gu[zero_params[r, 0] : zero_params[r, 1]][:] = 0.0
        for s in range(len(seeded)):
            losses[s] = vals[seeded[s], s]
            grads[seeded[s], s] = seed
        _backward_rows(
            code, args, const, out, terms, uniform, needs_grad, n_params, vals, grads, gu, spare,
            blocks, fn,
        )  # fmt: skip
    return True


class Kernels(NamedTuple):
    """The compiled kernel for tapes whose ops are among ``codes``.

    Attributes
    ----------
    codes : frozenset of int
        The op-table rows the dispatch has a branch for (and `DOT`, `BLOCK`).
    run : numba dispatcher
        `_run`: a whole tape over a batch, forward and, for training, backward.
    """

    codes: frozenset[int]
    run: Any


_KERNELS: list[Kernels] = []
NO_BLOCKS = np.zeros((0, BLOCK_COLUMNS), dtype=np.int64)  # a tape with no layer blocks
NO_SEEDS = np.zeros(0, dtype=np.int64)  # forward alone (no losses then: any array will do)

MAX_OP_SETS = 2
"""How many sets of ops get kernels of their own in one process; then the whole table's.

A few op sets, each compiled for only what it holds, keep a program's first
step short; a program that traces many different graphs (a test suite,
random graphs) then compiles the whole table's kernels once instead of one
set after another.
"""


def kernels_for(tape: Tape, also: Iterable[int] = ()) -> Kernels:
    """Kernels for ``tape`` (and the ops ``also``): a dispatch over the ops it uses.

    Kernels that already have every op of the tape serve it; otherwise new
    ones are written for its ops (up to `MAX_OP_SETS` sets, then for the
    whole table). Either way the numbers are the same: each op runs the op
    table's own functions. Their names carry the ops' codes and the op
    table's hash, so the disk cache keeps each set apart (see the module doc).

    Examples
    --------
    >>> from autograd.tape import trace
    >>> kernels = kernels_for(trace(lambda x: (x[0] * x[1]).relu(), n_inputs=2, params=[]))
    >>> {"mul", "relu"} <= {OPS[c].name for c in kernels.codes - {DOT, BLOCK}}
    True
    >>> kernels is kernels_for(trace(lambda x: (x[1] * x[0]).relu(), n_inputs=2, params=[]))
    True
    """
    used = frozenset(int(c) for c in tape.code) | frozenset(also)
    for kernels in _KERNELS:
        if used <= kernels.codes:
            return kernels
    every = frozenset(range(len(OPS))) | {DOT, BLOCK}
    _KERNELS.append(_compile_kernels(used if len(_KERNELS) < MAX_OP_SETS else every))
    return _KERNELS[-1]


def _compile_kernels(codes: frozenset[int]) -> Kernels:
    """`Kernels` whose dispatch is written for the ops ``codes`` (`autograd.dispatch`).

    The instruction loops are inlined into `_run` (one function, compiled and
    optimised once), and its cache name carries the op codes and a hash of
    every file whose code it compiles (see the module doc).
    """
    namespace = dict(globals())
    namespace["_forward_op_rows"], namespace["_derivative_op_rows"] = dispatch(
        [OPS[c] for c in sorted(codes - {DOT, BLOCK})]
    )
    namespace["_DOTS"], namespace["_BLOCKS"] = DOT in codes, BLOCK in codes
    namespace["_PRODUCTS"] = bool({DOT, MUL} & codes)
    tag = "ops" + "_".join(map(str, sorted(codes)))
    for fn in (_forward_rows, _backward_rows, _run):
        copy = types.FunctionType(fn.__code__, namespace, fn.__name__)
        copy.__qualname__ = f"{fn.__name__.lstrip('_')}_{tag}_{_CODE_HASH}"
        copy.__doc__ = fn.__doc__
        if fn is _run:  # ``nogil``: two Python threads can each run half a batch at once
            jit = njit(cache=True, nogil=True, error_model="numpy", no_cfunc_wrapper=True)
        else:
            jit = njit(**HELPER, inline="always")
        namespace[fn.__name__] = jit(copy)
    return Kernels(codes, namespace["_run"])


class Workspace:
    """Buffers for one tape, reused across calls of the same batch size.

    ``vals[c]`` and ``grads[c]`` (slots × samples) belong to chunk ``c`` of
    the batch: one chunk, or one per thread. Each is C-contiguous and indexed
    from 0, which lets the compiler vectorise the loops over samples.

    Examples
    --------
    >>> from autograd.tape import trace
    >>> tape = trace(lambda x: x[0] * x[1], n_inputs=2, params=[])
    >>> workspace = Workspace(tape)
    >>> forward(tape, np.array([[2.0, 3.0]]), workspace=workspace).tolist()
    [[6.0]]
    """

    def __init__(self, tape: Tape) -> None:
        self.tape = tape
        self.arrays = (
            tape.code,
            tape.args,
            tape.const,
            tape.out,
            tape.terms,
            tape.input_slots,
            tape.target_slots,
            tape.needs_grad,
            tape.n_params,
            NO_BLOCKS,
            np.array([[0, tape.n_slots]], dtype=np.int64),  # zero every gradient row
            np.array([[0, len(tape.uniform)]], dtype=np.int64),  # and every parameter's
            blas.DGEMM,
        )
        self._kernels: Kernels | None = None
        self.shape = (0, 0)

    @property
    def kernels(self) -> Kernels:
        """The tape's `Kernels`, found on first use (by then others may already serve it)."""
        if self._kernels is None:
            self._kernels = kernels_for(self.tape)
        return self._kernels

    def buffers(self, batch: int, n_chunks: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(vals, grads, spare)`` for ``batch`` samples in ``n_chunks`` equal chunks.

        New arrays only when the batch size or chunk count changed; their
        contents are garbage until a kernel writes them.

        Examples
        --------
        >>> from autograd.tape import trace
        >>> workspace = Workspace(trace(lambda x: x[0] * 2.0, n_inputs=1, params=[]))
        >>> vals, grads, spare = workspace.buffers(batch=4, n_chunks=2)
        >>> vals.shape  # (chunks, slots, samples per chunk)
        (2, 2, 2)
        >>> workspace.buffers(4, 2)[0] is vals  # the same size again: reused
        True
        """
        if self.shape != (batch, n_chunks):
            width = batch // n_chunks
            self.vals = np.empty((n_chunks, self.tape.n_slots, width))
            self.grads = np.empty((n_chunks, self.tape.n_slots, width))
            self.spare = np.empty((n_chunks, 4, width))
            self.shape = (batch, n_chunks)
        return self.vals, self.grads, self.spare


def loss_and_grad(
    tape: Tape,
    X: np.ndarray,
    T: np.ndarray | None = None,
    selected: np.ndarray | None = None,
    uniform: np.ndarray | None = None,
    workspace: Workspace | None = None,
    parallel: bool | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's output and the gradient of their mean with respect to the parameters.

    Parameters
    ----------
    tape : Tape
        A traced per-sample loss.
    X : ndarray, shape (batch, n_inputs)
        Inputs, float64, C-contiguous.
    T : ndarray, shape (batch, n_targets), optional
        Targets.
    selected : ndarray of int64, shape (batch,), optional
        Which of the tape's outputs is sample ``s`` 's loss (default: the first).
    uniform : ndarray, optional
        The parameters' values followed by the constants (default: ``tape.uniform``).
    workspace : Workspace, optional
        Reusable buffers.
    parallel : bool, optional
        Split the batch in two halves run by two threads (an even batch only).
        By default when `autograd.halves.splits` says it pays.

    Returns
    -------
    losses : ndarray, shape (batch,)
    grad : ndarray, shape (n_params,)
        d mean(losses) / d parameter.

    Raises
    ------
    ArithmeticError or ValueError
        If an op's result is not finite (naming the op and the sample), or
        FloatingPointError if a gradient is not.

    Examples
    --------
    >>> from autograd import Value
    >>> from autograd.tape import trace
    >>> w = Value(2.0)
    >>> tape = trace(lambda x: w * x[0], n_inputs=1, params=[w])
    >>> losses, grad = loss_and_grad(tape, np.array([[1.0], [3.0]]))
    >>> losses.tolist(), grad.tolist()  # d mean(w·x) / dw = mean(x)
    ([2.0, 6.0], [2.0])
    """
    batch = len(X)
    T = np.empty((batch, 0)) if T is None else T
    uniform = tape.uniform if uniform is None else uniform
    workspace = workspace or Workspace(tape)
    slots = tape.output_slots[0 if selected is None else selected]
    selected = np.ascontiguousarray(np.broadcast_to(slots, (batch,)), dtype=np.int64)
    parallel = splits(tape, batch) if parallel is None else parallel
    n_chunks = 2 if parallel and batch % 2 == 0 else 1
    vals, grads, spare = workspace.buffers(batch, n_chunks)
    gu = np.empty((n_chunks, len(uniform)))
    losses = np.empty(batch)
    width = batch // n_chunks
    finite = [False] * n_chunks

    def run(c: int) -> None:
        """Chunk ``c`` of the batch, with its own buffers."""
        part = slice(c * width, (c + 1) * width)
        finite[c] = workspace.kernels.run(
            workspace.arrays, uniform, X[part], T[part], selected[part], 1.0 / batch, True,
            vals[c], grads[c], gu[c], spare[c], losses[part],
        )  # fmt: skip

    if n_chunks == 1:
        run(0)
    else:
        workspace.kernels  # noqa: B018 (compiled here, not by two threads at once)
        run_halves(run)
    if not all(finite):  # the kernel checked every value: only then look for the culprit
        raise_if_nonfinite(tape, uniform, vals)
    grad = gu.sum(axis=0)[: tape.n_params]
    check_gradient(tape, grad)
    return losses, grad


def forward(
    tape: Tape,
    X: np.ndarray,
    T: np.ndarray | None = None,
    uniform: np.ndarray | None = None,
    workspace: Workspace | None = None,
) -> np.ndarray:
    """The tape's outputs for every sample (no gradients): shape (batch, n_outputs).

    ``T`` (batch × n_targets) is needed when the tape reads targets.

    Examples
    --------
    >>> from autograd.tape import trace
    >>> tape = trace(lambda x: [x[0] * x[1], x[0].exp()], n_inputs=2, params=[])
    >>> forward(tape, np.array([[2.0, 3.0], [0.0, 1.0]])).tolist()
    [[6.0, 7.38905609893065], [0.0, 1.0]]
    """
    if T is None:
        if len(tape.target_slots):
            raise ValueError(f"forward: the tape reads {len(tape.target_slots)} targets: pass T")
        T = np.empty((len(X), 0))
    uniform = tape.uniform if uniform is None else uniform
    workspace = workspace or Workspace(tape)
    vals, _, spare = workspace.buffers(len(X), 1)
    finite = workspace.kernels.run(
        workspace.arrays, uniform, X, T, NO_SEEDS, 0.0, False, vals[0], vals[0], uniform, spare[0],
        uniform,
    )  # fmt: skip
    if not finite:
        raise_if_nonfinite(tape, uniform, vals)
    return vals[0][tape.output_slots].T.copy()
