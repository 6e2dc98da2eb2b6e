"""nn.plot: curves and decision boundaries come out as valid image files."""

import os
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

from nn.datasets import moons, spirals  # noqa: E402
from nn.layers import MLP  # noqa: E402
from nn.plot import plot_decision_boundary, plot_history  # noqa: E402
from nn.train import History  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def assert_valid_png(path):
    assert path.read_bytes()[:8] == PNG_SIGNATURE
    with Image.open(path) as image:
        image.verify()  # reads every chunk and checks its CRC
    with Image.open(path) as image:
        assert image.size[0] > 100 and image.size[1] > 100
        assert len(np.unique(np.asarray(image.convert("L")))) > 2  # something was drawn


HISTORY = History(
    train_loss=[0.7, 0.5, 0.4, 0.35],
    train_accuracy=[0.5, 0.7, 0.8, 0.85],
    val_loss=[0.72, 0.55, 0.5, 0.52],
    val_accuracy=[0.5, 0.65, 0.75, 0.74],
    epoch_seconds=[0.1] * 4,
    best_epoch=3,  # epochs count from 1: the lowest val_loss, 0.5
)


def test_history_png(tmp_path):
    path = tmp_path / "history.png"
    fig = plot_history(HISTORY, path)
    assert_valid_png(path)
    assert [ax.get_title() for ax in fig.axes] == ["loss", "accuracy"]
    assert sorted(os.listdir(tmp_path)) == ["history.png"]  # no temporary file left


def test_history_plot_counts_epochs_from_1_as_the_history_does():
    fig = plot_history(HISTORY)
    loss_axes = fig.axes[0]
    train, val, best = loss_axes.get_lines()
    assert list(train.get_xdata()) == [1, 2, 3, 4]
    # the best-epoch line stands over the lowest validation loss
    assert list(best.get_xdata()) == [HISTORY.best_epoch] * 2
    x_at_lowest = val.get_xdata()[list(val.get_ydata()).index(min(HISTORY.val_loss))]
    assert x_at_lowest == HISTORY.best_epoch


def test_history_from_dict_and_loss_only(tmp_path):
    fig = plot_history(History(train_loss=[1.0, 0.5]).to_dict(), tmp_path / "loss.svg")
    assert [ax.get_title() for ax in fig.axes] == ["loss"]
    assert b"<svg" in (tmp_path / "loss.svg").read_bytes()[:500]
    with pytest.raises(ValueError, match="no epochs"):
        plot_history(History())
    with pytest.raises(TypeError, match="expected a History"):
        plot_history([0.5, 0.4])


def test_decision_boundary_png_two_and_three_classes(tmp_path):
    X, y = moons(n_samples=40, seed=0)
    plot_decision_boundary(MLP(2, [6, 1], seed=0), X, y, tmp_path / "moons.png", resolution=20)
    assert_valid_png(tmp_path / "moons.png")
    X, y = spirals(n_samples=30, n_classes=3, seed=0)
    fig = plot_decision_boundary(
        MLP(2, [6, 3], seed=0), X, y, tmp_path / "spirals.png", resolution=20
    )
    assert_valid_png(tmp_path / "spirals.png")
    assert fig.axes[0].get_title() == "decision boundary"


def test_decision_boundary_uses_a_predict_method():
    """A compiled model (anything with predict(X)) is asked for the whole grid at once."""
    calls = []

    class Fixed:
        def predict(self, X):
            calls.append(X.shape)
            return (X[:, :1] > 0).astype(float)  # class 1 right of x = 0

    X, y = moons(n_samples=20, seed=0)
    plot_decision_boundary(Fixed(), X, y, resolution=15)
    assert calls == [(225, 2)]


def test_decision_boundary_compiles_a_module_when_it_can(monkeypatch):
    def scalar_predict(*args, **kwargs):
        raise AssertionError("the scalar engine was used")

    monkeypatch.setattr("nn.inference.predict", scalar_predict)
    X, y = moons(n_samples=20, seed=0)
    plot_decision_boundary(MLP(2, [6, 1], seed=0), X, y, resolution=15)
    # BatchNorm1d normalises over the batch, which the compiled engine refuses:
    # the plot then falls back to the scalar engine.
    with pytest.raises(AssertionError, match="scalar engine was used"):
        plot_decision_boundary(MLP(2, [6, 1], seed=0, batchnorm=True), X, y, resolution=15)


def test_decision_boundary_rejects_bad_input():
    model = MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match="expected 2 features"):
        plot_decision_boundary(model, np.zeros((4, 3)), np.zeros(4))
    with pytest.raises(ValueError, match="resolution: expected an int >= 2"):
        plot_decision_boundary(model, np.zeros((4, 2)), np.zeros(4), resolution=1)


def test_missing_matplotlib_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # makes the import fail
    with pytest.raises(ImportError, match=r"tapegrad\[plot\]"):
        plot_history(HISTORY)
