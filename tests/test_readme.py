"""The README's example is examples/quickstart.py, and prints what the README says."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def readme_blocks(language: str) -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.DOTALL)


def test_readme_example_is_the_quickstart_script():
    script = (ROOT / "examples" / "quickstart.py").read_text()
    assert script in readme_blocks("python")


def test_quickstart_prints_what_the_readme_shows():
    run = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "quickstart.py")],
        capture_output=True,
        text=True,
        check=True,
    )
    assert run.stdout in readme_blocks("text")


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
