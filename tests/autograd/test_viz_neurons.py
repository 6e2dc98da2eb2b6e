"""Neuron boxes keep a neuron's inputs outside it, whatever the inputs and groups are named."""

import pytest

from autograd import Value
from autograd.viz import draw_dot
from autograd.viz.neurons import UNNAMED, neuron_boxes
from nn.layers import MLP, Neuron


def box_of(out, groups):
    [box] = neuron_boxes(out._topological_order(), groups)
    return box


@pytest.mark.parametrize("labels", [None, ["hours", "smartness", "prior", "name"]])
def test_a_lone_neurons_inputs_stay_outside_its_box(labels):
    """A lone Neuron's group is named "" (its own path): its inputs are still inputs."""
    neuron = Neuron(4, activation="sigmoid", seed=5)
    assert list(neuron.neuron_groups()) == [""]
    xs = [Value(float(i), label=labels[i] if labels else "") for i in range(4)]
    out = neuron(xs)
    box = box_of(out, neuron.neuron_groups())
    assert box.inputs == tuple(xs)
    assert not set(xs) & box.members
    assert box.name == UNNAMED
    assert box.caption() == "sigmoid neuron: 4 in, 5 params"
    source = draw_dot(out, groups=neuron.neuron_groups()).source
    for x in xs:
        if x.label:
            assert f"{{ {x.label} | data" in source  # drawn as its own box
    assert source.count(" -> ") == 4  # each input feeds the neuron


def test_labelled_inputs_of_an_mlp_stay_outside_every_box():
    model = MLP(3, [2, 1], seed=0)
    xs = [Value(1.0, label="x1"), Value(-2.0, label="x2"), Value(0.5, label="x3")]
    out = model(xs)
    boxes = neuron_boxes(out._topological_order(), model.neuron_groups())
    assert [b.name for b in boxes] == [
        "layers.0.neurons.0",
        "layers.0.neurons.1",
        "layers.1.neurons.0",
    ]
    for box in boxes[:2]:
        assert box.inputs == tuple(xs)
    assert boxes[2].inputs == (boxes[0].output, boxes[1].output)
    assert not any(set(xs) & box.members for box in boxes)


def test_a_group_named_empty_never_claims_unrelated_values():
    w, b = Value(2.0, label="w"), Value(0.5, label="b")
    x = Value(3.0, label="x")
    scaled = x * 2.0  # computed outside the neuron
    out = (w * scaled + b).tanh()
    box = box_of(out, {"": [w, b]})
    assert box.inputs == (scaled,)
    assert {w, b, out} <= box.members
    assert not {x, scaled, *scaled._prev} & box.members
