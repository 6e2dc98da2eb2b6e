"""The install story: the README and the docs' Install page start from the wheel, list
every extra in one table, and say prominently why tapegrad wants its own environment."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()
INSTALL = (ROOT / "docs" / "install.md").read_text()


def extras_in_pyproject() -> list[str]:
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    return sorted(project["optional-dependencies"])


def extras_table(text: str) -> list[str]:
    """The first column of the markdown table whose header starts with ``| extra |``."""
    table = text[text.index("| extra |") :].split("\n\n")[0]
    return re.findall(r"^\| `([\w-]+)` \|", table, flags=re.MULTILINE)


@pytest.mark.parametrize("text", [README, INSTALL], ids=["README", "install page"])
def test_one_table_names_every_extra(text):
    assert sorted(extras_table(text)) == extras_in_pyproject()
    assert text.count("| extra |") == 1


def test_the_wheel_comes_before_the_clone_scripts():
    readme = README.index("pip install dist/tapegrad-")
    assert readme < README.index("## Quick start") < README.index("bash scripts/demo")
    page = INSTALL.index("pip install dist/tapegrad-")
    assert page < INSTALL.index("pip install .") < INSTALL.index("bash scripts/demo")
    assert "pip install 'tapegrad[plot]'" in INSTALL


def test_the_install_page_warns_about_the_shared_import_names_first():
    warning = INSTALL.index('!!! warning "Give tapegrad a virtual environment of its own"')
    assert warning < INSTALL.index("## ")  # before any section: the first thing read
    for words in ("`autograd` and `nn`", "ImportNameClashWarning", "python -m venv"):
        assert words in INSTALL, words
    nav = (ROOT / "mkdocs.yml").read_text()
    assert "  - Install: install.md\n" in nav
    assert "[Install](install.md)" in (ROOT / "docs" / "index.md").read_text()
    assert re.search(r"^site_url: https://\S+/$", nav, flags=re.MULTILINE)
