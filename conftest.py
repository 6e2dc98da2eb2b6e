"""pytest in a clone of the repository: the notebooks run too, when nbmake is installed.

``--nbmake`` is not in pyproject.toml's ``addopts``, where pytest would stop
with "unrecognized arguments" wherever nbmake is missing (the unpacked sdist,
an environment without the ``dev`` extra). This file is not in the sdist.
"""

import pytest


def pytest_configure(config: pytest.Config) -> None:
    if config.pluginmanager.hasplugin("nbmake"):
        config.option.nbmake = True  # what --nbmake sets: collect and run every .ipynb


def pytest_report_header(config: pytest.Config) -> str:
    if getattr(config.option, "nbmake", False):
        return "notebooks: run by nbmake"
    return "notebooks: not run (no nbmake plugin; it comes with pip install -e '.[dev]')"
