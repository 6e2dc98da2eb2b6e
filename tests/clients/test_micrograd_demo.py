"""micrograd's notebooks (github.com/karpathy/micrograd: ``demo.ipynb``, ``trace_graph.ipynb``).

The cells are micrograd's, with only the import lines changed; the numbers
they printed when the notebook was saved are kept below and must come out
again: the accuracies exactly, the losses to 1e-12. (micrograd keeps a node's
operands in a set, so the order it sums gradients in, and with it the last
digit or two, changes from one run to the next: micrograd itself reproduces
its notebook only that far.)
"""

import io
import random
import re
from contextlib import redirect_stdout

import numpy as np
import pytest
from graphviz import Digraph

import nn
from autograd import Value
from nn import MLP

# The notebook's recorded output of its optimization cell.
RECORDED_STEPS = """\
step 0 loss 0.8958441028683222, accuracy 50.0%
step 1 loss 1.7235905336972022, accuracy 81.0%
step 2 loss 0.7429006313851131, accuracy 77.0%
step 3 loss 0.7705641260584198, accuracy 82.0%
step 4 loss 0.3692793385976538, accuracy 84.0%
step 5 loss 0.313545481918522, accuracy 86.0%
step 6 loss 0.2814234349772435, accuracy 89.0%
step 7 loss 0.26888733313983904, accuracy 91.0%
step 8 loss 0.2567147286057417, accuracy 91.0%
step 9 loss 0.2704862551637922, accuracy 91.0%
step 10 loss 0.24507023853658053, accuracy 91.0%
step 11 loss 0.2509905529791503, accuracy 92.0%
step 12 loss 0.21560951851922952, accuracy 91.0%
step 13 loss 0.23090378446402726, accuracy 93.0%
step 14 loss 0.20152151227899445, accuracy 92.0%
step 15 loss 0.22574506279282217, accuracy 93.0%
step 16 loss 0.19447987596204114, accuracy 92.0%
step 17 loss 0.21089496199246363, accuracy 93.0%
step 18 loss 0.159830773563036, accuracy 94.0%
step 19 loss 0.1845374874688392, accuracy 93.0%
step 20 loss 0.18977522856087634, accuracy 91.0%
step 21 loss 0.19072704042579647, accuracy 93.0%
step 22 loss 0.11733695088756485, accuracy 97.0%
step 23 loss 0.12173524408232454, accuracy 95.0%
step 24 loss 0.1261571261277045, accuracy 95.0%
step 25 loss 0.16049097780801674, accuracy 95.0%
step 26 loss 0.18747197705245805, accuracy 92.0%
step 27 loss 0.16741837891059408, accuracy 95.0%
step 28 loss 0.09586583491455399, accuracy 97.0%
step 29 loss 0.0877878370742091, accuracy 96.0%
step 30 loss 0.11731297569011848, accuracy 95.0%
step 31 loss 0.09340146460619836, accuracy 97.0%
step 32 loss 0.12454454903103446, accuracy 95.0%
step 33 loss 0.07984002652777272, accuracy 97.0%
step 34 loss 0.07727519232921673, accuracy 97.0%
step 35 loss 0.07661250143094483, accuracy 98.0%
step 36 loss 0.10610492379198365, accuracy 96.0%
step 37 loss 0.09062808429265976, accuracy 99.0%
step 38 loss 0.10671887043036932, accuracy 95.0%
step 39 loss 0.05225659921975849, accuracy 98.0%
step 40 loss 0.06016009895234464, accuracy 100.0%
step 41 loss 0.08596724533333942, accuracy 96.0%
step 42 loss 0.051121079431796, accuracy 99.0%
step 43 loss 0.052401424016428284, accuracy 97.0%
step 44 loss 0.045306841790015734, accuracy 100.0%
step 45 loss 0.07211073370655095, accuracy 97.0%
step 46 loss 0.03334238651310234, accuracy 99.0%
step 47 loss 0.03143222795751122, accuracy 100.0%
step 48 loss 0.03658536747111507, accuracy 99.0%
step 49 loss 0.04829139382390309, accuracy 99.0%
step 50 loss 0.09875114765619622, accuracy 96.0%
step 51 loss 0.05449063965875453, accuracy 99.0%
step 52 loss 0.03392679435708309, accuracy 100.0%
step 53 loss 0.05261517263568441, accuracy 97.0%
step 54 loss 0.03250295251424923, accuracy 99.0%
step 55 loss 0.02888327387207822, accuracy 100.0%
step 56 loss 0.04139151104027239, accuracy 98.0%
step 57 loss 0.018987407426128502, accuracy 100.0%
step 58 loss 0.0252383352388374, accuracy 100.0%
step 59 loss 0.02079656521341895, accuracy 100.0%
step 60 loss 0.0325971115781023, accuracy 99.0%
step 61 loss 0.017863351693480307, accuracy 100.0%
step 62 loss 0.023008717832211683, accuracy 100.0%
step 63 loss 0.022079325463581503, accuracy 100.0%
step 64 loss 0.029432917853529684, accuracy 99.0%
step 65 loss 0.01625151464409193, accuracy 100.0%
step 66 loss 0.02846853448326446, accuracy 99.0%
step 67 loss 0.013994365546208731, accuracy 100.0%
step 68 loss 0.015552344843651405, accuracy 100.0%
step 69 loss 0.0338911994616017, accuracy 99.0%
step 70 loss 0.014229870065926908, accuracy 100.0%
step 71 loss 0.013255281583285504, accuracy 100.0%
step 72 loss 0.012300277590022063, accuracy 100.0%
step 73 loss 0.012676052498355976, accuracy 100.0%
step 74 loss 0.020593811955954763, accuracy 100.0%
step 75 loss 0.011845398205364453, accuracy 100.0%
step 76 loss 0.016012697472883086, accuracy 100.0%
step 77 loss 0.025458360239222128, accuracy 100.0%
step 78 loss 0.014382930289661911, accuracy 100.0%
step 79 loss 0.011698962425817985, accuracy 100.0%
step 80 loss 0.012318500800515763, accuracy 100.0%
step 81 loss 0.014121117031464233, accuracy 100.0%
step 82 loss 0.011664591962446225, accuracy 100.0%
step 83 loss 0.011589314549188726, accuracy 100.0%
step 84 loss 0.010990299347735226, accuracy 100.0%
step 85 loss 0.01098922672069161, accuracy 100.0%
step 86 loss 0.010988193757655071, accuracy 100.0%
step 87 loss 0.010987200447388707, accuracy 100.0%
step 88 loss 0.010986246779084925, accuracy 100.0%
step 89 loss 0.010985332742365272, accuracy 100.0%
step 90 loss 0.010984458327280174, accuracy 100.0%
step 91 loss 0.010983623524308862, accuracy 100.0%
step 92 loss 0.010982828324359073, accuracy 100.0%
step 93 loss 0.010982072718767003, accuracy 100.0%
step 94 loss 0.010981356699297042, accuracy 100.0%
step 95 loss 0.010980680258141723, accuracy 100.0%
step 96 loss 0.010980043387921506, accuracy 100.0%
step 97 loss 0.010979446081684675, accuracy 100.0%
step 98 loss 0.010978888332907229, accuracy 100.0%
step 99 loss 0.010978370135492717, accuracy 100.0%
"""


def _steps(text):
    """(step, loss, accuracy) from the lines "step k loss x, accuracy a%"."""
    rows = []
    for line in text.splitlines():
        _, k, _, loss, _, accuracy = line.split()
        rows.append((int(k), float(loss.rstrip(",")), accuracy))
    return rows


@pytest.mark.slow
def test_demo_notebook_prints_its_recorded_numbers():
    sklearn_datasets = pytest.importorskip("sklearn.datasets")
    make_moons = sklearn_datasets.make_moons

    np.random.seed(1337)
    random.seed(1337)

    # make up a dataset
    X, y = make_moons(n_samples=100, noise=0.1)

    y = y * 2 - 1  # make y be -1 or 1

    # initialize a model
    model = MLP(2, [16, 16, 1])  # 2-layer neural network
    # Deliberate difference: print(model) shows PyTorch's layout, "MLP(\n  (layers.0): Layer(
    # in_features=2, out_features=16, activation='relu') ...", not micrograd's "MLP of [Layer of
    # [ReLUNeuron(2), ...". The parameter count is micrograd's.
    assert len(model.parameters()) == 337  # "number of parameters 337"

    # loss function
    def loss(batch_size=None):
        # inline DataLoader :)
        if batch_size is None:
            Xb, yb = X, y
        else:
            ri = np.random.permutation(X.shape[0])[:batch_size]
            Xb, yb = X[ri], y[ri]
        inputs = [list(map(Value, xrow)) for xrow in Xb]

        # forward the model to get scores
        scores = list(map(model, inputs))

        # svm "max-margin" loss
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(yb, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        # L2 regularization
        alpha = 1e-4
        reg_loss = alpha * sum(p * p for p in model.parameters())
        total_loss = data_loss + reg_loss

        # also get accuracy
        accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(yb, scores)]
        return total_loss, sum(accuracy) / len(accuracy)

    total_loss, acc = loss()
    # Recorded: "Value(data=0.8958441028683222, grad=0) 0.5". Deliberate difference: the
    # repr shows the gradient as the float it is (grad=0.0), as PyTorch would.
    assert str(total_loss) == "Value(data=0.8958441028683222, grad=0.0)" and acc == 0.5

    printed = io.StringIO()
    with redirect_stdout(printed):
        # optimization
        for k in range(100):
            # forward
            total_loss, acc = loss()

            # backward
            model.zero_grad()
            total_loss.backward()

            # update (sgd)
            learning_rate = 1.0 - 0.9 * k / 100
            for p in model.parameters():
                p.data -= learning_rate * p.grad

            if k % 1 == 0:
                print(f"step {k} loss {total_loss.data}, accuracy {acc * 100}%")

    ours, recorded = _steps(printed.getvalue()), _steps(RECORDED_STEPS)
    assert [(k, a) for k, _, a in ours] == [(k, a) for k, _, a in recorded]
    for (k, loss_ours, _), (_, loss_recorded, _) in zip(ours, recorded):
        assert abs(loss_ours - loss_recorded) <= 1e-12 * loss_recorded, f"step {k}"


# --- trace_graph.ipynb ------------------------------------------------------------------------

# The node boxes of gout.svg, the picture the notebook rendered (the neuron cell), and its ops.
RECORDED_BOXES = [
    ("0.1024", "1.0000"), ("0.2355", "1.0000"), ("1.0000", "0.2355"), ("-0.1331", "1.0000"),
    ("0.0000", "1.0000"), ("0.0665", "-2.0000"), ("0.2355", "1.0000"), ("-2.0000", "0.0665"),
    ("0.2355", "1.0000"), ("0.1024", "1.0000"),
]  # fmt: skip
RECORDED_OPS = ["ReLU", "+", "+", "*", "*"]


def trace(root):
    nodes, edges = set(), set()

    def build(v):
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def draw_dot(root, format="svg", rankdir="LR"):
    """
    format: png | svg | ...
    rankdir: TB (top to bottom graph) | LR (left to right)
    """
    assert rankdir in ["LR", "TB"]
    nodes, edges = trace(root)
    dot = Digraph(format=format, graph_attr={"rankdir": rankdir})  # , node_attr={'rankdir': 'TB'})

    for n in nodes:
        dot.node(
            name=str(id(n)), label="{ data %.4f | grad %.4f }" % (n.data, n.grad), shape="record"
        )
        if n._op:
            dot.node(name=str(id(n)) + n._op, label=n._op)
            dot.edge(str(id(n)) + n._op, str(id(n)))

    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op)

    return dot


def _boxes_and_ops(dot):
    boxes = re.findall(r"label=\"\{ data (\S+) \| grad (\S+) \}\"", dot.source)
    ops = re.findall(r"label=\"?([^\"{\s\]]+)\"?\]", dot.source)
    return sorted(boxes), sorted(ops)


def test_trace_graph_notebook_draws_its_recorded_graph():
    # a very simple example
    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = draw_dot(y)
    assert _boxes_and_ops(dot) == (
        sorted([("1.0000", "2.0000"), ("2.0000", "1.0000"), ("2.0000", "1.0000"),
                ("1.0000", "1.0000"), ("3.0000", "1.0000"), ("3.0000", "1.0000")]),
        sorted(["*", "+", "ReLU"]),
    )  # fmt: skip

    # a simple 2D neuron
    random.seed(1337)
    n = nn.Neuron(2)
    x = [Value(1.0), Value(-2.0)]
    y = n(x)
    y.backward()

    dot = draw_dot(y)
    assert _boxes_and_ops(dot) == (sorted(RECORDED_BOXES), sorted(RECORDED_OPS))


def test_tapegrad_draw_dot_takes_the_notebooks_positional_arguments():
    """The notebook's own draw_dot replaced by tapegrad's: same call, same picture settings."""
    from autograd.viz import draw_dot as tapegrad_draw_dot

    x = Value(1.0)
    y = (x * 2 + 1).relu()
    y.backward()
    dot = tapegrad_draw_dot(y, "png", "TB")
    assert dot.format == "png"
    assert "rankdir=TB" in dot.source
