"""mkdocs hooks: the Benchmarks page shows the tables of the latest ``benchmarks/results.json``.

``benchmarks/run.py`` stores the tables it prints, as markdown, in the
results file (``table_markdown``); the page shows exactly those, so it always
matches the last measured run.
"""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).resolve().parent.parent / "benchmarks" / "results.json"
MARKER = "<!-- benchmark tables -->"
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
    machine = results.get("machine", {})
    where = f"Measured on {machine.get('cpus', '?')} CPUs, Python {machine.get('python', '?')}."
    return f"{where}\n\n{tables}"


def on_page_markdown(markdown: str, **kwargs: object) -> str:
    """Replace the marker with the benchmark tables."""
    return markdown.replace(MARKER, benchmark_tables()) if MARKER in markdown else markdown
