"""The command under hostile input: divergence, crafted checkpoints, huge numbers, huge graphs.

Each case is bad input: exit status 2, one line on stderr naming what was
wrong, no traceback, and nothing written (a checkpoint that was there stays
byte for byte).
"""

import copy
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.checkpoint import Checkpoint
from nn.train import History
from tapegrad.cli import main
from tapegrad.errors import CLIError
from tapegrad.tables import LOSSES
from tapegrad.training import saved_history, trained_with

FAST = ["--epochs", "2", "--quiet"]


def run(capsys, *argv):
    status = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return status, out, err


def assert_one_line_error(status, err, *texts):
    assert status == 2, err
    assert err.count("\n") == 1 and err.startswith("tapegrad: error: "), err
    assert "Traceback" not in err
    for text in texts:
        assert text in err, err


def files_in(folder: Path) -> dict:
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A checkpoint of ``tapegrad train`` on the moons, and a CSV of its features."""
    folder = tmp_path_factory.mktemp("trained")
    argv = ["train", "--dataset", "moons", "--samples", "60", "--out", folder, *FAST]
    assert main([str(a) for a in argv]) == 0
    (folder / "rows.csv").write_text("x0,x1,label\n0.1,0.2,1\n0.5,-0.3,0\n")
    return folder


# --- divergence --------------------------------------------------------------------------


@pytest.mark.parametrize("engine", ["scalar", "compiled"])
@pytest.mark.parametrize(
    ("optimizer", "lr", "reason"),
    [
        ("adam", "1e300", "overflow"),  # in the forward pass
        ("sgd", "1e100", "overflow"),
        ("adam", "1e100", "overflow"),  # in Adam's state
    ],
)
def test_a_diverging_run_is_one_line_and_writes_nothing(
    tmp_path, capsys, engine, optimizer, lr, reason
):
    argv = ["train", "--dataset", "moons", "--samples", "60", "--engine", engine]
    argv += ["--optimizer", optimizer, "--lr", lr, "--out", tmp_path / "run"]
    status, _, err = run(capsys, *argv, "--epochs", "5", "--quiet")
    assert_one_line_error(status, err, "training diverged", reason, f"smaller --lr than {lr[0]}")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_a_resumed_run_that_diverges_keeps_the_last_good_checkpoint(tmp_path, capsys, optimizer):
    data = ["--dataset", "moons", "--samples", "60", "--out", tmp_path]
    assert run(capsys, "train", *data, "--optimizer", optimizer, *FAST)[0] == 0
    before = files_in(tmp_path)
    resume = ["--resume", tmp_path / "model.json", "--lr", "1e300"]
    status, _, err = run(capsys, "train", *data, *resume, *FAST)
    assert_one_line_error(status, err, "training diverged", "nothing was written")
    assert files_in(tmp_path) == before  # no staging folder left, model.json as it was


@pytest.mark.parametrize(
    ("far", "where"),
    [("1e308", "far.csv: line 3:"), ("-1.7e308", "far.csv: X: column 0")],  # model; scaling
)
def test_a_prediction_that_overflows_names_the_csv_line(trained, tmp_path, capsys, far, where):
    rows = tmp_path / "far.csv"
    rows.write_text(f"x0,x1\n0.5,0.5\n{far},1\n")
    for engine in ("scalar", "compiled"):
        argv = ["predict", trained / "model.json", "--csv", rows, "--engine", engine]
        status, out, err = run(capsys, *argv)
        assert_one_line_error(status, err, where, "overflows a float64")
        assert out == ""


# --- crafted checkpoints ----------------------------------------------------------------


def _edited(trained, edit):
    document = json.loads((trained / "model.json").read_text())
    edit(document)
    return json.dumps(document)


def _set(path: str, value):
    """An edit that sets ``document[a][b]...`` for the dotted ``path``."""

    def edit(document):
        *parents, last = path.split(".")
        for key in parents:
            document = document[key]
        document[last] = copy.deepcopy(value)

    return edit


def _first_weight_as(text):
    def raw(trained):
        document = (trained / "model.json").read_text()
        weight = json.loads(document)["parameters"]["layers.0.neurons.0.w"][0]
        return document.replace(repr(weight), text, 1)

    return raw


CRAFTED = {
    "nested JSON": (lambda t: '{"a": ' * 100_000 + "1" + "}" * 100_000, "nested more than"),
    "a 400-digit parameter": (_first_weight_as("9" * 400), "too large for a float64"),
    "huge widths": (
        lambda t: _edited(t, _set("architecture.nouts", [10**7, 1])),
        "needs 40000001 numbers",
    ),
    "one class": (lambda t: _edited(t, _set("meta.task.classes", [0])), "meta.task.classes"),
    "no classes": (lambda t: _edited(t, _set("meta.task.classes", [])), "meta.task.classes"),
    "a class that is a list": (
        lambda t: _edited(t, _set("meta.task.classes", [0, [1]])),
        "meta.task.classes",
    ),
    "a class twice": (
        lambda t: _edited(t, _set("meta.task.classes", [1, 1.0])),
        "2 or more distinct labels",
    ),
    "three classes for one logit": (
        lambda t: _edited(t, _set("meta.task.classes", [0, 1, 2])),
        "the bce_with_logits loss with 3 classes",
    ),
    "cross-entropy on one output": (
        lambda t: _edited(t, _set("meta.task.loss", "cross_entropy")),
        "needs 2 outputs, the model has 1",
    ),
    "classes for a regression": (
        lambda t: _edited(t, _set("meta.task.loss", "mse")),
        "a mse regression has none",
    ),
    "bce without a sigmoid": (
        lambda t: _edited(t, _set("meta.task.loss", "bce")),
        "bce needs sigmoid",
    ),
    "too few feature names": (
        lambda t: _edited(t, _set("meta.features", ["x0"])),
        "1 feature names for 2 inputs",
    ),
    "a feature name twice": (
        lambda t: _edited(t, _set("meta.features", ["x0", "x0"])),
        "a feature name repeats",
    ),
}


@pytest.mark.parametrize("case", sorted(CRAFTED))
@pytest.mark.parametrize("command", ["predict", "resume"])
def test_a_crafted_checkpoint_is_refused_in_one_line(trained, tmp_path, capsys, case, command):
    text, message = CRAFTED[case]
    crafted = tmp_path / "crafted.json"
    crafted.write_text(text(trained))
    if command == "predict":
        argv = ["predict", crafted, "--csv", trained / "rows.csv"]
    else:
        argv = ["train", "--dataset", "moons", "--resume", crafted, "--out", tmp_path, *FAST]
    status, out, err = run(capsys, *argv)
    assert_one_line_error(status, err, message)
    assert out == "" and sorted(p.name for p in tmp_path.iterdir()) == ["crafted.json"]


HISTORIES = {
    "a string": ("x", "meta.history: expected a dict, got str"),
    "a list": ([1, 2], "meta.history: expected a dict, got list"),
    "a number": (5, "meta.history: expected a dict, got int"),
    "losses as text": ({"train_loss": "low"}, "meta.history.train_loss: expected a list"),
    "a loss that is text": ({"train_loss": [1.0, "a"]}, "meta.history.train_loss"),
    "a loss that is a boolean": ({"train_loss": [True]}, "meta.history.train_loss"),
    "a number for a list": ({"train_loss": [1.0], "val_loss": 3}, "meta.history.val_loss"),
    "a best epoch as text": ({"train_loss": [1.0], "best_epoch": "x"}, "best_epoch"),
    "a best epoch past the end": ({"train_loss": [1.0], "best_epoch": 3}, "best_epoch"),
    "stopped early as text": ({"stopped_early": "yes"}, "meta.history.stopped_early"),
    "an unknown field": ({"zzz": 1}, "unknown fields ['zzz']"),
}


@pytest.mark.parametrize("case", sorted(HISTORIES))
def test_resuming_a_checkpoint_with_a_malformed_history_is_refused(trained, tmp_path, capsys, case):
    history, message = HISTORIES[case]
    crafted = tmp_path / "crafted.json"
    crafted.write_text(_edited(trained, _set("meta.history", history)))
    argv = ["train", "--dataset", "moons", "--resume", crafted, "--out", tmp_path / "run", *FAST]
    status, _, err = run(capsys, *argv)
    assert_one_line_error(status, err, message)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crafted.json"]


# --- options and messages ---------------------------------------------------------------


@pytest.mark.parametrize("seed", ["-1", "x", str(2**63)])
def test_a_bad_seed_names_the_option(tmp_path, capsys, seed):
    status, _, err = run(capsys, "train", "--dataset", "moons", "--seed", seed, "--out", tmp_path)
    assert_one_line_error(status, err, "--seed", "expected a whole number")


def test_too_many_generated_points_are_refused(tmp_path, capsys):
    argv = ["train", "--dataset", "moons", "--samples", "1000000000", "--out", tmp_path]
    status, _, err = run(capsys, *argv)
    assert_one_line_error(status, err, "--samples", "from 1 to 1,000,000, got 1,000,000,000")


def test_a_huge_model_is_refused_before_it_is_built(tmp_path, capsys, monkeypatch):
    def no_building(*args, **kwargs):
        raise AssertionError("the model was built")

    monkeypatch.setattr("tapegrad.training.MLP", no_building)
    argv = ["train", "--dataset", "moons", "--hidden", "10000000", "--out", tmp_path, *FAST]
    status, _, err = run(capsys, *argv)
    assert_one_line_error(status, err, "--hidden 10000000", "40,000,001 parameters")
    assert list(tmp_path.iterdir()) == []


def test_a_large_graph_suggests_the_commands_own_option(tmp_path, capsys):
    expression = " + ".join(["a*a"] * 300)  # 600 values
    status, _, err = run(capsys, "graph", expression, "-a", "1", "--out", tmp_path / "g.dot")
    assert_one_line_error(status, err, "600 values", "--max-nodes 600")
    assert "max_nodes=" not in err and "groups=" not in err and list(tmp_path.iterdir()) == []
    argv = ["graph", expression, "-a", "1", "--max-nodes", "600", "--out", tmp_path / "g.dot"]
    assert run(capsys, *argv)[0] == 0
    assert (tmp_path / "g.dot").read_text().count("label=") >= 600


# --- outputs never replace inputs -------------------------------------------------------


@pytest.mark.parametrize("target", ["model.json", "rows.csv"])
def test_predict_refuses_to_write_over_its_own_inputs(trained, tmp_path, capsys, target):
    for name in ("model.json", "rows.csv"):
        (tmp_path / name).write_bytes((trained / name).read_bytes())
    (tmp_path / "alias.csv").symlink_to(tmp_path / target)  # under another name, too
    before = files_in(tmp_path)
    for out in (tmp_path / target, tmp_path / "alias.csv"):
        argv = ["predict", tmp_path / "model.json", "--csv", tmp_path / "rows.csv", "--out", out]
        status, _, err = run(capsys, *argv)
        assert_one_line_error(status, err, "cannot write", "itself")
        assert files_in(tmp_path) == before


def test_train_refuses_to_write_over_its_csv_and_moves_nothing(tmp_path, capsys):
    rows = "".join(f"{i % 7},{i % 3},{i % 2}\n" for i in range(40))
    data = tmp_path / "model.json"  # a CSV that happens to have the checkpoint's name
    data.write_text("a,b,y\n" + rows)
    (tmp_path / "loss.png").write_text("mine")
    before = files_in(tmp_path)
    argv = ["train", "--csv", data, "--target", "y", "--out", tmp_path, "--plot", *FAST]
    status, _, err = run(capsys, *argv)
    assert_one_line_error(status, err, f"cannot write {data}: it is the input")
    assert files_in(tmp_path) == before  # loss.png was not replaced either


def test_train_refuses_to_replace_a_folder_and_moves_nothing(tmp_path, capsys):
    (tmp_path / "model.json").mkdir()
    status, _, err = run(capsys, "train", "--dataset", "xor", "--out", tmp_path, *FAST)
    assert_one_line_error(status, err, "not a regular file")
    assert [p.name for p in tmp_path.iterdir()] == ["model.json"]


# --- classes or numbers ------------------------------------------------------------------


def prices_csv(path, rows, values):
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(rows, 2)), rng.permutation(np.arange(rows) % values)
    lines = [f"{a:.4f},{b:.4f},{price}\n" for (a, b), price in zip(X, y)]
    path.write_text("a,b,price\n" + "".join(lines))
    return path


def test_many_whole_number_targets_are_a_regression_and_the_note_names_loss(tmp_path, capsys):
    data = prices_csv(tmp_path / "prices.csv", 3000, 1500)
    argv = ["train", "--csv", data, "--target", "price", "--out", tmp_path, "--epochs", "1"]
    status, out, err = run(capsys, *argv, "--quiet")
    assert status == 0, err
    assert "1500 distinct whole numbers" in err and "--loss cross_entropy" in err
    assert "final RMSE" in out
    checkpoint = json.loads((tmp_path / "model.json").read_text())
    assert checkpoint["meta"]["task"] == {"loss": "mse", "classes": None}
    assert checkpoint["architecture"]["nouts"][-1] == 1


def test_few_whole_number_targets_are_classes(tmp_path, capsys):
    data = prices_csv(tmp_path / "grades.csv", 200, 20)  # the most still taken as classes
    argv = ["train", "--csv", data, "--target", "price", "--out", tmp_path, *FAST]
    status, _, err = run(capsys, *argv)
    assert status == 0 and err == ""
    task = json.loads((tmp_path / "model.json").read_text())["meta"]["task"]
    assert task == {"loss": "cross_entropy", "classes": [str(i) for i in range(20)]}


def test_classes_of_one_row_each_are_refused_naming_the_loss(tmp_path, capsys):
    data = prices_csv(tmp_path / "ids.csv", 300, 300)
    argv = ["train", "--csv", data, "--target", "price", "--loss", "cross_entropy", *FAST]
    status, _, err = run(capsys, *argv, "--out", tmp_path / "run")
    assert_one_line_error(status, err, "each of the 300 classes has one row", "--loss mse")
    assert not (tmp_path / "run").exists()


# --- any JSON in the meta: a result that fits the model, or CLIError -----------------------

json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4)
)
json_values = (  # JSON two levels deep: scalars, lists and objects of them, lists of lists
    json_scalars
    | st.lists(json_scalars | st.lists(json_scalars, max_size=3), max_size=4)
    | st.dictionaries(st.text(max_size=12), json_scalars | st.lists(json_scalars), max_size=4)
)
history_fields = st.sampled_from(
    ["train_loss", "val_loss", "train_accuracy", "best_epoch", "stopped_early", "epochs", "x"]
)


@settings(max_examples=300, deadline=None)
@given(
    history=json_values | st.dictionaries(history_fields, json_values, max_size=4),
)
def test_any_saved_history_is_read_whole_or_refused(history):
    try:
        read = saved_history({"history": history}, Path("m.json"))
    except CLIError as error:
        assert str(error).startswith("m.json: meta.history")
        return
    assert History.from_dict(read.to_dict()) == read  # a History fit can continue
    if read.best_epoch is not None:
        assert 1 <= read.best_epoch <= len(read.val_loss or read.train_loss)


ARCHITECTURES = [
    {"type": "MLP", "nin": 2, "nouts": [4, 1], "output_activation": None},
    {"type": "MLP", "nin": 2, "nouts": [4, 3], "output_activation": None},
    {"type": "MLP", "nin": 1, "nouts": [1], "output_activation": "sigmoid"},
]
labels = st.one_of(st.integers(-3, 3), st.floats(-2, 2), st.text(max_size=2), json_values)


@settings(max_examples=300, deadline=None)
@given(
    loss=st.sampled_from(sorted(LOSSES)) | json_values,
    classes=st.none() | st.lists(labels, max_size=4) | json_values,
    features=st.lists(st.sampled_from(["x0", "x1", "x2"]), max_size=3) | json_values,
    architecture=st.sampled_from(ARCHITECTURES),
)
def test_any_saved_task_fits_the_model_or_is_refused(loss, classes, features, architecture):
    meta = {"task": {"loss": loss, "classes": classes}, "features": features}
    checkpoint = Checkpoint(None, meta=meta, architecture=architecture)
    try:
        task, names, _ = trained_with(checkpoint, Path("m.json"))
    except CLIError as error:
        assert str(error).startswith("m.json: ")
        return
    assert len(names) == architecture["nin"] == len(set(names))
    assert task.n_outputs == architecture["nouts"][-1]
    outputs = np.linspace(-1, 1, 4 * task.n_outputs).reshape(4, task.n_outputs)
    predictions = task.decode(outputs)  # every predicted class index names a class
    assert len(predictions) == 4
