"""Every code block of README.md and docs/ runs, and prints what the text says it prints.

How a page's blocks run:

* The ``python`` blocks of one page run in order in one namespace, as a
  reader pastes them into one session, in a fresh temporary folder.
* Output is checked where the page shows it, in one of two ways:

  - a ``text`` block right after a ``python`` block is that block's output
    (a line ``...`` there stands for any lines);
  - a line whose code is an expression or a ``print(...)`` and whose comment
    starts with a number, as ``x.grad  # 12.0 = 6.0 + 6.0`` or
    ``print(a.grad, b.grad)  # 6.0 -4.0``: the value's ``str`` (or what the
    line printed) is that number, or those numbers.

* A ``bash`` block runs when each of its lines is a ``tapegrad`` command:
  in-process, through `tapegrad.cli.main`, with small ``data.csv`` and
  ``new.csv`` files for the commands that read the reader's own data.
* `SKIPPED` lists every block that does not run, and why; a skip that no
  longer matches a block fails, so the list stays true.
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
import shlex
import tokenize
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from tapegrad.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").rglob("*.md"))]

# (page, language, index among that page's blocks of that language) -> why it does not run
SKIPPED = {
    ("README.md", "bash", 0): "builds and pip-installs the wheel (test_packaging builds it)",
    ("README.md", "bash", 1): "scripts/demo and scripts/test install packages, minutes each",
    ("docs/index.md", "bash", 0): "pip installs from the network",
    ("docs/install.md", "bash", 0): "builds and pip-installs the wheel (test_packaging builds it)",
    ("docs/install.md", "bash", 1): "pip installs from the network",
    ("docs/install.md", "bash", 2): "scripts/demo and scripts/test install packages, minutes each",
    ("docs/tutorial/index.md", "bash", 0): "installs packages, then starts an interactive server",
    ("docs/benchmarks.md", "bash", 0): "the benchmarks take minutes",
    ("docs/how-to/add-an-op.md", "bash", 0): "runs the autograd test suite itself",
    ("docs/how-to/add-an-op.md", "python", 1): "an excerpt of the op table in autograd/ops.py",
    ("docs/how-to/add-an-op.md", "python", 2): "an excerpt of the Value class, to paste into it",
    ("docs/how-to/add-an-op.md", "python", 3): "excerpts of tests/twins.py, to paste into it",
    ("docs/concepts/gradient-accumulation.md", "python", 1): "three lines of a training loop",
}

NEEDS = {  # blocks that need an optional package: skipped (with the reason) without it
    ("docs/how-to/moving-on-to-pytorch.md", "python", 1): "torch",
    ("docs/how-to/moving-on-to-pytorch.md", "python", 2): "torch",
    ("docs/how-to/visualize-a-graph.md", "python", 1): "IPython",
}


@dataclass
class Block:
    page: str
    language: str
    index: int  # among the page's blocks of this language
    line: int  # where the code starts in the page
    code: str
    shown: str | None  # the text block right after it, if any

    @property
    def key(self) -> tuple[str, str, int]:
        return (self.page, self.language, self.index)


FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n?", flags=re.S | re.M)


def blocks(page: str) -> list[Block]:
    text = (ROOT / page).read_text()
    found, counts = [], {}
    matches = list(FENCE.finditer(text))
    for i, match in enumerate(matches):
        language, code = match.groups()
        if language not in ("python", "bash"):
            continue
        following = matches[i + 1] if i + 1 < len(matches) else None
        shown = None
        between = text[match.end() : following.start()] if following else "x"
        if following and following.group(1) == "text" and not between.strip():
            shown = following.group(2)
        index = counts[language] = counts.get(language, -1) + 1
        line = text.count("\n", 0, match.start()) + 2
        found.append(Block(page, language, index, line, code, shown))
    return found


ALL_BLOCKS = [block for page in PAGES for block in blocks(page)]


def test_every_skip_names_a_block_that_exists():
    keys = {block.key for block in ALL_BLOCKS}
    assert set(SKIPPED) <= keys and set(NEEDS) <= keys


# --- python ------------------------------------------------------------------------------

NUMBERS = re.compile(r"-?\d[\d.e+-]*(?: -?\d[\d.e+-]*)*")


def expected_values(code: str) -> dict[int, str]:
    """Line number -> the number(s) its comment says the line shows."""
    expected = {}
    for token in tokenize.generate_tokens(io.StringIO(code).readline):
        if token.type == tokenize.COMMENT:
            comment = token.string.lstrip("#").strip()
            match = NUMBERS.match(comment)
            if match and (match.end() == len(comment) or comment[match.end()] in " :;="):
                expected[token.start[0]] = match.group(0)
    return expected


def run_python(block: Block, namespace: dict) -> str:
    """Run the block statement by statement; check each commented value; return all output."""
    expected = expected_values(block.code)
    tree = ast.parse(block.code)
    printed = io.StringIO()
    for statement in tree.body:
        where = f"{block.page}:{block.line + statement.lineno - 1}"
        want = expected.get(statement.end_lineno)
        source = ast.get_source_segment(block.code, statement)
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            if isinstance(statement, ast.Expr) and want is not None:
                value = eval(compile(ast.Expression(statement.value), where, "eval"), namespace)
            else:
                exec(compile(ast.Module([statement], []), where, "exec"), namespace)
        printed.write(out.getvalue())
        if want is None or not isinstance(statement, ast.Expr):
            continue
        is_print = (
            isinstance(statement.value, ast.Call)
            and getattr(statement.value.func, "id", None) == "print"
        )
        shown = out.getvalue().strip() if is_print else str(value)
        assert shown == want, f"{where}: {source} shows {shown}, the page says {want}"
    return printed.getvalue()


def matches_shown(printed: str, shown: str) -> bool:
    """``printed`` is ``shown``, where a line ``...`` in ``shown`` stands for any lines."""
    pattern = "\n".join(
        "(?:.*\n)*?.*" if line.strip() == "..." else re.escape(line.rstrip())
        for line in shown.rstrip("\n").splitlines()
    )
    lines = "\n".join(line.rstrip() for line in printed.rstrip("\n").splitlines())
    return re.fullmatch(pattern, lines) is not None


def python_pages() -> list[str]:
    return sorted({b.page for b in ALL_BLOCKS if b.language == "python"})


@pytest.mark.parametrize("page", python_pages())
def test_the_python_blocks_of_a_page_run_and_print_what_it_shows(page, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the blocks' files (checkpoints, pictures) land here
    namespace: dict = {"__name__": "__docs__"}
    ran = 0
    for block in blocks(page):
        if block.language != "python" or block.key in SKIPPED:
            continue
        needed = NEEDS.get(block.key)
        if needed:
            try:
                __import__(needed)
            except ImportError:
                continue  # the page says which extra it needs
        printed = run_python(block, namespace)
        ran += 1
        if block.shown is not None:
            assert matches_shown(printed, block.shown), (
                f"{page}:{block.line}: printed\n{printed}\nthe page shows\n{block.shown}"
            )
    assert ran > 0


# --- bash --------------------------------------------------------------------------------


def reader_files(folder: Path) -> None:
    """The reader's ``data.csv`` (features a, b; a label) and ``new.csv`` (rows to predict).

    ``new.csv`` also has the built-in datasets' features x0, x1 (predict ignores
    the columns a checkpoint does not name).
    """
    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 2))
    rows = [f"{a:.4f},{b:.4f},{'yes' if a + b > 0 else 'no'}" for a, b in X]
    (folder / "data.csv").write_text("a,b,label\n" + "\n".join(rows) + "\n")
    (folder / "new.csv").write_text("a,b,x0,x1\n0.5,0.5,0.5,0.5\n-1.0,0.2,-1.0,0.2\n")


def commands(block: Block) -> list[list[str]]:
    lines = [line.split("  #")[0].strip() for line in block.code.splitlines()]
    return [shlex.split(line) for line in lines if line]


BASH = [b for b in ALL_BLOCKS if b.language == "bash" and b.key not in SKIPPED]


@pytest.mark.parametrize("block", BASH, ids=[f"{b.page}:{b.line}" for b in BASH])
def test_the_tapegrad_commands_of_a_page_run(block, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    reader_files(tmp_path)
    argvs = commands(block)
    assert argvs and all(argv[0] == "tapegrad" for argv in argvs), (
        f"{block.page}:{block.line}: not only tapegrad commands; run it here or add it to SKIPPED"
    )
    for argv in argvs:
        status = main([*argv[1:], *(["--quiet"] if argv[1] in ("train", "demo") else [])])
        assert status == 0, f"{block.page}:{block.line}: {shlex.join(argv)}: {capsys.readouterr()}"
