"""Write every ``notebooks/*.ipynb`` from its jupytext source, executed, with its outputs.

A notebook's source is its percent-format ``.py`` twin (``notebooks/NN_name.py``),
linted and formatted like the rest of the code. This script reads each source,
runs it top to bottom in a fresh kernel from inside ``notebooks/``, and stores
the notebook with its outputs, so its pictures show wherever the ``.ipynb`` is
read (a repository page, the docs site). What would change from run to run
without a change to the notebook is left out: execution counts, timings, the
Python version, random cell ids, memory addresses in an object's repr, how
printed text was split between messages.
``tests/test_notebooks.py`` checks that every stored notebook has the cells of
its source.

Run from the repository root, after editing a notebook's ``.py``::

    python scripts/notebooks.py         # every notebook
    python scripts/notebooks.py 03 05   # only those named (by the start of the name)
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import jupytext
import nbformat
from nbclient import NotebookClient

from autograd.files import atomic_write

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}
PAIRING = "ipynb,py:percent"
SOURCES = "[0-9][0-9]_*.py"  # numbered in tutorial order
TIMEOUT = 600  # seconds per cell
ADDRESS = re.compile(r" at 0x[0-9a-f]+>")  # in the default repr of an object


def sources(names: list[str]) -> list[Path]:
    """The ``.py`` sources whose names start with ``names`` (every one when it is empty)."""
    every = sorted(NOTEBOOKS.glob(SOURCES))
    if not names:
        return every
    chosen = []
    for name in names:
        matches = [path for path in every if path.stem.startswith(Path(name).stem)]
        if len(matches) != 1:
            found = ", ".join(path.name for path in matches) or "none"
            raise SystemExit(f"{name!r} names one notebook source in notebooks/; found {found}")
        chosen += matches
    return chosen


def execute(source: Path) -> nbformat.NotebookNode:
    """The notebook of ``source``, run in a fresh kernel with ``notebooks/`` as working folder."""
    notebook = jupytext.read(source)
    NotebookClient(
        notebook,
        timeout=TIMEOUT,
        kernel_name=KERNELSPEC["name"],
        resources={"metadata": {"path": str(NOTEBOOKS)}},
        record_timing=False,
    ).execute()
    return notebook


def stable(notebook: nbformat.NotebookNode, stem: str) -> nbformat.NotebookNode:
    """``notebook`` without what differs between two runs of the same source."""
    notebook.metadata = nbformat.from_dict(
        {
            "jupytext": {"formats": PAIRING},
            "kernelspec": KERNELSPEC,
            "language_info": {"name": "python"},
        }
    )
    for i, cell in enumerate(notebook.cells):
        cell.id = f"{stem[:2]}-{i:02d}"
        cell.metadata.pop("lines_to_next_cell", None)  # the .py's blank lines, not the cell's
        cell.metadata.pop("execution", None)
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = joined_streams(cell.outputs)
            for output in cell.outputs:
                if "execution_count" in output:
                    output.execution_count = None
                text = output.get("data", {}).get("text/plain")
                if text is not None:  # "<autograd.viz.Drawing at 0x7f28...>": the address
                    output.data["text/plain"] = ADDRESS.sub(">", text)
    nbformat.validate(notebook)
    return notebook


def joined_streams(outputs: list) -> list:
    """``outputs`` with each run of printed text to one stream as one output.

    How the kernel splits printed lines between messages depends on timing.
    """
    joined: list = []
    for output in outputs:
        last = joined[-1] if joined else None
        if (
            last is not None
            and output.output_type == last.output_type == "stream"
            and output.name == last.name
        ):
            last.text += output.text
        else:
            joined.append(output)
    return joined


def write(source: Path) -> float:
    """Execute ``source`` and store its notebook next to it; the seconds it took."""
    start = time.perf_counter()
    notebook = stable(execute(source), source.stem)
    seconds = time.perf_counter() - start
    # A failed run raises before this: the stored notebook stays as it was.
    atomic_write(source.with_suffix(".ipynb"), (nbformat.writes(notebook) + "\n").encode("utf-8"))
    return seconds


def main(argv: list[str]) -> int:
    for source in sources(argv):
        seconds = write(source)
        print(f"{source.with_suffix('.ipynb').relative_to(ROOT)}: executed in {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
