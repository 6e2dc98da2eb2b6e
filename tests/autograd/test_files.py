"""atomic_write: a failed write leaves the old file as it was and no temporary file."""

import pytest

from autograd import files


def test_failed_write_leaves_the_old_file_and_no_temp(tmp_path, monkeypatch):
    path = tmp_path / "g.svg"
    path.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr("autograd.files.os.replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        files.atomic_write(path, b"<svg/>")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]
