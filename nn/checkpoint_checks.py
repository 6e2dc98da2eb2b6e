"""The checkpoint reader: every check a file passes before `nn.checkpoint.load` changes anything.

A checkpoint may come from anywhere, so nothing in it is trusted: the JSON is
parsed with finite numbers only and a bounded depth, the model's size is
computed from the architecture and compared with the numbers the file holds
before anything is built, the parameters must fit the model (names, sizes,
finite numbers, and the bounds of `BOUNDS`: a variance is never negative),
and the optimizer state must fit its class and the parameters. Every failure
is a ``ValueError`` naming the field.

Examples
--------
>>> state_size({"type": "MLP", "nin": 2, "nouts": [10**7, 1]})  # no model is built to know it
40000001
"""

from __future__ import annotations

import json
import math
import os

from autograd.numbers import saved_number
from autograd.value import Value
from nn import init as nn_init
from nn.data import Standardizer
from nn.layers import from_architecture
from nn.optim import MAX_COUNT, Optimizer

FORMAT = "tapegrad.checkpoint"
VERSION = 1
MAX_DEPTH = 64  # lists and dicts inside each other (a tapegrad train checkpoint has 4)


def read_document(path: str | os.PathLike) -> dict:
    """The parsed checkpoint, with its format, version and the type of each field checked."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        document = json.loads(
            raw.decode("utf-8"), parse_constant=_refuse_constant, parse_float=_finite_float
        )
    except RecursionError:  # [[[[... thousands deep: the parser's own limit
        raise ValueError(
            f"{path}: not a tapegrad checkpoint: nested more than {MAX_DEPTH} levels deep"
        ) from None
    except ValueError as error:  # bad UTF-8, bad or cut-off JSON, NaN, Infinity, 1e400
        raise ValueError(
            f"{path}: not a tapegrad checkpoint: not valid JSON, or truncated ({cut(str(error))})"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValueError(
            f"{path}: not a tapegrad checkpoint (format {_short(found)}, expected {FORMAT!r})"
        )
    version = document.get("version")
    if type(version) is not int or version != VERSION:  # not True, not 1.0
        raise ValueError(
            f"{path}: checkpoint version {_short(version)}; this tapegrad reads version {VERSION}"
        )
    if depth(document) > MAX_DEPTH:
        raise ValueError(
            f"{path}: not a tapegrad checkpoint: nested more than {MAX_DEPTH} levels deep"
        )
    expected = {
        "architecture": dict,
        "parameters": dict,
        "optimizer": (dict, type(None)),
        "standardizer": (dict, type(None)),
        "meta": dict,
    }
    for key, kind in expected.items():
        if key not in document or not isinstance(document[key], kind):
            raise ValueError(f"{path}: checkpoint field {key!r} is missing or malformed")
    optimizer = document["optimizer"]
    if optimizer is not None and not (
        isinstance(optimizer.get("type"), str) and isinstance(optimizer.get("state"), dict)
    ):
        raise ValueError(f"{path}: checkpoint field 'optimizer' is malformed")
    return document


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a checkpoint may hold")


def _finite_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):  # 1e400 parses as inf
        raise ValueError(f"{_short(text)} is beyond the float64 range")
    return number


def depth(document: object) -> int:
    """How deeply lists and dicts nest in ``document`` (counted without recursion)."""
    deepest, stack = 0, [(document, 1)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, level)
            if level <= MAX_DEPTH:  # deeper is refused anyway: no need to walk it all
                stack.extend((child, level + 1) for child in _children(node))
    return deepest


def _children(node: dict | list) -> list:
    return list(node.values()) if isinstance(node, dict) else node


def _short(x: object) -> str:
    """``repr(x)`` cut to a line: a crafted file must not make a megabyte error message."""
    return cut(repr(x))


def cut(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 3] + "..."


# --- checking the contents before anything changes ----------------------------------


def checked_contents(document: dict, model, optimizer) -> tuple:
    """``(model, optimizer_state, standardizer)`` once all of ``document`` fits; changes nothing.

    ``model`` is the one given, or a new one built from the architecture;
    ``optimizer`` (or None) is the one the saved state is for. What is left
    to check is the parameters' names, sizes and finiteness, which the
    model's own ``load_state_dict`` checks before it writes anything.
    """
    model = _checked_model(document, model)
    optimizer_state = _checked_optimizer_state(document["optimizer"], model, optimizer)
    return model, optimizer_state, _checked_standardizer(document["standardizer"], model)


def _checked_model(document: dict, model):
    """The model to load into: ``model`` if it fits the saved architecture, else one built."""
    architecture, parameters = document["architecture"], document["parameters"]
    for name, numbers_ in parameters.items():
        if not isinstance(numbers_, list):
            raise ValueError(f"parameters do not fit the model: {_short(name)} is not a list")
    if model is None:
        held = sum(len(numbers_) for numbers_ in parameters.values())
        needed = state_size(architecture)  # before building: a size of 10**7 costs nothing
        if needed is not None and needed != held:
            raise ValueError(
                f"parameters do not fit the model: its architecture {_short(architecture)} "
                f"needs {needed} numbers (parameters and buffers), the file holds {held}"
            )
        model = _build(architecture)
    else:
        _check_same_architecture(model, architecture)
    _check_bounds(model, parameters)
    return model


def state_size(architecture: dict) -> int | None:
    """How many numbers ``Module.state_dict()`` holds for ``architecture`` (None: unknown type).

    Computed from the sizes alone, so that a checkpoint claiming a huge model
    is refused before a single `Value` is built.

    Examples
    --------
    >>> state_size({"type": "MLP", "nin": 2, "nouts": [3, 1]})  # 3 * (2 + 1) + 1 * (3 + 1)
    13
    >>> state_size({"type": "Transformer"}) is None
    True
    """
    kind = architecture.get("type")
    kind, get = architecture.get("type"), architecture.get
    if kind == "Neuron":
        return _size("nin", get("nin")) + 1
    if kind == "BatchNorm1d":
        return _batchnorm_size(_size("num_features", get("num_features")), get("affine"))
    if kind == "Layer":
        nin, nout = _size("nin", get("nin")), _size("nout", get("nout"))
        return _layer_size(nin, nout, get("batchnorm") is True)
    if kind == "MLP":
        nouts = get("nouts")
        if not isinstance(nouts, list) or not nouts:
            raise ValueError(f"architecture: 'nouts' must be a list of widths, got {_short(nouts)}")
        sizes = [_size("nin", get("nin"))]
        sizes += [_size(f"nouts[{i}]", width) for i, width in enumerate(nouts)]
        last = len(nouts) - 1  # the output layer: never a BatchNorm1d
        norm = get("batchnorm") is True
        return sum(_layer_size(sizes[i], sizes[i + 1], norm and i < last) for i in range(last + 1))
    return None


def _size(name: str, value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise ValueError(f"architecture: {name!r} must be a positive int, got {_short(value)}")
    return value


def _layer_size(nin: int, nout: int, batchnorm: bool) -> int:
    return nout * (nin + 1) + (_batchnorm_size(nout, True) if batchnorm else 0)


def _batchnorm_size(num_features: int, affine: object) -> int:
    # weight and bias (when affine), running_mean, running_var, num_batches_tracked
    return (2 * num_features if affine is not False else 0) + 2 * num_features + 1


def _build(architecture: dict):
    try:
        return from_architecture(architecture)
    except (TypeError, ValueError, KeyError, ArithmeticError) as error:
        raise ValueError(
            f"cannot rebuild the model {_short(architecture)} ({cut(str(error))})"
        ) from None


def _check_same_architecture(model, architecture: dict) -> None:
    """The model given must be what the checkpoint describes (its initializer aside)."""
    try:
        own = model.architecture()
    except NotImplementedError:
        return  # a model that cannot describe itself: its parameter names and sizes decide
    saved = {k: v for k, v in architecture.items() if k != "init"}
    own = {k: v for k, v in own.items() if k != "init"}
    if saved != own:
        differ = [k for k in sorted(set(saved) | set(own)) if saved.get(k) != own.get(k)]
        details = ", ".join(
            f"{k} {_short(saved.get(k))} saved, {_short(own.get(k))} given" for k in differ
        )
        raise ValueError(f"parameters do not fit the model: the architecture differs: {details}")
    if "init" in architecture:  # not used here, but whoever rebuilds the model from it will
        try:
            nn_init.resolve(architecture["init"])
        except (TypeError, ValueError, ArithmeticError) as error:
            raise ValueError(f"architecture: bad 'init' ({cut(str(error))})") from None


def _check_bounds(model, parameters: dict) -> None:
    """The saved buffers' `BOUNDS`; names, sizes and finiteness are ``load_state_dict`` 's own."""
    for path, module in model.named_modules():
        for key, rule in BOUNDS.get(type(module).__name__, {}).items():
            name = f"{path}.{key}" if path else key
            for i, x in enumerate(parameters.get(name, [])):
                rule(f"parameters[{name!r}][{i}]", x)


def _non_negative(where: str, x: object) -> None:
    if saved_number(x, where) < 0.0:
        raise ValueError(f"{where}: expected a number >= 0, got {_short(x)}")


def _count(where: str, x: object) -> None:
    number = saved_number(x, where)
    if not (number.is_integer() and 0 <= number <= MAX_COUNT):
        raise ValueError(f"{where}: expected a count, an integer in [0, 2**53], got {_short(x)}")


# What a saved number must be beyond finite, by the class whose state holds it: a variance
# is never negative, a step count never fractional or beyond float64's exact integers.
# (An optimizer's state is checked by its own load_state_dict: Adam's exp_avg_sq >= 0.)
BOUNDS = {
    "BatchNorm1d": {"running_var": _non_negative, "num_batches_tracked": _count},
}


def _checked_optimizer_state(saved: dict | None, model, optimizer) -> dict | None:
    """The saved optimizer state, checked against the model's parameters (and ``optimizer``)."""
    if optimizer is not None:
        if saved is None:
            raise ValueError("holds no optimizer state to load")
        if saved["type"] != type(optimizer).__name__:
            raise ValueError(
                f"holds the state of an optimizer of class {saved['type'][:60]}, "
                f"the optimizer given is of class {type(optimizer).__name__}"
            )
    if saved is None:
        return None
    kind, state = _optimizer_classes().get(saved["type"]), saved["state"]
    if kind is None:
        return saved  # a class unknown here: whoever loads it into an optimizer checks it
    if optimizer is not None:
        n_params = len(optimizer.params)
    else:  # it may have trained only some of the model's parameters: its own lists say
        lists = [state.get(name) for name in kind._state]
        n_params = next((len(x) for x in lists if isinstance(x, list)), len(model.parameters()))
    try:
        trial = kind([Value(0.0) for _ in range(max(n_params, 1))], lr=1.0)
    except (TypeError, ValueError):
        return saved  # a subclass with other required arguments: as for an unknown class
    try:
        trial.load_state_dict(state)  # the class's own checks: keys, lengths, numbers, bounds
    except (TypeError, ValueError, KeyError, ArithmeticError) as error:
        raise ValueError(f"optimizer state does not fit ({cut(str(error))})") from None
    return saved


def _optimizer_classes() -> dict[str, type]:
    classes, stack = {}, [Optimizer]
    while stack:
        kind = stack.pop()
        classes[kind.__name__] = kind
        stack.extend(kind.__subclasses__())
    return classes


def _checked_standardizer(saved: dict | None, model) -> Standardizer | None:
    if saved is None:
        return None
    for key in ("mean", "scale"):
        entries = saved.get(key)
        if not isinstance(entries, list):
            raise ValueError(f"standardizer {key!r}: expected a list of numbers")
        for i, x in enumerate(entries):
            saved_number(x, f"standardizer {key!r}[{i}]")
        nin = getattr(model, "nin", None)
        if isinstance(nin, int) and len(entries) != nin:
            raise ValueError(
                f"standardizer {key!r}: {len(entries)} numbers for a model of {nin} inputs"
            )
    return Standardizer().load_state_dict(saved)
