"""Write the teaching notebooks in ``notebooks/`` from the cells listed here.

Each notebook teaches one lesson of the tutorial texts with tapegrad doing the
work. Keeping their cells in this one script makes them reviewable as plain
text; the ``.ipynb`` files are written without outputs, and
``tests/test_notebooks.py`` checks that they match this script.

Run from the repository root::

    python scripts/make_notebooks.py          # (re)write notebooks/*.ipynb
    python scripts/make_notebooks.py --check  # exit 1 if a notebook is out of date
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from autograd.files import atomic_write

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"


def md(text: str) -> nbformat.NotebookNode:
    return new_markdown_cell(textwrap.dedent(text).strip())


def code(text: str) -> nbformat.NotebookNode:
    return new_code_cell(textwrap.dedent(text).strip())


# --- 1. Value and the chain rule -------------------------------------------------------

VALUE_AND_CHAIN_RULE = [
    md(
        """
        # 1. A `Value` and the chain rule

        Backpropagation is the chain rule, applied to a graph in the right order.
        In this notebook you will

        * build an expression out of `Value`s and **see** its graph,
        * backpropagate through it **by hand**, step by step, then watch `backward()`
          do the same steps,
        * check the chain rule for a variable reaching the result along **two paths**,
        * check the gradients against **finite differences**.
        """
    ),
    code(
        """
        from IPython.display import display

        from autograd import Value, draw_dot, gradcheck, print_graph
        from autograd.check import numerical_gradient
        from autograd.viz import backprop_steps
        """
    ),
    md(
        """
        ## Build an expression

        Every operation on `Value`s returns a new `Value` that remembers its operands
        and the op that made it. So writing the formula L = (a·b + c)·f builds a graph.
        Labels are only names for the pictures.
        """
    ),
    code(
        """
        a = Value(2.0, label="a")
        b = Value(-3.0, label="b")
        c = Value(10.0, label="c")
        f = Value(-2.0, label="f")
        e = a * b
        e.label = "e"
        d = e + c
        d.label = "d"
        L = d * f
        L.label = "L"
        print(L)
        draw_dot(L, show_grad=False)
        """
    ),
    md(
        """
        Boxes are values (blue: inputs), circles are ops, arrows follow the data
        forward. The same graph as text is a *Wengert list*: one assignment per node,
        every operand before the result that uses it.
        """
    ),
    code("print_graph(L)"),
    md(
        """
        ## Backpropagation by hand

        We want dL/dx for every input x. Start at the top, where dL/dL = 1, and walk
        back one op at a time. At each op, an operand gets the op's **local
        derivative** times the gradient that already reached the op's result:

        $$\\frac{\\partial L}{\\partial \\text{operand}}
          = \\frac{\\partial\\, \\text{result}}{\\partial \\text{operand}}
            \\cdot \\frac{\\partial L}{\\partial\\, \\text{result}}$$

        * L = d·f: ∂L/∂d = f = −2 and ∂L/∂f = d = 4.
        * d = e + c: an addition passes the gradient through, so dL/de = dL/dc = −2.
        * e = a·b: ∂e/∂a = b, ∂e/∂b = a, so dL/da = (−3)·(−2) = 6 and dL/db = 2·(−2) = −4.
        """
    ),
    code(
        """
        dL_dL = 1.0
        dL_dd, dL_df = f.data * dL_dL, d.data * dL_dL  # L = d * f
        dL_de, dL_dc = 1.0 * dL_dd, 1.0 * dL_dd  # d = e + c
        dL_da, dL_db = b.data * dL_de, a.data * dL_de  # e = a * b
        print(f"by hand: dL/da = {dL_da}, dL/db = {dL_db}, dL/dc = {dL_dc}, dL/df = {dL_df}")
        """
    ),
    md(
        """
        ## Watch `backward()` take the same steps

        `backprop_steps(L)` draws one picture per step of `backward()`. Orange: the
        op whose chain rule is applied now; yellow: its operands, receiving
        gradient; green: gradients that are complete. (It computes the gradients on
        the side: the graph's own `.grad` stay untouched.)
        """
    ),
    code(
        """
        for frame in backprop_steps(L):
            display(frame)
        """
    ),
    md("Now the real thing, in one call:"),
    code(
        """
        L.backward()
        print(f"backward(): dL/da = {a.grad}, dL/db = {b.grad}, dL/dc = {c.grad}, dL/df = {f.grad}")
        assert (a.grad, b.grad, c.grad, f.grad) == (dL_da, dL_db, dL_dc, dL_df)
        draw_dot(L)
        """
    ),
    md(
        """
        ## Two paths: the chain rule with several variables

        If Z = h(X, Y) where X = f(t) and Y = g(t), then t changes Z along two
        paths, and the derivative sums them:

        $$\\frac{dZ}{dt} = \\frac{\\partial Z}{\\partial X}\\frac{dX}{dt}
          + \\frac{\\partial Z}{\\partial Y}\\frac{dY}{dt}$$

        Take X = t², Y = eᵗ and Z = X·Y at t = 1.5. By hand: ∂Z/∂X = Y, dX/dt = 2t,
        ∂Z/∂Y = X, dY/dt = eᵗ = Y.
        """
    ),
    code(
        """
        t = Value(1.5, label="t")
        X = t**2
        X.label = "X"
        Y = t.exp()
        Y.label = "Y"
        Z = X * Y
        Z.label = "Z"
        Z.backward()

        dZ_dX, dX_dt = Y.data, 2 * t.data
        dZ_dY, dY_dt = X.data, Y.data
        print(f"path through X: {dZ_dX * dX_dt:.6f}")
        print(f"path through Y: {dZ_dY * dY_dt:.6f}")
        print(f"sum:            {dZ_dX * dX_dt + dZ_dY * dY_dt:.6f}")
        print(f"backward():     {t.grad:.6f}")
        draw_dot(Z)
        """
    ),
    md(
        """
        Two arrows leave `t`, and its gradient is the sum of what comes back along
        both. That is why `backward()` visits the nodes in **reverse topological
        order**: a node passes its gradient on only after every node that uses it
        has passed it theirs, so its gradient is complete by then. The smallest
        example: `a` is used twice by `b`, and `b` twice by `c`, so c = 4a.
        """
    ),
    code(
        """
        a = Value(1.0, label="a")
        b = a + a
        c = b + b
        c.backward()
        print(f"c = 4a, and backward() gives dc/da = {a.grad}")
        """
    ),
    md(
        """
        ## Check with finite differences

        A derivative is a limit; the central difference (f(x + ε) − f(x − ε)) / 2ε
        approximates it with an error of order ε². `gradcheck` compares
        `backward()` with it for every input, and raises an error listing each
        mismatch.
        """
    ),
    code(
        """
        def z_of_t(t):
            return t**2 * t.exp()


        numeric = numerical_gradient(z_of_t, [1.5], 0)
        print(f"finite difference: {numeric:.8f}")
        print(f"backward():        {t.grad:.8f}")
        print(gradcheck(z_of_t, [1.5]))
        print(gradcheck(lambda a, b, c, f: (a * b + c) * f, [2.0, -3.0, 10.0, -2.0]))
        """
    ),
    md(
        """
        ## Gradients accumulate

        The graph's inputs (weights, data) **add** each `backward()` into their
        `.grad`, exactly like PyTorch's leaf tensors; intermediate nodes keep only
        the last pass. A training loop therefore calls `zero_grad()` before each
        step.
        """
    ),
    code(
        """
        x = Value(3.0, label="x")
        y = x * x
        y.backward()
        print("after one backward():", x.grad)
        y.backward()
        print("after two:", x.grad, "= 6 + 6")
        y.zero_grad()
        print("after zero_grad():", x.grad)
        """
    ),
    md(
        """
        ## What you saw

        * A `Value` records its operands and its op; an expression is a graph.
        * `backward()` applies the chain rule at each op, from the result back to the
          inputs, in reverse topological order, summing over every path.
        * Finite differences confirm the numbers.

        Next: a neuron, z = Σ xᵢwᵢ + b, and its activation functions.
        """
    ),
]

# --- 2. Neuron and activations ---------------------------------------------------------

NEURON_AND_ACTIVATIONS = [
    md(
        """
        # 2. A neuron and its activation functions

        A neuron takes a weighted sum of its inputs plus a bias, then applies an
        activation function:

        $$z = x_1 w_1 + x_2 w_2 + \\dots + x_n w_n + b, \\qquad \\text{out} = f(z)$$

        Each weight says how much its input matters; the bias shifts the result.
        In this notebook: a neuron's graph, the common activation functions with
        their derivatives (computed by tapegrad, not by formula), and why the
        activation must be non-linear.
        """
    ),
    code(
        """
        %matplotlib inline
        import matplotlib.pyplot as plt
        import numpy as np
        from IPython.display import display

        from autograd import Value, draw_dot
        from nn.data import DataLoader, xor
        from nn.functional import softmax
        from nn.losses import binary_cross_entropy_with_logits
        from nn.module import MLP, Neuron
        from nn.optim import Adam
        from nn.plot import plot_decision_boundary
        from nn.train import fit
        """
    ),
    md("## One neuron, by hand and by tapegrad"),
    code(
        """
        neuron = Neuron(3, activation=None, seed=0)  # a linear neuron: out = z
        x = [2.0, -1.0, 0.5]
        z = neuron(x)
        by_hand = sum(xi * wi.data for xi, wi in zip(x, neuron.w)) + neuron.b.data
        print("weights:", [round(w.data, 4) for w in neuron.w], " bias:", neuron.b.data)
        print(f"z by hand: {by_hand:.6f}   neuron(x): {z.data:.6f}")
        """
    ),
    md(
        """
        A neuron is made of `Value`s, so it has a graph. Here a tanh neuron with two
        inputs, after `backward()`: the weights `w.0`, `w.1` and the bias `b` are
        labelled with their names in the model. Each weight's gradient is
        (1 − out²)·xᵢ: tanh's local derivative times the input it multiplies.
        """
    ),
    code(
        """
        neuron = Neuron(2, activation="tanh", seed=1)
        out = neuron([1.0, -2.0])
        out.backward()
        draw_dot(out)
        """
    ),
    md(
        """
        ## Activation functions

        | Function | Use case | Formula |
        | --- | --- | --- |
        | ReLU | most common, fast | max(0, x) |
        | Sigmoid | binary classification | σ(x) = 1 / (1 + e⁻ˣ) |
        | Tanh | zero-centred | (eˣ − e⁻ˣ) / (eˣ + e⁻ˣ) |
        | Softmax | multi-class classification | turns logits into probabilities |

        For each x we build `Value(x)`, apply the function, call `backward()` and
        read the derivative from `x.grad`. No derivative is written in this notebook:
        the op table supplies each op's local derivative.
        """
    ),
    code(
        """
        xs = np.linspace(-4.0, 4.0, 161)


        def curve(activation):
            \"\"\"activation(x) and its derivative at every x of xs, from tapegrad.\"\"\"
            values, slopes = [], []
            for x0 in xs:
                x = Value(x0)
                y = activation(x)
                y.backward()
                values.append(y.data)
                slopes.append(x.grad)
            return np.array(values), np.array(slopes)


        activations = {
            "ReLU": lambda x: x.relu(),
            "sigmoid": lambda x: x.sigmoid(),
            "tanh": lambda x: x.tanh(),
            # softmax of three logits (x, 1, -1): the probability of the first
            "softmax(x, 1, −1)[0]": lambda x: softmax([x, Value(1.0), Value(-1.0)])[0],
        }
        curves = {name: curve(fn) for name, fn in activations.items()}

        fig, axes = plt.subplots(1, 4, figsize=(16, 3.6), layout="constrained")
        for ax, (name, (values, slopes)) in zip(axes, curves.items()):
            ax.plot(xs, values, label="f(x)")
            ax.plot(xs, slopes, "--", label="f′(x) from backward()")
            ax.axhline(0.0, color="grey", linewidth=0.5)
            ax.axvline(0.0, color="grey", linewidth=0.5)
            ax.set(title=name, xlabel="x")
            ax.legend(loc="upper left")
        plt.show()
        """
    ),
    md("The derivatives agree with the textbook formulas:"),
    code(
        """
        relu, d_relu = curves["ReLU"]
        sig, d_sig = curves["sigmoid"]
        th, d_th = curves["tanh"]
        p, d_p = curves["softmax(x, 1, −1)[0]"]
        print("ReLU′ = 1 if x > 0 else 0:    error", np.abs(d_relu - (xs > 0)).max())
        print("σ′ = σ(1 − σ):                error", np.abs(d_sig - sig * (1 - sig)).max())
        print("tanh′ = 1 − tanh²:            error", np.abs(d_th - (1 - th**2)).max())
        print("softmax₀′ = p₀(1 − p₀):       error", np.abs(d_p - p * (1 - p)).max())
        """
    ),
    md(
        """
        Look at the dashed lines far from 0: sigmoid's and tanh's derivatives fade
        to nothing (they *saturate*), so a gradient passing through many of them
        shrinks — the **vanishing gradient**. ReLU's derivative is exactly 1 for
        every positive input, one reason it is the default choice.

        ## Why non-linearity matters

        Without an activation a layer computes W x + b. Two such layers give
        W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂): again a single linear layer. However
        many linear layers you stack, the network can only draw a straight line.
        """
    ),
    code(
        """
        linear_net = MLP(2, [4, 1], activation=None, seed=0)


        def weights(layer):
            W = np.array([[w.data for w in n.w] for n in layer.neurons])
            return W, np.array([n.b.data for n in layer.neurons])


        (W1, b1), (W2, b2) = weights(linear_net.layers[0]), weights(linear_net.layers[1])
        W, b = W2 @ W1, W2 @ b1 + b2  # the one layer the two amount to
        points = np.random.default_rng(0).normal(size=(4, 2))
        print("two linear layers:", [round(linear_net(q).data, 10) for q in points])
        print("one linear layer: ", (points @ W.T + b).ravel().round(10).tolist())
        """
    ),
    md(
        """
        XOR is the classic problem no straight line solves. Train the same shape of
        network, 2 → 8 → 1, once without activation and once with ReLU:
        """
    ),
    code(
        """
        X, y = xor(n_samples=80, noise=0.1, seed=0)
        boundaries = []
        for activation in (None, "relu"):
            model = MLP(2, [8, 1], activation=activation, seed=0)
            history = fit(
                model,
                binary_cross_entropy_with_logits,
                Adam(model.parameters(), lr=0.05),
                DataLoader(X, y, batch_size=40, seed=0),
                epochs=60,
                progress=False,
            )
            print(f"activation={activation}: training accuracy {history.train_accuracy[-1]:.2f}")
            fig = plot_decision_boundary(model, X, y, threshold=0.0, resolution=60)
            fig.axes[0].set_title(f"2 → 8 → 1, activation={activation}")
            boundaries.append(fig)
        for fig in boundaries:
            display(fig)
        """
    ),
    md(
        """
        The linear network can only cut the plane with one line and gets about half
        of XOR wrong; with ReLU the network bends its boundary around the four
        clusters.

        Next: a whole training run, written out step by step.
        """
    ),
]

# --- 3. Exam pass/fail -------------------------------------------------------------------

EXAM_PASS_FAIL = [
    md(
        """
        # 3. Will you pass the exam? The six training steps, written out

        Predict whether a student passes (1) or fails (0) from four inputs:

        * x1: hours studied,
        * x2: how smart they are,
        * x3: prior knowledge,
        * x4: their **name**.

        The name tells us nothing about passing. We train one neuron with a sigmoid
        (its output is the probability of passing) and watch it learn to give the
        name almost no weight. No `fit` here: every one of the six steps is written
        out.

        1. Initialize weights and biases randomly.
        2. Forward pass: compute the output.
        3. Calculate the loss.
        4. Backward pass: compute the gradients.
        5. Update the weights and biases with the gradients.
        6. Repeat steps 2–5 until the model converges.
        """
    ),
    code(
        """
        %matplotlib inline
        import matplotlib.pyplot as plt
        import numpy as np

        from autograd import draw_dot
        from nn.data import EXAM_FEATURE_NAMES, Standardizer, exam_pass_fail
        from nn.losses import binary_cross_entropy
        from nn.module import Neuron
        """
    ),
    md(
        """
        ## The data

        `exam_pass_fail` draws students at random: hours, smartness and prior
        knowledge on 0–10 scales, and the name coded as its first letter's position in
        the alphabet. Whether they pass depends on the first three only.
        """
    ),
    code(
        """
        X, y = exam_pass_fail(n_samples=200, seed=0)
        print(" ".join(f"{name:>16}" for name in EXAM_FEATURE_NAMES), "  passed")
        for row, passed in zip(X[:5], y[:5]):
            print(" ".join(f"{v:16.2f}" for v in row), f"  {passed}")

        fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), layout="constrained")
        for ax, column in zip(axes, (0, 3)):
            ax.scatter(X[:, column], y + np.random.default_rng(0).normal(0, 0.04, len(y)), s=10)
            ax.set(xlabel=EXAM_FEATURE_NAMES[column], ylabel="passed (jittered)")
        plt.show()
        """
    ),
    md(
        """
        Passing clearly goes with hours studied, and not with the name.

        The features live on different scales (the name runs to 25). Following the
        best practice *normalize inputs*, we standardize each one to mean 0 and
        standard deviation 1; then the weights are comparable, each being the effect
        of one standard deviation of its feature.
        """
    ),
    code(
        """
        scaler = Standardizer().fit(X)
        Xs = scaler.transform(X)
        print("means:", Xs.mean(axis=0).round(6), " stds:", Xs.std(axis=0).round(6))
        """
    ),
    md(
        """
        ## Step 1: initialize weights and biases

        One neuron with four weights and a bias: out = σ(x1·w1 + x2·w2 + x3·w3 + x4·w4 + b).
        The weights start random (uniform in [−1, 1]), the bias at 0.
        """
    ),
    code(
        """
        neuron = Neuron(4, activation="sigmoid", seed=5)
        for name, w in zip(EXAM_FEATURE_NAMES, neuron.w):
            print(f"{name:>16}: {w.data:+.3f}")
        """
    ),
    md(
        """
        ## Steps 2–4 for one student

        Forward pass (step 2), the binary cross-entropy loss
        −(t·log p + (1 − t)·log(1 − p)) (step 3), and the backward pass (step 4):
        every weight gets ∂loss/∂w.
        """
    ),
    code(
        """
        p = neuron(Xs[0])  # step 2
        loss = binary_cross_entropy(p, y[0])  # step 3
        loss.backward()  # step 4
        print(f"p(pass) = {p.data:.3f}, passed = {y[0]}, loss = {loss.data:.3f}")
        draw_dot(loss)
        """
    ),
    md(
        """
        ## The loop

        Step 5 is the update rule of gradient descent, for every weight W:

        $$W_{new} = W_{old} - lr \\cdot \\frac{\\partial E}{\\partial W}$$

        Each pass uses all 200 students: the loss E is the mean over them.
        """
    ),
    code(
        """
        lr = 1.0
        losses, weight_history = [], []
        for step in range(120):  # step 6: repeat
            predictions = [neuron(x) for x in Xs]  # step 2: forward pass
            loss = binary_cross_entropy(predictions, y)  # step 3: loss (mean over students)
            for param in neuron.parameters():
                param.grad = 0.0  # gradients accumulate: clear the last step's
            loss.backward()  # step 4: backward pass
            for param in neuron.parameters():
                param.data -= lr * param.grad  # step 5: W_new = W_old - lr * dE/dW
            losses.append(loss.data)
            weight_history.append([w.data for w in neuron.w])
        print(f"loss: {losses[0]:.4f} at the start, {losses[-1]:.4f} after {len(losses)} steps")
        """
    ),
    code(
        """
        weight_history = np.array(weight_history)
        fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.8), layout="constrained")
        left.plot(losses)
        left.set(title="loss", xlabel="step", ylabel="binary cross-entropy")
        for k, name in enumerate(EXAM_FEATURE_NAMES):
            right.plot(weight_history[:, k], label=name, linewidth=3 if name == "name" else 1.5)
        right.axhline(0.0, color="grey", linewidth=0.5)
        right.set(title="weights", xlabel="step")
        right.legend()
        plt.show()
        """
    ),
    md("## What the neuron learned"),
    code(
        """
        accuracy = np.mean([(neuron(x).data > 0.5) == passed for x, passed in zip(Xs, y)])
        for name, w in zip(EXAM_FEATURE_NAMES, neuron.w):
            print(f"{name:>16}: {w.data:+.3f}")
        print(f"{'bias':>16}: {neuron.b.data:+.3f}")
        print(f"training accuracy: {accuracy:.2f}")
        """
    ),
    md(
        """
        Hours studied gets the largest weight, then smartness and prior knowledge.
        The name's weight started at +0.88 and shrank to about −0.2, several times
        smaller than any real feature. It does not reach exactly 0: among 200 random
        students the name happens to line up with passing a little, by chance, and
        the neuron fits that too. More data would push it closer to 0.

        Next: what happens with a bad starting point or a bad learning rate.
        """
    ),
]

# --- 4. Initialization and learning rate ---------------------------------------------

INIT_AND_LEARNING_RATE = [
    md(
        """
        # 4. Where training starts, and how big its steps are

        Two choices decide whether gradient descent works at all: the **initial
        weights** and the **learning rate**. This notebook tries both the wrong way and
        the right way, on the same small network.
        """
    ),
    code(
        """
        %matplotlib inline
        import matplotlib.pyplot as plt
        import numpy as np

        from autograd import Value
        from nn.data import Standardizer, moons
        from nn.functional import mean
        from nn.losses import binary_cross_entropy_with_logits
        from nn.module import MLP, Layer
        from nn.optim import SGD

        X, y = moons(n_samples=48, noise=0.15, seed=0)
        X = Standardizer().fit_transform(X)


        def train(model, lr, steps=60):
            \"\"\"Full-batch gradient descent; returns the loss of every step.\"\"\"
            optimizer = SGD(model.parameters(), lr=lr)
            losses = []
            for _ in range(steps):
                optimizer.zero_grad()
                loss = mean([binary_cross_entropy_with_logits(model(x), t) for x, t in zip(X, y)])
                loss.backward()
                optimizer.step()
                losses.append(loss.data)
            return losses
        """
    ),
    md(
        """
        ## Initialization

        * **Zero**: every weight 0. The network fails to break symmetry: it will not learn.
        * **Random**: breaks the symmetry (micrograd's default: uniform in [−1, 1]).
        * **Xavier/Glorot**: uniform in ±√6 / √(nᵢ + nᵢ₊₁), for tanh and sigmoid.
        * **Kaiming/He**: for ReLU-like activations, N(0, 1)·√2 / √n with n the
          number of inputs; biases start at 0.

        Train a 2 → 8 → 8 → 1 tanh network from each:
        """
    ),
    code(
        """
        inits = ["zeros", "uniform", "xavier_uniform", "kaiming_normal"]
        init_losses = {}
        for init in inits:
            model = MLP(2, [8, 8, 1], activation="tanh", init=init, seed=0)
            init_losses[init] = train(model, lr=0.5)

        fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
        for init, losses in init_losses.items():
            ax.plot(losses, label=init)
        ax.set(title="training loss by initialization", xlabel="step", ylabel="loss")
        ax.legend()
        plt.show()
        """
    ),
    md(
        """
        With zero init the loss never moves. Every hidden neuron computes the same
        thing, so every one gets the same gradient. Here that gradient is even 0:
        the output weights are 0, so no gradient reaches the hidden layers, and the
        hidden outputs are tanh(0) = 0, so the output weights get none either.

        Any *equal* start has the same flaw. Start every weight at 0.3 instead: the
        network learns, but the neurons of a layer stay exact copies of each other,
        so eight neurons do the work of one.
        """
    ),
    code(
        """
        def first_layer(model):
            return np.array([[w.data for w in n.w] for n in model.layers[0].neurons])


        constant = MLP(2, [8, 8, 1], activation="tanh", seed=0)
        for param in constant.parameters():
            param.data = 0.3 if param.label.split(".")[-2] == "w" else 0.0
        random_init = MLP(2, [8, 8, 1], activation="tanh", init="xavier_uniform", seed=0)
        train(constant, lr=0.5)
        train(random_init, lr=0.5)

        fig, axes = plt.subplots(1, 2, figsize=(7, 3.4), layout="constrained")
        starts = [("all weights 0.3", constant), ("Xavier", random_init)]
        for ax, (title, model) in zip(axes, starts):
            image = ax.imshow(first_layer(model), cmap="coolwarm", vmin=-2, vmax=2, aspect="auto")
            ax.set(title=f"first layer after training:\\n{title}", xlabel="input", ylabel="neuron")
            ax.set_xticks([0, 1])
        fig.colorbar(image, ax=axes)
        plt.show()
        for title, model in starts:
            distinct = np.unique(first_layer(model).round(12), axis=0)
            print(f"{title}: {len(distinct)} different neurons out of 8")
        """
    ),
    md(
        """
        ### Why scale the random weights?

        Random is not enough: the *size* matters. Send 20 random inputs through five
        tanh layers of 32 neurons and look at the spread of each layer's outputs.
        """
    ),
    code(
        """
        rng = np.random.default_rng(0)
        inputs = rng.normal(size=(20, 32))
        spreads = {
            "uniform [−1, 1]": "uniform",
            "normal, std 0.01": {"name": "normal", "std": 0.01},
            "Xavier": "xavier_uniform",
        }
        fig, axes = plt.subplots(1, 3, figsize=(14, 3.4), layout="constrained", sharey=True)
        for ax, (title, init) in zip(axes, spreads.items()):
            layers = [Layer(32, 32, activation="tanh", init=init, seed=k) for k in range(5)]
            for depth, layer in enumerate(layers, 1):
                outputs = []
                for x in inputs:
                    h = [Value(v) for v in x]
                    for previous in layers[: depth - 1]:
                        h = previous(h)
                    outputs += [v.data for v in layer(h)]
                ax.hist(outputs, bins=40, range=(-1, 1), histtype="step", label=f"layer {depth}")
            ax.set(title=title, xlabel="tanh output")
        axes[0].legend()
        plt.show()
        """
    ),
    md(
        """
        Too large (uniform [−1, 1] with 32 inputs) pushes tanh into its flat ends,
        ±1, where its derivative is almost 0. Too small shrinks the signal toward 0
        layer after layer. Xavier keeps the spread about the same in every layer.

        ## The learning rate

        Step 5 of training moves every weight against its gradient:

        $$W_{new} = W_{old} - lr \\cdot \\frac{\\partial E}{\\partial W_{old}}$$

        The learning rate decides how far. First on the simplest error there is,
        E(w) = (w − 3)², starting from w = 0, with the gradient from `backward()`:
        """
    ),
    code(
        """
        def descend(lr, steps=12):
            w = Value(0.0)
            path = [w.data]
            for _ in range(steps):
                w.grad = 0.0
                error = (w - 3.0) ** 2
                error.backward()
                w.data -= lr * w.grad  # W_new = W_old - lr * dE/dW
                path.append(w.data)
            return np.array(path)


        ws = np.linspace(-2.0, 8.0, 200)
        rates = {"too small: 0.02": 0.02, "right: 0.3": 0.3, "too large: 1.05": 1.05}
        fig, axes = plt.subplots(1, 3, figsize=(14, 3.6), layout="constrained", sharey=True)
        for ax, (title, lr) in zip(axes, rates.items()):
            path = descend(lr)
            ax.plot(ws, (ws - 3.0) ** 2, color="grey")
            ax.plot(path, (path - 3.0) ** 2, "o-", color="C3", markersize=4)
            ax.set(title=f"lr {title}", xlabel="w", xlim=(-2, 8), ylim=(-1, 40))
        axes[0].set_ylabel("E(w) = (w − 3)²")
        plt.show()
        """
    ),
    md(
        """
        Too small crawls toward the minimum; the right size gets there in a few
        steps; too large overshoots further each step and diverges.

        The same three regimes on the network:
        """
    ),
    code(
        """
        lr_losses = {}
        for lr in (0.01, 1.0, 20.0):
            model = MLP(2, [8, 8, 1], activation="tanh", init="xavier_uniform", seed=0)
            lr_losses[lr] = train(model, lr=lr)

        fig, axes = plt.subplots(1, 3, figsize=(14, 3.4), layout="constrained")
        for ax, (lr, losses) in zip(axes, lr_losses.items()):
            ax.plot(losses)
            ax.set(title=f"lr = {lr}", xlabel="step", ylabel="loss")
        plt.show()
        for lr, losses in lr_losses.items():
            print(f"lr = {lr:>5}: loss {losses[0]:.3f} -> {losses[-1]:.3f}")
        """
    ),
    md(
        """
        * **lr = 0.01**: the loss creeps down; it would need many more steps.
        * **lr = 1.0**: quickly down, then steady.
        * **lr = 20**: the first step jumps far past the minimum, and the loss
          bounces around far above where it started.

        Next: a full training run with the best practices of the tutorial.
        """
    ),
]

# --- 5. Training an MLP ------------------------------------------------------------------

TRAINING_AN_MLP = [
    md(
        """
        # 5. Training an MLP, with the best practices

        From the tutorial's list of best practices:

        * shuffle the data before training (use a DataLoader),
        * normalize the inputs for stable training,
        * zero out the gradients each iteration: `optimizer.zero_grad()`,
        * use a validation set to check overfitting,
        * avoid exploding/vanishing gradients: ReLU, batch norm,
        * save checkpoints and track the loss with logging.

        All of them on the two-moons data, with `nn.train.fit` running the loop.
        """
    ),
    code(
        """
        import logging
        import sys
        import tempfile
        from pathlib import Path

        %matplotlib inline
        import matplotlib.pyplot as plt

        from nn.checkpoint import load, save
        from nn.data import DataLoader, Standardizer, moons, train_val_split
        from nn.losses import binary_cross_entropy_with_logits, cross_entropy, l1_loss, mse_loss
        from nn.module import MLP
        from nn.optim import Adam
        from nn.plot import plot_decision_boundary, plot_history
        from nn.train import accuracy, fit, predict
        """
    ),
    md(
        """
        ## Data: split, normalize, shuffle

        Hold out a quarter of the points for validation. The `Standardizer` learns
        the mean and spread from the **training** set only (statistics from the
        validation set would leak it into training) and applies them to both. The
        `DataLoader` yields mini-batches in a new random order every epoch.
        """
    ),
    code(
        """
        X, y = moons(n_samples=200, noise=0.2, seed=0)
        X_train, X_val, y_train, y_val = train_val_split(
            X, y, val_fraction=0.25, seed=0, stratify=True
        )
        scaler = Standardizer().fit(X_train)
        train_loader = DataLoader(scaler.transform(X_train), y_train, batch_size=32, seed=0)
        val_loader = DataLoader(scaler.transform(X_val), y_val, batch_size=64, shuffle=False)
        print(train_loader, val_loader, sep="\\n")
        """
    ),
    md(
        """
        ## Model and optimizer

        Two hidden layers of 16 ReLU neurons with batch normalization (each hidden
        sum is normalized over the mini-batch before the ReLU), one output: a logit,
        whose sigmoid is the probability of class 1. Adam adapts each weight's
        step size.
        """
    ),
    code(
        """
        model = MLP(2, [16, 16, 1], activation="relu", batchnorm=True, seed=0)
        optimizer = Adam(model.parameters(), lr=0.02)
        print(model)
        print(len(model.parameters()), "parameters")
        """
    ),
    md(
        """
        ## Logging and checkpoints

        `fit` reports every epoch through Python's `logging` (logger `"nn.train"`).
        A callback runs after each epoch; ours saves a checkpoint whenever the
        validation loss reaches a new best. The checkpoint holds the architecture,
        the weights, the optimizer's state and the standardizer, as JSON written
        atomically.

        Each epoch of `fit` does, for every batch: `optimizer.zero_grad()`, forward,
        loss, `backward()`, `optimizer.step()`.
        """
    ),
    code(
        """
        log = logging.getLogger("nn.train")
        log.setLevel(logging.INFO)
        if not log.handlers:
            log.addHandler(logging.StreamHandler(sys.stdout))

        best_path = Path(tempfile.mkdtemp()) / "best.json"


        def save_best(epoch, history):
            if history.best_epoch == epoch:  # the lowest validation loss so far
                val_loss = history.val_loss[-1]
                save(model, best_path, optimizer, scaler, epoch=epoch, val_loss=val_loss)


        history = fit(
            model,
            binary_cross_entropy_with_logits,
            optimizer,
            train_loader,
            val_loader,
            epochs=25,
            callbacks=[save_best],
            progress=False,
        )
        log.setLevel(logging.WARNING)
        plot_history(history)
        """
    ),
    md(
        """
        ## Back from the checkpoint

        `load` rebuilds the model from the file and checks everything before it
        changes anything. The best epoch's model, with its standardizer, on the
        validation set:
        """
    ),
    code(
        """
        checkpoint = load(best_path)
        best = checkpoint.model
        print("saved at:", checkpoint.meta)
        val_outputs = predict(best, checkpoint.standardizer.transform(X_val))
        print(f"validation accuracy: {accuracy(val_outputs, y_val, threshold=0.0):.3f}")
        plot_decision_boundary(best, scaler.transform(X), y, threshold=0.0, resolution=40)
        """
    ),
    md(
        """
        ## Which loss? MSE vs MAE vs cross-entropy

        The loss measures how far predictions are from the truth. Mean squared error
        (MSE) and mean absolute error (MAE) are the regression losses: here they
        push a single output toward 0 or 1. Cross-entropy is the classification
        loss: two outputs, one logit per class, turned into probabilities by
        softmax. Same network, same data, same optimizer:
        """
    ),
    code(
        """
        runs = {
            "MSE": (mse_loss, 1),
            "MAE": (l1_loss, 1),
            "cross-entropy": (cross_entropy, 2),
        }
        histories = {}
        for name, (loss_fn, n_outputs) in runs.items():
            net = MLP(2, [16, 16, n_outputs], activation="relu", seed=0)
            histories[name] = fit(
                net,
                loss_fn,
                Adam(net.parameters(), lr=0.02),
                DataLoader(scaler.transform(X_train), y_train, batch_size=32, seed=0),
                val_loader,
                epochs=25,
                progress=False,
                engine="compiled",  # the same arithmetic, faster: see notebook 7
            )

        fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
        for name, h in histories.items():
            ax.plot(range(1, h.epochs + 1), h.val_accuracy, label=name)
        ax.set(title="validation accuracy", xlabel="epoch", ylim=(0.5, 1.0))
        ax.legend()
        plt.show()
        for name, h in histories.items():
            print(f"{name:>14}: best validation accuracy {max(h.val_accuracy):.3f}")
        """
    ),
    md(
        """
        The losses are on different scales, so we compare what matters: the
        validation accuracy. MAE's gradient has the same size however wrong a
        prediction is, so it gives the worst points no extra push; MSE pushes
        harder the further off a prediction is; cross-entropy, made for
        classification, pushes hardest on confident mistakes.

        Next: the same model in PyTorch.
        """
    ),
]

# --- 6. From tapegrad to PyTorch -----------------------------------------------------------

TAPEGRAD_TO_PYTORCH = [
    md(
        """
        # 6. From tapegrad to PyTorch

        tapegrad uses PyTorch's names on purpose: what you learned here carries
        over. The key concepts:

        | Concept | PyTorch | tapegrad |
        | --- | --- | --- |
        | Model | `torch.nn.Module` | `nn.module.Module` |
        | Layer | `torch.nn.Linear` | `nn.module.Layer(activation=None)` |
        | Activation | `torch.nn.ReLU`, `F.relu` | `activation="relu"`, `nn.functional.relu` |
        | Loss | `torch.nn.CrossEntropyLoss()` | `nn.losses.cross_entropy` |
        | Optimizer | `torch.optim.Adam()` | `nn.optim.Adam` |
        | Training loop | `.backward()`, `.step()` | `.backward()`, `.step()` |

        Below, one model and one batch of data in both libraries: the same loss, the
        same gradients, and the same training run. The PyTorch cells skip with a
        note when PyTorch is not installed.
        """
    ),
    code(
        """
        %matplotlib inline
        import matplotlib.pyplot as plt
        import numpy as np

        from nn.data import Standardizer, moons
        from nn.losses import cross_entropy
        from nn.module import MLP
        from nn.optim import Adam

        try:
            import torch
        except ImportError:
            torch = None
            print("PyTorch is not installed: the PyTorch cells below only print a note.")
        """
    ),
    md(
        """
        ## The tapegrad side

        A 2 → 8 → 2 network: a hidden layer of 8 ReLU neurons, then two logits for
        the two classes. One batch of 64 points.
        """
    ),
    code(
        """
        X, y = moons(n_samples=64, noise=0.2, seed=0)
        X = Standardizer().fit_transform(X)

        model = MLP(2, [8, 2], activation="relu", seed=0)
        loss = cross_entropy(model.forward_batch(X), y)
        loss.backward()
        print(f"tapegrad loss: {loss.data:.12f}")
        """
    ),
    md(
        """
        ## The PyTorch side

        The same network as a `torch.nn.Module`, in float64, starting from
        tapegrad's weights. A tapegrad layer's neuron j holds row j of PyTorch's
        `weight` matrix.
        """
    ),
    code(
        """
        def layer_arrays(layer):
            \"\"\"A tapegrad Layer's weights (out × in) and biases, and their gradients.\"\"\"
            W = np.array([[w.data for w in n.w] for n in layer.neurons])
            b = np.array([n.b.data for n in layer.neurons])
            dW = np.array([[w.grad for w in n.w] for n in layer.neurons])
            db = np.array([n.b.grad for n in layer.neurons])
            return W, b, dW, db


        if torch is None:
            print("skipped: PyTorch is not installed")
        else:

            class TorchMLP(torch.nn.Module):
                def __init__(self):
                    super().__init__()
                    self.hidden = torch.nn.Linear(2, 8, dtype=torch.float64)
                    self.relu = torch.nn.ReLU()
                    self.out = torch.nn.Linear(8, 2, dtype=torch.float64)

                def forward(self, x):
                    return self.out(self.relu(self.hidden(x)))

            torch_model = TorchMLP()
            with torch.no_grad():
                for linear, layer in zip([torch_model.hidden, torch_model.out], model.layers):
                    W, b, _, _ = layer_arrays(layer)
                    linear.weight.copy_(torch.from_numpy(W))
                    linear.bias.copy_(torch.from_numpy(b))

            X_t, y_t = torch.from_numpy(X), torch.from_numpy(y)
            criterion = torch.nn.CrossEntropyLoss()
            torch_loss = criterion(torch_model(X_t), y_t)
            torch_loss.backward()
            print(f"PyTorch loss:  {torch_loss.item():.12f}")
            print(torch_model)
        """
    ),
    md("## The same gradients"),
    code(
        """
        if torch is None:
            print("skipped: PyTorch is not installed")
        else:
            linears = {"hidden": torch_model.hidden, "out": torch_model.out}
            for (name, linear), layer in zip(linears.items(), model.layers):
                _, _, dW, db = layer_arrays(layer)
                diff_W = np.abs(dW - linear.weight.grad.numpy()).max()
                diff_b = np.abs(db - linear.bias.grad.numpy()).max()
                print(f"{name:>6}: largest difference in dL/dW {diff_W:.1e}, in dL/db {diff_b:.1e}")
        """
    ),
    md(
        """
        ## The same training loop

        Both loops are the same five lines: zero the gradients, forward, loss,
        backward, step.
        """
    ),
    code(
        """
        optimizer = Adam(model.parameters(), lr=0.05)
        tapegrad_losses = []
        for step in range(30):
            optimizer.zero_grad()
            loss = cross_entropy(model.forward_batch(X), y)
            loss.backward()
            optimizer.step()
            tapegrad_losses.append(loss.data)

        if torch is None:
            print("skipped: PyTorch is not installed")
        else:
            torch_optimizer = torch.optim.Adam(torch_model.parameters(), lr=0.05)
            torch_losses = []
            for step in range(30):
                torch_optimizer.zero_grad()
                torch_loss = criterion(torch_model(X_t), y_t)
                torch_loss.backward()
                torch_optimizer.step()
                torch_losses.append(torch_loss.item())

            fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
            ax.plot(tapegrad_losses, linewidth=4, alpha=0.5, label="tapegrad")
            ax.plot(torch_losses, "k--", label="PyTorch")
            ax.set(title="the same training run", xlabel="step", ylabel="cross-entropy")
            ax.legend()
            plt.show()
            largest = max(
                np.abs(layer_arrays(layer)[0] - linear.weight.detach().numpy()).max()
                for linear, layer in zip([torch_model.hidden, torch_model.out], model.layers)
            )
            print(f"after 30 Adam steps, the weights differ by at most {largest:.1e}")
        """
    ),
    md(
        """
        The curves lie on top of each other: the two libraries compute the same
        numbers, up to float64 rounding. What PyTorch adds is speed (tensors: whole
        arrays per operation instead of one scalar per `Value`) and a large library.
        The next notebook shows how tapegrad gets its own speed.
        """
    ),
]

# --- 7. The compiled path -------------------------------------------------------------------

THE_COMPILED_PATH = [
    md(
        """
        # 7. The compiled path: the same numbers, much faster

        The scalar engine builds a new graph of Python objects for every sample, and
        walks it in Python. That is what makes it easy to read, and slow. But the
        graph's *shape* is the same for every sample: only the numbers change. So we
        can record it once, as a flat list of instructions (a **tape**), and run that
        list for a whole batch in compiled code (Numba).
        """
    ),
    code(
        """
        import time

        %matplotlib inline
        import matplotlib.pyplot as plt
        import numpy as np

        from autograd.tape import trace
        from autograd.viz import print_graph
        from nn.data import DataLoader, Standardizer, moons
        from nn.functional import mean
        from nn.losses import binary_cross_entropy_with_logits, mse_loss
        from nn.module import MLP
        from nn.optim import Adam
        from nn.train import fit
        """
    ),
    md(
        """
        ## A graph and its tape

        A tiny model, 2 → 2 → 1. Here is the scalar engine's graph for one sample,
        as a Wengert list: one line per `Value`.
        """
    ),
    code(
        """
        tiny = MLP(2, [2, 1], activation="relu", seed=0)
        print_graph(tiny([0.5, -1.0]))
        """
    ),
    md(
        """
        `trace` runs the model once on placeholder inputs and writes that graph down
        as instructions. `%k` is a slot (one number per sample: an input or an op's
        result), `$k` is a parameter. The literal tape has one instruction per op:
        """
    ),
    code(
        """
        literal = trace(
            tiny,
            n_inputs=2,
            params=tiny.parameters(),
            fold_constants=False,
            fuse=False,
            eliminate_dead=False,
        )
        print(literal)
        """
    ),
    md(
        """
        By default `trace` also fuses each neuron's chain of multiply-adds into one
        `dot` instruction (adding the terms in the same order, so the result is
        bit for bit the same) and drops what nothing uses:
        """
    ),
    code(
        """
        tape = trace(tiny, n_inputs=2, params=tiny.parameters())
        print(tape)
        print(f"\\n{len(literal)} instructions -> {len(tape)}")
        """
    ),
    md(
        """
        ## Compile a model with its loss

        `model.compile(loss_fn)` traces the per-sample loss, `loss_fn(model(x), target)`,
        with the target as one more input. `loss_and_grad(X, y)` runs it forward and
        backward over the whole batch and adds the gradient of the batch's mean loss
        into each parameter's `.grad`, exactly where `backward()` would put it. So the
        same optimizers work on both engines.
        """
    ),
    code(
        """
        compiled_tiny = tiny.compile(mse_loss)
        print(compiled_tiny)
        print(compiled_tiny.tape)
        """
    ),
    md(
        """
        ## The same numbers

        A bigger model, 2 → 16 → 16 → 1, and a batch of 32: the loss and all 337
        gradients, once from the scalar engine and once from the tape.
        """
    ),
    code(
        """
        X, y = moons(n_samples=256, noise=0.2, seed=0)
        X = Standardizer().fit_transform(X)
        xb, yb = X[:32], y[:32]
        loss_fn = binary_cross_entropy_with_logits

        model = MLP(2, [16, 16, 1], activation="relu", seed=0)
        start = time.perf_counter()
        compiled = model.compile(loss_fn)
        trace_seconds = time.perf_counter() - start

        model.zero_grad()
        scalar_loss = mean([loss_fn(model(x), t) for x, t in zip(xb, yb)])
        scalar_loss.backward()
        scalar_grads = np.array([p.grad for p in model.parameters()])

        model.zero_grad()
        start = time.perf_counter()
        compiled_loss = compiled.loss_and_grad(xb, yb)  # the first call loads the kernels
        first_call_seconds = time.perf_counter() - start
        compiled_grads = np.array([p.grad for p in model.parameters()])

        print(f"loss: scalar {scalar_loss.data:.15f}, compiled {compiled_loss:.15f}")
        relative = np.abs(compiled_grads - scalar_grads).max() / np.abs(scalar_grads).max()
        print(f"{len(scalar_grads)} gradients, largest difference (relative): {relative:.1e}")
        """
    ),
    md(
        """
        ## Training with the compiled engine

        `fit(..., engine="compiled")` runs each batch on the tape; everything else
        (the optimizer, the history, checkpoints) stays the same. Train two copies
        of one model for 5 epochs, one per engine:
        """
    ),
    code(
        """
        results = {}
        for engine in ("scalar", "compiled"):
            net = MLP(2, [16, 16, 1], activation="relu", seed=0)
            start = time.perf_counter()
            history = fit(
                net,
                loss_fn,
                Adam(net.parameters(), lr=0.02),
                DataLoader(X, y, batch_size=32, seed=0),
                epochs=5,
                progress=False,
                engine=engine,
            )
            seconds = time.perf_counter() - start
            results[engine] = net
            losses = np.round(history.train_loss, 6).tolist()
            print(f"{engine:>8}: losses {losses} in {seconds:.2f} s")

        scalar_weights = np.array([p.data for p in results["scalar"].parameters()])
        compiled_weights = np.array([p.data for p in results["compiled"].parameters()])
        largest = np.abs(scalar_weights - compiled_weights).max()
        print(f"after 40 Adam steps the weights differ by at most {largest:.1e}")
        """
    ),
    md(
        """
        ## How much faster?

        Time one training step (zero the gradients, forward, loss, backward) with
        each engine, for two batch sizes. The compiled engine also pays once per
        model for tracing, and its first call pays for loading the Numba kernels:
        in a fresh environment, for compiling them (a few seconds; they are then
        cached on disk).
        """
    ),
    code(
        """
        def scalar_step(batch_X, batch_y):
            model.zero_grad()
            mean([loss_fn(model(x), t) for x, t in zip(batch_X, batch_y)]).backward()


        def compiled_step(batch_X, batch_y):
            model.zero_grad()
            compiled.loss_and_grad(batch_X, batch_y)


        def median_seconds(step, batch_X, batch_y, repeats):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                step(batch_X, batch_y)
                times.append(time.perf_counter() - start)
            return float(np.median(times))


        rows = []
        for batch in (32, 256):
            batch_X, batch_y = X[:batch], y[:batch]
            scalar_ms = 1e3 * median_seconds(scalar_step, batch_X, batch_y, repeats=3)
            compiled_ms = 1e3 * median_seconds(compiled_step, batch_X, batch_y, repeats=50)
            rows.append((batch, scalar_ms, compiled_ms))

        print("MLP(2, [16, 16, 1]), one training step")
        print(f"{'batch':>6} {'scalar ms':>10} {'compiled ms':>12} {'speed-up':>9}")
        for batch, scalar_ms, compiled_ms in rows:
            speed_up = scalar_ms / compiled_ms
            print(f"{batch:>6} {scalar_ms:>10.2f} {compiled_ms:>12.3f} {speed_up:>8.0f}x")
        print(f"once per model: trace {trace_seconds:.2f} s, first call {first_call_seconds:.2f} s")

        fig, ax = plt.subplots(figsize=(6, 3.6), layout="constrained")
        positions = np.arange(len(rows))
        ax.bar(positions - 0.2, [r[1] for r in rows], width=0.4, label="scalar")
        ax.bar(positions + 0.2, [r[2] for r in rows], width=0.4, label="compiled")
        ax.set_xticks(positions, [f"batch {r[0]}" for r in rows])
        ax.set(yscale="log", ylabel="ms per step (log scale)", title="one training step")
        ax.legend()
        plt.show()
        """
    ),
    md(
        """
        The tape does the same arithmetic in the same order, so the numbers agree;
        it just skips building Python objects and runs the loop in machine code. Use
        the scalar engine to see and learn, the compiled engine to train. The
        project's benchmarks compare both with micrograd and PyTorch.
        """
    ),
]

NOTEBOOKS_CELLS = {
    "01_value_and_chain_rule": VALUE_AND_CHAIN_RULE,
    "02_neuron_and_activations": NEURON_AND_ACTIVATIONS,
    "03_exam_pass_fail": EXAM_PASS_FAIL,
    "04_init_and_learning_rate": INIT_AND_LEARNING_RATE,
    "05_training_an_mlp": TRAINING_AN_MLP,
    "06_from_tapegrad_to_pytorch": TAPEGRAD_TO_PYTORCH,
    "07_the_compiled_path": THE_COMPILED_PATH,
}


def render(name: str) -> str:
    """The notebook ``name`` as .ipynb text: no outputs, stable cell ids."""
    notebook = new_notebook(
        metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
        }
    )
    for i, cell in enumerate(NOTEBOOKS_CELLS[name]):
        cell = nbformat.from_dict(dict(cell))
        cell["id"] = f"{name[:2]}-{i:02d}"  # stable ids keep diffs small
        notebook.cells.append(cell)
    nbformat.validate(notebook)
    return nbformat.writes(notebook) + "\n"


def main(argv: list[str]) -> int:
    check = "--check" in argv
    stale = []
    NOTEBOOKS.mkdir(exist_ok=True)
    for name in NOTEBOOKS_CELLS:
        path = NOTEBOOKS / f"{name}.ipynb"
        text = render(name)
        if path.exists() and path.read_text(encoding="utf-8") == text:
            continue
        stale.append(path)
        if not check:
            atomic_write(path, text.encode("utf-8"))
    for path in stale:
        print(f"{'out of date' if check else 'wrote'}: {path.relative_to(ROOT)}")
    return 1 if check and stale else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
