"""Modules: `Neuron`, `Layer` and `MLP`, built from `Value` s, on a PyTorch-like `Module` base.

A neuron computes a weighted sum of its inputs plus a bias, then an
activation::

    z = x₁·w₁ + x₂·w₂ + … + xₙ·wₙ + b,    out = activation(z)

A `Layer` is a row of neurons reading the same inputs, an `MLP` a chain of
layers. Like micrograd, models work **per sample**: ``model(x)`` takes one
input vector and returns one `Value` (or a list of them when the last layer
is wider than one). ``forward_batch(X)`` runs a mini-batch, which
`BatchNorm1d` needs to see as a whole.

`Module` finds a model's parts the way PyTorch does, from its attributes: a
public attribute holding a `Value` or a list of `Value` s is a parameter, one
holding a `Module` or a list of modules is a child. So a custom model is a
subclass that sets its attributes in ``__init__`` and defines ``forward``.

Examples
--------
>>> model = MLP(3, [4, 4, 1], seed=0)
>>> out = model([2.0, 3.0, -1.0])
>>> type(out).__name__, len(model.parameters())
('Value', 41)
>>> model.named_parameters()[0][0]
'layers.0.neurons.0.w.0'
"""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from autograd.numbers import as_number
from autograd.value import Value
from nn import init as nn_init

ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", None)

# Every Module subclass, by class name, so that from_architecture can rebuild it.
_REGISTRY: dict[str, type[Module]] = {}


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
    (Value(data=6.0, grad=0.0), [Value(data=2.0, grad=0.0, label='a')])
    """

    training: bool = True
    _path: str = ""  # this module's name inside the model it was last named in
    _buffers: tuple[str, ...] = ()  # attributes saved in state_dict but not learned

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not cls.__name__.startswith("_"):
            _REGISTRY[cls.__name__] = cls

    # --- running -------------------------------------------------------------

    def __call__(self, x: Any) -> Any:
        return self.forward(x)

    def forward(self, x: Any) -> Any:
        """One sample's output. Subclasses define it; ``model(x)`` calls it.

        Examples
        --------
        >>> Neuron(2, activation=None, init="zeros").forward([1.0, 2.0])
        Value(data=0.0, grad=0.0)
        """
        raise NotImplementedError(f"{type(self).__name__} must define forward(x)")

    def forward_batch(self, X: Any) -> list:
        """The outputs of a mini-batch: ``[self(x) for x in X]`` unless a layer needs the batch.

        Examples
        --------
        >>> outs = Neuron(2, activation=None, init="zeros").forward_batch([[1.0, 2.0], [3.0, 4.0]])
        >>> [out.data for out in outs]
        [0.0, 0.0]
        """
        return [self(x) for x in _as_batch(X)]

    def compile(self, loss_fn: Callable[[Any, Any], Value]) -> Any:
        """A `nn.compiled.CompiledModel` running this model and ``loss_fn`` on a Numba tape.

        Examples
        --------
        >>> from nn.losses import mse_loss
        >>> compiled = MLP(2, [3, 1], seed=0).compile(mse_loss)
        >>> type(compiled).__name__
        'CompiledModel'
        """
        from nn.compiled import CompiledModel

        return CompiledModel(self, loss_fn)

    # --- the module tree -----------------------------------------------------

    def named_children(self) -> list[tuple[str, Module]]:
        """The direct sub-modules, named by attribute (``"layers.0"`` for a list item).

        Examples
        --------
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
            module._path = path
            for name, values, is_list in module._own_tensors():
                if id(values[0]) not in seen:  # a shared module or tensor counts once
                    seen.add(id(values[0]))
                    tensors.append((f"{path}.{name}" if path else name, values, is_list))
        return tensors

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted name; each `Value` also gets the name as its label.

        Examples
        --------
        >>> [name for name, _ in Neuron(2, seed=0).named_parameters()]
        ['w.0', 'w.1', 'b']
        """
        named = []
        for name, values, is_list in self._tensors():
            for i, value in enumerate(values):
                value.label = f"{name}.{i}" if is_list else name
                named.append((value.label, value))
        return named

    def parameters(self) -> list[Value]:
        """Every learned `Value`, in a fixed order (the order of ``named_parameters``).

        Examples
        --------
        >>> params = Neuron(2, init="zeros").parameters()  # w.0, w.1, then b
        >>> len(params), params[-1]
        (3, Value(data=0.0, grad=0.0, label='b'))
        """
        return [value for _, value in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's gradient to 0 (gradients accumulate across ``backward()``).

        Examples
        --------
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
        >>> model = MLP(2, [3, 1], seed=0).eval()
        >>> model.train().layers[0].training
        True
        """
        if not isinstance(mode, bool):
            raise TypeError(f"train: mode must be a bool, got {type(mode).__name__}")
        for _, module in self.named_modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode: `BatchNorm1d` then uses its running statistics.

        Examples
        --------
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


def from_architecture(architecture: dict[str, Any]) -> Module:
    """Build a fresh model (new random parameters) from ``Module.architecture()``.

    Examples
    --------
    >>> model = MLP(2, [3, 1], activation="tanh")
    >>> from_architecture(model.architecture()).architecture() == model.architecture()
    True
    """
    import nn.batchnorm  # noqa: F401  (registers BatchNorm1d)

    if not isinstance(architecture, dict) or not isinstance(architecture.get("type"), str):
        raise ValueError(
            f"architecture: expected a dict with a 'type' name, got {type(architecture).__name__}"
        )
    kwargs = dict(architecture)
    kind = kwargs.pop("type")
    if kind not in _REGISTRY:
        raise ValueError(f"architecture: unknown module type {kind!r}; known: {sorted(_REGISTRY)}")
    try:
        return _REGISTRY[kind](**kwargs)
    except TypeError as error:
        raise ValueError(f"architecture: cannot build {kind} from {kwargs}: {error}") from None


# --- the building blocks -------------------------------------------------------


class Neuron(Module):
    """One neuron: ``activation(x₁·w₁ + … + xₙ·wₙ + b)``.

    The sum is built as micrograd builds it, ``((b + w₁·x₁) + w₂·x₂) + …``,
    so its graph is the same readable chain (and the same float rounding).

    Parameters
    ----------
    nin : int
        Number of inputs.
    activation : {'relu', 'tanh', 'sigmoid', 'leaky_relu', None}
        Applied to z; None for a linear neuron.
    init : str or dict
        Weight initializer from `nn.init` (``"xavier_uniform"`` or
        ``{"name": "normal", "std": 0.1}``). Default: micrograd's U(-1, 1).
        The bias starts at 0.
    seed : int, random.Random or None
        Random stream for the weights (None: Python's global ``random``).
    fan_out : int
        Width of the layer this neuron is in (only Xavier init uses it).
    nonlin : bool, optional
        micrograd's spelling: True is ``activation='relu'``, False is None.

    Examples
    --------
    >>> n = Neuron(2, activation=None, init="zeros")
    >>> n.b.data = 0.5
    >>> n([1.0, 2.0])
    Value(data=0.5, grad=0.0)
    """

    def __init__(
        self,
        nin: int,
        activation: str | None = "relu",
        init: nn_init.InitSpec = "uniform",
        seed: nn_init.Seed = None,
        fan_out: int = 1,
        nonlin: bool | None = None,
    ) -> None:
        _check_size("nin", nin)
        if nonlin is not None:
            activation = "relu" if nonlin else None
        self.activation = _check_activation(activation)
        self.init = init
        draws = nn_init.resolve(init)(nin, fan_out, nn_init.make_rng(seed))
        self.w = [Value(x) for x in draws]
        self.b = Value(0.0)
        self.named_parameters()  # label the parameters

    def linear(self, x: list[Value]) -> Value:
        """z = b + w₁·x₁ + … + wₙ·xₙ (before the activation) for inputs already checked.

        Examples
        --------
        >>> n = Neuron(2, init="zeros")
        >>> n.w[0].data, n.w[1].data = 1.0, 1.0
        >>> n.linear([Value(2.0), Value(-3.0)])  # relu would give 0.0
        Value(data=-1.0, grad=0.0)
        """
        z = self.b
        for wi, xi in zip(self.w, x):
            z = z + wi * xi
        return z

    def _output(self, x: list[Value]) -> Value:
        out = _activate(self.linear(x), self.activation)
        out.label = self._path  # graph drawings box a neuron by this label
        return out

    def forward(self, x: Any) -> Value:
        """The neuron's output for one sample of ``nin`` numbers or Values.

        Examples
        --------
        >>> Neuron(2, init="zeros").forward([1.0, 2.0])
        Value(data=0.0, grad=0.0)
        """
        return self._output(_as_input(x, len(self.w)))

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this neuron (see `from_architecture`).

        Examples
        --------
        >>> Neuron(3, activation=None).architecture()
        {'type': 'Neuron', 'nin': 3, 'activation': None, 'init': 'uniform'}
        """
        return {
            "type": "Neuron",
            "nin": len(self.w),
            "activation": self.activation,
            "init": self.init,
        }

    def extra_repr(self) -> str:
        """Inputs and activation, as ``repr`` shows them.

        Examples
        --------
        >>> Neuron(3, activation="tanh")
        Neuron(in_features=3, activation='tanh')
        """
        return f"in_features={len(self.w)}, activation={self.activation!r}"


class _Feedforward(Module):
    """A module that computes a whole batch of checked inputs at once (``_outputs``).

    One sample runs as a batch of one, so the per-sample and batch paths
    cannot drift apart.
    """

    nin: int  # inputs per sample; subclasses also define _outputs(X)

    def forward(self, x: Any) -> Value | list[Value]:
        return _unwrap(self._outputs([_as_input(x, self.nin)])[0])

    def forward_batch(self, X: Any) -> list:
        return [_unwrap(row) for row in self._outputs(_as_inputs(X, self.nin))]


class Layer(_Feedforward):
    """``nout`` neurons reading the same ``nin`` inputs (PyTorch's Linear plus an activation).

    With ``batchnorm=True`` the layer normalises each neuron's z over the
    mini-batch (`BatchNorm1d`) before the activation: run it with
    ``forward_batch``.

    Returns a single `Value` when ``nout == 1`` (as micrograd), else a list.

    Examples
    --------
    >>> layer = Layer(3, 2, activation="tanh", seed=0)
    >>> len(layer([1.0, 0.0, -1.0]))
    2
    >>> layer
    Layer(in_features=3, out_features=2, activation='tanh')
    """

    def __init__(
        self,
        nin: int,
        nout: int,
        activation: str | None = "relu",
        init: nn_init.InitSpec = "uniform",
        seed: nn_init.Seed = None,
        batchnorm: bool = False,
        nonlin: bool | None = None,
    ) -> None:
        _check_size("nin", nin)
        _check_size("nout", nout)
        if not isinstance(batchnorm, bool):
            raise TypeError(f"batchnorm: expected a bool, got {batchnorm!r}")
        if nonlin is not None:
            activation = "relu" if nonlin else None
        self.activation = _check_activation(activation)
        self.init = init
        rng = nn_init.make_rng(seed)
        # With batchnorm the neurons stay linear: the activation comes after the norm.
        inner = None if batchnorm else self.activation
        self.neurons = [Neuron(nin, inner, init, rng, fan_out=nout) for _ in range(nout)]
        if batchnorm:
            from nn.batchnorm import BatchNorm1d

            self.norm = BatchNorm1d(nout)
        self.named_parameters()

    @property
    def nin(self) -> int:
        """Number of inputs per sample.

        Examples
        --------
        >>> Layer(3, 2).nin
        3
        """
        return len(self.neurons[0].w)

    def _outputs(self, X: list[list[Value]]) -> list[list[Value]]:
        """The layer's outputs for a batch of checked inputs, one list per sample."""
        outputs = [[n._output(x) for n in self.neurons] for x in X]
        if not hasattr(self, "norm"):
            return outputs
        # The neurons are linear here: normalise their sums, then activate.
        return [
            [_activate(y, self.activation) for y in row] for row in self.norm.normalize(outputs)
        ]

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer (see `from_architecture`).

        Examples
        --------
        >>> Layer(3, 2, activation="tanh").architecture()["nout"]
        2
        """
        return {
            "type": "Layer",
            "nin": self.nin,
            "nout": len(self.neurons),
            "activation": self.activation,
            "init": self.init,
            "batchnorm": hasattr(self, "norm"),
        }

    def extra_repr(self) -> str:
        """Sizes and activation, as ``repr`` shows them.

        Examples
        --------
        >>> Layer(3, 2, activation=None).extra_repr()
        'in_features=3, out_features=2, activation=None'
        """
        return (
            f"in_features={self.nin}, out_features={len(self.neurons)}, "
            f"activation={self.activation!r}"
        )

    def _repr_children(self) -> list[tuple[str, Module]]:
        return [("norm", self.norm)] if hasattr(self, "norm") else []


class MLP(_Feedforward):
    """A multi-layer perceptron: layers of sizes ``nouts`` after ``nin`` inputs.

    ``MLP(3, [4, 4, 1])`` is micrograd's network: hidden layers use
    ``activation`` (ReLU), the last layer ``output_activation`` (None:
    linear), weights U(-1, 1), biases 0, and a single `Value` comes out when
    the last layer has one neuron. Hidden layers of width 1 work too.

    Parameters
    ----------
    nin : int
        Number of inputs.
    nouts : list of int
        Width of each layer, the last one being the output.
    activation : {'relu', 'tanh', 'sigmoid', 'leaky_relu', None}
        Activation of the hidden layers.
    output_activation : same choices
        Activation of the last layer (``'sigmoid'`` for a probability).
    init : str or dict
        Weight initializer (see `nn.init.resolve`); default micrograd's U(-1, 1).
    seed : int, random.Random or None
        Makes the initial weights reproducible (None: Python's ``random``).
    batchnorm : bool
        Put a `BatchNorm1d` between each hidden layer's sum and its
        activation (PyTorch's Linear → BatchNorm1d → ReLU); train it with
        ``forward_batch`` on mini-batches.

    Examples
    --------
    >>> MLP(2, [3, 1], seed=0)
    MLP(
      (layers.0): Layer(in_features=2, out_features=3, activation='relu')
      (layers.1): Layer(in_features=3, out_features=1, activation=None)
    )
    """

    def __init__(
        self,
        nin: int,
        nouts: list[int],
        activation: str | None = "relu",
        output_activation: str | None = None,
        init: nn_init.InitSpec = "uniform",
        seed: nn_init.Seed = None,
        batchnorm: bool = False,
    ) -> None:
        _check_size("nin", nin)
        if not isinstance(nouts, (list, tuple)) or not nouts:
            raise TypeError(f"nouts: expected a non-empty list of layer widths, got {nouts!r}")
        for i, width in enumerate(nouts):
            _check_size(f"nouts[{i}]", width)
        rng = nn_init.make_rng(seed)
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                activation=output_activation if i == last else activation,
                init=init,
                seed=rng,
                batchnorm=batchnorm if i != last else False,
            )
            for i in range(len(nouts))
        ]
        self.activation = _check_activation(activation)
        self.output_activation = _check_activation(output_activation)
        self.init = init
        self.batchnorm = batchnorm
        self.named_parameters()

    @property
    def nin(self) -> int:
        """Number of inputs per sample (the first layer's).

        Examples
        --------
        >>> MLP(3, [4, 1]).nin
        3
        """
        return self.layers[0].nin

    def _outputs(self, X: list[list[Value]]) -> list[list[Value]]:
        for layer in self.layers:
            X = layer._outputs(X)
        return X

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this network (see `from_architecture`).

        Examples
        --------
        >>> MLP(2, [3, 1]).architecture()["nouts"]
        [3, 1]
        """
        return {
            "type": "MLP",
            "nin": self.nin,
            "nouts": [len(layer.neurons) for layer in self.layers],
            "activation": self.activation,
            "output_activation": self.output_activation,
            "init": self.init,
            "batchnorm": self.batchnorm,
        }


# --- helpers -------------------------------------------------------------------


def _is_list_of(attr: object, kind: type) -> bool:
    return isinstance(attr, (list, tuple)) and bool(attr) and all(isinstance(a, kind) for a in attr)


def _check_size(name: str, n: object) -> None:
    if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 1:
        raise ValueError(f"{name}: expected a positive int, got {n!r}")


def _check_activation(activation: object) -> str | None:
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation: expected one of {list(ACTIVATIONS)}, got {activation!r}")
    return activation


def _activate(z: Value, activation: str | None) -> Value:
    return z if activation is None else getattr(z, activation)()


def _unwrap(outputs: list[Value]) -> Value | list[Value]:
    return outputs[0] if len(outputs) == 1 else outputs


def _as_input(x: Any, nin: int) -> list[Value]:
    """One sample as a list of ``nin`` Values, or a clear error about what ``x`` is."""
    if isinstance(x, (Value, numbers.Real)) and not isinstance(x, bool):
        x = [x]  # a lone number feeds a one-input model (a width-1 layer's output)
    elif isinstance(x, np.ndarray):
        if x.ndim > 1:
            raise ValueError(f"x: expected a 1-D array of {nin} inputs, got shape {x.shape}")
        x = x.reshape(-1).tolist()
    elif not isinstance(x, (list, tuple)):
        raise TypeError(
            f"x: expected a list/tuple of {nin} numbers or Values, or a 1-D numpy array, "
            f"got {type(x).__name__}"
        )
    if len(x) != nin:
        raise ValueError(f"x: expected {nin} inputs, got {len(x)}")
    return [
        xi if isinstance(xi, Value) else Value(as_number(xi, f"x[{i}]")) for i, xi in enumerate(x)
    ]


def _as_batch(X: Any) -> list:
    """A mini-batch as a list of samples: a list/tuple of samples or a 2-D numpy array."""
    if isinstance(X, np.ndarray):
        if X.ndim != 2:
            raise ValueError(f"X: expected a 2-D array (samples × features), got shape {X.shape}")
        X = list(X)
    elif not isinstance(X, (list, tuple)):
        raise TypeError(
            f"X: expected a list of samples or a 2-D numpy array, got {type(X).__name__}"
        )
    if not X:
        raise ValueError("X: expected at least one sample, got an empty batch")
    return list(X)


def _as_inputs(X: Any, nin: int) -> list[list[Value]]:
    return [_as_input(x, nin) for x in _as_batch(X)]


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
