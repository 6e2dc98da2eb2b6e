"""Whether Graphviz's ``dot`` is installed: the rendering tests skip without it, except in CI.

On a learner's machine a missing ``dot`` is a skip; where the environment
variable ``CI`` is set (as every CI service sets it), the rendering tests
must run, so a missing ``dot`` fails them instead.
"""

import os
import shutil

import pytest


def require_dot() -> None:
    """Return if ``dot`` is on the PATH; else skip the calling test, or fail it in CI."""
    if shutil.which("dot") is not None:
        return
    if os.environ.get("CI"):
        pytest.fail("Graphviz `dot` is not installed, and CI must run the rendering tests")
    pytest.skip("Graphviz `dot` not installed")


@pytest.fixture
def dot_installed() -> None:
    """A fixture form of `require_dot`, for ``needs_dot``."""
    require_dot()


needs_dot = pytest.mark.usefixtures("dot_installed")  # on a test, or as a module's pytestmark
