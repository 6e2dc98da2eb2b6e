"""Graph pictures: structure of the DOT source, rendered files, backprop frames, text trace."""

import math
import re
import sys
import xml.etree.ElementTree as ET

import graphviz
import pytest
from graphviz_dot import needs_dot

from autograd import Value
from autograd.viz import (
    GraphvizNotFoundError,
    backprop_steps,
    draw_dot,
    print_graph,
    save,
    save_backprop_animation,
    trace_text,
)
from autograd.viz.frames import CURRENT_FILL, RECEIVING_FILL
from autograd.viz.text import fmt, names_of
from nn.layers import MLP

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"

NODE = re.compile(r'^\t(\w+) \[label=(?:"((?:[^"\\]|\\.)*)"|(\S+?))[ \]]')
EDGE = re.compile(r"^\t(\w+) -> (\w+)")


def parse(graph):
    """The drawn nodes (id -> label) and edges (source id, target id) of a Digraph."""
    nodes, edges = {}, []
    for line in graph.body:
        if match := EDGE.match(line):
            edges.append(match.groups())
        elif match := NODE.match(line):
            nodes[match[1]] = match[2] if match[2] is not None else match[3]
    return nodes, edges


def fields(label):
    """The fields of a record label: '{ a | data 2 | grad 6 }' -> ['a', 'data 2', 'grad 6']."""
    return [f.strip() for f in label.strip("{} ").split(" | ")]


TOOLTIP = re.compile(r'tooltip="[^"]*: data=(\S+?)(?:, grad=(\S+))?"')


def records(graph):
    """Value boxes by their first field (the name): {name: {'id':, 'data':, 'grad':}}.

    'data' and 'grad' are the 4-digit texts shown; 'exact' is (data, grad) as floats
    read from the full-precision tooltip.
    """
    nodes, _ = parse(graph)
    lines = {match[1]: line for line in graph.body if (match := NODE.match(line))}
    boxes = {}
    for node_id, label in nodes.items():
        if label.startswith("{"):
            name, *rest = fields(label)
            box = {"id": node_id}
            box.update(f.split(" ", 1) for f in rest if f.startswith(("data ", "grad ")))
            data, grad = TOOLTIP.search(lines[node_id]).groups()
            box["exact"] = (float(data), None if grad is None else float(grad))
            boxes[name] = box
    return boxes


def expression():
    """The classic L = (a*b + c) * f, labelled."""
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c, f = Value(10.0, label="c"), Value(-2.0, label="f")
    e = a * b
    d = e + c
    L = d * f
    e.label, d.label, L.label = "e", "d", "L"
    return L, dict(a=a, b=b, c=c, f=f, e=e, d=d, L=L)


def reused():
    """A graph with a node used on several paths and a node used twice by one op."""
    a, b = Value(0.7, label="a"), Value(-1.3, label="b")
    h = (a * b + a).tanh()
    return (h * h + a**3).leaky_relu(0.1) / b


# --- draw_dot: structure -------------------------------------------------------------


def test_every_value_data_grad_and_op_symbol_is_drawn():
    L, v = expression()
    L.backward()
    boxes = records(draw_dot(L))
    assert set(boxes) == set(v)
    for name, value in v.items():
        assert float(boxes[name]["data"]) == value.data, name
        assert float(boxes[name]["grad"]) == value.grad, name
    assert (boxes["a"]["grad"], boxes["b"]["grad"], boxes["f"]["grad"]) == ("6", "-4", "4")


def test_edges_go_the_way_data_flows_through_one_op_node():
    L, _ = expression()
    graph = draw_dot(L)
    nodes, edges = parse(graph)
    box = {name: b["id"] for name, b in records(graph).items()}
    ops = {node_id: label for node_id, label in nodes.items() if not label.startswith("{")}
    assert sorted(ops.values()) == ["*", "*", "+"]

    def op_into(name):  # the op node whose arrow points at the box `name`
        (op_id,) = [s for s, t in edges if t == box[name] and s in ops]
        return op_id

    for result, operands, symbol in [("e", "ab", "*"), ("d", "ec", "+"), ("L", "df", "*")]:
        op_id = op_into(result)
        assert ops[op_id] == symbol
        assert sorted(s for s, t in edges if t == op_id) == sorted(box[o] for o in operands)
    assert len(edges) == 9  # 3 ops x (2 operands in + 1 result out)
    assert not [t for s, t in edges if s == box["L"]]  # nothing leaves the root


def test_numbers_have_four_significant_digits():
    x = Value(1.0, label="x") / 3.0
    y = x * 12345.678
    y.label = "y"
    y.backward()
    boxes = records(draw_dot(y))
    assert boxes["y"]["data"] == "4115"
    assert boxes["y"]["grad"] == "1"
    assert boxes["x"]["grad"] == "4115"
    assert boxes["v1"]["data"] == "3"  # the unlabelled constant 3.0 is named by position


def test_op_nodes_show_constants_of_pow_and_leaky_relu():
    x = Value(-1.5, label="x")
    y = (x**2).tanh().leaky_relu(0.05)
    nodes, _ = parse(draw_dot(y))
    ops = sorted(label for label in nodes.values() if not label.startswith("{"))
    assert ops == ["**2", "leaky_relu(0.05)", "tanh"]


def test_show_grad_false_and_top_to_bottom_layout():
    L, _ = expression()
    graph = draw_dot(L, rankdir="TB", show_grad=False, format="png")
    nodes, _ = parse(graph)
    assert graph.format == "png"
    assert "rankdir=TB" in graph.source
    assert not any("grad" in label for label in nodes.values())
    assert "a | data 2" in nodes["v0"] and not nodes["v0"].startswith("{")


def test_duplicate_labels_and_record_characters_are_kept_apart():
    x1, x2 = Value(1.0, label="x"), Value(2.0, label="x")
    y = x1 + x2
    y.label = "{y|<z>}"
    boxes = records(draw_dot(y))
    assert set(boxes) == {"v0", "v1", r"\{y\|\<z\>\}"}


def test_value_keeps_its_text_repr_and_does_not_draw_itself():
    x = Value(2.0, label="x")
    assert repr(x) == "Value(data=2.0, grad=0.0, label='x')"
    assert not hasattr(x, "_repr_mimebundle_") and not hasattr(x, "_repr_svg_")


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"root": 3.0}, TypeError, "root must be a Value, got float"),
        ({"rankdir": "up"}, ValueError, "rankdir must be one of"),
        ({"format": "docx"}, ValueError, "format 'docx'"),
        ({"max_nodes": 0}, ValueError, "max_nodes must be at least 1, got 0"),
        ({"max_nodes": 2.5}, TypeError, "max_nodes must be an int, got float"),
        ({"max_nodes": True}, TypeError, "max_nodes must be an int, got bool"),
    ],
)
def test_bad_arguments_are_named(kwargs, error, match):
    args = {"root": Value(1.0) * 2, **kwargs}
    with pytest.raises(error, match=match):
        draw_dot(**args)


# --- large graphs and nn models ------------------------------------------------------


def test_node_limit_suggests_max_nodes_and_groups():
    x = Value(1.0)
    for _ in range(30):
        x = x * 1.01
    with pytest.raises(ValueError, match=r"61 values.*max_nodes=.*groups=model.neuron_groups\(\)"):
        draw_dot(x, max_nodes=60)
    assert len(records(draw_dot(x, max_nodes=61))) == 61


def neuron_groups(model):
    """What nn's ``Module.neuron_groups()`` gives: box name -> weights, then bias."""
    return {
        f"layers.{i}.neurons.{j}": [*neuron.w, neuron.b]
        for i, layer in enumerate(model.layers)
        for j, neuron in enumerate(layer.neurons)
    }


def mlp_loss():
    model = MLP(3, [4, 4, 1], activation="tanh", seed=0)
    loss = (model([2.0, 3.0, -1.0]) - 1.0) ** 2
    loss.backward()
    return model, loss


def test_mlp_loss_is_drawn_value_by_value():
    model, loss = mlp_loss()
    boxes = records(draw_dot(loss))
    assert len(boxes) == len(loss._topological_order())
    for name, p in model.named_parameters():
        assert float(boxes[name]["grad"]) == pytest.approx(p.grad, rel=5e-4, abs=1e-12)


def test_grouped_mlp_draws_one_box_per_neuron():
    model, loss = mlp_loss()
    graph = draw_dot(loss, groups=neuron_groups(model), max_nodes=20)
    nodes, edges = parse(graph)
    boxes = records(graph)
    neurons = [f"layers.{i}.neurons.{j}" for i, width in enumerate([4, 4, 1]) for j in range(width)]
    assert set(neurons) <= set(boxes)
    assert not any(name in boxes for name, _ in model.named_parameters())
    # 3 inputs, 9 neurons, then the loss: the constant 1, out - 1, (out - 1)**2
    assert len(boxes) == 3 + 9 + 3
    assert sorted(label for label in nodes.values() if not label.startswith("{")) == ["**2", "-"]
    by_id = {b["id"]: name for name, b in boxes.items()}
    feeds = {(by_id[s], by_id[t]) for s, t in edges if s in by_id and t in by_id}
    for j in range(4):
        for k in range(4):
            assert (f"layers.0.neurons.{j}", f"layers.1.neurons.{k}") in feeds
        assert (f"layers.1.neurons.{j}", "layers.2.neurons.0") in feeds
    assert "tanh neuron: 3 in, 4 params" in nodes[boxes["layers.0.neurons.0"]["id"]]
    assert "linear neuron: 4 in, 5 params" in nodes[boxes["layers.2.neurons.0"]["id"]]
    out = boxes["layers.2.neurons.0"]  # d loss / d out = 2 (out - 1)
    assert float(out["grad"]) == pytest.approx(2 * (float(out["data"]) - 1.0), rel=1e-3)


def test_grouped_batch_loss_draws_each_neuron_once_per_sample():
    model = MLP(2, [3, 1], seed=1)
    loss = sum((model(x) - y) ** 2 for x, y in [([1.0, 2.0], 1.0), ([-1.0, 0.5], 0.0)])
    nodes, _ = parse(draw_dot(loss, groups=neuron_groups(model)))
    names = [fields(label)[0] for label in nodes.values() if label.startswith("{")]
    for path in ["layers.0.neurons.0", "layers.0.neurons.2", "layers.1.neurons.0"]:
        assert names.count(path) == 2  # one box per sample, named by its group
    assert not any(".w." in name or name.endswith(".b") for name in names)


def test_groups_keep_computed_inputs_outside_the_neuron():
    # A neuron fed by an input that is itself computed; no label says what is what.
    raw = Value(4.0, label="raw")
    x = (raw - 1.0) / 2.0
    x.label = "x"
    w, b = Value(0.5, label="w"), Value(0.1, label="b")
    out = (b + w * x).tanh()
    graph = draw_dot(out, groups={"n": [w, b]})
    boxes = records(graph)
    # raw, 1.0, raw - 1.0, 2.0, x and the neuron: x's own graph is drawn in full
    assert len(boxes) == 6 and {"raw", "x", "n"} <= set(boxes)
    assert not {"w", "b"} & set(boxes)
    _, edges = parse(graph)
    assert [s for s, t in edges if t == boxes["n"]["id"]] == [boxes["x"]["id"]]


def test_labels_do_not_make_boxes_and_groups_are_checked():
    _, loss = mlp_loss()  # nn's parameters carry path labels: without groups, no box
    assert len(records(draw_dot(loss))) == len(loss._topological_order())
    w, b = Value(1.0), Value(2.0)
    with pytest.raises(TypeError, match="groups must be a mapping"):
        draw_dot(w * b, groups=[w, b])
    with pytest.raises(TypeError, match=r"groups\['n'\] must be a sequence of Values"):
        draw_dot(w * b, groups={"n": w})
    with pytest.raises(ValueError, match="in both groups 'n' and 'm'"):
        draw_dot(w * b, groups={"n": [w, b], "m": [w]})


def test_format_and_rankdir_come_in_micrograds_order():
    L, _ = expression()
    graph = draw_dot(L, "png", "TB")
    assert graph.format == "png" and "rankdir=TB" in graph.source
    with pytest.raises(ValueError, match="rankdir is the third argument"):
        draw_dot(L, "TB")


# --- rendering -------------------------------------------------------------------------


@needs_dot
def test_svg_file_parses_with_one_group_per_value_and_op(tmp_path):
    L, _ = expression()
    path = save(draw_dot(L), tmp_path / "deep" / "er" / "L.svg")
    assert path == tmp_path / "deep" / "er" / "L.svg"
    root = ET.parse(path).getroot()
    groups = [g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]
    assert len(groups) == 7 + 3
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "edge"]) == 9
    assert sorted(p.name for p in path.parent.iterdir()) == ["L.svg"]  # no temp file left


@needs_dot
def test_png_and_pdf_by_suffix(tmp_path):
    graph = draw_dot(expression()[0])
    assert save(graph, tmp_path / "g.PNG").read_bytes().startswith(PNG_SIGNATURE)
    assert save(graph, tmp_path / "g.pdf").read_bytes().startswith(b"%PDF")


@needs_dot
def test_jupyter_shows_the_graph_as_svg():
    bundle = draw_dot(expression()[0])._repr_mimebundle_()
    assert list(bundle) == ["image/svg+xml"]
    root = ET.fromstring(bundle["image/svg+xml"])
    assert len([g for g in root.iter(f"{SVG}g") if g.get("class") == "node"]) == 10


def test_save_refuses_other_suffixes_and_non_graphs(tmp_path):
    with pytest.raises(ValueError, match=r"\.svg, \.png or \.pdf, got .*g\.jpg"):
        save(draw_dot(expression()[0]), tmp_path / "g.jpg")
    with pytest.raises(TypeError, match="graph must be a graphviz graph, got Value"):
        save(Value(1.0), tmp_path / "g.svg")


def test_missing_dot_builds_graphs_but_rendering_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", "")
    L, _ = expression()
    graph = draw_dot(L)  # building needs no Graphviz program
    assert len(records(graph)) == 7
    assert "L = d * f" in trace_text(L)
    for render in (
        lambda: save(graph, tmp_path / "g.svg"),
        graph._repr_mimebundle_,
        graph.pipe,
        lambda: save_backprop_animation(L, tmp_path / "frames"),
    ):
        with pytest.raises(GraphvizNotFoundError) as caught:
            render()
        message = str(caught.value)
        assert isinstance(caught.value, RuntimeError)
        assert not isinstance(caught.value, graphviz.ExecutableNotFound)
        for hint in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
            assert hint in message
    assert not (tmp_path / "g.svg").exists()


# --- backprop frames -------------------------------------------------------------------


def test_one_frame_per_op_node_with_the_grads_of_backward():
    root = reused()
    order = root._topological_order()
    frames = list(backprop_steps(root))
    assert len(frames) == sum(1 for node in order if node._prev)
    assert all(node.grad == 0.0 for node in order)  # drawing frames touched no .grad

    root.backward()
    last = records(frames[-1])
    assert len(last) == len(order)
    for node, name in names_of(order).items():
        assert last[name]["exact"] == (node.data, node.grad), name  # the same arithmetic
        assert float(last[name]["grad"]) == pytest.approx(node.grad, rel=5e-4), name


def test_frames_follow_reverse_topological_order_and_highlight_the_step():
    root = reused()
    order = root._topological_order()
    ids = {node: f"v{i}" for i, node in enumerate(order)}
    steps = [node for node in reversed(order) if node._prev]
    for number, (frame, node) in enumerate(zip(backprop_steps(root), steps), 1):
        assert f"Step {number} of {len(steps)}" in frame.source
        current = [line for line in frame.body if CURRENT_FILL in line and "->" not in line]
        assert sorted(re.match(r"\t(\w+)", line)[1] for line in current) == sorted(
            [ids[node], ids[node] + "_op"]
        )
        for child in node._prev:
            (line,) = [x for x in frame.body if x.startswith(f"\t{ids[child]} [")]
            assert RECEIVING_FILL in line


def test_frames_run_the_engines_own_step(monkeypatch):
    L, nodes = expression()
    stepped = []
    step = Value._backward
    monkeypatch.setattr(Value, "_backward", lambda node: (stepped.append(node), step(node))[1])
    frames = list(backprop_steps(L))
    assert stepped == [nodes["L"], nodes["d"], nodes["e"]] and len(frames) == 3
    assert all(node.grad == 0.0 for node in nodes.values())


def test_frames_leave_existing_grads_alone():
    L, v = expression()
    L.backward()
    L.backward()  # inputs now hold doubled (accumulated) grads
    before = {name: node.grad for name, node in v.items()}
    last = records(list(backprop_steps(L))[-1])
    assert {name: node.grad for name, node in v.items()} == before
    assert last["a"]["grad"] == "6"  # the frames show one pass from zero
    assert before["a"] == 12.0


def test_frame_captions_spell_out_the_chain_rule():
    L, _ = expression()
    first = next(iter(backprop_steps(L)))
    assert "d.grad += ∂L/∂d × L.grad = -2 × 1" in first.source
    assert "f.grad += ∂L/∂f × L.grad = 4 × 1" in first.source


@needs_dot
def test_animation_writes_numbered_svgs_and_a_gif(tmp_path):
    Image = pytest.importorskip("PIL.Image")
    L, _ = expression()
    written = save_backprop_animation(L, tmp_path / "anim")
    names = [p.name for p in written]
    assert names == ["step_001.svg", "step_002.svg", "step_003.svg", "backprop.gif"]
    for path in written[:-1]:
        ET.parse(path)
    with Image.open(written[-1]) as gif:
        assert gif.n_frames == 3
        assert gif.info["loop"] == 0


@needs_dot
def test_animation_to_a_gif_path(tmp_path):
    pytest.importorskip("PIL.Image")
    L, _ = expression()
    written = save_backprop_animation(L, tmp_path / "out" / "bp.gif")
    assert written[-1] == tmp_path / "out" / "bp.gif"
    assert {p.parent.name for p in written[:-1]} == {"bp_frames"}


@pytest.mark.parametrize("target", ["x.gif", "frames"])
def test_animation_without_pillow_names_the_extra_and_writes_nothing(tmp_path, monkeypatch, target):
    monkeypatch.setitem(sys.modules, "PIL", None)  # as if Pillow were not installed
    L, _ = expression()
    with pytest.raises(ImportError, match=re.escape("pip install 'tapegrad[gif]'")):
        save_backprop_animation(L, tmp_path / target)
    assert list(tmp_path.iterdir()) == []


def test_animation_refuses_a_non_gif_file_path(tmp_path):
    with pytest.raises(ValueError, match="folder or a .gif"):
        save_backprop_animation(expression()[0], tmp_path / "anim.png")
    with pytest.raises(ValueError, match="seconds_per_step must be > 0"):
        save_backprop_animation(expression()[0], tmp_path / "anim", seconds_per_step=0)
    with pytest.raises(TypeError, match="seconds_per_step must be a number, got str"):
        save_backprop_animation(expression()[0], tmp_path / "anim", seconds_per_step="2")
    with pytest.raises(ValueError, match="root is an input"):
        save_backprop_animation(Value(1.0), tmp_path / "anim")
    assert list(backprop_steps(Value(1.0))) == []
    assert not (tmp_path / "anim").exists()


# --- the text form -------------------------------------------------------------------


def test_print_graph_lists_each_node_once_operands_first(capsys):
    root = reused()
    root.backward()
    print_graph(root)
    text = capsys.readouterr().out
    assert text == trace_text(root) + "\n"
    lines = text.splitlines()
    names = [line.split(" = ")[0] for line in lines]
    assert len(names) == len(set(names)) == len(root._topological_order())
    for i, line in enumerate(lines):
        rhs = line.split(" = ", 1)[1].split("   (")[0]
        for token in re.findall(r"[A-Za-z_]\w*", rhs):
            if token in names:
                assert names.index(token) < i, line
    assert re.search(r"^v\d+ = a \*\* 3 +\(data=0\.343, grad=", text, re.M)
    assert re.search(r"^v\d+ = leaky_relu\(v\d+, 0\.1\) ", text, re.M)
    assert re.search(r"^v\d+ = tanh\(v\d+\) ", text, re.M)


def test_trace_text_numbers_match_the_graph():
    L, v = expression()
    L.backward()
    lines = dict(line.split(" = ", 1) for line in trace_text(L).splitlines())
    assert lines["e"].startswith("a * b") and lines["L"].startswith("d * f")
    for name, node in v.items():
        numbers = re.search(r"\(data=(\S+), grad=(\S+)\)", lines[name]).groups()
        assert tuple(map(float, numbers)) == (node.data, node.grad)
    with pytest.raises(TypeError, match="root must be a Value"):
        trace_text([L])


def test_negative_zero_and_tiny_numbers_print_plainly():
    assert fmt(-0.0) == "0"
    assert fmt(1e-7) == "1e-07"
    assert fmt(math.pi) == "3.142"
