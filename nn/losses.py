"""Loss functions: one number saying how wrong the predictions are.

Names, arguments and results follow ``torch.nn.functional``. Each loss takes
``input`` (the model's output: a `Value`, a list of them, or a batch of
lists) and ``target`` (numbers, a numpy array, or `Value` s), computes one
loss per element (per sample for `cross_entropy`), then reduces them:
``reduction="mean"`` (the default), ``"sum"``, or ``"none"`` for the list.

Because a loss accepts one sample's output and that sample's target, each
one is also a per-sample ``loss_fn(output, target)`` for ``fit`` and
``Module.compile``.

Examples
--------
>>> from autograd import Value
>>> mse_loss([Value(1.0), Value(3.0)], [0.0, 0.0]).data  # (1 + 9) / 2
5.0
>>> cross_entropy([Value(1e3), Value(0.0)], 0).data  # stable for large logits
0.0
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from autograd.numbers import as_number
from autograd.value import Value
from nn.arrays import as_choice, as_value, as_values
from nn.functional import log_softmax, logsumexp, total

REDUCTIONS = ("mean", "sum", "none")


def _reduce(losses: list[Value], reduction: str) -> Value | list[Value]:
    if reduction == "none":
        return losses
    if len(losses) == 1:
        return losses[0]  # the mean and the sum of one loss are that loss
    summed = total(losses)
    return summed / len(losses) if reduction == "mean" else summed


def _check_reduction(reduction: object) -> None:
    as_choice(reduction, "reduction", REDUCTIONS)


def _flatten(x: Any, name: str) -> list:
    """Every number or Value in ``x`` (a scalar, or nested lists / arrays), in order."""
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if isinstance(x, (Value, numbers.Real)):
        return [x]
    if not isinstance(x, (list, tuple)):
        raise TypeError(
            f"{name}: expected a Value, a number or a list of them, got {type(x).__name__}"
        )
    return [item for element in x for item in _flatten(element, name)]


def _elementwise_pairs(input: Any, target: Any, where: str) -> list[tuple[Value, Any]]:
    """(prediction Value, target) pairs, checking that both have the same number of elements."""
    inputs, targets = _flatten(input, f"{where}: input"), _flatten(target, f"{where}: target")
    if len(inputs) != len(targets):
        raise ValueError(
            f"{where}: input has {len(inputs)} elements but target has {len(targets)}; "
            "they must match"
        )
    if not inputs:
        raise ValueError(f"{where}: input is empty")
    return [
        (as_value(x, f"{where}: input[{i}]"), t if isinstance(t, Value) else as_number(t, where))
        for i, (x, t) in enumerate(zip(inputs, targets))
    ]


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Value | list[Value]:
    """Mean squared error: (input - target)², reduced.

    >>> mse_loss(Value(3.0), 1.0).data
    4.0
    """
    _check_reduction(reduction)
    return _reduce(
        [(x - t) ** 2 for x, t in _elementwise_pairs(input, target, "mse_loss")], reduction
    )


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Value | list[Value]:
    """Mean absolute error (MAE): |input - target|, reduced.

    >>> l1_loss([Value(3.0), Value(-1.0)], [1.0, 0.0]).data
    1.5
    """
    _check_reduction(reduction)
    return _reduce([abs(x - t) for x, t in _elementwise_pairs(input, target, "l1_loss")], reduction)


# log(p) >= -100 exactly when p >= e**-100 (and math.log(e**-100) is exactly -100.0)
_LOG_FLOOR = math.exp(-100.0)


def _clamped_log(p: Value) -> Value:
    # PyTorch clamps log(p) at -100 so that p = 0 gives a finite loss. The clamp
    # is an op of the graph, so a compiled tape clamps each sample's own p; below
    # the floor the term is the constant -100 and passes no gradient.
    return p.clamp_min(_LOG_FLOOR).log()


def binary_cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Value | list[Value]:
    """-(t·log p + (1 - t)·log(1 - p)) for probabilities p in [0, 1], logs clamped at -100.

    For raw scores (logits) use `binary_cross_entropy_with_logits`: it is
    the same loss after a sigmoid, computed without rounding trouble.

    >>> round(binary_cross_entropy(Value(0.8), 1.0).data, 6)  # -log 0.8
    0.223144
    """
    _check_reduction(reduction)
    losses = []
    for i, (p, t) in enumerate(_elementwise_pairs(input, target, "binary_cross_entropy")):
        if not 0.0 <= p.data <= 1.0:
            raise ValueError(
                f"binary_cross_entropy: input[{i}] must be a probability in [0, 1], got {p.data}; "
                "for raw scores use binary_cross_entropy_with_logits"
            )
        losses.append(-(t * _clamped_log(p) + (1.0 - t) * _clamped_log(1.0 - p)))
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(
    input: Any, target: Any, reduction: str = "mean"
) -> Value | list[Value]:
    """Binary cross-entropy of sigmoid(x), computed as softplus(x) - t·x.

    softplus never overflows, so logits of ±1000 give exact, finite losses.

    >>> binary_cross_entropy_with_logits(Value(-1000.0), 0.0).data
    0.0
    """
    _check_reduction(reduction)
    pairs = _elementwise_pairs(input, target, "binary_cross_entropy_with_logits")
    return _reduce([x.softplus() - x * t for x, t in pairs], reduction)


def hinge_loss(
    input: Any, target: Any, margin: float = 1.0, reduction: str = "mean"
) -> Value | list[Value]:
    """max(0, margin - t·score) for labels t = ±1: micrograd's SVM "max-margin" loss.

    >>> hinge_loss([Value(2.0), Value(0.5)], [1, 1]).data  # (0 + 0.5) / 2
    0.25
    """
    _check_reduction(reduction)
    margin = as_number(margin, "hinge_loss: margin")
    losses = []
    for i, (score, t) in enumerate(_elementwise_pairs(input, target, "hinge_loss")):
        _check_sign_label(t, f"hinge_loss: target[{i}]")
        losses.append((margin - t * score).relu())
    return _reduce(losses, reduction)


def _check_sign_label(t: Any, where: str) -> None:
    label = t.data if isinstance(t, Value) else t
    if label not in (-1.0, 1.0):
        raise ValueError(f"{where} must be -1 or +1, got {label}")


hinge_loss.check_target = _check_sign_label


def check_targets(loss_fn: object, targets: Any, where: str = "y") -> None:
    """Refuse the first target ``loss_fn`` refuses, before any loss is computed.

    A loss names its check of one target as its ``check_target`` attribute
    (`hinge_loss` wants ±1); the scalar loss calls it per element, and the
    compiled engine, which traces the loss once, calls it here on every
    target of a batch, so both engines accept the same targets.

    >>> check_targets(hinge_loss, [1, -1, 1])
    >>> check_targets(hinge_loss, [1, 0])
    Traceback (most recent call last):
    ...
    ValueError: y[1] must be -1 or +1, got 0.0
    """
    check = getattr(loss_fn, "check_target", None)
    if check is not None:
        for i, t in enumerate(np.asarray(targets, dtype=float).reshape(-1).tolist()):
            check(t, f"{where}[{i}]")


def _class_index(t: Any, num_classes: int, where: str) -> int:
    if isinstance(t, Value):
        raise TypeError(
            f"{where}: a class index must be a constant int, got a Value ({t!r}); "
            "pass its number, or a list of class probabilities"
        )
    if isinstance(t, bool) or not isinstance(t, numbers.Real):
        raise TypeError(f"{where}: expected an int class index, got {type(t).__name__} ({t!r})")
    if not float(t).is_integer():
        raise ValueError(f"{where}: expected an integer class index, got {t!r}")
    if not 0 <= t < num_classes:
        raise ValueError(f"{where}: class index {int(t)} is out of range for {num_classes} classes")
    return int(t)


def _sample_cross_entropy(logits: Any, target: Any, where: str) -> Value:
    logits = as_values(logits, f"{where}: input")
    if isinstance(target, (list, tuple, np.ndarray)):  # class probabilities
        probabilities = _flatten(target, f"{where}: target")
        if len(probabilities) != len(logits):
            raise ValueError(
                f"{where}: target has {len(probabilities)} class probabilities "
                f"but input has {len(logits)} logits"
            )
        return -total([q * lp for q, lp in zip(probabilities, log_softmax(logits))])
    index = _class_index(target, len(logits), f"{where}: target")
    return logsumexp(logits) - logits[index]  # = -log softmax(logits)[index]


def cross_entropy(input: Any, target: Any, reduction: str = "mean") -> Value | list[Value]:
    """Softmax cross-entropy from logits: -log softmax(input)[target], stable for any logits.

    Parameters
    ----------
    input : list of Value, or list of such lists
        The C logits of one sample, or a batch of N samples.
    target : int or list
        One sample: a class index (int, numpy int, or integer-valued float)
        or C class probabilities. A batch: N of those.
    reduction : {'mean', 'sum', 'none'}
        Over the samples of a batch.

    Examples
    --------
    >>> round(cross_entropy([Value(2.0), Value(0.0), Value(0.0)], 0).data, 6)
    0.239545
    >>> batch = [[Value(0.0), Value(0.0)], [Value(0.0), Value(0.0)]]
    >>> cross_entropy(batch, [0, 1]).data == math.log(2)  # two even guesses
    True
    """
    _check_reduction(reduction)
    if isinstance(input, np.ndarray):
        input = input.tolist()
    if not isinstance(input, (list, tuple)) or not input:
        raise TypeError(
            "cross_entropy: input must be the list of C logits of a sample or a batch of such "
            f"lists, got {type(input).__name__}"
        )
    if not isinstance(input[0], (list, tuple, np.ndarray)):
        return _reduce([_sample_cross_entropy(input, target, "cross_entropy")], reduction)
    if isinstance(target, np.ndarray):
        target = list(target)
    if not isinstance(target, (list, tuple)) or len(target) != len(input):
        given = len(target) if isinstance(target, (list, tuple)) else type(target).__name__
        raise ValueError(
            f"cross_entropy: a batch of {len(input)} samples needs {len(input)} targets, "
            f"got {given}"
        )
    losses = [
        _sample_cross_entropy(logits, t, f"cross_entropy (sample {i})")
        for i, (logits, t) in enumerate(zip(input, target))
    ]
    return _reduce(losses, reduction)


# Where each loss puts the decision on a single output: 0 for a logit or a
# signed score, 0.5 for a probability or a regression onto 0 and 1. This is
# the one place that says which losses take logits; `fit`'s accuracy, the
# decision-boundary plot and the tapegrad command all read it.
for _loss, _threshold in (
    (mse_loss, 0.5),
    (l1_loss, 0.5),
    (binary_cross_entropy, 0.5),
    (binary_cross_entropy_with_logits, 0.0),
    (hinge_loss, 0.0),
    (cross_entropy, 0.5),  # one logit per class: the largest wins, whatever the threshold
):
    _loss.decision_threshold = _threshold
del _loss, _threshold


def decision_threshold(loss_fn: object) -> float:
    """The decision threshold of a single output under ``loss_fn``: 0 for a logit, else 0.5.

    A loss declares it as its ``decision_threshold`` attribute; a loss
    function of your own without one is read as giving probabilities (0.5).

    Examples
    --------
    >>> decision_threshold(binary_cross_entropy_with_logits), decision_threshold(mse_loss)
    (0.0, 0.5)
    >>> decision_threshold(lambda output, target: (output - target) ** 2)
    0.5
    """
    return float(getattr(loss_fn, "decision_threshold", 0.5))
