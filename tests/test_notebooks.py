"""The teaching notebooks: generated from scripts/make_notebooks.py, stored without outputs.

Running them top to bottom is ``pytest --nbmake notebooks/``; these tests check
what that cannot: that the files are stripped and up to date, and that the
PyTorch notebook runs cleanly without PyTorch.
"""

import importlib.util
import json
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
EXPECTED = [
    "01_value_and_chain_rule",
    "02_neuron_and_activations",
    "03_exam_pass_fail",
    "04_init_and_learning_rate",
    "05_training_an_mlp",
    "06_from_tapegrad_to_pytorch",
    "07_the_compiled_path",
]


def cells(name: str) -> list[dict]:
    return json.loads((NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8"))["cells"]


def test_the_seven_notebooks_are_there():
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_stored_without_outputs(name):
    code = [cell for cell in cells(name) if cell["cell_type"] == "code"]
    assert code, f"{name} has no code cells"
    for cell in code:
        assert cell["outputs"] == [], f"{name}: a cell has outputs: {cell['source'][:60]!r}"
        assert cell["execution_count"] is None, f"{name}: a cell has an execution count"


def test_notebooks_match_their_generator():
    pytest.importorskip("nbformat")
    spec = importlib.util.spec_from_file_location(
        "make_notebooks", ROOT / "scripts" / "make_notebooks.py"
    )
    make_notebooks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_notebooks)
    assert list(make_notebooks.NOTEBOOKS_CELLS) == EXPECTED
    for name in EXPECTED:
        stored = (NOTEBOOKS / f"{name}.ipynb").read_text(encoding="utf-8")
        assert stored == make_notebooks.render(name), (
            f"notebooks/{name}.ipynb differs from scripts/make_notebooks.py: "
            "run `python scripts/make_notebooks.py`"
        )


def test_the_pytorch_notebook_runs_without_pytorch(monkeypatch, capsys):
    pytest.importorskip("matplotlib")
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.setitem(sys.modules, "torch", None)  # `import torch` now raises ImportError
    namespace: dict = {}
    for cell in cells("06_from_tapegrad_to_pytorch"):
        if cell["cell_type"] == "code":
            source = "".join(cell["source"])
            # IPython magics (%matplotlib inline) are not Python.
            python = "\n".join(line for line in source.splitlines() if not line.startswith("%"))
            exec(compile(python, "06_from_tapegrad_to_pytorch", "exec"), namespace)
    printed = capsys.readouterr().out
    assert namespace["torch"] is None
    assert "PyTorch is not installed" in printed
    assert printed.count("skipped: PyTorch is not installed") == 3
    assert namespace["tapegrad_losses"][-1] < namespace["tapegrad_losses"][0]
