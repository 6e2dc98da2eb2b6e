"""Weight initializers: where training starts from.

Each initializer returns the ``fan_in`` starting weights of **one neuron**
that reads ``fan_in`` inputs, in a layer of ``fan_out`` neurons. Biases start
at zero (micrograd's and the tutorials' choice); only the weights are drawn.

Every initializer takes ``seed``: an ``int`` (a fresh ``random.Random(seed)``),
a ``random.Random`` to draw from (how a model passes one stream to all its
neurons), or ``None`` for Python's global ``random`` module, so that
``random.seed(1337)`` before building a model reproduces micrograd's weights.

Why not all zeros? Neurons that start equal get equal gradients and stay
equal forever: zero init fails to break symmetry. Random draws break it;
Xavier/Glorot scales them for tanh and sigmoid, Kaiming/He for ReLU.

Examples
--------
>>> weights = xavier_uniform(fan_in=3, fan_out=2, seed=0)
>>> len(weights), all(abs(w) <= (6 / (3 + 2)) ** 0.5 for w in weights)
(3, True)
>>> xavier_uniform(3, 2, seed=0) == weights  # same seed, same numbers
True
"""

from __future__ import annotations

import math
import numbers
import random
from collections.abc import Callable
from types import ModuleType

from nn.arrays import as_count, as_real

Seed = int | random.Random | None
Rng = random.Random | ModuleType  # the global `random` module draws like a Random


def make_rng(seed: Seed) -> Rng:
    """The random stream ``seed`` stands for (see the module docstring).

    Examples
    --------
    >>> make_rng(0).random() == make_rng(0).random()
    True
    """
    if seed is None or seed is random:
        return random
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, numbers.Integral) and not isinstance(seed, bool):
        return random.Random(int(seed))
    raise TypeError(
        f"seed: expected an int, a random.Random or None, got {type(seed).__name__} ({seed!r})"
    )


def _check_fans(fan_in: int, fan_out: int) -> None:
    as_count(fan_in, "fan_in")
    as_count(fan_out, "fan_out")


def _uniform(fan_in: int, fan_out: int, bound: float, seed: Seed) -> list[float]:
    _check_fans(fan_in, fan_out)
    rng = make_rng(seed)
    return [rng.uniform(-bound, bound) for _ in range(fan_in)]


def _normal(fan_in: int, fan_out: int, mean: float, std: float, seed: Seed) -> list[float]:
    _check_fans(fan_in, fan_out)
    rng = make_rng(seed)
    return [rng.gauss(mean, std) for _ in range(fan_in)]


def zeros(fan_in: int, fan_out: int = 1, seed: Seed = None) -> list[float]:
    """All weights 0: every neuron of a layer computes the same thing, forever.

    >>> zeros(3)
    [0.0, 0.0, 0.0]
    """
    _check_fans(fan_in, fan_out)
    return [0.0] * fan_in


def uniform(
    fan_in: int, fan_out: int = 1, a: float = -1.0, b: float = 1.0, seed: Seed = None
) -> list[float]:
    """Weights drawn from U(a, b); the default U(-1, 1) is micrograd's init.

    >>> all(-0.1 <= w <= 0.1 for w in uniform(100, a=-0.1, b=0.1, seed=1))
    True
    """
    _check_fans(fan_in, fan_out)
    a, b = as_real(a, "a"), as_real(b, "b")
    if not a < b:
        raise ValueError(f"uniform: expected a < b, got a = {a}, b = {b}")
    rng = make_rng(seed)
    return [rng.uniform(a, b) for _ in range(fan_in)]


def normal(
    fan_in: int, fan_out: int = 1, mean: float = 0.0, std: float = 1.0, seed: Seed = None
) -> list[float]:
    """Weights drawn from N(mean, std²).

    >>> len(normal(4, mean=0.0, std=0.01, seed=0))
    4
    """
    mean, std = as_real(mean, "mean"), as_real(std, "std", 0.0)
    return _normal(fan_in, fan_out, mean, std, seed)


def xavier_uniform(
    fan_in: int, fan_out: int = 1, gain: float = 1.0, seed: Seed = None
) -> list[float]:
    """Glorot: U(-bound, bound) with bound = gain·√(6 / (fan_in + fan_out)).

    Keeps the variance of activations and of gradients about equal from layer
    to layer for tanh/sigmoid networks.

    >>> max(abs(w) for w in xavier_uniform(1000, 500, seed=0)) <= (6 / 1500) ** 0.5
    True
    """
    gain = as_real(gain, "gain", 0.0)
    return _uniform(fan_in, fan_out, gain * math.sqrt(6.0 / (fan_in + fan_out)), seed)


def xavier_normal(
    fan_in: int, fan_out: int = 1, gain: float = 1.0, seed: Seed = None
) -> list[float]:
    """Glorot: N(0, std²) with std = gain·√(2 / (fan_in + fan_out)).

    >>> len(xavier_normal(3, 2, seed=0))
    3
    """
    gain = as_real(gain, "gain", 0.0)
    return _normal(fan_in, fan_out, 0.0, gain * math.sqrt(2.0 / (fan_in + fan_out)), seed)


def _kaiming_gain(a: float) -> float:
    # PyTorch's gain for leaky_relu with negative slope a (a = 0: ReLU, gain √2)
    return math.sqrt(2.0 / (1.0 + as_real(a, "a") ** 2))


def kaiming_uniform(
    fan_in: int, fan_out: int = 1, a: float = 0.0, seed: Seed = None
) -> list[float]:
    """He: U(-bound, bound) with bound = gain·√(3 / fan_in), gain = √(2 / (1 + a²)).

    For ReLU (a = 0) that is √(6 / fan_in), the same variance 2 / fan_in as
    `kaiming_normal`.

    >>> max(abs(w) for w in kaiming_uniform(600, seed=0)) <= (6 / 600) ** 0.5
    True
    """
    return _uniform(fan_in, fan_out, _kaiming_gain(a) * math.sqrt(3.0 / fan_in), seed)


def kaiming_normal(fan_in: int, fan_out: int = 1, a: float = 0.0, seed: Seed = None) -> list[float]:
    """He: N(0, 1) · gain / √fan_in, gain = √(2 / (1 + a²)); for ReLU N(0,1)·√(2 / fan_in).

    >>> len(kaiming_normal(3, seed=0))
    3
    """
    return _normal(fan_in, fan_out, 0.0, _kaiming_gain(a) / math.sqrt(fan_in), seed)


INITIALIZERS: dict[str, Callable[..., list[float]]] = {
    f.__name__: f
    for f in (
        zeros,
        uniform,
        normal,
        xavier_uniform,
        xavier_normal,
        kaiming_uniform,
        kaiming_normal,
    )
}

InitSpec = str | dict


def resolve(init: InitSpec) -> Callable[[int, int, Rng], list[float]]:
    """Turn a model's ``init`` argument into ``draw(fan_in, fan_out, rng)``.

    ``init`` is an initializer's name (``"xavier_uniform"``) or, to pass its
    options, a dict ``{"name": "normal", "std": 0.1}``. Both are plain JSON,
    so a model's architecture can record them.

    Examples
    --------
    >>> draw = resolve({"name": "uniform", "a": 0.0, "b": 0.5})
    >>> all(0.0 <= w <= 0.5 for w in draw(10, 1, make_rng(0)))
    True
    """
    if isinstance(init, str):
        name, options = init, {}
    elif isinstance(init, dict) and isinstance(init.get("name"), str):
        options = dict(init)
        name = options.pop("name")
    else:
        raise TypeError(
            "init: expected an initializer name or a dict {'name': ..., **options}, "
            f"got {type(init).__name__} ({init!r})"
        )
    if name not in INITIALIZERS:
        raise ValueError(
            f"init: unknown initializer {name!r}; expected one of {list(INITIALIZERS)}"
        )
    initializer = INITIALIZERS[name]
    try:
        initializer(1, 1, seed=random.Random(0), **options)  # fail now, naming the option
    except TypeError as error:
        raise TypeError(f"init: bad options {options} for {name}: {error}") from None
    return lambda fan_in, fan_out, rng: initializer(fan_in, fan_out, seed=rng, **options)
