"""nn.plot: curves and decision boundaries come out as valid image files."""

import os
import sys

import numpy as np
import pytest

pytest.importorskip("matplotlib")
Image = pytest.importorskip("PIL.Image")

from nn.datasets import moons, spirals  # noqa: E402
from nn.layers import MLP  # noqa: E402
from nn.plot import DPI, class_probabilities, plot_decision_boundary, plot_history  # noqa: E402
from nn.train import History  # noqa: E402

Figure = pytest.importorskip("matplotlib.figure").Figure

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


def legend_texts(ax):
    return [text.get_text() for text in ax.get_legend().get_texts()]


def test_history_draws_on_given_axes_with_labels_and_legends():
    fig = Figure()
    loss_ax, accuracy_ax = fig.subplots(1, 2)
    assert plot_history(HISTORY, ax=[loss_ax, accuracy_ax]) is fig
    for ax, name in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
        assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", name)
        assert legend_texts(ax) == ["train", "validation", "best epoch"]
    train, val = (line.get_ydata().tolist() for line in loss_ax.get_lines()[:2])
    assert train == HISTORY.train_loss and val == HISTORY.val_loss  # the numbers given
    lone = Figure().subplots()
    assert plot_history(History(train_loss=[1.0, 0.5]), ax=lone) is lone.figure
    with pytest.raises(ValueError, match="ax: expected 2 matplotlib Axes"):
        plot_history(HISTORY, ax=lone)  # loss and accuracy need two


def test_saved_at_150_dpi(tmp_path):
    assert DPI == 150
    fig = plot_history(HISTORY, tmp_path / "history.png")
    with Image.open(tmp_path / "history.png") as image:
        width, height = image.size
        # PNG stores whole pixels per metre: 5906 of them are 150.012 dpi.
        assert image.info["dpi"] == pytest.approx((150, 150), abs=0.02)
    assert (width, height) == (round(fig.get_figwidth() * 150), round(fig.get_figheight() * 150))


def test_probabilities_are_the_models_own():
    logits = np.array([[0.0], [2.0], [-1.0]])
    p = class_probabilities(logits, threshold=0.0, signed=False)
    np.testing.assert_allclose(p[:, 1], 1 / (1 + np.exp(-logits[:, 0])), rtol=1e-15)
    np.testing.assert_allclose(p.sum(axis=1), 1.0, rtol=1e-15)
    probability = class_probabilities(np.array([[0.25], [1.2]]), threshold=0.5, signed=False)
    assert probability[:, 1].tolist() == [0.25, 1.0]  # a probability as it is, clipped
    scores = np.array([[1.0, 2.0, 0.0]])
    softmax = np.exp(scores) / np.exp(scores).sum()
    np.testing.assert_allclose(class_probabilities(scores, 0.5, False), softmax, rtol=1e-15)


class Sloped:
    """A fixed classifier: logit = 3 * x[0], so p(class 1) rises left to right."""

    def predict(self, X):
        return 3.0 * X[:, :1]


def test_decision_boundary_shades_probability_with_legend_and_markers():
    X, y = moons(n_samples=30, seed=0)
    Xv, yv = moons(n_samples=10, seed=1)
    fig = Figure()
    ax = fig.subplots()
    returned = plot_decision_boundary(
        Sloped(), X, y, threshold=0.0, resolution=30, ax=ax, validation=(Xv, yv),
        feature_names=("hours", "sleep"),
    )  # fmt: skip
    assert returned is fig
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("hours", "sleep")
    assert legend_texts(ax) == [
        "decision boundary",
        "class 0 (train)",
        "class 0 (validation)",
        "class 1 (train)",
        "class 1 (validation)",
    ]
    markers = {c.get_label(): c.get_paths()[0].vertices.shape[0] for c in ax.collections[-4:]}
    assert markers["class 0 (train)"] != markers["class 0 (validation)"]  # circle vs triangle
    for collection, (points, targets, label) in zip(
        ax.collections[-4:], [(X, y, 0), (Xv, yv, 0), (X, y, 1), (Xv, yv, 1)]
    ):
        np.testing.assert_array_equal(collection.get_offsets(), points[targets == label])
    colorbar = fig.axes[1]
    assert colorbar.get_ylabel() == "p(class 1)"
    shading = next(c for c in ax.collections if hasattr(c, "levels") and len(c.levels) == 11)
    assert shading.levels.tolist() == pytest.approx(np.linspace(0, 1, 11).tolist(), abs=1e-12)
    # The boundary is where the logit crosses 0: the line x[0] = 0.
    boundary = [c for c in ax.collections if hasattr(c, "levels") and c.levels.tolist() == [0.5]]
    xs = np.concatenate([path.vertices[:, 0] for c in boundary for path in c.get_paths()])
    step = (X[:, 0].max() - X[:, 0].min()) * 1.2 / 29
    assert np.abs(xs).max() < step


def test_decision_boundary_of_three_classes_shades_each_by_its_probability():
    X, y = spirals(n_samples=20, n_classes=3, seed=0)
    fig = plot_decision_boundary(MLP(2, [6, 3], seed=0), X, y, resolution=12)
    [ax] = fig.axes
    [image] = ax.get_images()
    alpha = image.get_array()[..., 3]
    assert alpha.min() >= 0.1 and alpha.max() <= 0.65 + 1e-12 and alpha.max() > alpha.min()
    assert legend_texts(ax)[0] == "decision boundary"
    assert {"class 0 (train)", "class 1 (train)", "class 2 (train)"} <= set(legend_texts(ax))
