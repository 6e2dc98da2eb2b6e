"""nn.load on files that do not fit or were crafted: a ValueError naming the field, nothing changed.

Mismatched architectures, saved state no optimizer or BatchNorm could hold, JSON built to crash
a parser, sizes that would take minutes to build, and random corruptions of a valid file.
"""

import copy
import json

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from nn import checkpoint_checks
from nn.batchnorm import BatchNorm1d
from nn.checkpoint import load, save
from nn.checkpoint_checks import MAX_DEPTH, state_size
from nn.data import Standardizer
from nn.layers import MLP, Layer, Neuron
from nn.optim import MAX_COUNT, SGD, Adam


def small_model():
    return MLP(2, [3, 1], activation="tanh", seed=0, batchnorm=True)


def trained_pair():
    """A model and an Adam with non-trivial state (one step taken)."""
    model = small_model()
    optimizer = Adam(model.parameters(), lr=0.01)
    for x in ([0.5, -1.0], [1.0, 2.0]):
        out = model.forward_batch([x, [0.0, 1.0]])
        loss = sum(o * o for o in out)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    return model, optimizer


@pytest.fixture(scope="module")
def valid_document():
    model, optimizer = trained_pair()
    standardizer = Standardizer().fit(np.array([[0.0, 1.0], [2.0, 5.0]]))
    document = {
        "format": "tapegrad.checkpoint",
        "version": 1,
        "architecture": model.architecture(),
        "parameters": model.state_dict(),
        "optimizer": {"type": "Adam", "state": optimizer.state_dict()},
        "standardizer": standardizer.state_dict(),
        "meta": {"epochs": 2, "history": {"train_loss": [0.5, 0.25]}},
    }
    json.dumps(document, allow_nan=False)
    return document


def write(tmp_path, document=None, text=None):
    path = tmp_path / "model.json"
    path.write_text(json.dumps(document) if text is None else text)
    return path


def edited(document, change):
    document = copy.deepcopy(document)
    change(document)
    return document


def snapshot(model, optimizer):
    return model.state_dict(), model.architecture(), optimizer.state_dict()


def assert_refused_and_nothing_changed(path, message):
    """Refused when building a model, and when loading into a model and an optimizer."""
    with pytest.raises(ValueError, match=message):
        load(path)
    model, optimizer = trained_pair()
    before = snapshot(model, optimizer)
    with pytest.raises(ValueError, match=message):
        load(path, model, optimizer)
    after = snapshot(model, optimizer)
    assert after[:2] == before[:2]
    assert json.dumps(after[2]) == json.dumps(before[2])


# --- the saved architecture must be the model's -------------------------------------------


@pytest.mark.parametrize(
    ("other", "differs"),
    [
        (MLP(2, [3, 1], activation="relu", batchnorm=True), "activation 'tanh' saved, 'relu'"),
        (MLP(2, [3, 1], activation="tanh", output_activation="sigmoid", batchnorm=True), "output"),
        (MLP(2, [3, 1], activation="tanh"), "batchnorm True saved, False given"),
        (MLP(2, [4, 1], activation="tanh", batchnorm=True), r"nouts \[3, 1\] saved, \[4, 1\]"),
        (Layer(2, 3, activation="tanh"), "type 'MLP' saved, 'Layer' given"),
        (Neuron(2), "type 'MLP' saved, 'Neuron' given"),
    ],
)
def test_a_model_of_another_architecture_is_refused_and_unchanged(tmp_path, other, differs):
    model, _ = trained_pair()
    path = tmp_path / "model.json"
    save(model, path)
    before = other.state_dict(), other.architecture()
    with pytest.raises(ValueError, match=f"architecture differs: .*{differs}"):
        load(path, other)
    assert (other.state_dict(), other.architecture()) == before


def test_the_initializer_is_not_part_of_the_fit(tmp_path):
    """It only drew the starting weights, which loading replaces."""
    model, _ = trained_pair()
    path = tmp_path / "model.json"
    save(model, path)
    other = MLP(2, [3, 1], activation="tanh", init="kaiming_uniform", batchnorm=True)
    load(path, other)
    assert other.state_dict() == model.state_dict()


# --- saved state no optimizer or BatchNorm could hold ------------------------------------


def set_state(key, value):
    def change(document):
        state = document["optimizer"]["state"]
        state[key] = value(state[key]) if callable(value) else value

    return change


def set_parameter(key, value):
    def change(document):
        document["parameters"][key] = value(document["parameters"][key])

    return change


INVALID_STATE = {
    "negative exp_avg_sq": (
        set_state("exp_avg_sq", lambda v: [-1.0, *v[1:]]),
        r"optimizer state does not fit .*exp_avg_sq\[0\]: expected a finite number >= 0, got -1.0",
    ),
    "steps 10**400": (
        set_state("steps", 10**400),
        r"optimizer state does not fit .*'steps' must be a count in \[0, 2\*\*53\]",
    ),
    "steps past 2**53": (
        set_state("steps", MAX_COUNT + 2),
        "'steps' must be a count",
    ),
    "negative steps": (set_state("steps", -1), "'steps' must be a count"),
    "negative running_var": (
        set_parameter("layers.0.norm.running_var", lambda v: [v[0], -0.5, v[2]]),
        r"parameters\['layers.0.norm.running_var'\]\[1\]: expected a number >= 0, got -0.5",
    ),
    "fractional num_batches_tracked": (
        set_parameter("layers.0.norm.num_batches_tracked", lambda v: [2.5]),
        r"'layers.0.norm.num_batches_tracked'\]\[0\]: expected a count",
    ),
    "huge num_batches_tracked": (
        set_parameter("layers.0.norm.num_batches_tracked", lambda v: [1e300]),
        "num_batches_tracked.*expected a count",
    ),
    "bad betas": (set_state("betas", [0.9, 1.5]), r"betas\[1\]"),
    "a 400-digit exp_avg": (
        set_state("exp_avg", lambda v: [10**400, *v[1:]]),
        "optimizer state does not fit",
    ),
    "a 400-digit lr": (set_state("lr", 10**400), "optimizer state does not fit"),
    "short exp_avg": (set_state("exp_avg", lambda v: v[:-1]), "does not fit .*must list"),
}


@pytest.mark.parametrize("case", list(INVALID_STATE))
def test_invalid_saved_state_is_refused_at_load_naming_the_field(tmp_path, valid_document, case):
    change, message = INVALID_STATE[case]
    assert_refused_and_nothing_changed(write(tmp_path, edited(valid_document, change)), message)


def test_an_optimizer_of_some_parameters_loads(tmp_path):
    """The saved state is checked against its own length when no optimizer is given."""
    model = small_model()
    head = model.layers[1].parameters()
    save(model, tmp_path / "model.json", SGD(head, lr=0.1, momentum=0.9))
    checkpoint = load(tmp_path / "model.json")
    assert len(checkpoint.optimizer_state["state"]["momentum_buffer"]) == len(head)


# --- crafted files ---------------------------------------------------------------------------


def nested(levels):
    return "[" * levels + "]" * levels


CRAFTED = {
    "JSON nested 100000 deep": (
        '{"format": "tapegrad.checkpoint", "version": 1, "meta": ' + nested(100_000) + "}",
        f"nested more than {MAX_DEPTH} levels deep",
    ),
    "JSON nested past the limit": (
        '{"format": "tapegrad.checkpoint", "version": 1, "meta": ' + nested(MAX_DEPTH) + "}",
        f"nested more than {MAX_DEPTH} levels deep",
    ),
    "a float beyond float64": ('{"format": "tapegrad.checkpoint", "x": 1e400}', "float64 range"),
    "an integer of 5000 digits": (
        '{"format": "tapegrad.checkpoint", "x": 1' + "0" * 5000 + "}",
        "JSON",
    ),
    "version true": ('{"format": "tapegrad.checkpoint", "version": true}', "version True"),
}


@pytest.mark.parametrize("case", list(CRAFTED))
def test_crafted_json_is_a_value_error(tmp_path, case):
    text, message = CRAFTED[case]
    assert_refused_and_nothing_changed(write(tmp_path, text=text), message)


WRONG_TYPES = {
    "parameters: []": (lambda d: d.update(parameters=[]), "'parameters' is missing or malformed"),
    "meta: 'x'": (lambda d: d.update(meta="x"), "'meta' is missing or malformed"),
    "meta: null": (lambda d: d.update(meta=None), "'meta' is missing or malformed"),
    "architecture: []": (lambda d: d.update(architecture=[]), "'architecture' is missing"),
    "optimizer: 'x'": (lambda d: d.update(optimizer="x"), "'optimizer' is missing or malformed"),
    "optimizer state: []": (lambda d: d["optimizer"].update(state=[]), "'optimizer' is malformed"),
    "standardizer: 'x'": (lambda d: d.update(standardizer="x"), "'standardizer' is missing"),
    "a parameter of strings": (
        lambda d: d["parameters"].update({"layers.1.neurons.0.b": ["1.5"]}),
        "parameters do not fit the model: .*'layers.1.neurons.0.b'.*expected a number",
    ),
    "a 400-digit integer parameter": (
        lambda d: d["parameters"].update({"layers.1.neurons.0.b": [10**400]}),
        "parameters do not fit the model: .*'layers.1.neurons.0.b'.*integer of about 401 digits",
    ),
    "a parameter that is a dict": (
        lambda d: d["parameters"].update({"layers.1.neurons.0.b": {"0": 1.0}}),
        "'layers.1.neurons.0.b' is not a list",
    ),
    "a standardizer of strings": (
        lambda d: d["standardizer"].update(mean=["1", "2"]),
        r"standardizer 'mean'\[0\]: expected a number",
    ),
    "a 400-digit standardizer scale": (
        lambda d: d["standardizer"].update(scale=[10**400, 1.0]),
        r"standardizer 'scale'\[0\]: an integer of about 401 digits",
    ),
    "a standardizer for 3 inputs": (
        lambda d: d["standardizer"].update(mean=[0.0] * 3, scale=[1.0] * 3),
        "standardizer 'mean': 3 numbers for a model of 2 inputs",
    ),
    "an optimizer type that is a number": (
        lambda d: d["optimizer"].update(type=5),
        "'optimizer' is malformed",
    ),
    "nouts of strings": (
        lambda d: d["architecture"].update(nouts=["3", 1]),
        r"'nouts\[0\]' must be a positive int|architecture differs",
    ),
    "init with a 400-digit option": (
        lambda d: d["architecture"].update(init={"name": "uniform", "a": -(10**400), "b": 1}),
        "cannot rebuild the model|bad 'init'",
    ),
    "an unknown module type": (
        lambda d: d["architecture"].update(type="Transformer"),
        "cannot rebuild the model|architecture differs: type 'Transformer' saved",
    ),
}


@pytest.mark.parametrize("case", list(WRONG_TYPES))
def test_fields_of_the_wrong_type_are_refused(tmp_path, valid_document, case):
    change, message = WRONG_TYPES[case]
    assert_refused_and_nothing_changed(write(tmp_path, edited(valid_document, change)), message)


def test_save_refuses_what_load_would_refuse(tmp_path):
    deep = []
    for _ in range(MAX_DEPTH):
        deep = [deep]
    with pytest.raises(ValueError, match=f"nest more than {MAX_DEPTH} levels"):
        save(Neuron(2), tmp_path / "n.json", notes=deep)
    assert not (tmp_path / "n.json").exists()


# --- sizes are checked before anything is built --------------------------------------------


HUGE = [
    {"nouts": [10**7, 1]},
    {"nin": 10**7},
    {"nouts": [10**400]},
    {"nouts": [3, 1] * 10_000},
    {"nin": 0},
    {"nouts": []},
]


@pytest.mark.parametrize("change", HUGE)
def test_a_huge_architecture_is_refused_before_building(
    tmp_path, valid_document, change, monkeypatch
):
    def no_build(architecture):
        raise AssertionError("built a model before checking its size")

    monkeypatch.setattr(checkpoint_checks, "from_architecture", no_build)
    path = write(tmp_path, edited(valid_document, lambda d: d["architecture"].update(change)))
    with pytest.raises(ValueError, match="parameters do not fit the model|must be"):
        load(path)


architectures = st.one_of(
    st.builds(
        lambda nin, nouts, bn: MLP(nin, nouts, batchnorm=bn, seed=0),
        st.integers(1, 4),
        st.lists(st.integers(1, 4), min_size=1, max_size=3),
        st.booleans(),
    ),
    st.builds(
        lambda nin, nout, bn: Layer(nin, nout, batchnorm=bn, seed=0),
        *[st.integers(1, 4)] * 2,
        st.booleans(),
    ),
    st.builds(lambda nin: Neuron(nin, seed=0), st.integers(1, 5)),
    st.builds(lambda n, affine: BatchNorm1d(n, affine=affine), st.integers(1, 5), st.booleans()),
)


@given(architectures)
def test_the_size_rule_counts_what_state_dict_holds(model):
    assert state_size(model.architecture()) == sum(len(v) for v in model.state_dict().values())


# --- random corruptions of a valid file ----------------------------------------------------


def json_values():
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(10**30), 10**30),
        st.just(10**400),
        st.floats(allow_nan=False, allow_infinity=False),
        st.text(max_size=8),
        st.sampled_from(["Adam", "SGD", "MLP", "relu", "tanh", "uniform"]),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)
        ),
        max_leaves=8,
    )


def node_paths(node, path=()):
    yield path
    children = (
        node.items()
        if isinstance(node, dict)
        else enumerate(node)
        if isinstance(node, list)
        else ()
    )
    for key, child in children:
        yield from node_paths(child, (*path, key))


def replaced(document, path, value):
    if not path:
        return value
    document = copy.deepcopy(document)
    node = document
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return document


def as_floats(node):
    """``node`` with its integers as floats (a saved 0 loads as 0.0) and tuples as lists."""
    if isinstance(node, dict):
        return {k: as_floats(v) for k, v in node.items()}
    if isinstance(node, (list, tuple)):
        return [as_floats(v) for v in node]
    return float(node) if isinstance(node, int) and not isinstance(node, bool) else node


def assert_loaded_exactly_or_refused(path):
    """Either the file loads and the model holds its numbers, or a ValueError changed nothing."""
    model, optimizer = trained_pair()
    before = snapshot(model, optimizer)
    try:
        checkpoint = load(path, model, optimizer)
    except ValueError:
        event("refused")
        after = snapshot(model, optimizer)
        assert after[:2] == before[:2]
        assert json.dumps(after[2]) == json.dumps(before[2])
        return
    event("loaded")
    document = json.loads(path.read_text())
    assert model.state_dict() == {
        k: [float(x) for x in v] for k, v in document["parameters"].items()
    }
    assert checkpoint.meta == document["meta"]
    assert as_floats(optimizer.state_dict()) == as_floats(document["optimizer"]["state"])
    try:
        fresh = load(path)
    except ValueError:
        return
    assert fresh.model.state_dict() == model.state_dict()


# Each example writes to the same tmp_path: nothing carries over from one to the next.
RANDOM_FILES = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@RANDOM_FILES
@given(data=st.data())
def test_any_one_changed_value_loads_exactly_or_is_refused(tmp_path, valid_document, data):
    paths = list(node_paths(valid_document))
    where = data.draw(st.sampled_from(paths), label="path")
    value = data.draw(json_values(), label="value")
    assert_loaded_exactly_or_refused(write(tmp_path, replaced(valid_document, where, value)))


@RANDOM_FILES
@given(data=st.data())
def test_any_damaged_bytes_load_exactly_or_are_refused(tmp_path, valid_document, data):
    text = bytearray(json.dumps(valid_document).encode())
    for _ in range(data.draw(st.integers(1, 4), label="edits")):
        i = data.draw(st.integers(0, len(text) - 1), label="at")
        kind = data.draw(st.sampled_from(["replace", "insert", "delete"]), label="edit")
        byte = data.draw(st.sampled_from(b'0123456789-.eE,:[]{}" \\nul\xff'), label="byte")
        if kind == "replace":
            text[i] = byte
        elif kind == "insert":
            text.insert(i, byte)
        else:
            del text[i]
    path = tmp_path / "model.json"
    path.write_bytes(bytes(text))
    assert_loaded_exactly_or_refused(path)


def test_the_unchanged_file_loads_exactly(tmp_path, valid_document):
    """The property's positive side is reached: the valid document itself loads."""
    path = write(tmp_path, valid_document)
    model, optimizer = trained_pair()
    load(path, model, optimizer)
    assert model.state_dict() == valid_document["parameters"]
    assert as_floats(optimizer.state_dict()) == as_floats(valid_document["optimizer"]["state"])
