"""Running a trained model on many rows: the engines, `predict` and the one `Predictor`.

`predict` runs a model on the scalar engine, one `Value` graph per row, in
eval mode. `Predictor` is what every caller that predicts uses (plots, the
``tapegrad`` command, your own scripts): it applies the input scaling the
model was trained with and runs the model on the compiled engine when it can,
on the scalar one otherwise. `ENGINES` is the one list of engine names.

Examples
--------
>>> from nn.layers import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> outputs = Predictor(model).predict(np.zeros((4, 2)))
>>> outputs.shape, np.allclose(outputs, predict(model, np.zeros((4, 2))), rtol=1e-12)
((4, 1), True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import partial

import numpy as np

from autograd import Value
from nn.arrays import as_float_array
from nn.data import Standardizer

# The engines that run a model, in the order the documentation presents them:
# the Value graph (the teaching path) and the Numba tape (same numbers, faster).
ENGINES = ("scalar", "compiled")


def check_engine(engine: object) -> str:
    """``engine`` if it names one of `ENGINES`, else a ValueError naming the choices.

    Examples
    --------
    >>> check_engine("scalar")
    'scalar'
    """
    if engine not in ENGINES:
        raise ValueError(f"engine: expected one of {ENGINES}, got {engine!r}")
    return engine


def output_row(output: Value | Sequence[Value]) -> list[float]:
    """One sample's model output (a Value, or a list of them) as a list of floats.

    Examples
    --------
    >>> output_row(Value(2.0)), output_row([Value(1.0), Value(-1.0)])
    ([2.0], [1.0, -1.0])
    """
    if isinstance(output, Value):
        return [output.data]
    return [v.data for v in output]


@contextmanager
def model_mode(model, training: bool) -> Iterator[None]:
    """Run a block in training or eval mode, then put the model's mode back.

    Examples
    --------
    >>> from nn.layers import MLP
    >>> model = MLP(2, [1])
    >>> with model_mode(model, training=False):
    ...     model.training
    False
    >>> model.training
    True
    """
    was_training = model.training
    model.train(training)
    try:
        yield
    finally:
        model.train(was_training)


def predict(model, X: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """Run ``model`` on every row of ``X`` in eval mode, on the scalar engine.

    Parameters
    ----------
    model : Module
    X : array_like, shape (n_samples, n_features)
    batch_size : int, default 256
        Rows per call of ``model.forward_batch`` (matters only for BatchNorm,
        which uses its running statistics in eval mode anyway).

    Returns
    -------
    ndarray of float64, shape (n_samples, n_outputs)

    Examples
    --------
    >>> from nn.layers import MLP
    >>> predict(MLP(2, [3, 1], seed=0), np.zeros((4, 2))).shape
    (4, 1)
    """
    X = as_float_array(X, "X", ("n_samples", "n_features"), min_len=1)  # as the compiled
    with model_mode(model, training=False):
        rows = [
            output_row(out)
            for start in range(0, len(X), batch_size)
            for out in model.forward_batch(X[start : start + batch_size])
        ]
    return np.array(rows, dtype=np.float64).reshape(len(X), -1)


class Predictor:
    """A trained model with the input scaling it was trained with: raw rows in, outputs out.

    Parameters
    ----------
    model : Module or CompiledModel
        A compiled model (anything with a ``predict(X)`` method) is used as it
        is. A Module runs on the compiled engine when ``engine='compiled'``
        and it can: not without Numba, nor with a layer the tape cannot run
        (`BatchNorm1d`); then, and with ``engine='scalar'``, through `predict`.
    standardizer : Standardizer, optional
        Applied to the rows before the model sees them.
    engine : {'scalar', 'compiled'}, default 'compiled'

    Examples
    --------
    >>> from nn.layers import MLP
    >>> scaler = Standardizer().fit(np.array([[0.0, 0.0], [2.0, 4.0]]))
    >>> model = MLP(2, [3, 1], seed=0)
    >>> Predictor(model, scaler, "scalar").predict(np.array([[1.0, 2.0]])).tolist() == (
    ...     predict(model, np.zeros((1, 2))).tolist())  # scaled to [0, 0] first
    True
    """

    def __init__(
        self, model, standardizer: Standardizer | None = None, engine: str = "compiled"
    ) -> None:
        self.model, self.standardizer, self.engine = model, standardizer, check_engine(engine)
        self._run = _runner(model, engine)

    def predict(self, X: np.ndarray) -> np.ndarray:
        """Outputs of shape (n_samples, n_outputs) for raw (unscaled) rows.

        Examples
        --------
        >>> from nn.layers import MLP
        >>> model = MLP(2, [1], activation=None, init="zeros")
        >>> Predictor(model, engine="scalar").predict(np.ones((3, 2))).tolist()
        [[0.0], [0.0], [0.0]]
        """
        if self.standardizer is not None:
            X = self.standardizer.transform(X)
        return np.asarray(self._run(X), dtype=np.float64)


def _runner(model, engine: str) -> Callable[[np.ndarray], np.ndarray]:
    if callable(getattr(model, "predict", None)):  # already compiled
        return model.predict
    if engine == "compiled":
        try:
            # CompiledModel wants a loss to trace; its predict() never uses it.
            return model.compile(_sum_of_outputs).predict
        except (ImportError, NotImplementedError):  # no numba, or a layer it cannot run
            pass
    return partial(predict, model)


def _sum_of_outputs(output: Value | Sequence[Value], target: object) -> Value:
    return output if isinstance(output, Value) else sum(output)
