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
buffer (so ``X`` and ``Z`` are views, not copies), and runs the rest of the
tape, instruction by instruction, with the `autograd.kernels` loops. The
scalar tape stays the source of truth: a graph with no clean layer is the
same program with no blocks.

A block runs where its first ``dot`` was: every ``dot`` of it reads the same
inputs, so all of them are ready there. Its activations (one unary op on each
result, the same op for all) run right after it, as one `Activation`: the
block's results are consecutive rows, and so are theirs, which makes them one
long row for the kernels (one instruction's fixed cost instead of ``m``).

Backward writes a gradient where nothing else adds to it (a block's inputs
that nothing after it reads, parameters no other instruction reads), so only
the other rows are zeroed first. A batch with enough work (the Numba engine's
own rule, `autograd.halves.splits`) runs as two halves at once, in two
threads with their own buffers (numpy's products and the kernels release the
GIL), each with one BLAS thread; the two parameter gradients are then added.
Setting numpy's BLAS threads takes threadpoolctl (the ``threads`` extra):
without it a batch always runs as one, with the BLAS threads as they are set.

A block is a group of at least `autograd.layout.MIN_BLOCK` ``dot`` s whose terms are an
optional bias ``1.0*$b`` followed by ``$w*%x`` terms over the same slots
``%x`` (no slot twice), and whose weights and biases are all different
parameters. The products add their terms in BLAS's order instead of left to
right, so sums differ from the scalar engine's in the last bits.

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
%4 = relu %2
%5 = relu %3
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

from autograd import halves, kernels
from autograd.layout import (
    Found,
    Gather,
    activations,
    find_blocks,
    new_slots,
    operands,
    readers_of,
    renumbered,
)
from autograd.numbers import all_finite
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
        The input slots, in term order.
    weights : ndarray of int64, shape (m, n)
        Indices into ``uniform`` of each output's weights.
    bias : ndarray of int64, shape (m,), or None
        Indices into ``uniform`` of each output's bias.
    inputs_need_grad : bool
        Whether backward passes a gradient on to the inputs.
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
    sets_input_grads: bool = False
    sets_param_grads: bool = False

    def __post_init__(self) -> None:
        m, n = self.weights.shape
        start = int(self.inputs[0])
        contiguous = np.array_equal(self.inputs, np.arange(start, start + n))
        self._in = slice(start, start + n) if contiguous else self.inputs
        self._out = slice(self.out, self.out + m)
        self._W = Gather(self.weights)
        self._b = None if self.bias is None else Gather(self.bias)
        # writing needs views: a gathered copy would take the result and drop it
        self.sets_input_grads &= contiguous
        self.sets_param_grads &= all(
            g.layout is not None for g in (self._W, self._b) if g is not None
        )

    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``: outputs, inputs."""
        return self.weights.shape

    @property
    def params(self) -> np.ndarray:
        """Indices into ``uniform`` of the weights, then the biases."""
        return self.weights.ravel() if self.bias is None else np.append(self.weights, self.bias)

    def line(self, tape: Tape) -> str:
        """The block as one line of a program printout."""

        def span(refs: np.ndarray) -> str:
            return f"[{tape.ref_name(int(refs[0]))} … {tape.ref_name(int(refs[-1]))}]"

        m, n = self.shape
        text = f"%{self.out}..%{self.out + m - 1} = block {m}×{n} "
        text += f"{span(~self.weights.ravel())} @ {span(self.inputs)}"
        return text + ("" if self.bias is None else f" + {span(~self.bias)}")

    def forward(self, uniform: np.ndarray, vals: np.ndarray) -> None:
        """``Z = W @ X + b`` for the batch: rows of ``vals`` (slots × samples)."""
        Z = vals[self._out]
        np.matmul(self._W(uniform), vals[self._in], out=Z)
        if self._b is not None:
            Z += self._b(uniform)[:, None]

    def backward(
        self, uniform: np.ndarray, vals: np.ndarray, grads: np.ndarray, gu: np.ndarray
    ) -> None:
        """Add ``dZ @ Xᵀ`` into the weights' gradients, ``Σ dZ`` into the biases', ``Wᵀ @ dZ``
        into the inputs'."""
        dZ, X = grads[self._out], vals[self._in]
        if self.sets_param_grads:
            np.matmul(dZ, X.T, out=self._W(gu))
            if self._b is not None:
                np.add.reduce(dZ, axis=1, out=self._b(gu))
        else:
            self._W.add(gu, dZ @ X.T)
            if self._b is not None:
                self._b.add(gu, np.add.reduce(dZ, axis=1))
        if self.sets_input_grads and self.inputs_need_grad:
            np.matmul(self._W(uniform).T, dZ, out=grads[self._in])
        elif self.inputs_need_grad:
            grads[self._in] += self._W(uniform).T @ dZ


@dataclass(frozen=True, eq=False)  # eq=False: hashed by identity, quickly
class Activation:
    """A block's activations, ``tape`` 's instructions ``start`` to ``stop``, run as one.

    They apply one op to the block's ``m`` result rows and write the next
    ``m`` rows (``rows`` holds both), so the ``m × batch`` results are one
    long row for the kernels: one instruction instead of ``m``, whose fixed
    cost is most of a short row's.
    """

    start: int
    stop: int
    rows: tuple[int, int]

    def long(self, array: np.ndarray) -> np.ndarray:
        """The results' rows, then the activations', as two long rows of ``array``."""
        return array[self.rows[0] : self.rows[1]].reshape(2, -1)


_PAIR = np.array([[0, 0]], dtype=np.int64)  # an activation's operand row (0) and result row (1)
_RESULT = np.array([1], dtype=np.int64)
# Backward of an activation leaves its local derivative in the scratch row (its
# operand "needs" no gradient), and the chain rule's product is then written.
_RESULT_ONLY = np.array([False, True])


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
        The instructions left between the blocks (activations right after their
        block), slots renumbered.
    blocks : list of Block
    steps : list
        In order, each a `Block`, an `Activation` or a ``(start, stop)`` range of
        ``tape`` 's instructions.
    """

    def __init__(self, tape: Tape, blocks: bool = True) -> None:
        self.source = tape
        found = find_blocks(tape) if blocks else []
        readers = readers_of(tape)
        acts = {f.members[0]: activations(tape, f, readers) for f in found}
        new = new_slots(tape, found, acts)
        self._new = new  # vals[self._new]: the rows in the traced tape's numbering
        # In run order: each block, then its activations (they read only the block's
        # results, so they can run at once), and the other instructions.
        first = {f.members[0]: f for f in found}
        moved = {i for f in found for i in f.members + acts[f.members[0]]}
        plan: list = []
        for i in range(len(tape)):
            if i in first:
                plan += [first[i]] + ([acts[i]] if acts[i] else [])
            elif i not in moved:
                plan.append([i])
        kept = [i for item in plan if isinstance(item, list) for i in item]
        self.tape = renumbered(tape, kept, new)
        self._kernels: kernels.Kernels | None = None  # found on first run
        self.blocks: list[Block] = []
        self.steps: list[Block | Activation | tuple[int, int]] = []
        start = stop = 0  # the current run of kept instructions
        for item in plan:
            if isinstance(item, list) and item[0] not in moved:
                stop += 1
                continue
            if stop > start:
                self.steps.append((start, stop))
            if isinstance(item, Found):
                self.steps.append(self._block(item, new))
            else:
                m, z = len(item), self.steps[-1].out
                self.steps.append(Activation(stop, stop + m, (z, z + 2 * m)))
                stop += m
            start = stop
        if stop > start:
            self.steps.append((start, stop))
        self._segments = {s: self._segment(*s) for s in self.steps if isinstance(s, tuple)}
        for s in self.steps:  # an activation: its first instruction, on the two long rows
            if isinstance(s, Activation):
                code, _, const, _ = self._segment(s.start, s.start + 1)
                self._segments[s] = (code, _PAIR, const, _RESULT)
        self._long = max([s.stop - s.start for s in self.steps if isinstance(s, Activation)] + [0])
        self._plan_gradient_writes()
        self._buffers: dict[int, tuple[int, list[_Chunk]]] = {}  # n_chunks -> (batch, chunks)
        self._last: list[_Chunk] = []  # the chunks of the last run, for `last_outputs`

    @property
    def instruction_kernels(self) -> kernels.Kernels:
        """The `autograd.kernels.Kernels` that run the instructions between blocks."""
        if self._kernels is None:
            self._kernels = kernels.kernels_for(self.tape)
        return self._kernels

    def _block(self, found: Found, new: np.ndarray) -> Block:
        inputs = new[list(found.inputs)]
        block = Block(
            out=int(new[self.source.out[found.members[0]]]),
            inputs=inputs,
            weights=~found.weights,
            bias=None if found.bias is None else ~found.bias,
            inputs_need_grad=bool(self.tape.needs_grad[inputs].any()),
        )
        self.blocks.append(block)
        return block

    def _segment(self, start: int, stop: int) -> tuple[np.ndarray, ...]:
        t = self.tape
        return tuple(a[start:stop] for a in (t.code, t.args, t.const, t.out))

    def __str__(self) -> str:
        lines = str(self.tape).splitlines()
        head = [line for line in lines if not line.startswith("%")][:-1]  # inputs, targets, params
        body = []
        for step in self.steps:
            if isinstance(step, Block):
                body.append(step.line(self.tape))
            else:
                span = (step.start, step.stop) if isinstance(step, Activation) else step
                body += [self.tape.instruction(i) for i in range(*span)]
        return "\n".join([*head, *body, lines[-1]])

    def _plan_gradient_writes(self) -> None:
        """Let blocks write the gradients nothing else gives; zero only the rest before backward."""
        t, steps = self.tape, self.steps
        last_read = np.full(t.n_slots, -1)  # the last step reading each slot
        param_reads = np.zeros(t.n_params, dtype=np.int64)
        for k, step in enumerate(steps):
            if isinstance(step, Block):
                last_read[step.inputs] = k
                np.add.at(param_reads, step.params, 1)
            elif isinstance(step, tuple):  # (an activation reads only its block's results)
                for i in range(*step):
                    refs = np.array(operands(t, i), dtype=np.int64)
                    last_read[refs[refs >= 0]] = k
                    np.add.at(param_reads, ~refs[(refs < 0) & (~refs < t.n_params)], 1)
        last_read[t.output_slots] = len(steps)  # the seed is written before backward
        zero_slots, zero_params = t.needs_grad.copy(), np.ones(t.n_params, dtype=bool)
        for k, step in enumerate(steps):
            if isinstance(step, Block):
                params = step.params
                block = dataclasses.replace(
                    step,
                    sets_input_grads=bool((last_read[step.inputs] == k).all()),
                    sets_param_grads=bool((param_reads[params] == 1).all()),
                )
                if block.sets_input_grads:
                    zero_slots[block.inputs] = False
                if block.sets_param_grads:
                    zero_params[params] = False
                steps[k] = self.blocks[self.blocks.index(step)] = block
            elif isinstance(step, Activation):  # writes its block's result gradients
                zero_slots[step.rows[0] : (step.rows[0] + step.rows[1]) // 2] = False
        self._zero_slots, self._zero_params = _runs(zero_slots), _runs(zero_params)

    def _workspace(self, batch: int, n_chunks: int) -> list[_Chunk]:
        """Buffers for ``n_chunks`` equal chunks of ``batch`` samples, reused while it holds."""
        known = self._buffers.get(n_chunks)
        if known is None or known[0] != batch:
            known = (batch, [_Chunk(self, batch // n_chunks) for _ in range(n_chunks)])
            self._buffers[n_chunks] = known
        return known[1]

    def _forward_chunk(self, uniform, X, T, chunk: _Chunk) -> bool:
        """Run the program forward on the samples of ``X``; whether every value is finite."""
        t, vals, K = self.tape, chunk.vals, self.instruction_kernels
        vals[: len(t.input_slots)] = X.T
        if len(t.target_slots) and T is not None:
            vals[t.target_slots[0] : t.target_slots[0] + len(t.target_slots)] = T.T
        for step in self.steps:
            if isinstance(step, Block):
                step.forward(uniform, vals)
            elif isinstance(step, Activation):
                long_vals = chunk.long[step][0]
                K.forward_rows(*self._segments[step], t.terms, uniform, long_vals, chunk.long_spare)
            else:
                K.forward_rows(*self._segments[step], t.terms, uniform, vals, chunk.spare)
        return all_finite(vals)

    def _backward_chunk(self, uniform, seeded, seed, chunk: _Chunk) -> None:
        """Reverse mode from ``grads[seeded] = seed``, the parameters' gradients into ``gu``."""
        t, K = self.tape, self.instruction_kernels
        vals, grads, gu = chunk.vals, chunk.grads, chunk.gu
        for rows in self._zero_slots:  # the rest is written before it is read
            grads[rows] = 0.0
        for params in self._zero_params:
            gu[params] = 0.0
        grads[seeded] = seed
        for step in reversed(self.steps):
            if isinstance(step, Block):
                step.backward(uniform, vals, grads, gu)
            elif isinstance(step, Activation):
                code, args, const, out = self._segments[step]
                long_vals, long_grads, local = chunk.long[step]
                K.backward_rows(
                    code, args, const, out, t.terms, uniform, _RESULT_ONLY, 0,
                    long_vals, long_grads, gu, chunk.long_spare,
                )  # fmt: skip
                np.multiply(local, long_grads[1], out=long_grads[0])  # dZ = act'(Z)·dH
            else:
                code, args, const, out = self._segments[step]
                K.backward_rows(
                    code, args, const, out, t.terms, uniform, t.needs_grad, t.n_params,
                    vals, grads, gu, chunk.spare,
                )  # fmt: skip

    def _raise_nonfinite(self, uniform: np.ndarray, chunks: list[_Chunk]) -> None:
        # The tape's own check names the op and the sample, in the tape's numbering.
        vals = np.stack([chunk.vals for chunk in chunks])
        kernels.raise_if_nonfinite(self.source, uniform, vals[:, self._new])
        raise FloatingPointError("a layer block's result is not finite")

    def forward(
        self, X: np.ndarray, T: np.ndarray | None = None, uniform: np.ndarray | None = None
    ) -> np.ndarray:
        """The outputs for every sample (no gradients): shape (batch, n_outputs).

        ``X`` must be float64 (batch × inputs), ``T`` (batch × targets) when the tape reads targets.
        """
        uniform = self.source.uniform if uniform is None else uniform
        chunks = self._last = self._workspace(len(X), 1)
        if not self._forward_chunk(uniform, X, T, chunks[0]):
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
        if selected is None:  # one output: its row, a plain slice
            rows = [int(t.output_slots[0])] * n_chunks
        else:
            columns = np.arange(width)
            rows = [(r, columns) for r in np.split(t.output_slots[selected], n_chunks)]
        finite = [False] * n_chunks

        def run(c: int) -> None:
            """Chunk ``c`` of the batch, with its own buffers."""
            part = slice(c * width, (c + 1) * width)
            Tc = None if T is None else T[part]
            finite[c] = self._forward_chunk(uniform, X[part], Tc, chunks[c])
            if finite[c]:
                self._backward_chunk(uniform, rows[c], 1.0 / batch, chunks[c])

        if n_chunks == 1:
            run(0)
        else:
            self.instruction_kernels  # noqa: B018 (compiled here, not by two threads at once)
            with _one_blas_thread():
                halves.run_halves(run)
        if not all(finite):
            self._raise_nonfinite(uniform, chunks)
        grad = chunks[0].gu
        for more in chunks[1:]:
            grad += more.gu
        kernels.check_gradient(t, grad)
        if n_chunks == 1:
            return chunks[0].vals[rows[0]].copy(), grad
        return np.concatenate([chunk.vals[r] for chunk, r in zip(chunks, rows)]), grad

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
    (``spare``, and ``long_spare`` as wide as an activation's long row), the
    parameters' gradients ``gu``, and each activation's long rows of ``vals``
    and ``grads`` (and of ``long_spare``, for its local derivatives). Separate
    arrays, the same objects on every call: the blocks keep their views of
    ``gu`` by identity.
    """

    def __init__(self, program: Program, width: int) -> None:
        n = program.tape.n_slots
        self.vals, self.grads = np.empty((n, width)), np.empty((n, width))
        self.spare = np.empty((4, width))
        self.long_spare = np.empty((4, max(program._long * width, 1)))
        self.gu = np.empty(program.tape.n_params)
        self.long = {}  # and the row where the kernels leave the local derivatives
        for step in program.steps:
            if isinstance(step, Activation):
                v, g = step.long(self.vals), step.long(self.grads)
                self.long[step] = (v, g, self.long_spare[2, : g.shape[1]])


def _runs(mask: np.ndarray) -> list[slice]:
    """The runs of consecutive True entries of ``mask``, as slices."""
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    return [slice(a, b) for a, b in zip(edges[::2].tolist(), edges[1::2].tolist())]
