"""A layer block's matrix products, forward and backward, inside the Numba kernels.

A layer block (`autograd.blocks`) is one `BLOCK` instruction on a program's
tape: ``Z = W @ X + b`` for the whole batch, and its activation ``H =
act(Z)``. The kernels of `autograd.kernels` run it where its first ``dot``
was, through `block_forward` and `block_backward`, which call numpy's BLAS
(`autograd.blas`); the activation runs the op table's own functions, through
the kernels' dispatch, over the ``m`` result rows.

The instruction's argument is a row of the ``blocks`` table, whose columns are
named below. The weights are a strided view of the parameter vector: weight
``(j, i)`` is ``uniform[W + j·W_LD + i]``, or ``uniform[W + i·W_LD + j]`` when
``W_TRANSPOSED``; bias ``j`` is ``uniform[BIAS + j·BIAS_STEP]``. The results
are rows ``OUT`` to ``OUT + M``, the activations' the next ``M``.

Examples
--------
>>> from autograd import Value
>>> from autograd.blocks import Program
>>> from autograd.tape import trace
>>> w, b = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]], [Value(0.5), Value(-0.5)]
>>> params = [w[0][0], w[0][1], b[0], w[1][0], w[1][1], b[1]]  # each neuron's, then the next's
>>> def layer(x):
...     return [(b[j] + w[j][0] * x[0] + w[j][1] * x[1]).relu() for j in range(2)]
>>> program = Program(trace(layer, n_inputs=2, params=params))
>>> program.tape.code.tolist() == [BLOCK]
True
>>> columns = [OUT, M, INPUTS, N, W, W_LD, BIAS, BIAS_STEP]  # %2..%3 = W @ %0..%1 + b
>>> program.blocks_table[0, columns].tolist()
[2, 2, 0, 2, 0, 3, 2, 3]
"""

from __future__ import annotations

from numba import njit

from autograd.blas import NO_TRANS, TRANS, address, dgemm
from autograd.dispatch import HELPER
from autograd.tape import DOT

BLOCK = DOT + 1
"""The code of a layer-block instruction (`DOT` 's is the one before)."""

OUT, M, INPUTS, N, W, W_LD, W_TRANSPOSED, BIAS, BIAS_STEP, ACT = range(10)
INPUTS_NEED_GRAD, SETS_INPUT_GRADS, SETS_PARAM_GRADS = range(10, 13)
BLOCK_COLUMNS = 13
"""The columns of ``blocks``: the results' first row and count, the inputs' first row and
count, where the weights and biases are in ``uniform``, the activation's op code, and how
backward treats gradients (`autograd.blocks.Block`). No bias or activation: -1."""


@njit(**HELPER, fastmath={"reassoc"})
def _row_sum(row):
    """Σ row[s], in an order the compiler picks to vectorise: a bias's gradient."""
    total = 0.0
    for s in range(len(row)):
        total += row[s]
    return total


@njit(**HELPER, inline="always")  # one call site: compiled as part of the kernel
def block_forward(block, uniform, vals, fn):
    """``Z = W @ X + b``: each result row starts as its bias, and the product is added."""
    width = vals.shape[1]
    ld = max(width, 1)  # a leading dimension, which BLAS wants >= 1 even for no samples
    out, m = block[OUT], block[M]
    beta = 0.0
    if block[BIAS] >= 0:
        beta = 1.0
        for j in range(m):
            row, b = vals[out + j], uniform[block[BIAS] + j * block[BIAS_STEP]]
            for s in range(width):
                row[s] = b
    Wp, X, Z = (
        address(uniform, block[W]),
        address(vals, block[INPUTS] * width),
        address(vals, out * width),
    )
    trans_w = TRANS if block[W_TRANSPOSED] else NO_TRANS
    dgemm(fn, trans_w, NO_TRANS, m, width, block[N], Wp, block[W_LD], X, ld, beta, Z, ld)


@njit(**HELPER, inline="always")
def block_backward(block, uniform, vals, grads, gu, fn):
    """``dW (+)= dZ @ Xᵀ``, ``db (+)= Σ dZ`` and ``dX (+)= Wᵀ @ dZ``: written or added."""
    width = vals.shape[1]
    lb = max(width, 1)  # the batch rows' leading dimension (BLAS wants >= 1)
    out, m, n, ld = block[OUT], block[M], block[N], block[W_LD]
    dZ, X = address(grads, out * width), address(vals, block[INPUTS] * width)
    dW = address(gu, block[W])
    beta = 0.0 if block[SETS_PARAM_GRADS] else 1.0
    if block[W_TRANSPOSED]:  # the weights are stored as Wᵀ: dWᵀ = X @ dZᵀ
        dgemm(fn, NO_TRANS, TRANS, n, m, width, X, lb, dZ, lb, beta, dW, ld)
    else:
        dgemm(fn, NO_TRANS, TRANS, m, n, width, dZ, lb, X, lb, beta, dW, ld)
    if block[BIAS] >= 0:
        for j in range(m):
            k = block[BIAS] + j * block[BIAS_STEP]
            total = _row_sum(grads[out + j])
            gu[k] = total if block[SETS_PARAM_GRADS] else gu[k] + total
    if block[INPUTS_NEED_GRAD]:
        beta = 0.0 if block[SETS_INPUT_GRADS] else 1.0
        trans_w = NO_TRANS if block[W_TRANSPOSED] else TRANS
        Wp, dX = address(uniform, block[W]), address(grads, block[INPUTS] * width)
        dgemm(fn, trans_w, NO_TRANS, n, width, m, Wp, ld, dZ, lb, beta, dX, lb)
