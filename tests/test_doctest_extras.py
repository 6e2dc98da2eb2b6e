"""Docstring examples that need an optional extra skip cleanly where it is not installed."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Run pytest on the module's examples with the extra's import blocked.
BLOCKED_RUN = """
import sys
sys.modules[{module!r}] = None  # `import {module}` now raises ImportError
import pytest
sys.exit(pytest.main(["-q", "-p", "no:randomly", "-p", "no:cacheprovider", {path!r}]))
"""


def run_without(module, path):
    code = BLOCKED_RUN.format(module=module, path=path)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_scikit_learn_examples_skip_without_it():
    result = run_without("sklearn", "nn/datasets.py")
    assert result.returncode == 0, result.stdout
    assert "2 skipped" in result.stdout and "failed" not in result.stdout, result.stdout
    assert "needs scikit-learn, which is not installed" in result.stdout


def test_matplotlib_examples_skip_without_it():
    result = run_without("matplotlib", "nn/plot.py")
    assert result.returncode == 0, result.stdout
    assert "skipped" in result.stdout and "failed" not in result.stdout, result.stdout
