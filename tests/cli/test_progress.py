"""One kind of training output at a time, from the command and from nn.train.fit: the
tqdm bar in a terminal, a line per epoch elsewhere (or with --verbose), nothing but the
result with --quiet; and an extra that was asked for but is missing is an error naming it."""

import fcntl
import os
import pty
import struct
import subprocess
import sys
import termios

import pytest

from tapegrad.cli import main

TRAIN = ["train", "--dataset", "xor", "--samples", "20", "--epochs", "3", "--engine", "scalar"]
LINE = "epoch 1/3: loss="


def _in_a_terminal(tmp_path, *options) -> str:
    """What ``tapegrad train`` shows when stdout and stderr are a (pseudo-)terminal."""
    return _shown_in_a_terminal(
        [sys.executable, "-m", "tapegrad", *TRAIN, "--out", tmp_path / "out", *options]
    )


def _shown_in_a_terminal(argv) -> str:
    """What ``argv`` prints when stdout and stderr are a pseudo-terminal of 100 columns."""
    pytest.importorskip("tqdm", reason="the progress bar is the optional extra tapegrad[progress]")
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))
    process = subprocess.Popen(argv, stdin=follower, stdout=follower, stderr=follower)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0, b"".join(chunks).decode()
    return b"".join(chunks).decode()


def test_a_terminal_shows_the_bar_and_no_epoch_lines(tmp_path):
    shown = _in_a_terminal(tmp_path)
    assert "training" in shown and "3/3" in shown and "epoch/s" in shown  # tqdm's bar
    assert LINE not in shown
    assert "final accuracy" in shown


def test_verbose_in_a_terminal_prints_lines_and_no_bar(tmp_path):
    shown = _in_a_terminal(tmp_path, "--verbose")
    assert LINE in shown and "epoch 3/3: loss=" in shown
    assert "epoch/s" not in shown and "\r" not in shown.replace("\r\n", "")


def test_quiet_in_a_terminal_prints_only_the_result(tmp_path):
    shown = _in_a_terminal(tmp_path, "--quiet")
    assert LINE not in shown and "epoch/s" not in shown
    assert "final accuracy" in shown


# nn.train.fit in a script of its own, given {options}
FIT = """
from nn.data import DataLoader
from nn.datasets import xor
from nn.layers import MLP
from nn.losses import mse_loss
from nn.optim import SGD
from nn.train import fit

X, y = xor(n_samples=20, seed=0)
model = MLP(2, [4, 1], seed=0)
fit(model, mse_loss, SGD(model.parameters(), lr=0.1), DataLoader(X, y, batch_size=10),
    epochs=3, {options})
"""


def test_fit_in_a_terminal_shows_the_bar_even_when_verbose():
    shown = _shown_in_a_terminal([sys.executable, "-c", FIT.format(options="verbose=True")])
    assert "training" in shown and "3/3" in shown and "epoch/s" in shown
    assert "epoch 1/3: loss=" not in shown  # the bar already shows the numbers


def test_fit_with_progress_off_in_a_terminal_prints_the_verbose_lines():
    code = FIT.format(options="verbose=True, progress=False")
    shown = _shown_in_a_terminal([sys.executable, "-c", code])
    assert "epoch 1/3: loss=" in shown and "epoch 3/3: loss=" in shown
    assert "epoch/s" not in shown


def test_off_a_terminal_prints_lines_and_no_bar(tmp_path, capsys):
    assert main([*TRAIN, "--out", str(tmp_path / "out")]) == 0
    out, err = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()[:3]] == [
        "epoch 1/3",
        "epoch 2/3",
        "epoch 3/3",
    ]
    assert "epoch/s" not in out + err


def test_quiet_and_verbose_are_one_choice(capsys):
    assert main([*TRAIN, "--quiet", "--verbose"]) == 2
    assert "not allowed with argument" in capsys.readouterr().err


def test_plot_without_matplotlib_is_an_error_naming_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails
    out_dir = tmp_path / "out"
    assert main([*TRAIN, "--plot", "--out", str(out_dir)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("tapegrad: error: --plot:") and "pip install 'tapegrad[plot]'" in err
    assert len(err.splitlines()) == 1
    assert not out_dir.exists()  # it failed before training: nothing written
