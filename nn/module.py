"""`Module`: the PyTorch-like base class of every model part, its tree, labels and state_dict.

`Module` finds a model's parts the way PyTorch does, from its attributes: a
public attribute holding a `Value` or a list of `Value` s is a parameter, one
holding a `Module` or a list of modules is a child. So a custom model is a
subclass that sets its attributes in ``__init__`` and defines ``forward``.
The building blocks (`nn.layers.Neuron`, `nn.layers.Layer`, `nn.layers.MLP`)
and `nn.batchnorm.BatchNorm1d` are such subclasses.

Examples
--------
>>> class Affine(Module):
...     def __init__(self):
...         self.w, self.b = Value(2.0), Value(0.5)
...         self.label_parameters()  # name the Values once, after they exist
...     def forward(self, x):
...         return self.w * x + self.b
>>> model = Affine()
>>> model(3.0).data, [p.label for p in model.parameters()]
(6.5, ['w', 'b'])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.numbers import as_number
from autograd.value import Value
from nn.arrays import as_batch, as_bool, as_sample
from nn.compiled import CompiledModel

# Every public Module subclass, by class name, so that from_architecture can rebuild it.
MODULE_TYPES: dict[str, type[Module]] = {}


class Module:
    """Base class of every model part: parameters, modes, saving and loading.

    Subclasses set parameters and children as attributes and define
    ``forward(x)``; see the module docstring for how they are found.

    Attributes
    ----------
    training : bool
        True in training mode (the default), False after ``eval()``. Only
        `BatchNorm1d` behaves differently.

    Examples
    --------
    >>> class Scale(Module):
    ...     def __init__(self):
    ...         self.a = Value(2.0)  # a public Value attribute is a parameter
    ...     def forward(self, x):
    ...         return self.a * x
    >>> model = Scale()
    >>> model(3.0), model.parameters()
    (Value(data=6.0, grad=0.0), [Value(data=2.0, grad=0.0)])
    """

    training: bool = True
    # True when each sample's output depends on the others in its batch (BatchNorm1d):
    # such a module cannot run one sample at a time, nor on the compiled engine.
    batch_dependent: bool = False
    # True for a module that is one neuron: neuron_groups() lists its parameters.
    is_neuron: bool = False
    _path: str = ""  # this module's name inside the model that last labelled it
    _buffers: tuple[str, ...] = ()  # attributes saved in state_dict but not learned

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            MODULE_TYPES[cls.__name__] = cls

    # --- running -------------------------------------------------------------

    def __call__(self, x: Any) -> Any:
        return self.forward(x)

    def forward(self, x: Any) -> Any:
        """One sample's output. Subclasses define it; ``model(x)`` calls it.

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> Neuron(2, activation=None, init="zeros").forward([1.0, 2.0])
        Value(data=0.0, grad=0.0)
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def forward_batch(self, X: Any) -> list:
        """The outputs of a mini-batch: ``[self(x) for x in X]`` unless a layer needs the batch.

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> outs = Neuron(2, activation=None, init="zeros").forward_batch([[1.0, 2.0], [3.0, 4.0]])
        >>> [out.data for out in outs]
        [0.0, 0.0]
        """
        return [self(x) for x in as_batch(X)]

    def compile(self, loss_fn: Callable[[Any, Any], Value]) -> Any:
        """A `nn.compiled.CompiledModel` running this model and ``loss_fn`` on a Numba tape.

        Examples
        --------
        >>> from nn.layers import MLP
        >>> from nn.losses import mse_loss
        >>> compiled = MLP(2, [3, 1], seed=0).compile(mse_loss)
        >>> type(compiled).__name__
        'CompiledModel'
        """
        return CompiledModel(self, loss_fn)

    # --- the module tree -----------------------------------------------------

    def named_children(self) -> list[tuple[str, Module]]:
        """The direct sub-modules, named by attribute (``"layers.0"`` for a list item).

        Examples
        --------
        >>> from nn.layers import MLP
        >>> [name for name, _ in MLP(2, [3, 1], seed=0).named_children()]
        ['layers.0', 'layers.1']
        """
        children = []
        for name, attr in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(attr, Module):
                children.append((name, attr))
            elif _is_list_of(attr, Module):
                children.extend((f"{name}.{i}", m) for i, m in enumerate(attr))
        return children

    def named_modules(self, prefix: str = "") -> list[tuple[str, Module]]:
        """This module and every module below it, with its dotted path.

        Examples
        --------
        >>> from nn.layers import Layer
        >>> [name for name, _ in Layer(2, 2, seed=0).named_modules()]
        ['', 'neurons.0', 'neurons.1']
        """
        modules = [(prefix, self)]
        for name, child in self.named_children():
            modules.extend(child.named_modules(f"{prefix}.{name}" if prefix else name))
        return modules

    def _own_tensors(self) -> list[tuple[str, list[Value], bool]]:
        """This module's parameters by attribute: (name, values, held as a list?)."""
        tensors = []
        for name, attr in vars(self).items():
            if name.startswith("_"):
                continue
            if isinstance(attr, Value):
                tensors.append((name, [attr], False))
            elif _is_list_of(attr, Value):
                tensors.append((name, list(attr), True))
        return tensors

    def _tensors(self) -> list[tuple[str, list[Value], bool]]:
        """Every parameter tensor of the tree, with its full dotted name."""
        tensors, seen = [], set()
        for path, module in self.named_modules():
            for name, values, is_list in module._own_tensors():
                if id(values[0]) not in seen:  # a shared module or tensor counts once
                    seen.add(id(values[0]))
                    tensors.append((f"{path}.{name}" if path else name, values, is_list))
        return tensors

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted name (listing them changes nothing).

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> [name for name, _ in Neuron(2, seed=0).named_parameters()]
        ['w.0', 'w.1', 'b']
        """
        return [
            (f"{name}.{i}" if is_list else name, value)
            for name, values, is_list in self._tensors()
            for i, value in enumerate(values)
        ]

    def label_parameters(self) -> Module:
        """Give every parameter its dotted name as its label, and every module its path.

        The built-in modules call it once, at the end of their constructor (an
        outer module relabels the parts it holds); graph drawings show these
        labels. A custom module calls it when its parameters exist.

        Examples
        --------
        >>> from nn.layers import Layer, MLP
        >>> layer = Layer(2, 1, seed=0)
        >>> layer.neurons[0].w[1].label
        'neurons.0.w.1'
        >>> MLP(2, [1], seed=0).layers[0].neurons[0].b.label
        'layers.0.neurons.0.b'
        """
        for path, module in self.named_modules():
            module._path = path
        for name, value in self.named_parameters():
            value.label = name
        return self

    def neuron_groups(self) -> dict[str, list[Value]]:
        """Each neuron's path mapped to its parameters (weights, then bias), for drawing boxes.

        Examples
        --------
        >>> from nn.layers import MLP
        >>> groups = MLP(2, [2, 1], seed=0).neuron_groups()
        >>> list(groups), len(groups["layers.0.neurons.1"])
        (['layers.0.neurons.0', 'layers.0.neurons.1', 'layers.1.neurons.0'], 3)
        """
        return {
            path: module.parameters() for path, module in self.named_modules() if module.is_neuron
        }

    def parameters(self) -> list[Value]:
        """Every learned `Value`, in a fixed order (the order of ``named_parameters``).

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> params = Neuron(2, init="zeros").parameters()  # w.0, w.1, then b
        >>> len(params), params[-1]
        (3, Value(data=0.0, grad=0.0, label='b'))
        """
        return [value for _, value in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across ``backward()``).

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> n = Neuron(1, activation=None, init="zeros")
        >>> n([2.0]).backward()
        >>> n.w[0].grad, n.zero_grad(), n.w[0].grad
        (2.0, None, 0.0)
        """
        for p in self.parameters():
            p.grad = 0.0

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all below it to training mode (or to eval with False).

        Examples
        --------
        >>> from nn.layers import MLP
        >>> model = MLP(2, [3, 1], seed=0).eval()
        >>> model.train().layers[0].training
        True
        """
        as_bool(mode, "train: mode")
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode: `BatchNorm1d` then uses its running statistics.

        Examples
        --------
        >>> from nn.layers import MLP
        >>> MLP(2, [3, 1], seed=0).eval().layers[1].training
        False
        """
        return self.train(False)

    # --- saving and loading --------------------------------------------------

    def _buffer_entries(self) -> list[tuple[str, Module, str]]:
        return [
            (f"{path}.{name}" if path else name, module, name)
            for path, module in self.named_modules()
            for name in module._buffers
        ]

    def state_dict(self) -> dict[str, list[float]]:
        """Every parameter tensor and buffer as a name → list of plain floats (JSON-able).

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> Neuron(2, init="zeros").state_dict()
        {'w': [0.0, 0.0], 'b': [0.0]}
        """
        state = {name: [v.data for v in values] for name, values, _ in self._tensors()}
        for key, module, name in self._buffer_entries():
            buffer = getattr(module, name)
            state[key] = [float(x) for x in buffer] if isinstance(buffer, list) else [float(buffer)]
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Copy numbers from ``state_dict`` into this model.

        Everything is checked before anything is written: a missing or
        unexpected name, a wrong length or a non-finite number raises
        ``ValueError`` and leaves the model unchanged.

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> n = Neuron(2, init="zeros")
        >>> n.load_state_dict({"w": [1.0, -1.0], "b": [0.5]})
        >>> n.state_dict()
        {'w': [1.0, -1.0], 'b': [0.5]}
        """
        if not isinstance(state_dict, dict):
            raise TypeError(f"load_state_dict: expected a dict, got {type(state_dict).__name__}")
        targets: dict[str, tuple[int, bool, Callable[[list[float]], None]]] = {}
        for name, values, _ in self._tensors():
            targets[name] = (len(values), False, _parameter_writer(values))
        for key, module, name in self._buffer_entries():
            buffer = getattr(module, name)
            size = len(buffer) if isinstance(buffer, list) else 1
            targets[key] = (size, isinstance(buffer, int), _buffer_writer(module, name))
        missing = [k for k in targets if k not in state_dict]
        unexpected = [k for k in state_dict if k not in targets]
        if missing or unexpected:
            raise ValueError(
                f"load_state_dict: keys do not match {type(self).__name__}: "
                f"missing {missing}, unexpected {unexpected}"
            )
        checked = {
            key: _checked_numbers(key, state_dict[key], *targets[key][:2]) for key in targets
        }
        for key, numbers_ in checked.items():
            targets[key][2](numbers_)

    def architecture(self) -> dict[str, Any]:
        """A JSON-able ``{"type": ..., **constructor arguments}`` to rebuild this model.

        Subclasses define it; `from_architecture` calls the constructor back.

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> Neuron(2, activation="tanh").architecture()
        {'type': 'Neuron', 'nin': 2, 'activation': 'tanh', 'init': 'uniform'}
        """
        raise NotImplementedError(
            f"{type(self).__name__} cannot describe itself: define architecture() returning "
            "{'type': class name, **the arguments of its constructor}"
        )

    # --- printing ------------------------------------------------------------

    def extra_repr(self) -> str:
        """The settings shown inside ``ClassName(...)``.

        Examples
        --------
        >>> from nn.layers import Neuron
        >>> Neuron(2).extra_repr()
        "in_features=2, activation='relu'"
        """
        return ""

    def _repr_children(self) -> list[tuple[str, Module]]:
        return self.named_children()

    def __repr__(self) -> str:
        head, extra = type(self).__name__, self.extra_repr()
        children = self._repr_children()
        if not children:
            return f"{head}({extra})"
        lines = [f"{head}(", *([f"  {extra}"] if extra else [])]
        for name, child in children:
            lines.append(f"  ({name}): " + repr(child).replace("\n", "\n  "))
        return "\n".join([*lines, ")"])


class BatchedModule(Module):
    """A module that computes a whole batch of checked inputs at once (``outputs``).

    One sample runs as a batch of one, so the per-sample and batch paths
    cannot drift apart. Subclasses define ``nin`` and ``outputs(X)``.

    Examples
    --------
    >>> class Double(BatchedModule):
    ...     nin = 1
    ...     def outputs(self, X):
    ...         return [[2 * x for x in row] for row in X]
    >>> Double()(3.0), [y.data for y in Double().forward_batch([[1.0], [2.0]])]
    (Value(data=6.0, grad=0.0), [2.0, 4.0])
    """

    nin: int  # inputs per sample

    def outputs(self, X: list[list[Value]]) -> list[list[Value]]:
        """The outputs of a batch of checked samples (lists of ``nin`` Values), one list each."""
        raise NotImplementedError(f"{type(self).__name__} must define outputs(X)")

    def forward(self, x: Any) -> Value | list[Value]:
        return _unwrap(self.outputs([as_sample(x, self.nin)])[0])

    def forward_batch(self, X: Any) -> list:
        samples = [as_sample(x, self.nin) for x in as_batch(X)]
        return [_unwrap(row) for row in self.outputs(samples)]


# --- helpers -------------------------------------------------------------------


def _is_list_of(attr: object, kind: type) -> bool:
    return isinstance(attr, (list, tuple)) and bool(attr) and all(isinstance(a, kind) for a in attr)


def _unwrap(outputs: list[Value]) -> Value | list[Value]:
    return outputs[0] if len(outputs) == 1 else outputs


def _checked_numbers(key: str, numbers_: Any, size: int, integer: bool) -> list[float]:
    if isinstance(numbers_, np.ndarray):
        numbers_ = numbers_.tolist()
    if not isinstance(numbers_, (list, tuple)):
        raise ValueError(f"load_state_dict: {key!r} must be a list of numbers, got {numbers_!r}")
    if len(numbers_) != size:
        raise ValueError(f"load_state_dict: {key!r} expected {size} numbers, got {len(numbers_)}")
    try:
        checked = [as_number(x, f"load_state_dict: {key!r}") for x in numbers_]
    except (TypeError, ValueError) as error:
        raise ValueError(str(error)) from None
    if integer and not all(x.is_integer() and x >= 0 for x in checked):
        raise ValueError(
            f"load_state_dict: {key!r} expected a count (an integer >= 0), got {checked}"
        )
    return checked


def _parameter_writer(values: list[Value]) -> Callable[[list[float]], None]:
    def write(numbers_: list[float]) -> None:
        for value, x in zip(values, numbers_):
            value.data = x

    return write


def _buffer_writer(module: Module, name: str) -> Callable[[list[float]], None]:
    def write(numbers_: list[float]) -> None:
        current = getattr(module, name)
        if isinstance(current, list):
            setattr(module, name, list(numbers_))
        else:
            setattr(module, name, int(numbers_[0]))

    return write
