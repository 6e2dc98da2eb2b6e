"""Output folders and files, written whole or not at all.

Every command builds its outputs in a temporary file or folder and renames
them into place at the end, so a failed or interrupted run leaves nothing
behind and replaces no file that is not its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path

from autograd.files import atomic_write, sweep_abandoned
from tapegrad.errors import CLIError

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None

STAGING_FOLDER = re.compile(r"\.tapegrad-[0-9a-f]{12}\.run")
"""The name of every staging folder (``.tapegrad-<hex>.run``), and of those a sweep may remove."""


def _make_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return the ones created (deepest last)."""
    missing = []
    for path in [folder, *folder.parents]:
        if path.is_dir():
            break
        if path.exists():
            raise CLIError(f"cannot write to {folder}: {path} exists and is not a folder")
        missing.append(path)
    created = []
    try:
        for path in reversed(missing):
            path.mkdir()
            created.append(path)
    except OSError as error:
        _remove_dirs(created)
        raise CLIError(f"cannot create the folder {path}: {error.strerror}") from None
    return created


def _remove_dirs(created: list[Path]) -> None:
    for path in reversed(created):
        with contextlib.suppress(OSError):
            path.rmdir()


@contextlib.contextmanager
def staging(folder: Path, inputs: Iterable[Path] = ()) -> Iterator[Path]:
    """A temporary folder inside ``folder`` whose files move into ``folder`` on success.

    On any error the temporary folder, and any folder this created, are
    removed: an interrupted or failed run leaves nothing behind (and the
    folder of a killed one goes at the next run into ``folder``). An existing
    file of the same name is replaced only when the run succeeds, and only
    when it is a regular file and none of ``inputs`` (the files the run
    read): else nothing moves and `CLIError` names it.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with staging(Path(tmp) / "out") as temp:
    ...         _ = (temp / "report.md").write_text("# done")  # not in out/ yet
    ...     print(os.listdir(Path(tmp) / "out"))
    ['report.md']
    """
    created = _make_dirs(folder)
    sweep_abandoned(folder, STAGING_FOLDER)  # the folders of killed runs
    try:
        temp, lock = _new_staging_folder(folder)
    except OSError as error:
        _remove_dirs(created)
        raise CLIError(f"cannot write to {folder}: {error.strerror}") from None
    try:
        yield temp
        items = sorted(temp.iterdir())
        for item in items:
            _check_replaceable(folder / item.name, inputs)
        for item in items:
            os.replace(item, folder / item.name)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        _remove_dirs(created)
        raise
    finally:
        if lock is not None:
            os.close(lock)
    shutil.rmtree(temp, ignore_errors=True)


def _new_staging_folder(folder: Path) -> tuple[Path, int | None]:
    """A new, empty, locked staging folder in ``folder``: (path, descriptor holding the lock).

    The lock lasts while the process lives, so a folder left by a killed run
    is unlocked, and the next run into ``folder`` removes it.
    """
    while True:
        temp = folder / f".tapegrad-{secrets.token_hex(6)}.run"
        os.mkdir(temp)
        if fcntl is None:  # Windows: no locks, so no sweeping either
            return temp, None
        try:
            fd = os.open(temp, os.O_RDONLY)
        except FileNotFoundError:
            continue  # a sweep took it before the lock: take another name
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink:
            return temp, fd
        os.close(fd)


def _check_replaceable(path: Path, inputs: Iterable[Path]) -> None:
    """Refuse to replace anything but a regular file (or a link), or one of ``inputs``."""
    if not os.path.lexists(path):
        return
    if not (path.is_symlink() or stat.S_ISREG(os.lstat(path).st_mode)):
        raise CLIError(f"cannot write {path}: something that is not a regular file is there")
    for source in inputs:
        with contextlib.suppress(OSError):
            if os.path.samefile(path, source):
                raise CLIError(f"cannot write {path}: it is the input {source}")


def write_file(path: Path, data: bytes, inputs: Iterable[Path] = ()) -> None:
    """Write one output file atomically, creating its folder if needed.

    Replacing one of ``inputs`` (the files the output was made from) is refused.
    """
    created = _make_dirs(path.parent)
    try:
        atomic_write(path, data, inputs=inputs)
    except OSError as error:
        _remove_dirs(created)
        raise CLIError(f"cannot write {path}: {error.strerror}") from None
