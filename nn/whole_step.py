"""The whole training step on arrays: parameters and optimizer state stay out of the `Value` s.

`nn.compiled.CompiledModel.loss_and_grad` reads every parameter's ``.data``
and adds into every ``.grad`` on each call, and the optimizer then reads and
writes every `Value` again: a Python loop over the parameters, three times a
step. With tens of thousands of parameters that loop costs more than the
arithmetic. ``CompiledModel.step(optimizer, X, y)`` instead keeps, for as long
as training goes on,

* the parameters in one array (the tape's ``uniform``, which the kernels and
  layer blocks read in place),
* the last gradient in another,
* the optimizer's state in its own arrays (as `nn.optim` always keeps it),

and runs zero_grad, forward, backward and the optimizer update on them, with
no Python loop over parameters.

While the numbers live in the array, the `Value` s are *held*: their class is
`HeldValue`, whose ``data`` and ``grad`` first bring every parameter of the
model up to date (the array's numbers, the last gradient) and release them.
So a stale number can never be read: printing a parameter, ``state_dict()``,
a checkpoint, ``optimizer.step()`` or the scalar engine all see the trained
values, and a value written by hand is the one the next step starts from.
The next ``step`` holds them again.

Examples
--------
>>> from autograd import Value
>>> w = Value(1.0)
>>> held = ArrayParameters([w])
>>> theta = held.hold(np.array([1.0, 3.0]))  # the parameters, then the tape's constants
>>> theta[0] = 5.0  # a step writes the array...
>>> type(w).__name__
'HeldValue'
>>> w.data  # ...and reading the Value brings it up to date, and releases it
5.0
>>> type(w).__name__, held.held
('Value', False)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from autograd.value import Value
from nn.optim import Optimizer

_DATA = Value.__dict__["data"]  # the slots' own descriptors, past HeldValue's properties
_GRAD = Value.__dict__["grad"]


def _release(value: HeldValue) -> None:
    holder = type(value).holder
    if any(p is value for p in holder.params):
        holder.sync()
    else:  # a copy of a held Value made some other way: nobody holds it
        value.__class__ = Value


class HeldValue(Value):
    """A parameter whose number is in an array while training; reading it syncs first.

    Reading or writing ``data`` or ``grad`` brings every parameter of the same
    `ArrayParameters` up to date and turns them back into plain `Value` s.
    """

    __slots__ = ()
    holder: ArrayParameters  # set on each holder's own subclass (`ArrayParameters.held_class`)

    @property
    def data(self) -> float:
        _release(self)
        return _DATA.__get__(self)

    @data.setter
    def data(self, number: float) -> None:
        _release(self)
        _DATA.__set__(self, number)

    @property
    def grad(self) -> float:
        _release(self)
        return _GRAD.__get__(self)

    @grad.setter
    def grad(self, number: float) -> None:
        _release(self)
        _GRAD.__set__(self, number)

    def __reduce_ex__(self, protocol):  # pickle and copy: the plain, up-to-date Value
        _release(self)
        return self.__reduce_ex__(protocol)


class ArrayParameters:
    """A model's parameters held in one array while a compiled model trains.

    Parameters
    ----------
    params : sequence of Value
        In the tapes' order.

    Attributes
    ----------
    uniform : ndarray or None
        While held: the parameters' numbers, then the loss tape's constants.
    grad : ndarray or None
        The last step's gradient (written into ``.grad`` on release).
    held_class : type
        The class of the `Value` s while held: a `HeldValue` that knows this holder.
    """

    def __init__(self, params: Sequence[Value]) -> None:
        self.params = list(params)
        self.uniform: np.ndarray | None = None
        self.grad: np.ndarray | None = None
        # The held Values' class knows who holds them: no table outside the model keeps
        # a dropped model alive (its Values, this object and the class are one cycle).
        self.held_class = type("HeldValue", (HeldValue,), {"__slots__": (), "holder": self})

    @property
    def held(self) -> bool:
        """True while the array, not the `Value` s, has the parameters' numbers."""
        return self.uniform is not None

    def hold(self, template: np.ndarray) -> np.ndarray:
        """The parameters' array (``template`` 's constants after them), holding the `Value` s.

        Already held: the same array, unchanged.
        """
        if self.uniform is None:
            uniform = template.copy()
            uniform[: len(self.params)] = [p.data for p in self.params]  # releases other holders
            for p in self.params:
                p.__class__ = self.held_class
            self.uniform, self.grad = uniform, None
        return self.uniform

    def sync(self) -> None:
        """Write the numbers (and the last gradient) back into the `Value` s, and release them."""
        if self.uniform is None:
            return
        values, grads = self.uniform[: len(self.params)].tolist(), self.grad
        self.uniform = self.grad = None
        for p in self.params:
            p.__class__ = Value
        for p, x in zip(self.params, values):
            p.data = x
        if grads is not None:
            for p, g in zip(self.params, grads.tolist()):
                p.grad = g


class OptimizerView:
    """Where an optimizer's parameters sit in the model's parameter array.

    Parameters
    ----------
    optimizer : nn.optim.Optimizer
    params : sequence of Value
        The model's parameters, in the array's order.

    Raises
    ------
    TypeError
        If ``optimizer`` is not an `nn.optim.Optimizer`.
    ValueError
        If one of its parameters is not one of ``params``.
    """

    def __init__(self, optimizer: Optimizer, params: Sequence[Value]) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"optimizer: expected an nn.optim optimizer (SGD, Adam, AdamW), "
                f"got {type(optimizer).__name__}"
            )
        position = {id(p): k for k, p in enumerate(params)}
        index = []
        for i, p in enumerate(optimizer.params):
            if id(p) not in position:
                raise ValueError(f"optimizer: its params[{i}] is not a parameter of the model")
            index.append(position[id(p)])
        self.optimizer, self.params = optimizer, optimizer.params
        everything = index == list(range(len(params)))
        self.index = None if everything else np.array(index, dtype=np.int64)

    def current(self, optimizer: Optimizer) -> bool:
        """Whether this view still describes ``optimizer`` (same object, same parameter list)."""
        return optimizer is self.optimizer and optimizer.params is self.params

    def update(self, theta: np.ndarray, grad: np.ndarray) -> None:
        """One optimizer step on the array ``theta`` with gradient ``grad``; all or nothing.

        Raises
        ------
        OverflowError
            If the update takes a parameter, or the optimizer's state, beyond
            the float64 range: then neither ``theta`` nor the state changes.
        """
        index = self.index
        p, g = (theta, grad) if index is None else (theta[index], grad[index])
        new, state = self.optimizer.update_arrays(p, g, "optimizer.params")
        if index is None:
            theta[:] = new
        else:
            theta[index] = new
        self.optimizer.commit(state)
