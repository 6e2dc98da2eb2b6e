"""The real process under signals: SIGTERM cleans up as Ctrl-C does; a killed run's leftovers go.

Each test starts ``python -m tapegrad train`` and signals it once its
staging folder (``.tapegrad-<hex>.run``) exists, that is, mid-run.
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tapegrad.staging import STAGING_FOLDER

ROOT = Path(__file__).resolve().parents[2]
LONG_RUN = ["train", "--dataset", "moons", "--engine", "scalar", "--epochs", "500", "--quiet"]

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX signals and locks")


def staging_folders(folder: Path) -> list[Path]:
    return (
        [p for p in folder.iterdir() if STAGING_FOLDER.fullmatch(p.name)] if folder.exists() else []
    )


def start_and_wait_for_staging(out: Path) -> subprocess.Popen:
    """Start a long run into ``out``; return once it has made its own staging folder."""
    before = staging_folders(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-m", "tapegrad", *LONG_RUN, "--out", str(out)]
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not set(staging_folders(out)) - set(before):
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the run never started"
        time.sleep(0.05)
    time.sleep(0.3)  # well into training
    return process


def test_sigterm_removes_the_staging_folder_and_the_folders_it_made(tmp_path):
    out = tmp_path / "runs" / "new"
    process = start_and_wait_for_staging(out)
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM
    assert err.decode() == "tapegrad: error: terminated; nothing was written\n"
    assert list(tmp_path.iterdir()) == []  # runs/ and runs/new/ were the run's own


def test_a_killed_runs_staging_folder_is_swept_by_the_next_run(tmp_path):
    out = tmp_path / "run"
    out.mkdir()
    process = start_and_wait_for_staging(out)
    process.kill()  # SIGKILL: no clean-up can run
    process.communicate(timeout=60)
    (left,) = staging_folders(out)
    live = start_and_wait_for_staging(out)  # a second run, still at work
    assert left not in staging_folders(out)  # swept when it started
    (working,) = staging_folders(out)
    quick = ["train", "--dataset", "xor", "--epochs", "1", "--quiet", "--out", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    third = subprocess.run(
        [sys.executable, "-m", "tapegrad", *quick], env=env, capture_output=True, timeout=120
    )
    assert third.returncode == 0, third.stderr
    assert working.is_dir()  # a live run's folder is locked: not swept
    live.kill()
    live.communicate(timeout=60)
