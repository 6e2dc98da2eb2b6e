"""Trace a function of `Value` s once into a `Tape`: flat arrays a compiled loop can run.

The scalar engine builds a fresh graph of Python objects for every sample. But
the *shape* of that graph is the same every time: only the numbers change. So
we run the function once on placeholder `Value` s, walk the graph it built,
and write it down as a numbered list of instructions (a Wengert list)::

    %2 = mul $0 %0        # $k: parameter k, %k: slot k (one number per sample)
    %3 = add %2 $1
    %4 = tanh %3

`autograd.kernels` then runs that list for a whole batch of samples at once,
forward and backward, at native speed.

Each instruction's operands are *references*: ``r >= 0`` is slot ``r`` (a
value that differs per sample: an input, a target, an op's result) and
``r < 0`` is entry ``~r`` of ``Tape.uniform`` (the same for every sample: the
parameters first, then constants).

Four optimisations make the tape cheaper:

* **constant folding**: a node that depends on no input, target or
  parameter is a constant; its value is the one the trace computed,
* **shared subexpressions**: the same op on the same operands is computed
  once, even when the graph holds two copies (two calls of a loss build two),
* **fused dot products**: a chain of ``add`` s over products, the neuron's
  ``b + w0*x0 + w1*x1 + ...``, becomes one ``dot`` instruction that adds the
  terms in the same order,
* **dead-slot elimination**: instructions whose result nothing uses (such as
  the products a ``dot`` absorbed) are dropped and the slots renumbered.

All but sharing keep every number bit for bit; sharing may change the last
bit of a gradient (it adds the two copies' gradients before the chain rule
goes on, instead of after).

The trace records *one* path through the function: Python ``if`` s on the
data (``if x > 0``) are evaluated once, with the placeholders' numbers, and
baked in. Write such choices with ops (``relu``, ``abs``) instead.

Examples
--------
>>> from autograd import Value
>>> w, b = Value(0.5, label="w"), Value(0.1, label="b")
>>> tape = trace(lambda x: (w * x[0] + b).tanh(), n_inputs=1, params=[w, b])
>>> print(tape)
inputs: %0
params: $0 (w), $1 (b)
%1 = mul $0 %0
%2 = add %1 $1
%3 = tanh %2
outputs: %3
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from autograd.ops import OPS, OPS_BY_NAME
from autograd.value import Value, topological_order

DOT = len(OPS)
"""Opcode of the fused dot-product instruction: one past the op table's codes."""

_ADD, _MUL = OPS_BY_NAME["add"].code, OPS_BY_NAME["mul"].code


@dataclass
class _Instr:
    """One instruction while the tape is being built and optimised."""

    code: int
    args: tuple[int, ...]  # operand references (one or two); for DOT, empty
    const: float = 0.0  # the op's constant parameter (exponent, slope)
    out: int = -1  # result slot
    terms: list[tuple[int, int]] = field(default_factory=list)  # DOT: (weight, x) references


@dataclass
class Tape:
    """A traced function as flat arrays, ready for `autograd.kernels`.

    Attributes
    ----------
    code : ndarray of int64, shape (n_instructions,)
        Op-table code of each instruction, or `DOT`.
    args : ndarray of int64, shape (n_instructions, 2)
        Operand references (a unary op repeats its operand); for a `DOT`, the
        range ``[args[i, 0], args[i, 1])`` of its rows in ``terms``.
    const : ndarray of float64, shape (n_instructions,)
        Each op's constant parameter (0.0 when it has none).
    out : ndarray of int64, shape (n_instructions,)
        Result slot of each instruction.
    terms : ndarray of int64, shape (n_terms, 2)
        ``(weight, x)`` references of the dot products' terms.
    uniform : ndarray of float64
        The parameters' values at trace time, then the constants.
    n_params : int
        How many leading entries of ``uniform`` are parameters.
    n_slots : int
        Slots per sample.
    input_slots, target_slots, output_slots : ndarray of int64
        Where the inputs and targets go, where the outputs are read.
    needs_grad : ndarray of bool, shape (n_slots,)
        Whether a slot depends on a parameter (backward skips the others).
    param_labels : list of str
        The parameters' labels, for printing.

    Examples
    --------
    `trace` makes tapes; ``uniform`` holds the parameter w, then the constant 3:

    >>> w = Value(0.5, label="w")
    >>> tape = trace(lambda x: w * x[0] + 3.0, n_inputs=1, params=[w])
    >>> len(tape), tape.n_params, tape.uniform.tolist(), tape.output_slots.tolist()
    (2, 1, [0.5, 3.0], [2])
    """

    code: np.ndarray
    args: np.ndarray
    const: np.ndarray
    out: np.ndarray
    terms: np.ndarray
    uniform: np.ndarray
    n_params: int
    n_slots: int
    input_slots: np.ndarray
    target_slots: np.ndarray
    output_slots: np.ndarray
    needs_grad: np.ndarray
    param_labels: list[str]

    def __len__(self) -> int:
        return len(self.code)

    def ref_name(self, ref: int) -> str:
        """How a reference prints: ``%3`` (slot), ``$1`` (parameter) or a constant's value.

        Examples
        --------
        >>> w = Value(0.5, label="w")
        >>> tape = trace(lambda x: w * x[0] + 3.0, n_inputs=1, params=[w])
        >>> tape.ref_name(1), tape.ref_name(~0), tape.ref_name(~1)
        ('%1', '$0', '3.0')
        """
        if ref >= 0:
            return f"%{ref}"
        if ~ref < self.n_params:
            return f"${~ref}"
        return repr(float(self.uniform[~ref]))

    def instruction(self, i: int) -> str:
        """Instruction ``i`` as one line of the Wengert list.

        Examples
        --------
        >>> w = Value(0.5, label="w")
        >>> tape = trace(lambda x: w * x[0] + 3.0, n_inputs=1, params=[w])
        >>> tape.instruction(0), tape.instruction(1)
        ('%1 = mul $0 %0', '%2 = add %1 3.0')
        """
        a, b = (int(r) for r in self.args[i])
        if self.code[i] == DOT:
            terms = " + ".join(
                f"{self.ref_name(int(w))}*{self.ref_name(int(x))}" for w, x in self.terms[a:b]
            )
            return f"%{self.out[i]} = dot {terms}"
        op = OPS[self.code[i]]
        operands = [self.ref_name(a)] if op.arity == 1 else [self.ref_name(a), self.ref_name(b)]
        if op.param is not None:
            operands.append(f"{op.param}={float(self.const[i])!r}")
        return f"%{self.out[i]} = {op.name} " + " ".join(operands)

    def __str__(self) -> str:
        lines = ["inputs: " + " ".join(f"%{s}" for s in self.input_slots)]
        if len(self.target_slots):
            lines.append("targets: " + " ".join(f"%{s}" for s in self.target_slots))
        if self.n_params:
            params = [
                f"${k} ({label})" if label else f"${k}" for k, label in enumerate(self.param_labels)
            ]
            if len(params) > 6:  # the first and last few say enough
                params = [*params[:3], "...", *params[-2:]]
            lines.append("params: " + ", ".join(params))
        lines += [self.instruction(i) for i in range(len(self))]
        lines.append("outputs: " + " ".join(self.ref_name(int(s)) for s in self.output_slots))
        return "\n".join(lines)


def trace(
    fn: Callable[..., Value | Sequence[Value]],
    n_inputs: int,
    params: Sequence[Value],
    n_targets: int = 0,
    *,
    example_inputs: Sequence[float] | None = None,
    example_targets: Sequence[float] | None = None,
    fold_constants: bool = True,
    share_common: bool = True,
    fuse: bool = True,
    eliminate_dead: bool = True,
) -> Tape:
    """Run ``fn`` once on placeholder `Value` s and record it as a `Tape`.

    Parameters
    ----------
    fn : callable
        ``fn(inputs)``, or ``fn(inputs, targets)`` when ``n_targets > 0``: takes
        lists of `Value` s, returns a `Value` or a list of them (the outputs).
    n_inputs : int
        Length of the ``inputs`` list.
    params : sequence of Value
        The parameters (weights): read per run, and given gradients. Any other
        leaf `Value` the graph reaches is a constant.
    n_targets : int, default 0
        Length of the ``targets`` list.
    example_inputs, example_targets : sequence of float, optional
        Numbers for the placeholders (default 0.5): pick values inside the
        ops' domains (no ``log(0)``).
    fold_constants, share_common, fuse, eliminate_dead : bool, default True
        The optimisations; turning them off gives the literal tape.
        ``share_common`` computes the same op on the same operands once, even
        when the graph holds two copies (as two calls of a loss do).

    Returns
    -------
    Tape

    Raises
    ------
    TypeError
        If ``fn`` returns something other than `Value` s.

    Examples
    --------
    >>> from autograd import Value
    >>> tape = trace(lambda x, t: (x[0] * x[1] - t[0]) ** 2, n_inputs=2, params=[], n_targets=1)
    >>> len(tape), tape.n_slots
    (3, 6)
    """
    params = list(params)
    for p in params:
        if not isinstance(p, Value):
            raise TypeError(f"trace: params must be Values, got {type(p).__name__}")
    inputs = _placeholders("x", n_inputs, example_inputs)
    targets = _placeholders("t", n_targets, example_targets)
    result = fn(inputs, targets) if n_targets else fn(inputs)
    outputs = [result] if isinstance(result, Value) else result
    if not isinstance(outputs, (list, tuple)):
        raise TypeError(f"trace: fn must return Values, got {type(result).__name__} ({result!r})")
    for o in outputs:
        if not isinstance(o, Value):
            raise TypeError(f"trace: fn must return Values, got {type(o).__name__} ({o!r})")
    builder = _Builder(inputs + targets, params, fold_constants, share_common)
    instrs, output_refs = builder.record(outputs)
    if fuse:
        _fuse_dots(instrs, output_refs, builder.one)
    if eliminate_dead:
        instrs, output_refs = _eliminate_dead(instrs, output_refs, len(inputs) + len(targets))
    return _freeze(instrs, output_refs, builder, n_inputs, n_targets)


def _placeholders(prefix: str, n: int, example: Sequence[float] | None) -> list[Value]:
    if example is None:
        example = [0.5] * n
    if len(example) != n:
        raise ValueError(f"trace: expected {n} example numbers for '{prefix}', got {len(example)}")
    return [Value(v, label=f"{prefix}{i}") for i, v in enumerate(example)]


class _Builder:
    """Walks a `Value` graph and emits one instruction per op node."""

    def __init__(
        self,
        leaves: list[Value],
        params: list[Value],
        fold_constants: bool,
        share_common: bool,
    ) -> None:
        self.share = share_common
        self.known: dict[tuple, int] = {}  # (code, operands, constant) -> slot
        self.ref: dict[Value, int] = {leaf: slot for slot, leaf in enumerate(leaves)}
        for k, p in enumerate(params):
            if p in self.ref:
                raise ValueError(f"trace: parameter {k} ({p.label or p}) is also an input")
            self.ref[p] = ~k
        self.uniform = [p.data for p in params]
        self.param_labels = [p.label for p in params]
        self.n_slots = len(leaves)
        self.fold = fold_constants
        self.instrs: list[_Instr] = []
        self.constants: dict[str, int] = {}

    def constant(self, number: float) -> int:
        """A reference to ``number``; equal constants share one entry (so do their uses)."""
        key = float(number).hex()  # tells -0.0 from 0.0
        if key not in self.constants:
            self.uniform.append(number)
            self.constants[key] = ~(len(self.uniform) - 1)
        return self.constants[key]

    def record(self, outputs: list[Value]) -> tuple[list[_Instr], list[int]]:
        for node in topological_order(outputs):
            if node in self.ref:
                continue
            if node._row is None or (self.fold and all(self._is_constant(c) for c in node._prev)):
                self.ref[node] = self.constant(node.data)  # the trace already computed it
                continue
            args = tuple(self.ref[c] for c in node._prev)
            instr = _Instr(node._row.code, args, 0.0 if node._param is None else node._param)
            key = (instr.code, args, instr.const)
            if self.share and key in self.known:
                self.ref[node] = self.known[key]  # computed already: same op, same operands
                continue
            self.ref[node] = self.known[key] = instr.out = self._new_slot()
            self.instrs.append(instr)
        return self.instrs, [self._as_slot(self.ref[o]) for o in outputs]

    def one(self) -> int:
        """A reference to the constant 1.0 (the weight of a dot term that is no product)."""
        return self.constant(1.0)

    def _is_constant(self, node: Value) -> bool:
        ref = self.ref[node]
        return ref < 0 and ~ref >= len(self.param_labels)

    def _new_slot(self) -> int:
        self.n_slots += 1
        return self.n_slots - 1

    def _as_slot(self, ref: int) -> int:
        """An output must be a slot: a parameter or constant output is copied (``+ 0.0``)."""
        if ref >= 0:
            return ref
        self.instrs.append(_Instr(_ADD, (ref, self.constant(0.0)), out=self._new_slot()))
        return self.instrs[-1].out


def _fuse_dots(instrs: list[_Instr], outputs: list[int], one: Callable[[], int]) -> None:
    """Turn chains of ``add`` over products into ``dot`` instructions, in place.

    An ``add`` whose result is used exactly once, by another ``add``, joins
    that add's chain; a ``mul`` used exactly once, by a chain, becomes one of
    its terms. A ``dot`` adds its terms left to right, as the chain did, so
    the sums are bit for bit the same (``x + y == y + x`` in floating point,
    and ``1.0 * x == x`` for the terms that are not products). The absorbed
    instructions stay, unused, for `_eliminate_dead`.
    """
    uses = _count_uses(instrs, outputs)
    producer = {ins.out: ins for ins in instrs}

    def single_use(ref: int, code: int) -> _Instr | None:
        ins = producer.get(ref)
        return ins if ins is not None and ins.code == code and uses[ref] == 1 else None

    absorbed: set[int] = set()
    for ins in reversed(instrs):  # from the outputs down, so each chain is met at its root
        if ins.out in absorbed or ins.code != _ADD:
            continue
        reversed_terms, node, chain = [], ins, []
        while True:
            left, right = node.args
            if (sub := single_use(left, _ADD)) is not None:
                reversed_terms.append(right)
            elif (sub := single_use(right, _ADD)) is not None:
                reversed_terms.append(left)
            else:
                reversed_terms += [right, left]
                break
            chain.append(sub.out)
            node = sub
        if len(reversed_terms) < 3:
            continue  # a lone add gains nothing from fusion
        absorbed.update(chain)
        ins.code, ins.args = DOT, ()
        for ref in reversed(reversed_terms):
            if (mul := single_use(ref, _MUL)) is not None:
                # weight first when there is one: x * y == y * x
                ins.terms.append(mul.args if mul.args[0] < 0 else mul.args[::-1])
            else:
                ins.terms.append((one(), ref))


def _operands(ins: _Instr) -> list[int]:
    return [r for term in ins.terms for r in term] if ins.code == DOT else list(ins.args)


def _count_uses(instrs: list[_Instr], outputs: list[int]) -> dict[int, int]:
    uses = dict.fromkeys(outputs, 1)
    for ins in instrs:
        for r in _operands(ins):
            uses[r] = uses.get(r, 0) + 1
    return uses


def _eliminate_dead(
    instrs: list[_Instr], outputs: list[int], n_leaves: int
) -> tuple[list[_Instr], list[int]]:
    """Drop instructions no output depends on; renumber the slots densely."""
    live = set(outputs)
    kept = []
    for ins in reversed(instrs):
        if ins.out in live:
            kept.append(ins)
            live.update(_operands(ins))
    kept.reverse()
    new = {slot: slot for slot in range(n_leaves)}
    for ins in kept:
        new[ins.out] = len(new)

    def renumber(r: int) -> int:
        return new[r] if r >= 0 else r

    for ins in kept:
        ins.out = new[ins.out]
        ins.args = tuple(map(renumber, ins.args))
        ins.terms = [(renumber(w), renumber(x)) for w, x in ins.terms]
    return kept, [new[o] for o in outputs]


def _freeze(
    instrs: list[_Instr], outputs: list[int], builder: _Builder, n_inputs: int, n_targets: int
) -> Tape:
    """The instruction list as the flat arrays of a `Tape`."""
    n = len(instrs)
    code = np.array([ins.code for ins in instrs], dtype=np.int64)
    args = np.zeros((n, 2), dtype=np.int64)
    terms: list[tuple[int, int]] = []
    for i, ins in enumerate(instrs):
        if ins.code == DOT:
            args[i] = len(terms), len(terms) + len(ins.terms)
            terms += ins.terms
        else:
            args[i] = ins.args if len(ins.args) == 2 else ins.args * 2
    n_slots = 1 + max([ins.out for ins in instrs] + [n_inputs + n_targets - 1])
    n_params = len(builder.param_labels)
    needs_grad = np.zeros(n_slots, dtype=bool)
    for ins in instrs:
        needs_grad[ins.out] = any(
            (r < 0 and ~r < n_params) or (r >= 0 and needs_grad[r]) for r in _operands(ins)
        )
    return Tape(
        code=code,
        args=args,
        const=np.array([ins.const for ins in instrs], dtype=np.float64),
        out=np.array([ins.out for ins in instrs], dtype=np.int64),
        terms=np.array(terms, dtype=np.int64).reshape(-1, 2),
        uniform=np.array(builder.uniform, dtype=np.float64),
        n_params=n_params,
        n_slots=n_slots,
        input_slots=np.arange(n_inputs, dtype=np.int64),
        target_slots=np.arange(n_inputs, n_inputs + n_targets, dtype=np.int64),
        output_slots=np.array(outputs, dtype=np.int64),
        needs_grad=needs_grad,
        param_labels=builder.param_labels,
    )
