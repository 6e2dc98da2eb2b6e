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
checkpoint. `load` checks the whole file before it changes anything (the
checks are in `nn.checkpoint_checks`): a truncated, foreign, mismatched or
crafted file raises ``ValueError`` and leaves the model as it was.

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
from nn.checkpoint_checks import (
    FORMAT,
    MAX_DEPTH,
    VERSION,
    checked_contents,
    cut,
    depth,
    read_document,
)
from nn.data import Standardizer


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
    if depth(document) > MAX_DEPTH:
        raise ValueError(f"save: the checkpoint would nest more than {MAX_DEPTH} levels deep")
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
        or was crafted (nested too deeply, numbers beyond float64); its
        architecture is not the model's (activations, widths, types: the
        initializer may differ) or claims more numbers than it holds; its
        parameters, optimizer state or standardizer do not fit, or hold
        numbers their owner could not (a negative variance, a step count
        beyond 2**53). The message names the field. Nothing was changed.

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
    document = read_document(path)
    try:
        model, optimizer_state, standardizer = checked_contents(document, model, optimizer)
    except ValueError as error:
        raise ValueError(f"{path}: {error}") from None
    try:  # checks names, sizes and numbers before it writes any
        model.load_state_dict(document["parameters"])
    except ValueError as error:
        raise ValueError(
            f"{path}: parameters do not fit the model: {cut(str(error), 300)}"
        ) from None
    if optimizer is not None:  # cannot fail: a trial optimizer took this state
        optimizer.load_state_dict(optimizer_state["state"])
    return Checkpoint(
        model=model,
        optimizer_state=optimizer_state,
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
