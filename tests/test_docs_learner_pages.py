"""The code on "Coming from micrograd" and "Moving on to PyTorch" runs and prints what they show."""

import io
import re
from contextlib import redirect_stdout
from pathlib import Path

import pytest

HOW_TO = Path(__file__).resolve().parent.parent / "docs" / "how-to"


def blocks(page, language):
    return re.findall(rf"```{language}\n(.*?)```", (HOW_TO / page).read_text(), flags=re.S)


def run(code):
    out = io.StringIO()
    with redirect_stdout(out):
        exec(compile(code, "<docs>", "exec"), {})
    return out.getvalue()


def test_coming_from_micrograd_runs_and_shows_the_accumulation():
    imports, accumulation = blocks("coming-from-micrograd.md", "python")
    run(imports)
    assert run(accumulation) == "24.0\n"


def test_moving_on_to_pytorch_runs_and_prints_what_it_shows():
    pytest.importorskip("torch")
    ours, theirs, bridge = blocks("moving-on-to-pytorch.md", "python")
    first, second = float(run(ours)), float(run(theirs))
    assert first < 0.1 and second < 0.1  # both loops fit the four points (from about ln 3)
    (shown,) = blocks("moving-on-to-pytorch.md", "text")
    printed = run(bridge)
    shown_lines = shown.splitlines()[: shown.splitlines().index("  ...")]
    assert printed.splitlines()[: len(shown_lines)] == shown_lines
