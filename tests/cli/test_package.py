"""The command's package: ``python -m tapegrad``, the one version, and a thin client of nn."""

import ast
import importlib
import importlib.metadata
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import tomllib

import autograd
import nn
import nn.inference
import nn.train
import tapegrad
from nn.losses import binary_cross_entropy_with_logits, decision_threshold, hinge_loss, mse_loss
from tapegrad.cli import build_parser, main
from tapegrad.tables import LOSSES, Task

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("autograd", "nn", "tapegrad")


def sources(*packages):
    return [path for package in packages for path in sorted((ROOT / package).rglob("*.py"))]


def imported_modules(path):
    """Every module a file imports, at any depth (function-level imports included)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield node.module


def test_python_m_tapegrad_prints_the_version():
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "tapegrad", "--version"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"tapegrad {importlib.metadata.version('tapegrad')}\n"


def test_version_is_the_package_metadata_everywhere(capsys):
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert importlib.metadata.version("tapegrad") == declared
    assert autograd.__version__ == nn.__version__ == tapegrad.__version__ == declared
    assert main(["--version"]) == 0
    assert capsys.readouterr().out == f"tapegrad {declared}\n"


def test_the_version_literal_is_written_only_in_pyproject():
    literal = re.compile(r"""__version__\s*=\s*["']""")
    assert [p for p in sources(*PACKAGES) if literal.search(p.read_text())] == []


def test_nn_and_autograd_know_nothing_of_the_command():
    for path in sources("autograd", "nn"):
        imported = set(imported_modules(path))
        assert "argparse" not in imported, path
        assert not any(name.split(".")[0] == "tapegrad" for name in imported), path


def test_one_list_of_engines():
    (engine,) = [
        action
        for action in build_parser()._subparsers._group_actions[0].choices["train"]._actions
        if action.dest == "engine"
    ]
    assert engine.choices is nn.inference.ENGINES
    assert {"scalar", "compiled"} == set(nn.inference.ENGINES)
    defined = [p for p in sources(*PACKAGES) if re.search(r"^ENGINES\s*=", p.read_text(), re.M)]
    assert defined == [ROOT / "nn" / "inference.py"]


def test_one_predictor():
    for module in ("nn.plot", "tapegrad.training", "tapegrad.commands.predict"):
        assert importlib.import_module(module).Predictor is nn.inference.Predictor, module
    written = re.compile(r"^(class Predictor\b|def _?predictor\b)", re.M)
    defined = [p for p in sources(*PACKAGES) if written.search(p.read_text())]
    assert defined == [ROOT / "nn" / "inference.py"]


def test_losses_declare_their_threshold_and_the_command_reads_it():
    assert decision_threshold(binary_cross_entropy_with_logits) == 0.0
    assert decision_threshold(hinge_loss) == 0.0
    assert decision_threshold(mse_loss) == 0.5
    outputs = np.array([[0.3], [-0.3]])  # a logit of 0.3 is class 1, a probability of 0.3 not
    for name, loss_fn in LOSSES.items():
        if name == "cross_entropy":
            continue
        want = (outputs[:, 0] > decision_threshold(loss_fn)).astype(int).tolist()
        assert Task(name, [0, 1]).indices(outputs).tolist() == want, name
    # The threshold is the loss's declaration, not a rule keyed by its name.
    for path in sources(*PACKAGES):
        assert not re.search(r"_LOGIT_LOSSES|THRESHOLDS", path.read_text()), path


def test_one_epoch_line_for_the_logger_and_the_command(tmp_path, capsys):
    argv = ["train", "--dataset", "xor", "--samples", "20", "--epochs", "2", "--out", tmp_path]
    assert main([str(a) for a in argv]) == 0
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("epoch")]
    saved = nn.load(tmp_path / "model.json").meta["history"]
    history = nn.History.from_dict(saved)
    first = nn.History(**{key: saved[key][:1] for key in ("train_loss", "train_accuracy")})
    first.val_loss, first.val_accuracy = saved["val_loss"][:1], saved["val_accuracy"][:1]
    assert printed[0].startswith(nn.train.epoch_summary(first, 2) + " (")
    assert printed[1].startswith(nn.train.epoch_summary(history, 2) + " (")
