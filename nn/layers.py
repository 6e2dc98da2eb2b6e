"""The building blocks: `Neuron`, `Layer` and `MLP`, and `from_architecture` to rebuild any model.

A neuron computes a weighted sum of its inputs plus a bias, then an
activation::

    z = x₁·w₁ + x₂·w₂ + … + xₙ·wₙ + b,    out = activation(z)

A `Layer` is a row of neurons reading the same inputs, an `MLP` a chain of
layers. Like micrograd, models work **per sample**: ``model(x)`` takes one
input vector and returns one `Value` (or a list of them when the last layer
is wider than one). ``forward_batch(X)`` runs a mini-batch, which a layer's
optional `BatchNorm1d` needs to see as a whole.

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

from typing import Any

from autograd.value import Value
from nn import init as nn_init
from nn.arrays import as_bool, as_choice, as_count, as_sample
from nn.batchnorm import BatchNorm1d
from nn.module import MODULE_TYPES, BatchedModule, Module

ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", None)


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

    is_neuron = True

    def __init__(
        self,
        nin: int,
        activation: str | None = "relu",
        init: nn_init.InitSpec = "uniform",
        seed: nn_init.Seed = None,
        fan_out: int = 1,
        nonlin: bool | None = None,
    ) -> None:
        as_count(nin, "nin")
        if nonlin is not None:
            activation = "relu" if nonlin else None
        self.activation = _check_activation(activation)
        self.init = init
        draws = nn_init.resolve(init)(nin, fan_out, nn_init.make_rng(seed))
        self.w = [Value(x) for x in draws]
        self.b = Value(0.0)
        self.label_parameters()

    @property
    def nin(self) -> int:
        """Number of inputs.

        Examples
        --------
        >>> Neuron(3).nin
        3
        """
        return len(self.w)

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

    def output(self, x: list[Value]) -> Value:
        """The activation of ``linear(x)``, labelled with the neuron's path in its model.

        Examples
        --------
        >>> Neuron(1, init="zeros").output([Value(2.0)])
        Value(data=0.0, grad=0.0)
        """
        out = _activate(self.linear(x), self.activation)
        out.label = self._path  # graph drawings show which neuron computed it
        return out

    def forward(self, x: Any) -> Value:
        """The neuron's output for one sample of ``nin`` numbers or Values.

        Examples
        --------
        >>> Neuron(2, init="zeros").forward([1.0, 2.0])
        Value(data=0.0, grad=0.0)
        """
        return self.output(as_sample(x, self.nin))

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


class Layer(BatchedModule):
    """``nout`` neurons reading the same ``nin`` inputs (PyTorch's Linear plus an activation).

    With ``batchnorm=True`` the layer holds a `BatchNorm1d` child, ``norm``,
    that normalises each neuron's z over the mini-batch before the
    activation: run it with ``forward_batch``. Without it ``norm`` is None.

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
        as_count(nin, "nin")
        as_count(nout, "nout")
        as_bool(batchnorm, "batchnorm")
        if nonlin is not None:
            activation = "relu" if nonlin else None
        self.activation = _check_activation(activation)
        self.init = init
        rng = nn_init.make_rng(seed)
        # With batchnorm the neurons stay linear: the activation comes after the norm.
        inner = None if batchnorm else self.activation
        self.neurons = [Neuron(nin, inner, init, rng, fan_out=nout) for _ in range(nout)]
        self.norm: BatchNorm1d | None = BatchNorm1d(nout) if batchnorm else None
        self.label_parameters()

    @property
    def nin(self) -> int:
        """Number of inputs per sample.

        Examples
        --------
        >>> Layer(3, 2).nin
        3
        """
        return len(self.neurons[0].w)

    def outputs(self, X: list[list[Value]]) -> list[list[Value]]:
        """The layer's outputs for a batch of checked inputs, one list per sample.

        Examples
        --------
        >>> rows = Layer(1, 2, init="zeros").outputs([[Value(1.0)]])
        >>> [[y.data for y in row] for row in rows]
        [[0.0, 0.0]]
        """
        outputs = [[n.output(x) for n in self.neurons] for x in X]
        if self.norm is None:
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
            "batchnorm": self.norm is not None,
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
        return [] if self.norm is None else [("norm", self.norm)]


class MLP(BatchedModule):
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
        as_count(nin, "nin")
        if not isinstance(nouts, (list, tuple)) or not nouts:
            raise TypeError(f"nouts: expected a non-empty list of layer widths, got {nouts!r}")
        for i, width in enumerate(nouts):
            as_count(width, f"nouts[{i}]")
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
        self.batchnorm = as_bool(batchnorm, "batchnorm")
        self.label_parameters()

    @property
    def nin(self) -> int:
        """Number of inputs per sample (the first layer's).

        Examples
        --------
        >>> MLP(3, [4, 1]).nin
        3
        """
        return self.layers[0].nin

    def outputs(self, X: list[list[Value]]) -> list[list[Value]]:
        """The network's outputs for a batch of checked inputs, one list per sample.

        Examples
        --------
        >>> rows = MLP(1, [2, 1], init="zeros").outputs([[Value(1.0)], [Value(2.0)]])
        >>> [[y.data for y in row] for row in rows]
        [[0.0], [0.0]]
        """
        for layer in self.layers:
            X = layer.outputs(X)
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


def from_architecture(architecture: dict[str, Any]) -> Module:
    """Build a fresh model (new random parameters) from ``Module.architecture()``.

    Any public `Module` subclass can be rebuilt once its module is imported
    (``__init_subclass__`` records it in `nn.module.MODULE_TYPES`).

    Examples
    --------
    >>> model = MLP(2, [3, 1], activation="tanh")
    >>> from_architecture(model.architecture()).architecture() == model.architecture()
    True
    """
    if not isinstance(architecture, dict) or not isinstance(architecture.get("type"), str):
        raise ValueError(
            f"architecture: expected a dict with a 'type' name, got {type(architecture).__name__}"
        )
    kwargs = dict(architecture)
    kind = kwargs.pop("type")
    if kind not in MODULE_TYPES:
        raise ValueError(
            f"architecture: unknown module type {kind!r}; known: {sorted(MODULE_TYPES)}"
        )
    try:
        return MODULE_TYPES[kind](**kwargs)
    except TypeError as error:
        raise ValueError(f"architecture: cannot build {kind} from {kwargs}: {error}") from None


def _check_activation(activation: object) -> str | None:
    return as_choice(activation, "activation", ACTIVATIONS)


def _activate(z: Value, activation: str | None) -> Value:
    return z if activation is None else getattr(z, activation)()
