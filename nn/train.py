"""Training: the six steps of a neural network, repeated over mini-batches.

`fit` is the loop every tutorial writes by hand:

1. initialise weights and biases (done when the model is created),
2. forward pass: run the model on a batch,
3. loss: compare its outputs with the targets,
4. backward pass: ``loss.backward()`` fills every parameter's ``.grad``,
5. update: the optimizer moves each parameter against its gradient,
6. repeat for every batch, for several epochs.

It records the loss and accuracy of every epoch in a `History`, can watch a
validation set to stop early, and reports progress with a tqdm bar (when tqdm
is installed and the output is a terminal) and through the ``logging`` module
(logger ``"nn.train"``).

Examples
--------
>>> from nn.data import DataLoader
>>> from nn.datasets import xor
>>> from nn.losses import binary_cross_entropy_with_logits
>>> from nn.layers import MLP
>>> from nn.optim import Adam
>>> X, y = xor(n_samples=40, seed=0)
>>> model = MLP(2, [8, 1], seed=0)
>>> history = fit(model, binary_cross_entropy_with_logits, Adam(model.parameters(), lr=0.05),
...               DataLoader(X, y, batch_size=20, seed=0), epochs=3, progress=False)
>>> history.epochs, len(history.train_loss), len(history.train_accuracy)
(3, 3, 3)
"""

from __future__ import annotations

import logging
import numbers
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from autograd import Value
from autograd.numbers import saved_number
from nn.arrays import as_float_array
from nn.inference import check_engine, model_mode, output_row, predict
from nn.losses import decision_threshold

logger = logging.getLogger("nn.train")

Metric = Callable[[np.ndarray, np.ndarray], float]
Callback = Callable[[int, "History"], "bool | None"]


@dataclass
class History:
    """What happened in each epoch of `fit`.

    Lists hold one number per epoch, in order. Epochs are numbered from 1, as
    the logs, plots and callbacks count them, so
    ``history.val_loss[history.best_epoch - 1]`` is the best validation loss.

    Attributes
    ----------
    train_loss : list of float
        Mean loss over the epoch's training samples, measured on the batches
        as they were trained (before each batch's update).
    train_accuracy : list of float
        Accuracy measured the same way (empty when ``metric=None``).
    val_loss, val_accuracy : list of float
        On the validation set after the epoch (empty without one).
    epoch_seconds : list of float
        Wall time of each epoch, validation included.
    best_epoch : int or None
        Epoch (from 1) with the lowest validation loss (training loss without
        a validation set).
    stopped_early : bool
        True when early stopping or a callback ended training before ``epochs``.

    Examples
    --------
    >>> history = History(train_loss=[0.9, 0.4, 0.5])
    >>> history.epochs, min(history.train_loss)
    (3, 0.4)
    """

    train_loss: list[float] = field(default_factory=list)
    train_accuracy: list[float] = field(default_factory=list)
    val_loss: list[float] = field(default_factory=list)
    val_accuracy: list[float] = field(default_factory=list)
    epoch_seconds: list[float] = field(default_factory=list)
    best_epoch: int | None = None
    stopped_early: bool = False

    @property
    def epochs(self) -> int:
        """Number of epochs run.

        Examples
        --------
        >>> History(train_loss=[0.9, 0.4]).epochs
        2
        """
        return len(self.train_loss)

    def to_dict(self) -> dict:
        """Plain lists and numbers (JSON-able); `from_dict` reads it back.

        Examples
        --------
        >>> d = History(train_loss=[0.9, 0.4], best_epoch=2).to_dict()
        >>> d["train_loss"], d["best_epoch"], d["epochs"]
        ([0.9, 0.4], 2, 2)
        """
        return {**asdict(self), "epochs": self.epochs}

    @classmethod
    def from_dict(cls, d: dict, where: str = "history") -> History:
        """The `History` that `to_dict` described, checked field by field.

        Parameters
        ----------
        d : dict
            As `to_dict` writes it (every field optional).
        where : str
            What ``d`` is called in error messages.

        Raises
        ------
        TypeError
            If ``d`` is not a dict.
        ValueError
            Naming the field: an unknown one, a list that is not of finite
            numbers, a ``best_epoch`` that is not one of its epochs, or a
            ``stopped_early`` that is not a bool.

        Examples
        --------
        >>> history = History(train_loss=[0.9, 0.4], best_epoch=2)
        >>> History.from_dict(history.to_dict()) == history
        True
        >>> History.from_dict({"train_loss": [0.9], "best_epoch": 3})
        Traceback (most recent call last):
        ...
        ValueError: history.best_epoch: expected one of its epochs, 1 to 1, got 3
        """
        if not isinstance(d, dict):
            raise TypeError(f"{where}: expected a dict, got {type(d).__name__}")
        lists = [f.name for f in fields(cls) if f.default_factory is list]
        unknown = set(d) - {f.name for f in fields(cls)} - {"epochs"}
        if unknown:
            raise ValueError(f"{where}: unknown fields {sorted(unknown)}")
        for name in lists:
            entries = d.get(name, [])
            if not isinstance(entries, list):
                raise ValueError(f"{where}.{name}: expected a list of numbers")
            for i, x in enumerate(entries):
                saved_number(x, f"{where}.{name}[{i}]")
        watched = d.get("val_loss") or d.get("train_loss") or []
        best = d.get("best_epoch")
        if best is not None and not (type(best) is int and 1 <= best <= len(watched)):
            raise ValueError(
                f"{where}.best_epoch: expected one of its epochs, 1 to {len(watched)}, got {best}"
            )
        if not isinstance(d.get("stopped_early", False), bool):
            raise ValueError(f"{where}.stopped_early: expected true or false")
        return cls(**{key: value for key, value in d.items() if key != "epochs"})


# --- outputs, classes and scores ----------------------------------------------------


def _as_output(row: np.ndarray) -> Value | list[Value]:
    """The inverse of `output_row`: numbers shaped like a model's output."""
    return Value(row[0]) if len(row) == 1 else [Value(x) for x in row]


def classify(outputs: np.ndarray, threshold: float = 0.5, signed: bool = False) -> np.ndarray:
    """The predicted class of each sample, read from its outputs.

    * several outputs (one score per class): the index of the largest;
    * one output, ``signed=True`` (labels -1 and 1, as for the hinge loss):
      its sign, 1 when it exceeds 0 and -1 otherwise;
    * one output: 1 when it exceeds ``threshold``, else 0. Use 0.5 for a
      probability or a regression onto 0/1, and 0 for a logit.

    Examples
    --------
    >>> classify(np.array([[0.9], [0.2]])).tolist()
    [1, 0]
    >>> classify(np.array([[1.0, 3.0], [2.0, 0.0]])).tolist()
    [1, 0]
    """
    outputs = as_float_array(outputs, "outputs", ("n_samples", "n_outputs"))
    if outputs.shape[1] > 1:
        return outputs.argmax(axis=1)
    if signed:
        return np.where(outputs[:, 0] > 0.0, 1, -1)
    return (outputs[:, 0] > threshold).astype(np.int64)


def is_signed(targets: np.ndarray) -> bool:
    """True for labels -1 and 1 (as in micrograd's hinge-loss demo), rather than 0 and 1.

    Examples
    --------
    >>> is_signed(np.array([-1, 1, 1])), is_signed(np.array([0, 1, 1]))
    (True, False)
    """
    targets = np.asarray(targets)
    return bool(np.isin(targets, (-1, 1)).all() and (targets == -1).any())


def accuracy(outputs: np.ndarray, targets: np.ndarray, threshold: float = 0.5) -> float:
    """Share of samples whose predicted class (see `classify`) equals the target class.

    Parameters
    ----------
    outputs : ndarray, shape (n_samples, n_outputs)
    targets : ndarray, shape (n_samples,)
        Class labels (integers, or floats with integer values); labels -1 and
        1 are read by the sign of a single output.
    threshold : float, default 0.5
        Decision threshold of a single output.

    Examples
    --------
    >>> accuracy(np.array([[0.9], [0.2], [0.6]]), np.array([1, 0, 0]))
    0.6666666666666666
    >>> accuracy(np.array([[2.0], [-0.5]]), np.array([1.0, -1.0]))
    1.0
    """
    outputs = as_float_array(outputs, "outputs", ("n_samples", "n_outputs"))
    targets = as_float_array(targets, "targets", (len(outputs),), keep_integers=True)
    if not np.array_equal(targets, np.round(targets)):
        raise ValueError(
            "accuracy: needs class labels (integer targets); "
            "for regression pass metric=None to fit, or a metric function"
        )
    predicted = classify(outputs, threshold, signed=is_signed(targets))
    return float(np.mean(predicted == targets))


def rmse(outputs: np.ndarray, targets: np.ndarray) -> float:
    """Root mean squared error of single outputs against numeric targets (regression).

    Examples
    --------
    >>> rmse(np.array([[1.0], [3.0]]), np.array([1.0, 1.0]))  # √(4/2)
    1.4142135623730951
    """
    outputs = as_float_array(outputs, "outputs", ("n_samples", 1))
    targets = as_float_array(targets, "targets", (len(outputs),))
    return float(np.sqrt(np.mean((outputs[:, 0] - targets) ** 2)))


def _metric_function(metric: str | Metric | None, loss_fn: Callable) -> Metric | None:
    if metric is None or callable(metric):
        return metric
    if metric != "accuracy":
        raise ValueError(f"metric: expected 'accuracy', a function or None, got {metric!r}")
    threshold = decision_threshold(loss_fn)
    return lambda outputs, targets: accuracy(outputs, targets, threshold)


# --- one epoch -------------------------------------------------------------------------


def _mean_loss(loss_fn: Callable, outputs: Sequence, targets: np.ndarray) -> Value:
    """The batch's loss: the mean of the per-sample losses (a Value to backpropagate)."""
    return sum(loss_fn(out, t) for out, t in zip(outputs, targets)) / len(targets)


class _Running:
    """Sample-weighted means of the loss and of the metric over an epoch's batches."""

    def __init__(self, loader_name: str) -> None:
        self.loader_name, self.n, self.loss, self.score = loader_name, 0, 0.0, None

    def add(self, loss: float, score: float | None, n: int) -> None:
        self.n += n
        self.loss += loss * n
        if score is not None:
            self.score = (self.score or 0.0) + score * n

    def means(self) -> tuple[float, float | None]:
        if self.n == 0:
            raise ValueError(f"{self.loader_name}: yielded no batches")
        return self.loss / self.n, (None if self.score is None else self.score / self.n)


def _train_epoch(
    model, loss_fn, optimizer, loader, compiled, metric_fn
) -> tuple[float, float | None]:
    running = _Running("train_loader")
    for xb, yb in loader:
        if compiled is None:
            optimizer.zero_grad()  # gradients accumulate: clear the last batch's
            outputs = model.forward_batch(xb)  # step 2: forward
            loss = _mean_loss(loss_fn, outputs, yb)  # step 3: loss
            loss.backward()  # step 4: backward
            batch_loss = loss.data
            rows = np.array([output_row(out) for out in outputs]) if metric_fn else None
            optimizer.step()  # step 5: update
        else:
            # The same steps 2-5 run by the compiled tape for the whole batch, on arrays.
            if metric_fn:
                batch_loss, rows = compiled.step(optimizer, xb, yb, return_outputs=True)
            else:
                batch_loss, rows = compiled.step(optimizer, xb, yb), None
        running.add(batch_loss, metric_fn(rows, yb) if metric_fn else None, len(yb))
    return running.means()


def evaluate(
    model,
    loss_fn: Callable,
    loader: Iterable,
    metric: str | Metric | None = "accuracy",
    compiled=None,
) -> tuple[float, float | None]:
    """Mean loss and metric of ``model`` over every batch of ``loader``, in eval mode.

    Parameters
    ----------
    model : Module
    loss_fn : callable
        Per-sample loss ``loss_fn(output, target) -> Value``.
    loader : iterable of (X_batch, y_batch)
    metric : 'accuracy', callable or None
        As in `fit`.
    compiled : CompiledModel, optional
        Compute the outputs with it instead of the scalar engine.

    Returns
    -------
    loss : float
    metric : float or None

    Examples
    --------
    >>> from nn.data import DataLoader
    >>> from nn.losses import mse_loss
    >>> from nn.layers import MLP
    >>> model = MLP(1, [1], init="zeros", seed=0)
    >>> loader = DataLoader(np.ones((4, 1)), np.array([1, 1, 0, 0]), batch_size=2)
    >>> evaluate(model, mse_loss, loader)
    (0.5, 0.5)
    """
    metric_fn = _metric_function(metric, loss_fn)
    running = _Running("loader")
    for xb, yb in loader:
        rows = predict(model, xb) if compiled is None else compiled.predict(xb)
        # The loss of numbers, not of the model's graph: nothing to backpropagate.
        batch_loss = _mean_loss(loss_fn, [_as_output(row) for row in rows], yb).data
        running.add(batch_loss, metric_fn(rows, yb) if metric_fn else None, len(yb))
    return running.means()


# --- the loop ------------------------------------------------------------------------


def fit(
    model,
    loss_fn: Callable,
    optimizer,
    train_loader: Iterable,
    val_loader: Iterable | None = None,
    epochs: int = 10,
    callbacks: Sequence[Callback] | None = None,
    *,
    engine: str = "scalar",
    progress: bool = True,
    early_stopping: int | None = None,
    metric: str | Metric | None = "accuracy",
    history: History | None = None,
    verbose: bool = False,
) -> History:
    """Train ``model`` for ``epochs`` passes over ``train_loader``.

    For each batch: ``optimizer.zero_grad()``, ``outputs = model.forward_batch(X_batch)``,
    ``loss`` = mean of ``loss_fn(output, target)`` over the batch,
    ``loss.backward()``, ``optimizer.step()``.

    Parameters
    ----------
    model : Module
    loss_fn : callable
        Per-sample loss ``loss_fn(output, target) -> Value``, such as
        ``nn.losses.mse_loss`` or ``nn.losses.cross_entropy``.
    optimizer : SGD or Adam
        Built on ``model.parameters()``.
    train_loader, val_loader : iterable of (X_batch, y_batch)
        A `nn.data.DataLoader`, or anything that yields numpy batches each time
        it is iterated.
    epochs : int, default 10
    callbacks : list of callables, optional
        Each is called as ``callback(epoch, history)`` after every epoch
        (``epoch`` counts from 1, after the epochs of a given ``history``;
        ``history`` already holds that epoch's numbers). A callback that
        returns True stops training.
    engine : {'scalar', 'compiled'}
        ``'scalar'`` builds a `Value` graph per batch (the teaching path);
        ``'compiled'`` compiles ``model.compile(loss_fn)`` once and runs each
        batch's whole step with ``compiled.step(optimizer, X, y)``: forward,
        backward and update on arrays (same numbers, much faster).
    progress : bool, default True
        Show a tqdm bar on stderr when tqdm is installed (the ``progress``
        extra) and stderr is a terminal.
    early_stopping : int, optional
        Patience: stop once the validation loss has not improved for this
        many epochs, and put back the weights of the best epoch. Needs
        ``val_loader``.
    metric : 'accuracy', callable or None
        ``'accuracy'`` uses `accuracy`, with the decision threshold that
        ``loss_fn`` declares (`nn.losses.decision_threshold`: 0 for a logit,
        as for ``binary_cross_entropy_with_logits``, else 0.5). A callable
        ``metric(outputs, targets) -> float`` receives the outputs as an
        ``(n, n_outputs)`` array and replaces it; its values are stored as
        the accuracy. None measures only the loss (use it for regression).
    history : History, optional
        Continue this one (a resumed run, say from a checkpoint's
        ``History.to_dict()``): the new epochs are numbered after its epochs
        and appended to a copy of it, which is returned. Its best epoch stays
        the best until a new one beats it.
    verbose : bool, default False
        Print one line per epoch to stdout (the line the logger gets, see
        `epoch_summary`) when no bar is shown: with ``progress=False``, when
        stderr is not a terminal, or without tqdm. One kind of progress
        output at a time, as in a terminal the bar already shows the numbers.

    Returns
    -------
    History

    Examples
    --------
    Learn y = 2x with one linear neuron; the loss falls each epoch:

    >>> from nn.data import DataLoader
    >>> from nn.losses import mse_loss
    >>> from nn.layers import MLP
    >>> from nn.optim import SGD
    >>> model = MLP(1, [1], init="zeros")
    >>> loader = DataLoader(np.array([[0.0], [1.0]]), np.array([0.0, 2.0]), batch_size=2)
    >>> history = fit(model, mse_loss, SGD(model.parameters(), lr=0.5), loader, epochs=3,
    ...               progress=False, metric=None)
    >>> history.train_loss
    [2.0, 0.5, 0.25]
    """
    _check_fit_arguments(loss_fn, epochs, callbacks, engine, early_stopping, val_loader)
    metric_fn = _metric_function(metric, loss_fn)
    compiled = model.compile(loss_fn) if engine == "compiled" else None
    history = History() if history is None else History.from_dict(history.to_dict())
    history.stopped_early, best_state = False, None
    first, last = history.epochs, history.epochs + epochs  # epochs first+1 .. last
    bar = _progress_bar(first, last, progress)
    try:
        with model_mode(model, training=True):
            for epoch in bar:
                start = time.perf_counter()
                loss, score = _train_epoch(
                    model, loss_fn, optimizer, train_loader, compiled, metric_fn
                )
                _append(history.train_loss, history.train_accuracy, loss, score)
                if val_loader is not None:
                    loss, score = evaluate(model, loss_fn, val_loader, metric_fn, compiled)
                    _append(history.val_loss, history.val_accuracy, loss, score)
                history.epoch_seconds.append(time.perf_counter() - start)
                watched = history.val_loss or history.train_loss
                if history.best_epoch is None or watched[-1] < watched[history.best_epoch - 1]:
                    history.best_epoch = epoch
                    if early_stopping is not None:
                        best_state = model.state_dict()
                _report(bar, last, history, verbose)
                if _should_stop(epoch, history, callbacks, early_stopping):
                    history.stopped_early = True
                    break
    finally:
        if compiled is not None:
            compiled.sync()  # the trained numbers back into the Values
        if hasattr(bar, "close"):
            bar.close()
    if best_state is not None:
        model.load_state_dict(best_state)
    return history


def _append(losses: list, scores: list, loss: float, score: float | None) -> None:
    losses.append(loss)
    if score is not None:
        scores.append(score)


def _should_stop(epoch: int, history: History, callbacks, early_stopping: int | None) -> bool:
    # Every callback sees every epoch, even when another one asks to stop.
    asked = [callback(epoch, history) is True for callback in callbacks or ()]
    if early_stopping is not None and epoch - history.best_epoch >= early_stopping:
        logger.info("early stopping: no improvement since epoch %d", history.best_epoch)
        return True
    if any(asked):
        logger.info("a callback stopped training after epoch %d", epoch)
        return True
    return False


def _check_fit_arguments(loss_fn, epochs, callbacks, engine, early_stopping, val_loader) -> None:
    if not callable(loss_fn):
        raise TypeError(f"loss_fn: expected a function (output, target) -> Value, got {loss_fn!r}")
    if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral) or epochs < 1:
        raise ValueError(f"epochs: expected an int >= 1, got {epochs!r}")
    check_engine(engine)
    for callback in callbacks or ():
        if not callable(callback):
            raise TypeError(f"callbacks: expected functions (epoch, history), got {callback!r}")
    if early_stopping is not None:
        if isinstance(early_stopping, bool) or not isinstance(early_stopping, numbers.Integral):
            raise TypeError(f"early_stopping: expected an int patience, got {early_stopping!r}")
        if early_stopping < 1:
            raise ValueError(f"early_stopping: expected a patience >= 1, got {early_stopping}")
        if val_loader is None:
            raise ValueError("early_stopping: watches the validation loss; pass a val_loader")


def _progress_bar(first: int, last: int, progress: bool) -> Iterable[int]:
    """Epochs ``first + 1 .. last``, in a tqdm bar when asked for, tqdm is
    installed and stderr is a terminal (not a CI log or a pipe)."""
    epochs = range(first + 1, last + 1)
    if not (progress and sys.stderr is not None and sys.stderr.isatty()):
        return epochs
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return epochs
    return tqdm(epochs, "training", last, initial=first, unit="epoch")


def epoch_summary(history: History, epochs: int | None = None) -> str:
    """The last epoch of ``history`` in one line, as `fit` logs and prints it.

    ``epochs`` is the number the run will reach (shown as ``3/10``).

    Examples
    --------
    >>> history = History(train_loss=[0.9, 0.4], train_accuracy=[0.5, 0.75], val_loss=[1.0, 0.5])
    >>> epoch_summary(history, 10)
    'epoch 2/10: loss=0.4000 acc=0.7500 val_loss=0.5000'
    """
    done = f"{history.epochs}/{epochs}" if epochs is not None else f"{history.epochs}"
    return f"epoch {done}: {_numbers_text(history)}"


def _numbers_text(history: History) -> str:
    numbers_ = {"loss": history.train_loss[-1]}
    if history.train_accuracy:
        numbers_["acc"] = history.train_accuracy[-1]
    if history.val_loss:
        numbers_["val_loss"] = history.val_loss[-1]
    if history.val_accuracy:
        numbers_["val_acc"] = history.val_accuracy[-1]
    return " ".join(f"{name}={value:.4f}" for name, value in numbers_.items())


def _report(bar, epochs: int, history: History, verbose: bool) -> None:
    """One kind of progress at a time: the bar's numbers, or else a printed line."""
    line = f"{epoch_summary(history, epochs)} ({history.epoch_seconds[-1]:.2f} s)"
    logger.info("%s", line)
    if hasattr(bar, "set_postfix_str"):
        bar.set_postfix_str(_numbers_text(history))
    elif verbose:
        print(line, flush=True)
