"""Small seeded datasets to train on: the exam example, moons, circles, xor, spirals, and more.

Each generator returns ``X`` of shape ``(n_samples, n_features)`` (float64)
and ``y`` of shape ``(n_samples,)`` (int64 class labels), ready for
`nn.data.DataLoader`. The same ``seed`` gives the same data. `load_iris` and
`load_digits` are scikit-learn's real datasets (the optional ``datasets`` extra).

Examples
--------
>>> X, y = moons(n_samples=100, seed=0)
>>> X.shape, y.shape, sorted(set(y.tolist()))
((100, 2), (100,), [0, 1])
"""

from __future__ import annotations

import math

import numpy as np

from nn.arrays import as_count, as_real

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
    n_samples = as_count(n_samples, "n_samples", 1)
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
    n_samples = as_count(n_samples, "n_samples", 2)
    noise = as_real(noise, "noise", 0.0)
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
    n_samples = as_count(n_samples, "n_samples", 2)
    noise = as_real(noise, "noise", 0.0)
    factor = as_real(factor, "factor", 0.0, 1.0, low_open=True, high_open=True)
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
    n_samples = as_count(n_samples, "n_samples", 1)
    noise = as_real(noise, "noise", 0.0)
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
    n_classes = as_count(n_classes, "n_classes", 2)
    n_samples = as_count(n_samples, "n_samples", n_classes)
    noise = as_real(noise, "noise", 0.0)
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
