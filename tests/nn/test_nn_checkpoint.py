"""nn.checkpoint: a saved model predicts bit for bit the same; bad files change nothing."""

import json
import os

import numpy as np
import pytest

from nn.checkpoint import FORMAT, VERSION, atomic_write, load, save
from nn.data import DataLoader, Standardizer
from nn.datasets import moons
from nn.layers import MLP
from nn.losses import binary_cross_entropy_with_logits
from nn.optim import SGD, Adam
from nn.train import fit, predict


@pytest.fixture
def trained(tmp_path):
    """A briefly trained model, its optimizer and scaler, saved to model.json."""
    X, y = moons(n_samples=40, seed=0)
    scaler = Standardizer().fit(X)
    model = MLP(2, [5, 1], seed=0)
    optimizer = Adam(model.parameters(), lr=0.05)
    loader = DataLoader(scaler.transform(X), y, batch_size=10, seed=0)
    fit(model, binary_cross_entropy_with_logits, optimizer, loader, epochs=2, progress=False)
    path = tmp_path / "model.json"
    save(model, path, optimizer=optimizer, standardizer=scaler, epoch=2, note="moons")
    return model, optimizer, scaler, X, path


def test_round_trip_predicts_bit_identically(trained):
    model, optimizer, scaler, X, path = trained
    checkpoint = load(path)
    assert checkpoint.model is not model
    np.testing.assert_array_equal(predict(checkpoint.model, X), predict(model, X))
    assert checkpoint.model.state_dict() == model.state_dict()
    assert checkpoint.architecture == model.architecture()
    assert checkpoint.meta == {"epoch": 2, "note": "moons"}
    assert checkpoint.optimizer_state == {"type": "Adam", "state": optimizer.state_dict()}
    np.testing.assert_array_equal(checkpoint.standardizer.transform(X), scaler.transform(X))


def test_the_file_is_plain_versioned_json(trained):
    model, _, _, _, path = trained
    document = json.loads(path.read_text())
    assert (document["format"], document["version"]) == (FORMAT, VERSION)
    assert document["architecture"]["type"] == "MLP"
    assert document["parameters"] == model.state_dict()


def test_load_into_an_existing_model_and_optimizer_resumes_training(trained):
    model, optimizer, _, X, path = trained
    other = MLP(2, [5, 1], seed=99)
    other_optimizer = Adam(other.parameters(), lr=0.05)
    checkpoint = load(path, model=other, optimizer=other_optimizer)
    assert checkpoint.model is other
    np.testing.assert_array_equal(predict(other, X), predict(model, X))
    # One more identical step on both gives identical parameters: the optimizer state came back.
    for m, opt in ((model, optimizer), (other, other_optimizer)):
        opt.zero_grad()
        (sum(m(x) for x in X[:5]) * 0.1).backward()
        opt.step()
    assert other.state_dict() == model.state_dict()


def test_save_is_atomic_and_leaves_no_temporary_files(trained, tmp_path):
    model, _, _, _, path = trained
    before = path.read_bytes()
    with pytest.raises(ValueError, match="not JSON-able"):
        save(model, path, meta_that_is_not_json=object())
    assert path.read_bytes() == before  # the old checkpoint survives a failed save
    with pytest.raises(ValueError, match="not JSON-able"):
        save(model, path, loss=float("nan"))
    assert sorted(os.listdir(tmp_path)) == ["model.json"]
    atomic_write(tmp_path / "other.bin", b"\x00\x01")
    assert (tmp_path / "other.bin").read_bytes() == b"\x00\x01"
    assert sorted(os.listdir(tmp_path)) == ["model.json", "other.bin"]


def edit_document(path, change):
    document = json.loads(path.read_text())
    change(document)
    path.write_text(json.dumps(document))


def truncate(path):
    path.write_bytes(path.read_bytes()[: len(path.read_bytes()) // 2])


def first_parameter_to_nan(path):
    text = path.read_text()
    document = json.loads(text)
    name = next(iter(document["parameters"]))
    document["parameters"][name][0] = 12345.5
    path.write_text(json.dumps(document).replace("12345.5", "NaN"))


CORRUPTIONS = {
    "truncated": (truncate, "not valid JSON, or truncated"),
    "empty": (lambda p: p.write_bytes(b""), "not valid JSON, or truncated"),
    "not JSON": (lambda p: p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\xff"), "not valid JSON"),
    "other format": (
        lambda p: p.write_text(json.dumps({"format": "keras", "version": 1})),
        "not a tapegrad checkpoint",
    ),
    "a JSON list": (lambda p: p.write_text("[1, 2]"), "not a tapegrad checkpoint"),
    "other version": (
        lambda p: edit_document(p, lambda d: d.update(version=2)),
        "version 2; this tapegrad reads version 1",
    ),
    "no parameters": (
        lambda p: edit_document(p, lambda d: d.pop("parameters")),
        "'parameters' is missing",
    ),
    "parameter not numbers": (
        lambda p: edit_document(p, lambda d: d["parameters"].update({"layers.0.neurons.0.w": "x"})),
        "parameters do not fit the model",
    ),
    "NaN parameter": (first_parameter_to_nan, "NaN is not a number"),
    "bad standardizer": (
        lambda p: edit_document(p, lambda d: d["standardizer"].update(scale=[0.0, 1.0])),
        "positive scales",
    ),
    "missing parameter": (
        lambda p: edit_document(p, lambda d: d["parameters"].pop("layers.1.neurons.0.b")),
        "parameters do not fit the model",
    ),
    "wrong shape": (
        lambda p: edit_document(p, lambda d: d["parameters"]["layers.0.neurons.0.w"].append(0.5)),
        "parameters do not fit the model",
    ),
}


@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corrupt_files_are_rejected_and_the_model_is_unchanged(trained, case):
    *_, path = trained
    corrupt, message = CORRUPTIONS[case]
    corrupt(path)
    target = MLP(2, [5, 1], seed=7)
    before = target.state_dict()
    with pytest.raises(ValueError, match=message):
        load(path, model=target)
    assert target.state_dict() == before
    with pytest.raises(ValueError, match=message):
        load(path)


def test_a_checkpoint_of_another_shape_is_rejected(trained):
    *_, path = trained
    for target in (MLP(2, [4, 1], seed=0), MLP(3, [5, 1], seed=0), MLP(2, [5, 2], seed=0)):
        before = target.state_dict()
        with pytest.raises(ValueError, match="parameters do not fit the model"):
            load(path, model=target)
        assert target.state_dict() == before


def test_optimizer_mismatch_is_rejected_and_nothing_changes(trained, tmp_path):
    model, _, _, _, path = trained
    target = MLP(2, [5, 1], seed=7)
    before = target.state_dict()
    with pytest.raises(ValueError, match="class Adam, the optimizer given is of class SGD"):
        load(path, model=target, optimizer=SGD(target.parameters(), lr=0.1))
    assert target.state_dict() == before
    # A damaged optimizer state: the model's parameters, already loaded, are put back.
    edit_document(path, lambda d: d["optimizer"].update(state={"bogus": [1.0]}))
    adam = Adam(target.parameters(), lr=0.05)
    with pytest.raises(ValueError, match="optimizer state does not fit"):
        load(path, model=target, optimizer=adam)
    assert target.state_dict() == before
    bare = tmp_path / "bare.json"
    save(model, bare)
    with pytest.raises(ValueError, match="holds no optimizer state"):
        load(bare, model=target, optimizer=adam)
    assert load(bare).optimizer_state is None and load(bare).standardizer is None


def test_an_architecture_that_cannot_be_built_is_rejected(trained):
    *_, path = trained
    edit_document(path, lambda d: d["architecture"].update(type="Transformer"))
    with pytest.raises(ValueError, match="cannot rebuild the model"):
        load(path)
