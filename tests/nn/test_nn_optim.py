"""SGD and Adam follow torch.optim step for step; bad settings are refused."""

import json
import math

import numpy as np
import pytest

from autograd import Value
from nn.layers import MLP
from nn.optim import SGD, Adam

from twins import OPTIMIZER_SETTINGS, X3, TorchTwin, mean_squared

STEPS = 20
Y = [[0.5, -0.5], [1.0, 0.0], [-1.0, 0.5], [0.0, 1.0]]


def _loss(model):
    outs = model.forward_batch(X3)
    return mean_squared([o for row in outs for o in row], [y for row in Y for y in row])


@pytest.mark.parametrize(("cls", "kwargs"), OPTIMIZER_SETTINGS)
def test_trajectory_equals_torch_optim_for_20_steps(cls, kwargs):
    torch = pytest.importorskip("torch")
    model = MLP(3, [5, 4, 2], activation="tanh", seed=7)
    twin = TorchTwin(model)
    ours = cls(model.parameters(), **kwargs)
    theirs = getattr(torch.optim, cls.__name__)(twin.tensors(), **kwargs)
    target = torch.tensor(Y, dtype=torch.float64)
    for step in range(STEPS):
        ours.zero_grad()
        _loss(model).backward()
        ours.step()
        theirs.zero_grad()
        ((twin(X3) - target) ** 2).mean().backward()
        theirs.step()
        values = [p.data for p in model.parameters()]
        assert values == pytest.approx(twin.values(), rel=1e-9, abs=1e-9), f"step {step + 1}"


def test_state_dict_resumes_the_same_trajectory_through_json():
    def run(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            _loss(model).backward()
            opt.step()

    for cls, kwargs in [(Adam, {"lr": 0.01}), (SGD, {"lr": 0.05, "momentum": 0.9})]:
        model = MLP(3, [4, 2], seed=1)
        opt = cls(model.parameters(), **kwargs)
        run(model, opt, 5)
        saved_model, saved_opt = model.state_dict(), json.loads(json.dumps(opt.state_dict()))
        run(model, opt, 5)
        copy = MLP(3, [4, 2], seed=2)
        copy.load_state_dict(saved_model)
        copy_opt = cls(copy.parameters(), lr=1.0)
        copy_opt.load_state_dict(saved_opt)
        assert copy_opt.lr == kwargs["lr"]
        run(copy, copy_opt, 5)
        assert copy.state_dict() == model.state_dict()


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda s: s.update(type="SGD"), "expected a Adam state"),
        (lambda s: s.pop("exp_avg"), "expected keys"),
        (lambda s: s.update(exp_avg=[0.0]), "one per parameter"),
        (lambda s: s.update(exp_avg_sq=[math.nan] * len(s["exp_avg_sq"])), "finite"),
        (lambda s: s.update(steps=-1), "count"),
        (lambda s: s.update(lr=0.0), "lr"),
        (lambda s: s.update(betas=[0.9, 1.0]), r"betas\[1\]"),
    ],
)
def test_a_bad_optimizer_state_is_refused_and_changes_nothing(edit, message):
    params = [Value(1.0), Value(2.0)]
    opt = Adam(params, lr=0.1)
    params[0].grad = 1.0
    opt.step()
    before = opt.state_dict()
    state = json.loads(json.dumps(before))
    edit(state)
    with pytest.raises(ValueError, match=message):
        opt.load_state_dict(state)
    assert opt.state_dict() == before


@pytest.mark.parametrize("lr", [0.0, -0.1, math.nan, math.inf, "0.1", None, True])
@pytest.mark.parametrize("cls", [SGD, Adam])
def test_a_bad_learning_rate_is_refused(cls, lr):
    with pytest.raises(ValueError, match="lr"):
        cls([Value(1.0)], lr=lr)
    opt = cls([Value(1.0)], lr=0.1)
    with pytest.raises(ValueError, match="lr"):
        opt.lr = lr  # a schedule cannot set a bad rate either
    assert opt.lr == 0.1


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [
        (lambda p: SGD(p, lr=0.1, momentum=-0.1), ValueError, "momentum"),
        (lambda p: SGD(p, lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda p: SGD(p, lr=0.1, weight_decay=-1.0), ValueError, "weight_decay"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov"),
        (lambda p: SGD(p, lr=0.1, momentum=0.9, nesterov=1), TypeError, "nesterov"),
        (lambda p: Adam(p, betas=(0.9,)), ValueError, "betas"),
        (lambda p: Adam(p, betas=(1.0, 0.999)), ValueError, r"betas\[0\]"),
        (lambda p: Adam(p, betas=(0.9, math.nan)), ValueError, r"betas\[1\]"),
        (lambda p: Adam(p, eps=0.0), ValueError, "eps"),
        (lambda p: Adam(p, eps=-1e-8), ValueError, "eps"),
        (lambda p: Adam([], lr=0.1), ValueError, "empty"),
        (lambda p: Adam([Value(1.0), 2.0]), TypeError, r"params\[1\]"),
        (lambda p: Adam(p + p), ValueError, "more than once"),
        (lambda p: Adam(MLP(2, [1])), TypeError, r"model.parameters\(\)"),
        (lambda p: Adam(3), TypeError, "params"),
    ],
)
def test_bad_settings_are_refused(build, error, message):
    with pytest.raises(error, match=message):
        build([Value(1.0)])


def test_zero_grad_and_a_plain_step():
    w = Value(3.0)
    opt = SGD([w], lr=0.1)
    (w * w).backward()
    opt.step()
    assert w.data == pytest.approx(3.0 - 0.1 * 6.0, abs=1e-15)
    opt.zero_grad()
    assert w.grad == 0.0


@pytest.mark.parametrize(("cls", "kwargs"), OPTIMIZER_SETTINGS)
def test_one_step_over_all_parameters_equals_one_parameter_at_a_time(cls, kwargs):
    # The arrays hold every parameter, but each entry's update uses only its own numbers.
    grads = [0.3, -1.5, 0.0, 2.0e-3, 7.0]
    together = [Value(float(i) - 2.0) for i in range(len(grads))]
    alone = [Value(float(i) - 2.0) for i in range(len(grads))]
    opt = cls(together, **kwargs)
    opts = [cls([p], **kwargs) for p in alone]
    for step in range(3):
        for p, q, g in zip(together, alone, grads):
            p.grad = q.grad = g * (step + 1)
        opt.step()
        for o in opts:
            o.step()
        assert [p.data for p in together] == [q.data for q in alone]


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize(("cls", "kwargs"), [(SGD, {"momentum": 0.9}), (Adam, {})])
def test_a_non_finite_gradient_is_refused_and_changes_nothing(cls, kwargs, bad):
    params = [Value(1.0), Value(2.0), Value(3.0)]
    opt = cls(params, lr=0.1, **kwargs)
    for p in params:
        p.grad = 0.5
    opt.step()
    before, data = opt.state_dict(), [p.data for p in params]
    params[1].grad = bad
    with pytest.raises(ValueError, match=rf"params\[1\]\.grad is {bad}"):
        opt.step()
    assert opt.state_dict() == before
    assert [p.data for p in params] == data


@pytest.mark.filterwarnings("ignore:overflow encountered")
def test_an_update_that_overflows_is_refused_and_changes_nothing():
    params = [Value(1.0), Value(1.0e308)]
    opt = SGD(params, lr=1.0, momentum=0.5)
    params[1].grad = -1.0e308  # 1e308 - 1.0 * (-1e308) overflows
    with pytest.raises(OverflowError, match=r"params\[1\] from 1e\+308 to inf"):
        opt.step()
    assert [p.data for p in params] == [1.0, 1.0e308]
    assert opt.state_dict()["momentum_buffer"] == [None, None]


def test_the_state_is_arrays_and_saves_as_plain_json_lists():
    params = [Value(1.0), Value(-2.0)]
    sgd, adam = SGD(params, lr=0.1, momentum=0.9), Adam(params, lr=0.1)
    # Before the first step SGD has no momentum buffer yet: saved as None per parameter.
    assert sgd.state_dict()["momentum_buffer"] == [None, None]
    params[0].grad, params[1].grad = 0.25, -4.0
    sgd.step()
    adam.step()
    for opt, names in ((sgd, ["momentum_buffer"]), (adam, ["exp_avg", "exp_avg_sq"])):
        state = opt.state_dict()
        text = json.dumps(state, allow_nan=False)  # strict JSON: plain floats, no NaN
        for name in names:
            assert isinstance(getattr(opt, name), np.ndarray)
            assert all(type(x) is float for x in state[name])
        copy = type(opt)([Value(0.0), Value(0.0)], lr=1.0)
        copy.load_state_dict(json.loads(text))
        assert copy.state_dict() == state
        for name in names:
            assert getattr(copy, name).dtype == np.float64
    unset = SGD([Value(0.0), Value(0.0)], lr=1.0, momentum=0.9)
    unset.load_state_dict(SGD(params, lr=0.1, momentum=0.9).state_dict())
    assert unset.momentum_buffer is None


@pytest.mark.parametrize(
    ("cls", "name"), [(SGD, "momentum_buffer"), (Adam, "exp_avg"), (Adam, "exp_avg_sq")]
)
def test_a_state_list_with_missing_numbers_is_refused(cls, name):
    params = [Value(1.0), Value(2.0)]
    opt = cls(params, lr=0.1, momentum=0.9) if cls is SGD else cls(params, lr=0.1)
    state = opt.state_dict()
    state[name] = [0.5, None]  # only SGD's buffer may be all None (no step yet)
    with pytest.raises(ValueError, match=name):
        opt.load_state_dict(state)
    state[name] = [None, None]
    if cls is SGD:
        opt.load_state_dict(state)
    else:
        with pytest.raises(ValueError, match=name):
            opt.load_state_dict(state)
