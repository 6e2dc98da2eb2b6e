"""How autograd's modules import each other: downward only, no cycle, light to import."""

import ast
import subprocess
import sys
from pathlib import Path

import autograd

PACKAGE = Path(autograd.__file__).parent
MODULES = {
    ".".join(("autograd", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(
        ".__init__"
    ): path
    for path in PACKAGE.rglob("*.py")
}


def imported(module: str, path: Path) -> set[str]:
    """Every module ``module`` imports, at the top or inside a function."""
    names = set()
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(
                    [*package.split(".")[: len(package.split(".")) - node.level + 1], base]
                ).strip(".")
            for alias in node.names:
                full = f"{base}.{alias.name}"
                names.add(full if full in MODULES else base)
    return names


GRAPH = {module: imported(module, path) for module, path in MODULES.items()}


def test_no_import_cycle_among_autograd_modules():
    inside = {m: {n for n in names if n in MODULES and n != m} for m, names in GRAPH.items()}
    state: dict[str, str] = {}

    def visit(module, path):
        state[module] = "open"
        for target in sorted(inside[module]):
            if state.get(target) == "open":
                raise AssertionError(" -> ".join([*path, module, target]))
            if target not in state:
                visit(target, [*path, module])
        state[module] = "done"

    for module in sorted(inside):
        if module not in state:
            visit(module, [])


def test_autograd_imports_nothing_from_nn_or_tapegrad():
    for module, names in GRAPH.items():
        above = {n for n in names if n.split(".")[0] in ("nn", "tapegrad")}
        assert not above, f"{module} imports {above}"


def test_importing_value_loads_no_graphviz_numba_or_numpy():
    heavy = ("graphviz", "numba", "numpy")
    code = (
        f"import sys; from autograd import Value; print([m for m in {heavy} if m in sys.modules])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
    code = "import sys; from autograd import draw_dot; print('graphviz' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"  # the pictures, loaded when asked for
