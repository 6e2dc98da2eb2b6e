"""The README's example is examples/quickstart.py, and prints what the README says."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def readme_blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.parametrize("script", ["quickstart.py", "train_moons.py"])
def test_readme_examples_are_the_example_scripts(script):
    assert (ROOT / "examples" / script).read_text() in readme_blocks("python")


def run_example(script: str, cwd: Path) -> str:
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / script)],
        capture_output=True,
        text=True,
        check=True,
        cwd=cwd,
    )
    return run.stdout


def test_quickstart_prints_what_the_readme_shows(tmp_path):
    assert run_example("quickstart.py", tmp_path) in readme_blocks("text")


def test_train_example_prints_what_the_readme_says(tmp_path):
    output = run_example("train_moons.py", tmp_path)
    assert output.strip() == "validation accuracy: 1.000"
    assert "prints `validation accuracy: 1.000`" in (ROOT / "README.md").read_text()
    assert (tmp_path / "moons.json").is_file()


def test_readme_quick_start_has_exactly_two_commands():
    quick_start = (ROOT / "README.md").read_text().split("## Quick start")[1].split("\n## ")[0]
    commands = [
        line
        for block in re.findall(r"```bash\n(.*?)```", quick_start, flags=re.DOTALL)
        for line in block.splitlines()
        if line.strip()
    ]
    assert [c.split("#")[0].strip() for c in commands] == [
        "bash scripts/demo",
        "bash scripts/test",
    ]


def test_ci_runs_the_readme_test_command():
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()
