"""Optimizers: turn the gradients ``backward()`` left in ``.grad`` into better parameters.

Both follow ``torch.optim`` step for step (same formulas, same defaults), on a
flat list of `Value` s. The simplest update is plain gradient descent::

    w_new = w_old - lr · d loss / d w

`SGD` adds momentum (a running direction) and weight decay; `Adam` scales
each parameter's step by running averages of its gradient and squared
gradient; `AdamW` is Adam with the weight decay taken out of the gradient
(decoupled): each step shrinks the parameters by ``lr · weight_decay``.

Each parameter's update is independent of the others', so a step does them
all at once on arrays: it reads every ``.data`` and ``.grad`` into an array,
runs the formula over the whole arrays in one compiled loop (`nn.updates`)
and writes the new values back. The formula is applied in the same order as
one parameter at a time in plain Python, so the numbers are the same (the
running state, such as Adam's averages, stays in arrays between steps).

Examples
--------
>>> from autograd import Value
>>> w = Value(3.0)
>>> opt = SGD([w], lr=0.1)
>>> loss = w * w
>>> loss.backward()  # d loss / dw = 2w = 6
>>> opt.step()
>>> round(w.data, 12)  # 3 - 0.1 * 6
2.4
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any

import numpy as np

from autograd.numbers import all_finite
from autograd.value import Value
from nn.arrays import as_bool, as_real
from nn.updates import adam_update, sgd_update


def _check_params(params: Iterable[Value]) -> list[Value]:
    if hasattr(params, "parameters") and not isinstance(params, (list, tuple)):
        raise TypeError("params: expected a list of Values, got a model; pass model.parameters()")
    try:
        params = list(params)
    except TypeError:
        raise TypeError(f"params: expected a list of Values, got {type(params).__name__}") from None
    if not params:
        raise ValueError("params: the optimizer got an empty list of parameters")
    for i, p in enumerate(params):
        if not isinstance(p, Value):
            raise TypeError(f"params[{i}]: expected a Value, got {type(p).__name__}")
    if len({id(p) for p in params}) != len(params):
        raise ValueError("params: some parameters appear more than once")
    return params


class Optimizer:
    """Holds the parameters and the learning rate; subclasses define ``_update``, the formula.

    ``_update`` works on arrays (one `nn.updates` loop); `step` and the
    compiled engine's whole step both run it through `update_arrays`.
    """

    _hyperparameters: tuple[str, ...] = ("lr",)  # constructor arguments
    _counters: tuple[str, ...] = ()  # whole numbers, such as Adam's step count
    _state: tuple[str, ...] = ()  # per-parameter float64 arrays
    _unset_state: tuple[str, ...] = ()  # state that is None until the first step
    _non_negative_state: tuple[str, ...] = ()  # state that is never below 0 (a mean of squares)

    def __init__(self, params: Iterable[Value], lr: float) -> None:
        self.params = _check_params(params)
        self.lr = lr

    @property
    def lr(self) -> float:
        """The learning rate; may be changed between steps (a schedule), must stay > 0."""
        return self._lr

    @lr.setter
    def lr(self, lr: float) -> None:
        self._lr = as_real(lr, "lr", 0.0, low_open=True)

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0 before the next ``backward()``."""
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Update every parameter from its ``.grad``.

        Raises
        ------
        ValueError
            If a gradient is NaN or infinite (naming the parameter).
        OverflowError
            If the update would take a parameter, or the optimizer's state
            (a running average), beyond the float64 range. In every case no
            parameter and no state changes.
        """
        p, g = self._read()  # arrays: one entry per parameter
        new, state = self.update_arrays(p, g)
        for param, x in zip(self.params, new.tolist()):
            param.data = x
        self.commit(state)

    def update_arrays(
        self, p: np.ndarray, g: np.ndarray, name: str = "params"
    ) -> tuple[np.ndarray, dict[str, Any]]:
        """One step on arrays: ``(new parameters, new state)``, changing nothing.

        ``p`` and ``g`` hold every parameter's value and gradient in the order
        of ``params``. `step` and the compiled engine's whole step (which
        names its array ``optimizer.params``) both run through here; `commit`
        then keeps the state.

        Raises
        ------
        OverflowError
            If a new parameter, or an entry of the state (a running average),
            is beyond the float64 range: an infinite average would freeze its
            parameter for good and make the state impossible to save.
        """
        new, state, finite = self._update(p, g)
        if not finite:
            self._refuse(p, new, state, name)
        return new, state

    def _update(self, p: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, dict[str, Any], bool]:
        """The optimizer's formula (`nn.updates`): new parameters, new state, whether all finite."""
        raise NotImplementedError(f"{type(self).__name__} must define _update()")

    @staticmethod
    def _refuse(old: np.ndarray, new: np.ndarray, state: dict[str, Any], name: str) -> None:
        """Raise the OverflowError of a step whose results are not all finite (its state first)."""
        for key, buffer in state.items():
            if isinstance(buffer, np.ndarray) and not all_finite(buffer):
                i = int(np.flatnonzero(~np.isfinite(buffer))[0])
                raise OverflowError(
                    f"step: {key}[{i}], the state kept for {name}[{i}], overflows a float64 "
                    "(its gradient is too large); nothing was updated"
                )
        i = int(np.flatnonzero(~np.isfinite(new))[0])
        raise OverflowError(
            f"step: the update takes {name}[{i}] from {old[i]} to {new[i]}, which is not a "
            "finite float64; nothing was updated"
        )

    def commit(self, state: dict[str, Any]) -> None:
        """Keep the state `update_arrays` returned (after the new parameters were accepted)."""
        for name, value in state.items():
            setattr(self, name, value)

    def _read(self) -> tuple[np.ndarray, np.ndarray]:
        """Every parameter's ``.data`` and ``.grad``, as two float64 arrays."""
        n = len(self.params)
        data = np.fromiter((p.data for p in self.params), dtype=float, count=n)
        grad = np.fromiter((p.grad for p in self.params), dtype=float, count=n)
        if not all_finite(grad):
            i = int(np.flatnonzero(~np.isfinite(grad))[0])
            raise ValueError(
                f"step: params[{i}].grad is {grad[i]}, expected a finite number; "
                "nothing was updated"
            )
        return data, grad

    def state_dict(self) -> dict[str, Any]:
        """Hyperparameters and per-parameter state as plain JSON-able values."""
        state = {"type": type(self).__name__}
        state.update({name: _plain(getattr(self, name)) for name in self._hyperparameters})
        state.update({name: getattr(self, name) for name in self._counters})
        for name in self._state:
            buffer = getattr(self, name)
            state[name] = [None] * len(self.params) if buffer is None else buffer.tolist()
        return state

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore ``state_dict()``; everything is checked before anything changes."""
        if not isinstance(state_dict, dict) or state_dict.get("type") != type(self).__name__:
            given = state_dict.get("type") if isinstance(state_dict, dict) else state_dict
            raise ValueError(
                f"load_state_dict: expected a {type(self).__name__} state, got {given!r}"
            )
        expected = {"type", *self._hyperparameters, *self._counters, *self._state}
        if set(state_dict) != expected:
            raise ValueError(
                f"load_state_dict: expected keys {sorted(expected)}, got {sorted(state_dict)}"
            )
        buffers = {name: self._buffer(name, state_dict[name]) for name in self._state}
        for name in self._counters:
            count = state_dict[name]
            if (
                isinstance(count, bool)
                or not isinstance(count, numbers.Integral)
                or not 0 <= count <= MAX_COUNT
            ):
                raise ValueError(
                    f"load_state_dict: {name!r} must be a count in [0, 2**53], got {count!r:.40}"
                )
        trial = type(self)([Value(0.0)], **{k: state_dict[k] for k in self._hyperparameters})
        for name in self._hyperparameters:  # validated by the trial constructor above
            setattr(self, name, getattr(trial, name))
        for name in self._counters:
            setattr(self, name, int(state_dict[name]))
        for name, buffer in buffers.items():
            setattr(self, name, buffer)

    def _buffer(self, name: str, entries: Any) -> np.ndarray | None:
        """A saved per-parameter list as an array (None if unset), or a ValueError naming it."""
        if not isinstance(entries, list) or len(entries) != len(self.params):
            raise ValueError(
                f"load_state_dict: {name!r} must list {len(self.params)} entries, one per "
                f"parameter, got {entries!r:.60}"
            )
        if name in self._unset_state and all(x is None for x in entries):
            return None
        low = 0.0 if name in self._non_negative_state else -math.inf
        return np.array([as_real(x, f"{name}[{i}]", low) for i, x in enumerate(entries)])


MAX_COUNT = 2**53  # the largest count a float64 (and so every step formula) holds exactly


def _plain(x: Any) -> Any:
    return list(x) if isinstance(x, tuple) else x


class SGD(Optimizer):
    """Stochastic gradient descent with momentum, as ``torch.optim.SGD``.

    For each parameter p with gradient g::

        g = g + weight_decay · p                       (L2 penalty)
        buf = g on the first step, else momentum · buf + (1 - dampening) · g
        g = g + momentum · buf if nesterov else buf    (when momentum > 0)
        p = p - lr · g

    Parameters
    ----------
    params : list of Value
        What to train, e.g. ``model.parameters()``.
    lr : float
        Learning rate, > 0.
    momentum : float
        In [0, 1); 0 is plain gradient descent.
    weight_decay : float
        L2 penalty, >= 0.
    nesterov : bool
        Nesterov momentum (needs momentum > 0 and dampening 0).
    dampening : float
        In [0, 1): how much of the new gradient the momentum buffer skips.
    """

    _hyperparameters = ("lr", "momentum", "weight_decay", "nesterov", "dampening")
    _state = ("momentum_buffer",)
    _unset_state = ("momentum_buffer",)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
        dampening: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        self.momentum = as_real(momentum, "momentum", 0.0, 1.0, high_open=True)
        self.weight_decay = as_real(weight_decay, "weight_decay", 0.0)
        self.dampening = as_real(dampening, "dampening", 0.0, 1.0, high_open=True)
        as_bool(nesterov, "nesterov")
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError(
                f"nesterov: needs momentum > 0 and dampening = 0, "
                f"got momentum = {momentum}, dampening = {dampening}"
            )
        self.nesterov = nesterov
        self.momentum_buffer: np.ndarray | None = None  # set by the first step with momentum

    def _update(self, p: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, dict[str, Any], bool]:
        buf, new = self.momentum_buffer, np.empty_like(p)
        new_buf = np.empty_like(p) if self.momentum else None
        finite = sgd_update(
            p, g, new if buf is None else buf, new, new if new_buf is None else new_buf,
            self.lr, self.momentum, self.dampening, self.weight_decay, self.nesterov, buf is None,
        )  # fmt: skip
        return new, {"momentum_buffer": new_buf if self.momentum else buf}, finite


class Adam(Optimizer):
    """Adam, as ``torch.optim.Adam`` (weight decay as an L2 term added to the gradient).

    At step t, for each parameter p with gradient g::

        g = g + weight_decay · p
        m = β₁ · m + (1 - β₁) · g          running mean of g
        v = β₂ · v + (1 - β₂) · g²         running mean of g²
        p = p - lr / (1 - β₁ᵗ) · m / (√v / √(1 - β₂ᵗ) + eps)

    The ``1 - βᵗ`` factors undo the bias of m and v starting at zero.

    Parameters
    ----------
    params : list of Value
        What to train.
    lr : float
        Learning rate, > 0.
    betas : (float, float)
        β₁, β₂, each in [0, 1).
    eps : float
        Added to the denominator to keep the division finite; must be positive.
    weight_decay : float
        L2 penalty, >= 0.
    """

    _hyperparameters = ("lr", "betas", "eps", "weight_decay")
    _counters = ("steps",)
    _state = ("exp_avg", "exp_avg_sq")
    _non_negative_state = ("exp_avg_sq",)
    _decoupled = False  # True: weight decay shrinks p directly instead of adding to g (AdamW)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
    ) -> None:
        super().__init__(params, lr)
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise ValueError(f"betas: expected a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            as_real(betas[0], "betas[0]", 0.0, 1.0, high_open=True),
            as_real(betas[1], "betas[1]", 0.0, 1.0, high_open=True),
        )
        self.eps = as_real(eps, "eps", 0.0, low_open=True)
        self.weight_decay = as_real(weight_decay, "weight_decay", 0.0)
        self.steps = 0  # steps taken so far: t
        self.exp_avg = np.zeros(len(self.params))  # m
        self.exp_avg_sq = np.zeros(len(self.params))  # v

    def _update(self, p: np.ndarray, g: np.ndarray) -> tuple[np.ndarray, dict[str, Any], bool]:
        t = self.steps + 1
        beta1, beta2 = self.betas
        decoupled = self._decoupled
        new, m, v = np.empty_like(p), np.empty_like(p), np.empty_like(p)
        finite = adam_update(
            p, g, self.exp_avg, self.exp_avg_sq, new, m, v, beta1, beta2,
            self.lr / (1.0 - beta1**t),  # step size
            math.sqrt(1.0 - beta2**t),  # the bias correction of √v
            self.eps,
            0.0 if decoupled else self.weight_decay,  # Adam: an L2 term in the gradient
            1.0 - self.lr * self.weight_decay if decoupled else 1.0,  # AdamW: p · (1 - lr · λ)
        )  # fmt: skip
        return new, {"steps": t, "exp_avg": m, "exp_avg_sq": v}, finite


class AdamW(Adam):
    """AdamW, as ``torch.optim.AdamW``: Adam with decoupled weight decay.

    Adam's L2 term ``weight_decay · p`` goes through the running averages, so
    a parameter with large gradients is barely decayed. AdamW shrinks the
    parameter itself, outside the averages, then takes Adam's step on the
    plain gradient g::

        p = p · (1 - lr · weight_decay)
        m, v and the step as in `Adam`, with g as it came from backward()

    Parameters are those of `Adam`; ``weight_decay`` defaults to 0.01, as
    PyTorch's.

    Examples
    --------
    >>> w = Value(1.0)
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5)
    >>> w.grad = 0.0  # no gradient: only the decay moves w
    >>> opt.step()
    >>> round(w.data, 12)  # 1 · (1 - 0.1 · 0.5)
    0.95
    """

    _decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay)
