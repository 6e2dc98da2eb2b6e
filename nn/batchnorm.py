"""BatchNorm1d: normalise each feature over the mini-batch, as ``torch.nn.BatchNorm1d``.

For each feature c, over the N samples of a batch::

    mean = Σᵢ xᵢ / N,   var = Σᵢ (xᵢ - mean)² / N   (biased, as PyTorch normalises)
    yᵢ = (xᵢ - mean) / √(var + eps) · weight + bias

In training the batch's mean and var are `Value` s, so gradients flow through
them into every sample of the batch. The module also keeps running averages
(with the *unbiased* variance, N / (N - 1) · var, like PyTorch), which
``eval()`` mode uses instead, so a single sample can then be normalised.

Examples
--------
>>> bn = BatchNorm1d(1)
>>> [round(y.data, 4) for y in bn.forward_batch([[1.0], [3.0]])]
[-1.0, 1.0]
>>> bn.running_mean, bn.running_var
([0.2], [1.1])
"""

from __future__ import annotations

import math
from typing import Any

from autograd.value import Value
from nn.arrays import as_bool, as_count, as_real
from nn.functional import mean
from nn.module import BatchedModule


class BatchNorm1d(BatchedModule):
    """Batch normalisation over a mini-batch of ``num_features``-long samples.

    Parameters
    ----------
    num_features : int
        Features per sample (C).
    eps : float
        Added to the variance before the square root.
    momentum : float or None
        Weight of the new batch in the running averages; None: a plain
        cumulative average over all batches seen (PyTorch's meaning).
    affine : bool
        Learn a per-feature scale ``weight`` (starts at 1) and shift
        ``bias`` (starts at 0).

    Attributes
    ----------
    running_mean, running_var : list of float
        Buffers saved by ``state_dict`` along with ``num_batches_tracked``.

    Examples
    --------
    In training a batch is normalised by its own statistics; in eval mode a
    single sample is normalised by the running ones:

    >>> bn = BatchNorm1d(2)
    >>> [[round(y.data, 4) for y in row] for row in bn.forward_batch([[1.0, 0.0], [3.0, 4.0]])]
    [[-1.0, -1.0], [1.0, 1.0]]
    >>> bn.running_mean, [round(v, 4) for v in bn.running_var]
    ([0.2, 0.2], [1.1, 1.7])
    >>> [round(y.data, 4) for y in bn.eval()([2.0, 0.0])]  # (2 - 0.2) / √1.1, (0 - 0.2) / √1.7
    [1.7162, -0.1534]
    """

    _buffers = ("running_mean", "running_var", "num_batches_tracked")
    batch_dependent = True

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float | None = 0.1,
        affine: bool = True,
    ) -> None:
        self.num_features = as_count(num_features, "num_features")
        self.eps = as_real(eps, "eps", 0.0, low_open=True)
        self.momentum = None if momentum is None else as_real(momentum, "momentum", 0.0, 1.0)
        self.affine = as_bool(affine, "affine")
        if affine:
            self.weight = [Value(1.0) for _ in range(num_features)]
            self.bias = [Value(0.0) for _ in range(num_features)]
        self.running_mean = [0.0] * num_features
        self.running_var = [1.0] * num_features
        self.num_batches_tracked = 0
        self.label_parameters()

    def normalize(self, X: list[list[Value]]) -> list[list[Value]]:
        """Normalise a checked batch (N lists of C Values); returns N lists of C Values.

        Examples
        --------
        >>> rows = BatchNorm1d(1).normalize([[Value(1.0)], [Value(3.0)]])
        >>> [round(row[0].data, 4) for row in rows]
        [-1.0, 1.0]
        """
        columns = list(zip(*X))  # one tuple of N Values per feature
        if self.training:
            if len(X) < 2:
                raise ValueError(
                    f"BatchNorm1d in training needs a batch of at least 2 samples, got {len(X)}; "
                    "use forward_batch(X) on a mini-batch, or call eval() first"
                )
            self.num_batches_tracked += 1
            normalized = [self._normalize_train(c, col) for c, col in enumerate(columns)]
        else:
            normalized = [
                [
                    (x - self.running_mean[c]) / math.sqrt(self.running_var[c] + self.eps)
                    for x in col
                ]
                for c, col in enumerate(columns)
            ]
        if self.affine:
            normalized = [
                [x * self.weight[c] + self.bias[c] for x in col] for c, col in enumerate(normalized)
            ]
        return [list(row) for row in zip(*normalized)]

    def _normalize_train(self, c: int, column: tuple[Value, ...]) -> list[Value]:
        n = len(column)
        batch_mean = mean(column)
        centered = [x - batch_mean for x in column]
        batch_var = mean([d * d for d in centered])
        std = (batch_var + self.eps).sqrt()
        # Running statistics are plain numbers: they are not trained.
        factor = 1.0 / self.num_batches_tracked if self.momentum is None else self.momentum
        unbiased = batch_var.data * n / (n - 1)
        self.running_mean[c] += factor * (batch_mean.data - self.running_mean[c])
        self.running_var[c] += factor * (unbiased - self.running_var[c])
        return [d / std for d in centered]

    @property
    def nin(self) -> int:
        """Features per sample (``num_features``).

        Examples
        --------
        >>> BatchNorm1d(3).nin
        3
        """
        return self.num_features

    def outputs(self, X: list[list[Value]]) -> list[list[Value]]:
        """``normalize(X)``: the batch path every `nn.module.BatchedModule` runs.

        Examples
        --------
        >>> [row[0].data for row in BatchNorm1d(1).outputs([[Value(2.0)], [Value(2.0)]])]
        [0.0, 0.0]
        """
        return self.normalize(X)

    def architecture(self) -> dict[str, Any]:
        """The constructor arguments that rebuild this module (see `nn.layers.from_architecture`).

        Examples
        --------
        >>> BatchNorm1d(2, momentum=None).architecture()
        {'type': 'BatchNorm1d', 'num_features': 2, 'eps': 1e-05, 'momentum': None, 'affine': True}
        """
        return {
            "type": "BatchNorm1d",
            "num_features": self.num_features,
            "eps": self.eps,
            "momentum": self.momentum,
            "affine": self.affine,
        }

    def extra_repr(self) -> str:
        """The settings, as ``repr`` shows them (PyTorch's format).

        Examples
        --------
        >>> BatchNorm1d(2)
        BatchNorm1d(2, eps=1e-05, momentum=0.1, affine=True)
        """
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}"
        )
