"""nn.AdamW follows torch.optim.AdamW step for step; its state saves, loads and is refused whole."""

import json
import math
import os

import numpy as np
import pytest

import nn
from autograd import Value

torch = pytest.importorskip("torch")

CONFIGS = [
    {},
    {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6},
    {"lr": 0.01, "weight_decay": 0.3},
    {"lr": 0.05, "weight_decay": 0.0},
]


def _data():
    rng = np.random.default_rng(0)
    return rng.normal(size=(6, 3)), rng.normal(size=(6, 2))


@pytest.mark.parametrize("kwargs", CONFIGS)
def test_trajectory_equals_torch_adamw_for_20_steps(kwargs):
    model = nn.MLP(3, [5, 4, 2], activation="tanh", seed=7)
    twin = nn.to_torch(model)
    ours = nn.AdamW(model.parameters(), **kwargs)
    theirs = torch.optim.AdamW(twin.parameters(), **kwargs)
    X, Y = _data()
    for step in range(20):
        ours.zero_grad()
        nn.mse_loss(model.forward_batch(X), Y.tolist()).backward()
        ours.step()
        theirs.zero_grad()
        torch.nn.functional.mse_loss(twin(torch.tensor(X)), torch.tensor(Y)).backward()
        theirs.step()
        expected = nn.from_torch(twin).parameters()
        for p, q in zip(model.parameters(), expected):
            assert abs(p.data - q.data) <= 1e-10, f"step {step + 1}: {p.label}"


def test_decay_is_decoupled_from_the_gradient():
    assert nn.AdamW([Value(1.0)]).weight_decay == 0.01  # PyTorch's default
    w, v = Value(2.0), Value(2.0)
    nn.AdamW([w], lr=0.1, weight_decay=0.5).step()  # no gradient: only the decay moves w
    nn.Adam([v], lr=0.1, weight_decay=0.5).step()  # the decay is a gradient: a full step
    assert w.data == 2.0 * (1 - 0.1 * 0.5)
    assert abs(v.data - (2.0 - 0.1)) < 1e-8  # Adam's first step is lr · sign(g), up to eps


def test_state_dict_resumes_the_same_trajectory_through_json():
    X, Y = _data()

    def run(model, opt, steps):
        for _ in range(steps):
            opt.zero_grad()
            nn.mse_loss(model.forward_batch(X), Y.tolist()).backward()
            opt.step()

    model = nn.MLP(3, [4, 2], seed=1)
    opt = nn.AdamW(model.parameters(), lr=0.01, weight_decay=0.1)
    run(model, opt, 5)
    saved_model, saved_opt = model.state_dict(), json.loads(json.dumps(opt.state_dict()))
    assert saved_opt["type"] == "AdamW" and saved_opt["steps"] == 5
    run(model, opt, 5)
    copy = nn.MLP(3, [4, 2], seed=2)
    copy.load_state_dict(saved_model)
    copy_opt = nn.AdamW(copy.parameters())
    copy_opt.load_state_dict(saved_opt)
    assert (copy_opt.lr, copy_opt.weight_decay) == (0.01, 0.1)
    run(copy, copy_opt, 5)
    assert copy.state_dict() == model.state_dict()


def test_checkpoint_round_trips_an_adamw(tmp_path):
    model = nn.Sequential(nn.Linear(2, 3, seed=0), nn.Tanh(), nn.Linear(3, 1, seed=1))
    opt = nn.AdamW(model.parameters(), lr=0.05)
    model([1.0, 2.0]).backward()
    opt.step()
    path = os.path.join(tmp_path, "m.json")
    nn.save(model, path, opt)
    fresh = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
    fresh_opt = nn.AdamW(fresh.parameters())
    nn.load(path, fresh, fresh_opt)
    assert fresh_opt.state_dict() == opt.state_dict()
    with pytest.raises(ValueError, match="class AdamW, the optimizer given is of class Adam"):
        nn.load(path, fresh, nn.Adam(fresh.parameters()))


def test_an_adam_state_is_refused_and_nothing_changes():
    opt = nn.AdamW([Value(1.0)], lr=0.5)
    with pytest.raises(ValueError, match="expected a AdamW state, got 'Adam'"):
        opt.load_state_dict(nn.Adam([Value(1.0)]).state_dict())
    assert opt.lr == 0.5


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"weight_decay": -0.1}, "weight_decay"),
        ({"lr": 0.0}, "lr"),
        ({"betas": (0.9, 1.0)}, r"betas\[1\]"),
        ({"eps": math.nan}, "eps"),
    ],
)
def test_bad_settings_are_named(kwargs, message):
    with pytest.raises(ValueError, match=message):
        nn.AdamW([Value(1.0)], **kwargs)


def test_a_bad_gradient_changes_nothing():
    w = Value(1.0)
    opt = nn.AdamW([w], lr=0.1)
    w.grad = math.inf
    with pytest.raises(ValueError, match="nothing was updated"):
        opt.step()
    assert (w.data, opt.steps, opt.exp_avg.tolist()) == (1.0, 0, [0.0])
