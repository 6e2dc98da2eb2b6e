"""mkdocs hooks: pages that show what the code and the measurements say, never a copy.

* The Benchmarks page shows the tables of the latest ``benchmarks/results.json``:
  ``benchmarks/run.py`` stores the tables it prints, as markdown, in the
  results file (``table_markdown``), so the page always matches the last run.
* The ``autograd.ops`` reference page shows the op table itself: each row of
  ``autograd.ops.OPS`` and the source of its forward and derivative functions.
* The Tutorial shows the notebooks of ``notebooks/`` as they are stored, outputs
  included: each ``notebooks/NN_name.ipynb`` is a page of the same name, outside
  ``docs/`` but in the site, rendered by mkdocs-jupyter.
"""

from __future__ import annotations

import inspect
import json
import sys
from pathlib import Path

from mkdocs.plugins import event_priority
from mkdocs.structure.files import File, Files

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.json"
NOTEBOOKS = ROOT / "notebooks"
BENCHMARK_MARKER = "<!-- benchmark tables -->"
OP_TABLE_MARKER = "<!-- op table -->"
NOT_MEASURED = """!!! warning "Not measured yet"
    `benchmarks/results.json` {problem}: run `python benchmarks/run.py` to measure."""


def benchmark_tables(path: Path = RESULTS) -> str:
    """The markdown tables of the results file, or a note saying why there are none."""
    if not path.exists():
        return NOT_MEASURED.format(problem="does not exist")
    results = json.loads(path.read_text(encoding="utf-8"))
    tables = results.get("table_markdown") if isinstance(results, dict) else None
    if not isinstance(tables, str):
        return NOT_MEASURED.format(problem="holds no `table_markdown`")
    return tables  # they end with the machine they were measured on


def op_table() -> str:
    """The op table as markdown: one row per op, then each op's math, from the source."""
    sys.path.insert(0, str(ROOT))
    from autograd.ops import OPS

    rows = [
        "| code | name | operands | symbol | parameter | domain check |",
        "|---:|---|---:|---|---|---|",
    ]
    math = []
    for op in OPS:
        domain = f"`{op.domain.__name__}`" if op.domain else "every finite input"
        rows.append(
            f"| {op.code} | `{op.name}` | {op.arity} | `{op.symbol}` "
            f"| {op.param or ''} | {domain} |"
        )
        functions = [op.forward, op.derivative] + ([op.domain] if op.domain else [])
        source = "\n".join(inspect.getsource(f) for f in functions)
        math.append(f"### `{op.name}`\n\n```python\n{source}```")
    return "\n".join(rows) + "\n\n" + "\n\n".join(math)


PAGES = {BENCHMARK_MARKER: benchmark_tables, OP_TABLE_MARKER: op_table}


def on_page_markdown(markdown: str, **kwargs: object) -> str:
    """Replace each marker with what it stands for."""
    for marker, render in PAGES.items():
        if marker in markdown:
            markdown = markdown.replace(marker, render())
    return markdown


@event_priority(50)  # before mkdocs-jupyter's on_files, which turns them into pages
def on_files(files: Files, config: object) -> Files:
    """Add each notebook of ``notebooks/`` to the Tutorial, where it stays the one copy."""
    for notebook in sorted(NOTEBOOKS.glob("*.ipynb")):
        path = notebook.relative_to(ROOT).as_posix()  # notebooks/NN_name.ipynb, its page's name
        files.append(File(path, str(ROOT), config["site_dir"], config["use_directory_urls"]))
    return files
