"""Other installed distributions that own tapegrad's import names, ``autograd`` and ``nn``.

tapegrad installs the top-level packages ``autograd`` and ``nn``, and other
distributions have packages of the same names (HIPS ``autograd``, pulled in
by pennylane, lifelines and others). Two distributions in one folder
overwrite each other's files, and uninstalling either deletes both, with no
word from pip. So importing ``autograd`` or ``nn`` looks for another owner
of that name and warns once, naming it and what to do.

An owner is found as ``importlib.metadata.packages_distributions()`` finds
one: the names in a distribution's ``top_level.txt``, else the first part of
each path in its ``RECORD``. The rule is applied here to the file's text,
which costs tens of milliseconds where the full mapping costs hundreds (it
parses every file of every distribution).

Examples
--------
>>> owners("autograd")  # none in this environment but tapegrad
()
"""

from __future__ import annotations

import warnings
from functools import cache
from importlib.metadata import Distribution, distributions

OURS = "tapegrad"


class ImportNameClashWarning(UserWarning):
    """Another installed distribution owns one of tapegrad's import names."""


def _top_level_names(dist: Distribution) -> set[str]:
    declared = dist.read_text("top_level.txt")
    if declared is not None:
        return set(declared.split())
    record = dist.read_text("RECORD") or ""
    # "autograd/ops.py,sha256=...,123" -> "autograd"; "six.py,..." -> "six.py"
    return {line.split("/", 1)[0].split(",", 1)[0] for line in record.splitlines()}


@cache
def _foreign_owners() -> dict[str, tuple[str, ...]]:
    """``{"autograd": ("autograd 1.7.0",), ...}``: the owners that are not tapegrad."""
    found: dict[str, list[str]] = {"autograd": [], "nn": []}
    for dist in distributions():
        names = _top_level_names(dist)
        for package in found:
            if names & {package, f"{package}.py"} and dist.metadata["Name"] != OURS:
                found[package].append(f"{dist.metadata['Name']} {dist.version}")
    return {package: tuple(sorted(set(who))) for package, who in found.items()}


def owners(package: str) -> tuple[str, ...]:
    """The installed distributions other than tapegrad that own the import name ``package``.

    Each as ``"name version"``; ``package`` is ``"autograd"`` or ``"nn"``.
    """
    return _foreign_owners()[package]


@cache
def warn_if_shared(package: str) -> None:
    """Warn once (an `ImportNameClashWarning`) when another distribution owns ``package``."""
    others = owners(package)
    if not others:
        return
    named = " and ".join(others)
    warnings.warn(
        f"the import name '{package}' of tapegrad is also owned by the installed "
        f"distribution {named}: they share one folder, so each overwrites the other's files "
        "and uninstalling either deletes both. Install tapegrad in a virtual environment "
        "of its own (python -m venv), or uninstall the other one and then run "
        "pip install --force-reinstall tapegrad.",
        ImportNameClashWarning,
        stacklevel=3,
    )
