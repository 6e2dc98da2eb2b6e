"""nn.functional: activations and softmax equal PyTorch's, stably, with gradients."""

import math

import numpy as np
import pytest

from autograd import Value, gradcheck
from nn import functional as F

XS = [-3.0, -0.5, 0.0, 0.25, 2.0, 7.5]


def _torch_pair(numbers):
    torch = pytest.importorskip("torch")
    return torch, torch.tensor(numbers, dtype=torch.float64, requires_grad=True)


@pytest.mark.parametrize("name", ["relu", "sigmoid", "tanh", "leaky_relu"])
def test_elementwise_activations_equal_pytorch(name):
    torch, t = _torch_pair(XS)
    xs = [Value(x) for x in XS]
    ys = getattr(F, name)(xs)
    weights = [1.0, -2.0, 0.5, 3.0, -1.0, 0.25]  # a weighted sum exercises every gradient
    total = F.total([y * w for y, w in zip(ys, weights)])
    total.backward()
    ref = getattr(torch.nn.functional, name)(t)
    (ref * torch.tensor(weights, dtype=torch.float64)).sum().backward()
    assert [y.data for y in ys] == pytest.approx(ref.tolist(), abs=1e-15)
    assert [x.grad for x in xs] == pytest.approx(t.grad.tolist(), abs=1e-15)


def test_activations_take_a_single_value_or_number():
    assert F.relu(Value(-1.0)).data == 0.0
    assert F.sigmoid(0.0).data == 0.5
    assert F.leaky_relu(-1.0, negative_slope=0.2).data == pytest.approx(-0.2, rel=1e-15)
    assert F.sigmoid(Value(-1000.0)).data == 0.0  # no overflow
    assert [v.data for v in F.tanh(np.array([0.0, 1.0]))] == [0.0, math.tanh(1.0)]


@pytest.mark.parametrize(
    "logits", [[1.0, 2.0, 3.0], [1e3, -1e3, 0.0], [-1e3, -1e3 + 1.0, -1e3 + 2.0], [5.0]]
)
@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_and_log_softmax_equal_pytorch_even_for_huge_logits(name, logits):
    torch, t = _torch_pair(logits)
    xs = [Value(x) for x in logits]
    ys = getattr(F, name)(xs)
    weights = [0.5 * (i + 1) for i in range(len(logits))]
    F.total([y * w for y, w in zip(ys, weights)]).backward()
    ref = getattr(torch.nn.functional, name)(t, dim=0)
    (ref * torch.tensor(weights, dtype=torch.float64)).sum().backward()
    assert all(math.isfinite(y.data) for y in ys)
    assert [y.data for y in ys] == pytest.approx(ref.tolist(), rel=1e-12, abs=1e-15)
    assert [x.grad for x in xs] == pytest.approx(t.grad.tolist(), rel=1e-9, abs=1e-12)


def test_softmax_sums_to_one_and_logsumexp_is_stable():
    probabilities = F.softmax([Value(0.3), Value(-1.2), Value(2.0)])
    assert sum(p.data for p in probabilities) == pytest.approx(1.0, abs=1e-15)
    assert F.logsumexp([Value(1000.0), Value(1000.0)]).data == pytest.approx(
        1000 + math.log(2), rel=1e-15
    )
    assert F.logsumexp([Value(-1000.0)]).data == -1000.0


def test_softmax_passes_gradcheck():
    assert gradcheck(
        lambda a, b, c: F.softmax([a, b, c])[1] * 3 + F.log_softmax([a, b, c])[0], [0.2, -0.4, 1.3]
    )


def test_total_and_mean_build_plain_additions():
    xs = [Value(1.0), Value(2.0), Value(4.0)]
    s = F.total(xs)
    assert s.data == 7.0 and s._row.name == "add"
    assert s._prev[0]._prev == (xs[0], xs[1])  # ((x0 + x1) + x2): no extra 0 node
    assert F.mean(xs).data == pytest.approx(7 / 3, rel=1e-15)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: F.softmax([]), ValueError, "empty"),
        (lambda: F.softmax(3.0), TypeError, "list of Values"),
        (lambda: F.relu("a"), TypeError, "list of Values"),
        (lambda: F.log_softmax([Value(1.0), "b"]), TypeError, r"logits\[1\]"),
        (lambda: F.softmax(np.ones((2, 2))), ValueError, "1-D"),
        (lambda: F.tanh([float("inf")]), ValueError, "finite"),
    ],
)
def test_bad_input_is_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()
