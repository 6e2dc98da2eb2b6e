"""Data for training: batching, splitting, scaling, and small seeded datasets.

Everything here works on numpy arrays: ``X`` of shape ``(n_samples, n_features)``
and ``y`` of shape ``(n_samples,)`` (class labels or regression targets). The
model sees one row of ``X`` at a time; `DataLoader` only decides which rows go
together in a mini-batch and in which order.

Every random choice takes a ``seed`` (an int, or None for a fresh one), so a
run can be repeated exactly.

Examples
--------
>>> X, y = moons(n_samples=100, seed=0)
>>> X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=0.2, seed=0)
>>> scaler = Standardizer().fit(X_train)
>>> loader = DataLoader(scaler.transform(X_train), y_train, batch_size=32, seed=0)
>>> len(loader), [len(yb) for _, yb in loader]
(3, [32, 32, 16])
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterator

import numpy as np

# --- validation ----------------------------------------------------------------


def _check_xy(X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    """``X`` as a finite float64 (n, d) array and ``y`` as an (n,) array, or a clear error."""
    X = _check_features(X, "X")
    try:
        y = np.asarray(y)
    except (TypeError, ValueError) as error:
        raise TypeError(f"y: expected an array of targets, got {type(y).__name__}") from error
    if y.ndim != 1:
        raise ValueError(f"y: expected a 1-D array of shape (n_samples,), got shape {y.shape}")
    if y.dtype.kind not in "biuf":
        raise TypeError(f"y: expected numbers, got an array of dtype {y.dtype}")
    if y.dtype.kind == "f" and not np.isfinite(y).all():
        raise ValueError(f"y: contains NaN or infinity (at index {_first_bad(y)})")
    if len(X) != len(y):
        raise ValueError(f"X and y: expected the same number of samples, got {len(X)} and {len(y)}")
    return X, y


def _check_features(X: object, name: str) -> np.ndarray:
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError) as error:
        raise TypeError(
            f"{name}: expected a 2-D array of numbers, got {type(X).__name__}"
        ) from error
    if X.ndim != 2:
        raise ValueError(
            f"{name}: expected a 2-D array of shape (n_samples, n_features), got shape {X.shape}"
        )
    if not np.isfinite(X).all():
        raise ValueError(f"{name}: contains NaN or infinity (at row, column {_first_bad(X)})")
    return X


def _first_bad(a: np.ndarray) -> tuple[int, ...] | int:
    index = tuple(int(i) for i in np.argwhere(~np.isfinite(a))[0])
    return index[0] if len(index) == 1 else index


def _check_int(value: object, name: str, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(value).__name__} ({value!r})")
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {value}")
    return int(value)


def _check_noise(noise: object) -> float:
    if isinstance(noise, bool) or not isinstance(noise, numbers.Real):
        raise TypeError(f"noise: expected a number, got {type(noise).__name__} ({noise!r})")
    if not (math.isfinite(noise) and noise >= 0):
        raise ValueError(f"noise: expected a finite number >= 0, got {noise}")
    return float(noise)


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
        self.X, self.y = _check_xy(X, y)
        if len(self.y) == 0:
            raise ValueError("X: expected at least one sample, got 0")
        self.batch_size = _check_int(batch_size, "batch_size", 1)
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
    X, y = _check_xy(X, y)
    if not (isinstance(val_fraction, numbers.Real) and 0.0 < val_fraction < 1.0):
        raise ValueError(f"val_fraction: expected a number in (0, 1), got {val_fraction!r}")
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
        X = _check_features(X, "X")
        if len(X) == 0:
            raise ValueError("X: expected at least one sample to fit, got 0")
        std = X.std(axis=0)
        self.mean_, self.scale_ = X.mean(axis=0), np.where(std > 0.0, std, 1.0)
        return self

    def transform(self, X: np.ndarray) -> np.ndarray:
        """``(X - mean_) / scale_``.

        Examples
        --------
        >>> scaler = Standardizer().fit(np.array([[1.0], [3.0]]))
        >>> scaler.transform(np.array([[5.0]])).tolist()  # 3 standard deviations above the mean
        [[3.0]]
        """
        return (self._check_fitted(X) - self.mean_) / self.scale_

    def inverse_transform(self, X: np.ndarray) -> np.ndarray:
        """``X * scale_ + mean_``: undoes `transform`.

        Examples
        --------
        >>> scaler = Standardizer().fit(np.array([[1.0], [3.0]]))
        >>> scaler.inverse_transform(np.array([[3.0]])).tolist()
        [[5.0]]
        """
        return self._check_fitted(X) * self.scale_ + self.mean_

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
        X = _check_features(X, "X")
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


# --- datasets ------------------------------------------------------------------------

EXAM_FEATURE_NAMES = ("hours_studied", "smartness", "prior_knowledge", "name")
"""Column names of `exam_pass_fail`'s ``X``, in order."""

_EXAM_WEIGHTS = (1.0, 0.6, 0.4, 0.0)  # per unit of each feature; the name counts for nothing
_EXAM_CENTRE = 5.0  # a student at 5 on every scale passes with probability 1/2


def exam_pass_fail(n_samples: int = 200, seed: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Students and whether they pass the exam: the example of the neural-network tutorial.

    Four features per student (see `EXAM_FEATURE_NAMES`):

    * ``hours_studied``: uniform on [0, 10],
    * ``smartness``: a score uniform on [0, 10],
    * ``prior_knowledge``: a score uniform on [0, 10],
    * ``name``: the student's name, coded as the position of its first letter
      in the alphabet (0 for A, ..., 25 for Z), drawn uniformly.

    The generating model: ``z = 1.0 (hours - 5) + 0.6 (smartness - 5) +
    0.4 (prior_knowledge - 5)``, and the student passes (``y = 1``) with
    probability ``sigmoid(z)``. The name has weight 0: it carries no signal,
    and a model trained on this data should learn to ignore it.

    Parameters
    ----------
    n_samples : int, default 200
    seed : int or None, default 0

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 4)
    y : ndarray of int64, shape (n_samples,)
        1 for pass, 0 for fail.

    Examples
    --------
    >>> X, y = exam_pass_fail(n_samples=5, seed=0)
    >>> X.shape, y.dtype.name, set(y.tolist()) <= {0, 1}
    ((5, 4), 'int64', True)
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    rng = np.random.default_rng(seed)
    scores = rng.uniform(0.0, 10.0, size=(n_samples, 3))
    name = rng.integers(0, 26, size=(n_samples, 1)).astype(np.float64)
    X = np.hstack([scores, name])
    z = (X[:, :3] - _EXAM_CENTRE) @ np.array(_EXAM_WEIGHTS[:3])
    passed = rng.uniform(size=n_samples) < 1.0 / (1.0 + np.exp(-z))
    return X, passed.astype(np.int64)


def moons(
    n_samples: int = 300, noise: float = 0.1, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``).

    Class 0 lies on the upper half of the unit circle, class 1 on a lower half
    circle shifted to (1, 0.5); both get Gaussian noise of std ``noise``. Not
    linearly separable: a model needs a hidden layer.

    Returns
    -------
    X : ndarray of float64, shape (n_samples, 2)
    y : ndarray of int64, shape (n_samples,), labels 0 and 1, shuffled

    Examples
    --------
    >>> X, y = moons(n_samples=10, noise=0.0, seed=0)
    >>> X.shape, int(y.sum())
    ((10, 2), 5)
    """
    n_samples = _check_int(n_samples, "n_samples", 2)
    noise = _check_noise(noise)
    n_outer = n_samples // 2
    outer = np.linspace(0.0, math.pi, n_outer)
    inner = np.linspace(0.0, math.pi, n_samples - n_outer)
    X = np.concatenate(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            np.column_stack([1.0 - np.cos(inner), 0.5 - np.sin(inner)]),
        ]
    )
    y = np.repeat([0, 1], [n_outer, n_samples - n_outer])
    return _shuffle_with_noise(X, y, noise, seed)


def circles(
    n_samples: int = 300, noise: float = 0.05, factor: float = 0.5, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """A small circle (class 1) inside a large one (class 0), like ``make_circles``.

    Parameters
    ----------
    factor : float, default 0.5
        Radius of the inner circle relative to the outer one (radius 1), in (0, 1).

    Examples
    --------
    >>> X, y = circles(n_samples=8, noise=0.0, seed=0)
    >>> np.round(np.hypot(X[:, 0], X[:, 1]), 6)[np.argsort(y)].tolist()
    [1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5]
    """
    n_samples = _check_int(n_samples, "n_samples", 2)
    noise = _check_noise(noise)
    if not (isinstance(factor, numbers.Real) and 0.0 < factor < 1.0):
        raise ValueError(f"factor: expected a number in (0, 1), got {factor!r}")
    n_outer = n_samples // 2
    # endpoint=False: the angle 2π would repeat the point at angle 0.
    outer = np.linspace(0.0, 2.0 * math.pi, n_outer, endpoint=False)
    inner = np.linspace(0.0, 2.0 * math.pi, n_samples - n_outer, endpoint=False)
    X = np.concatenate(
        [
            np.column_stack([np.cos(outer), np.sin(outer)]),
            factor * np.column_stack([np.cos(inner), np.sin(inner)]),
        ]
    )
    y = np.repeat([0, 1], [n_outer, n_samples - n_outer])
    return _shuffle_with_noise(X, y, noise, seed)


def xor(
    n_samples: int = 200, noise: float = 0.15, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """The XOR truth table as four noisy clusters.

    Points are spread around the corners (0, 0), (0, 1), (1, 0) and (1, 1)
    with Gaussian noise of std ``noise``; the label is ``a XOR b`` for the
    corner (a, b): 1 for (0, 1) and (1, 0), else 0. The classic problem a
    single neuron cannot solve.

    Examples
    --------
    >>> X, y = xor(n_samples=4, noise=0.0, seed=0)
    >>> sorted(zip(X.tolist(), y.tolist()))
    [([0.0, 0.0], 0), ([0.0, 1.0], 1), ([1.0, 0.0], 1), ([1.0, 1.0], 0)]
    """
    n_samples = _check_int(n_samples, "n_samples", 1)
    noise = _check_noise(noise)
    corners = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    which = np.arange(n_samples) % 4  # as equal a share of each corner as n allows
    y = (corners[which, 0] != corners[which, 1]).astype(np.int64)
    return _shuffle_with_noise(corners[which], y, noise, seed)


def spirals(
    n_samples: int = 300, n_classes: int = 3, noise: float = 0.2, seed: int | None = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Interleaved spiral arms, one per class (the CS231n spiral data).

    Arm ``k`` has radius growing from 0 to 1 while its angle turns from
    ``4k`` to ``4(k + 1)`` radians, plus Gaussian noise of std ``noise`` on the
    angle. Samples are shared as equally as possible between the classes.

    Examples
    --------
    >>> X, y = spirals(n_samples=9, n_classes=3, seed=0)
    >>> X.shape, np.bincount(y).tolist()
    ((9, 2), [3, 3, 3])
    """
    n_classes = _check_int(n_classes, "n_classes", 2)
    n_samples = _check_int(n_samples, "n_samples", n_classes)
    noise = _check_noise(noise)
    rng = np.random.default_rng(seed)
    sizes = [n_samples // n_classes + (k < n_samples % n_classes) for k in range(n_classes)]
    arms, labels = [], []
    for k, size in enumerate(sizes):
        radius = np.linspace(0.0, 1.0, size)
        angle = np.linspace(4.0 * k, 4.0 * (k + 1), size) + rng.normal(0.0, noise, size)
        arms.append(np.column_stack([radius * np.sin(angle), radius * np.cos(angle)]))
        labels.append(np.full(size, k))
    order = rng.permutation(n_samples)
    return np.concatenate(arms)[order], np.concatenate(labels).astype(np.int64)[order]


def _shuffle_with_noise(
    X: np.ndarray, y: np.ndarray, noise: float, seed: int | None
) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    X = X[order] + rng.normal(0.0, noise, size=X.shape) if noise > 0 else X[order]
    return X.astype(np.float64), y[order].astype(np.int64)


# --- scikit-learn's real datasets (optional extra) ---------------------------------


def load_iris() -> tuple[np.ndarray, np.ndarray]:
    """Fisher's iris flowers: 150 samples, 4 features, 3 classes (needs scikit-learn).

    Returns
    -------
    X : ndarray of float64, shape (150, 4)
    y : ndarray of int64, shape (150,)

    Examples
    --------
    >>> X, y = load_iris()
    >>> X.shape, np.bincount(y).tolist()
    ((150, 4), [50, 50, 50])
    """
    return _from_sklearn("load_iris")


def load_digits() -> tuple[np.ndarray, np.ndarray]:
    """8x8 images of handwritten digits: 1797 samples, 64 features, 10 classes.

    Needs scikit-learn. Pixel values are 0 to 16.

    Returns
    -------
    X : ndarray of float64, shape (1797, 64)
    y : ndarray of int64, shape (1797,)

    Examples
    --------
    >>> X, y = load_digits()
    >>> X.shape, float(X.max()), len(np.unique(y))
    ((1797, 64), 16.0, 10)
    """
    return _from_sklearn("load_digits")


def _from_sklearn(loader: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        from sklearn import datasets
    except ImportError as error:
        raise ImportError(
            f"{loader} needs scikit-learn, which is not installed; "
            "install the optional extra: pip install 'tapegrad[datasets]'"
        ) from error
    bunch = getattr(datasets, loader)()
    return np.asarray(bunch.data, dtype=np.float64), np.asarray(bunch.target, dtype=np.int64)
