"""A graph a notebook draws shows that graph's own gradients: those of one fresh backward().

The notebooks' cells run here up to their last graph picture, with
`draw_dot` and `Value.backward` watched. At each picture the gradients it
shows are compared with those of the last ``backward()`` run again from
scratch (every gradient of its graph zeroed first): a picture drawn over
gradients left by an earlier step, without ``zero_grad()``, would differ.
"""

from pathlib import Path

import pytest
from pictures import assert_shows_graph

import autograd
import autograd.viz
from autograd import Value

jupytext = pytest.importorskip("jupytext")
pytest.importorskip("matplotlib")
pytest.importorskip("IPython")

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
DRAWING = ("01_value_and_chain_rule", "02_neuron_and_activations", "03_exam_pass_fail")


def code_until_last_picture(stem: str) -> list[str]:
    """The notebook's code cells, without IPython magics, up to its last ``draw_dot(``."""
    code = [
        "\n".join(line for line in cell.source.splitlines() if not line.startswith("%"))
        for cell in jupytext.read(NOTEBOOKS / f"{stem}.py").cells
        if cell.cell_type == "code"
    ]
    last = max(i for i, source in enumerate(code) if "draw_dot(" in source)
    return code[: last + 1]


@pytest.mark.parametrize("stem", DRAWING)
def test_every_graph_picture_shows_a_fresh_backward(stem, monkeypatch):
    import matplotlib

    matplotlib.use("Agg")
    draw_dot, backward = autograd.draw_dot, Value.backward
    last_backward: list[Value] = []
    checked = []

    def watched_backward(self, *args, **kwargs):
        last_backward[:] = [self]
        return backward(self, *args, **kwargs)

    def checked_draw_dot(root, *args, **kwargs):
        graph = draw_dot(root, *args, **kwargs)
        if kwargs.get("show_grad", True):
            svg = graph.pipe(format="svg")
            for node in root._topological_order():
                node.grad = 0.0  # also zeroes what the picture shows, checked below
            if last_backward:
                for node in last_backward[0]._topological_order():
                    node.grad = 0.0
                backward(last_backward[0])
            assert_shows_graph(svg, root)
            checked.append(root)
        return graph

    monkeypatch.setattr(Value, "backward", watched_backward)
    monkeypatch.setattr(autograd, "draw_dot", checked_draw_dot)
    monkeypatch.setattr(autograd.viz, "draw_dot", checked_draw_dot)
    namespace: dict = {}
    for source in code_until_last_picture(stem):
        exec(compile(source, stem, "exec"), namespace)
    assert checked, f"{stem} draws no graph with gradients"


def test_a_picture_over_stale_gradients_is_caught(monkeypatch):
    """The check above fails for the mistake it is there for: backward() twice, one picture."""
    x = Value(3.0, label="x")
    y = x * x
    y.label = "y"
    y.backward()
    y.backward()  # no zero_grad: x.grad is 12, not 6
    svg = autograd.draw_dot(y).pipe(format="svg")
    for node in y._topological_order():
        node.grad = 0.0
    y.backward()
    with pytest.raises(AssertionError):
        assert_shows_graph(svg, y)
