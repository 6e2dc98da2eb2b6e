"""Data for training: batching (`DataLoader`), splitting (`train_val_split`) and scaling.

Everything here works on numpy arrays: ``X`` of shape ``(n_samples, n_features)``
and ``y`` of shape ``(n_samples,)`` (class labels or regression targets). The
model sees one row of ``X`` at a time; `DataLoader` only decides which rows go
together in a mini-batch and in which order.

Every random choice takes a ``seed`` (an int, or None for a fresh one), so a
run can be repeated exactly. Small seeded datasets live in `nn.datasets`.

Examples
--------
>>> from nn.datasets import moons
>>> X, y = moons(n_samples=100, seed=0)
>>> X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=0.2, seed=0)
>>> scaler = Standardizer().fit(X_train)
>>> loader = DataLoader(scaler.transform(X_train), y_train, batch_size=32, seed=0)
>>> len(loader), [len(yb) for _, yb in loader]
(3, [32, 32, 16])
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from nn.arrays import as_count, as_features, as_real, as_xy

# --- batching --------------------------------------------------------------------


class DataLoader:
    """Mini-batches of ``(X, y)``, in a new random order every epoch.

    Iterating over the loader is one epoch: it yields ``(X_batch, y_batch)``
    numpy arrays that together hold every sample exactly once. The order comes
    from a random generator created from ``seed`` when the loader is made, so
    each epoch gets a fresh permutation and two loaders with the same seed give
    the same sequence of epochs (PyTorch's ``DataLoader(shuffle=True)`` with a
    seeded generator).

    Parameters
    ----------
    X : array_like, shape (n_samples, n_features)
        Inputs, one sample per row.
    y : array_like, shape (n_samples,)
        Targets.
    batch_size : int, default 32
        Samples per batch.
    shuffle : bool, default True
        Shuffle before every epoch; False keeps the original order.
    seed : int or None
        Seed of the shuffling; None draws a fresh one.
    drop_last : bool, default False
        Skip the last batch when it is smaller than ``batch_size``.

    Examples
    --------
    >>> X = np.arange(10.0).reshape(5, 2)
    >>> loader = DataLoader(X, np.arange(5), batch_size=2, shuffle=False)
    >>> [yb.tolist() for _, yb in loader]
    [[0, 1], [2, 3], [4]]
    >>> len(DataLoader(X, np.arange(5), batch_size=2, drop_last=True))
    2
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        batch_size: int = 32,
        shuffle: bool = True,
        seed: int | None = None,
        drop_last: bool = False,
    ) -> None:
        self.X, self.y = as_xy(X, y)
        if len(self.y) == 0:
            raise ValueError("X: expected at least one sample, got 0")
        self.batch_size = as_count(batch_size, "batch_size")
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self._rng = np.random.default_rng(seed)

    def __len__(self) -> int:
        """Number of batches in one epoch."""
        n = len(self.y)
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)

    def __iter__(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        n = len(self.y)
        order = self._rng.permutation(n) if self.shuffle else np.arange(n)
        for batch in range(len(self)):
            rows = order[batch * self.batch_size : (batch + 1) * self.batch_size]
            yield self.X[rows], self.y[rows]

    def __repr__(self) -> str:
        return (
            f"DataLoader(n_samples={len(self.y)}, batch_size={self.batch_size}, "
            f"shuffle={self.shuffle}, drop_last={self.drop_last})"
        )


# --- splitting and scaling -----------------------------------------------------------


def train_val_split(
    X: np.ndarray,
    y: np.ndarray,
    val_fraction: float = 0.2,
    seed: int | None = None,
    stratify: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split samples at random into a training and a validation set.

    Parameters
    ----------
    X, y : array_like
        Inputs ``(n_samples, n_features)`` and targets ``(n_samples,)``.
    val_fraction : float, default 0.2
        Share of the samples put in the validation set, in (0, 1); the count is
        rounded, and each set keeps at least one sample.
    seed : int or None
        Seed of the random split.
    stratify : bool, default False
        Keep each class's share of the samples the same in both sets (``y``
        must hold class labels).

    Returns
    -------
    X_train, X_val, y_train, y_val : ndarray
        In scikit-learn's ``train_test_split`` order.

    Examples
    --------
    >>> X, y = np.zeros((10, 2)), np.array([0, 1] * 5)
    >>> X_train, X_val, y_train, y_val = train_val_split(X, y, 0.4, seed=0, stratify=True)
    >>> X_train.shape, X_val.shape, sorted(y_val.tolist())
    ((6, 2), (4, 2), [0, 0, 1, 1])
    """
    X, y = as_xy(X, y)
    val_fraction = as_real(val_fraction, "val_fraction", 0.0, 1.0, low_open=True, high_open=True)
    if len(y) < 2:
        raise ValueError(f"X: need at least 2 samples to split, got {len(y)}")
    rng = np.random.default_rng(seed)
    if stratify:
        groups = [np.flatnonzero(y == label) for label in np.unique(y)]
    else:
        groups = [np.arange(len(y))]
    val_rows = []
    for rows in groups:
        n_val = min(max(round(val_fraction * len(rows)), 1), len(rows) - 1) if len(rows) > 1 else 0
        val_rows.append(rng.permutation(rows)[:n_val])
    is_val = np.zeros(len(y), dtype=bool)
    is_val[np.concatenate(val_rows)] = True
    # Shuffle each set so that a stratified split does not come out sorted by class.
    train, val = rng.permutation(np.flatnonzero(~is_val)), rng.permutation(np.flatnonzero(is_val))
    if len(val) == 0:
        raise ValueError(
            f"val_fraction: {val_fraction} of {len(y)} samples leaves no validation set"
        )
    return X[train], X[val], y[train], y[val]


class Standardizer:
    """Rescale each feature to mean 0 and standard deviation 1.

    Fit it on the training set only, then transform training, validation and
    new data with the same numbers: statistics taken from the validation set
    would leak it into training. A feature that is constant in the training
    set is only centred (its scale is taken as 1) instead of divided by zero.
    scikit-learn's ``StandardScaler`` does the same.

    Attributes
    ----------
    mean_ : ndarray, shape (n_features,)
    scale_ : ndarray, shape (n_features,)
        Population standard deviation of each feature, 1 where it is 0.

    Examples
    --------
    >>> X = np.array([[1.0, 5.0], [3.0, 5.0]])
    >>> scaler = Standardizer().fit(X)
    >>> scaler.transform(X).tolist()
    [[-1.0, 0.0], [1.0, 0.0]]
    >>> scaler.inverse_transform(scaler.transform(X)).tolist()
    [[1.0, 5.0], [3.0, 5.0]]
    """

    def __init__(self) -> None:
        self.mean_: np.ndarray | None = None
        self.scale_: np.ndarray | None = None

    def fit(self, X: np.ndarray) -> Standardizer:
        """Learn each feature's mean and standard deviation from ``X``; returns self.

        Examples
        --------
        >>> scaler = Standardizer().fit(np.array([[1.0], [3.0]]))
        >>> scaler.mean_.tolist(), scaler.scale_.tolist()
        ([2.0], [1.0])
        """
        X = as_features(X)
        if len(X) == 0:
            raise ValueError("X: expected at least one sample to fit, got 0")
        with np.errstate(over="ignore", invalid="ignore"):  # refused below, by column
            mean, std = X.mean(axis=0), X.std(axis=0)
        _check_finite_columns(mean, std, X, "fit")
        self.mean_, self.scale_ = mean, np.where(std > 0.0, std, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """``(X - mean_) / scale_``.

        Examples
        --------
        >>> scaler = Standardizer().fit(np.array([[1.0], [3.0]]))
        >>> scaler.transform(np.array([[5.0]])).tolist()  # 3 standard deviations above the mean
        [[3.0]]
        """
        X = self._check_fitted(X)
        with np.errstate(over="ignore", invalid="ignore"):  # refused below, by column
            Z = (X - self.mean_) / self.scale_
        _check_finite_columns(Z, Z, X, "transform")
        return Z

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        """``X * scale_ + mean_``: undoes `transform`.

        Examples
        --------
        >>> scaler = Standardizer().fit(np.array([[1.0], [3.0]]))
        >>> scaler.inverse_transform(np.array([[3.0]])).tolist()
        [[5.0]]
        """
        X = self._check_fitted(X)
        with np.errstate(over="ignore", invalid="ignore"):  # refused below, by column
            Z = X * self.scale_ + self.mean_
        _check_finite_columns(Z, Z, X, "inverse_transform")
        return Z

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        """`fit` on ``X``, then `transform` it.

        Examples
        --------
        >>> Standardizer().fit_transform(np.array([[0.0, 2.0], [4.0, 2.0]])).tolist()
        [[-1.0, 0.0], [1.0, 0.0]]
        """
        return self.fit(X).transform(X)

    def _check_fitted(self, X: np.ndarray) -> np.ndarray:
        if self.mean_ is None:
            raise RuntimeError("Standardizer: call fit(X_train) before transforming")
        X = as_features(X)
        if X.shape[1] != len(self.mean_):
            raise ValueError(
                f"X: expected {len(self.mean_)} features (as in fit), got {X.shape[1]}"
            )
        return X

    def state_dict(self) -> dict[str, list[float]]:
        """The fitted numbers as plain floats (JSON-able, for checkpoints).

        Examples
        --------
        >>> Standardizer().fit(np.array([[1.0], [3.0]])).state_dict()
        {'mean': [2.0], 'scale': [1.0]}
        """
        if self.mean_ is None:
            raise RuntimeError("Standardizer: nothing to save before fit()")
        return {"mean": self.mean_.tolist(), "scale": self.scale_.tolist()}

    def load_state_dict(self, state: dict[str, list[float]]) -> Standardizer:
        """Restore numbers saved by `state_dict`; checks them first; returns self.

        Examples
        --------
        >>> scaler = Standardizer().load_state_dict({"mean": [2.0], "scale": [1.0]})
        >>> scaler.transform(np.array([[5.0]])).tolist()
        [[3.0]]
        """
        if not isinstance(state, dict) or set(state) != {"mean", "scale"}:
            raise ValueError(f"Standardizer state: expected keys 'mean' and 'scale', got {state!r}")
        try:
            mean = np.asarray(state["mean"], dtype=np.float64)
            scale = np.asarray(state["scale"], dtype=np.float64)
        except (TypeError, ValueError) as error:
            raise ValueError(f"Standardizer state: expected lists of numbers ({error})") from None
        if mean.ndim != 1 or mean.shape != scale.shape:
            raise ValueError(
                f"Standardizer state: mean and scale must be 1-D of one length, "
                f"got shapes {mean.shape} and {scale.shape}"
            )
        if not (np.isfinite(mean).all() and np.isfinite(scale).all() and (scale > 0).all()):
            raise ValueError("Standardizer state: expected finite means and positive scales")
        self.mean_, self.scale_ = mean, scale
        return self

    def __repr__(self) -> str:
        fitted = "unfitted" if self.mean_ is None else f"n_features={len(self.mean_)}"
        return f"Standardizer({fitted})"


def _check_finite_columns(a: np.ndarray, b: np.ndarray, X: np.ndarray, where: str) -> None:
    """Refuse, naming the first column, when ``a`` or ``b`` (computed from ``X``) overflowed."""
    bad = ~(np.isfinite(a) & np.isfinite(b))
    if bad.any():
        column = int(np.flatnonzero(bad.reshape(-1))[0]) % X.shape[1]
        largest = float(np.abs(X[:, column]).max())
        raise ValueError(
            f"X: column {column} holds numbers up to {largest:g} in size, too large to "
            f"standardize ({where} overflows a float64); rescale that column first"
        )
