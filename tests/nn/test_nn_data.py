"""nn.data: batches cover every sample once, splits and scaling are honest, data is seeded."""

import sys

import numpy as np
import pytest

from nn.data import DataLoader, Standardizer, train_val_split
from nn.datasets import (
    EXAM_FEATURE_NAMES,
    circles,
    exam_pass_fail,
    load_digits,
    load_iris,
    moons,
    spirals,
    xor,
)


def numbered(n):
    """Row i of X is (i, 2i) and y[i] = i, so a batch shows which samples it holds."""
    index = np.arange(n)
    return np.column_stack([index, 2 * index]).astype(float), index


def epoch_order(loader):
    batches = list(loader)
    for xb, yb in batches:
        np.testing.assert_array_equal(xb[:, 0], yb)  # rows stay with their targets
    return np.concatenate([yb for _, yb in batches])


# --- DataLoader ------------------------------------------------------------------------


def test_every_sample_exactly_once_per_epoch():
    loader = DataLoader(*numbered(103), batch_size=10, seed=0)
    for _ in range(3):
        order = epoch_order(loader)
        assert sorted(order.tolist()) == list(range(103))


def test_batches_sizes_and_len():
    loader = DataLoader(*numbered(103), batch_size=10, seed=0)
    assert len(loader) == 11
    assert [len(yb) for _, yb in loader] == [10] * 10 + [3]  # the last partial batch is kept
    dropping = DataLoader(*numbered(103), batch_size=10, seed=0, drop_last=True)
    assert len(dropping) == 10
    assert [len(yb) for _, yb in dropping] == [10] * 10


def test_order_changes_across_epochs_and_repeats_with_the_seed():
    a = DataLoader(*numbered(50), batch_size=8, seed=123)
    b = DataLoader(*numbered(50), batch_size=8, seed=123)
    epochs_a = [epoch_order(a) for _ in range(3)]
    epochs_b = [epoch_order(b) for _ in range(3)]
    assert not np.array_equal(epochs_a[0], epochs_a[1])
    assert not np.array_equal(epochs_a[1], epochs_a[2])
    for order_a, order_b in zip(epochs_a, epochs_b):
        np.testing.assert_array_equal(order_a, order_b)
    other_seed = DataLoader(*numbered(50), batch_size=8, seed=124)
    assert not np.array_equal(epoch_order(other_seed), epochs_a[0])


def test_no_shuffle_keeps_the_order():
    loader = DataLoader(*numbered(7), batch_size=3, shuffle=False)
    np.testing.assert_array_equal(epoch_order(loader), np.arange(7))
    np.testing.assert_array_equal(epoch_order(loader), np.arange(7))


@pytest.mark.parametrize(
    ("X", "y", "kwargs", "error", "message"),
    [
        (np.arange(4.0), np.arange(4), {}, ValueError, r"X: expected a 2-D array.*shape \(4,\)"),
        (np.ones((4, 2)), np.arange(3), {}, ValueError, "same number of samples, got 4 and 3"),
        (np.ones((4, 2)), np.ones((4, 1)), {}, ValueError, r"y: expected a 1-D array.*\(4, 1\)"),
        ([[1.0, np.nan], [0.0, 0.0]], [0, 1], {}, ValueError, r"X: contains NaN.*\(0, 1\)"),
        (np.ones((2, 2)), [0.0, np.inf], {}, ValueError, "y: contains NaN or infinity"),
        (np.ones((2, 2)), ["a", "b"], {}, TypeError, "y: expected a 1-D array of real numbers"),
        ([["a", "b"]], [0], {}, TypeError, "X: expected a 2-D array of real numbers"),
        (np.ones((0, 2)), np.ones(0), {}, ValueError, "at least one sample"),
        (
            np.ones((2, 2)),
            [0, 1],
            {"batch_size": 0},
            ValueError,
            "batch_size: expected an int >= 1",
        ),
        (np.ones((2, 2)), [0, 1], {"batch_size": 2.0}, TypeError, "batch_size: expected an int"),
    ],
)
def test_dataloader_rejects_bad_input(X, y, kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(X, y, **kwargs)


# --- train_val_split -----------------------------------------------------------------


def test_split_is_a_partition_of_the_samples():
    X, y = numbered(50)
    X_train, X_val, y_train, y_val = train_val_split(X, y, val_fraction=0.2, seed=0)
    assert (len(y_train), len(y_val)) == (40, 10)
    assert sorted(np.concatenate([y_train, y_val]).tolist()) == list(range(50))
    np.testing.assert_array_equal(X_train[:, 0], y_train)
    np.testing.assert_array_equal(X_val[:, 0], y_val)
    again = train_val_split(X, y, val_fraction=0.2, seed=0)
    np.testing.assert_array_equal(again[3], y_val)
    assert not np.array_equal(train_val_split(X, y, val_fraction=0.2, seed=1)[3], y_val)


def test_stratified_split_keeps_class_shares():
    y = np.array([0] * 80 + [1] * 20)
    X = np.arange(100.0).reshape(-1, 1)
    _, _, y_train, y_val = train_val_split(X, y, val_fraction=0.25, seed=0, stratify=True)
    assert np.bincount(y_val).tolist() == [20, 5]
    assert np.bincount(y_train).tolist() == [60, 15]


@pytest.mark.parametrize("fraction", [0.0, 1.0, -0.1, 1.5, "0.2"])
def test_split_rejects_bad_fraction(fraction):
    with pytest.raises(ValueError, match="val_fraction: expected a finite number in"):
        train_val_split(np.ones((10, 1)), np.zeros(10), val_fraction=fraction)


# --- Standardizer ------------------------------------------------------------------------


def test_standardizer_uses_training_statistics_only():
    rng = np.random.default_rng(0)
    X_train = rng.normal([3.0, -2.0], [2.0, 0.5], size=(200, 2))
    X_val = rng.normal([10.0, 10.0], 1.0, size=(20, 2))
    scaler = Standardizer().fit(X_train)
    Z = scaler.transform(X_train)
    np.testing.assert_allclose(Z.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(Z.std(axis=0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(
        scaler.transform(X_val), (X_val - X_train.mean(0)) / X_train.std(0), rtol=1e-15, atol=0
    )  # the same formula: equal to rounding
    np.testing.assert_allclose(scaler.inverse_transform(scaler.transform(X_val)), X_val, rtol=1e-12)
    np.testing.assert_array_equal(Standardizer().fit_transform(X_train), Z)


def test_standardizer_constant_feature_is_only_centred():
    X = np.array([[1.0, 7.0], [3.0, 7.0], [5.0, 7.0]])
    Z = Standardizer().fit_transform(X)
    assert np.isfinite(Z).all()
    np.testing.assert_array_equal(Z[:, 1], [0.0, 0.0, 0.0])


def test_standardizer_state_round_trip_and_errors():
    scaler = Standardizer().fit(np.array([[1.0, 2.0], [3.0, 6.0]]))
    restored = Standardizer().load_state_dict(scaler.state_dict())
    np.testing.assert_array_equal(restored.mean_, scaler.mean_)
    np.testing.assert_array_equal(restored.scale_, scaler.scale_)
    with pytest.raises(RuntimeError, match="call fit"):
        Standardizer().transform(np.ones((1, 2)))
    with pytest.raises(ValueError, match="expected 2 features"):
        scaler.transform(np.ones((1, 3)))
    with pytest.raises(ValueError, match="keys 'mean' and 'scale'"):
        Standardizer().load_state_dict({"mean": [0.0]})
    with pytest.raises(ValueError, match="positive scales"):
        Standardizer().load_state_dict({"mean": [0.0], "scale": [0.0]})


# --- datasets -----------------------------------------------------------------------------

GENERATORS = [exam_pass_fail, moons, circles, xor, spirals]


@pytest.mark.parametrize("make", GENERATORS)
def test_datasets_are_seeded_float64_and_int(make):
    X, y = make(n_samples=60, seed=3)
    assert X.dtype == np.float64 and y.dtype == np.int64
    assert X.shape[0] == y.shape[0] == 60
    X2, y2 = make(n_samples=60, seed=3)
    np.testing.assert_array_equal(X, X2)
    np.testing.assert_array_equal(y, y2)
    assert not np.array_equal(make(n_samples=60, seed=4)[0], X)


def test_exam_pass_fail_name_carries_no_signal():
    X, y = exam_pass_fail(n_samples=2000, seed=0)
    assert EXAM_FEATURE_NAMES == ("hours_studied", "smartness", "prior_knowledge", "name")
    hours, name = X[:, 0], X[:, 3]
    assert hours.min() >= 0 and hours.max() <= 10
    assert set(np.unique(name).tolist()) <= set(range(26))
    # Passing students studied clearly longer; their names are like everyone's.
    assert hours[y == 1].mean() - hours[y == 0].mean() > 2.0
    assert abs(np.corrcoef(name, y)[0, 1]) < 0.05
    assert 0.3 < y.mean() < 0.7


def test_moons_circles_xor_spirals_shapes():
    X, y = moons(n_samples=300, noise=0.0, seed=0)
    assert np.bincount(y).tolist() == [150, 150]
    np.testing.assert_allclose(
        np.hypot(*X[y == 0].T), 1.0, rtol=1e-15, atol=0
    )  # upper unit half circle
    assert (X[y == 0, 1] >= -1e-12).all()
    X, y = circles(n_samples=100, noise=0.0, factor=0.3, seed=0)
    np.testing.assert_allclose(np.hypot(*X[y == 1].T), 0.3, rtol=1e-15, atol=0)
    X, y = xor(n_samples=400, noise=0.1, seed=0)
    corner = X.round().clip(0, 1)
    np.testing.assert_array_equal(y, (corner[:, 0] != corner[:, 1]).astype(int))
    X, y = spirals(n_samples=100, n_classes=4, seed=0)
    assert np.bincount(y).tolist() == [25, 25, 25, 25]
    assert np.hypot(*X.T).max() <= 1.0 + 1e-12


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: moons(n_samples=0), "n_samples: expected an int >= 2"),
        (lambda: moons(noise=-1.0), "noise: expected a finite number >= 0"),
        (lambda: moons(noise=float("nan")), "noise: expected a finite number >= 0"),
        (lambda: circles(factor=1.5), r"factor: expected a finite number in \(0, 1\)"),
        (lambda: spirals(n_classes=1), "n_classes: expected an int >= 2"),
        (lambda: exam_pass_fail(n_samples=2.5), "n_samples: expected an int"),
    ],
)
def test_dataset_arguments_are_checked(call, message):
    with pytest.raises((ValueError, TypeError), match=message):
        call()


def test_sklearn_adapters():
    pytest.importorskip("sklearn")
    X, y = load_iris()
    assert X.shape == (150, 4) and X.dtype == np.float64 and np.bincount(y).tolist() == [50] * 3
    X, y = load_digits()
    assert X.shape == (1797, 64) and y.dtype == np.int64 and set(y.tolist()) == set(range(10))


def test_sklearn_missing_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)  # makes `import sklearn` fail
    with pytest.raises(ImportError, match=r"tapegrad\[datasets\]"):
        load_iris()
