"""Checkpoints: a model, its optimizer and its metadata in one JSON file.

A checkpoint is plain JSON, readable in any editor and safe to load (no
pickle: loading a file never runs code from it)::

    {"format": "tapegrad.checkpoint", "version": 1,
     "architecture": {"type": "MLP", ...},        # model.architecture()
     "parameters": {"layers.0.neurons.0.w": [...], ...},   # model.state_dict()
     "optimizer": {"type": "Adam", "state": {...}} or null,
     "standardizer": {"mean": [...], "scale": [...]} or null,
     "meta": {...}}                                 # your keyword arguments

Floats are written with Python's shortest round-trip repr, so a loaded model
gives bit-identical predictions. `save` writes a temporary file next to the
target and renames it into place, so a crash never leaves a half-written
checkpoint. `load` checks the whole file before it changes anything: a
truncated, foreign or mismatched file raises ``ValueError`` and leaves the
model as it was.

Examples
--------
>>> import tempfile, os
>>> from nn.layers import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = os.path.join(tempfile.mkdtemp(), "model.json")
>>> save(model, path, epochs=5)
>>> checkpoint = load(path)
>>> checkpoint.meta, checkpoint.model.state_dict() == model.state_dict()
({'epochs': 5}, True)
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field

from autograd.files import atomic_write
from nn.data import Standardizer
from nn.layers import from_architecture

FORMAT = "tapegrad.checkpoint"
VERSION = 1


@dataclass
class Checkpoint:
    """What `load` read.

    Attributes
    ----------
    model : Module
        The model with the saved parameters (rebuilt from the architecture, or
        the model passed to `load`).
    optimizer_state : dict or None
        ``{"type": class name, "state": optimizer.state_dict()}``.
    standardizer : Standardizer or None
    meta : dict
        The keyword arguments given to `save`.
    architecture : dict

    Examples
    --------
    >>> import os, tempfile
    >>> from nn.layers import Neuron
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save(Neuron(2, seed=0), os.path.join(tmp, "n.json"), note="demo")
    ...     checkpoint = load(os.path.join(tmp, "n.json"))
    >>> checkpoint.architecture["type"], checkpoint.meta, checkpoint.optimizer_state
    ('Neuron', {'note': 'demo'}, None)
    """

    model: object
    optimizer_state: dict | None = None
    standardizer: Standardizer | None = None
    meta: dict = field(default_factory=dict)
    architecture: dict = field(default_factory=dict)


# --- writing -------------------------------------------------------------------------


def save(
    model,
    path: str | os.PathLike,
    optimizer=None,
    standardizer: Standardizer | None = None,
    **meta,
) -> None:
    """Save ``model`` (architecture and parameters), and optionally more, to a JSON file.

    Parameters
    ----------
    model : Module
    path : str or path-like
    optimizer : SGD or Adam, optional
        Its state (momentum buffers, Adam's moments and step count) is saved so
        that training can resume where it stopped.
    standardizer : Standardizer, optional
        The input scaling the model was trained with.
    **meta
        Anything JSON-able to keep alongside: epoch, history, notes.

    Examples
    --------
    >>> import json, os, tempfile
    >>> from nn.layers import Neuron
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save(Neuron(2, init="zeros"), os.path.join(tmp, "n.json"), epoch=3)
    ...     with open(os.path.join(tmp, "n.json")) as f:
    ...         document = json.load(f)
    >>> document["parameters"], document["meta"]
    ({'w': [0.0, 0.0], 'b': [0.0]}, {'epoch': 3})
    """
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": model.architecture(),
        "parameters": model.state_dict(),
        "optimizer": None,
        "standardizer": standardizer.state_dict() if standardizer is not None else None,
        "meta": meta,
    }
    if optimizer is not None:
        document["optimizer"] = {"type": type(optimizer).__name__, "state": optimizer.state_dict()}
    try:
        text = json.dumps(document, allow_nan=False, indent=1)
    except (TypeError, ValueError) as error:
        raise ValueError(f"save: the checkpoint is not JSON-able ({error})") from None
    atomic_write(path, text.encode("utf-8"))


# --- reading -------------------------------------------------------------------------


def load(path: str | os.PathLike, model=None, optimizer=None) -> Checkpoint:
    """Read a checkpoint written by `save`.

    Parameters
    ----------
    path : str or path-like
    model : Module, optional
        Load the parameters into this model instead of building a new one
        from the saved architecture.
    optimizer : SGD or Adam, optional
        Load the saved optimizer state into it (it must be of the saved class).

    Returns
    -------
    Checkpoint

    Raises
    ------
    ValueError
        The file is not JSON or is truncated, is of another format or version,
        or its parameters do not fit the model. Nothing was changed.

    Examples
    --------
    Resume training: parameters and optimizer state go back into existing objects.

    >>> import os, tempfile
    >>> from nn.layers import MLP
    >>> from nn.optim import Adam
    >>> model = MLP(2, [3, 1], seed=0)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     save(model, os.path.join(tmp, "m.json"), Adam(model.parameters()))
    ...     fresh = MLP(2, [3, 1], seed=1)
    ...     checkpoint = load(os.path.join(tmp, "m.json"), fresh, Adam(fresh.parameters()))
    >>> fresh.state_dict() == model.state_dict(), checkpoint.optimizer_state["type"]
    (True, 'Adam')
    """
    document = _read_document(path)
    saved_optimizer = document["optimizer"]
    if optimizer is not None:
        if saved_optimizer is None:
            raise ValueError(f"{path}: holds no optimizer state to load")
        if saved_optimizer["type"] != type(optimizer).__name__:
            raise ValueError(
                f"{path}: holds the state of an optimizer of class {saved_optimizer['type']}, "
                f"the optimizer given is of class {type(optimizer).__name__}"
            )
    standardizer = None
    if document["standardizer"] is not None:
        try:
            standardizer = Standardizer().load_state_dict(document["standardizer"])
        except ValueError as error:
            raise ValueError(f"{path}: {error}") from None
    if model is None:
        model = _build(document["architecture"], path)
    previous = model.state_dict()
    try:
        model.load_state_dict(document["parameters"])  # checks names and lengths first
    except ValueError as error:
        raise ValueError(f"{path}: parameters do not fit the model: {error}") from None
    if optimizer is not None:
        try:
            load_optimizer_state(optimizer, saved_optimizer, path)
        except ValueError:
            model.load_state_dict(previous)  # all or nothing
            raise
    return Checkpoint(
        model=model,
        optimizer_state=saved_optimizer,
        standardizer=standardizer,
        meta=document["meta"],
        architecture=document["architecture"],
    )


def load_optimizer_state(optimizer, saved: dict, path: str | os.PathLike) -> None:
    """Put a checkpoint's saved optimizer state (``Checkpoint.optimizer_state``) into ``optimizer``.

    Raises
    ------
    ValueError
        Naming the file, when the state does not fit the optimizer; the
        optimizer is then unchanged.

    Examples
    --------
    >>> from autograd import Value
    >>> from nn.optim import SGD
    >>> saved = {"type": "SGD", "state": SGD([Value(1.0)], lr=0.5).state_dict()}
    >>> optimizer = SGD([Value(2.0)], lr=0.1)
    >>> load_optimizer_state(optimizer, saved, "model.json")
    >>> optimizer.lr
    0.5
    """
    try:
        optimizer.load_state_dict(saved["state"])
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(f"{path}: optimizer state does not fit ({error})") from None


def _read_document(path: str | os.PathLike) -> dict:
    """The parsed checkpoint, with its format, version and structure checked."""
    with open(path, "rb") as f:
        raw = f.read()
    try:
        document = json.loads(raw.decode("utf-8"), parse_constant=_refuse_constant)
    except ValueError as error:  # bad UTF-8, bad or cut-off JSON, NaN or Infinity
        raise ValueError(
            f"{path}: not a tapegrad checkpoint: not valid JSON, or truncated ({error})"
        ) from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValueError(
            f"{path}: not a tapegrad checkpoint (format {found!r}, expected {FORMAT!r})"
        )
    if document.get("version") != VERSION:
        raise ValueError(
            f"{path}: checkpoint version {document.get('version')!r}; "
            f"this tapegrad reads version {VERSION}"
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
        isinstance(optimizer.get("type"), str) and "state" in optimizer
    ):
        raise ValueError(f"{path}: checkpoint field 'optimizer' is malformed")
    return document


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a number a checkpoint may hold")


def _build(architecture: dict, path: str | os.PathLike):
    try:
        return from_architecture(architecture)
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(f"{path}: cannot rebuild the model {architecture!r} ({error})") from None
