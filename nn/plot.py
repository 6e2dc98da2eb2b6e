"""Pictures of training: loss and accuracy curves, and 2-D decision boundaries.

Needs matplotlib, the optional extra ``tapegrad[plot]``; it is imported only
when a plot is drawn. The functions return a matplotlib ``Figure`` (shown
inline by Jupyter) and, given a ``path``, also save it there atomically. They
never touch pyplot's global state, so they work the same in scripts, tests
and notebooks.

Examples
--------
>>> from nn.train import History
>>> fig = plot_history(History(train_loss=[0.7, 0.4, 0.3], val_loss=[0.8, 0.5, 0.45]))
>>> [ax.get_title() for ax in fig.axes]
['loss']
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np

from autograd.files import atomic_write
from nn.arrays import as_xy
from nn.inference import Predictor
from nn.train import History, classify, is_signed


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


def _save(fig, path: str | os.PathLike | None) -> None:
    if path is None:
        return
    suffix = Path(path).suffix.lstrip(".").lower() or "png"
    buffer = io.BytesIO()
    fig.savefig(buffer, format=suffix, dpi=100)  # drawn by the Agg renderer, no GUI
    atomic_write(path, buffer.getvalue())


def plot_history(history: History | dict, path: str | os.PathLike | None = None):
    """Loss curves, and accuracy curves when measured, per epoch.

    Parameters
    ----------
    history : History or dict
        What `nn.train.fit` returned, or its ``to_dict()``.
    path : str or path-like, optional
        Save the figure there too (format from the suffix: .png, .svg, .pdf).

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
    fig = _figure(figsize=(5 * len(panels), 3.5), layout="constrained")
    for ax, (title, train, val) in zip(fig.subplots(1, len(panels), squeeze=False)[0], panels):
        ax.plot(range(1, len(train) + 1), train, label="train")
        if val:
            ax.plot(range(1, len(val) + 1), val, label="validation")
        if history.best_epoch is not None:
            ax.axvline(history.best_epoch, color="grey", linestyle=":", label="best epoch")
        ax.set(title=title, xlabel="epoch")
        ax.legend()
    _save(fig, path)
    return fig


def plot_decision_boundary(
    model,
    X: np.ndarray,
    y: np.ndarray,
    path: str | os.PathLike | None = None,
    resolution: int = 100,
    threshold: float = 0.5,
):
    """The class a 2-input classifier predicts over the plane, with the data on top.

    Parameters
    ----------
    model : Module or CompiledModel
        A Module is compiled for the grid (much faster than the scalar
        engine) unless the compiled engine cannot run it (no numba,
        BatchNorm1d): then it goes through `nn.inference.predict` (see
        `nn.inference.Predictor`).
    X : array_like, shape (n_samples, 2)
    y : array_like, shape (n_samples,)
        Class labels, for the colours of the points.
    path : str or path-like, optional
        Save the figure there too.
    resolution : int, default 100
        Grid points per axis.
    threshold : float, default 0.5
        Decision threshold of a single output (0 for a logit); labels -1 and 1
        are read by its sign. Several outputs: the largest wins.

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from nn.datasets import xor
    >>> from nn.layers import MLP
    >>> X, y = xor(n_samples=8, seed=0)
    >>> fig = plot_decision_boundary(MLP(2, [4, 1], seed=0), X, y, resolution=20)
    >>> fig.axes[0].get_title()
    'decision boundary'
    """
    X, y = as_xy(X, y)
    if X.shape[1] != 2:
        raise ValueError(f"X: expected 2 features to draw in the plane, got {X.shape[1]}")
    if isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution: expected an int >= 2, got {resolution!r}")
    margin = 0.1 * (X.max(axis=0) - X.min(axis=0)) + 1e-3
    low, high = X.min(axis=0) - margin, X.max(axis=0) + margin
    xx, yy = np.meshgrid(
        np.linspace(low[0], high[0], resolution), np.linspace(low[1], high[1], resolution)
    )
    grid = np.column_stack([xx.ravel(), yy.ravel()])
    outputs = Predictor(model).predict(grid)
    classes = classify(np.asarray(outputs), threshold, signed=is_signed(y)).reshape(xx.shape)
    fig = _figure(figsize=(5, 4.5), layout="constrained")
    ax = fig.subplots()
    # Colour i for the i-th class in sorted order, so labels -1/1 and 0/1 look alike.
    labels = np.unique(np.concatenate([y, classes.ravel()]))
    colours = [f"C{i}" for i in range(len(labels))]
    bounds = np.arange(len(labels) + 1) - 0.5
    region = np.searchsorted(labels, classes)
    ax.contourf(xx, yy, region, levels=bounds, colors=colours, alpha=0.3)
    point_colours = [colours[i] for i in np.searchsorted(labels, y)]
    ax.scatter(X[:, 0], X[:, 1], c=point_colours, edgecolors="k", s=20)
    ax.set(title="decision boundary", xlabel="x[0]", ylabel="x[1]")
    _save(fig, path)
    return fig
