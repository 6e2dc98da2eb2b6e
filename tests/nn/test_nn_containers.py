"""Linear, Sequential and the activation modules: PyTorch's names on tapegrad's parts."""

import os

import numpy as np
import pytest

import nn
from nn.containers import PYTORCH_INIT, LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh


def small_model():
    return Sequential(
        Linear(3, 4, seed=0), LeakyReLU(0.1), Linear(4, 4, bias=False, seed=1), Tanh(),
        Linear(4, 2, seed=2), Sigmoid(),
    )  # fmt: skip


def test_linear_is_a_layer_without_activation_laid_out_as_pytorch():
    layer = Linear(3, 2, seed=0)
    assert isinstance(layer, nn.Layer) and layer.activation is None
    assert (layer.in_features, layer.out_features) == (3, 2)
    assert [len(row) for row in layer.weight] == [3, 3] and len(layer.bias) == 2
    assert all(abs(w.data) <= 1 / 3**0.5 for row in layer.weight for w in row)  # PyTorch's init
    assert layer.init == PYTORCH_INIT
    x = [1.0, -2.0, 0.5]
    expected = [sum(w.data * xi for w, xi in zip(row, x)) for row in layer.weight]
    assert [y.data for y in layer(x)] == pytest.approx(expected, abs=1e-15)
    assert repr(layer) == "Linear(in_features=3, out_features=2, bias=True)"


def test_linear_without_bias_has_no_bias_parameter():
    layer = Linear(2, 3, bias=False, seed=0)
    assert layer.bias is None and len(layer.parameters()) == 6
    assert list(layer.state_dict()) == ["neurons.0.w", "neurons.1.w", "neurons.2.w"]
    assert [y.data for y in layer([0.0, 0.0])] == [0.0, 0.0, 0.0]


def test_activation_modules_apply_the_functions():
    x = [nn.functional.as_value(v) for v in (-2.0, 0.0, 3.0)]
    assert [v.data for v in ReLU()(x)] == [0.0, 0.0, 3.0]
    assert [v.data for v in LeakyReLU()(x)] == [-0.02, 0.0, 3.0]
    assert [v.data for v in Tanh()(x)] == [v.data for v in nn.functional.tanh(x)]
    assert Sigmoid()(x[1]).data == 0.5
    assert ReLU().parameters() == [] and repr(LeakyReLU(0.2)) == "LeakyReLU(negative_slope=0.2)"


def test_sequential_names_children_by_position():
    model = small_model()
    assert len(model) == 6 and isinstance(model[2], Linear)
    assert [name for name, _ in model.named_children()] == [str(i) for i in range(6)]
    assert model.named_parameters()[0][0] == "0.neurons.0.w.0"
    assert len(model.parameters()) == 3 * 4 + 4 + 4 * 4 + 4 * 2 + 2
    assert model.nin == 3 and [type(m).__name__ for m in model][1] == "LeakyReLU"
    y = model([0.1, 0.2, 0.3])
    assert len(y) == 2 and all(0 < v.data < 1 for v in y)
    assert [v.data for v in model.forward_batch([[0.1, 0.2, 0.3]])[0]] == [v.data for v in y]


def test_sequential_equals_the_same_mlp():
    mlp = nn.MLP(2, [3, 1], activation="tanh", seed=4)
    seq = Sequential(Linear(2, 3, init="zeros"), Tanh(), Linear(3, 1, init="zeros"))
    seq[0].load_state_dict(mlp.layers[0].state_dict())  # the same names: neurons.0.w, ...
    seq[2].load_state_dict(mlp.layers[1].state_dict())
    for x in ([0.5, -1.0], [2.0, 3.0]):
        assert seq(x).data == mlp(x).data  # the same graph, the same rounding


@pytest.mark.parametrize(
    "loss_fn", [nn.mse_loss, nn.MSELoss(), nn.L1Loss(reduction="sum"), nn.BCEWithLogitsLoss()]
)
def test_sequential_compiles_to_the_same_numbers(loss_fn):
    model = Sequential(Linear(2, 4, seed=0), ReLU(), Linear(4, 1, seed=1))
    X = np.random.default_rng(0).normal(size=(7, 2))
    y = (np.random.default_rng(1).random(7) > 0.5).astype(float)
    scalar = sum(loss_fn(model(x), t) for x, t in zip(X, y)) / len(X)
    model.zero_grad()
    scalar.backward()
    expected = [p.grad for p in model.parameters()]
    model.zero_grad()
    compiled = model.compile(loss_fn)
    assert abs(compiled.loss_and_grad(X, y) - scalar.data) <= 1e-12
    np.testing.assert_allclose([p.grad for p in model.parameters()], expected, atol=1e-12)
    outputs = np.array([[model(x).data] for x in X])
    np.testing.assert_allclose(compiled.predict(X), outputs, rtol=0, atol=1e-12)


def test_sequential_compiles_with_a_cross_entropy_module():
    model = small_model()
    X = np.random.default_rng(2).normal(size=(5, 3))
    y = np.array([0, 1, 1, 0, 1])
    loss_fn = nn.CrossEntropyLoss()
    scalar = sum(loss_fn(model(x), int(t)) for x, t in zip(X, y)) / len(X)
    compiled = model.compile(loss_fn)
    assert compiled.classification
    assert abs(compiled.loss_and_grad(X, y) - scalar.data) <= 1e-12
    assert "loss_fn=CrossEntropyLoss" in repr(compiled)


def test_save_and_load_round_trip(tmp_path):
    model = small_model()
    path = os.path.join(tmp_path, "seq.json")
    nn.save(model, path)
    loaded = nn.load(path).model
    assert repr(loaded) == repr(model) and loaded.architecture() == model.architecture()
    assert loaded.state_dict() == model.state_dict()
    x = [0.3, -0.7, 1.1]
    assert [v.data for v in loaded(x)] == [v.data for v in model(x)]
    for single in (Linear(2, 2, bias=False, seed=0), LeakyReLU(0.3), nn.MSELoss(reduction="sum")):
        nn.save(single, path)
        assert nn.load(path).model.architecture() == single.architecture()


def test_from_architecture_builds_nested_sequentials():
    arch = Sequential(Sequential(Linear(2, 2), ReLU()), Linear(2, 1)).architecture()
    rebuilt = nn.from_architecture(arch)
    assert rebuilt.architecture() == arch and isinstance(rebuilt[0], Sequential)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="at least one module"):
        Sequential()
    with pytest.raises(TypeError, match="argument 1 is a int, not a Module"):
        Sequential(ReLU(), 3)
    with pytest.raises(TypeError, match="not both"):
        Sequential(ReLU(), modules=[{"type": "ReLU"}])
    with pytest.raises(TypeError, match="bias: expected a bool"):
        Linear(2, 2, bias="yes")
    with pytest.raises(ValueError, match="in_features|nin"):
        Linear(0, 2)
    with pytest.raises(TypeError, match="negative_slope"):
        LeakyReLU("0.1")
    with pytest.raises(ValueError, match="expected 3 inputs, got 2"):
        small_model()([1.0, 2.0])
    with pytest.raises(TypeError, match="no module in it fixes the number of inputs"):
        Sequential(ReLU()).compile(nn.mse_loss)
