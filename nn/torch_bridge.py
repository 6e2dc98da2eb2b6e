"""To PyTorch and back: `to_torch` and `from_torch` copy a model's numbers between the two.

A tapegrad model of `Linear`, `Layer`, `MLP`, `Neuron`, `BatchNorm1d`,
activation modules and `Sequential` s of them becomes a float64
``torch.nn.Sequential`` of ``torch.nn.Linear``, ``BatchNorm1d`` and
activation modules with the same numbers (weights, and running statistics),
so it computes the same outputs (up to float rounding in the order of the
sums). micrograd's ``MLP(3, [4, 4, 1])`` becomes
``Sequential(Linear(3, 4), ReLU(), Linear(4, 4), ReLU(), Linear(4, 1))``; a
layer with ``batchnorm=True`` becomes Linear, BatchNorm1d, activation.
`from_torch` goes the other way for the same layer kinds. Anything else (a
convolution, a custom module) is a ValueError naming it and where it is.

Needs PyTorch, the optional extra ``tapegrad[torch]``; it is imported when
one of the two functions is called.

Examples
--------
>>> from nn.layers import MLP
>>> model = MLP(3, [4, 1], seed=0)
>>> twin = to_torch(model)
>>> twin
Sequential(
  (0): Linear(in_features=3, out_features=4, bias=True)
  (1): ReLU()
  (2): Linear(in_features=4, out_features=1, bias=True)
)
"""

from __future__ import annotations

from typing import Any

from nn.batchnorm import BatchNorm1d
from nn.containers import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh
from nn.layers import MLP, Layer, Neuron
from nn.module import Module

# A Layer's ``activation`` name, and the module that applies it.
_ACTIVATIONS = {"relu": ReLU, "tanh": Tanh, "sigmoid": Sigmoid, "leaky_relu": LeakyReLU}


def _parameterless(torch: Any) -> dict[type, type]:
    """Each activation module without settings, paired with torch's of the same meaning."""
    return {ReLU: torch.nn.ReLU, Tanh: torch.nn.Tanh, Sigmoid: torch.nn.Sigmoid}


def _torch() -> Any:
    """The torch module, or an ImportError that says how to get it."""
    try:
        import torch
    except ImportError as error:
        raise ImportError(
            "nn.to_torch and nn.from_torch need PyTorch, which is not installed; "
            "install the optional extra: pip install 'tapegrad[torch]'"
        ) from error
    return torch


def _parts(module: Module, path: str) -> list[Module]:
    """``module`` as a flat list of `Linear` s and activation modules (the same numbers)."""
    if isinstance(module, Sequential):
        return [p for i, m in enumerate(module) for p in _parts(m, _join(path, str(i)))]
    if isinstance(module, MLP):
        layers = enumerate(module.layers)
        return [p for i, m in layers for p in _parts(m, _join(path, f"layers.{i}"))]
    if isinstance(module, (Linear, BatchNorm1d, ReLU, Tanh, Sigmoid, LeakyReLU)):
        return [module]
    if isinstance(module, Layer):  # its neurons are linear when it normalises before activating
        norm = [] if module.norm is None else [module.norm]
        return [_linear_of(module.neurons), *norm, *_activation(module.activation)]
    if isinstance(module, Neuron):
        return [_linear_of([module]), *_activation(module.activation)]
    where = f" at {path!r}" if path else ""
    raise ValueError(
        f"to_torch: unsupported layer {type(module).__name__}{where}; supported are Linear, "
        "Layer, MLP, Neuron, BatchNorm1d, ReLU, Tanh, Sigmoid, LeakyReLU and Sequential"
    )


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _linear_of(neurons: list[Neuron]) -> Linear:
    """The neurons' weights and biases as a `Linear` (a copy: it shares no Value)."""
    linear = Linear(len(neurons[0].w), len(neurons), init="zeros")
    for target, source in zip(linear.neurons, neurons):
        for w, v in zip(target.w, source.w):
            w.data = v.data
        target.b.data = source.b.data
    return linear


def _activation(activation: str | None) -> list[Module]:
    return [] if activation is None else [_ACTIVATIONS[activation]()]


def to_torch(model: Module) -> Any:
    """A float64 ``torch.nn.Sequential`` computing what ``model`` computes, with its weights.

    Parameters
    ----------
    model : Module
        `Linear`, `Layer`, `MLP`, `Neuron`, `BatchNorm1d`, an activation
        module, or a `Sequential` of them.

    Returns
    -------
    torch.nn.Sequential
        Of ``torch.nn.Linear``, ``BatchNorm1d`` and activation modules, in
        the model's training or eval mode; fresh tensors (training one does
        not change the other).

    Raises
    ------
    ValueError
        Naming the first layer PyTorch has no counterpart for here.
    ImportError
        If PyTorch is not installed.

    Examples
    --------
    >>> from nn.containers import Linear
    >>> twin = to_torch(Linear(2, 1, init="zeros"))
    >>> twin[0].weight.dtype
    torch.float64
    """
    parts = _parts(model, "")
    torch = _torch()
    layers = []
    for part in parts:
        if isinstance(part, Linear):
            layers.append(_torch_linear(torch, part))
        elif isinstance(part, BatchNorm1d):
            layers.append(_torch_batchnorm(torch, part))
        elif isinstance(part, LeakyReLU):
            layers.append(torch.nn.LeakyReLU(part.negative_slope))
        else:
            layers.append(_parameterless(torch)[type(part)]())
    return torch.nn.Sequential(*layers).train(model.training)


def _torch_linear(torch: Any, linear: Linear) -> Any:
    f64 = torch.float64
    layer = torch.nn.Linear(
        linear.in_features, linear.out_features, bias=linear.bias is not None, dtype=f64
    )
    with torch.no_grad():
        weight = [[w.data for w in row] for row in linear.weight]
        layer.weight.copy_(torch.tensor(weight, dtype=f64))
        if linear.bias is not None:
            layer.bias.copy_(torch.tensor([b.data for b in linear.bias], dtype=f64))
    return layer


def _torch_batchnorm(torch: Any, bn: BatchNorm1d) -> Any:
    f64 = torch.float64
    layer = torch.nn.BatchNorm1d(bn.num_features, bn.eps, bn.momentum, bn.affine, dtype=f64)
    with torch.no_grad():
        if bn.affine:
            layer.weight.copy_(torch.tensor([v.data for v in bn.weight], dtype=f64))
            layer.bias.copy_(torch.tensor([v.data for v in bn.bias], dtype=f64))
        layer.running_mean.copy_(torch.tensor(bn.running_mean, dtype=f64))
        layer.running_var.copy_(torch.tensor(bn.running_var, dtype=f64))
        layer.num_batches_tracked.fill_(bn.num_batches_tracked)
    return layer


def from_torch(module: Any) -> Module:
    """A tapegrad `Sequential` (or single module) with the layers and numbers of ``module``.

    Parameters
    ----------
    module : torch.nn.Module
        ``torch.nn.Linear``, ``BatchNorm1d``, ``ReLU``, ``Tanh``, ``Sigmoid``,
        ``LeakyReLU``, or a ``torch.nn.Sequential`` of them (nested ones are
        flattened).

    Returns
    -------
    Module
        The one module for a single layer, else a `Sequential`.

    Raises
    ------
    ValueError
        Naming the first layer that has no counterpart here.
    ImportError
        If PyTorch is not installed.

    Examples
    --------
    >>> import torch
    >>> from_torch(torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh()))
    Sequential(
      (0): Linear(in_features=2, out_features=3, bias=True)
      (1): Tanh()
    )
    """
    torch = _torch()
    if not isinstance(module, torch.nn.Module):
        raise TypeError(f"from_torch: expected a torch.nn.Module, got {type(module).__name__}")
    parts = _from_torch_parts(torch, module, "")
    model = parts[0] if len(parts) == 1 else Sequential(*parts)
    return model.train(module.training)


def _from_torch_parts(torch: Any, module: Any, path: str) -> list[Module]:
    ours = {theirs: mine for mine, theirs in _parameterless(torch).items()}
    if isinstance(module, torch.nn.Sequential):
        return [
            part
            for i, child in enumerate(module)
            for part in _from_torch_parts(torch, child, _join(path, str(i)))
        ]
    if isinstance(module, torch.nn.Linear):
        return [_from_torch_linear(module)]
    if isinstance(module, torch.nn.LeakyReLU):
        return [LeakyReLU(module.negative_slope)]
    if type(module) is torch.nn.BatchNorm1d and module.track_running_stats:
        return [_from_torch_batchnorm(module)]
    if type(module) in ours:
        return [ours[type(module)]()]
    where = f" at {path!r}" if path else ""
    raise ValueError(
        f"from_torch: unsupported layer {type(module).__name__}{where}; supported are Linear, "
        "BatchNorm1d (with running statistics), ReLU, Tanh, Sigmoid, LeakyReLU and Sequential"
    )


def _from_torch_linear(layer: Any) -> Linear:
    bias = layer.bias is not None
    linear = Linear(layer.in_features, layer.out_features, bias=bias, init="zeros")
    weight = layer.weight.detach().double().tolist()
    for row, numbers in zip(linear.weight, weight):
        for w, x in zip(row, numbers):
            w.data = x
    if bias:
        for b, x in zip(linear.bias, _numbers(layer.bias)):
            b.data = x
    return linear


def _from_torch_batchnorm(layer: Any) -> BatchNorm1d:
    bn = BatchNorm1d(layer.num_features, layer.eps, layer.momentum, layer.affine)
    if layer.affine:
        for v, x in zip([*bn.weight, *bn.bias], _numbers(layer.weight) + _numbers(layer.bias)):
            v.data = x
    bn.running_mean = _numbers(layer.running_mean)
    bn.running_var = _numbers(layer.running_var)
    bn.num_batches_tracked = int(layer.num_batches_tracked.item())
    return bn


def _numbers(tensor: Any) -> list[float]:
    """A tensor's numbers as a flat list of float64 Python floats."""
    return tensor.detach().double().reshape(-1).tolist()
