"""Layer blocks: the tape's ``dot`` instructions that read the same inputs, run as matrix products.

A layer of ``m`` neurons over ``n`` inputs traces into ``m`` ``dot``
instructions with the same ``n`` input slots, each with its own weights and
bias. Run one by one, each streams all ``n`` input rows through memory; run
together they are one matrix product, ``Z = W @ X + b``, which reads each
input row once for the whole block (BLAS tiles it for the caches). Backward
is two more products, ``dW = dZ @ Xᵀ`` and ``dX = Wᵀ @ dZ``, and a row sum
``db = Σ dZ``.

`Program` finds the blocks on a `Tape` (see `autograd.tape`), renumbers the
slots so each block's inputs and outputs are consecutive rows of the batch
buffer (so ``X`` and ``Z`` are views, not copies), and puts one `BLOCK`
instruction in each block's place. The whole program, blocks and the
instructions between them, then runs in one call of the `autograd.kernels`
kernel, which calls numpy's BLAS itself (`autograd.block_kernels`): no
Python between two steps. The scalar tape stays the source of truth: a
graph with no clean layer is the same program with no blocks, and so is
every graph where numpy's BLAS cannot be called (`autograd.blas`).

A block runs where its first ``dot`` was: every ``dot`` of it reads the same
inputs, so all of them are ready there. Its activations (one unary op on each
result, the same op for all) are part of it: the block's results are
consecutive rows, and theirs are the next ``m``.

Backward writes a gradient where nothing else adds to it (a block's inputs
that nothing after it reads, parameters no other instruction reads), so only
the other rows are zeroed first. A batch with enough work (the Numba engine's
own rule, `autograd.halves.splits`) runs as two halves at once, in two
threads with their own buffers (the kernel releases the GIL), each with one
BLAS thread; the two parameter gradients are then added. Setting numpy's BLAS
threads takes threadpoolctl (the ``threads`` extra): without it a batch
always runs as one, with the BLAS threads as they are set.

A block is a group of at least `autograd.layout.MIN_BLOCK` ``dot`` s whose terms are an
optional bias ``1.0*$b`` followed by ``$w*%x`` terms over the same slots
``%x`` (no slot twice, consecutive once renumbered), and whose weights and
biases are all different parameters, laid out evenly in the parameter vector
(a layer's are: `autograd.layout.matrix_view`). The products add their terms
in BLAS's order instead of left to right, so sums differ from the scalar
engine's in the last bits.

Examples
--------
>>> import numpy as np
>>> from autograd import Value
>>> from autograd.tape import trace
>>> W = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
>>> b = [Value(0.5), Value(-0.5)]
>>> params = [W[0][0], W[0][1], b[0], W[1][0], W[1][1], b[1]]
>>> def layer(x):
...     return [(b[j] + W[j][0] * x[0] + W[j][1] * x[1]).relu() for j in range(2)]
>>> program = Program(trace(layer, n_inputs=2, params=params))
>>> print(program)
inputs: %0 %1
params: $0, $1, $2, ..., $4, $5
%2..%3 = block 2×2 [$0 … $4] @ [%0 … %1] + [$2 … $5]
%4..%5 = relu %2..%3
outputs: %4 %5
>>> program.forward(np.array([[1.0, 1.0]])).tolist()
[[3.5, 6.5]]
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

try:  # the `threads` extra: without it a batch runs as one, with the BLAS threads as set
    from threadpoolctl import ThreadpoolController
except ImportError:
    ThreadpoolController = None

from autograd import blas, halves, kernels
from autograd import block_kernels as bk
from autograd.layout import (
    Found,
    activations,
    find_blocks,
    matrix_view,
    new_slots,
    operands,
    readers_of,
    renumbered,
    strided_view,
)
from autograd.nonfinite import check_gradient, raise_if_nonfinite
from autograd.ops import OPS
from autograd.tape import Tape

_blas: list | None = None  # numpy's BLAS libraries, found on the first split batch


@contextmanager
def _one_blas_thread() -> Iterator[None]:
    """A context in which numpy's BLAS runs one thread per call.

    Two halves of a batch already keep both cores busy: BLAS threads on top
    would wait for each other (OpenBLAS's threads spin while they wait). The
    libraries' own setters, not ``ThreadpoolController.limit``, which costs
    more than this whole context each time.
    """
    global _blas
    if _blas is None:
        found = [] if ThreadpoolController is None else ThreadpoolController().lib_controllers
        _blas = [lib for lib in found if lib.user_api == "blas"]
    before = [lib.get_num_threads() for lib in _blas]
    for lib, n in zip(_blas, before):
        if n != 1:
            lib.set_num_threads(1)
    try:
        yield
    finally:
        for lib, n in zip(_blas, before):
            if n != 1:
                lib.set_num_threads(n)


@dataclass
class Block:
    """``m`` dot instructions over the same ``n`` input slots, as one matrix product.

    Attributes
    ----------
    out : int
        First of the ``m`` consecutive result slots.
    inputs : ndarray of int64, shape (n,)
        The input slots, in term order (consecutive).
    weights : ndarray of int64, shape (m, n)
        Indices into ``uniform`` of each output's weights.
    bias : ndarray of int64, shape (m,), or None
        Indices into ``uniform`` of each output's bias.
    inputs_need_grad : bool
        Whether backward passes a gradient on to the inputs.
    activation : int
        Op code of the activation applied to every result (the next ``m``
        slots), or -1 for none; ``activation_const`` is its constant.
    sets_input_grads : bool
        Backward is the first to give the inputs a gradient (nothing after the
        block reads them): it writes their rows instead of adding, so they need
        no zeroing first.
    sets_param_grads : bool
        The block's parameters are read nowhere else: backward writes their
        gradients instead of adding.
    """

    out: int
    inputs: np.ndarray
    weights: np.ndarray
    bias: np.ndarray | None
    inputs_need_grad: bool
    activation: int = -1
    activation_const: float = 0.0
    sets_input_grads: bool = False
    sets_param_grads: bool = False

    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``: outputs, inputs."""
        return self.weights.shape

    @property
    def params(self) -> np.ndarray:
        """Indices into ``uniform`` of the weights, then the biases."""
        return self.weights.ravel() if self.bias is None else np.append(self.weights, self.bias)

    def line(self, tape: Tape) -> str:
        """The block as lines of a program printout: its product, then its activation."""

        def span(refs: np.ndarray) -> str:
            return f"[{tape.ref_name(int(refs[0]))} … {tape.ref_name(int(refs[-1]))}]"

        m, n = self.shape
        z, h = f"%{self.out}..%{self.out + m - 1}", f"%{self.out + m}..%{self.out + 2 * m - 1}"
        text = f"{z} = block {m}×{n} {span(~self.weights.ravel())} @ {span(self.inputs)}"
        text += "" if self.bias is None else f" + {span(~self.bias)}"
        if self.activation < 0:
            return text
        op = OPS[self.activation]
        param = "" if op.param is None else f" {op.param}={self.activation_const!r}"
        return f"{text}\n{h} = {op.name} {z}{param}"

    def row(self) -> np.ndarray:
        """The block as a row of the kernels' blocks table (`autograd.block_kernels`)."""
        m, n = self.shape
        w, ld, transposed = matrix_view(self.weights)
        bias, bias_step = (-1, 0) if self.bias is None else strided_view(self.bias)
        row = np.zeros(bk.BLOCK_COLUMNS, dtype=np.int64)
        row[[bk.OUT, bk.M, bk.INPUTS, bk.N]] = self.out, m, self.inputs[0], n
        row[[bk.W, bk.W_LD, bk.W_TRANSPOSED]] = w, ld, transposed
        row[[bk.BIAS, bk.BIAS_STEP, bk.ACT]] = bias, bias_step, self.activation
        row[[bk.INPUTS_NEED_GRAD, bk.SETS_INPUT_GRADS, bk.SETS_PARAM_GRADS]] = (
            self.inputs_need_grad, self.sets_input_grads, self.sets_param_grads,
        )  # fmt: skip
        return row


class Program:
    """A `Tape` run as layer blocks (matrix products) and the instructions between them.

    Parameters
    ----------
    tape : Tape
        The traced function; its ``uniform`` gives the default parameters.
    blocks : bool, default True
        Find layer blocks; False runs every instruction one by one.

    Attributes
    ----------
    source : Tape
        The tape as traced.
    tape : Tape
        The program the kernel runs: a `BLOCK` instruction in each block's
        place (its argument: its index in ``blocks``), the other instructions
        as traced, slots renumbered.
    blocks : list of Block
    blocks_table : ndarray of int64
        ``blocks`` as the kernels read them (`autograd.block_kernels`).
    """

    def __init__(self, tape: Tape, blocks: bool = True) -> None:
        self.source = tape
        found = find_blocks(tape) if blocks and blas.DGEMM else []  # no BLAS to call: dots
        readers = readers_of(tape)
        while True:  # a block's inputs must be consecutive rows: drop those whose are not
            acts = {f.members[0]: activations(tape, f, readers) for f in found}
            new = new_slots(tape, found, acts)
            laid = [f for f in found if _consecutive(new[list(f.inputs)])]
            if len(laid) == len(found):
                break
            found = laid
        self._new = new  # vals[self._new]: the rows in the traced tape's numbering
        moved = {i for f in found for i in f.members + acts[f.members[0]]}
        kept = [i for i in range(len(tape)) if i not in moved]
        plain = renumbered(tape, kept, new)
        self.blocks = [self._block(f, acts[f.members[0]], new, plain) for f in found]
        at = np.searchsorted(kept, [f.members[0] for f in found])  # where each block runs
        self.tape = dataclasses.replace(
            plain,
            code=np.insert(plain.code, at, bk.BLOCK),
            args=np.insert(
                plain.args, at, np.array([(k, 0) for k in range(len(found))]).reshape(-1, 2), axis=0
            ),
            const=np.insert(plain.const, at, [b.activation_const for b in self.blocks]),
            out=np.insert(plain.out, at, [b.out for b in self.blocks]),
        )
        self._plan_gradient_writes()
        self.blocks_table = np.array([b.row() for b in self.blocks], dtype=np.int64)
        self.blocks_table = self.blocks_table.reshape(-1, bk.BLOCK_COLUMNS)
        t = self.tape  # what the kernel reads of the program, with targets and without
        self._arrays = {
            has_T: (
                t.code, t.args, t.const, t.out, t.terms, t.input_slots,
                t.target_slots if has_T else t.target_slots[:0], t.needs_grad, t.n_params,
                self.blocks_table, self._zero_slots, self._zero_params, blas.DGEMM,
            )
            for has_T in (True, False)
        }  # fmt: skip
        self._kernels: kernels.Kernels | None = None  # found on first run
        self._buffers: dict[int, tuple[int, list[_Chunk]]] = {}  # n_chunks -> (batch, chunks)
        self._last: list[_Chunk] = []  # the chunks of the last run, for `last_outputs`

    def _block(self, found: Found, acts: list[int], new: np.ndarray, plain: Tape) -> Block:
        inputs = new[list(found.inputs)]
        t = self.source
        return Block(
            out=int(new[t.out[found.members[0]]]),
            inputs=inputs,
            weights=~found.weights,
            bias=None if found.bias is None else ~found.bias,
            inputs_need_grad=bool(plain.needs_grad[inputs].any()),
            activation=int(t.code[acts[0]]) if acts else -1,
            activation_const=float(t.const[acts[0]]) if acts else 0.0,
        )

    @property
    def kernels(self) -> kernels.Kernels:
        """The `autograd.kernels.Kernels` that run the program, found on first use."""
        if self._kernels is None:
            acts = [b.activation for b in self.blocks if b.activation >= 0]
            self._kernels = kernels.kernels_for(self.tape, also=acts)
        return self._kernels

    def __str__(self) -> str:
        t = self.tape
        head = [line for line in str(self.source).splitlines() if not line.startswith("%")]
        body = [
            self.blocks[t.args[i, 0]].line(t) if t.code[i] == bk.BLOCK else t.instruction(i)
            for i in range(len(t))
        ]
        outputs = "outputs: " + " ".join(t.ref_name(int(s)) for s in t.output_slots)
        return "\n".join([*head[:-1], *body, outputs])

    def _plan_gradient_writes(self) -> None:
        """Let blocks write the gradients nothing else gives; zero only the rest before backward."""
        t = self.tape
        last_read = np.full(t.n_slots, -1)  # the last instruction reading each slot
        param_reads = np.zeros(t.n_params, dtype=np.int64)
        for i in range(len(t)):
            if t.code[i] == bk.BLOCK:
                block = self.blocks[t.args[i, 0]]
                last_read[block.inputs] = i
                np.add.at(param_reads, block.params, 1)
            else:
                refs = np.array(operands(t, i), dtype=np.int64)
                last_read[refs[refs >= 0]] = i
                np.add.at(param_reads, ~refs[(refs < 0) & (~refs < t.n_params)], 1)
        last_read[t.output_slots] = len(t)  # the seed is written before backward
        zero_slots, zero_params = t.needs_grad.copy(), np.ones(t.n_params, dtype=bool)
        for i in np.flatnonzero(t.code == bk.BLOCK):
            k = int(t.args[i, 0])
            block = self.blocks[k] = dataclasses.replace(
                self.blocks[k],
                sets_input_grads=bool((last_read[self.blocks[k].inputs] == i).all()),
                sets_param_grads=bool((param_reads[self.blocks[k].params] == 1).all()),
            )
            if block.sets_input_grads:
                zero_slots[block.inputs] = False
            if block.sets_param_grads:
                zero_params[block.params] = False
        self._zero_slots, self._zero_params = _runs(zero_slots), _runs(zero_params)

    def _workspace(self, batch: int, n_chunks: int) -> list[_Chunk]:
        """Buffers for ``n_chunks`` equal chunks of ``batch`` samples, reused while it holds."""
        known = self._buffers.get(n_chunks)
        if known is None or known[0] != batch:
            known = (batch, [_Chunk(self, batch // n_chunks) for _ in range(n_chunks)])
            self._buffers[n_chunks] = known
        return known[1]

    def _run(
        self, uniform, X, T, chunk: _Chunk, seeded=None, seed: float = 0.0, losses=None
    ) -> bool:
        """The program forward on the samples of ``X``, then, if ``seeded`` is given, each
        sample's ``losses[s] = vals[seeded[s], s]`` and backward from ``grads[seeded[s], s] =
        seed``, in one kernel call; whether every value was finite."""
        arrays = self._arrays[T is not None]
        T = np.empty((len(X), 0)) if T is None else np.ascontiguousarray(T)
        train = seeded is not None
        return self.kernels.run(
            arrays, uniform, np.ascontiguousarray(X), T, seeded if train else kernels.NO_SEEDS,
            seed, train, chunk.vals, chunk.grads, chunk.gu, chunk.spare,
            losses if train else uniform,
        )  # fmt: skip

    def _raise_nonfinite(self, uniform: np.ndarray, chunks: list[_Chunk]) -> None:
        # The tape's own check names the op and the sample, in the tape's numbering.
        vals = np.stack([chunk.vals for chunk in chunks])
        raise_if_nonfinite(self.source, uniform, vals[:, self._new])
        raise FloatingPointError("a layer block's result is not finite")

    def forward(
        self, X: np.ndarray, T: np.ndarray | None = None, uniform: np.ndarray | None = None
    ) -> np.ndarray:
        """The outputs for every sample (no gradients): shape (batch, n_outputs).

        ``X`` must be float64 (batch × inputs), ``T`` (batch × targets) when the tape reads targets.
        """
        uniform = self.source.uniform if uniform is None else uniform
        chunks = self._last = self._workspace(len(X), 1)
        if not self._run(uniform, X, T, chunks[0]):
            self._raise_nonfinite(uniform, chunks)
        return chunks[0].vals[self.tape.output_slots].T.copy()

    def loss_and_grad(
        self,
        X: np.ndarray,
        T: np.ndarray | None = None,
        selected: np.ndarray | None = None,
        uniform: np.ndarray | None = None,
        parallel: bool | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each sample's loss and the gradient of their mean, as `autograd.kernels.loss_and_grad`.

        ``parallel`` splits an even batch in two halves run at once by two
        threads (default: when the source tape's work is above
        `autograd.halves.PARALLEL_MIN_WORK`, the Numba engine's own rule). The
        gradient array is reused by the next call: copy it to keep it.

        Examples
        --------
        >>> from autograd import Value
        >>> from autograd.tape import trace
        >>> w = Value(2.0)
        >>> program = Program(trace(lambda x: w * x[0], n_inputs=1, params=[w]))
        >>> losses, grad = program.loss_and_grad(np.array([[1.0], [3.0]]))
        >>> losses.tolist(), grad.tolist()
        ([2.0, 6.0], [2.0])
        >>> X = np.array([[1.0], [3.0], [5.0], [7.0]])
        >>> program.loss_and_grad(X, parallel=True)[1].tolist()  # two halves: (1+3) + (5+7), / 4
        [4.0]
        """
        t = self.tape
        uniform = self.source.uniform if uniform is None else uniform
        batch = len(X)
        if parallel is None:  # two halves only with one BLAS thread each (see the module doc)
            parallel = ThreadpoolController is not None and halves.splits(self.source, batch)
        n_chunks = 2 if parallel and batch % 2 == 0 else 1
        chunks = self._last = self._workspace(batch, n_chunks)
        width = batch // n_chunks
        if selected is None:  # each sample's loss slot: the one output's, or its class's
            seeded = np.full(batch, t.output_slots[0], dtype=np.int64)
        else:
            seeded = t.output_slots[selected].astype(np.int64, copy=False)
        seeded = seeded.reshape(n_chunks, width)
        losses = np.empty(batch)
        finite = [False] * n_chunks

        def run(c: int) -> None:
            """Chunk ``c`` of the batch, with its own buffers."""
            part = slice(c * width, (c + 1) * width)
            Tc = None if T is None else T[part]
            finite[c] = self._run(
                uniform, X[part], Tc, chunks[c], seeded[c], 1.0 / batch, losses[part]
            )

        if n_chunks == 1:
            run(0)
        else:
            self.kernels  # noqa: B018 (compiled here, not by two threads at once)
            with _one_blas_thread():
                halves.run_halves(run)
        if not all(finite):
            self._raise_nonfinite(uniform, chunks)
        grad = chunks[0].gu
        for more in chunks[1:]:
            grad += more.gu
        check_gradient(t, grad)
        return losses, grad

    def last_outputs(self, which: slice) -> np.ndarray:
        """The tape outputs ``which`` of the last `forward` or `loss_and_grad`: (batch, n).

        Examples
        --------
        >>> from autograd.tape import trace
        >>> program = Program(trace(lambda x: [x[0] * 2.0, x[0] * 3.0], n_inputs=1, params=[]))
        >>> _ = program.forward(np.array([[1.0], [2.0]]))
        >>> program.last_outputs(slice(1, None)).tolist()
        [[3.0], [6.0]]
        """
        rows = self.tape.output_slots[which]
        return np.concatenate([chunk.vals[rows] for chunk in self._last], axis=1).T


class _Chunk:
    """The buffers of one chunk of a batch (``width`` samples), each its own array.

    ``vals`` and ``grads`` (slots × samples), the kernels' scratch rows
    ``spare``, and the parameters' gradients ``gu``.
    """

    def __init__(self, program: Program, width: int) -> None:
        n = program.tape.n_slots
        self.vals, self.grads = np.empty((n, width)), np.empty((n, width))
        self.spare = np.empty((4, width))
        self.gu = np.empty(program.tape.n_params)


def _runs(mask: np.ndarray) -> np.ndarray:
    """The runs of consecutive True entries of ``mask``, as rows ``(start, stop)``."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return edges.reshape(-1, 2).astype(np.int64)


def _consecutive(slots: np.ndarray) -> bool:
    """Whether ``slots`` are consecutive rows, in order."""
    return bool((np.diff(slots) == 1).all())
