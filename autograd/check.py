"""gradcheck: compare ``backward()`` with central finite differences."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd.numbers import as_number
from autograd.value import Value


def numerical_gradient(
    f: Callable[..., Value], inputs: Sequence[float], index: int, eps: float = 1e-6
) -> float:
    """Central difference (f(x + eps) - f(x - eps)) / 2 eps in input ``index``.

    Examples
    --------
    >>> round(numerical_gradient(lambda x: x * x, [3.0], 0), 6)
    6.0
    """
    shifted_up, shifted_down = list(inputs), list(inputs)
    shifted_up[index] += eps
    shifted_down[index] -= eps
    up = f(*(Value(x) for x in shifted_up)).data
    down = f(*(Value(x) for x in shifted_down)).data
    return (up - down) / (2.0 * eps)


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[float | Value],
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
) -> bool:
    """Check ``backward()`` of ``f`` against finite differences at ``inputs``.

    The defaults are those of ``torch.autograd.gradcheck``.

    Parameters
    ----------
    f : callable
        Takes one `Value` per input and returns a scalar `Value`.
    inputs : sequence of float or Value
        The point at which to compare (only the numbers are used).
    eps : float
        Step of the central difference.
    atol, rtol : float
        A gradient passes when ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Returns
    -------
    bool
        True when every gradient matches.

    Raises
    ------
    AssertionError
        Listing each mismatching input with both numbers.

    Examples
    --------
    >>> gradcheck(lambda x, y: (x * y).tanh(), [0.5, -1.5])
    True
    """
    point = [x.data if isinstance(x, Value) else as_number(x, "gradcheck") for x in inputs]
    leaves = [Value(x) for x in point]
    out = f(*leaves)
    if not isinstance(out, Value):
        raise TypeError(f"gradcheck: f must return a Value, got {type(out).__name__}")
    out.backward()
    mismatches = []
    for i, leaf in enumerate(leaves):
        numeric = numerical_gradient(f, point, i, eps)
        if abs(leaf.grad - numeric) > atol + rtol * abs(numeric):
            mismatches.append(
                f"  input {i} (= {point[i]}): backward {leaf.grad!r}, numeric {numeric!r}"
            )
    if mismatches:
        raise AssertionError("gradcheck failed:\n" + "\n".join(mismatches))
    return True
