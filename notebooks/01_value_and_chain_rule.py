# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 1. A `Value` and the chain rule
#
# Backpropagation is the chain rule, applied to a graph in the right order.
# In this notebook you will
#
# * build an expression out of `Value`s and **see** its graph,
# * backpropagate through it **by hand**, step by step, then watch `backward()`
#   do the same steps,
# * check the chain rule for a variable reaching the result along **two paths**,
# * check the gradients against **finite differences**.

# %%
from IPython.display import display

from autograd import Value, draw_dot, gradcheck, print_graph
from autograd.check import numerical_gradient
from autograd.viz import backprop_player, backprop_steps

# %% [markdown]
# ## Build an expression
#
# Every operation on `Value`s returns a new `Value` that remembers its operands
# and the op that made it. So writing the formula L = (a·b + c)·f builds a graph.
# Labels are only names for the pictures.

# %%
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

# %% [markdown]
# Boxes are values (blue: inputs), circles are ops, arrows follow the data
# forward. The same graph as text is a *Wengert list*: one assignment per node,
# every operand before the result that uses it.

# %%
print_graph(L)

# %% [markdown]
# ## Backpropagation by hand
#
# We want dL/dx for every input x. Start at the top, where dL/dL = 1, and walk
# back one op at a time. At each op, an operand gets the op's **local
# derivative** times the gradient that already reached the op's result:
#
# $$\frac{\partial L}{\partial \text{operand}}
#   = \frac{\partial\, \text{result}}{\partial \text{operand}}
#     \cdot \frac{\partial L}{\partial\, \text{result}}$$
#
# * L = d·f: ∂L/∂d = f = −2 and ∂L/∂f = d = 4.
# * d = e + c: an addition passes the gradient through, so dL/de = dL/dc = −2.
# * e = a·b: ∂e/∂a = b, ∂e/∂b = a, so dL/da = (−3)·(−2) = 6 and dL/db = 2·(−2) = −4.

# %%
dL_dL = 1.0
dL_dd, dL_df = f.data * dL_dL, d.data * dL_dL  # L = d * f
dL_de, dL_dc = 1.0 * dL_dd, 1.0 * dL_dd  # d = e + c
dL_da, dL_db = b.data * dL_de, a.data * dL_de  # e = a * b
print(f"by hand: dL/da = {dL_da}, dL/db = {dL_db}, dL/dc = {dL_dc}, dL/df = {dL_df}")

# %% [markdown]
# ## Watch `backward()` take the same steps
#
# `backprop_steps(L)` draws one picture per step of `backward()`. Orange: the
# op whose chain rule is applied now; yellow: its operands, receiving
# gradient; green: gradients that are complete. (It computes the gradients on
# the side: the graph's own `.grad` stay untouched.)

# %%
for frame in backprop_steps(L):
    display(frame)

# %% [markdown]
# The same frames in one interactive player: press *next* (or the right arrow
# key after a click on it) or drag the slider to step through `backward()`,
# with each step's arithmetic beside the picture. It runs in Jupyter and on the
# docs site; a repository page does not run its script, which is why the
# frames are also drawn one by one above. `.save("backprop.html")` writes the
# player as one self-contained page.

# %%
backprop_player(L, title="backward() of L = (a·b + c)·f")

# %% [markdown]
# Now the real thing, in one call:

# %%
L.backward()
print(f"backward(): dL/da = {a.grad}, dL/db = {b.grad}, dL/dc = {c.grad}, dL/df = {f.grad}")
assert (a.grad, b.grad, c.grad, f.grad) == (dL_da, dL_db, dL_dc, dL_df)
draw_dot(L)

# %% [markdown]
# ## Two paths: the chain rule with several variables
#
# If Z = h(X, Y) where X = f(t) and Y = g(t), then t changes Z along two
# paths, and the derivative sums them:
#
# $$\frac{dZ}{dt} = \frac{\partial Z}{\partial X}\frac{dX}{dt}
#   + \frac{\partial Z}{\partial Y}\frac{dY}{dt}$$
#
# Take X = t², Y = eᵗ and Z = X·Y at t = 1.5. By hand: ∂Z/∂X = Y, dX/dt = 2t,
# ∂Z/∂Y = X, dY/dt = eᵗ = Y.

# %%
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

# %% [markdown]
# Two arrows leave `t`, and its gradient is the sum of what comes back along
# both. That is why `backward()` visits the nodes in **reverse topological
# order**: a node passes its gradient on only after every node that uses it
# has passed it theirs, so its gradient is complete by then. The smallest
# example: `a` is used twice by `b`, and `b` twice by `c`, so c = 4a.

# %%
a = Value(1.0, label="a")
b = a + a
c = b + b
c.backward()
print(f"c = 4a, and backward() gives dc/da = {a.grad}")


# %% [markdown]
# ## Check with finite differences
#
# A derivative is a limit; the central difference (f(x + ε) − f(x − ε)) / 2ε
# approximates it with an error of order ε². `gradcheck` compares
# `backward()` with it for every input, and raises an error listing each
# mismatch.


# %%
def z_of_t(t):
    return t**2 * t.exp()


numeric = numerical_gradient(z_of_t, [1.5], 0)
print(f"finite difference: {numeric:.8f}")
print(f"backward():        {t.grad:.8f}")
print(gradcheck(z_of_t, [1.5]))
print(gradcheck(lambda a, b, c, f: (a * b + c) * f, [2.0, -3.0, 10.0, -2.0]))

# %% [markdown]
# ## Gradients accumulate
#
# The graph's inputs (weights, data) **add** each `backward()` into their
# `.grad`, exactly like PyTorch's leaf tensors; intermediate nodes keep only
# the last pass. A training loop therefore calls `zero_grad()` before each
# step.

# %%
x = Value(3.0, label="x")
y = x * x
y.backward()
print("after one backward():", x.grad)
y.backward()
print("after two:", x.grad, "= 6 + 6")
y.zero_grad()
print("after zero_grad():", x.grad)

# %% [markdown]
# ## What you saw
#
# * A `Value` records its operands and its op; an expression is a graph.
# * `backward()` applies the chain rule at each op, from the result back to the
#   inputs, in reverse topological order, summing over every path.
# * Finite differences confirm the numbers.
#
# Next: a neuron, z = Σ xᵢwᵢ + b, and its activation functions.
