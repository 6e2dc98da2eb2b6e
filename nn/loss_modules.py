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

import numpy as np

from autograd.value import Value
from nn import losses
from nn.functional import total
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

    def _elementwise(self, input: Any, target: Any) -> list[Value]:
        """One unweighted loss per element."""
        return type(self)._function(input, target, reduction="none")

    def forward(self, input: Any, target: Any) -> Value | list[Value]:
        if self.weight is None and getattr(self, "pos_weight", None) is None:
            return super().forward(input, target)
        elementwise = self._elementwise(input, target)
        if self.weight is not None:
            weights = _broadcast(self.weight, len(elementwise), type(self).__name__, "weight")
            elementwise = [w * x for w, x in zip(weights, elementwise)]
        return losses._reduce(elementwise, self.reduction)

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
    ``weight``. ``pos_weight`` p (one number per element, or one for all)
    weighs the positive term: ``p·t·softplus(-x) + (1 - t)·softplus(x)``,
    which for p = 1 is the plain loss ``softplus(x) - t·x``.

    >>> BCEWithLogitsLoss()(Value(0.0), 1.0).data == math.log(2)
    True
    >>> BCEWithLogitsLoss(pos_weight=[3.0])(Value(0.0), 1.0).data == 3 * math.log(2)
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
        super().__init__(weight, size_average, reduce, reduction)
        self.pos_weight = None if pos_weight is None else _finite_numbers(pos_weight, "pos_weight")

    def _elementwise(self, input: Any, target: Any) -> list[Value]:
        if self.pos_weight is None:
            return super()._elementwise(input, target)
        pairs = losses._elementwise_pairs(input, target, "BCEWithLogitsLoss")
        pos = _broadcast(self.pos_weight, len(pairs), "BCEWithLogitsLoss", "pos_weight")
        return [p * t * (-x).softplus() + (1 - t) * x.softplus() for (x, t), p in zip(pairs, pos)]

    def architecture(self) -> dict[str, Any]:
        return {**super().architecture(), "pos_weight": self.pos_weight}


class CrossEntropyLoss(_Loss):
    """Softmax cross-entropy of logits, as ``torch.nn.CrossEntropyLoss``.

    `nn.losses.cross_entropy`: targets are class indices or class
    probabilities, for one sample or a batch. As in PyTorch:

    * ``label_smoothing`` ε mixes the target with the uniform distribution:
      (1 - ε)·target + ε / C.
    * ``weight`` (one number per class) rescales each class's terms; with
      class-index targets the ``'mean'`` is then the weighted mean,
      Σ w[yᵢ]·lossᵢ / Σ w[yᵢ]. (So on a single sample the mean of its one loss
      is that loss whatever its weight: use ``reduction='sum'`` per sample.)
    * a class-index target equal to ``ignore_index`` adds nothing and does not
      count in the mean.

    >>> round(CrossEntropyLoss()([Value(2.0), Value(0.0), Value(0.0)], 0).data, 6)
    0.239545
    >>> round(CrossEntropyLoss(label_smoothing=0.1)([Value(2.0), Value(0.0)], 0).data, 6)
    0.226928
    >>> batch = [[Value(0.0), Value(0.0)], [Value(5.0), Value(0.0)]]
    >>> CrossEntropyLoss(ignore_index=1)(batch, [0, 1]).data == math.log(2)  # sample 1 ignored
    True
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
        super().__init__(size_average, reduce, reduction)
        if isinstance(ignore_index, bool) or not isinstance(ignore_index, numbers.Integral):
            raise TypeError(f"ignore_index: expected an int, got {ignore_index!r}")
        smoothing = _finite_numbers([label_smoothing], "label_smoothing")[0]
        if not 0.0 <= smoothing <= 1.0:
            raise ValueError(f"label_smoothing: expected a number in [0, 1], got {smoothing}")
        self.weight = None if weight is None else _finite_numbers(weight, "weight")
        self.ignore_index = int(ignore_index)
        self.label_smoothing = smoothing

    def forward(self, input: Any, target: Any) -> Value | list[Value]:
        samples, targets = _samples(input, target)
        if self.weight is None and not any(self._ignored(t) for t in targets):
            if self.label_smoothing:
                target = _smoothed(input, target, self.label_smoothing)
            return losses.cross_entropy(input, target, reduction=self.reduction)
        terms, counts = [], []
        for i, (logits, t) in enumerate(zip(samples, targets)):
            term, count = self._weighted(logits, t, f"CrossEntropyLoss (sample {i})")
            terms.append(term)
            counts.append(count)
        if self.reduction == "none":
            return terms
        if self.reduction == "sum":
            return total(terms)
        if sum(counts) == 0.0:
            raise ValueError("CrossEntropyLoss: every target is ignore_index; no mean to take")
        return total(terms) / sum(counts)

    def _ignored(self, t: Any) -> bool:
        return isinstance(t, numbers.Real) and not isinstance(t, bool) and t == self.ignore_index

    def _weighted(self, logits: Any, t: Any, where: str) -> tuple[Value, float]:
        """One sample's weighted loss, and what it counts for in the mean."""
        classes, eps = len(logits), self.label_smoothing
        weight = [1.0] * classes if self.weight is None else self.weight
        if len(weight) != classes:
            raise ValueError(f"{where}: weight has {len(weight)} entries for {classes} classes")
        if isinstance(t, (list, tuple)):  # probabilities: -Σ w_c·q_c·log p_c, counted once
            q = _smoothed_one(classes, t, eps)
            return losses.cross_entropy(logits, [w * qc for w, qc in zip(weight, q)]), 1.0
        if self._ignored(t):
            return Value(0.0), 0.0
        index = losses._class_index(t, classes, f"{where}: target")
        loss = weight[index] * losses.cross_entropy(logits, index)
        if eps:  # PyTorch: (1 - ε)·w[y]·(-log p_y) + ε / C · (-Σ w_c·log p_c)
            loss = (1.0 - eps) * loss + (eps / classes) * losses.cross_entropy(logits, weight)
        return loss, weight[index]

    def architecture(self) -> dict[str, Any]:
        return {
            **super().architecture(),
            "weight": self.weight,
            "ignore_index": self.ignore_index,
            "label_smoothing": self.label_smoothing,
        }


def _is_batch(input: Any) -> bool:
    return isinstance(input, (list, tuple)) and bool(input) and isinstance(input[0], (list, tuple))


def _samples(input: Any, target: Any) -> tuple[list, list]:
    """(samples, targets) of a batch, or of one sample as a batch of one."""
    if not _is_batch(input):
        return [input], [target]
    if isinstance(target, np.ndarray):
        target = target.tolist()
    if not isinstance(target, (list, tuple)) or len(target) != len(input):
        given = len(target) if isinstance(target, (list, tuple)) else type(target).__name__
        raise ValueError(
            f"CrossEntropyLoss: a batch of {len(input)} samples needs {len(input)} targets, "
            f"got {given}"
        )
    return list(input), list(target)


def _smoothed(input: Any, target: Any, eps: float) -> Any:
    """Class-index targets as label-smoothed probabilities (probabilities smoothed too)."""
    if not _is_batch(input):
        return _smoothed_one(len(input), target, eps)
    return [_smoothed_one(len(logits), t, eps) for logits, t in zip(input, target)]


def _smoothed_one(classes: int, target: Any, eps: float) -> Any:
    if isinstance(target, Value):
        return target  # cross_entropy explains that an index must be a constant
    if isinstance(target, (list, tuple)):  # probabilities, smoothed as PyTorch smooths them
        return [q * (1.0 - eps) + eps / classes for q in target] if eps else target
    index = losses._class_index(target, classes, "CrossEntropyLoss: target")
    return [(1.0 - eps) * (c == index) + eps / classes for c in range(classes)]


def _broadcast(weights: list[float], n: int, where: str, name: str) -> list[float]:
    """One weight per element: ``weights`` itself, or its single number n times."""
    if len(weights) not in (1, n):
        raise ValueError(
            f"{where}: {name} has {len(weights)} entries, the input {n} elements; "
            f"they must match (or {name} have one)"
        )
    return weights * n if len(weights) == 1 else weights


def _finite_numbers(x: Any, name: str) -> list[float]:
    items = list(x) if isinstance(x, (list, tuple)) else [x]
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Real) or not math.isfinite(item):
            raise ValueError(f"{name}: expected finite numbers, got {x!r}")
    return [float(item) for item in items]
