"""Initializers: the right distributions, reproducible seeds, and why zero init fails."""

import math
import random
import statistics

import pytest

from nn import init
from nn.layers import MLP
from nn.optim import SGD

ALL = list(init.INITIALIZERS)


@pytest.mark.parametrize("name", ALL)
def test_every_initializer_is_reproducible_from_a_seed(name):
    draw = init.INITIALIZERS[name]
    assert len(draw(7, 3, seed=0)) == 7
    assert draw(7, 3, seed=42) == draw(7, 3, seed=42)
    assert draw(7, 3, seed=random.Random(5)) == draw(7, 3, seed=5)
    random.seed(9)
    first = draw(7, 3)  # no seed: Python's global random, as micrograd
    random.seed(9)
    assert draw(7, 3) == first
    if name != "zeros":
        assert draw(7, 3, seed=1) != draw(7, 3, seed=2)


@pytest.mark.parametrize(
    ("name", "fan_in", "fan_out", "kwargs", "bound"),
    [
        ("uniform", 50, 1, {}, 1.0),
        ("uniform", 50, 1, {"a": -0.1, "b": 0.3}, 0.3),
        ("xavier_uniform", 40, 60, {}, math.sqrt(6 / 100)),
        ("xavier_uniform", 40, 60, {"gain": 2.0}, 2 * math.sqrt(6 / 100)),
        ("kaiming_uniform", 30, 5, {}, math.sqrt(6 / 30)),
    ],
)
def test_uniform_initializers_stay_within_their_bound_and_fill_it(
    name, fan_in, fan_out, kwargs, bound
):
    draws = [
        w for s in range(200) for w in init.INITIALIZERS[name](fan_in, fan_out, seed=s, **kwargs)
    ]
    assert max(draws) <= bound
    assert max(draws) == pytest.approx(bound, rel=1e-2)
    low = kwargs.get("a", -bound)
    assert min(draws) >= low
    assert min(draws) == pytest.approx(low, rel=1e-2)


@pytest.mark.parametrize(
    ("name", "fan_in", "fan_out", "kwargs", "mean", "std"),
    [
        ("normal", 100, 1, {"mean": 0.5, "std": 0.2}, 0.5, 0.2),
        ("xavier_normal", 100, 50, {}, 0.0, math.sqrt(2 / 150)),
        ("kaiming_normal", 100, 7, {}, 0.0, math.sqrt(2 / 100)),
        ("kaiming_normal", 100, 7, {"a": 1.0}, 0.0, math.sqrt(1 / 100)),
    ],
)
def test_normal_initializers_have_the_documented_mean_and_std(
    name, fan_in, fan_out, kwargs, mean, std
):
    draws = []
    rng = random.Random(0)
    for _ in range(200):
        draws += init.INITIALIZERS[name](fan_in, fan_out, seed=rng, **kwargs)
    assert statistics.fmean(draws) == pytest.approx(mean, abs=4 * std / math.sqrt(len(draws)))
    assert statistics.pstdev(draws) == pytest.approx(std, rel=0.02)


def test_zeros_gives_zeros():
    assert init.zeros(4, 2) == [0.0] * 4


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: init.uniform(0), ValueError, "fan_in"),
        (lambda: init.xavier_uniform(3, -1), ValueError, "fan_out"),
        (lambda: init.uniform(3, a=1.0, b=1.0), ValueError, "a < b"),
        (lambda: init.normal(3, std=-1.0), ValueError, "std"),
        (lambda: init.normal(3, mean=float("nan")), ValueError, "mean"),
        (lambda: init.kaiming_normal(3, seed="x"), TypeError, "seed"),
        (lambda: init.kaiming_normal(3, seed=1.5), TypeError, "seed"),
        (lambda: init.resolve("glorot"), ValueError, "unknown initializer"),
        (lambda: init.resolve({"name": "normal", "sigma": 1}), TypeError, "bad options"),
        (lambda: init.resolve(3), TypeError, "initializer name"),
    ],
)
def test_bad_arguments_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()


def test_models_use_the_chosen_initializer_and_zero_biases():
    default = MLP(2, [4, 1], seed=0)
    assert all(
        -1.0 <= w.data <= 1.0 for layer in default.layers for n in layer.neurons for w in n.w
    )
    random_stream = random.Random(0)
    expected = [random_stream.uniform(-1, 1) for _ in range(2)]
    assert [w.data for w in default.layers[0].neurons[0].w] == expected  # micrograd's U(-1, 1)
    he = MLP(2, [4, 1], init="kaiming_normal", seed=0)
    assert [w.data for w in he.layers[0].neurons[0].w] == init.kaiming_normal(2, 4, seed=0)
    small = MLP(2, [4, 1], init={"name": "uniform", "a": -0.01, "b": 0.01}, seed=0)
    assert all(abs(p.data) <= 0.01 for p in small.parameters())
    for model in (default, he, small):
        assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)
    assert MLP(2, [4, 1], seed=3).state_dict() == MLP(2, [4, 1], seed=3).state_dict()


def _train(model, steps=60):
    X = [[1.0, 2.0], [-1.0, 0.5], [0.5, -1.5], [2.0, 1.0]]
    y = [1.0, -1.0, -1.0, 1.0]
    opt = SGD(model.parameters(), lr=0.05)
    for _ in range(steps):
        outs = model.forward_batch(X)
        loss = sum(((o - t) ** 2 for o, t in zip(outs, y)), start=outs[0] * 0) / len(y)
        opt.zero_grad()
        loss.backward()
        opt.step()


def _hidden_neurons(model):
    return [[w.data for w in n.w] + [n.b.data] for n in model.layers[0].neurons]


def test_zero_init_fails_to_break_symmetry():
    model = MLP(2, [4, 1], activation="tanh", init="zeros")
    _train(model)
    hidden = _hidden_neurons(model)
    assert all(neuron == hidden[0] for neuron in hidden)  # four copies of one neuron


def test_any_equal_start_stays_equal_while_random_init_breaks_symmetry():
    # Not only zeros: neurons that start equal get equal gradients, so they never differ.
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    state = model.state_dict()
    for key in state:
        state[key] = [0.3 if key.endswith("w") else 0.1] * len(state[key])
    model.load_state_dict(state)
    start = _hidden_neurons(model)
    _train(model)
    hidden = _hidden_neurons(model)
    assert hidden != start
    assert all(neuron == hidden[0] for neuron in hidden)
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    _train(model)
    hidden = _hidden_neurons(model)
    assert len({tuple(neuron) for neuron in hidden}) == 4
