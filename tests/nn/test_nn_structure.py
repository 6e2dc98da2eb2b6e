"""nn's layout: imports go downward, BatchNorm1d is a child, labels are set once, one validator."""

import ast
import math
from pathlib import Path

import numpy as np
import pytest

from autograd import Value
from nn.arrays import as_bool, as_choice, as_count, as_float_array, as_real, as_sample, as_xy
from nn.batchnorm import BatchNorm1d
from nn.compiled import CompiledModel
from nn.data import DataLoader
from nn.layers import MLP, Layer, Neuron
from nn.losses import mse_loss
from nn.module import Module
from nn.optim import SGD

NN = Path(__file__).resolve().parents[2] / "nn"
# Owned elsewhere and leaving nn: the command line.
OUTSIDE = {"cli", "expr", "__main__"}


def nn_imports() -> dict[str, tuple[set[str], list[str]]]:
    """Each nn module: the nn modules it imports at top level, and its function-level imports."""
    graph = {}
    for path in sorted(NN.glob("*.py")):
        if path.stem in OUTSIDE:
            continue
        tree = ast.parse(path.read_text())
        top, nested = set(), []
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            names = (
                [node.module or ""]
                if isinstance(node, ast.ImportFrom)
                else [alias.name for alias in node.names]
            )
            if isinstance(node, ast.ImportFrom) and node.module == "nn":
                names = [f"nn.{alias.name}" for alias in node.names]
            local = {n.split(".")[1] for n in names if n.startswith("nn.")}
            if node in tree.body:
                top |= local
            else:
                nested.append(f"{path.name}:{node.lineno}: {', '.join(names)}")
        graph[path.stem] = (top, nested)
    return graph


def test_no_nn_module_hides_an_import_inside_a_function():
    # An optional extra (matplotlib, tqdm, scikit-learn, torch) may load lazily.
    optional = ("matplotlib", "tqdm", "sklearn", "torch")
    nested = [
        line
        for _, lines in nn_imports().values()
        for line in lines
        if not line.split(": ", 1)[1].startswith(optional)
    ]
    assert nested == []


def test_nn_modules_import_without_a_cycle():
    graph = {name: top for name, (top, _) in nn_imports().items()}
    graph.pop("__init__")
    done, visiting = set(), []

    def visit(name):
        if name in visiting:
            pytest.fail("import cycle: " + " -> ".join([*visiting[visiting.index(name) :], name]))
        if name in done or name not in graph:
            return
        visiting.append(name)
        for other in sorted(graph[name]):
            visit(other)
        visiting.pop()
        done.add(name)

    for name in sorted(graph):
        visit(name)
    assert graph["module"] <= {"arrays", "compiled"}  # the base knows no layer
    assert "layers" not in graph["batchnorm"]


def test_no_nn_file_is_over_600_lines():
    long = [p.name for p in NN.glob("*.py") if len(p.read_text().splitlines()) > 600]
    assert set(long) <= {"cli.py"}  # the command leaves nn


# --- BatchNorm1d, an optional child ------------------------------------------------


def test_batchnorm_is_an_explicit_optional_child_of_a_layer():
    plain, normed = Layer(3, 2, seed=0), Layer(3, 2, seed=0, batchnorm=True)
    assert plain.norm is None
    assert isinstance(normed.norm, BatchNorm1d)
    assert [name for name, _ in normed.named_children()][-1] == "norm"
    assert "norm" not in dict(plain.named_children())
    assert normed.architecture()["batchnorm"] and not plain.architecture()["batchnorm"]
    assert "norm.weight" in normed.state_dict() and "norm.weight" not in plain.state_dict()


def test_the_compiled_engine_refuses_a_batch_dependent_module_by_its_attribute():
    class Wrapped(Module):
        def __init__(self):
            self.inner = MLP(2, [3, 1], batchnorm=True)
            self.nin = 2

    with pytest.raises(NotImplementedError, match=r"BatchNorm1d \(inner\.layers\.0\.norm\)"):
        CompiledModel(Wrapped(), mse_loss)


def test_compile_reads_the_input_width_from_nin():
    class Square(Module):
        nin = 1

        def __init__(self):
            self.a = Value(1.0)

        def forward(self, x):
            return self.a * x[0] * x[0]

    assert Square().compile(mse_loss).n_inputs == 1
    with pytest.raises(TypeError, match="nin"):
        CompiledModel(type("NoWidth", (Module,), {"forward": Square.forward})(), mse_loss)


# --- labels and neuron groups --------------------------------------------------------


def test_labels_are_set_at_construction_and_not_by_listing_parameters():
    model = MLP(2, [2, 1], seed=0)
    assert model.layers[1].neurons[0].w[1].label == "layers.1.neurons.0.w.1"
    model.layers[0].neurons[0].b.label = "my bias"
    inner = model.layers[0]
    names = [name for name, _ in inner.named_parameters()]  # names relative to the layer
    model.named_parameters(), model.parameters(), model.state_dict()
    assert names[:3] == ["neurons.0.w.0", "neurons.0.w.1", "neurons.0.b"]
    assert model.layers[0].neurons[0].b.label == "my bias"
    assert inner.neurons[1].w[0].label == "layers.0.neurons.1.w.0"  # not relabelled "neurons.1..."


def test_a_custom_module_is_labelled_by_one_explicit_call():
    class Scale(Module):
        def __init__(self):
            self.a = Value(2.0)

    model = Scale()
    assert model.a.label == ""
    model.parameters()
    assert model.a.label == ""
    assert model.label_parameters() is model and model.a.label == "a"


def test_neuron_groups_map_each_neuron_to_its_weights_then_bias():
    model = MLP(2, [3, 1], seed=0, batchnorm=True)
    groups = model.neuron_groups()
    assert list(groups) == [f"layers.0.neurons.{i}" for i in range(3)] + ["layers.1.neurons.0"]
    for name, params in groups.items():
        layer, neuron = name.split(".")[1], name.split(".")[3]
        n = model.layers[int(layer)].neurons[int(neuron)]
        assert params == [*n.w, n.b] and all(p is q for p, q in zip(params, [*n.w, n.b]))
    assert not any(p in groups["layers.0.neurons.0"] for p in model.layers[0].norm.weight)
    assert Neuron(2).neuron_groups().keys() == {""}
    assert BatchNorm1d(2).neuron_groups() == {}


# --- one validator ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "error", "message"),
    [
        (np.array([[1 + 2j, 0.0]]), TypeError, "X: .*complex128"),
        ([[1.0, math.nan]], ValueError, r"X: contains NaN or infinity \(at row, column \(0, 1\)\)"),
        ([[True, False]], TypeError, "X: .*dtype bool"),
        ([1.0, 2.0], ValueError, r"X: expected a 2-D array of shape \(n_samples, 2\)"),
        ([[1.0, 2.0, 3.0]], ValueError, r"X: expected a 2-D array of shape \(n_samples, 2\)"),
        ([[1.0], [2.0, 3.0]], TypeError, "X: expected a 2-D array of numbers"),
        ([["a", "b"]], TypeError, "X: .*dtype <U1"),
    ],
)
def test_arrays_are_refused_naming_the_argument(bad, error, message):
    with pytest.raises(error, match=message):
        as_float_array(bad, "X", ("n_samples", 2))


def test_complex_never_gets_cast_anywhere_in_nn():
    X = np.ones((2, 2))
    with pytest.raises(TypeError, match="y: .*complex"):
        DataLoader(X, np.array([1j, 0]))
    with pytest.raises(TypeError, match="X: .*complex"):
        as_xy(X.astype(complex), [0, 1])
    with pytest.raises(TypeError, match=r"x\[0\]: .*complex"):
        MLP(2, [1], seed=0)([1j, 0.0])
    compiled = MLP(2, [1], seed=0).compile(mse_loss)
    with pytest.raises(TypeError, match="X: .*complex"):
        compiled.predict(X.astype(complex))
    with pytest.raises(ValueError, match="lr"):
        SGD([Value(1.0)], lr=0.1j)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: as_count(0, "nin"), ValueError, "nin: expected an int >= 1, got 0"),
        (lambda: as_count(2.0, "nout"), TypeError, r"nout: expected an int, got float \(2.0\)"),
        (lambda: as_count(True, "nout"), TypeError, "nout: expected an int, got bool"),
        (lambda: as_real(math.nan, "eps", 0.0), ValueError, "eps: expected a finite number >= 0"),
        (lambda: as_real(1j, "eps", 0.0), ValueError, "eps: expected a finite number"),
        (lambda: as_real(1.0, "p", 0.0, 1.0, high_open=True), ValueError, r"p: .* in \[0, 1\)"),
        (lambda: as_bool(1, "affine"), TypeError, "affine: expected a bool"),
        (lambda: as_choice("gelu", "activation", ("relu",)), ValueError, "activation: expected"),
        (lambda: as_sample([1.0], 2, "x"), ValueError, "x: expected 2 inputs, got 1"),
        (lambda: as_sample([math.inf, 0.0], 2, "x"), ValueError, r"x\[0\]: expected a finite"),
        (lambda: BatchNorm1d(2, momentum=math.nan), ValueError, "momentum"),
        (lambda: Layer(2, 2, batchnorm=1), TypeError, "batchnorm: expected a bool"),
    ],
)
def test_settings_are_refused_naming_the_argument(call, error, message):
    with pytest.raises(error, match=message):
        call()
