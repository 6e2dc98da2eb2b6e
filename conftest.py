"""pytest in a clone of the repository: the notebooks run too, when nbmake is installed.

``--nbmake`` is not in pyproject.toml's ``addopts``, where pytest would stop
with "unrecognized arguments" wherever nbmake is missing (the unpacked sdist,
an environment without the ``dev`` extra). The sdist ships this file too, so
that its docstring examples that need an extra skip where it is missing.
"""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("nbmake"):
        config.option.nbmake = True  # what --nbmake sets: collect and run every .ipynb


def pytest_report_header(config: pytest.Config) -> str:
    if getattr(config.option, "nbmake", False):
        return "notebooks: run by nbmake"
    return "notebooks: not run (no nbmake plugin; it comes with pip install -e '.[dev]')"


# An extra a docstring (or its module's docstring) says it "needs": without it, its examples
# skip with that reason instead of failing on the import (pip name: import name).
OPTIONAL_EXTRAS = {"scikit-learn": "sklearn", "matplotlib": "matplotlib"}


def pytest_runtest_setup(item: pytest.Item) -> None:
    doctest = getattr(item, "dtest", None)  # a docstring's examples
    if doctest is None:
        return
    said = f"{doctest.docstring or ''} {doctest.globs.get('__doc__') or ''}".lower()
    for name, module in OPTIONAL_EXTRAS.items():
        if f"needs {name}" in said:
            pytest.importorskip(module, reason=f"the example needs {name}, which is not installed")
