"""The one check every number entering the library passes: a finite real, or a clear error.

>>> as_number(3, "Value")
3.0
>>> as_number(float("nan"), "Value")
Traceback (most recent call last):
...
ValueError: Value: expected a finite number, got nan
"""

from __future__ import annotations

import math
import numbers


def as_number(x: object, where: str) -> float:
    """``x`` as a finite float, or an error that names ``where`` and what ``x`` was.

    Parameters
    ----------
    x : object
        A Python or numpy real number (a one-element array too).
    where : str
        Who is asking, put at the start of the message (``"Value"``, ``"lr"``).

    Raises
    ------
    TypeError
        For a bool, a complex number, a string, or an array of more than one element.
    ValueError
        For NaN, infinity, or an integer too large for a float64.

    Examples
    --------
    >>> as_number(True, "lr")
    Traceback (most recent call last):
    ...
    TypeError: lr: expected a number or Value, got a bool (True)
    """
    if hasattr(x, "shape") and hasattr(x, "dtype"):  # a numpy scalar or array
        if x.size != 1:
            raise TypeError(
                f"{where}: expected a number or Value, got an array of shape {x.shape}; "
                "a Value holds one scalar"
            )
        x = x.item()
    if isinstance(x, bool):
        raise TypeError(f"{where}: expected a number or Value, got a bool ({x!r})")
    if not isinstance(x, numbers.Real):
        raise TypeError(f"{where}: expected a number or Value, got {type(x).__name__} ({x!r})")
    try:
        number = float(x)
    except OverflowError:
        digits = int(int(x).bit_length() * math.log10(2)) + 1
        raise ValueError(
            f"{where}: an integer of about {digits} digits is too large for a float64"
        ) from None
    if not math.isfinite(number):
        raise ValueError(f"{where}: expected a finite number, got {number}")
    return number


def saved_number(x: object, where: str) -> float:
    """`as_number` for a number read from a file: every refusal is a ``ValueError``.

    A wrong type in a saved file is bad data, not a programming error.

    >>> saved_number("0.5", "history.train_loss[0]")
    Traceback (most recent call last):
    ...
    ValueError: history.train_loss[0]: expected a number or Value, got str ('0.5')
    """
    try:
        return as_number(x, where)
    except TypeError as error:
        raise ValueError(str(error)) from None


def all_finite(array) -> bool:
    """Whether every number of a numpy array is finite: one sum, no temporary array.

    NaN or infinity anywhere makes the sum non-finite; a sum that merely
    overflows (finite, huge numbers) is settled by the largest magnitude.

    >>> import numpy as np
    >>> all_finite(np.array([1.0, 2.0])), all_finite(np.array([1.0, np.nan]))
    (True, False)
    >>> with np.errstate(over="ignore"):  # the sum overflows (numpy would warn), the numbers do not
    ...     all_finite(np.array([1e308, 1e308]))
    True
    >>> with np.errstate(over="raise"):  # an overflowing sum is no error here either
    ...     all_finite(np.array([1e308, 1e308]))
    True
    """
    try:
        if math.isfinite(array.sum()):
            return True
    except FloatingPointError:  # under np.errstate(over="raise") or (invalid="raise")
        pass
    return math.isfinite(abs(array).max())
