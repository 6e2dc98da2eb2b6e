"""BatchNorm1d equals torch.nn.BatchNorm1d: outputs, gradients, running statistics."""

import json

import numpy as np
import pytest

from autograd import Value
from nn.batchnorm import BatchNorm1d
from nn.functional import total
from nn.layers import MLP, from_architecture

from twins import TorchTwin, mean_squared, torch_bn

rng = np.random.default_rng(0)
BATCHES = [rng.normal(loc=2.0, scale=3.0, size=(5, 3)) for _ in range(4)]
UPSTREAM = rng.normal(size=(5, 3))  # d loss / d output, to test every gradient


def _run(bn, batch):
    """Our output and input gradients for one batch, with UPSTREAM as d loss / d output."""
    X = [[Value(x) for x in row] for row in batch]
    Y = bn.forward_batch(X)
    total([y * g for row, grads in zip(Y, UPSTREAM) for y, g in zip(row, grads)]).backward()
    return np.array([[y.data for y in row] for row in Y]), np.array(
        [[x.grad for x in r] for r in X]
    )


def _run_torch(torch, ref, batch):
    x = torch.tensor(batch, requires_grad=True)
    y = ref(x)
    (y * torch.tensor(UPSTREAM)).sum().backward()
    return y.detach().numpy(), x.grad.numpy()


@pytest.mark.parametrize(
    "settings", [{}, {"momentum": 0.3, "eps": 1e-3}, {"momentum": None}, {"affine": False}]
)
def test_training_and_eval_equal_pytorch(settings):
    bn = BatchNorm1d(3, **settings)
    if bn.affine:  # start from a non-trivial scale and shift
        for i, v in enumerate(bn.weight + bn.bias):
            v.data = 0.5 + 0.25 * i
    torch, ref = torch_bn(bn)
    for batch in BATCHES:
        bn.zero_grad()
        ref.zero_grad()
        y, grad = _run(bn, batch)
        y_ref, grad_ref = _run_torch(torch, ref, batch)
        assert np.allclose(y, y_ref, rtol=1e-9, atol=1e-12)
        assert np.allclose(grad, grad_ref, rtol=1e-9, atol=1e-12)
        if bn.affine:
            ours = [v.grad for v in bn.weight + bn.bias]
            assert np.allclose(ours, torch.cat([ref.weight.grad, ref.bias.grad]).numpy(), rtol=1e-9)
        assert np.allclose(bn.running_mean, ref.running_mean.numpy(), rtol=1e-12, atol=1e-15)
        assert np.allclose(bn.running_var, ref.running_var.numpy(), rtol=1e-12, atol=1e-15)
        assert bn.num_batches_tracked == ref.num_batches_tracked.item()
    bn.eval()
    ref.eval()
    y, grad = _run(bn, BATCHES[0])
    y_ref, grad_ref = _run_torch(torch, ref, BATCHES[0])
    assert np.allclose(y, y_ref, rtol=1e-9, atol=1e-12)
    assert np.allclose(grad, grad_ref, rtol=1e-9, atol=1e-12)


def test_eval_normalises_a_single_sample_but_training_needs_a_batch():
    bn = BatchNorm1d(2)
    with pytest.raises(ValueError, match="at least 2 samples"):
        bn([1.0, 2.0])
    bn.eval()
    out = bn([1.0, 2.0])  # running mean 0, running var 1
    assert [o.data for o in out] == pytest.approx(
        [1 / np.sqrt(1 + 1e-5), 2 / np.sqrt(1 + 1e-5)], rel=1e-15
    )
    assert isinstance(BatchNorm1d(1).eval()(3.0), Value)


def test_mlp_with_batchnorm_equals_pytorch_linear_batchnorm_relu():
    model = MLP(3, [6, 4, 1], batchnorm=True, seed=4)
    twin = TorchTwin(model)
    batch = BATCHES[1]
    targets = [0.5, -1.0, 2.0, 0.0, 1.0]
    for _ in range(2):  # twice: the second pass sees updated running statistics
        model.zero_grad()
        loss = mean_squared(model.forward_batch(batch), targets)
        loss.backward()
        for t in twin.tensors():
            t.grad = None
        ref = ((twin(batch).squeeze(1) - twin.torch.tensor(targets)) ** 2).mean()
        ref.backward()
        assert loss.data == pytest.approx(ref.item(), rel=1e-12)
        assert [p.grad for p in model.parameters()] == pytest.approx(
            twin.grads(), rel=1e-9, abs=1e-12
        )
    norm, bn = model.layers[0].norm, twin.layers[0][2]
    assert np.allclose(norm.running_var, bn.running_var.detach().numpy(), rtol=1e-12)
    model.eval()
    for layer in twin.layers:
        if layer[2] is not None:
            layer[2].eval()
    assert [model(x).data for x in batch] == pytest.approx(
        twin(batch).squeeze(1).tolist(), rel=1e-12
    )


def test_running_statistics_are_saved_and_restored():
    model = MLP(3, [4, 1], batchnorm=True, seed=0)
    model.forward_batch(BATCHES[0])
    state = json.loads(json.dumps(model.state_dict()))
    assert state["layers.0.norm.num_batches_tracked"] == [1.0]
    assert state["layers.0.norm.running_mean"] == model.layers[0].norm.running_mean
    copy = from_architecture(model.architecture())
    copy.load_state_dict(state)
    assert copy.layers[0].norm.num_batches_tracked == 1
    model.eval()
    copy.eval()
    assert [copy(x).data for x in BATCHES[2]] == [model(x).data for x in BATCHES[2]]
    state["layers.0.norm.num_batches_tracked"] = [1.5]
    with pytest.raises(ValueError, match="count"):
        copy.load_state_dict(state)
    state["layers.0.norm.num_batches_tracked"] = [1.0]
    state["layers.0.norm.running_var"] = [1.0]
    with pytest.raises(ValueError, match="expected 4 numbers, got 1"):
        copy.load_state_dict(state)


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda: BatchNorm1d(0), ValueError, "num_features"),
        (lambda: BatchNorm1d(2, eps=0.0), ValueError, "eps"),
        (lambda: BatchNorm1d(2, momentum=1.5), ValueError, "momentum"),
        (lambda: BatchNorm1d(2, affine=1), TypeError, "affine"),
        (
            lambda: BatchNorm1d(2).forward_batch([[1.0, 2.0], [1.0]]),
            ValueError,
            "expected 2 inputs, got 1",
        ),
        (lambda: MLP(2, [3, 1], batchnorm="yes"), TypeError, "batchnorm"),
    ],
)
def test_bad_arguments_are_refused(build, error, message):
    with pytest.raises(error, match=message):
        build()
