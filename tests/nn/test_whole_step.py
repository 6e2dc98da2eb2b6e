"""`CompiledModel.step`: the whole training step on arrays, step for step with torch.optim."""

import copy
import gc
import pickle
import weakref

import numpy as np
import pytest

from autograd import Value, halves
from nn.data import DataLoader
from nn.layers import MLP
from nn.losses import cross_entropy, mse_loss
from nn.optim import SGD, Adam, AdamW
from nn.train import fit
from nn.whole_step import HeldValue

from checks import assert_agree
from twins import OPTIMIZER_SETTINGS, TorchTwin

STEPS = 20


def _data(classes: int, n: int = 16, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 3))
    y = rng.integers(0, classes, n) if classes > 1 else rng.normal(size=n)
    return X, y


@pytest.mark.parametrize("classes", [1, 3])
@pytest.mark.parametrize(("cls", "kwargs"), OPTIMIZER_SETTINGS)
def test_trajectory_equals_torch_optim_for_20_steps(cls, kwargs, classes):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    model = MLP(3, [5, 4, classes], activation="tanh", seed=7)
    twin = TorchTwin(model)
    loss_fn = cross_entropy if classes > 1 else mse_loss
    compiled = model.compile(loss_fn)
    ours = cls(model.parameters(), **kwargs)
    theirs = getattr(torch.optim, cls.__name__)(twin.tensors(), **kwargs)
    X, y = _data(classes)
    target = torch.tensor(y)
    for step in range(STEPS):
        loss = compiled.step(ours, X, y)
        theirs.zero_grad()
        out = twin(X)
        want = F.cross_entropy(out, target) if classes > 1 else F.mse_loss(out[:, 0], target)
        want.backward()
        theirs.step()
        assert abs(loss - want.item()) <= 1e-10 * abs(want.item()), f"step {step + 1}"
    values = [p.data for p in model.parameters()]  # reading syncs
    assert values == pytest.approx(twin.values(), rel=1e-10, abs=1e-12)
    assert [p.grad for p in model.parameters()] == pytest.approx(twin.grads(), rel=1e-10, abs=1e-12)


def _classic_steps(model, opt, X, y, steps):
    """The loss_and_grad + optimizer.step() loop."""
    compiled = model.compile(mse_loss)
    for _ in range(steps):
        opt.zero_grad()
        compiled.loss_and_grad(X, y)
        opt.step()
    return np.array([p.data for p in model.parameters()])


def test_the_values_are_held_while_training_and_synced_when_read():
    model = MLP(3, [4, 1], seed=0)
    compiled, opt = model.compile(mse_loss), Adam(model.parameters(), lr=0.1)
    X, y = _data(1)
    compiled.step(opt, X, y)
    params = model.parameters()
    assert all(isinstance(p, HeldValue) for p in params)
    first = params[0].data  # one read brings every parameter up to date
    assert all(type(p) is Value for p in params)
    compiled.step(opt, X, y)
    assert params[0].data != first
    twin = MLP(3, [4, 1], seed=0)
    want = _classic_steps(twin, Adam(twin.parameters(), lr=0.1), X, y, steps=2)
    assert_agree(np.array([p.data for p in params]), want)


def test_a_model_dropped_while_its_values_are_held_is_freed():
    model = MLP(3, [4, 1], seed=0)
    compiled = model.compile(mse_loss)
    compiled.step(SGD(model.parameters(), lr=0.1), *_data(1))
    assert isinstance(model.parameters()[0], HeldValue)
    holder = weakref.ref(compiled._held)
    del model, compiled
    gc.collect()
    assert holder() is None  # nothing outside the model keeps its arrays alive


def test_reading_one_held_model_releases_only_its_values():
    first, second = MLP(3, [4, 1], seed=0), MLP(3, [4, 1], seed=1)
    X, y = _data(1)
    for model in (first, second):
        model.compile(mse_loss).step(SGD(model.parameters(), lr=0.1), X, y)
    assert all(isinstance(p, HeldValue) for p in first.parameters() + second.parameters())
    first.parameters()[0].data  # noqa: B018 (a read releases its own model's values)
    assert all(type(p) is Value for p in first.parameters())
    assert all(isinstance(p, HeldValue) for p in second.parameters())


def test_a_copy_of_a_held_model_has_the_trained_numbers():
    model = MLP(3, [4, 1], seed=0)
    compiled, opt = model.compile(mse_loss), SGD(model.parameters(), lr=0.1)
    compiled.step(opt, *_data(1))
    copied = pickle.loads(pickle.dumps(model))
    assert all(type(p) is Value for p in model.parameters())  # pickling synced them
    compiled.step(opt, *_data(1))
    deep = copy.deepcopy(model)
    for twin in (copied, deep):
        assert all(type(p) is Value for p in twin.parameters())
    assert [p.data for p in deep.parameters()] == [p.data for p in model.parameters()]
    assert [p.data for p in copied.parameters()] != [p.data for p in deep.parameters()]


def test_a_number_written_by_hand_is_where_the_next_step_starts():
    model = MLP(3, [4, 1], seed=0)
    compiled, opt = model.compile(mse_loss), SGD(model.parameters(), lr=0.1)
    X, y = _data(1)
    compiled.step(opt, X, y)
    for p in model.parameters():
        p.data = 0.0
    compiled.step(opt, X, y)
    twin = MLP(3, [4, 1], init="zeros", seed=0)
    want = _classic_steps(twin, SGD(twin.parameters(), lr=0.1), X, y, steps=1)
    assert_agree(np.array([p.data for p in model.parameters()]), want)


def test_state_dict_and_the_scalar_engine_see_the_trained_numbers():
    model = MLP(3, [4, 1], seed=0)
    compiled, opt = model.compile(mse_loss), SGD(model.parameters(), lr=0.1)
    X, y = _data(1)
    for _ in range(3):
        compiled.step(opt, X, y)
    state = model.state_dict()
    out = model(X[0].tolist()).data
    assert_agree(np.array([out]), compiled.predict(X[:1])[0])
    compiled.step(opt, X, y)
    assert model.state_dict() != state


def test_an_optimizer_on_some_parameters_updates_only_those():
    model = MLP(3, [4, 1], seed=0)
    before = [p.data for p in model.parameters()]
    last = model.layers[-1].parameters()
    compiled = model.compile(mse_loss)
    compiled.step(SGD(last, lr=0.1), *_data(1))
    after = [p.data for p in model.parameters()]
    n_first = len(model.layers[0].parameters())
    assert after[:n_first] == before[:n_first]
    assert after[n_first:] != before[n_first:]


@pytest.mark.parametrize(
    ("loss_fn", "nouts", "classes"), [(mse_loss, [4, 1], 1), (cross_entropy, [4, 3], 3)]
)
@pytest.mark.parametrize("split", [False, True])
def test_a_step_returns_the_outputs_predict_gives_before_its_update(
    loss_fn, nouts, classes, split, monkeypatch
):
    if split:  # the batch's two halves run by two threads, as for a big batch
        monkeypatch.setattr(halves, "PARALLEL_MIN_WORK", 0)
    X, y = _data(classes, n=6)
    model, twin = MLP(3, nouts, seed=1), MLP(3, nouts, seed=1)
    compiled, twin_compiled = model.compile(loss_fn), twin.compile(loss_fn)
    opt, twin_opt = Adam(model.parameters(), lr=0.1), Adam(twin.parameters(), lr=0.1)
    for _ in range(2):  # the second step starts from the first one's update
        expected = compiled.predict(X)
        loss, outputs = compiled.step(opt, X, y, return_outputs=True)
        assert outputs.shape == (6, nouts[-1])
        assert_agree(outputs, expected, rtol=1e-10)
        assert loss == twin_compiled.step(twin_opt, X, y)  # the same step, outputs or not
    assert [p.data for p in model.parameters()] == [p.data for p in twin.parameters()]


def test_fit_on_the_compiled_engine_equals_the_scalar_engine_and_releases_the_values():
    histories, params = [], []
    for engine in ("scalar", "compiled"):
        model = MLP(3, [6, 5, 3], activation="relu", seed=3)
        X, y = _data(3, n=24)
        loader = DataLoader(X, y, batch_size=8, shuffle=False)
        opt = AdamW(model.parameters(), lr=0.05)
        history = fit(model, cross_entropy, opt, loader, epochs=3, engine=engine, progress=False)
        histories.append(history.train_loss + history.train_accuracy)
        params.append([p.data for p in model.parameters()])
        assert all(type(p) is Value for p in model.parameters())
    assert_agree(np.array(histories[1]), np.array(histories[0]), rtol=1e-10)
    assert_agree(np.array(params[1]), np.array(params[0]), rtol=1e-10)


# --- bad input: refused, nothing changes ---------------------------------------------


def _snapshot(compiled, opt):
    compiled.sync()
    return [p.data for p in compiled.params], opt.state_dict()


@pytest.mark.parametrize(
    ("X", "y", "error", "message"),
    [
        (np.zeros((4, 2)), np.zeros(4), ValueError, r"X: .* shape \(batch, 3\)"),
        (
            np.array([[0.0, np.nan, 1.0]] * 4),
            np.zeros(4),
            ValueError,
            r"X: contains NaN .*\(0, 1\)",
        ),
        (np.full((4, 3), "a"), np.zeros(4), TypeError, "X: .* real numbers"),
        (np.zeros((4, 3)), np.zeros(3), ValueError, r"y: .* shape \(4,\)"),
        (np.zeros((4, 3)), np.array([0.0, np.inf, 0.0, 0.0]), ValueError, r"y: contains NaN .*1"),
        (np.zeros((4, 3)), np.array(["a"] * 4), TypeError, "y: .* real numbers"),
    ],
)
def test_bad_batches_are_refused_and_change_nothing(X, y, error, message):
    model = MLP(3, [4, 1], seed=0)
    compiled, opt = model.compile(mse_loss), Adam(model.parameters(), lr=0.1)
    compiled.step(opt, *_data(1))
    before = _snapshot(compiled, opt)
    with pytest.raises(error, match=message):
        compiled.step(opt, X, y)
    assert _snapshot(compiled, opt) == before


def test_a_step_that_overflows_changes_nothing():
    model = MLP(3, [4, 1], seed=0)
    compiled, opt = model.compile(mse_loss), SGD(model.parameters(), lr=1e300)
    X, y = _data(1)
    before = _snapshot(compiled, opt)
    with pytest.raises(OverflowError, match="nothing was updated"):
        compiled.step(opt, X, y * 1e20)
    assert _snapshot(compiled, opt) == before
    opt.lr = 0.1
    compiled.step(opt, X, y)  # the step after a failure is an ordinary step
    model.layers[0].neurons[0].b.data = 1e200  # the forward pass overflows
    before = _snapshot(compiled, opt)
    with pytest.raises(ArithmeticError, match="sample 0 of the batch"):
        compiled.step(opt, X * 1e150, y)
    assert _snapshot(compiled, opt) == before


def test_the_optimizer_must_be_one_of_ours_on_the_models_parameters():
    model = MLP(3, [4, 1], seed=0)
    compiled = model.compile(mse_loss)
    with pytest.raises(TypeError, match="optimizer: expected an nn.optim optimizer"):
        compiled.step(object(), *_data(1))
    with pytest.raises(ValueError, match=r"optimizer: its params\[0\] is not a parameter"):
        compiled.step(SGD([Value(1.0)], lr=0.1), *_data(1))
