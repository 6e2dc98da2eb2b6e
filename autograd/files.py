"""Writing files so that they are always complete or absent, never half-written.

`atomic_write` writes beside the target and renames over it. It replaces only
what it may: a regular file (keeping its permissions) or nothing; a folder, a
device, a FIFO or a socket at the path is refused, so a save can never turn
``/dev/null`` into a regular file. The temporary file has a short name of its
own (``.tapegrad-<hex>.tmp``), so any legal file name works, and it is
locked while written: a temporary left behind by a killed process is no
longer locked, and the next write into that folder removes it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import stat
from collections.abc import Iterable
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no locks, so no sweeping of leftovers either
    fcntl = None

TEMPORARY = re.compile(r"\.tapegrad-[0-9a-f]{12}\.tmp")
"""The name of every temporary file `atomic_write` makes (and may sweep)."""

_KINDS = {
    stat.S_ISDIR: "a folder",
    stat.S_ISCHR: "a character device",
    stat.S_ISBLK: "a block device",
    stat.S_ISFIFO: "a FIFO (named pipe)",
    stat.S_ISSOCK: "a socket",
}


class NotAFileError(OSError):
    """The path names something `atomic_write` must not replace (a folder, a device, ...)."""


def atomic_write(
    path: str | os.PathLike, data: bytes, inputs: Iterable[str | os.PathLike] = ()
) -> None:
    """Write ``data`` to ``path`` through a temporary file in the same folder.

    The bytes go to a new file beside ``path``, are flushed to disk, and the
    file is renamed over ``path``: ``os.replace`` is atomic on one file
    system, so a reader (or a crash) sees the old file or the new one, never
    a mix. On any error the temporary file is removed and ``path`` is left
    as it was.

    Parameters
    ----------
    path : str or path-like
        A regular file (replaced, its permission bits kept), a new name
        (created with the umask's permissions), or a symbolic link to a
        regular file (the file is replaced, the link stays).
    data : bytes
    inputs : iterable of paths, optional
        The files ``data`` was made from: writing over one of them (under
        any name: a hard or symbolic link counts) is refused.

    Raises
    ------
    NotAFileError
        (an ``OSError``) when ``path`` is a folder, a device, a FIFO, a
        socket, a symbolic link to one of these or to nothing, or one of
        ``inputs``. Nothing is written.

    Examples
    --------
    >>> import tempfile
    >>> target = Path(tempfile.mkdtemp()) / "out.txt"
    >>> atomic_write(target, b"complete")
    >>> target.read_bytes()
    b'complete'
    >>> try:
    ...     atomic_write("/dev/null", b"")
    ... except NotAFileError as error:
    ...     print(error.filename, "is", error.strerror)
    /dev/null is a character device, not a regular file: refusing to replace it
    """
    path, mode = _target(Path(path), inputs)
    _sweep_leftovers(path.parent)
    temp, fd = _new_temporary(path.parent)
    try:
        if mode is not None:
            os.chmod(temp, mode)  # the replaced file's permissions, not the umask's
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())  # the bytes are on disk before the name points at them
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
    _fsync_folder(path.parent)  # and the rename itself survives a power cut


def _target(path: Path, inputs: Iterable[str | os.PathLike]) -> tuple[Path, int | None]:
    """The file to replace (``path``, or the file a link points at) and its permission bits.

    The bits are None for a new file. Anything but a regular file raises `NotAFileError`.
    """
    try:
        info = os.stat(path)  # follows symbolic links: what would be overwritten
    except FileNotFoundError:
        if path.is_symlink():
            raise _refusal(path, "a symbolic link to a missing file, not a regular file") from None
        return path, None
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS.items() if test(info.st_mode)), "not a file")
        link = "a symbolic link to " if path.is_symlink() else ""
        raise _refusal(path, f"{link}{kind}, not a regular file")
    for source in inputs:
        if _same_file(info, source):
            raise _refusal(path, f"the input {source} itself (an output may not replace it)")
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    return path, stat.S_IMODE(info.st_mode)


def _same_file(info: os.stat_result, other: str | os.PathLike) -> bool:
    try:
        return os.path.samestat(info, os.stat(other))
    except OSError:  # ``other`` does not exist (yet): it cannot be overwritten
        return False


def _refusal(path: Path, reason: str) -> NotAFileError:
    return NotAFileError(errno.EINVAL, f"{reason}: refusing to replace it", str(path))


def _new_temporary(folder: Path) -> tuple[Path, int]:
    """A new, locked, empty temporary file in ``folder``, as (path, open descriptor)."""
    while True:
        temp = folder / f".tapegrad-{secrets.token_hex(6)}.tmp"
        # os.open with mode 0o666 lets the umask decide the permissions, as open() does.
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        fd = os.open(temp, flags, 0o666)
        if fcntl is None:
            return temp, fd
        fcntl.flock(fd, fcntl.LOCK_EX)  # held until the descriptor closes, even on kill -9
        if os.fstat(fd).st_nlink:
            return temp, fd
        os.close(fd)  # a sweep removed it between os.open and the lock: take another name


def _sweep_leftovers(folder: Path) -> None:
    """Remove temporaries of `atomic_write` 's naming that no live writer holds locked."""
    if fcntl is None:
        return
    with contextlib.suppress(OSError), os.scandir(folder) as entries:
        names = [e.name for e in entries if TEMPORARY.fullmatch(e.name)]
    for name in names:
        with contextlib.suppress(OSError):
            _remove_if_abandoned(folder / name)


def _remove_if_abandoned(temp: Path) -> None:
    fd = os.open(temp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return  # a writer is at work on it
        if os.path.samestat(opened, os.lstat(temp)):
            os.unlink(temp)
    finally:
        os.close(fd)


def _fsync_folder(folder: Path) -> None:
    if os.name != "posix":
        return
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
