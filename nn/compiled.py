"""`CompiledModel`: the same model and loss, traced once and run by Numba kernels.

``model.compile(loss_fn)`` traces two tapes (see `autograd.tape`): the model
alone, for ``predict``, and the per-sample loss ``loss_fn(model(x), target)``
(followed by the model's outputs, which ``step`` can return), for
``loss_and_grad`` and ``step``. Both read the parameters' current ``.data`` on every
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
from autograd.blocks import Program
from autograd.tape import Tape, trace
from autograd.value import Value, accumulate_grads
from nn.arrays import as_float_array
from nn.losses import check_targets
from nn.optim import Optimizer
from nn.whole_step import ArrayParameters, OptimizerView

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
        self._predict_program = Program(self.predict_tape)
        self._tape: Tape | None = None  # traced on first use, on that batch's first sample
        self._held = ArrayParameters(self.params)  # the parameters while `step` trains
        self._optimizer: OptimizerView | None = None

    @property
    def tape(self) -> Tape:
        """The traced per-sample loss (traced with placeholder numbers if not yet used).

        Examples
        --------
        >>> from nn.losses import mse_loss
        >>> from nn.layers import MLP
        >>> tape = MLP(1, [1], activation=None, init="zeros").compile(mse_loss).tape
        >>> print(str(tape).splitlines()[-1])  # the loss (w·x + b - target)², then w·x + b
        outputs: %5 %3
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
        # The tape's outputs: the loss (one per class for class-index targets),
        # then the model's outputs, which `step` can hand back at no extra cost.
        model, loss_fn = self.model, self.loss_fn

        def loss_then_outputs(x: list[Value], t: list[Value]) -> list[Value]:
            output = model(x)
            return [loss_fn(output, t[0]), *_as_list(output)]

        def every_class_then_outputs(x: list[Value]) -> list[Value]:
            output = model(x)
            return [*(loss_fn(output, c) for c in range(self.n_outputs)), *_as_list(output)]

        try:
            self._tape = trace(
                loss_then_outputs,
                self.n_inputs,
                self.params,
                n_targets=1,
                example_inputs=example,
                example_targets=[target],
            )
        except TypeError:  # the loss wants a class index, which a placeholder cannot be
            self._tape = trace(
                every_class_then_outputs, self.n_inputs, self.params, example_inputs=example
            )
        n_losses = len(self._tape.output_slots) - self.n_outputs
        self._model_outputs = slice(n_losses, None)
        self._loss_space = kernels.Workspace(self._tape)
        self._program = Program(self._tape)

    @property
    def program(self) -> Program:
        """The loss tape as `step` runs it: layer blocks, and the instructions between them.

        Examples
        --------
        >>> from nn.losses import mse_loss
        >>> from nn.layers import MLP
        >>> program = MLP(2, [3, 1], seed=0).compile(mse_loss).program
        >>> print(str(program).splitlines()[3])  # the three neurons of the first layer
        %3..%5 = block 3×2 [$0 … $7] @ [%0 … %1] + [$2 … $8]
        """
        if self._tape is None:
            self.tape  # noqa: B018 (traces the loss with placeholder numbers)
        return self._program

    def __repr__(self) -> str:
        return (
            f"CompiledModel({type(self.model).__name__}, loss_fn={_name(self.loss_fn)}, "
            f"{len(self.tape)} instructions, {len(self.params)} parameters)"
        )

    def _uniform(self, tape: Tape) -> np.ndarray:
        """The tape's parameters and constants, with the parameters' current values."""
        uniform = tape.uniform.copy()
        if self._held.held:  # `step` is training: the array has the numbers
            uniform[: tape.n_params] = self._held.uniform[: tape.n_params]
        else:
            uniform[: tape.n_params] = [p.data for p in self.params]
        return uniform

    def _targets(self, X: np.ndarray, y: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
        """``(T, selected)`` for the kernels: a target column, or each sample's class output."""
        y = as_float_array(y, "y", (len(X),), min_len=1)
        if self._tape is None:
            self._trace_loss(X[0].tolist(), float(y[0]))
        if not self.classification:
            check_targets(self.loss_fn, y)  # the scalar loss's own check, on every sample
            return y.reshape(-1, 1), None
        bad = (y < 0) | (y >= self.n_outputs)  # first: only small numbers are cast
        if not bad.any():
            classes = y.astype(np.int64)
            bad = classes != y  # a fraction
        if bad.any():
            last = self.n_outputs - 1
            raise ValueError(f"y: expected class indices 0 to {last}, got {y[bad][0]}")
        return None, classes

    def step(
        self, optimizer: Optimizer, X: Any, y: Any, *, return_outputs: bool = False
    ) -> float | tuple[float, np.ndarray]:
        """One whole training step on the batch; returns its mean loss (before the update).

        zero_grad, forward, backward and ``optimizer`` 's update, on arrays: the
        parameters stay in one array between steps (see `nn.whole_step`), and
        each parameter's `Value` is brought up to date when it is read. The
        gradient is this batch's alone (nothing accumulates from ``.grad``).

        Parameters
        ----------
        optimizer : nn.optim.SGD, Adam or AdamW
            Built on (some of) ``model.parameters()``.
        X : array-like, shape (batch, n_inputs)
        y : array-like, shape (batch,)
            As for `loss_and_grad`.
        return_outputs : bool, default False
            Also return the model's outputs on the batch, from the same forward
            pass (before the update): what `predict` would have given.

        Returns
        -------
        loss : float
        outputs : ndarray, shape (batch, n_outputs)
            Only with ``return_outputs=True``.

        Raises
        ------
        ValueError
            For a bad ``X`` or ``y`` (naming it), or an optimizer on other parameters.
        ArithmeticError
            If the forward or backward pass, or the update, is not finite. In
            every case no parameter and no optimizer state changes.

        Examples
        --------
        >>> from nn.losses import mse_loss
        >>> from nn.layers import MLP
        >>> from nn.optim import SGD
        >>> model = MLP(1, [1], activation=None, init="zeros")
        >>> compiled, opt = model.compile(mse_loss), SGD(model.parameters(), lr=0.5)
        >>> compiled.step(opt, np.array([[1.0], [2.0]]), np.array([1.0, 1.0]))
        1.0
        >>> [p.data for p in model.parameters()]  # w, b: 0 - 0.5 · (-3, -2)
        [1.5, 1.0]
        >>> loss, outputs = compiled.step(opt, [[1.0]], [1.0], return_outputs=True)
        >>> outputs.tolist()  # w·1 + b before this step's update
        [[2.5]]
        """
        X = self._check_X(X)
        T, selected = self._targets(X, y)
        if self._optimizer is None or not self._optimizer.current(optimizer):
            self._optimizer = OptimizerView(optimizer, self.params)
        uniform = self._held.hold(self.tape.uniform)
        losses, grad = self._program.loss_and_grad(X, T, selected, uniform)
        outputs = self._program.last_outputs(self._model_outputs) if return_outputs else None
        self._optimizer.update(uniform[: len(self.params)], grad)
        self._held.grad = grad.copy()
        loss = float(losses.sum()) / len(X)
        return (loss, outputs) if return_outputs else loss

    def sync(self) -> None:
        """Bring every parameter's `Value` up to date after `step` (reading one does it too).

        Examples
        --------
        >>> from nn.losses import mse_loss
        >>> from nn.layers import MLP
        >>> from nn.optim import SGD
        >>> model = MLP(1, [1], activation=None, init="zeros")
        >>> compiled = model.compile(mse_loss)
        >>> _ = compiled.step(SGD(model.parameters(), lr=0.5), [[1.0]], [1.0])
        >>> compiled.sync()
        >>> type(model.parameters()[0]).__name__
        'Value'
        """
        self._held.sync()

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
        T, selected = self._targets(X, y)
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
        return self._predict_program.forward(X, None, self._uniform(self.predict_tape))

    def _check_X(self, X: Any) -> np.ndarray:
        return as_float_array(X, "X", ("batch", self.n_inputs), min_len=1)


def _as_list(output: Value | list[Value]) -> list[Value]:
    return [output] if isinstance(output, Value) else list(output)


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
