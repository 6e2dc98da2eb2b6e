"""The tapegrad command: every subcommand end to end, and every kind of bad input."""

import csv
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from autograd import __version__
from nn.checkpoint import load
from nn.data import train_val_split
from tapegrad.cli import main
from tapegrad.staging import staging

ROOT = Path(__file__).resolve().parents[2]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FAST = ["--epochs", "2", "--quiet"]


def run(capsys, *argv):
    """Run the command in-process: (exit status, stdout, stderr)."""
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture
def pets(tmp_path):
    """A small CSV whose text target is a function of the two features."""
    rng = np.random.default_rng(0)
    rows = [
        [f"{a:.3f}", f"{b:.3f}", "cat" if a + b > 0 else "dog"] for a, b in rng.normal(size=(40, 2))
    ]
    return write_csv(tmp_path / "pets.csv", ["weight", "height", "species"], rows)


def assert_svg(path, *texts):
    """``path`` is an SVG document whose text elements include each of ``texts``."""
    root = ET.parse(path).getroot()
    assert root.tag.endswith("svg")
    shown = [el.text or "" for el in root.iter() if el.tag.endswith("text")]
    for text in texts:
        assert any(text in item for item in shown), (text, shown)


def no_temporary_leftovers(folder):
    return not list(Path(folder).glob(".tapegrad-*")) and not list(Path(folder).glob(".tmp-*"))


# --- version and help ---------------------------------------------------------------------


def test_version(capsys):
    status, out, _ = run(capsys, "--version")
    assert (status, out.strip()) == (0, f"tapegrad {__version__}")


@pytest.mark.parametrize("command", [[], ["demo"], ["train"], ["predict"], ["graph"]])
def test_help_on_every_subcommand(capsys, command):
    status, out, _ = run(capsys, *command, "--help")
    assert status == 0
    assert out.startswith(f"usage: tapegrad {' '.join(command)}".rstrip())
    assert "--out" in out or not command


def test_no_subcommand_is_a_usage_error(capsys):
    status, _, err = run(capsys)
    assert status == 2 and "required" in err


# --- demo --------------------------------------------------------------------------------


def test_demo_writes_checkpoint_pictures_and_report(tmp_path, capsys):
    out_dir = tmp_path / "demo"
    status, out, err = run(capsys, "demo", "--out", out_dir, "--epochs", "3")
    assert status == 0, err
    names = {p.name for p in out_dir.iterdir()}
    assert names == {
        "model.json",
        "moons.csv",
        "loss.png",
        "decision_boundary.png",
        "neuron.svg",
        "report.md",
    }
    assert [line.startswith("epoch") for line in out.splitlines()[:3]] == [True] * 3
    assert "final accuracy: train" in out and "validation" in out
    for png in ("loss.png", "decision_boundary.png"):
        assert (out_dir / png).read_bytes().startswith(PNG_SIGNATURE)
    assert_svg(out_dir / "neuron.svg", "layers.0.neurons.0", "grad", "ReLU")
    report = (out_dir / "report.md").read_text()
    for name in names - {"report.md"}:
        assert f"]({name})" in report  # linked
    checkpoint = load(out_dir / "model.json")
    assert checkpoint.meta["epochs"] == 3 and checkpoint.standardizer is not None
    assert no_temporary_leftovers(out_dir)


def test_demo_without_graphviz_or_matplotlib_writes_the_rest_and_says_so(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no `dot` program
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # import fails
    out_dir = tmp_path / "demo"
    status, _, err = run(capsys, "demo", "--out", out_dir, *FAST)
    assert status == 0, err
    assert {p.name for p in out_dir.iterdir()} == {
        "model.json",
        "moons.csv",
        "neuron.dot",
        "report.md",
    }
    assert "digraph" in (out_dir / "neuron.dot").read_text()
    assert "apt-get install graphviz" in err and "dot -Tsvg neuron.dot" in err
    assert "tapegrad[plot]" in err
    assert "[neuron.dot](neuron.dot)" in (out_dir / "report.md").read_text()


def test_demo_falls_back_to_the_scalar_engine_without_the_compiled_one(
    tmp_path, capsys, monkeypatch
):
    monkeypatch.setitem(sys.modules, "nn.compiled", None)  # as if Numba were missing
    monkeypatch.setitem(sys.modules, "matplotlib.figure", None)  # skip the 10⁴-point grid
    out_dir = tmp_path / "demo"
    status, _, err = run(capsys, "demo", "--out", out_dir, "--epochs", "1", "--quiet")
    assert status == 0, err
    assert "compiled engine unavailable" in err and "using scalar" in err
    assert "on the scalar engine" in (out_dir / "report.md").read_text()


def test_demo_replaces_its_own_files_and_keeps_others(tmp_path, capsys):
    out_dir = tmp_path / "demo"
    out_dir.mkdir()
    (out_dir / "notes.txt").write_text("mine")
    (out_dir / "model.json").write_text("old")
    assert run(capsys, "demo", "--out", out_dir, *FAST)[0] == 0
    assert (out_dir / "notes.txt").read_text() == "mine"
    assert load(out_dir / "model.json").meta["epochs"] == 2


# --- train and predict -----------------------------------------------------------------


def test_train_on_a_builtin_dataset_with_plots(tmp_path, capsys):
    out_dir = tmp_path / "run"
    status, out, _ = run(capsys, "train", "--dataset", "xor", "--out", out_dir, "--plot", *FAST)
    assert status == 0
    assert {p.name for p in out_dir.iterdir()} == {
        "model.json",
        "loss.png",
        "decision_boundary.png",
    }
    checkpoint = load(out_dir / "model.json")
    assert checkpoint.meta["features"] == ["x0", "x1"]
    assert checkpoint.meta["task"] == {"loss": "bce_with_logits", "classes": [0, 1]}
    assert checkpoint.architecture["nouts"] == [16, 16, 1]
    assert f"wrote {out_dir / 'model.json'}" in out


def test_train_options_shape_the_model_and_optimizer(tmp_path, capsys):
    argv = ["train", "--dataset", "spirals", "--samples", "60", "--hidden", "8", "--out", tmp_path]
    argv += ["--activation", "tanh", "--optimizer", "sgd", "--lr", "0.05", *FAST]
    assert run(capsys, *argv)[0] == 0
    checkpoint = load(tmp_path / "model.json")
    assert checkpoint.architecture["nouts"] == [8, 3]  # three classes: cross-entropy logits
    assert checkpoint.architecture["activation"] == "tanh"
    assert checkpoint.meta["task"]["loss"] == "cross_entropy"
    assert checkpoint.optimizer_state["type"] == "SGD"
    assert checkpoint.optimizer_state["state"]["lr"] == 0.05


def test_activation_none_builds_linear_hidden_layers(tmp_path, capsys):
    argv = ["train", "--dataset", "moons", "--samples", "40", "--out", tmp_path]
    assert run(capsys, *argv, "--activation", "none", *FAST)[0] == 0
    assert load(tmp_path / "model.json").architecture["activation"] is None
    resume = [*argv, "--resume", tmp_path / "model.json", "--activation", "none", *FAST]
    status, _, err = run(capsys, *resume)
    assert status == 2 and "--activation comes from the checkpoint" in err


def test_predicting_with_a_batchnorm_model_falls_back_to_the_scalar_engine():
    from nn.inference import Predictor
    from nn.layers import MLP
    from nn.train import predict

    model = MLP(2, [4, 1], batchnorm=True, seed=0)  # BatchNorm1d: not compilable
    X = np.array([[0.5, -1.0], [1.0, 2.0], [0.0, 0.0]])
    outputs = Predictor(model, None, "compiled").predict(X)
    assert outputs.tolist() == predict(model, X).tolist()


def test_train_on_csv_then_predict_applies_the_same_standardisation(tmp_path, capsys, pets):
    out_dir = tmp_path / "run"
    argv = ["train", "--csv", pets, "--target", "species", "--out", out_dir, "--epochs", "5"]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    assert len([line for line in out.splitlines() if line.startswith("epoch")]) == 5
    checkpoint = load(out_dir / "model.json")
    assert checkpoint.meta["features"] == ["weight", "height"]
    assert checkpoint.meta["task"]["classes"] == ["cat", "dog"]
    # The scaling is the training split's (the same seed gives the same split).
    with open(pets) as f:
        rows = list(csv.reader(f))[1:]
    X = np.array([[float(r[0]), float(r[1])] for r in rows])
    y = np.array([r[2] == "dog" for r in rows], dtype=np.int64)
    X_train = train_val_split(X, y, 0.2, seed=0, stratify=True)[0]
    np.testing.assert_allclose(checkpoint.standardizer.mean_, X_train.mean(axis=0), rtol=1e-12)

    predictions = tmp_path / "predictions.csv"
    status, _, err = run(
        capsys, "predict", out_dir / "model.json", "--csv", pets, "--out", predictions
    )
    assert status == 0
    lines = predictions.read_text().splitlines()
    assert lines[0] == "prediction" and len(lines) == 1 + len(rows)
    # Each prediction is the model's output on the standardised row, read as a class.
    model, scaler = checkpoint.model, checkpoint.standardizer
    logits = [model(x).data for x in scaler.transform(X)]
    assert lines[1:] == ["dog" if z > 0 else "cat" for z in logits]
    assert "accuracy on" in err  # the file has the target column too


def test_predict_prints_to_stdout_and_ignores_extra_columns(tmp_path, capsys, pets):
    run(capsys, "train", "--csv", pets, "--target", "species", "--out", tmp_path, *FAST)
    rows = [["1.0", "z", "0.5"], ["-1.0", "z", "-0.5"]]
    new = write_csv(tmp_path / "new.csv", ["height", "note", "weight"], rows)  # any order
    status, out, err = run(capsys, "predict", tmp_path / "model.json", "--csv", new)
    assert status == 0 and err == ""
    assert out.splitlines()[0] == "prediction"
    assert set(out.splitlines()[1:]) <= {"cat", "dog"} and len(out.splitlines()) == 3


def test_regression_on_csv(tmp_path, capsys):
    rng = np.random.default_rng(1)
    rows = [[f"{x:.4f}", f"{2 * x + 0.5:.4f}"] for x in rng.uniform(-1, 1, 30)]
    data = write_csv(tmp_path / "line.csv", ["x", "y"], rows)
    argv = ["train", "--csv", data, "--target", "y", "--out", tmp_path, "--hidden", "none"]
    status, out, _ = run(capsys, *argv, *FAST)
    assert status == 0 and "final RMSE" in out
    assert load(tmp_path / "model.json").meta["task"] == {"loss": "mse", "classes": None}
    status, out, err = run(capsys, "predict", tmp_path / "model.json", "--csv", data)
    assert status == 0 and "RMSE on" in err
    assert all(np.isfinite(float(v)) for v in out.splitlines()[1:])


def test_resume_continues_model_optimizer_and_history(tmp_path, capsys):
    first, second = tmp_path / "first", tmp_path / "second"
    run(capsys, "train", "--dataset", "moons", "--samples", "60", "--out", first, *FAST)
    argv = ["train", "--dataset", "moons", "--samples", "60", "--out", second]
    status, out, _ = run(capsys, *argv, "--resume", first / "model.json", "--epochs", "2")
    assert status == 0
    assert "epoch 3/4" in out and "epoch 4/4" in out
    before, after = load(first / "model.json"), load(second / "model.json")
    assert after.meta["epochs"] == 4 and len(after.meta["history"]["train_loss"]) == 4
    saved = after.meta["history"]
    # Epochs count from 1 in the checkpoint as in the lines printed: the best is one of 1..4.
    assert saved["best_epoch"] == 1 + saved["val_loss"].index(min(saved["val_loss"]))
    assert after.optimizer_state["state"]["steps"] == 2 * before.optimizer_state["state"]["steps"]
    assert after.standardizer.mean_.tolist() == before.standardizer.mean_.tolist()


def test_scalar_and_compiled_engines_train_the_same_model(tmp_path, capsys):
    for engine in ("scalar", "compiled"):
        argv = ["train", "--dataset", "xor", "--samples", "40", "--engine", engine]
        assert run(capsys, *argv, "--out", tmp_path / engine, *FAST)[0] == 0
    scalar = load(tmp_path / "scalar" / "model.json").model.state_dict()
    compiled = load(tmp_path / "compiled" / "model.json").model.state_dict()
    for name in scalar:
        np.testing.assert_allclose(compiled[name], scalar[name], rtol=1e-9, atol=1e-12)


# --- graph ---------------------------------------------------------------------------------


def test_graph_draws_forward_and_backward(tmp_path, capsys):
    path = tmp_path / "pictures" / "graph.svg"
    argv = ["graph", "(a*b + c).tanh()", "-a", "2", "-b", "-3", "--var", "c=10", "--out", path]
    status, out, _ = run(capsys, *argv)
    assert status == 0
    # the text form on stdout: each variable with its data and grad, then the result
    assert out.splitlines()[0].startswith("a = input") and "tanh(" in out
    assert_svg(path, "data 2", "data -3", "data 10", "grad 1", "tanh", "*", "+")


def test_graph_writes_dot_source_without_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    path = tmp_path / "graph.dot"
    assert run(capsys, "graph", "x.relu() * 2", "-x", "3", "--out", path)[0] == 0
    source = path.read_text()
    assert "ReLU" in source and "grad 2" in source  # d(2 relu(x))/dx = 2 at x = 3


def test_graph_picture_without_graphviz_is_a_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    status, _, err = run(capsys, "graph", "x * 2", "-x", "3", "--out", tmp_path / "g.svg")
    assert status == 1 and "install Graphviz" in err
    assert list(tmp_path.iterdir()) == []


# --- bad input: one line on stderr, exit status 2, nothing written ------------------------


@pytest.fixture
def bad_files(tmp_path, pets):
    write_csv(tmp_path / "text.csv", ["a", "b", "y"], [["1", "2", "0"], ["3", "abc", "1"]])
    write_csv(tmp_path / "nan.csv", ["a", "y"], [["1", "0"], ["nan", "1"]])
    write_csv(tmp_path / "one_class.csv", ["a", "y"], [["1", "0"], ["2", "0"], ["3", "0"]])
    (tmp_path / "ragged.csv").write_text("a,b,y\n1,2,0\n3,1\n")
    (tmp_path / "empty.csv").write_text("")
    (tmp_path / "corrupt.json").write_text('{"format": "tapegrad.checkpoint", "vers')
    (tmp_path / "foreign.json").write_text('{"format": "something else", "version": 1}')
    (tmp_path / "a_file").write_text("")
    write_csv(tmp_path / "no_weight.csv", ["height"], [["1.0"]])
    return tmp_path


BAD_INPUT = [
    (["train", "--csv", "missing.csv", "--target", "y"], "missing.csv: no such file"),
    (["train", "--csv", "pets.csv", "--target", "colour"], "no target column 'colour'"),
    (["train", "--csv", "text.csv", "--target", "y"], "line 3, column 'b': 'abc' is not"),
    (["train", "--csv", "nan.csv", "--target", "y"], "'nan' is not a finite number"),
    (["train", "--csv", "ragged.csv", "--target", "y"], "line 3 has 2 cells"),
    (["train", "--csv", "empty.csv", "--target", "y"], "expected a header row"),
    (["train", "--csv", "one_class.csv", "--target", "y"], "only one class"),
    (["train", "--csv", "pets.csv"], "--csv needs --target"),
    (["train", "--dataset", "moons", "--target", "y"], "--target names a column of a --csv"),
    (["train", "--dataset", "mnist"], "invalid choice: 'mnist'"),
    (["train", "--dataset", "moons", "--epochs", "-3"], "--epochs: expected a whole number"),
    (["demo", "--epochs", "0"], "--epochs: expected a whole number >= 1, got 0"),
    (["train", "--dataset", "moons", "--lr", "-1"], "--lr: expected a finite number > 0"),
    (["train", "--dataset", "moons", "--hidden", "16,x"], "--hidden: expected layer widths"),
    (["train", "--dataset", "spirals", "--loss", "hinge"], "needs 2 classes"),
    (["train", "--dataset", "moons", "--out", "a_file/run"], "a_file exists and is not a folder"),
    (["demo", "--out", "a_file"], "a_file exists and is not a folder"),
    (["train", "--dataset", "moons", "--resume", "corrupt.json"], "not valid JSON, or truncated"),
    (["train", "--dataset", "moons", "--resume", "nothing.json"], "no such checkpoint file"),
    (["predict", "corrupt.json", "--csv", "pets.csv"], "corrupt.json: not a tapegrad checkpoint"),
    (["predict", "foreign.json", "--csv", "pets.csv"], "format 'something else'"),
    (["predict", "pets.csv", "--csv", "pets.csv"], "not valid JSON"),
    (["predict", "nothing.json", "--csv", "pets.csv"], "no such checkpoint file"),
    (["graph", "__import__('os')", "--out", "g.svg"], "a call of '__import__' is not allowed"),
    (["graph", "a.__class__", "-a", "1", "--out", "g.svg"], "attribute access 'a.__class__'"),
    (["graph", "a * b", "-a", "1", "--out", "g.svg"], "the name 'b' has no value"),
    (["graph", "a", "-a", "two", "--out", "g.svg"], "the variable a: 'two' is not a number"),
    (["graph", "a", "-a", "1", "--var", "a=2", "--out", "g.svg"], "given twice"),
    (["graph", "a", "--var", "a", "--out", "g.svg"], "expected NAME=VALUE"),
    (["graph", "a", "-a", "1", "--out", "g.txt"], "expected a file ending in .svg"),
    (["graph", "a.sqrt()", "-a", "0", "--out", "g.svg"], "gradient inf"),
    (["graph", "a", "-a"], "-a needs a value"),
]


@pytest.mark.parametrize(("argv", "message"), BAD_INPUT)
def test_bad_input_is_one_line_exit_2_and_nothing_written(
    bad_files, capsys, monkeypatch, argv, message
):
    monkeypatch.chdir(bad_files)
    before = sorted(p.name for p in bad_files.iterdir())
    status, _, err = run(capsys, *argv, *(["--quiet"] if argv[0] in ("train", "demo") else []))
    assert status == 2
    assert err.count("\n") == 1 and err.startswith("tapegrad: error: ")
    assert message in err
    assert "Traceback" not in err
    assert sorted(p.name for p in bad_files.iterdir()) == before  # nothing written


def test_predict_needs_the_checkpoints_feature_columns(tmp_path, capsys, pets):
    run(capsys, "train", "--csv", pets, "--target", "species", "--out", tmp_path, *FAST)
    new = write_csv(tmp_path / "new.csv", ["height"], [["1.0"]])
    status, _, err = run(capsys, "predict", tmp_path / "model.json", "--csv", new)
    assert status == 2 and "no feature column 'weight'" in err


def test_predict_refuses_a_checkpoint_that_does_not_describe_its_data(tmp_path, capsys, pets):
    from nn.checkpoint import save
    from nn.layers import MLP

    save(MLP(2, [1]), tmp_path / "bare.json")  # saved from Python, without the CLI's meta
    status, _, err = run(capsys, "predict", tmp_path / "bare.json", "--csv", pets)
    assert status == 2 and "not written by tapegrad train" in err


def test_resume_with_other_features_is_refused(tmp_path, capsys, pets):
    run(capsys, "train", "--dataset", "moons", "--out", tmp_path, *FAST)
    argv = ["train", "--csv", pets, "--target", "species", "--resume", tmp_path / "model.json"]
    status, _, err = run(capsys, *argv, "--out", tmp_path / "again")
    assert status == 2 and "differ from the checkpoint's" in err
    assert not (tmp_path / "again").exists()


def test_a_failure_after_training_leaves_nothing_behind(tmp_path, capsys, monkeypatch):
    def broken_save(run_, path):
        raise ValueError("disk full, say")

    monkeypatch.setattr("tapegrad.commands.train.save_run", broken_save)
    out_dir = tmp_path / "deep" / "run"
    status, _, err = run(capsys, "train", "--dataset", "xor", "--out", out_dir, *FAST)
    assert status == 2 and "disk full, say" in err
    assert list(tmp_path.iterdir()) == []  # the folders it created are gone too


def test_staging_moves_files_in_only_on_success(tmp_path):
    with staging(tmp_path / "out") as temp:
        (temp / "a.txt").write_text("done")
    assert (tmp_path / "out" / "a.txt").read_text() == "done"
    assert no_temporary_leftovers(tmp_path / "out")
    with pytest.raises(KeyboardInterrupt), staging(tmp_path / "out") as temp:
        (temp / "a.txt").write_text("half")
        raise KeyboardInterrupt
    assert (tmp_path / "out" / "a.txt").read_text() == "done"
    assert no_temporary_leftovers(tmp_path / "out")


# --- the real process: exit status and stderr ------------------------------------------


def _python_m_tapegrad(*argv, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "tapegrad", *map(str, argv)],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_python_m_tapegrad_exits_2_with_one_line_on_bad_input(tmp_path):
    result = _python_m_tapegrad("train", "--csv", "missing.csv", "--target", "y", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == "tapegrad: error: missing.csv: no such file\n"
    assert result.stdout == "" and list(tmp_path.iterdir()) == []


def test_python_m_tapegrad_draws_a_graph(tmp_path):
    result = _python_m_tapegrad(
        "graph", "(x*w + b).relu()", "-x", "2", "-w", "-0.5", "-b", "3", cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert_svg(tmp_path / "graph.svg", "data 2", "grad -0.5", "ReLU")
    report = json.dumps(result.stdout)
    assert "wrote graph.svg" in report
