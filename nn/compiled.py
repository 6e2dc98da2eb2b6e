"""`CompiledModel`: the same model and loss, traced once and run by Numba kernels.

``model.compile(loss_fn)`` traces two tapes (see `autograd.tape`): the model
alone, for ``predict``, and the per-sample loss ``loss_fn(model(x), target)``,
for ``loss_and_grad``. Both read the parameters' current ``.data`` on every
call and ``loss_and_grad`` adds into their ``.grad``, exactly as ``backward()``
on the batch's mean loss would; so `nn.optim` optimizers, ``zero_grad()`` and
checkpoints work unchanged, and an optimizer step needs no new trace.

Class-index targets (`nn.losses.cross_entropy`, or any loss that refuses a
`Value` where a class index goes) cannot be placeholders: an index picks
*which* logit enters the graph. So the loss tape then has one output per
class, ``loss_fn(model(x), c)`` for every class ``c``, sharing the model (and
the log-sum-exp); each sample's loss is the output its label selects. That
computes for each sample exactly the graph the scalar engine builds, which
turning labels into one-hot probability targets would not.

Limits, all raised as clear errors or documented here:

* `nn.batchnorm.BatchNorm1d` normalises over the batch: not supported by the
  compiled engine (use ``engine='scalar'``).
* Python ``if`` s on the numbers are traced once: the loss on the first
  sample of the first batch (the model alone on inputs of 0.5). The losses
  of `nn.losses` have no such ``if``: the stable softmax shift (a chain of
  ``max`` ops) and `nn.losses.binary_cross_entropy` 's clamp of ``log(p)``
  at -100 (a ``clamp_min`` op) are ops of the tape, run on every sample.

Examples
--------
>>> import numpy as np
>>> from nn.losses import mse_loss
>>> from nn.layers import MLP
>>> model = MLP(2, [4, 1], seed=0)
>>> compiled = model.compile(mse_loss)
>>> X, y = np.array([[0.5, -1.0], [1.0, 2.0]]), np.array([1.0, 0.0])
>>> scalar = sum(mse_loss(model(x), t) for x, t in zip(X, y)) / 2
>>> bool(abs(compiled.loss_and_grad(X, y) - scalar.data) < 1e-12)
True
>>> compiled.predict(X).shape
(2, 1)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from autograd import kernels
from autograd.tape import Tape, trace
from autograd.value import Value, accumulate_grads
from nn.arrays import as_float_array
from nn.losses import check_targets

_EXAMPLE_INPUT = 0.5
_EXAMPLE_TARGET = 1.0  # a valid target for every loss in nn.losses (hinge wants ±1)


class CompiledModel:
    """A model and a per-sample loss, compiled for whole batches.

    Parameters
    ----------
    model : nn.module.Module
        A per-sample model (``model(x)`` for one input vector).
    loss_fn : callable
        ``loss_fn(output, target) -> Value``: the loss of one sample.

    Attributes
    ----------
    tape : Tape
        The traced per-sample loss; ``print(compiled.tape)`` shows it.
    predict_tape : Tape
        The traced model, for ``predict``.
    classification : bool
        True when targets are class indices (one tape output per class).
    params : list of Value
        ``model.parameters()``, in the tapes' order.
    n_inputs, n_outputs : int
        The model's input and output widths.

    Examples
    --------
    >>> from nn.losses import mse_loss
    >>> from nn.layers import MLP
    >>> CompiledModel(MLP(1, [1], activation=None, init="zeros"), mse_loss)
    CompiledModel(MLP, loss_fn=mse_loss, 4 instructions, 2 parameters)
    """

    def __init__(self, model: Any, loss_fn: Callable[[Any, Any], Value]) -> None:
        for name, module in model.named_modules():
            if module.batch_dependent:
                raise NotImplementedError(
                    f"{type(module).__name__} ({name}) is not supported by the compiled engine: "
                    "it normalises over the batch, which a per-sample tape cannot; "
                    "use engine='scalar'"
                )
        if not callable(loss_fn):
            raise TypeError(f"loss_fn: expected a callable, got {type(loss_fn).__name__}")
        self.model, self.loss_fn = model, loss_fn
        self.params: list[Value] = model.parameters()
        self.n_inputs = _input_width(model)
        self.predict_tape = trace(
            model, self.n_inputs, self.params, example_inputs=[_EXAMPLE_INPUT] * self.n_inputs
        )
        self.n_outputs = len(self.predict_tape.output_slots)
        self._predict_space = kernels.Workspace(self.predict_tape)
        self._tape: Tape | None = None  # traced on first use, on that batch's first sample

    @property
    def tape(self) -> Tape:
        """The traced per-sample loss (traced with placeholder numbers if not yet used).

        Examples
        --------
        >>> from nn.losses import mse_loss
        >>> from nn.layers import MLP
        >>> tape = MLP(1, [1], activation=None, init="zeros").compile(mse_loss).tape
        >>> print(str(tape).splitlines()[-1])  # (w·x + b - target)² is instruction %5
        outputs: %5
        """
        if self._tape is None:
            self._trace_loss([_EXAMPLE_INPUT] * self.n_inputs, _EXAMPLE_TARGET)
        return self._tape

    @property
    def classification(self) -> bool:
        """True when the targets are class indices: one tape output per class.

        Examples
        --------
        >>> from nn.losses import cross_entropy, mse_loss
        >>> from nn.layers import MLP
        >>> MLP(2, [3], seed=0).compile(cross_entropy).classification  # 3 class scores
        True
        >>> MLP(2, [1], seed=0).compile(mse_loss).classification  # a number to regress onto
        False
        """
        return len(self.tape.target_slots) == 0

    def _trace_loss(self, example: list[float], target: float) -> None:
        model, loss_fn = self.model, self.loss_fn
        try:
            self._tape = trace(
                lambda x, t: loss_fn(model(x), t[0]),
                self.n_inputs,
                self.params,
                n_targets=1,
                example_inputs=example,
                example_targets=[target],
            )
        except TypeError:  # the loss wants a class index, which a placeholder cannot be

            def every_class(x: list[Value]) -> list[Value]:
                output = model(x)
                return [loss_fn(output, c) for c in range(self.n_outputs)]

            self._tape = trace(every_class, self.n_inputs, self.params, example_inputs=example)
        self._loss_space = kernels.Workspace(self._tape)

    def __repr__(self) -> str:
        return (
            f"CompiledModel({type(self.model).__name__}, loss_fn={_name(self.loss_fn)}, "
            f"{len(self.tape)} instructions, {len(self.params)} parameters)"
        )

    def _uniform(self, tape: Tape) -> np.ndarray:
        """The tape's parameters and constants, with the parameters' current values."""
        uniform = tape.uniform.copy()
        uniform[: tape.n_params] = [p.data for p in self.params]
        return uniform

    def loss_and_grad(self, X: Any, y: Any) -> float:
        """The batch's mean loss; adds its gradient into each parameter's ``.grad``.

        Parameters
        ----------
        X : array-like, shape (batch, n_inputs)
            Inputs.
        y : array-like, shape (batch,)
            Targets: numbers, or class indices for a classification loss.

        Returns
        -------
        float
            ``mean(loss_fn(model(x), t) for x, t in zip(X, y))``.

        Examples
        --------
        With w = b = 0 each loss is (0 - 1)², and ∂/∂w of the mean is mean(-2·x):

        >>> from nn.losses import mse_loss
        >>> from nn.layers import MLP
        >>> model = MLP(1, [1], activation=None, init="zeros")
        >>> model.compile(mse_loss).loss_and_grad(np.array([[1.0], [2.0]]), np.array([1.0, 1.0]))
        1.0
        >>> [p.grad for p in model.parameters()]  # w, then b
        [-3.0, -2.0]
        """
        X = self._check_X(X)
        y = as_float_array(y, "y", (len(X),), min_len=1)
        if self._tape is None:
            self._trace_loss(X[0].tolist(), float(y[0]))
        if self.classification:
            if not (np.all(y == np.round(y)) and np.all((y >= 0) & (y < self.n_outputs))):
                bad = y[(y != np.round(y)) | (y < 0) | (y >= self.n_outputs)][0]
                raise ValueError(f"y: expected class indices 0 to {self.n_outputs - 1}, got {bad}")
            T, selected = None, y.astype(np.int64)
        else:
            check_targets(self.loss_fn, y)  # the scalar loss's own check, on every sample
            T, selected = y.reshape(-1, 1), None
        losses, grad = kernels.loss_and_grad(
            self.tape, X, T, selected, self._uniform(self.tape), self._loss_space
        )
        accumulate_grads(self.params, grad.tolist(), "loss_and_grad")  # as backward() adds
        return sum(losses.tolist()) / len(X)  # summed in order, as the scalar mean is

    def predict(self, X: Any) -> np.ndarray:
        """The model's outputs for a batch: shape (batch, n_outputs).

        Examples
        --------
        >>> from nn.losses import mse_loss
        >>> from nn.layers import MLP
        >>> model = MLP(3, [2], activation=None, init="zeros")
        >>> model.compile(mse_loss).predict(np.ones((4, 3))).tolist()
        [[0.0, 0.0], [0.0, 0.0], [0.0, 0.0], [0.0, 0.0]]
        """
        X = self._check_X(X)
        uniform = self._uniform(self.predict_tape)
        return kernels.forward(self.predict_tape, X, None, uniform, self._predict_space)

    def _check_X(self, X: Any) -> np.ndarray:
        return as_float_array(X, "X", ("batch", self.n_inputs), min_len=1)


def _input_width(model: Any) -> int:
    nin = getattr(model, "nin", None)
    if isinstance(nin, bool) or not isinstance(nin, int):
        raise TypeError(
            f"compile: cannot tell how many inputs {type(model).__name__} takes: "
            "give it an integer attribute or property 'nin'"
        )
    return nin


def _name(fn: Callable) -> str:
    return getattr(fn, "__name__", type(fn).__name__)
