"""Module, Neuron, Layer, MLP: micrograd's behaviour, PyTorch's numbers, saving and loading."""

import json
import random

import numpy as np
import pytest

from autograd import Value, gradcheck
from nn.compiled import CompiledModel
from nn.layers import MLP, Layer, Neuron, from_architecture
from nn.losses import mse_loss
from nn.module import Module

from twins import X3, TorchTwin, mean_squared

# --- micrograd compatibility ---------------------------------------------------


def test_same_numbers_as_micrograd_for_the_same_random_seed():
    micrograd_nn = pytest.importorskip("micrograd.nn")
    random.seed(1337)
    ours = MLP(3, [4, 4, 1])
    random.seed(1337)
    theirs = micrograd_nn.MLP(3, [4, 4, 1])
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    for x in X3:
        out, ref = ours(x), theirs(x)
        assert isinstance(out, Value)
        assert out.data == ref.data  # same graph, same rounding: bit-identical
        out.backward()
        ref.backward()
    # gradients sum the same paths, possibly in another order: equal up to rounding
    ours_grads = [p.grad for p in ours.parameters()]
    assert ours_grads == pytest.approx([p.grad for p in theirs.parameters()], rel=1e-12, abs=1e-12)


def test_a_hidden_layer_of_width_one_works():
    # micrograd's Layer returns a bare Value for one output, which the next layer cannot read.
    model = MLP(2, [1, 3, 1], seed=0)
    out = model([0.5, -1.5])
    assert isinstance(out, Value)
    out.backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    narrow, wide = Layer(2, 1, seed=0), Layer(1, 2, seed=1)
    single = narrow([1.0, 2.0])
    assert isinstance(single, Value)
    assert len(wide(single)) == 2  # a lone Value feeds a one-input layer


def test_nonlin_is_micrograds_spelling_of_the_activation():
    assert Neuron(3, nonlin=True).activation == "relu"
    assert Neuron(3, nonlin=False).activation is None
    assert Layer(3, 2, nonlin=False).activation is None


def test_output_is_a_value_for_one_output_and_a_list_otherwise():
    assert isinstance(MLP(2, [3, 1], seed=0)([1.0, 2.0]), Value)
    out = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(out, list) and len(out) == 2
    assert isinstance(Neuron(2, seed=0)([1.0, 2.0]), Value)


# --- the same numbers as PyTorch -----------------------------------------------


@pytest.mark.parametrize("activation", ["relu", "tanh", "sigmoid", "leaky_relu", None])
def test_forward_and_gradients_equal_pytorch(activation):
    model = MLP(3, [5, 4, 2], activation=activation, output_activation="tanh", seed=3)
    twin = TorchTwin(model)
    outs = model.forward_batch(X3)
    loss = mean_squared([o for row in outs for o in row], [0.5] * 8)
    loss.backward()
    ref = ((twin(X3) - 0.5) ** 2).mean()
    ref.backward()
    assert loss.data == pytest.approx(ref.item(), abs=1e-12)
    assert [p.grad for p in model.parameters()] == pytest.approx(twin.grads(), abs=1e-12)


def test_gradients_with_respect_to_the_inputs_pass_gradcheck():
    model = MLP(3, [4, 1], activation="tanh", seed=1)
    assert gradcheck(lambda *x: model(list(x)), [0.3, -0.7, 1.1])


# --- inputs --------------------------------------------------------------------


def test_every_input_form_gives_the_same_output():
    model = MLP(3, [4, 1], seed=2)
    expected = model([2.0, 3.0, -1.0]).data
    forms = [(2.0, 3.0, -1.0), np.array([2.0, 3.0, -1.0]), [Value(2.0), 3, np.float64(-1.0)]]
    for x in forms:
        assert model(x).data == expected
    assert [o.data for o in model.forward_batch(np.array(X3))] == [model(x).data for x in X3]


@pytest.mark.parametrize(
    ("x", "error", "message"),
    [
        ([1.0, 2.0], ValueError, "expected 3 inputs, got 2"),
        (np.ones((1, 3)), ValueError, "1-D array"),
        ("abc", TypeError, "got str"),
        ([1.0, "2", 3.0], TypeError, r"x\[1\]"),
        ([1.0, float("nan"), 3.0], ValueError, "finite"),
        ([1.0, True, 3.0], TypeError, "bool"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(x, error, message):
    with pytest.raises(error, match=message):
        MLP(3, [2, 1], seed=0)(x)


def test_bad_batches_are_refused():
    model = MLP(3, [2, 1], seed=0)
    with pytest.raises(ValueError, match="empty batch"):
        model.forward_batch([])
    with pytest.raises(ValueError, match="2-D array"):
        model.forward_batch(np.ones(3))
    with pytest.raises(TypeError, match="list of samples"):
        model.forward_batch(3.0)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: MLP(0, [2]), "nin"),
        (lambda: MLP(2, []), "nouts"),
        (lambda: MLP(2, [3, 0]), r"nouts\[1\]"),
        (lambda: MLP(2, [3], activation="softmax"), "activation"),
        (lambda: Layer(2, 2.5), "nout"),
        (lambda: Neuron(2, init="he"), "unknown initializer"),
    ],
)
def test_bad_constructor_arguments_are_refused(build, message):
    with pytest.raises((TypeError, ValueError), match=message):
        build()


# --- names, modes, custom modules ----------------------------------------------


def test_parameters_are_named_and_labelled_by_their_path():
    model = MLP(2, [3, 1], seed=0)
    named = model.named_parameters()
    assert len(named) == len(model.parameters()) == 3 * 3 + 4
    assert [n for n, _ in named[:3]] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
    ]
    assert named[-1][0] == "layers.1.neurons.0.b"
    assert all(value.label == name for name, value in named)
    out = model([1.0, 2.0])
    assert out.label == "layers.1.neurons.0"
    labels = {v.label for v in out._topological_order()}
    assert {"layers.0.neurons.2", "layers.1.neurons.0.b", "layers.1.neurons.0.w.2"} <= labels


def test_zero_grad_clears_every_parameter():
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0]).backward()
    assert any(p.grad for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_train_and_eval_switch_every_module():
    model = MLP(2, [3, 1], seed=0, batchnorm=True)
    assert model.eval() is model
    assert not any(m.training for _, m in model.named_modules())
    model.train()
    assert all(m.training for _, m in model.named_modules())
    with pytest.raises(TypeError, match="bool"):
        model.train("yes")


class Affine(Module):
    def __init__(self):
        self.scale = Value(2.0)
        self.shift = [Value(0.5)]
        self.inner = Neuron(1, activation=None, init="zeros")

    def forward(self, x):
        return self.inner(self.scale * x + self.shift[0])


def test_a_custom_module_finds_its_parameters_and_children():
    model = Affine()
    assert [n for n, _ in model.named_parameters()] == ["scale", "shift.0", "inner.w.0", "inner.b"]
    assert model(1.0).data == 0.0
    with pytest.raises(NotImplementedError, match="architecture"):
        model.architecture()
    with pytest.raises(NotImplementedError, match="forward"):
        Module()(1.0)


# --- saving and loading --------------------------------------------------------


def test_state_dict_round_trip_through_json_reproduces_the_model():
    model = MLP(3, [4, 4, 2], activation="tanh", seed=0)
    state = json.loads(json.dumps(model.state_dict()))
    assert state["layers.0.neurons.1.w"] == [w.data for w in model.layers[0].neurons[1].w]
    assert state["layers.2.neurons.0.b"] == [0.0]
    copy = MLP(3, [4, 4, 2], activation="tanh", seed=1)
    copy.load_state_dict(state)
    for x in X3:
        assert [o.data for o in copy(x)] == [o.data for o in model(x)]


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), "missing"),
        (lambda s: s.update(extra=[1.0]), "unexpected"),
        (lambda s: s.update({"layers.0.neurons.0.w": [1.0]}), "expected 3 numbers, got 1"),
        (lambda s: s.update({"layers.0.neurons.2.b": [float("nan")]}), "finite"),
        (lambda s: s.update({"layers.0.neurons.2.b": ["x"]}), "str"),
        (lambda s: s.update({"layers.0.neurons.2.b": 1.0}), "list of numbers"),
    ],
)
def test_a_mismatched_state_dict_is_refused_and_changes_nothing(edit, message):
    model = MLP(3, [4, 1], seed=0)
    before = model.state_dict()
    state = MLP(3, [4, 1], seed=1).state_dict()
    edit(state)
    with pytest.raises(ValueError, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


@pytest.mark.parametrize(
    "model",
    [
        MLP(3, [4, 4, 1]),
        MLP(2, [8, 3], activation="tanh", output_activation="sigmoid", init="xavier_uniform"),
        MLP(2, [5, 1], init={"name": "normal", "std": 0.1}, batchnorm=True),
        Layer(3, 2, activation="leaky_relu"),
        Neuron(4, activation="sigmoid", init="zeros"),
    ],
)
def test_architecture_round_trip_rebuilds_the_same_model(model):
    arch = json.loads(json.dumps(model.architecture()))
    rebuilt = from_architecture(arch)
    assert type(rebuilt) is type(model)
    assert rebuilt.architecture() == model.architecture()
    rebuilt.load_state_dict(model.state_dict())
    model.eval()
    rebuilt.eval()
    x = [0.1 * (i + 1) for i in range(arch["nin"])]
    assert repr(rebuilt(x)) == repr(model(x))


@pytest.mark.parametrize(
    ("arch", "message"),
    [
        ({"type": "Transformer"}, "unknown module type"),
        ([1, 2], "expected a dict"),
        ({"type": "MLP", "nin": 2}, "cannot build MLP"),
    ],
)
def test_a_bad_architecture_is_refused(arch, message):
    with pytest.raises(ValueError, match=message):
        from_architecture(arch)


# --- printing ------------------------------------------------------------------


def test_repr_is_a_tree_with_shapes():
    assert repr(MLP(3, [4, 4, 1])) == (
        "MLP(\n"
        "  (layers.0): Layer(in_features=3, out_features=4, activation='relu')\n"
        "  (layers.1): Layer(in_features=4, out_features=4, activation='relu')\n"
        "  (layers.2): Layer(in_features=4, out_features=1, activation=None)\n"
        ")"
    )
    assert repr(MLP(2, [3, 1], batchnorm=True)).splitlines()[1:5] == [
        "  (layers.0): Layer(",
        "    in_features=2, out_features=3, activation='relu'",
        "    (norm): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True)",
        "  )",
    ]
    assert repr(Neuron(2, activation="tanh")) == "Neuron(in_features=2, activation='tanh')"


def test_compile_hands_the_model_and_loss_to_the_compiled_path():
    model = MLP(3, [4, 1], seed=0)
    fast = model.compile(mse_loss)
    assert isinstance(fast, CompiledModel)
    assert fast.predict(np.array(X3))[:, 0] == pytest.approx([model(x).data for x in X3], rel=1e-12)
