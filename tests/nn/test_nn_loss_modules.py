"""The loss classes equal torch.nn's, for every reduction and constructor argument they take."""

import math
import warnings

import numpy as np
import pytest

import nn
from autograd import Value

torch = pytest.importorskip("torch")
F64 = torch.float64
REDUCTIONS = ["mean", "sum", "none"]


def _values(numbers):
    return [Value(float(x)) for x in numbers]


def _check(ours_loss, theirs_loss, inputs, theirs_input):
    """Same loss and same gradient with respect to the input, to 1e-12."""
    ours = ours_loss if isinstance(ours_loss, list) else [ours_loss]
    theirs = theirs_loss.reshape(-1)
    np.testing.assert_allclose([v.data for v in ours], theirs.tolist(), rtol=0, atol=1e-12)
    sum(ours).backward()
    theirs.sum().backward()
    np.testing.assert_allclose(
        [v.grad for v in inputs], theirs_input.grad.reshape(-1).tolist(), rtol=0, atol=1e-12
    )


def _pair(numbers):
    ours = _values(numbers)
    theirs = torch.tensor(numbers, dtype=F64, requires_grad=True)
    return ours, theirs


RNG = np.random.default_rng(0)
X = RNG.normal(size=5) * 2
T = RNG.normal(size=5)
P = RNG.random(5) * 0.98 + 0.01
B = (RNG.random(5) > 0.5).astype(float)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("ours_cls", "theirs_cls", "x", "t"),
    [
        (nn.MSELoss, torch.nn.MSELoss, X, T),
        (nn.L1Loss, torch.nn.L1Loss, X, T),
        (nn.BCELoss, torch.nn.BCELoss, P, B),
        (nn.BCEWithLogitsLoss, torch.nn.BCEWithLogitsLoss, X, B),
    ],
)
def test_elementwise_losses_equal_torch(ours_cls, theirs_cls, x, t, reduction):
    ours_in, theirs_in = _pair(x.tolist())
    ours = ours_cls(reduction=reduction)(ours_in, t.tolist())
    theirs = theirs_cls(reduction=reduction)(theirs_in, torch.tensor(t))
    _check(ours, theirs, ours_in, theirs_in)


@pytest.mark.parametrize(
    ("size_average", "reduce"), [(None, False), (False, None), (True, True), (False, True)]
)
def test_the_old_size_average_and_reduce_map_as_in_torch(size_average, reduce):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch warns that they are deprecated
        theirs_loss = torch.nn.MSELoss(size_average, reduce)
    ours_loss = nn.MSELoss(size_average, reduce)
    assert ours_loss.reduction == theirs_loss.reduction
    ours_in, theirs_in = _pair(X.tolist())
    _check(
        ours_loss(ours_in, T.tolist()), theirs_loss(theirs_in, torch.tensor(T)), ours_in, theirs_in
    )


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("cls", ["BCELoss", "BCEWithLogitsLoss"])
def test_weight_rescales_each_element_as_in_torch(cls, reduction):
    weight = (RNG.random(5) + 0.5).tolist()
    x = P if cls == "BCELoss" else X
    ours_in, theirs_in = _pair(x.tolist())
    ours = getattr(nn, cls)(weight=weight, reduction=reduction)(ours_in, B.tolist())
    theirs_fn = getattr(torch.nn, cls)(weight=torch.tensor(weight, dtype=F64), reduction=reduction)
    _check(ours, theirs_fn(theirs_in, torch.tensor(B)), ours_in, theirs_in)
    one = getattr(nn, cls)(weight=[2.0])(_values(x.tolist()), B.tolist())
    assert abs(one.data - 2 * getattr(nn, cls)()(_values(x.tolist()), B.tolist()).data) < 1e-12


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1, 0.7])
def test_cross_entropy_on_a_batch_equals_torch(reduction, smoothing):
    logits = RNG.normal(size=(4, 3)) * 3
    labels = [0, 2, 1, 2]
    ours_in = [_values(row) for row in logits]
    theirs_in = torch.tensor(logits, dtype=F64, requires_grad=True)
    ours = nn.CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing)(ours_in, labels)
    theirs_fn = torch.nn.CrossEntropyLoss(reduction=reduction, label_smoothing=smoothing)
    _check(
        ours,
        theirs_fn(theirs_in, torch.tensor(labels)),
        [v for row in ours_in for v in row],
        theirs_in,
    )


@pytest.mark.parametrize("smoothing", [0.0, 0.25])
def test_cross_entropy_of_one_sample_and_of_probabilities_equals_torch(smoothing):
    logits = RNG.normal(size=4).tolist()
    ours_in, theirs_in = _pair(logits)
    loss = nn.CrossEntropyLoss(label_smoothing=smoothing)
    theirs_fn = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)
    _check(loss(ours_in, 3), theirs_fn(theirs_in[None], torch.tensor([3])), ours_in, theirs_in)
    q = [0.1, 0.2, 0.3, 0.4]
    ours_in, theirs_in = _pair(logits)
    theirs = theirs_fn(theirs_in[None], torch.tensor([q], dtype=F64))
    _check(loss(ours_in, q), theirs, ours_in, theirs_in)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
def test_cross_entropy_class_weights_and_ignore_index_equal_torch(reduction, smoothing):
    logits = RNG.normal(size=(5, 3)) * 2
    labels = [0, 2, -1, 1, 2]  # -1: ignored
    weight = [0.5, 2.0, 1.5]
    settings = {"reduction": reduction, "label_smoothing": smoothing, "ignore_index": -1}
    ours_in = [_values(row) for row in logits]
    theirs_in = torch.tensor(logits, dtype=F64, requires_grad=True)
    ours = nn.CrossEntropyLoss(weight=weight, **settings)(ours_in, labels)
    theirs_fn = torch.nn.CrossEntropyLoss(weight=torch.tensor(weight, dtype=F64), **settings)
    flat = [v for row in ours_in for v in row]
    _check(ours, theirs_fn(theirs_in, torch.tensor(labels)), flat, theirs_in)
    ours_in = [_values(row) for row in logits]
    theirs_in = torch.tensor(logits, dtype=F64, requires_grad=True)
    ours = nn.CrossEntropyLoss(**settings)(ours_in, labels)  # ignore_index without weights
    theirs_fn = torch.nn.CrossEntropyLoss(**settings)
    flat = [v for row in ours_in for v in row]
    _check(ours, theirs_fn(theirs_in, torch.tensor(labels)), flat, theirs_in)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_class_weights_with_probability_targets_equal_torch(reduction):
    logits = RNG.normal(size=(3, 4))
    q = RNG.random(size=(3, 4))
    q = (q / q.sum(axis=1, keepdims=True)).tolist()
    weight = [1.0, 0.5, 2.0, 3.0]
    ours_in = [_values(row) for row in logits]
    theirs_in = torch.tensor(logits, dtype=F64, requires_grad=True)
    ours = nn.CrossEntropyLoss(weight=weight, reduction=reduction, label_smoothing=0.1)(ours_in, q)
    theirs_fn = torch.nn.CrossEntropyLoss(
        weight=torch.tensor(weight, dtype=F64), reduction=reduction, label_smoothing=0.1
    )
    flat = [v for row in ours_in for v in row]
    _check(ours, theirs_fn(theirs_in, torch.tensor(q, dtype=F64)), flat, theirs_in)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weight", [None, [0.5, 1.0, 2.0, 1.0, 3.0]])
def test_pos_weight_equals_torch(reduction, weight):
    pos_weight = [3.0, 0.5, 1.0, 2.0, 1.5]
    ours_in, theirs_in = _pair(X.tolist())
    ours = nn.BCEWithLogitsLoss(weight, reduction=reduction, pos_weight=pos_weight)
    theirs_fn = torch.nn.BCEWithLogitsLoss(
        None if weight is None else torch.tensor(weight, dtype=F64),
        reduction=reduction,
        pos_weight=torch.tensor(pos_weight, dtype=F64),
    )
    _check(ours(ours_in, B.tolist()), theirs_fn(theirs_in, torch.tensor(B)), ours_in, theirs_in)


def test_every_target_ignored_has_no_mean():
    with pytest.raises(ValueError, match="every target is ignore_index"):
        nn.CrossEntropyLoss(ignore_index=0)([[Value(1.0), Value(2.0)]], [0])
    with pytest.raises(ValueError, match="weight has 2 entries for 3 classes"):
        nn.CrossEntropyLoss(weight=[1.0, 2.0])(_values([0.0, 1.0, 2.0]), 1)


def test_a_loss_module_is_its_function():
    x, t = _values(X.tolist()), T.tolist()
    assert nn.MSELoss()(x, t).data == nn.mse_loss(x, t).data
    assert nn.L1Loss(reduction="none")(x, t)[2].data == nn.l1_loss(x, t, reduction="none")[2].data
    assert repr(nn.BCELoss()) == "BCELoss(reduction='mean')"
    assert nn.CrossEntropyLoss(label_smoothing=0.1).architecture() == {
        "type": "CrossEntropyLoss", "reduction": "mean", "weight": None, "ignore_index": -100,
        "label_smoothing": 0.1,
    }  # fmt: skip


def test_a_loss_module_trains_a_model_with_fit():
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    X2 = np.random.default_rng(3).normal(size=(12, 2))
    y = (X2[:, 0] > 0).astype(float)
    loader = nn.DataLoader(X2, y, batch_size=4, seed=0)
    optimizer = nn.AdamW(model.parameters(), lr=0.1)
    for engine in ("scalar", "compiled"):
        history = nn.fit(model, nn.BCEWithLogitsLoss(), optimizer, loader, epochs=10,
                         progress=False, engine=engine)  # fmt: skip
        assert history.train_loss[-1] < history.train_loss[0], engine


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: nn.MSELoss(reduction="avg"), ValueError, "reduction"),
        (lambda: nn.L1Loss(size_average=1), TypeError, "size_average"),
        (lambda: nn.CrossEntropyLoss(ignore_index=0.5), TypeError, "ignore_index"),
        (lambda: nn.CrossEntropyLoss(label_smoothing=1.5), ValueError, "label_smoothing"),
        (lambda: nn.BCEWithLogitsLoss(pos_weight=[math.inf]), ValueError, "pos_weight"),
        (lambda: nn.BCELoss(weight=[math.nan]), ValueError, "weight"),
    ],
)
def test_bad_arguments_are_named(make, error, message):
    with pytest.raises(error, match=message):
        make()


def test_a_weight_of_the_wrong_length_is_named():
    with pytest.raises(ValueError, match="weight has 2 entries, the input 3 elements"):
        nn.BCELoss(weight=[1.0, 2.0])(_values([0.5, 0.5, 0.5]), [1.0, 0.0, 1.0])
