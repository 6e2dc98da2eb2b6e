"""Where the layer blocks of a `Tape` are, and the slot numbering that makes them matrices.

`autograd.blocks` runs a tape's layers as matrix products. This module reads
the tape: it finds the groups of ``dot`` instructions over the same inputs
(`find_blocks`), their activations, and a renumbering of the slots that makes
each block's results, and then its activations' results, consecutive rows;
and the views of a block's weights in the parameter vector.

Examples
--------
>>> from autograd import Value
>>> from autograd.tape import trace
>>> W = [[Value(1.0), Value(2.0)], [Value(3.0), Value(4.0)]]
>>> b = [Value(0.5), Value(-0.5)]
>>> def layer(x):
...     return [b[j] + W[j][0] * x[0] + W[j][1] * x[1] for j in range(2)]
>>> tape = trace(layer, n_inputs=2, params=[*W[0], *W[1], *b])
>>> print(tape.instruction(0))
%2 = dot 1.0*$4 + $0*%0 + $1*%1
>>> [f.members for f in find_blocks(tape)]  # both dots read %0 and %1: one block
[[0, 1]]
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from autograd.ops import OPS
from autograd.tape import DOT, Tape

MIN_BLOCK = 1
"""The fewest ``dot`` s a block holds: a lone output neuron is a 1 × n block too.

In the kernels a block costs no more than its ``dot`` s, and a tape with no
``dot`` left compiles without the kernels' ``dot`` code (a shorter first step).
"""


@dataclass
class Found:
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


def find_blocks(tape: Tape) -> list[Found]:
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
        in_place = matrix_view(~weights) is not None and (
            bias is None or strided_view(~bias) is not None
        )  # BLAS reads the weights where they are, and the kernels the biases
        if len(members) >= MIN_BLOCK and distinct and in_place:
            found.append(Found([i for i, _, _ in members], inputs, weights, bias))
    return sorted(found, key=lambda f: f.members[0])


def operands(tape: Tape, i: int) -> list[int]:
    """The references instruction ``i`` reads: a dot's terms, or an op's arguments."""
    if tape.code[i] == DOT:
        return tape.terms[tape.args[i, 0] : tape.args[i, 1]].ravel().tolist()
    return tape.args[i, : OPS[tape.code[i]].arity].tolist()


def readers_of(tape: Tape) -> dict[int, list[int]]:
    """For each slot, the instructions that read it (-1: it is an output)."""
    readers: dict[int, list[int]] = {}
    for i in range(len(tape)):
        for r in set(operands(tape, i)):
            if r >= 0:
                readers.setdefault(r, []).append(i)
    for o in tape.output_slots.tolist():
        readers.setdefault(o, []).append(-1)  # an output is one more use
    return readers


def activations(tape: Tape, block: Found, readers: dict[int, list[int]]) -> list[int]:
    """The instructions applying one unary op to the block's outputs, one each, or none."""
    group = []
    for i in block.members:
        users = readers.get(int(tape.out[i]), [])
        if len(users) != 1 or users[0] < 0 or tape.code[users[0]] == DOT:
            return []
        if OPS[tape.code[users[0]]].arity != 1:
            return []
        group.append(users[0])
    same = {(int(tape.code[a]), float(tape.const[a])) for a in group}
    return group if len(same) == 1 else []


def new_slots(tape: Tape, found: list[Found], acts: dict[int, list[int]]) -> np.ndarray:
    """A renumbering of the slots: each block's results, then its activations', consecutive."""
    together = {f.members[0]: f.members + acts[f.members[0]] for f in found}
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


def renumbered(tape: Tape, kept: list[int], new: np.ndarray) -> Tape:
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


def matrix_view(index: np.ndarray) -> tuple[int, int, bool] | None:
    """``(offset, ld, transposed)`` if BLAS can read ``array[index]`` in place, else None.

    Entry ``(j, i)`` is ``array[offset + j·ld + i]``, or ``array[offset + i·ld + j]``
    when ``transposed``: a layer's weights, neuron after neuron (or input after input).

    >>> matrix_view(np.array([[0, 1], [3, 4]]))  # two neurons' weights, each followed by a bias
    (0, 3, False)
    >>> matrix_view(np.array([[0, 2], [1, 3]])), matrix_view(np.array([[0, 1], [4, 3]]))
    ((0, 2, True), None)
    """
    found = _strided(index)
    if found is None:
        return None
    offset, (s_row, s_col) = found
    m, n = index.shape
    if s_col == 1 or n == 1:  # (a lone row's or column's stride is free: BLAS asks ld >= n)
        return offset, max(s_row, n), False
    if s_row == 1:
        return offset, max(s_col, m), True
    return None


def strided_view(index: np.ndarray) -> tuple[int, int] | None:
    """``(offset, step)`` when ``index`` is evenly spaced, ``offset + k·step``, else None.

    >>> strided_view(np.array([2, 5, 8])), strided_view(np.array([2, 5, 9]))
    ((2, 3), None)
    """
    found = _strided(index)
    return None if found is None else (found[0], found[1][0])


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
