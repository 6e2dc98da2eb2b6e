"""nn.to_torch / nn.from_torch: the same weights and outputs (1e-12), the same training (1e-10)."""

import itertools
import random
import sys

import numpy as np
import pytest

import nn
from nn.containers import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh

torch = pytest.importorskip("torch")
F64 = torch.float64
ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", None]


def random_sequential(rng):
    """A random Sequential of Linear layers (with or without bias) and activation modules."""
    widths = [rng.randint(1, 5) for _ in range(rng.randint(2, 4))]
    parts = []
    for nin, nout in itertools.pairwise(widths):
        parts.append(Linear(nin, nout, bias=rng.random() < 0.7, seed=rng.randrange(10**6)))
        choice = rng.choice([ReLU, Tanh, Sigmoid, LeakyReLU, None])
        if choice is LeakyReLU:
            parts.append(LeakyReLU(rng.uniform(0.0, 0.5)))
        elif choice is not None:
            parts.append(choice())
    return Sequential(*parts), widths[0]


def outputs(model, X):
    return np.array([np.atleast_1d([v.data for v in np.atleast_1d(model(x))]) for x in X])


def test_to_torch_of_random_models_has_the_same_outputs_and_gradients():
    rng = random.Random(0)
    for _ in range(30):
        model, nin = random_sequential(rng)
        X = np.random.default_rng(rng.randrange(100)).normal(size=(4, nin)) * 2
        twin = nn.to_torch(model)
        assert all(p.dtype == F64 for p in twin.parameters())
        theirs = twin(torch.tensor(X))
        np.testing.assert_allclose(outputs(model, X), theirs.detach().numpy(), rtol=0, atol=1e-12)
        assert repr(twin) == repr(model)  # PyTorch's layout and names, both sides

        total = sum(sum(np.atleast_1d(model(x))) for x in X)
        model.zero_grad()
        total.backward()
        theirs.sum().backward()
        ours_grads = [p.grad for p in model.parameters()]
        torch_grads = [g for p in twin.parameters() for g in p.grad.reshape(-1).tolist()]
        assert len(ours_grads) == len(torch_grads)
        np.testing.assert_allclose(sorted(ours_grads), sorted(torch_grads), rtol=0, atol=1e-12)


@pytest.mark.parametrize("activation", ACTIVATIONS)
def test_to_torch_of_an_mlp_is_a_sequential_of_linear_and_activations(activation):
    model = nn.MLP(3, [4, 4, 2], activation=activation, output_activation="sigmoid", seed=3)
    twin = nn.to_torch(model)
    names = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "leaky_relu": "LeakyReLU"}
    hidden = [names[activation]] if activation else []
    expected = ["Linear", *hidden, "Linear", *hidden, "Linear", "Sigmoid"]
    assert [type(m).__name__ for m in twin] == expected
    X = np.random.default_rng(1).normal(size=(5, 3))
    np.testing.assert_allclose(
        outputs(model, X), twin(torch.tensor(X)).detach().numpy(), rtol=0, atol=1e-12
    )


def test_micrograds_mlp_maps_to_linear_relu_linear_relu_linear():
    twin = nn.to_torch(nn.MLP(3, [4, 4, 1], seed=0))
    assert [type(m).__name__ for m in twin] == ["Linear", "ReLU", "Linear", "ReLU", "Linear"]
    assert [(m.in_features, m.out_features) for m in twin[::2]] == [(3, 4), (4, 4), (4, 1)]


def test_to_torch_of_a_layer_a_neuron_and_a_linear_without_bias():
    X = np.random.default_rng(2).normal(size=(3, 2))
    for model in [
        nn.Layer(2, 3, activation="tanh", seed=0),
        nn.Neuron(2, activation="leaky_relu", seed=1),
        Linear(2, 2, bias=False, seed=2),
    ]:
        twin = nn.to_torch(model)
        np.testing.assert_allclose(
            outputs(model, X), twin(torch.tensor(X)).detach().numpy(), rtol=0, atol=1e-12
        )
    assert twin[0].bias is None


def test_to_torch_copies_the_numbers():
    model = Linear(2, 1, seed=0)
    twin = nn.to_torch(model)
    with torch.no_grad():
        twin[0].weight.add_(1.0)
    assert twin[0].weight[0, 0].item() == model.weight[0][0].data + 1.0
    assert nn.to_torch(model.eval()).training is False


def test_from_torch_has_the_same_numbers_and_round_trips():
    torch.manual_seed(0)
    module = torch.nn.Sequential(
        torch.nn.Linear(3, 5),
        torch.nn.Tanh(),
        torch.nn.Sequential(torch.nn.Linear(5, 4, bias=False), torch.nn.LeakyReLU(0.2)),
        torch.nn.Linear(4, 2),
        torch.nn.Sigmoid(),
    )  # float32 numbers: each is exact in float64
    model = nn.from_torch(module)
    assert isinstance(model, Sequential) and len(model) == 6  # the inner Sequential is flattened
    X = np.random.default_rng(3).normal(size=(6, 3))
    expected = module.double()(torch.tensor(X)).detach().numpy()
    np.testing.assert_allclose(outputs(model, X), expected, rtol=0, atol=1e-12)
    again = nn.to_torch(model)
    for ours, theirs in zip(again.parameters(), module.parameters()):
        assert torch.equal(ours, theirs)
    single = nn.from_torch(torch.nn.Linear(2, 3))
    assert isinstance(single, Linear) and single.out_features == 3


def _train_both(model, twin, ours_opt, theirs_opt, X, Y, steps=6):
    Xt, Yt = torch.tensor(X), torch.tensor(Y)
    for step in range(steps):
        ours_opt.zero_grad()
        loss = nn.mse_loss(model.forward_batch(X), Y.tolist())
        loss.backward()
        ours_opt.step()
        theirs_opt.zero_grad()
        theirs = torch.nn.functional.mse_loss(twin(Xt).reshape(Yt.shape), Yt)
        theirs.backward()
        theirs_opt.step()
        assert abs(loss.data - theirs.item()) <= 1e-10, f"step {step + 1}"
        ours = sorted(p.data for p in model.parameters())
        expected = sorted(x for p in twin.parameters() for x in p.detach().reshape(-1).tolist())
        np.testing.assert_allclose(ours, expected, rtol=0, atol=1e-10)


@pytest.mark.parametrize(
    ("ours", "theirs", "kwargs"),
    [
        (nn.SGD, torch.optim.SGD, {"lr": 0.1, "momentum": 0.9}),
        (nn.Adam, torch.optim.Adam, {"lr": 0.05}),
        (nn.AdamW, torch.optim.AdamW, {"lr": 0.05, "weight_decay": 0.1}),
    ],
)
def test_an_exported_model_trains_the_same_in_both(ours, theirs, kwargs):
    model = nn.MLP(2, [6, 3], activation="tanh", seed=5)
    twin = nn.to_torch(model)
    X = np.random.default_rng(4).normal(size=(8, 2))
    Y = np.random.default_rng(5).normal(size=(8, 3))
    _train_both(
        model, twin, ours(model.parameters(), **kwargs), theirs(twin.parameters(), **kwargs), X, Y
    )


def test_an_imported_model_trains_the_same_in_both():
    torch.manual_seed(1)
    module = torch.nn.Sequential(
        torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1)
    ).double()
    model = nn.from_torch(module)
    X = np.random.default_rng(6).normal(size=(10, 3))
    Y = np.random.default_rng(7).normal(size=(10, 1))
    _train_both(
        model,
        module,
        nn.AdamW(model.parameters(), lr=0.02),
        torch.optim.AdamW(module.parameters(), lr=0.02),
        X,
        Y,
    )


def _running(bn):
    return bn.running_mean + bn.running_var + [float(bn.num_batches_tracked)]


def test_batchnorm_goes_across_with_its_statistics_and_trains_the_same():
    model = nn.MLP(2, [5, 3], activation="tanh", batchnorm=True, seed=2)
    twin = nn.to_torch(model)
    assert [type(m).__name__ for m in twin] == ["Linear", "BatchNorm1d", "Tanh", "Linear"]
    X = np.random.default_rng(8).normal(size=(8, 2))
    Y = np.random.default_rng(9).normal(size=(8, 3))
    opts = nn.SGD(model.parameters(), lr=0.1), torch.optim.SGD(twin.parameters(), lr=0.1)
    _train_both(model, twin, *opts, X, Y)
    bn, torch_bn = model.layers[0].norm, twin[1]
    expected = torch.cat([torch_bn.running_mean, torch_bn.running_var]).tolist()
    np.testing.assert_allclose(_running(bn)[:-1], expected, rtol=0, atol=1e-12)
    assert bn.num_batches_tracked == torch_bn.num_batches_tracked.item() == 6
    model.eval()
    twin = nn.to_torch(model)  # eval mode, and the running statistics it has now
    assert not twin[1].training
    np.testing.assert_allclose(
        outputs(model, X), twin(torch.tensor(X)).detach().numpy(), rtol=0, atol=1e-12
    )
    back = nn.from_torch(twin)
    assert isinstance(back[1], nn.BatchNorm1d) and not back.training
    assert _running(back[1]) == _running(bn)
    assert [v.data for v in back[1].weight] == [v.data for v in bn.weight]


def test_unsupported_layers_are_named():
    with pytest.raises(ValueError, match=r"unsupported layer BatchNorm1d at '2'"):
        nn.from_torch(
            torch.nn.Sequential(
                torch.nn.Linear(2, 2),
                torch.nn.ReLU(),
                torch.nn.BatchNorm1d(2, track_running_stats=False),
            )
        )
    with pytest.raises(ValueError, match=r"unsupported layer Neuronish at 'layers.0'"):

        class Neuronish(nn.Module):
            def forward(self, x):
                return x

        model = nn.MLP(2, [1], seed=0)
        model.layers = [Neuronish()]
        nn.to_torch(model)
    with pytest.raises(ValueError, match=r"unsupported layer Conv1d at '1.0'"):
        nn.from_torch(
            torch.nn.Sequential(torch.nn.ReLU(), torch.nn.Sequential(torch.nn.Conv1d(1, 1, 1)))
        )
    with pytest.raises(ValueError, match="unsupported layer GELU"):
        nn.from_torch(torch.nn.GELU())
    with pytest.raises(TypeError, match="expected a torch.nn.Module, got list"):
        nn.from_torch([torch.nn.ReLU()])


def test_without_torch_the_error_names_the_extra(monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch now fails
    with pytest.raises(ImportError, match=r"pip install 'tapegrad\[torch\]'"):
        nn.to_torch(Linear(2, 1))
    with pytest.raises(ImportError, match=r"tapegrad\[torch\]"):
        nn.from_torch(object())
