"""Losses: values and gradients equal torch.nn.functional's, stable for large logits."""

import math

import numpy as np
import pytest

from autograd import Value, gradcheck
from nn import losses
from nn.functional import total

P = [0.9, 0.2, 0.55, 0.01, 0.7, 0.35]  # probabilities
X = [1.5, -0.3, 2.2, -4.0, 0.0, 0.8]  # predictions, scores, logits
T01 = [1.0, 0.0, 1.0, 0.0, 0.3, 1.0]  # targets in [0, 1] (one soft label)
TPM = [1.0, -1.0, 1.0, -1.0, 1.0, -1.0]  # targets ±1


def _torch():
    return pytest.importorskip("torch")


def _hinge_torch(x, t, reduction):
    loss = (1.0 - t * x).clamp(min=0.0)
    return {"mean": loss.mean, "sum": loss.sum, "none": lambda: loss}[reduction]()


ELEMENTWISE = [
    ("mse_loss", X, T01),
    ("l1_loss", X, [1.5, 0.0, 1.0, -3.0, 0.3, 1.0]),  # one exact zero difference
    ("binary_cross_entropy", P, T01),
    ("binary_cross_entropy_with_logits", X, T01),
    ("hinge_loss", X, TPM),
    ("binary_cross_entropy_with_logits", [1e3, -1e3, 500.0, -500.0, 30.0, -30.0], T01),
]


def _compare(ours, ref_fn, inputs, weights):
    """Run our loss and torch's on the same numbers; compare values and input gradients."""
    torch = _torch()
    xs = [Value(x) for x in inputs]
    out = ours(xs)
    t = torch.tensor(inputs, dtype=torch.float64, requires_grad=True)
    ref = ref_fn(t)
    if isinstance(out, list):  # reduction="none": compare a weighted sum's gradients
        assert [o.data for o in out] == pytest.approx(ref.tolist(), rel=1e-12, abs=1e-12)
        total([o * w for o, w in zip(out, weights)]).backward()
        (ref * torch.tensor(weights, dtype=torch.float64)).sum().backward()
    else:
        assert out.data == pytest.approx(ref.item(), rel=1e-12, abs=1e-12)
        out.backward()
        ref.backward()
    assert [x.grad for x in xs] == pytest.approx(t.grad.tolist(), rel=1e-9, abs=1e-12)


@pytest.mark.parametrize(("name", "inputs", "targets"), ELEMENTWISE)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_elementwise_losses_equal_pytorch(name, inputs, targets, reduction):
    torch = _torch()
    target = torch.tensor(targets, dtype=torch.float64)
    if name == "hinge_loss":
        ref_fn = lambda t: _hinge_torch(t, target, reduction)  # noqa: E731
    else:
        ref_fn = lambda t: getattr(torch.nn.functional, name)(t, target, reduction=reduction)  # noqa: E731
    ours = lambda xs: getattr(losses, name)(xs, targets, reduction=reduction)  # noqa: E731
    _compare(ours, ref_fn, inputs, weights=[0.5, -1.0, 2.0, 1.0, 0.25, -0.75])


def test_elementwise_losses_accept_a_batch_of_vectors_and_numpy_targets():
    batch = [[Value(1.0), Value(2.0)], [Value(-1.0), Value(0.0)]]
    target = np.array([[0.0, 2.0], [1.0, 1.0]])
    assert losses.mse_loss(batch, target).data == pytest.approx((1 + 0 + 4 + 1) / 4, rel=1e-15)
    assert losses.l1_loss(batch, target, reduction="sum").data == 4.0


def test_a_loss_works_per_sample_with_a_numpy_scalar_target():
    # fit() and Module.compile call loss_fn(model(x), y[i]).
    assert losses.mse_loss(Value(3.0), np.float64(1.0)).data == 4.0
    assert losses.binary_cross_entropy_with_logits(Value(0.0), np.int64(1)).data == pytest.approx(
        math.log(2), rel=1e-15
    )
    assert losses.cross_entropy([Value(0.0), Value(0.0)], np.int64(1)).data == pytest.approx(
        math.log(2), rel=1e-15
    )


def test_targets_may_be_values_and_receive_gradients():
    x, t = Value(3.0), Value(1.0)
    losses.mse_loss(x, t).backward()
    assert (x.grad, t.grad) == (4.0, -4.0)


def test_binary_cross_entropy_clamps_its_logs_at_minus_100_like_pytorch():
    torch = _torch()
    p, t = [0.0, 1.0, 0.0, 1.0, 1e-50], [1.0, 0.0, 0.0, 1.0, 1.0]
    out = losses.binary_cross_entropy([Value(x) for x in p], t, reduction="none")
    ref = torch.nn.functional.binary_cross_entropy(
        torch.tensor(p, dtype=torch.float64), torch.tensor(t, dtype=torch.float64), reduction="none"
    )
    assert [o.data for o in out] == ref.tolist() == [100.0, 100.0, 0.0, 0.0, 100.0]


@pytest.mark.parametrize(
    ("logits", "target"),
    [
        ([2.0, -1.0, 0.5], 0),
        ([2.0, -1.0, 0.5], 2),
        ([2.0, -1.0, 0.5], [0.2, 0.5, 0.3]),
        ([1e3, -1e3, 0.0], 1),
        ([1e3, -1e3, 0.0], [0.0, 1.0, 0.0]),
        ([-1e3, -1e3 + 1.0, -1e3 + 0.5], 0),
        ([7.0], 0),
    ],
)
def test_cross_entropy_of_one_sample_equals_pytorch(logits, target):
    torch = _torch()
    ref_target = torch.tensor(
        target, dtype=torch.float64 if isinstance(target, list) else torch.long
    )
    _compare(
        lambda xs: losses.cross_entropy(xs, target),
        lambda t: torch.nn.functional.cross_entropy(t, ref_target),
        logits,
        weights=None,
    )


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("soft", [False, True])
def test_cross_entropy_of_a_batch_equals_pytorch(reduction, soft):
    torch = _torch()
    logits = [[2.0, -1.0, 0.5], [1e3, -1e3, 0.0], [0.1, 0.2, 0.3], [-5.0, 5.0, 0.0]]
    target = (
        np.array([0, 2, 1, 1])
        if not soft
        else np.array([[1, 0, 0], [0.2, 0.3, 0.5], [0, 1, 0], [0.5, 0.5, 0]])
    )
    rows = [[Value(z) for z in row] for row in logits]
    out = losses.cross_entropy(rows, target, reduction=reduction)
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    ref = torch.nn.functional.cross_entropy(t, torch.tensor(target), reduction=reduction)
    if reduction == "none":
        assert [o.data for o in out] == pytest.approx(ref.tolist(), rel=1e-12, abs=1e-12)
        out, ref = total(out), ref.sum()
    assert out.data == pytest.approx(ref.item(), rel=1e-12)
    out.backward()
    ref.backward()
    grads = [[z.grad for z in row] for row in rows]
    assert np.allclose(grads, t.grad.numpy(), rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("index", [1, np.int64(1), np.float64(1.0), 1.0])
def test_cross_entropy_accepts_every_integer_like_class_index(index):
    logits = [Value(0.5), Value(-0.5), Value(2.0)]
    assert losses.cross_entropy(logits, index).data == losses.cross_entropy(logits, 1).data


def test_losses_pass_gradcheck():
    assert gradcheck(lambda a, b, c: losses.cross_entropy([a, b, c], 2), [0.3, -1.0, 0.8])
    assert gradcheck(lambda a, b: losses.binary_cross_entropy([a, b], [1.0, 0.25]), [0.3, 0.6])
    assert gradcheck(
        lambda a, b: losses.binary_cross_entropy_with_logits([a, b], [1.0, 0.0]), [0.3, -2.0]
    )


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: losses.cross_entropy([Value(1.0), Value(2.0)], Value(1.0)),
            TypeError,
            "class index must be a constant",
        ),
        (lambda: losses.cross_entropy([Value(1.0), Value(2.0)], 2), ValueError, "out of range"),
        (lambda: losses.cross_entropy([Value(1.0), Value(2.0)], -1), ValueError, "out of range"),
        (
            lambda: losses.cross_entropy([Value(1.0), Value(2.0)], 0.5),
            ValueError,
            "integer class index",
        ),
        (lambda: losses.cross_entropy([Value(1.0), Value(2.0)], True), TypeError, "class index"),
        (
            lambda: losses.cross_entropy([Value(1.0), Value(2.0)], [0.5, 0.2, 0.3]),
            ValueError,
            "3 class probabilities",
        ),
        (
            lambda: losses.cross_entropy([[Value(1.0)], [Value(2.0)]], [0]),
            ValueError,
            "needs 2 targets, got 1",
        ),
        (lambda: losses.cross_entropy(Value(1.0), 0), TypeError, "list of C logits"),
        (
            lambda: losses.mse_loss([Value(1.0), Value(2.0)], [1.0]),
            ValueError,
            "2 elements but target has 1",
        ),
        (lambda: losses.mse_loss(Value(1.0), 1.0, reduction="avg"), ValueError, "reduction"),
        (lambda: losses.mse_loss(Value(1.0), "1"), TypeError, "target"),
        (lambda: losses.mse_loss([], []), ValueError, "empty"),
        (lambda: losses.l1_loss(Value(1.0), float("nan")), ValueError, "finite"),
        (
            lambda: losses.binary_cross_entropy(Value(1.5), 1.0),
            ValueError,
            r"probability in \[0, 1\]",
        ),
        (lambda: losses.hinge_loss(Value(1.5), 0.0), ValueError, "-1 or \\+1"),
    ],
)
def test_bad_arguments_are_refused_with_a_clear_message(call, error, message):
    with pytest.raises(error, match=message):
        call()
