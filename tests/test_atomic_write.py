"""atomic_write replaces only regular files, keeps their mode, takes any legal name, flushes to
disk before renaming, and cleans up after a writer killed mid-save."""

import os
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

import pytest

from autograd import files
from autograd.files import TEMPORARY, NotAFileError, atomic_write

posix_only = pytest.mark.skipif(os.name != "posix", reason="FIFOs, devices and locks are POSIX")
ROOT = Path(__file__).resolve().parents[1]


def leftovers(folder):
    return sorted(p.name for p in Path(folder).iterdir() if TEMPORARY.fullmatch(p.name))


# --- what may be replaced ---------------------------------------------------------


@posix_only
def test_a_fifo_is_refused_and_stays_a_fifo(tmp_path):
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    with pytest.raises(NotAFileError, match=r"a FIFO \(named pipe\), not a regular file"):
        atomic_write(fifo, b"data")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert leftovers(tmp_path) == []


@posix_only
@pytest.mark.skipif(not os.path.exists("/dev/null"), reason="needs /dev/null")
def test_a_device_and_a_link_to_it_are_refused(tmp_path):
    before = os.stat("/dev/null")
    with pytest.raises(NotAFileError, match="a character device, not a regular file"):
        atomic_write("/dev/null", b"data")
    link = tmp_path / "null.json"
    link.symlink_to("/dev/null")
    with pytest.raises(NotAFileError, match="a symbolic link to a character device"):
        atomic_write(link, b"data")
    assert link.is_symlink() and os.stat("/dev/null").st_ino == before.st_ino
    assert leftovers(tmp_path) == []


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(NotAFileError, match="a folder, not a regular file"):
        atomic_write(tmp_path, b"data")
    assert tmp_path.is_dir()


@posix_only
def test_a_socket_is_refused():
    folder = tempfile.mkdtemp(dir="/tmp")  # a short path: socket names are limited to ~100
    path = os.path.join(folder, "s")
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(path)
        with pytest.raises(NotAFileError, match="a socket"):
            atomic_write(path, b"data")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)
    finally:
        server.close()
        os.unlink(path)
        os.rmdir(folder)


@posix_only
def test_a_link_to_nothing_is_refused(tmp_path):
    link = tmp_path / "out.json"
    link.symlink_to(tmp_path / "missing")
    with pytest.raises(NotAFileError, match="a symbolic link to a missing file"):
        atomic_write(link, b"data")
    assert link.is_symlink() and not (tmp_path / "missing").exists()


@posix_only
@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_standard_output_is_not_replaced_through_a_link(tmp_path):
    """The audit's case: a link to /proc/self/fd/1 (a pipe here) must not become a file."""
    link = tmp_path / "out.json"
    link.symlink_to("/proc/self/fd/1")
    code = f"from autograd.files import atomic_write; atomic_write({str(link)!r}, b'x')"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1 and "NotAFileError" in result.stderr
    assert "a symbolic link to a FIFO" in result.stderr
    assert result.stdout == "" and link.is_symlink()


@posix_only
def test_a_link_to_a_regular_file_replaces_the_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.json"
    real.write_bytes(b"old")
    link = tmp_path / "link.json"
    link.symlink_to(real)
    atomic_write(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"
    assert leftovers(tmp_path) == []


# --- the file it writes ---------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("mode", [0o600, 0o640, 0o644, 0o400, 0o755])
def test_an_existing_file_keeps_its_mode(tmp_path, mode):
    path = tmp_path / "model.json"
    path.write_bytes(b"old")
    os.chmod(path, mode)
    atomic_write(path, b"new")
    assert stat.S_IMODE(os.stat(path).st_mode) == mode
    assert path.read_bytes() == b"new"


@posix_only
def test_a_new_file_gets_the_umask_s_mode(tmp_path):
    umask = os.umask(0o027)
    try:
        atomic_write(tmp_path / "new.json", b"x")
    finally:
        os.umask(umask)
    assert stat.S_IMODE(os.stat(tmp_path / "new.json").st_mode) == 0o640


@pytest.mark.parametrize("length", [250, 255])
def test_any_legal_file_name_works(tmp_path, length):
    path = tmp_path / ("m" * (length - 5) + ".json")
    atomic_write(path, b"data")
    assert path.read_bytes() == b"data"
    assert leftovers(tmp_path) == []


def test_data_is_flushed_to_disk_before_the_rename(tmp_path, monkeypatch):
    """fsync on the temporary file, then os.replace, then fsync on the folder."""
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def spy_fsync(fd):
        kind = "folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file"
        if kind == "file":
            events.append(("fsync file", os.fstat(fd).st_size))
        else:
            events.append(("fsync folder", None))
        real_fsync(fd)

    def spy_replace(src, dst):
        events.append(("replace", Path(src).name))
        real_replace(src, dst)

    monkeypatch.setattr(files.os, "fsync", spy_fsync)
    monkeypatch.setattr(files.os, "replace", spy_replace)
    atomic_write(tmp_path / "out.bin", b"12345")
    kinds = [event for event, _ in events]
    expected = ["fsync file", "replace", "fsync folder"] if os.name == "posix" else kinds[:2]
    assert kinds == expected
    assert events[0][1] == 5  # every byte written before the sync
    assert TEMPORARY.fullmatch(events[1][1])


# --- not over its own inputs ------------------------------------------------------------


def test_an_input_is_not_overwritten_under_any_name(tmp_path):
    source = tmp_path / "new.csv"
    source.write_bytes(b"a,b\n1,2\n")
    names = [source, str(source), tmp_path / "." / "new.csv"]
    if os.name == "posix":
        os.link(source, tmp_path / "hard.csv")
        (tmp_path / "soft.csv").symlink_to(source)
        names += [tmp_path / "hard.csv", tmp_path / "soft.csv"]
    for name in names:
        with pytest.raises(NotAFileError, match=r"the input .*new\.csv itself"):
            atomic_write(name, b"predictions", inputs=[source])
    assert source.read_bytes() == b"a,b\n1,2\n"
    atomic_write(tmp_path / "out.csv", b"predictions", inputs=[source, tmp_path / "absent"])
    assert (tmp_path / "out.csv").read_bytes() == b"predictions"


# --- a writer killed mid-save ---------------------------------------------------------

# Writes ``target`` and stops inside the fsync (the data written, not yet renamed).
PAUSED_WRITER = textwrap.dedent(
    """
    import os, sys, time
    from autograd import files
    def paused_fsync(fd):
        print("writing", flush=True)
        time.sleep(120)
    files.os.fsync = paused_fsync
    files.atomic_write(sys.argv[1], b"new" * 100000)
    """
)


def start_paused_writer(target):
    writer = subprocess.Popen(
        [sys.executable, "-c", PAUSED_WRITER, str(target)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout.readline() == "writing\n"
    return writer


@posix_only
def test_after_kill_9_mid_save_the_old_file_is_intact_and_the_leftover_is_swept(tmp_path):
    target = tmp_path / "model.json"
    target.write_bytes(b"old")
    writer = start_paused_writer(target)
    try:
        assert len(leftovers(tmp_path)) == 1  # the half-done save, beside the old file
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
        writer.stdout.close()
    assert target.read_bytes() == b"old"
    assert len(leftovers(tmp_path)) == 1  # nobody cleaned up after the killed writer
    atomic_write(tmp_path / "other.json", b"x")  # the next write in the folder does
    assert leftovers(tmp_path) == []
    assert target.read_bytes() == b"old"


@posix_only
def test_a_live_writer_s_temporary_is_left_alone(tmp_path):
    (tmp_path / ".other.tmp").write_bytes(b"not ours")
    (tmp_path / ".tapegrad-1a2b3c").mkdir()  # a run's staging folder: not ours either
    writer = start_paused_writer(tmp_path / "model.json")
    try:
        working = leftovers(tmp_path)
        atomic_write(tmp_path / "other.json", b"x")  # sweeps, but the writer holds its lock
        assert leftovers(tmp_path) == working and len(working) == 1
    finally:
        writer.send_signal(signal.SIGKILL)
        writer.wait(timeout=60)
        writer.stdout.close()
    assert (tmp_path / ".other.tmp").read_bytes() == b"not ours"
    assert (tmp_path / ".tapegrad-1a2b3c").is_dir()
