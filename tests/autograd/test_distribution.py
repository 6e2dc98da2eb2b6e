"""Another installed distribution that owns `autograd` or `nn` is named in one warning on
import (a fake distribution's metadata on sys.path, in a fresh interpreter)."""

import os
import subprocess
import sys

IMPORT_BOTH = "import autograd, nn; from autograd import Value; import nn.train"


def _fake_distribution(folder, name, version, files=None, top_level=None):
    info = folder / f"{name}-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
    if files is not None:
        rows = [f"{path},sha256=x,1" for path in files] + [f"{info.name}/RECORD,,"]
        (info / "RECORD").write_text("\n".join(rows) + "\n")
    if top_level is not None:
        (info / "top_level.txt").write_text(top_level + "\n")


def _import_with(folder, code=IMPORT_BOTH) -> str:
    """The stderr of a fresh interpreter that imports ``code`` with ``folder`` on sys.path."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), *sys.path])}
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def test_a_foreign_autograd_is_named_once_with_what_to_do(tmp_path):
    _fake_distribution(
        tmp_path, "autograd", "1.7.0", files=["autograd/__init__.py", "autograd/numpy/numpy.py"]
    )
    err = _import_with(tmp_path)
    assert err.count("ImportNameClashWarning") == 1, err
    assert "the import name 'autograd' of tapegrad is also owned by" in err
    assert "autograd 1.7.0" in err
    assert "virtual environment" in err and "pip install --force-reinstall tapegrad" in err


def test_a_foreign_nn_declared_in_top_level_txt_is_named(tmp_path):
    _fake_distribution(tmp_path, "someone-nn", "0.3", top_level="nn\nsomeone")
    err = _import_with(tmp_path)
    assert err.count("ImportNameClashWarning") == 1, err
    assert "the import name 'nn' of tapegrad" in err and "someone-nn 0.3" in err


def test_importing_autograd_alone_warns_only_about_autograd(tmp_path):
    _fake_distribution(tmp_path, "someone-nn", "0.3", top_level="nn")
    assert "ImportNameClashWarning" not in _import_with(tmp_path, "from autograd import Value")


def test_unrelated_distributions_and_tapegrad_itself_are_not_warned_about(tmp_path):
    _fake_distribution(tmp_path, "autograd-gamma", "0.5", files=["autograd_gamma/__init__.py"])
    _fake_distribution(tmp_path, "nnabla", "1.0", top_level="nnabla")
    assert "Warning" not in _import_with(tmp_path)
