"""EurekaLabs' micrograd course script (github.com/EurekaLabsAI/micrograd, ``micrograd.py``).

The script writes its own ``class Value``; here that is the import line
``from autograd import Value``, and the rest is the script: its
``utils.py`` helpers (RNG, yin-yang data, ``vis_color``, ``draw_dot``), its
Module/Neuron/Layer/MLP, its cross-entropy, its ``AdamW`` (which keeps the
moments on the parameters: ``p.m = 0``) and its training loop. It prints no
recorded numbers, so its losses are checked against the same model trained
by tapegrad's ``nn`` (``Sequential`` of ``Linear`` and ``Tanh``, ``nn.AdamW``,
``nn.CrossEntropyLoss``) and by PyTorch (``nn.to_torch``, ``torch.optim.AdamW``)
from the same starting numbers.
"""

import io
import math
from contextlib import redirect_stdout

import pytest

import nn as tapegrad_nn
from autograd import Value

# --- utils.py ---------------------------------------------------------------------------------


# class that mimics the random interface in Python, fully deterministic,
# and in a way that we also control fully, and can also use in C, etc.
class RNG:
    def __init__(self, seed):
        self.state = seed

    def random_u32(self):
        # xorshift rng: https://en.wikipedia.org/wiki/Xorshift#xorshift.2A
        # doing & 0xFFFFFFFFFFFFFFFF is the same as cast to uint64 in C
        # doing & 0xFFFFFFFF is the same as cast to uint32 in C
        self.state ^= (self.state >> 12) & 0xFFFFFFFFFFFFFFFF
        self.state ^= (self.state << 25) & 0xFFFFFFFFFFFFFFFF
        self.state ^= (self.state >> 27) & 0xFFFFFFFFFFFFFFFF
        return ((self.state * 0x2545F4914F6CDD1D) >> 32) & 0xFFFFFFFF

    def random(self):
        # random float32 in [0, 1)
        return (self.random_u32() >> 8) / 16777216.0

    def uniform(self, a=0.0, b=1.0):
        # random float32 in [a, b)
        return a + (b - a) * self.random()


# Generates the Yin Yang dataset.
# Thank you https://github.com/lkriener/yin_yang_data_set
def gen_data_yinyang(random: RNG, n=1000, r_small=0.1, r_big=0.5):
    pts = []

    def dist_to_right_dot(x, y):
        return ((x - 1.5 * r_big) ** 2 + (y - r_big) ** 2) ** 0.5

    def dist_to_left_dot(x, y):
        return ((x - 0.5 * r_big) ** 2 + (y - r_big) ** 2) ** 0.5

    def which_class(x, y):
        d_right = dist_to_right_dot(x, y)
        d_left = dist_to_left_dot(x, y)
        criterion1 = d_right <= r_small
        criterion2 = d_left > r_small and d_left <= 0.5 * r_big
        criterion3 = y > r_big and d_right > 0.5 * r_big
        is_yin = criterion1 or criterion2 or criterion3
        is_circles = d_right < r_small or d_left < r_small

        if is_circles:
            return 2
        return 0 if is_yin else 1

    def get_sample(goal_class=None):
        while True:
            x = random.uniform(0, 2 * r_big)
            y = random.uniform(0, 2 * r_big)
            if ((x - r_big) ** 2 + (y - r_big) ** 2) ** 0.5 > r_big:
                continue
            c = which_class(x, y)
            if goal_class is None or c == goal_class:
                scaled_x = (x / r_big - 1) * 2
                scaled_y = (y / r_big - 1) * 2
                return [scaled_x, scaled_y, c]

    for i in range(n):
        goal_class = i % 3
        x, y, c = get_sample(goal_class)
        pts.append([[x, y], c])

    tr = pts[: int(0.8 * n)]
    val = pts[int(0.8 * n) : int(0.9 * n)]
    te = pts[int(0.9 * n) :]
    return tr, val, te


def vis_color(nodes, color):
    # colors a set of nodes (for visualization)
    for n in nodes:
        n._vis_color = color


def trace(root):
    # traces the full graph of nodes and edges starting from the root
    nodes, edges = [], []

    def build(v):
        if v not in nodes:
            nodes.append(v)
            for child in v._prev:
                if (child, v) not in edges:
                    edges.append((child, v))
                build(child)

    build(root)
    return nodes, edges


def draw_dot(root, format="svg", rankdir="LR", outfile="graph"):
    """
    format: png | svg | ...
    rankdir: TB (top to bottom graph) | LR (left to right)
    """
    # brew install graphviz
    # pip install graphviz
    from graphviz import Digraph

    assert rankdir in ["LR", "TB"]
    nodes, edges = trace(root)
    dot = Digraph(
        format=format, graph_attr={"rankdir": rankdir, "nodesep": "0.1", "ranksep": "0.4"}
    )

    for n in nodes:
        fillcolor = n._vis_color if hasattr(n, "_vis_color") else "white"
        dot.node(
            name=str(id(n)),
            label="data: %.4f\ngrad: %.4f" % (n.data, n.grad),
            shape="box",
            style="filled",
            fillcolor=fillcolor,
            width="0.1",
            height="0.1",
            fontsize="10",
        )
        if n._op:
            dot.node(name=str(id(n)) + n._op, label=n._op, width="0.1", height="0.1", fontsize="10")
            dot.edge(str(id(n)) + n._op, str(id(n)), minlen="1")

    for n1, n2 in edges:
        dot.edge(str(id(n1)), str(id(n2)) + n2._op, minlen="1")

    print("found a total of ", len(nodes), "nodes and", len(edges), "edges")
    print("saving graph to", outfile + "." + format)
    dot.render(outfile, format=format)
    return dot  # (added: the script only writes the file; the test reads the picture)


# --- micrograd.py -----------------------------------------------------------------------------

random = RNG(42)


class Module:
    def zero_grad(self):
        for p in self.parameters():
            p.grad = 0

    def parameters(self):
        return []


class Neuron(Module):
    def __init__(self, nin, nonlin=True):
        self.w = [Value(random.uniform(-1, 1) * nin**-0.5) for _ in range(nin)]
        self.b = Value(0)
        self.nonlin = nonlin
        # color the neuron params light green (only used in graphviz visualization)
        vis_color([self.b] + self.w, "lightgreen")

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.tanh() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]

    def __repr__(self):
        return f"{'TanH' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    def __init__(self, nin, nout, **kwargs):
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]

    def __repr__(self):
        return f"Layer of [{', '.join(str(n) for n in self.neurons)}]"


class MLP(Module):
    def __init__(self, nin, nouts):
        sz = [nin] + nouts
        self.layers = [
            Layer(sz[i], sz[i + 1], nonlin=i != len(nouts) - 1) for i in range(len(nouts))
        ]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self):
        return f"MLP of [{', '.join(str(layer) for layer in self.layers)}]"


# loss function: the negative log likelihood (NLL) loss
# NLL loss = CrossEntropy loss when the targets are one-hot vectors
# same as PyTorch's F.cross_entropy


def cross_entropy(logits, target):
    # subtract the max for numerical stability (avoids overflow)
    # commenting these two lines out to get a cleaner visualization
    # max_val = max(val.data for val in logits)
    # logits = [val - max_val for val in logits]
    # 1) evaluate elementwise e^x
    ex = [x.exp() for x in logits]
    # 2) compute the sum of the above
    denom = sum(ex)
    # 3) normalize by the sum to get probabilities
    probs = [x / denom for x in ex]
    # 4) log the probabilities at target
    logp = (probs[target]).log()
    # 5) the negative log likelihood loss (invert so we get a loss - lower is better)
    nll = -logp
    return nll


# The AdamW optimizer, same as PyTorch optim.AdamW


class AdamW:
    def __init__(self, parameters, lr=1e-1, betas=(0.9, 0.95), eps=1e-8, weight_decay=0.0):
        self.parameters = parameters
        self.lr = lr
        self.beta1, self.beta2 = betas
        self.eps = eps
        self.weight_decay = weight_decay
        # state of the optimizer
        self.t = 0  # step counter
        for p in self.parameters:
            p.m = 0  # first moment
            p.v = 0  # second moment

    def step(self):
        self.t += 1
        for p in self.parameters:
            if p.grad is None:
                continue
            p.m = self.beta1 * p.m + (1 - self.beta1) * p.grad
            p.v = self.beta2 * p.v + (1 - self.beta2) * (p.grad**2)
            m_hat = p.m / (1 - self.beta1**self.t)
            v_hat = p.v / (1 - self.beta2**self.t)
            p.data -= self.lr * (m_hat / (v_hat**0.5 + 1e-8) + self.weight_decay * p.data)

    def zero_grad(self):
        for p in self.parameters:
            p.grad = 0


def loss_fun(model, split):
    # evaluate the loss function on a given data split
    total_loss = Value(0.0)
    for x, y in split:
        logits = model(x)
        loss = cross_entropy(logits, y)
        total_loss = total_loss + loss
    mean_loss = total_loss * (1.0 / len(split))
    return mean_loss


# --- the test ---------------------------------------------------------------------------------

NUM_STEPS = 100


def _as_sequential(model):
    """The script's MLP as tapegrad's nn: Linear → Tanh → Linear, with its numbers."""
    first, last = model.layers
    seq = tapegrad_nn.Sequential(
        tapegrad_nn.Linear(2, 8), tapegrad_nn.Tanh(), tapegrad_nn.Linear(8, 3)
    )
    for ours, theirs in [(seq[0], first), (seq[2], last)]:
        for row, bias, neuron in zip(ours.weight, ours.bias, theirs.neurons):
            for w, v in zip(row, neuron.w):
                w.data = v.data
            bias.data = float(neuron.b.data)
    return seq


def _tapegrad_losses(seq, train_split):
    optimizer = tapegrad_nn.AdamW(seq.parameters(), lr=1e-1, betas=(0.9, 0.95), weight_decay=1e-4)
    criterion = tapegrad_nn.CrossEntropyLoss()
    losses = []
    for _ in range(NUM_STEPS):
        logits = seq.forward_batch([x for x, _ in train_split])
        loss = criterion(logits, [y for _, y in train_split])
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.data)
    return losses


def _torch_losses(seq, train_split):
    torch = pytest.importorskip("torch")
    model = tapegrad_nn.to_torch(seq)
    optimizer = torch.optim.AdamW(
        model.parameters(), lr=1e-1, betas=(0.9, 0.95), eps=1e-8, weight_decay=1e-4
    )
    X = torch.tensor([x for x, _ in train_split], dtype=torch.float64)
    y = torch.tensor([y for _, y in train_split])
    losses = []
    for _ in range(NUM_STEPS):
        loss = torch.nn.functional.cross_entropy(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(loss.item())
    return losses


def test_script_trains_and_draws_as_with_its_own_value(tmp_path, monkeypatch):
    global random
    random = RNG(42)
    monkeypatch.chdir(tmp_path)  # the script saves graph.svg in the working directory
    out = io.StringIO()
    with redirect_stdout(out):
        # generate a dataset with 100 2-dimensional datapoints in 3 classes
        train_split, val_split, _test_split = gen_data_yinyang(random, n=100)

        # init the model: 2D inputs, 8 neurons, 3 outputs (logits)
        model = MLP(2, [8, 3])
        seq = _as_sequential(model)

        # optimize using AdamW
        optimizer = AdamW(model.parameters(), lr=1e-1, weight_decay=1e-4)

        # train the network
        num_steps = NUM_STEPS
        for step in range(num_steps):
            # evaluate the validation split every few steps
            if step % 10 == 0:
                val_loss = loss_fun(model, val_split)
                print(f"step {step + 1}/{num_steps}, val loss {val_loss.data:.6f}")

            # forward the network and the loss and all training datapoints
            loss = loss_fun(model, train_split)
            # backward pass (calculate the gradient of the loss w.r.t. the model parameters)
            loss.backward()
            # update model parameters
            optimizer.step()
            optimizer.zero_grad()
            # print some stats
            print(f"step {step + 1}/{num_steps}, train loss {loss.data}")

        # (optional) visualization at the end: take origin (0,0) and draw the computational graph
        x, y = (Value(0.0), Value(0.0)), 0
        loss = loss_fun(model, [(x, y)])
        loss.backward()
        try:
            vis_color(x, "lightblue")  # color the inputs light blue in the visualization
            dot = draw_dot(loss)
        except Exception:
            print("graphviz not installed? skipped visualization")

    lines = out.getvalue().splitlines()
    train = [float(line.split()[-1]) for line in lines if "train loss" in line]
    assert len(train) == NUM_STEPS and train[-1] < train[0] / 2  # it learns
    assert "graphviz not installed? skipped visualization" not in lines
    assert lines[-1] == "saving graph to graph.svg" and (tmp_path / "graph.svg").exists()
    assert "fillcolor=lightgreen" in dot.source and "fillcolor=lightblue" in dot.source
    assert "label=exp" in dot.source and "label=log" in dot.source

    # The same model and optimizer in tapegrad's nn and in PyTorch: the same losses.
    theirs_torch = _torch_losses(seq, train_split)  # trains a copy (to_torch copies)
    for reference in (theirs_torch, _tapegrad_losses(seq, train_split)):
        for step, (ours, theirs) in enumerate(zip(train, reference)):
            assert math.isclose(ours, theirs, rel_tol=1e-10), f"step {step + 1}"
