"""Our hand-written moons and circles against scikit-learn's make_moons and make_circles.

The generators stay a few lines of numpy each, to read in a lesson; scikit-learn,
when installed, says they draw the same shapes: the same points without noise, and
the same spread with it.
"""

import numpy as np
import pytest

from nn.datasets import circles, moons

sklearn_datasets = pytest.importorskip(
    "sklearn.datasets", reason="the cross-check needs scikit-learn (tapegrad[datasets])"
)

ATOL = 1e-12


def by_class_and_position(X, y):
    """The samples sorted by class, then by coordinates: comparable however shuffled."""
    order = np.lexsort((X[:, 1], X[:, 0], y))
    return X[order], y[order]


@pytest.mark.parametrize("n_samples", [2, 7, 100, 301])
def test_moons_without_noise_are_make_moons_points(n_samples):
    ours = by_class_and_position(*moons(n_samples, noise=0.0, seed=0))
    theirs = by_class_and_position(
        *sklearn_datasets.make_moons(n_samples, shuffle=False, noise=None)
    )
    np.testing.assert_allclose(ours[0], theirs[0], rtol=0, atol=ATOL)
    np.testing.assert_array_equal(ours[1], theirs[1])


@pytest.mark.parametrize(("n_samples", "factor"), [(2, 0.5), (9, 0.3), (200, 0.8)])
def test_circles_without_noise_are_make_circles_points(n_samples, factor):
    ours = by_class_and_position(*circles(n_samples, noise=0.0, factor=factor, seed=0))
    theirs = by_class_and_position(
        *sklearn_datasets.make_circles(n_samples, shuffle=False, noise=None, factor=factor)
    )
    np.testing.assert_allclose(ours[0], theirs[0], rtol=0, atol=ATOL)
    np.testing.assert_array_equal(ours[1], theirs[1])


# name: (ours, scikit-learn's, keyword arguments, the centre of each class's circle)
NOISY = {
    "moons": (moons, "make_moons", {}, [(0.0, 0.0), (1.0, 0.5)]),
    "circles": (circles, "make_circles", {"factor": 0.5}, [(0.0, 0.0), (0.0, 0.0)]),
}


@pytest.mark.parametrize("name", NOISY)
def test_noisy_samples_spread_around_their_circles_as_scikit_learns(name):
    ours, theirs, kwargs, centres = NOISY[name]
    X, y = ours(20_000, noise=0.1, seed=1, **kwargs)
    X_ref, y_ref = getattr(sklearn_datasets, theirs)(20_000, noise=0.1, random_state=1, **kwargs)
    for label, centre in enumerate(centres):
        # Each sample's distance from its class's circle centre: its radius plus the noise.
        mine = np.hypot(*(X[y == label] - centre).T)
        ref = np.hypot(*(X_ref[y_ref == label] - centre).T)
        # 10 000 samples a class: two draws' means and spreads differ by about 0.001;
        # a noise of 0.11 instead of 0.1 would be 0.01 off.
        np.testing.assert_allclose(mine.mean(), ref.mean(), rtol=0, atol=0.004)
        np.testing.assert_allclose(mine.std(), ref.std(), rtol=0, atol=0.004)
