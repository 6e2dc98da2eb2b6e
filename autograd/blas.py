"""numpy's own BLAS matrix product, called from inside the Numba kernels.

A layer block is a matrix product (`autograd.blocks`). Called through numpy,
each product is a Python call that takes and gives back the GIL, and a
training step makes a dozen of them; two threads, each on half a batch, then
wait for each other at every one. Called from a kernel, a whole step is one
native call: forward, backward and every product, with no Python in between.

numpy ships its BLAS (OpenBLAS, built for 64-bit integers), and its symbols
can be found through numpy's own extension module. `DGEMM` is the address of
``cblas_dgemm`` there, or 0 where it cannot be found (numpy built against
another BLAS, or a platform that does not look symbols up through a module):
there layers run as ``dot`` instructions instead (`autograd.layout`), with the
same numbers. The address is passed to the kernels as an argument, not
compiled into them, so their disk cache stays valid from one process to the
next.

Examples
--------
>>> DGEMM > 0  # numpy's wheels ship OpenBLAS
True
"""

from __future__ import annotations

import ctypes
import importlib

from llvmlite import ir
from numba import types
from numba.extending import intrinsic

ROW_MAJOR, NO_TRANS, TRANS = 101, 111, 112  # CBLAS's enum values

_NAMES = ("scipy_cblas_dgemm64_", "cblas_dgemm64_")  # numpy >= 2.0, numpy 1.x: ILP64


def _find_dgemm() -> int:
    """The address of the ILP64 ``cblas_dgemm`` numpy is linked against, or 0."""
    for module in ("numpy._core._multiarray_umath", "numpy.core._multiarray_umath"):
        try:
            library = ctypes.CDLL(importlib.import_module(module).__file__)
        except (ImportError, OSError):
            continue
        for name in _NAMES:
            if hasattr(library, name):
                return ctypes.cast(getattr(library, name), ctypes.c_void_p).value or 0
    return 0


DGEMM: int = _find_dgemm()
"""The address of numpy's ``cblas_dgemm`` (64-bit integers), or 0 if there is none to call."""


@intrinsic
def dgemm(typingctx, fn, trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc):
    """``C = op(A) @ op(B) + beta * C``, row-major, through the function at address ``fn``.

    ``a``, ``b`` and ``c`` are the matrices' addresses (``array.ctypes.data``);
    ``trans_a`` and ``trans_b`` are `NO_TRANS` or `TRANS`; ``op(A)`` is
    ``m × k``, ``op(B)`` ``k × n``, ``C`` ``m × n``. Callable only from a kernel.
    """
    sig = types.void(fn, trans_a, trans_b, m, n, k, a, lda, b, ldb, beta, c, ldc)

    def codegen(context, builder, signature, args):
        i32, i64, f64 = ir.IntType(32), ir.IntType(64), ir.DoubleType()
        ints = [i64] * 3
        cblas = ir.FunctionType(
            ir.VoidType(), [i32, i32, i32, *ints, f64, i64, i64, i64, i64, f64, i64, i64]
        )
        target = builder.inttoptr(args[0], cblas.as_pointer())
        flags = [builder.trunc(x, i32) for x in args[1:3]]
        alpha = ir.Constant(f64, 1.0)
        builder.call(target, [ir.Constant(i32, ROW_MAJOR), *flags, *args[3:6], alpha, *args[6:]])
        return context.get_dummy_value()

    return sig, codegen


@intrinsic
def address(typingctx, array, index):
    """The address of ``array.flat[index]`` of a C-contiguous array (for `dgemm`).

    A slice's ``ctypes.data`` would do the same, at a longer compile.
    """
    sig = types.int64(array, index)

    def codegen(context, builder, signature, args):
        data = context.make_array(signature.args[0])(context, builder, args[0]).data
        item = ir.Constant(ir.IntType(64), context.get_abi_sizeof(data.type.pointee))
        start = builder.ptrtoint(data, ir.IntType(64))
        return builder.add(start, builder.mul(args[1], item))

    return sig, codegen
