"""Every picture the project draws of a graph shows that graph's own gradients.

Each SVG is read back as a reader sees it (the 4-digit text of each box) and at
full precision (its hover tooltip), and compared with a fresh ``backward()``
of the same graph, built again from scratch.
"""

import importlib.util
import re
from pathlib import Path

import pytest
from graphviz_dot import needs_dot
from pictures import assert_shows_graph, drawn_values

from autograd import Value
from autograd.viz import draw_dot
from nn.checkpoint import load
from tapegrad.cli import main
from tapegrad.expr import evaluate

ROOT = Path(__file__).resolve().parent.parent
pytestmark = needs_dot


def readme_images():
    """scripts/make_readme_images.py, imported as a module."""
    path = ROOT / "scripts" / "make_readme_images.py"
    spec = importlib.util.spec_from_file_location("make_readme_images", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def backpropagated(root: Value) -> Value:
    root.backward()
    return root


def test_demo_neuron_shows_its_own_gradients_not_the_last_training_steps(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--epochs", "3", "--quiet"]) == 0
    capsys.readouterr()
    svg = (out / "neuron.svg").read_bytes()
    boxes = drawn_values(svg)
    model = load(out / "model.json").model  # a fresh model: every gradient is zero
    features = ["x0", "x1"]
    inputs = [Value(boxes[name]["data"], label=name) for name in features]
    neuron = backpropagated(model.layers[0].neurons[0](inputs))
    assert_shows_graph(svg, neuron)
    # the inputs are drawn under their feature names, the parameters under theirs
    assert {*features, "layers.0.neurons.0.b", "layers.0.neurons.0.w.0"} <= set(boxes)


def test_graph_command_shows_the_expressions_gradients(tmp_path, capsys):
    expression = "(a*b + c).tanh() * a"
    variables = {"a": 0.3, "b": -2.0, "c": 0.5}
    path = tmp_path / "graph.svg"
    argv = ["graph", expression, *(f"--var={k}={v}" for k, v in variables.items())]
    assert main([*argv, "--out", str(path)]) == 0
    capsys.readouterr()
    assert_shows_graph(path.read_bytes(), backpropagated(evaluate(expression, variables)))


def test_readme_images_show_their_graphs_gradients(tmp_path, capsys):
    script = readme_images()
    script.main(tmp_path)
    capsys.readouterr()
    for folder in (tmp_path, ROOT / "docs" / "images"):  # made now, and as committed
        expression = backpropagated(script.expression())
        assert_shows_graph((folder / "expression.svg").read_bytes(), expression)
        assert_shows_graph((folder / "neuron.svg").read_bytes(), backpropagated(script.neuron()))
        # the animation's last step has every gradient of backward() in place
        *_, last = sorted((folder / "backprop_frames").glob("step_*.svg"))
        assert_shows_graph(last.read_bytes(), expression)
        page = (folder / "backprop_player.html").read_text(encoding="utf-8")
        *_, last = re.findall(r"<svg.*?</svg>", page, flags=re.DOTALL)
        assert_shows_graph(last, expression)


def test_a_picture_of_stale_gradients_is_caught():
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    e = a * b
    e.backward()
    e.backward()  # gradients accumulated twice: not what one backward() gives
    svg = draw_dot(e).pipe(format="svg")
    fresh = Value(2.0, label="a") * Value(-3.0, label="b")
    with pytest.raises(AssertionError):
        assert_shows_graph(svg, backpropagated(fresh))
