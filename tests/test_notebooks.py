"""The teaching notebooks: written as jupytext sources, stored executed, with their pictures.

Each ``notebooks/NN_name.py`` (percent format) is a notebook's source and
``notebooks/NN_name.ipynb`` the same notebook with its outputs, written by
``python scripts/notebooks.py``. Running every notebook top to bottom is
nbmake's job (``--nbmake``, which the root conftest.py sets); these tests check what that
cannot: that the stored notebooks hold exactly the cells of their sources,
carry their outputs without run-to-run noise, and that pytest never imports a
source as a module.
"""

import sys
from itertools import pairwise
from pathlib import Path

import pytest

jupytext = pytest.importorskip("jupytext")

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
SOURCES = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))
STEMS = [source.stem for source in SOURCES]
PICTURES = ("image/png", "image/svg+xml")
REGENERATE = "run `python scripts/notebooks.py {}`"


def cells(path: Path) -> list[tuple[str, str]]:
    """Each cell of the notebook at ``path`` as (type, source), read by jupytext."""
    return [(cell.cell_type, cell.source) for cell in jupytext.read(path).cells]


def outputs(stem: str) -> list[dict]:
    notebook = jupytext.read(NOTEBOOKS / f"{stem}.ipynb")
    return [output for cell in notebook.cells for output in cell.get("outputs", [])]


def test_every_source_has_its_notebook_and_every_notebook_its_source():
    assert len(SOURCES) >= 7
    assert {p.stem for p in NOTEBOOKS.glob("*.ipynb")} == set(STEMS)
    others = {p.name for p in NOTEBOOKS.glob("*.py")} - {p.name for p in SOURCES}
    assert not others, f"not named NN_name.py, so not a notebook: {others}"


def test_notebooks_are_numbered_in_tutorial_order():
    assert [stem[:2] for stem in STEMS] == [f"{n:02d}" for n in range(1, len(STEMS) + 1)]


@pytest.mark.parametrize("stem", STEMS)
def test_stored_notebook_has_the_cells_of_its_source(stem):
    source, stored = cells(NOTEBOOKS / f"{stem}.py"), cells(NOTEBOOKS / f"{stem}.ipynb")
    assert stored == source, f"notebooks/{stem}.ipynb is out of date: {REGENERATE.format(stem)}"


@pytest.mark.parametrize("stem", STEMS)
def test_stored_notebook_shows_its_pictures_and_no_error(stem):
    kinds = [output["output_type"] for output in outputs(stem)]
    assert "error" not in kinds, f"notebooks/{stem}.ipynb stores an error"
    pictures = [o for o in outputs(stem) if any(kind in o.get("data", {}) for kind in PICTURES)]
    assert pictures, f"notebooks/{stem}.ipynb has no picture: {REGENERATE.format(stem)}"


@pytest.mark.parametrize("stem", STEMS)
def test_stored_notebook_has_no_run_to_run_noise(stem):
    notebook = jupytext.read(NOTEBOOKS / f"{stem}.ipynb")
    assert set(notebook.metadata) == {"jupytext", "kernelspec", "language_info"}
    assert notebook.metadata["language_info"] == {"name": "python"}  # not the Python version
    for i, cell in enumerate(notebook.cells):
        assert cell.id == f"{stem[:2]}-{i:02d}"
        assert "execution" not in cell.metadata  # timings
        assert cell.get("execution_count") is None
    for cell in notebook.cells:
        streams = [(o["output_type"], o.get("name")) for o in cell.get("outputs", [])]
        assert all(a != b or a[0] != "stream" for a, b in pairwise(streams))  # joined
    for output in outputs(stem):
        assert output.get("execution_count") is None
        assert " at 0x" not in output.get("data", {}).get("text/plain", "")


def test_pytest_runs_the_notebooks_never_imports_their_sources(pytestconfig):
    """``--doctest-modules`` would import, so run, every ``.py`` under the test paths."""
    assert "notebooks" in pytestconfig.getini("testpaths")
    assert pytestconfig.option.nbmake  # nbmake is installed with the dev extra
    ignore = pytestconfig.hook.pytest_ignore_collect  # what pytest asks before collecting a file
    for source in SOURCES:
        assert ignore(collection_path=source, config=pytestconfig), f"pytest would import {source}"


def test_the_pytorch_notebook_runs_without_pytorch(monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    namespace: dict = {}
    for kind, source in cells(NOTEBOOKS / "06_from_tapegrad_to_pytorch.py"):
        if kind == "code":
            # IPython magics (%matplotlib inline) are not Python.
            python = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
            exec(compile(python, "06_from_tapegrad_to_pytorch", "exec"), namespace)
    printed = capsys.readouterr().out
    assert namespace["torch"] is None
    assert "PyTorch is not installed" in printed
    assert printed.count("skipped: PyTorch is not installed") == 3
    assert namespace["tapegrad_losses"][-1] < namespace["tapegrad_losses"][0]
