"""Neuron boxes: which values of a graph one neuron computes, from its parameters.

The caller says which parameters make up each neuron (``nn``'s
``Module.neuron_groups()`` gives exactly that); nothing is read from labels.
A neuron's box then holds, for each time the neuron is applied (each sample
of a batch):

* the values computed from its own parameters and outside values only, up to
  the first value that uses *every* one of its parameters (the weighted sum
  plus bias),
* and the activation applied to that sum, when that is the sum's one use and
  a function such as ``tanh`` or ``ReLU`` (not an operator such as ``**``).

Everything else feeding the box (the previous layer's outputs, the inputs)
is drawn as its input.

Examples
--------
>>> from autograd import Value
>>> w, b, x = Value(2.0), Value(0.5), Value(3.0)
>>> out = (b + w * x).tanh()
>>> [box] = neuron_boxes(out._topological_order(), {"neuron": [w, b]})
>>> box.name, box.output is out, box.inputs == (x,)
('neuron', True, True)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from autograd.value import Value

Groups = Mapping[str, Sequence[Value]]
"""Box name -> the parameter Values of one neuron (weights, then bias)."""

UNNAMED = "neuron"
"""The box name of a group named ``""``: a lone ``Neuron``'s own path."""


@dataclass(frozen=True)
class NeuronBox:
    """A neuron drawn as one box: its name, output, the values it hides, its inputs."""

    name: str
    output: Value
    members: frozenset[Value]
    inputs: tuple[Value, ...]

    def caption(self) -> str:
        """``"tanh neuron: 2 in, 3 params"``; ``linear`` when no activation follows the sum."""
        out = self.output
        kind = out._op if len(out._prev) == 1 else "linear"
        params = sum(1 for m in self.members if m._row is None)
        return f"{kind} neuron: {len(self.inputs)} in, {params} params"


def check_groups(groups: object, where: str) -> dict[Value, str]:
    """Each parameter's group name; refuse anything but a mapping of names to Values."""
    if not isinstance(groups, Mapping):
        raise TypeError(f"{where}: groups must be a mapping of names to Values, got {groups!r}")
    owner: dict[Value, str] = {}
    for name, params in groups.items():
        if isinstance(params, Value) or not all(isinstance(p, Value) for p in params):
            raise TypeError(f"{where}: groups[{name!r}] must be a sequence of Values")
        for p in params:
            if owner.setdefault(p, name) != name:
                raise ValueError(f"{where}: a Value is in both groups {owner[p]!r} and {name!r}")
    return owner


def neuron_boxes(order: list[Value], groups: Groups) -> list[NeuronBox]:
    """The boxes of ``groups`` found in ``order`` (a topological order), in that order."""
    owner = check_groups(groups, "draw_dot")
    size = {name: len(set(params)) for name, params in groups.items()}
    # Open values: inside a neuron whose sum is not complete yet, with the
    # parameters they use so far.
    open_: dict[Value, tuple[str, frozenset[Value]]] = {
        p: (owner[p], frozenset([p])) for p in owner
    }
    sums: dict[Value, str] = {}
    for node in order:
        if node._row is None or node in open_:
            continue
        inside = [open_[child] for child in node._prev if child in open_]
        names = {name for name, _ in inside}
        if len(names) != 1:
            continue  # outside every neuron, or mixing two
        name = names.pop()
        used = frozenset().union(*(params for _, params in inside))
        if len(used) == size[name]:
            sums[node] = name  # the weighted sum plus bias: the neuron is complete
        else:
            open_[node] = (name, used)
    users: dict[Value, list[Value]] = {node: [] for node in sums}
    for node in order:
        for child in node._prev:
            if child in users:
                users[child].append(node)
    position = {node: i for i, node in enumerate(order)}
    boxes = []
    for total, name in sums.items():
        output = _activation(total, users[total]) or total
        members = _members(total, name, open_) | {output}
        inputs = {c for m in members for c in m._prev if c not in members}
        ordered = tuple(sorted(inputs, key=position.__getitem__))
        boxes.append(NeuronBox(name or UNNAMED, output, frozenset(members), ordered))
    boxes.sort(key=lambda box: position[box.output])
    return boxes


def _activation(total: Value, users: list[Value]) -> Value | None:
    """The activation applied to a neuron's sum, if that is the sum's one use."""
    if len(users) != 1:
        return None
    user = users[0]
    if len(user._prev) == 1 and user._row.symbol.isidentifier():  # tanh(z), not z**2
        return user
    return None


def _members(total: Value, name: str, open_: Mapping[Value, tuple[str, frozenset]]) -> set[Value]:
    """``total`` and the open values of neuron ``name`` below it (its parameters too)."""
    members = {total}
    stack = [total]
    while stack:
        for child in stack.pop()._prev:
            # Only open values belong to a neuron: an input is never open, even
            # for a group named "" (a lone Neuron's path).
            if child not in members and child in open_ and open_[child][0] == name:
                members.add(child)
                stack.append(child)
    return members


def hidden(boxes: Sequence[NeuronBox]) -> set[Value]:
    """The values inside neuron boxes, not drawn themselves."""
    return {m for box in boxes for m in box.members} - {box.output for box in boxes}
