"""Activations and softmax over `Value` s, as ``torch.nn.functional`` names them.

Everything here is composed of `Value` operations, so each result is part of
the graph and ``backward()`` goes through it; no derivative is written here.

``relu``, ``sigmoid``, ``tanh`` and ``leaky_relu`` take one `Value` (or
number) and return one, or a list and return a list. ``softmax`` and
``log_softmax`` take the list of logits of one sample.

Examples
--------
>>> from autograd import Value
>>> [round(p.data, 4) for p in softmax([Value(1.0), Value(2.0), Value(3.0)])]
[0.09, 0.2447, 0.6652]
>>> relu([Value(-1.0), Value(2.0)])
[Value(data=0.0, grad=0.0), Value(data=2.0, grad=0.0)]
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence
from typing import Any

from autograd.value import Value
from nn.arrays import as_value, as_values

Values = Value | Sequence[Value]


def _elementwise(x: Any, op: str, *args: float) -> Value | list[Value]:
    if isinstance(x, (Value, numbers.Real)):
        return getattr(as_value(x), op)(*args)
    return [getattr(v, op)(*args) for v in as_values(x)]


def relu(x: Values) -> Value | list[Value]:
    """max(x, 0), elementwise.

    >>> relu(Value(-2.0)).data
    0.0
    """
    return _elementwise(x, "relu")


def leaky_relu(x: Values, negative_slope: float = 0.01) -> Value | list[Value]:
    """x if x > 0 else negative_slope·x, elementwise.

    >>> leaky_relu(Value(-2.0), 0.1).data
    -0.2
    """
    return _elementwise(x, "leaky_relu", negative_slope)


def sigmoid(x: Values) -> Value | list[Value]:
    """1 / (1 + e⁻ˣ), elementwise, without overflow for any x.

    >>> sigmoid(Value(0.0)).data
    0.5
    """
    return _elementwise(x, "sigmoid")


def tanh(x: Values) -> Value | list[Value]:
    """Hyperbolic tangent, elementwise.

    >>> tanh(Value(0.0)).data
    0.0
    """
    return _elementwise(x, "tanh")


def total(values: Sequence[Value]) -> Value:
    """v₀ + v₁ + … as one chain of additions (no extra ``0 +`` node, unlike ``sum``).

    >>> total([Value(1.0), Value(2.0), Value(3.0)]).data
    6.0
    """
    values = as_values(values, "values")
    out = values[0]
    for v in values[1:]:
        out = out + v
    return out


def mean(values: Sequence[Value]) -> Value:
    """(v₀ + v₁ + …) / n.

    >>> mean([Value(1.0), Value(2.0)]).data
    1.5
    """
    values = as_values(values, "values")
    return total(values) / len(values)


def _shifted(logits: Sequence[Value]) -> tuple[list[Value], Value]:
    # softmax(z) = softmax(z - c) for any c; c = max(z) makes every exponent
    # <= 0, so exp never overflows (logits of 1e3 are fine). c is a node of
    # the graph (a chain of max ops), so a compiled tape takes each sample's
    # own maximum; its gradient cancels, since softmax does not depend on c.
    logits = as_values(logits, "logits")
    top = logits[0]
    for v in logits[1:]:
        top = top.maximum(v)
    return [v - top for v in logits], top


def logsumexp(logits: Sequence[Value]) -> Value:
    """log(Σ eᶻ), computed stably as max(z) + log(Σ e^(z - max z)).

    >>> round(logsumexp([Value(1000.0), Value(1000.0)]).data, 6)
    1000.693147
    """
    shifted, top = _shifted(logits)
    return total([v.exp() for v in shifted]).log() + top


def softmax(logits: Sequence[Value]) -> list[Value]:
    """eᶻⁱ / Σⱼ eᶻʲ for the logits of one sample: probabilities summing to 1.

    >>> p = softmax([Value(1e3), Value(-1e3)])
    >>> p[0].data, p[1].data
    (1.0, 0.0)
    """
    exps = [v.exp() for v in _shifted(logits)[0]]
    denominator = total(exps)
    return [e / denominator for e in exps]


def log_softmax(logits: Sequence[Value]) -> list[Value]:
    """zᵢ - log Σⱼ eᶻʲ: the log of `softmax`, finite even where softmax rounds to 0.

    >>> [v.data for v in log_softmax([Value(1e3), Value(-1e3)])]
    [0.0, -2000.0]
    """
    shifted, _ = _shifted(logits)
    log_denominator = total([v.exp() for v in shifted]).log()
    return [v - log_denominator for v in shifted]
