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
inputs, so all of them are ready there.

A block is a group of at least `MIN_BLOCK` ``dot`` s whose terms are an
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
from dataclasses import dataclass

import numpy as np
from numpy.lib.stride_tricks import as_strided

from autograd import kernels
from autograd.numbers import all_finite
from autograd.ops import OPS
from autograd.tape import DOT, Tape

MIN_BLOCK = 2
"""The fewest ``dot`` s a block holds: a lone neuron stays one ``dot`` instruction."""


class _Gather:
    """``array[index]`` for a fixed index array: a view when the indices are evenly spaced.

    A layer's weights are: neuron j's weights and bias follow neuron j-1's, so
    weight (j, i) is ``offset + j·stride + i``. The view of the last array
    asked for is kept, so a step reads and writes the parameters in place.
    """

    def __init__(self, index: np.ndarray) -> None:
        self.index = index
        self.layout = _strided(index)
        self._views: dict[int, tuple[np.ndarray, np.ndarray]] = {}  # id -> (array, view)

    def __call__(self, array: np.ndarray) -> np.ndarray:
        if self.layout is None:
            return array[self.index]
        known = self._views.get(id(array))
        if known is not None and known[0] is array:
            return known[1]
        if len(self._views) > 4:  # parameters and gradients: a few arrays at a time
            self._views.clear()
        offset, strides = self.layout
        byte_strides = tuple(s * array.itemsize for s in strides)
        view = as_strided(array[offset:], self.index.shape, byte_strides)
        self._views[id(array)] = (array, view)
        return view

    def add(self, array: np.ndarray, values: np.ndarray) -> None:
        """``array[index] += values`` (the indices are all different)."""
        if self.layout is None:
            array[self.index] += values
        else:
            view = self(array)
            view += values


def _strided(index: np.ndarray) -> tuple[int, tuple[int, ...]] | None:
    """``(offset, strides)`` in elements when ``array[index]`` is a strided view, else None."""
    offset = int(index.flat[0])
    strides = []
    for k, n in enumerate(index.shape):
        step = index[(0,) * k + (1,) + (0,) * (index.ndim - k - 1)] - offset if n > 1 else 0
        strides.append(int(step))
    grid = np.full(index.shape, offset, dtype=np.int64)
    for k, (n, step) in enumerate(zip(index.shape, strides)):
        grid += (np.arange(n) * step).reshape((-1,) + (1,) * (index.ndim - k - 1))
    if min(strides) < 0 or not np.array_equal(grid, index):
        return None
    return offset, tuple(strides)


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
    """

    out: int
    inputs: np.ndarray
    weights: np.ndarray
    bias: np.ndarray | None
    inputs_need_grad: bool

    def __post_init__(self) -> None:
        m, n = self.weights.shape
        start = int(self.inputs[0])
        contiguous = np.array_equal(self.inputs, np.arange(start, start + n))
        self._in = slice(start, start + n) if contiguous else self.inputs
        self._out = slice(self.out, self.out + m)
        self._W = _Gather(self.weights)
        self._b = None if self.bias is None else _Gather(self.bias)

    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``: outputs, inputs."""
        return self.weights.shape

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
        dZ = grads[self._out]
        self._W.add(gu, dZ @ vals[self._in].T)
        if self._b is not None:
            self._b.add(gu, np.add.reduce(dZ, axis=1))
        if self.inputs_need_grad:
            grads[self._in] += self._W(uniform).T @ dZ


@dataclass
class _Found:
    """A block while the program is being laid out: its members are tape instruction indices."""

    members: list[int]
    inputs: tuple[int, ...]
    weights: np.ndarray  # (m, n) references
    bias: np.ndarray | None  # (m,) references


def _split_dot(tape: Tape, i: int) -> tuple[int | None, np.ndarray, np.ndarray] | None:
    """``(bias, weights, inputs)`` references of a layer-shaped dot, or None."""
    terms = tape.terms[tape.args[i, 0] : tape.args[i, 1]]
    w, x = terms[:, 0], terms[:, 1]

    def is_param(refs: np.ndarray) -> bool:
        return bool(((refs < 0) & (~refs < tape.n_params)).all())

    bias = None
    one = w[0] < 0 and ~w[0] >= tape.n_params and tape.uniform[~w[0]] == 1.0
    if one and is_param(x[:1]):
        bias, w, x = int(x[0]), w[1:], x[1:]
    if not len(x) or (x < 0).any() or not is_param(w):
        return None
    return bias, w, x


def find_blocks(tape: Tape) -> list[_Found]:
    """The groups of at least `MIN_BLOCK` layer-shaped dots over the same inputs, in tape order."""
    groups: dict[tuple, list[tuple[int, int | None, np.ndarray]]] = {}
    for i in np.flatnonzero(tape.code == DOT).tolist():
        split = _split_dot(tape, i)
        if split is not None:
            bias, w, x = split
            groups.setdefault((bias is not None, tuple(x.tolist())), []).append((i, bias, w))
    found = []
    for (has_bias, inputs), members in groups.items():
        weights = np.array([w for _, _, w in members])
        bias = np.array([b for _, b, _ in members]) if has_bias else None
        refs = weights.ravel().tolist() + ([] if bias is None else bias.tolist())
        distinct = len(set(inputs)) == len(inputs) and len(set(refs)) == len(refs)
        if len(members) >= MIN_BLOCK and distinct:  # no scatter-add for a shared weight or input
            found.append(_Found([i for i, _, _ in members], inputs, weights, bias))
    return sorted(found, key=lambda f: f.members[0])


def _operands(tape: Tape, i: int) -> list[int]:
    if tape.code[i] == DOT:
        return tape.terms[tape.args[i, 0] : tape.args[i, 1]].ravel().tolist()
    return tape.args[i, : OPS[tape.code[i]].arity].tolist()


def _activations(tape: Tape, block: _Found, readers: dict[int, list[int]]) -> list[int] | None:
    """The instructions applying one unary op to the block's outputs, one each, if so."""
    group = []
    for i in block.members:
        users = readers.get(int(tape.out[i]), [])
        if len(users) != 1 or tape.code[users[0]] == DOT or OPS[tape.code[users[0]]].arity != 1:
            return None
        group.append(users[0])
    same = {(int(tape.code[a]), float(tape.const[a])) for a in group}
    return group if len(same) == 1 else None


def _new_slots(tape: Tape, found: list[_Found]) -> np.ndarray:
    """A renumbering of the slots that makes each block's results (and activations) consecutive."""
    readers: dict[int, list[int]] = {}
    for i in range(len(tape)):
        for r in set(_operands(tape, i)):
            if r >= 0:
                readers.setdefault(r, []).append(i)
    for o in tape.output_slots.tolist():
        readers.setdefault(o, []).append(-1)  # an output is one more use
    together: dict[int, list[int]] = {}  # first instruction of a group -> the group
    for block in found:
        together[block.members[0]] = block.members
        if (acts := _activations(tape, block, readers)) is not None:
            together[min(acts)] = acts
    n_leaves = len(tape.input_slots) + len(tape.target_slots)
    new = np.full(tape.n_slots, -1, dtype=np.int64)
    new[:n_leaves] = np.arange(n_leaves)
    slot = n_leaves
    for i in range(len(tape)):
        for j in together.get(i, [i]):
            if new[tape.out[j]] < 0:
                new[tape.out[j]] = slot
                slot += 1
    return new


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
        The instructions left between the blocks, slots renumbered.
    blocks : list of Block
    steps : list
        In order, each a `Block` or a ``(start, stop)`` range of ``tape`` 's instructions.
    """

    def __init__(self, tape: Tape, blocks: bool = True) -> None:
        self.source = tape
        found = find_blocks(tape) if blocks else []
        new = _new_slots(tape, found)
        self._new = new  # vals[self._new]: the rows in the traced tape's numbering
        first = {f.members[0]: f for f in found}
        member = {i for f in found for i in f.members}
        kept = [i for i in range(len(tape)) if i not in member]
        self.tape = _renumbered(tape, kept, new)
        self._kernels: kernels.Kernels | None = None  # found on first run
        self.blocks: list[Block] = []
        self.steps: list[Block | tuple[int, int]] = []
        start = stop = 0  # the current run of kept instructions
        for i in range(len(tape)):
            if i in first:
                if stop > start:
                    self.steps.append((start, stop))
                start = stop
                self.steps.append(self._block(first[i], new))
            elif i not in member:
                stop += 1
        if stop > start:
            self.steps.append((start, stop))
        self._segments = {s: self._segment(*s) for s in self.steps if isinstance(s, tuple)}
        self._buffers: tuple = ()

    @property
    def instruction_kernels(self) -> kernels.Kernels:
        """The `autograd.kernels.Kernels` that run the instructions between blocks."""
        if self._kernels is None:
            self._kernels = kernels.kernels_for(self.tape)
        return self._kernels

    def _block(self, found: _Found, new: np.ndarray) -> Block:
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
                body += [self.tape.instruction(i) for i in range(*step)]
        return "\n".join([*head, *body, lines[-1]])

    def _workspace(self, batch: int, n_uniform: int) -> tuple[np.ndarray, ...]:
        """``(vals, grads, spare, gu)`` for ``batch`` samples, reused while the batch size holds."""
        if not self._buffers or self._buffers[0].shape[1] != batch:
            n = self.tape.n_slots
            self._buffers = (np.empty((n, batch)), np.empty((n, batch)), np.empty((4, batch)))
        if len(self._buffers) == 3 or len(self._buffers[3]) != n_uniform:
            self._buffers = (*self._buffers[:3], np.empty(n_uniform))
        return self._buffers

    def _run_forward(self, uniform, X, T, vals, spare) -> None:
        t = self.tape
        vals[: len(t.input_slots)] = X.T
        if T is not None and len(t.target_slots):
            vals[t.target_slots[0] : t.target_slots[0] + len(t.target_slots)] = T.T
        for step in self.steps:
            if isinstance(step, Block):
                step.forward(uniform, vals)
            else:
                self.instruction_kernels.forward_rows(
                    *self._segments[step], t.terms, uniform, vals, spare
                )
        if not all_finite(vals):
            # The tape's own check names the op and the sample, in the tape's numbering.
            kernels.raise_if_nonfinite(self.source, uniform, vals[self._new][None])
            raise FloatingPointError("a layer block's result is not finite")

    def forward(
        self, X: np.ndarray, T: np.ndarray | None = None, uniform: np.ndarray | None = None
    ) -> np.ndarray:
        """The outputs for every sample (no gradients): shape (batch, n_outputs).

        ``X`` must be float64 (batch × inputs), ``T`` (batch × targets) when the tape reads targets.
        """
        uniform = self.source.uniform if uniform is None else uniform
        vals, _, spare, _ = self._workspace(len(X), len(uniform))
        self._run_forward(uniform, X, T, vals, spare)
        return vals[self.tape.output_slots].T.copy()

    def loss_and_grad(
        self,
        X: np.ndarray,
        T: np.ndarray | None = None,
        selected: np.ndarray | None = None,
        uniform: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Each sample's loss and the gradient of their mean, as `autograd.kernels.loss_and_grad`.

        The gradient array is reused by the next call: copy it to keep it.

        Examples
        --------
        >>> from autograd import Value
        >>> from autograd.tape import trace
        >>> w = Value(2.0)
        >>> program = Program(trace(lambda x: w * x[0], n_inputs=1, params=[w]))
        >>> losses, grad = program.loss_and_grad(np.array([[1.0], [3.0]]))
        >>> losses.tolist(), grad.tolist()
        ([2.0, 6.0], [2.0])
        """
        t = self.tape
        uniform = self.source.uniform if uniform is None else uniform
        batch = len(X)
        vals, grads, spare, gu = self._workspace(batch, len(uniform))
        self._run_forward(uniform, X, T, vals, spare)
        grads.fill(0.0)
        gu.fill(0.0)
        if selected is None:  # one output: its row, a plain slice
            rows, samples = int(t.output_slots[0]), slice(None)
        else:
            rows, samples = t.output_slots[selected], np.arange(batch)
        grads[rows, samples] = 1.0 / batch
        for step in reversed(self.steps):
            if isinstance(step, Block):
                step.backward(uniform, vals, grads, gu)
            else:
                code, args, const, out = self._segments[step]
                self.instruction_kernels.backward_rows(
                    code, args, const, out, t.terms, uniform, t.needs_grad, t.n_params,
                    vals, grads, gu, spare,
                )  # fmt: skip
        grad = gu[: t.n_params]
        kernels.check_gradient(t, grad)
        return vals[rows, samples].copy(), grad

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
        return self._buffers[0][self.tape.output_slots[which]].T.copy()


def _renumbered(tape: Tape, kept: list[int], new: np.ndarray) -> Tape:
    """``tape`` with only the ``kept`` instructions, and slot ``s`` renamed ``new[s]``."""

    def rename(refs: np.ndarray) -> np.ndarray:
        return np.where(refs >= 0, new[np.maximum(refs, 0)], refs)

    args, terms = [], []
    for i in kept:
        if tape.code[i] == DOT:
            a, b = tape.args[i]
            args.append((len(terms), len(terms) + b - a))
            terms += rename(tape.terms[a:b]).tolist()
        else:
            args.append(tuple(rename(tape.args[i]).tolist()))
    needs_grad = np.zeros(tape.n_slots, dtype=bool)
    needs_grad[new] = tape.needs_grad
    return dataclasses.replace(
        tape,
        code=tape.code[kept],
        args=np.array(args, dtype=np.int64).reshape(-1, 2),
        const=tape.const[kept],
        out=new[tape.out[kept]],
        terms=np.array(terms, dtype=np.int64).reshape(-1, 2),
        output_slots=new[tape.output_slots],
        needs_grad=needs_grad,
    )
