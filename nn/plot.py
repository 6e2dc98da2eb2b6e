"""Pictures of training: loss and accuracy curves, and 2-D decision boundaries.

Needs matplotlib, the optional extra ``tapegrad[plot]``; it is imported only
when a plot is drawn. Every function draws on the matplotlib ``Axes`` given as
``ax=`` (a panel of a figure of your own) or on a new figure, and returns the
``Figure`` (shown inline by Jupyter); given a ``path``, it also saves that
figure there atomically, at 150 dpi. Every axis is labelled and every curve or
point set is named in a legend. Nothing touches pyplot's global state, so the
functions work the same in scripts, tests and notebooks.

Examples
--------
>>> from nn.train import History
>>> fig = plot_history(History(train_loss=[0.7, 0.4, 0.3], val_loss=[0.8, 0.5, 0.45]))
>>> [(ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) for ax in fig.axes]
[('loss', 'epoch', 'loss')]
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from autograd.files import atomic_write
from nn.arrays import as_xy
from nn.inference import Predictor
from nn.train import History, classify, is_signed

DPI = 150
TRAIN_MARKER, VALIDATION_MARKER = "o", "^"


def require_matplotlib() -> type:
    """matplotlib's ``Figure`` class, or an ImportError naming the ``plot`` extra.

    Call it first to fail before any work when a plot will be asked for.

    Examples
    --------
    >>> require_matplotlib().__name__
    'Figure'
    """
    try:
        from matplotlib.figure import Figure
    except ImportError as error:
        raise ImportError(
            "nn.plot needs matplotlib, which is not installed; "
            "install the optional extra: pip install 'tapegrad[plot]'"
        ) from error
    return Figure


def _figure(**kwargs):
    return require_matplotlib()(**kwargs)


def _axes(ax, count: int, figsize: tuple[float, float]) -> list:
    """``count`` Axes to draw on: those given as ``ax`` or the panels of a new figure."""
    if ax is None:
        fig = _figure(figsize=figsize, layout="constrained")
        return list(fig.subplots(1, count, squeeze=False)[0])
    axes = list(ax) if isinstance(ax, Sequence | np.ndarray) else [ax]
    if len(axes) != count or not all(hasattr(a, "figure") and hasattr(a, "plot") for a in axes):
        raise ValueError(f"ax: expected {count} matplotlib Axes, got {ax!r}")
    return axes


def _save(fig, path: str | os.PathLike | None) -> None:
    if path is None:
        return
    suffix = Path(path).suffix.lstrip(".").lower() or "png"
    buffer = io.BytesIO()
    fig.savefig(buffer, format=suffix, dpi=DPI)  # drawn by the Agg renderer, no GUI
    atomic_write(path, buffer.getvalue())


def plot_history(history: History | dict, path: str | os.PathLike | None = None, *, ax=None):
    """Loss curves, and accuracy curves when measured, per epoch.

    Parameters
    ----------
    history : History or dict
        What `nn.train.fit` returned, or its ``to_dict()``.
    path : str or path-like, optional
        Save the figure there too (format from the suffix: .png, .svg, .pdf).
    ax : matplotlib Axes or a sequence of them, optional
        Where to draw: one Axes per panel (loss, then accuracy when the
        history has it). Default: a new figure.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> import os, tempfile
    >>> history = History(train_loss=[0.7, 0.4], train_accuracy=[0.5, 0.75])
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     fig = plot_history(history, path=os.path.join(tmp, "history.png"))
    ...     saved = os.listdir(tmp)
    >>> [ax.get_title() for ax in fig.axes], saved
    (['loss', 'accuracy'], ['history.png'])
    """
    if isinstance(history, dict):
        history = History.from_dict(history)
    if not isinstance(history, History):
        raise TypeError(f"history: expected a History or its dict, got {type(history).__name__}")
    if not history.train_loss:
        raise ValueError("history: holds no epochs to plot")
    panels = [("loss", history.train_loss, history.val_loss)]
    if history.train_accuracy:
        panels.append(("accuracy", history.train_accuracy, history.val_accuracy))
    axes = _axes(ax, len(panels), (5 * len(panels), 3.5))
    for ax_, (title, train, val) in zip(axes, panels):
        ax_.plot(range(1, len(train) + 1), train, label="train")
        if val:
            ax_.plot(range(1, len(val) + 1), val, label="validation")
        if history.best_epoch is not None:
            ax_.axvline(history.best_epoch, color="grey", linestyle=":", label="best epoch")
        ax_.set(title=title, xlabel="epoch", ylabel=title)
        ax_.legend()
    fig = axes[0].figure
    _save(fig, path)
    return fig


def class_probabilities(outputs: np.ndarray, threshold: float, signed: bool) -> np.ndarray:
    """Each sample's probability of each class, ``(n, n_classes)``, read from its outputs.

    Several outputs are logits (softmax); one output is a logit when the
    labels are signed or the threshold is 0 (sigmoid), else a probability
    (clipped to [0, 1]).

    Examples
    --------
    >>> class_probabilities(np.array([[0.0], [2.0]]), 0.0, False).round(3).tolist()
    [[0.5, 0.5], [0.119, 0.881]]
    """
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.shape[1] > 1:
        shifted = np.exp(outputs - outputs.max(axis=1, keepdims=True))
        return shifted / shifted.sum(axis=1, keepdims=True)
    out = outputs[:, 0]
    positive = 1.0 / (1.0 + np.exp(-out)) if signed or threshold == 0.0 else np.clip(out, 0, 1)
    return np.column_stack([1.0 - positive, positive])


def plot_decision_boundary(
    model,
    X: np.ndarray,
    y: np.ndarray,
    path: str | os.PathLike | None = None,
    resolution: int = 100,
    threshold: float = 0.5,
    *,
    ax=None,
    validation: tuple[np.ndarray, np.ndarray] | None = None,
    feature_names: tuple[str, str] = ("x[0]", "x[1]"),
):
    """The class a 2-input classifier predicts over the plane, shaded by its probability.

    The background is coloured by the predicted class, deeper where the
    model is surer (see `class_probabilities`); a black line is the decision
    boundary; training points are circles and validation points triangles,
    coloured by their true class, named in a legend.

    Parameters
    ----------
    model : Module or CompiledModel
        A Module is compiled for the grid (much faster than the scalar
        engine) unless the compiled engine cannot run it (no numba,
        BatchNorm1d): then it goes through `nn.inference.predict` (see
        `nn.inference.Predictor`).
    X : array_like, shape (n_samples, 2)
    y : array_like, shape (n_samples,)
        Class labels of the training points.
    path : str or path-like, optional
        Save the figure there too.
    resolution : int, default 100
        Grid points per axis.
    threshold : float, default 0.5
        Decision threshold of a single output (0 for a logit); labels -1 and 1
        are read by its sign. Several outputs: the largest wins.
    ax : matplotlib Axes, optional
        Where to draw. Default: a new figure.
    validation : (X_val, y_val), optional
        Validation points, drawn as triangles.
    feature_names : (str, str)
        The axis labels.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from nn.datasets import xor
    >>> from nn.layers import MLP
    >>> X, y = xor(n_samples=8, seed=0)
    >>> fig = plot_decision_boundary(MLP(2, [4, 1], seed=0), X, y, resolution=20)
    >>> fig.axes[0].get_title(), fig.axes[1].get_ylabel()
    ('decision boundary', 'p(class 1)')
    """
    X, y = as_xy(X, y)
    X_val, y_val = as_xy(*validation) if validation is not None else (X[:0], y[:0])
    for name, data in (("X", X), ("validation X", X_val)):
        if data.shape[1] != 2:
            raise ValueError(
                f"{name}: expected 2 features to draw in the plane, got {data.shape[1]}"
            )
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution: expected an int >= 2, got {resolution!r}")
    [ax] = _axes(ax, 1, (5.5, 4.5))
    both = np.concatenate([X, X_val])
    margin = 0.1 * (both.max(axis=0) - both.min(axis=0)) + 1e-3
    low, high = both.min(axis=0) - margin, both.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    outputs = np.asarray(Predictor(model).predict(np.column_stack([xx.ravel(), yy.ravel()])))
    signed = is_signed(np.concatenate([y, y_val]))
    classes = classify(outputs, threshold, signed=signed).reshape(xx.shape)
    probabilities = class_probabilities(outputs, threshold, signed)
    # Colour i for the i-th class in sorted order, so labels -1/1 and 0/1 look alike.
    labels = np.unique(np.concatenate([y, y_val, classes.ravel()]))
    if probabilities.shape[1] == 2 and len(labels) <= 2:
        positive = probabilities[:, 1].reshape(xx.shape)
        _shade_two_classes(ax, xx, yy, positive, labels)
        # classify's rule read as a probability: p > 0.5 for a logit or a sign.
        level = 0.5 if signed or threshold == 0.0 else threshold
        if positive.min() < level < positive.max():
            ax.contour(xx, yy, positive, levels=[level], colors="k", linewidths=1.2)
    else:
        _shade_by_class(ax, xx, yy, probabilities, classes, labels)
        region = np.searchsorted(labels, classes)
        for i in np.unique(region) if len(np.unique(region)) > 1 else ():
            # The edge of each class's region: where the predicted class changes.
            edge = (region == i).astype(float)
            ax.contour(xx, yy, edge, levels=[0.5], colors="k", linewidths=1.2)
    ax.plot([], [], color="k", linewidth=1.2, label="decision boundary")
    for i, label in enumerate(labels):
        for points, targets, marker, kind in (
            (X, y, TRAIN_MARKER, "train"),
            (X_val, y_val, VALIDATION_MARKER, "validation"),
        ):
            chosen = points[targets == label]
            if len(chosen):
                name = f"class {label:g} ({kind})"
                ax.scatter(*chosen.T, c=f"C{i}", marker=marker, edgecolors="k", s=24, label=name)
    ax.set(title="decision boundary", xlabel=feature_names[0], ylabel=feature_names[1])
    ax.legend(loc="best", fontsize="small", framealpha=0.8)
    fig = ax.figure
    _save(fig, path)
    return fig


def _shade_two_classes(ax, xx, yy, positive: np.ndarray, labels: np.ndarray) -> None:
    """Two classes: p(second class) from the first class's colour through white to its own."""
    from matplotlib.colors import LinearSegmentedColormap

    cmap = LinearSegmentedColormap.from_list("classes", ["C0", "white", "C1"])
    shading = ax.contourf(xx, yy, positive, levels=np.linspace(0, 1, 11), cmap=cmap, alpha=0.6)
    second = labels[-1] if len(labels) == 2 else 1
    ax.figure.colorbar(shading, ax=ax, label=f"p(class {second:g})")


def _shade_by_class(ax, xx, yy, probabilities, classes, labels) -> None:
    """Several classes: each point the predicted class's colour, as deep as its probability."""
    from matplotlib.colors import to_rgba

    colours = np.array([to_rgba(f"C{i}") for i in range(len(labels))])
    image = colours[np.searchsorted(labels, classes)]
    chance = 1.0 / probabilities.shape[1]
    sure = (probabilities.max(axis=1).reshape(xx.shape) - chance) / (1.0 - chance)
    image[..., 3] = 0.1 + 0.55 * sure
    extent = (xx.min(), xx.max(), yy.min(), yy.max())
    ax.imshow(image, origin="lower", extent=extent, aspect="auto", interpolation="bilinear")
