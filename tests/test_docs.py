"""The documentation site builds with ``mkdocs build --strict`` and covers every module."""

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def modules() -> list[str]:
    """Every module of the three packages and their subpackages, as ``package.module``."""
    return sorted(
        ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for package in ("autograd", "nn", "tapegrad")
        for path in (ROOT / package).rglob("*.py")
        if not path.stem.startswith("_")
    )


def test_every_module_has_an_api_reference_page():
    nav = (ROOT / "mkdocs.yml").read_text()
    for module in modules():
        page = DOCS / "reference" / f"{module}.md"
        assert page.exists(), f"docs/reference/{module}.md is missing"
        assert f"::: {module}\n" in page.read_text()
        assert f"reference/{module}.md" in nav, f"{module} is not in mkdocs.yml's nav"


NOTEBOOKS = sorted(p.stem for p in (ROOT / "notebooks").glob("*.ipynb"))


def test_the_tutorial_page_names_every_notebook():
    tutorial = (DOCS / "tutorial" / "index.md").read_text()
    assert re.findall(r"notebooks/(\w+)\.ipynb", tutorial) == NOTEBOOKS  # once each, in order


def test_the_tutorial_section_shows_every_notebook_in_order():
    nav = (ROOT / "mkdocs.yml").read_text()
    tutorial = nav[nav.index("  - Tutorial:") : nav.index("  - How-to guides:")]
    assert "tutorial/index.md" in tutorial.splitlines()[1]  # the page that leads into them
    assert re.findall(r": notebooks/(\w+)\.ipynb\n", tutorial) == NOTEBOOKS


def pictures(html: str) -> int:
    """How many notebook outputs of a page are pictures (nbconvert's HTML)."""
    return html.count('data-mime-type="image/svg+xml"') + html.count('class="jp-RenderedImage')


def test_the_site_builds_strictly(tmp_path):
    for package in (
        "mkdocs",
        "material",
        "mkdocstrings",
        "mkdocstrings_handlers.python",
        "mkdocs_jupyter",
    ):
        pytest.importorskip(package)
    site = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(site)],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert build.returncode == 0, build.stderr
    value_page = (site / "reference" / "autograd.value" / "index.html").read_text()
    assert 'id="autograd.value.Value.backward"' in value_page  # generated from the docstring
    benchmarks = (site / "benchmarks" / "index.html").read_text()
    if (ROOT / "benchmarks" / "results.json").exists():
        assert "<table>" in benchmarks  # the latest results, formatted by benchmarks/run.py
    else:
        assert "Not measured yet" in benchmarks
    ops_page = (site / "reference" / "autograd.ops" / "index.html").read_text()
    from autograd.ops import OPS

    for op in OPS:  # the op table is rendered from the code, every row and its math
        assert f"<code>{op.name}</code>" in ops_page
        assert f"{op.derivative.__name__}</span>" in ops_page
    assert "_table" not in ops_page  # OPS is the table, not its one-line source
    # Signatures formatted (by ruff, in the docs extra): a long one has a parameter a line.
    train_page = (site / "reference" / "nn.train" / "index.html").read_text()
    assert '<span class="nf">fit</span><span class="p">(</span>\n    <span class="n">model' in (
        train_page
    )
    for stem in NOTEBOOKS:  # rendered as stored, with the pictures it drew
        stored = json.loads((ROOT / "notebooks" / f"{stem}.ipynb").read_text())
        drawn = [
            output
            for cell in stored["cells"]
            for output in cell.get("outputs", [])
            if {"image/png", "image/svg+xml"} & set(output.get("data", {}))
        ]
        page = (site / "notebooks" / stem / "index.html").read_text()
        assert pictures(page) == len(drawn) > 0, stem
