"""Output folders and files, written whole or not at all.

Every command builds its outputs in a temporary file or folder and renames
them into place at the end, so a failed or interrupted run leaves nothing
behind and replaces no file that is not its own.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from autograd.files import atomic_write
from tapegrad.errors import CLIError


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
def staging(folder: Path) -> Iterator[Path]:
    """A temporary folder inside ``folder`` whose files move into ``folder`` on success.

    On any error the temporary folder, and any folder this created, are
    removed: an interrupted or failed run leaves nothing behind. An existing
    file of the same name is replaced only when the run succeeds.

    Examples
    --------
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     with staging(Path(tmp) / "out") as temp:
    ...         _ = (temp / "report.md").write_text("# done")  # not in out/ yet
    ...     print(os.listdir(Path(tmp) / "out"))
    ['report.md']
    """
    created = _make_dirs(folder)
    try:
        temp = Path(tempfile.mkdtemp(dir=folder, prefix=".tapegrad-"))
    except OSError as error:
        _remove_dirs(created)
        raise CLIError(f"cannot write to {folder}: {error.strerror}") from None
    try:
        yield temp
        for item in sorted(temp.iterdir()):
            os.replace(item, folder / item.name)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        _remove_dirs(created)
        raise
    shutil.rmtree(temp, ignore_errors=True)


def write_file(path: Path, data: bytes) -> None:
    """Write one output file atomically, creating its folder if needed."""
    created = _make_dirs(path.parent)
    try:
        atomic_write(path, data)
    except OSError as error:
        _remove_dirs(created)
        raise CLIError(f"cannot write {path}: {error.strerror}") from None
