"""The "Visualize a graph" how-to's pictures are of the graphs its code builds.

The how-to's code blocks run in order (in a scratch folder), and each committed
picture they show is compared with the graph the code made, backpropagated.
"""

import re
from pathlib import Path

import pytest
from graphviz_dot import require_dot
from pictures import assert_shows_graph

ROOT = Path(__file__).resolve().parent.parent
HOW_TO = ROOT / "docs" / "how-to" / "visualize-a-graph.md"
IMAGES = ROOT / "docs" / "images"


@pytest.fixture
def how_to_run(tmp_path, monkeypatch):
    """The names the how-to's Python blocks define, run one after another in ``tmp_path``."""
    require_dot()
    pytest.importorskip("PIL.Image", reason="the GIF needs the gif extra (Pillow)")
    pytest.importorskip("IPython.display", reason="the how-to displays frames with IPython")
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    for block in re.findall(r"```python\n(.*?)```", HOW_TO.read_text(), flags=re.DOTALL):
        exec(compile(block, str(HOW_TO), "exec"), namespace)
    return namespace


def test_the_neuron_picture_is_of_the_neuron_in_the_code(how_to_run):
    assert "(../images/neuron.svg)" in HOW_TO.read_text()
    assert_shows_graph((IMAGES / "neuron.svg").read_bytes(), how_to_run["o"])
    assert_shows_graph(Path("neuron.svg").read_bytes(), how_to_run["o"])


def test_the_animation_is_of_the_expression_in_the_code(how_to_run):
    assert "(../images/backprop.gif)" in HOW_TO.read_text()
    L = how_to_run["L"]
    committed = sorted((IMAGES / "backprop_frames").glob("step_*.svg"))
    written = sorted(Path("backprop_frames").glob("step_*.svg"))
    assert [p.name for p in committed] == [p.name for p in written]
    L.backward()  # the last frame shows every gradient of one backward()
    assert_shows_graph(committed[-1].read_bytes(), L)
    from PIL import Image

    with Image.open(IMAGES / "backprop.gif") as gif:  # one GIF frame per step
        assert gif.n_frames == len(committed)
