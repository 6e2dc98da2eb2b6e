"""The one place nn checks what it is given: arrays, samples, counts, settings and choices.

Every nn entry point passes its arguments through these functions, so a bad
input gets the same clear message wherever it enters: the message starts with
the argument's name and says what was expected and what came instead. Numbers
inside arrays are real and finite (NaN, infinity, bools, complex numbers and
strings are refused, never cast); single numbers go through
`autograd.numbers.as_number`.

Examples
--------
>>> as_float_array([[1, 2], [3, 4]], "X", shape=("n_samples", "n_features")).dtype
dtype('float64')
>>> as_float_array([1 + 2j], "y", shape=("n_samples",))
Traceback (most recent call last):
...
TypeError: y: expected a 1-D array of real numbers, got an array of dtype complex128
>>> as_count(0, "nin")
Traceback (most recent call last):
...
ValueError: nin: expected an int >= 1, got 0
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd.numbers import all_finite, as_number
from autograd.value import Value

Axis = int | str  # a fixed length, or a name such as "n_samples" for any length


def as_float_array(
    x: Any, name: str, shape: Sequence[Axis], *, keep_integers: bool = False, min_len: int = 0
) -> np.ndarray:
    """``x`` as a finite, C-contiguous float64 array of ``shape``, or an error naming ``name``.

    Parameters
    ----------
    x : array_like
        The numbers.
    name : str
        The argument's name, put at the start of every message.
    shape : sequence of int or str
        One entry per axis: an int is the length it must have, a string
        names an axis of any length (it appears in the message).
    keep_integers : bool
        Return an integer array unchanged (class labels) instead of casting it to float64.
    min_len : int
        The least number of rows (0: an empty array is fine).

    Raises
    ------
    TypeError
        For anything but real numbers: strings, bools, complex numbers, objects.
    ValueError
        For a wrong number of axes or length, too few rows, NaN or infinity.

    Examples
    --------
    >>> as_float_array([[1.0, 2.0]], "X", shape=("batch", 3))
    Traceback (most recent call last):
    ...
    ValueError: X: expected a 2-D array of shape (batch, 3), got shape (1, 2)
    >>> as_float_array([0.0, float("nan")], "y", shape=("n_samples",))
    Traceback (most recent call last):
    ...
    ValueError: y: contains NaN or infinity (at index 1)
    """
    expected = f"a {len(shape)}-D array"
    try:
        array = np.asarray(x)
    except (TypeError, ValueError) as error:  # ragged lists
        raise TypeError(
            f"{name}: expected {expected} of numbers, got {type(x).__name__}"
        ) from error
    if array.dtype.kind not in "iuf":
        raise TypeError(
            f"{name}: expected {expected} of real numbers, got an array of dtype {array.dtype}"
        )
    if not _fits(array.shape, shape):
        wanted = "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")
        raise ValueError(f"{name}: expected {expected} of shape {wanted}, got shape {array.shape}")
    if len(array) < min_len:
        wanted = "one sample" if min_len == 1 else f"{min_len} samples"
        raise ValueError(f"{name}: expected at least {wanted}, got {len(array)}")
    if not (keep_integers and array.dtype.kind in "iu"):
        array = np.ascontiguousarray(array, dtype=np.float64)
    if array.dtype.kind == "f" and not all_finite(array):
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(array))[0])
        where = f"index {index[0]}" if len(index) == 1 else f"row, column {index}"
        raise ValueError(f"{name}: contains NaN or infinity (at {where})")
    return array


def _fits(got: tuple[int, ...], shape: Sequence[Axis]) -> bool:
    """Whether an array's shape ``got`` has ``shape`` 's axes and fixed lengths."""
    if len(got) != len(shape):
        return False
    for n, length in zip(shape, got):  # noqa: SIM110 (a loop is cheaper than a generator)
        if n != length and isinstance(n, int):
            return False
    return True


def as_value(x: Any, name: str = "x") -> Value:
    """``x`` itself if it is a `Value`, else a new constant `Value` (checked: finite number).

    ``name`` is the argument named in the error message.

    Examples
    --------
    >>> w = Value(2.0)
    >>> as_value(w) is w, as_value(3)
    (True, Value(data=3.0, grad=0.0))
    >>> as_value(float("nan"), "bias")
    Traceback (most recent call last):
    ...
    ValueError: bias: expected a finite number, got nan
    """
    return x if isinstance(x, Value) else Value(as_number(x, name))


def as_values(x: Any, name: str = "x") -> list[Value]:
    """A list/tuple/1-D array of numbers or `Value` s as a list of `Value` s.

    Examples
    --------
    >>> as_values(np.array([1.0, 2.0]))
    [Value(data=1.0, grad=0.0), Value(data=2.0, grad=0.0)]
    """
    if isinstance(x, np.ndarray):
        if x.ndim != 1:
            raise ValueError(f"{name}: expected a 1-D array, got shape {x.shape}")
        x = x.tolist()
    if not isinstance(x, (list, tuple)):
        raise TypeError(f"{name}: expected a list of Values or numbers, got {type(x).__name__}")
    if not x:
        raise ValueError(f"{name}: expected at least one element, got an empty list")
    return [as_value(xi, f"{name}[{i}]") for i, xi in enumerate(x)]


def as_sample(x: Any, nin: int, name: str = "x") -> list[Value]:
    """One sample for a model: a list of ``nin`` Values (numbers are wrapped).

    A lone number or `Value` is a sample of one input.

    Examples
    --------
    >>> as_sample([1, Value(2.0)], 2)
    [Value(data=1.0, grad=0.0), Value(data=2.0, grad=0.0)]
    >>> as_sample([1.0, 2.0], 3)
    Traceback (most recent call last):
    ...
    ValueError: x: expected 3 inputs, got 2
    """
    if isinstance(x, (Value, numbers.Real)) and not isinstance(x, bool):
        x = [x]  # a lone number feeds a one-input model (a width-1 layer's output)
    elif isinstance(x, np.ndarray):
        if x.ndim > 1:
            raise ValueError(f"{name}: expected a 1-D array of {nin} inputs, got shape {x.shape}")
        x = x.reshape(-1).tolist()
    elif not isinstance(x, (list, tuple)):
        raise TypeError(
            f"{name}: expected a list/tuple of {nin} numbers or Values, or a 1-D numpy array, "
            f"got {type(x).__name__}"
        )
    if len(x) != nin:
        raise ValueError(f"{name}: expected {nin} inputs, got {len(x)}")
    return [as_value(xi, f"{name}[{i}]") for i, xi in enumerate(x)]


def as_batch(X: Any, name: str = "X") -> list:
    """A mini-batch as a non-empty list of samples: a list/tuple of samples or a 2-D numpy array.

    Examples
    --------
    >>> as_batch([])
    Traceback (most recent call last):
    ...
    ValueError: X: expected at least one sample, got an empty batch
    """
    if isinstance(X, np.ndarray):
        if X.ndim != 2:
            raise ValueError(
                f"{name}: expected a 2-D array (samples × features), got shape {X.shape}"
            )
        X = list(X)
    elif not isinstance(X, (list, tuple)):
        raise TypeError(
            f"{name}: expected a list of samples or a 2-D numpy array, got {type(X).__name__}"
        )
    if not X:
        raise ValueError(f"{name}: expected at least one sample, got an empty batch")
    return list(X)


def as_count(x: object, name: str, minimum: int = 1) -> int:
    """``x`` as an int >= ``minimum`` (a size, a number of samples), or an error naming ``name``.

    Examples
    --------
    >>> as_count(3, "nout")
    3
    >>> as_count(2.5, "nout")
    Traceback (most recent call last):
    ...
    TypeError: nout: expected an int, got float (2.5)
    """
    if isinstance(x, bool) or not isinstance(x, numbers.Integral):
        raise TypeError(f"{name}: expected an int, got {type(x).__name__} ({x!r})")
    if x < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum}, got {x}")
    return int(x)


def as_real(
    x: object,
    name: str,
    low: float = -math.inf,
    high: float = math.inf,
    *,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """A setting (a rate, a noise level, an epsilon) as a finite float in its range.

    Anything else, a string or None included, is a ``ValueError`` naming
    ``name`` and the range: a setting outside its domain.

    Examples
    --------
    >>> as_real(0.1, "lr", 0.0, low_open=True)
    0.1
    >>> as_real(1.5, "momentum", 0.0, 1.0)
    Traceback (most recent call last):
    ...
    ValueError: momentum: expected a finite number in [0, 1], got 1.5
    """
    if low == -math.inf and high == math.inf:
        bounds = ""
    elif high == math.inf:
        bounds = f" {'>' if low_open else '>='} {low:g}"
    elif low == -math.inf:
        bounds = f" {'<' if high_open else '<='} {high:g}"
    else:
        bounds = f" in {'(' if low_open else '['}{low:g}, {high:g}{')' if high_open else ']'}"
    message = f"{name}: expected a finite number{bounds}, got {x!r:.40}"
    try:
        number = as_number(x, name)
    except (TypeError, ValueError):
        raise ValueError(message) from None
    too_low = number < low or (low_open and number == low)
    too_high = number > high or (high_open and number == high)
    if too_low or too_high:
        raise ValueError(message)
    return number


def as_bool(x: object, name: str) -> bool:
    """``x`` if it is a bool (a flag is never 0, 1 or "yes"), else a TypeError naming ``name``.

    Examples
    --------
    >>> as_bool(1, "batchnorm")
    Traceback (most recent call last):
    ...
    TypeError: batchnorm: expected a bool, got 1
    """
    if not isinstance(x, bool):
        raise TypeError(f"{name}: expected a bool, got {x!r}")
    return x


def as_choice(x: Any, name: str, choices: Sequence[Any]) -> Any:
    """``x`` if it is one of ``choices``, else a ValueError listing them.

    Examples
    --------
    >>> as_choice("avg", "reduction", ("mean", "sum", "none"))
    Traceback (most recent call last):
    ...
    ValueError: reduction: expected one of ['mean', 'sum', 'none'], got 'avg'
    """
    if not any(x is c or (type(x) is type(c) and x == c) for c in choices):
        raise ValueError(f"{name}: expected one of {list(choices)}, got {x!r}")
    return x


def as_features(X: Any, name: str = "X") -> np.ndarray:
    """Inputs as a finite float64 array of shape ``(n_samples, n_features)``.

    Examples
    --------
    >>> as_features([[1, 2]]).tolist()
    [[1.0, 2.0]]
    """
    return as_float_array(X, name, ("n_samples", "n_features"))


def as_xy(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """Inputs and targets of one length; integer targets (class labels) stay integers.

    Examples
    --------
    >>> X, y = as_xy([[0.0], [1.0]], [0, 1])
    >>> X.dtype.name, y.dtype.name
    ('float64', 'int64')
    >>> as_xy([[0.0]], [0, 1])
    Traceback (most recent call last):
    ...
    ValueError: X and y: expected the same number of samples, got 1 and 2
    """
    X = as_features(X)
    y = as_float_array(y, "y", ("n_samples",), keep_integers=True)
    if len(X) != len(y):
        raise ValueError(f"X and y: expected the same number of samples, got {len(X)} and {len(y)}")
    return X, y
