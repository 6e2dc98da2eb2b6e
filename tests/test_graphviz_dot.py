"""The rendering tests' guard: a missing ``dot`` is a skip, except in CI, where it fails."""

import shutil

import pytest
from graphviz_dot import require_dot


@pytest.fixture
def no_dot(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    return monkeypatch


def test_missing_dot_skips_on_a_learners_machine(no_dot):
    no_dot.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        require_dot()


@pytest.mark.parametrize("value", ["true", "1"])
def test_missing_dot_fails_in_ci(no_dot, value):
    no_dot.setenv("CI", value)
    with pytest.raises(pytest.fail.Exception, match="CI must run the rendering tests"):
        require_dot()


def test_installed_dot_neither_skips_nor_fails(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setenv("CI", "true")
    require_dot()
