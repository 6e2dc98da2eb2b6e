"""PyTorch's names for the building blocks: `Linear`, `Sequential` and activation modules.

They are the existing parts under the names a PyTorch model is written
with, not a second implementation: a `Linear` is a `nn.layers.Layer`
without an activation, an activation module applies `nn.functional`'s
function, and a `Sequential` chains modules. As everywhere in ``nn`` they
work on **one sample** (a list of numbers or `Value` s); a width-1 output
is a single `Value`, as micrograd's. They compile (``model.compile``), save
and load like `MLP`, and `nn.to_torch` turns them into the PyTorch modules
of the same name.

Examples
--------
>>> model = Sequential(Linear(2, 3, seed=0), ReLU(), Linear(3, 1, seed=1))
>>> model
Sequential(
  (0): Linear(in_features=2, out_features=3, bias=True)
  (1): ReLU()
  (2): Linear(in_features=3, out_features=1, bias=True)
)
>>> type(model([1.0, -2.0])).__name__, len(model.parameters())
('Value', 13)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator
from typing import Any

from autograd.value import Value
from nn import functional as F
from nn import init as nn_init
from nn.layers import Layer, from_architecture
from nn.module import Module

# PyTorch's Linear draws its weights from U(-1/√in, 1/√in): Kaiming uniform with a = √5.
PYTORCH_INIT = {"name": "kaiming_uniform", "a": math.sqrt(5.0)}


class Linear(Layer):
    """``y = W·x + b``: ``out_features`` linear neurons, as ``torch.nn.Linear``.

    Parameters
    ----------
    in_features, out_features : int
        Input and output widths.
    bias : bool
        Whether to learn a bias b (starting at 0).
    init : str or dict
        Weight initializer (see `nn.init.resolve`); default PyTorch's
        U(-1/√in_features, 1/√in_features).
    seed : int, random.Random or None
        Makes the initial weights reproducible.

    Examples
    --------
    >>> layer = Linear(3, 2, bias=False, init="zeros")
    >>> [y.data for y in layer([1.0, 2.0, 3.0])], len(layer.parameters())  # W only
    ([0.0, 0.0], 6)
    >>> len(layer.weight), len(layer.weight[0]), layer.bias
    (2, 3, None)
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        bias: bool = True,
        init: nn_init.InitSpec = PYTORCH_INIT,
        seed: nn_init.Seed = None,
    ) -> None:
        if not isinstance(bias, bool):
            raise TypeError(f"bias: expected a bool, got {bias!r}")
        super().__init__(in_features, out_features, activation=None, init=init, seed=seed)
        if not bias:
            # A plain 0.0 is a constant, not a parameter: z = 0 + w₁·x₁ + … is exactly W·x.
            for neuron in self.neurons:
                neuron.b = 0.0
        self.named_parameters()

    @property
    def in_features(self) -> int:
        """Inputs per sample.

        >>> Linear(3, 2).in_features
        3
        """
        return self.nin

    @property
    def out_features(self) -> int:
        """Outputs per sample.

        >>> Linear(3, 2).out_features
        2
        """
        return len(self.neurons)

    @property
    def weight(self) -> list[list[Value]]:
        """The weights as PyTorch lays them out: one row of ``in_features`` per output.

        >>> [[w.data for w in row] for row in Linear(2, 1, init="zeros").weight]
        [[0.0, 0.0]]
        """
        return [neuron.w for neuron in self.neurons]

    @property
    def bias(self) -> list[Value] | None:
        """The ``out_features`` biases, or None for ``bias=False``.

        >>> [b.label for b in Linear(2, 2).bias]
        ['neurons.0.b', 'neurons.1.b']
        """
        biases = [neuron.b for neuron in self.neurons]
        return biases if isinstance(biases[0], Value) else None

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this layer (see `nn.from_architecture`).

        >>> Linear(3, 2, bias=False).architecture()["bias"]
        False
        """
        return {
            "type": "Linear",
            "in_features": self.in_features,
            "out_features": self.out_features,
            "bias": self.bias is not None,
            "init": self.init,
        }

    def extra_repr(self) -> str:
        """PyTorch's: ``in_features=3, out_features=2, bias=True``.

        >>> Linear(3, 2, bias=False).extra_repr()
        'in_features=3, out_features=2, bias=False'
        """
        return (
            f"in_features={self.in_features}, out_features={self.out_features}, "
            f"bias={self.bias is not None}"
        )


class _Activation(Module):
    """An elementwise activation as a module: no parameters, ``nn.functional``'s function."""

    def architecture(self) -> dict[str, Any]:
        return {"type": type(self).__name__}


class ReLU(_Activation):
    """max(x, 0) elementwise, as ``torch.nn.ReLU``.

    >>> ReLU()([Value(-1.0), Value(2.0)])
    [Value(data=0.0, grad=0.0), Value(data=2.0, grad=0.0)]
    """

    def forward(self, x: Any) -> Value | list[Value]:
        return F.relu(x)


class Tanh(_Activation):
    """tanh(x) elementwise, as ``torch.nn.Tanh``.

    >>> Tanh()(Value(0.0))
    Value(data=0.0, grad=0.0)
    """

    def forward(self, x: Any) -> Value | list[Value]:
        return F.tanh(x)


class Sigmoid(_Activation):
    """1 / (1 + e⁻ˣ) elementwise, as ``torch.nn.Sigmoid``.

    >>> Sigmoid()(Value(0.0))
    Value(data=0.5, grad=0.0)
    """

    def forward(self, x: Any) -> Value | list[Value]:
        return F.sigmoid(x)


class LeakyReLU(_Activation):
    """x if x > 0 else negative_slope·x, elementwise, as ``torch.nn.LeakyReLU``.

    >>> LeakyReLU(0.1)(Value(-2.0))
    Value(data=-0.2, grad=0.0)
    """

    def __init__(self, negative_slope: float = 0.01) -> None:
        if isinstance(negative_slope, bool) or not isinstance(negative_slope, numbers.Real):
            raise TypeError(f"negative_slope: expected a number, got {negative_slope!r}")
        if not math.isfinite(negative_slope):
            raise ValueError(f"negative_slope: expected a finite number, got {negative_slope}")
        self.negative_slope = float(negative_slope)

    def forward(self, x: Any) -> Value | list[Value]:
        return F.leaky_relu(x, self.negative_slope)

    def architecture(self) -> dict[str, Any]:
        """``{"type": "LeakyReLU", "negative_slope": ...}``.

        >>> LeakyReLU().architecture()
        {'type': 'LeakyReLU', 'negative_slope': 0.01}
        """
        return {"type": "LeakyReLU", "negative_slope": self.negative_slope}

    def extra_repr(self) -> str:
        """PyTorch's: ``negative_slope=0.01``.

        >>> LeakyReLU()
        LeakyReLU(negative_slope=0.01)
        """
        return f"negative_slope={self.negative_slope}"


class Sequential(Module):
    """Modules run in turn, each on the previous one's output, as ``torch.nn.Sequential``.

    Children are named ``"0"``, ``"1"``, … (so parameters are named
    ``"0.neurons.0.w"`` and so on); ``model[i]`` and ``len(model)`` work.

    Parameters
    ----------
    *args : Module
        The modules, in order.
    modules : list of dict, optional
        Instead of ``args``: their ``architecture()`` s, as `nn.from_architecture`
        passes them.

    Examples
    --------
    >>> model = Sequential(Linear(2, 2, init="zeros"), Tanh())
    >>> model([1.0, 1.0]), len(model), type(model[1]).__name__
    ([Value(data=0.0, grad=0.0), Value(data=0.0, grad=0.0)], 2, 'Tanh')
    """

    def __init__(self, *args: Module, modules: list[dict[str, Any]] | None = None) -> None:
        if args and modules is not None:
            raise TypeError("Sequential: pass modules positionally or as modules=[...], not both")
        parts = list(args) if modules is None else [from_architecture(a) for a in modules]
        if not parts:
            raise ValueError("Sequential: expected at least one module")
        for i, part in enumerate(parts):
            if not isinstance(part, Module):
                kind = type(part).__name__
                raise TypeError(f"Sequential: argument {i} is a {kind}, not a Module")
        self._modules = parts  # private: named_children names them "0", "1", …
        self.named_parameters()

    def named_children(self) -> list[tuple[str, Module]]:
        """The modules, named by position.

        >>> [name for name, _ in Sequential(ReLU(), Tanh()).named_children()]
        ['0', '1']
        """
        return [(str(i), m) for i, m in enumerate(self._modules)]

    def __getitem__(self, index: int) -> Module:
        return self._modules[index]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules)

    @property
    def nin(self) -> int:
        """Inputs per sample: those of the first module that has a fixed width.

        >>> Sequential(ReLU(), Linear(3, 1)).nin
        3
        """
        for module in self._modules:
            if hasattr(module, "nin"):
                return module.nin
        raise TypeError("Sequential: no module in it fixes the number of inputs (no Linear)")

    def forward(self, x: Any) -> Any:
        for module in self._modules:
            x = module(x)
        return x

    def forward_batch(self, X: Any) -> list:
        """Each module on the whole batch in turn (so a `BatchNorm1d` in it sees the batch).

        >>> outs = Sequential(Linear(1, 1, init="zeros"), Sigmoid()).forward_batch([[1.0], [2.0]])
        >>> [out.data for out in outs]
        [0.5, 0.5]
        """
        for module in self._modules:
            X = module.forward_batch(X)
        return X

    def architecture(self) -> dict[str, Any]:
        """``{"type": "Sequential", "modules": [each module's architecture]}``.

        >>> Sequential(Linear(2, 1), ReLU()).architecture()["modules"][1]
        {'type': 'ReLU'}
        """
        return {"type": "Sequential", "modules": [m.architecture() for m in self._modules]}
