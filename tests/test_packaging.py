"""The release: `python -m build` makes an sdist and a pure-Python wheel, and the wheel
installed in a fresh virtual environment runs `tapegrad demo`."""

import os
import re
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from autograd import __version__

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(*argv, cwd, timeout=300, pythonpath=None):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    if pythonpath is not None:
        env["PYTHONPATH"] = str(pythonpath)
    result = subprocess.run(
        [str(a) for a in argv], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{argv} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def dist(tmp_path_factory):
    pytest.importorskip("build", reason="python -m build needs the 'build' package")
    out = tmp_path_factory.mktemp("dist")
    _run(sys.executable, "-m", "build", "--outdir", out, ROOT, cwd=out)
    return out


def test_build_makes_an_sdist_and_a_pure_python_wheel(dist):
    wheel = dist / f"tapegrad-{__version__}-py3-none-any.whl"
    sdist = dist / f"tapegrad-{__version__}.tar.gz"
    assert wheel.is_file() and sdist.is_file(), sorted(p.name for p in dist.iterdir())

    names = set(zipfile.ZipFile(wheel).namelist())
    for path in (
        "tapegrad/cli.py",
        "tapegrad/__main__.py",
        "tapegrad/expr.py",
        "nn/py.typed",
        "autograd/py.typed",
    ):
        assert path in names
    assert not any(name.startswith("tests/") for name in names)
    info = f"tapegrad-{__version__}.dist-info"
    assert f"{info}/entry_points.txt" in names, "pyproject.toml lacks [project.scripts] tapegrad"
    entry_points = zipfile.ZipFile(wheel).read(f"{info}/entry_points.txt").decode()
    assert "tapegrad = tapegrad.cli:main" in entry_points
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    for requirement in ("numpy", "numba", "graphviz"):
        assert f"Requires-Dist: {requirement}" in metadata

    with tarfile.open(sdist) as tar:
        files = {name.partition("/")[2] for name in tar.getnames()}  # under tapegrad-VERSION/
    for path in ("pyproject.toml", "README.md", "LICENSE", "CHANGELOG.md", "tapegrad/cli.py"):
        assert path in files


def test_ci_builds_and_checks_the_release_files():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test" in ci  # the README's test command, as written
    assert "-m build --outdir" in ci and 'twine" check --strict' in ci


def test_all_is_every_user_extra_and_no_developer_tool():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    (everything,) = extras["all"]
    assert everything.startswith("tapegrad[") and everything.endswith("]")
    assert sorted(everything[len("tapegrad[") : -1].split(",")) == sorted(
        set(extras) - {"all", "docs", "dev", "bench"}
    )
    assert {"build", "twine"} <= {_name(r) for r in extras["dev"]}
    assert "ruff" in {_name(r) for r in extras["docs"]}  # formats the docs' signatures


def _name(requirement: str) -> str:
    return re.split(r"[\[=<>~! ]", requirement, maxsplit=1)[0]


def test_the_sdist_ships_no_tests_and_its_own_pytest_passes(dist, tmp_path):
    """The tests need the repository (docs, notebooks, examples): the sdist has the
    package, whose docstring examples are what ``pytest`` runs in it."""
    sdist = dist / f"tapegrad-{__version__}.tar.gz"
    with tarfile.open(sdist) as tar:
        files = {name.partition("/")[2] for name in tar.getnames()}
        tar.extractall(tmp_path, filter="data")
    assert not {f for f in files if f.startswith("tests/")}
    assert [f for f in files if f.endswith("conftest.py")] == ["conftest.py"]  # the extras' skips
    unpacked = tmp_path / f"tapegrad-{__version__}"
    # This interpreter has the test tools; the code under test is the unpacked copy.
    # (pytest stops with an ImportPathMismatchError if it meets the clone's copy.)
    result = _run(sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", cwd=unpacked)
    assert " passed" in result.stdout and " failed" not in result.stdout, result.stdout
    # Without scikit-learn (an import that fails), the examples that need it skip.
    hidden = tmp_path / "hidden"
    (hidden / "sklearn").mkdir(parents=True)
    (hidden / "sklearn" / "__init__.py").write_text(
        "raise ModuleNotFoundError('hidden by the test', name='sklearn')\n"
    )
    argv = [sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", "nn/datasets.py"]
    result = _run(*argv, cwd=unpacked, pythonpath=hidden)
    assert "needs scikit-learn" in result.stdout and " failed" not in result.stdout, result.stdout
    assert (
        "autograd/value.py"
        in _run(
            sys.executable,
            "-m",
            "pytest",
            "--collect-only",
            "-q",
            "-p",
            "no:cacheprovider",
            cwd=unpacked,
        ).stdout
    )


def test_the_wheel_installs_in_a_fresh_venv_and_runs_the_demo(dist, tmp_path):
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    python, tapegrad = venv / "bin" / "python", venv / "bin" / "tapegrad"
    # The README's command, with a smaller extra: the built wheel and what the extra needs
    # (dependencies from pip's usual sources; its cache makes a second run fast).
    pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    _run(*pip, "tapegrad[progress]", "--find-links", dist, cwd=tmp_path)
    assert "pip install 'tapegrad[plot]' --find-links dist" in (ROOT / "README.md").read_text()
    _run(python, "-c", "import tqdm", cwd=tmp_path)  # the extra came along

    where = _run(python, "-c", "import nn; print(nn.__file__)", cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(venv)  # the installed copy, not the source tree
    assert _run(tapegrad, "--version", cwd=tmp_path).stdout.strip() == f"tapegrad {__version__}"

    result = _run(tapegrad, "demo", "--out", "demo", "--epochs", "5", cwd=tmp_path)
    assert "final accuracy" in result.stdout
    names = {p.name for p in (tmp_path / "demo").iterdir()}
    assert {"model.json", "moons.csv", "report.md"} <= names
    assert {"neuron.svg", "neuron.dot"} & names  # a picture, or its source without Graphviz
    if "loss.png" not in names:  # matplotlib is an optional extra
        assert "tapegrad[plot]" in result.stderr
