"""PyTorch's loss classes: `MSELoss`, `L1Loss`, `CrossEntropyLoss`, `BCEWithLogitsLoss`, `BCELoss`.

Each one holds its settings and calls the matching function of `nn.losses`
(``loss(input, target)``), as ``torch.nn.MSELoss()`` calls
``torch.nn.functional.mse_loss``. The constructors take PyTorch's arguments
in PyTorch's order, including the old ``size_average`` / ``reduce`` pair
(mapped to ``reduction`` as PyTorch maps them). An instance is a per-sample
``loss_fn(output, target)`` for ``fit`` and ``Module.compile``.

Examples
--------
>>> from autograd import Value
>>> MSELoss()([Value(1.0), Value(3.0)], [0.0, 0.0]).data  # (1 + 9) / 2
5.0
>>> MSELoss(reduction="sum")([Value(1.0), Value(3.0)], [0.0, 0.0]).data
10.0
>>> CrossEntropyLoss()
CrossEntropyLoss(reduction='mean')
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from typing import Any

from autograd.value import Value
from nn import losses
from nn.module import Module


def _legacy_reduction(size_average: bool | None, reduce: bool | None, reduction: str) -> str:
    """PyTorch's rule: the deprecated ``size_average`` / ``reduce``, when given, decide."""
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    if not reduce:
        return "none"
    return "mean" if size_average else "sum"


class _Loss(Module):
    """A loss as a module: ``loss(input, target)`` calls ``_function`` with the reduction."""

    _function: Callable[..., Value | list[Value]]

    def __init__(
        self, size_average: bool | None = None, reduce: bool | None = None, reduction: str = "mean"
    ) -> None:
        for name, flag in (("size_average", size_average), ("reduce", reduce)):
            if flag is not None and not isinstance(flag, bool):
                raise TypeError(f"{name}: expected a bool or None, got {flag!r}")
        reduction = _legacy_reduction(size_average, reduce, reduction)
        losses._check_reduction(reduction)
        self.reduction = reduction

    def __call__(self, input: Any, target: Any) -> Value | list[Value]:
        return self.forward(input, target)

    def forward(self, input: Any, target: Any) -> Value | list[Value]:
        """The loss of ``input`` (a model's output) against ``target``.

        >>> L1Loss()(Value(3.0), 1.0)
        Value(data=2.0, grad=0.0)
        """
        return type(self)._function(input, target, reduction=self.reduction)

    def architecture(self) -> dict[str, Any]:
        """The settings that rebuild this loss.

        >>> L1Loss(reduction="sum").architecture()
        {'type': 'L1Loss', 'reduction': 'sum'}
        """
        return {"type": type(self).__name__, "reduction": self.reduction}

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


class MSELoss(_Loss):
    """Mean squared error, as ``torch.nn.MSELoss``: `nn.losses.mse_loss`.

    >>> MSELoss()(Value(3.0), 1.0).data
    4.0
    """

    _function = losses.mse_loss


class L1Loss(_Loss):
    """Mean absolute error, as ``torch.nn.L1Loss``: `nn.losses.l1_loss`.

    >>> L1Loss(reduction="none")([Value(3.0), Value(-1.0)], [1.0, 0.0])
    [Value(data=2.0, grad=0.0), Value(data=1.0, grad=0.0)]
    """

    _function = losses.l1_loss


class _WeightedLoss(_Loss):
    """A binary cross-entropy with PyTorch's optional per-element rescaling ``weight``."""

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
    ) -> None:
        super().__init__(size_average, reduce, reduction)
        self.weight = None if weight is None else _finite_numbers(weight, "weight")

    def forward(self, input: Any, target: Any) -> Value | list[Value]:
        if self.weight is None:
            return super().forward(input, target)
        elementwise = type(self)._function(input, target, reduction="none")
        if len(self.weight) not in (1, len(elementwise)):
            raise ValueError(
                f"{type(self).__name__}: weight has {len(self.weight)} entries, the input "
                f"{len(elementwise)} elements; they must match (or weight have one)"
            )
        weights = self.weight * len(elementwise) if len(self.weight) == 1 else self.weight
        return losses._reduce([w * x for w, x in zip(weights, elementwise)], self.reduction)

    def architecture(self) -> dict[str, Any]:
        return {**super().architecture(), "weight": self.weight}


class BCELoss(_WeightedLoss):
    """Binary cross-entropy of probabilities, as ``torch.nn.BCELoss``.

    `nn.losses.binary_cross_entropy`; ``weight`` (one number per element, or
    one for all) rescales each element's loss before the reduction.

    >>> round(BCELoss()(Value(0.8), 1.0).data, 6)  # -log 0.8
    0.223144
    >>> round(BCELoss(weight=[2.0])(Value(0.8), 1.0).data, 6)
    0.446287
    """

    _function = losses.binary_cross_entropy


class BCEWithLogitsLoss(_WeightedLoss):
    """Binary cross-entropy of logits, as ``torch.nn.BCEWithLogitsLoss``.

    `nn.losses.binary_cross_entropy_with_logits`, with `BCELoss`'s
    ``weight``. ``pos_weight`` (PyTorch's extra weight on the positive
    term) is not supported: anything but None is a ValueError.

    >>> BCEWithLogitsLoss()(Value(0.0), 1.0).data == math.log(2)
    True
    """

    _function = losses.binary_cross_entropy_with_logits

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        reduce: bool | None = None,
        reduction: str = "mean",
        pos_weight: Any = None,
    ) -> None:
        if pos_weight is not None:
            raise ValueError("BCEWithLogitsLoss: pos_weight is not supported; leave it None")
        super().__init__(weight, size_average, reduce, reduction)


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits, as ``torch.nn.CrossEntropyLoss``.

    `nn.losses.cross_entropy`: targets are class indices or class
    probabilities. With ``label_smoothing`` ε an index target y becomes the
    probabilities (1 - ε)·onehot(y) + ε / C, as PyTorch does. Class
    ``weight`` s and ``ignore_index`` are not supported: anything but their
    defaults is a ValueError.

    >>> round(CrossEntropyLoss()([Value(2.0), Value(0.0), Value(0.0)], 0).data, 6)
    0.239545
    >>> round(CrossEntropyLoss(label_smoothing=0.1)([Value(2.0), Value(0.0)], 0).data, 6)
    0.226928
    """

    def __init__(
        self,
        weight: Any = None,
        size_average: bool | None = None,
        ignore_index: int = -100,
        reduce: bool | None = None,
        reduction: str = "mean",
        label_smoothing: float = 0.0,
    ) -> None:
        if weight is not None:
            raise ValueError("CrossEntropyLoss: class weights are not supported; leave weight None")
        if ignore_index != -100:
            raise ValueError("CrossEntropyLoss: ignore_index is not supported; leave it -100")
        super().__init__(size_average, reduce, reduction)
        smoothing = _finite_numbers([label_smoothing], "label_smoothing")[0]
        if not 0.0 <= smoothing <= 1.0:
            raise ValueError(f"label_smoothing: expected a number in [0, 1], got {smoothing}")
        self.label_smoothing = smoothing

    def forward(self, input: Any, target: Any) -> Value | list[Value]:
        if self.label_smoothing:
            target = _smoothed(input, target, self.label_smoothing)
        return losses.cross_entropy(input, target, reduction=self.reduction)

    def architecture(self) -> dict[str, Any]:
        return {**super().architecture(), "label_smoothing": self.label_smoothing}


def _smoothed(input: Any, target: Any, eps: float) -> Any:
    """Class-index targets as label-smoothed probabilities (probabilities stay as they are)."""
    batch = isinstance(input, (list, tuple)) and isinstance(input[0], (list, tuple))
    if not batch:
        return _smoothed_one(len(input), target, eps)
    return [_smoothed_one(len(logits), t, eps) for logits, t in zip(input, target)]


def _smoothed_one(classes: int, target: Any, eps: float) -> Any:
    if isinstance(target, Value):
        return target  # cross_entropy explains that an index must be a constant
    if isinstance(target, (list, tuple)):  # probabilities, smoothed as PyTorch smooths them
        return [q * (1.0 - eps) + eps / classes for q in target]
    index = losses._class_index(target, classes, "CrossEntropyLoss: target")
    return [(1.0 - eps) * (c == index) + eps / classes for c in range(classes)]


def _finite_numbers(x: Any, name: str) -> list[float]:
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Real) or not math.isfinite(item):
            raise ValueError(f"{name}: expected finite numbers, got {x!r}")
    return [float(item) for item in items]
