"""The Value engine: the chain rule, accumulation, micrograd's reported bugs, deep graphs."""

import math
import sys

import pytest

from autograd import Value

REL = 1e-12


def test_repr_like_micrograd():
    assert repr(Value(2.0)) == "Value(data=2.0, grad=0.0)"
    assert repr(Value(2, label="a")) == "Value(data=2.0, grad=0.0, label='a')"


def test_records_graph():
    a, b = Value(2.0), Value(3.0)
    c = a * b
    assert c.data == 6.0
    assert c._prev == (a, b)
    assert c._row.name == "mul" and c._row.symbol == "*"
    assert a._row is None and a._prev == ()


def test_reflected_operators_with_numbers():
    x = Value(2.0)
    assert (3 + x).data == 5.0
    assert (3 - x).data == 1.0
    assert (3 * x).data == 6.0
    assert (3 / x).data == 1.5
    assert (2**x).data == 4.0
    assert (x**3).data == 8.0
    assert (-x).data == -2.0
    assert abs(Value(-2.5)).data == 2.5
    assert sum([x, x, x]).data == 6.0  # sum() starts from the int 0


def test_chain_rule_two_paths_seed_001():
    """Z = h(X, Y) with X = f(t), Y = g(t): dZ/dt = dZ/dX dX/dt + dZ/dY dY/dt."""
    t = Value(0.5, label="t")
    x = t**2  # X = f(t)
    y = t.exp()  # Y = g(t) = e**t
    z = x * y + x.tanh()  # Z = h(X, Y)
    z.backward()
    dz_dx = y.data + (1 - math.tanh(x.data) ** 2)
    dz_dy = x.data
    dx_dt, dy_dt = 2 * t.data, math.exp(t.data)
    assert math.isclose(t.grad, dz_dx * dx_dt + dz_dy * dy_dt, rel_tol=REL)


def test_node_used_twice_micrograd_issue():
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert a.grad == 4.0


def test_diamond_graph():
    a = Value(3.0)
    left, right = a * 2, a**2
    out = left * right  # 2a * a**2 = 2a**3, d/da = 6a**2
    out.backward()
    assert math.isclose(a.grad, 6 * 3.0**2, rel_tol=REL)


def test_value_pow_value_and_reflected_pow():
    x, y = Value(2.0), Value(3.0)
    z = x**y
    z.backward()
    assert z.data == 8.0
    assert math.isclose(x.grad, 3 * 2.0**2, rel_tol=REL)
    assert math.isclose(y.grad, 8.0 * math.log(2.0), rel_tol=REL)
    w = Value(1.5)
    r = 2**w
    r.backward()
    assert math.isclose(w.grad, 2**1.5 * math.log(2.0), rel_tol=REL)


def test_negative_base_integer_exponent():
    x = Value(-2.0)
    y = x**3  # a constant exponent: defined for any base, as in PyTorch
    y.backward()
    assert y.data == -8.0 and x.grad == 12.0
    with pytest.raises(ValueError, match="pow: a negative base -2.0 needs a constant exponent"):
        Value(-2.0) ** Value(2.0)  # d/dy would need ln(-2): refused before any number is made


def micrograd_readme_expression(a, b):
    """micrograd's README example, for Values or PyTorch tensors alike."""
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    return g


def test_micrograd_readme_example():
    """micrograd's README prints these numbers; they must come out here too."""
    a, b = Value(-4.0), Value(2.0)
    g = micrograd_readme_expression(a, b)
    assert f"{g.data:.4f}" == "24.7041"
    g.backward()
    assert f"{a.grad:.4f}" == "138.8338"
    assert f"{b.grad:.4f}" == "645.5773"


def test_micrograd_readme_example_matches_pytorch():
    torch = pytest.importorskip("torch")
    a = torch.tensor(-4.0, dtype=torch.float64, requires_grad=True)
    b = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    g = micrograd_readme_expression(a, b)
    g.backward()
    va, vb = Value(-4.0), Value(2.0)
    vg = micrograd_readme_expression(va, vb)
    vg.backward()
    assert math.isclose(vg.data, g.item(), rel_tol=REL)
    assert math.isclose(va.grad, a.grad.item(), rel_tol=REL)
    assert math.isclose(vb.grad, b.grad.item(), rel_tol=REL)


def test_backward_twice_accumulates_into_inputs_like_pytorch():
    x = Value(3.0)
    h = x * x
    y = h * x  # x**3
    y.backward()
    assert x.grad == 27.0
    y.backward()
    assert x.grad == 54.0  # exactly twice: inputs accumulate
    assert h.grad == 3.0  # intermediates hold the last pass only (no compounding)


def test_two_losses_sharing_a_node_sum_at_the_inputs():
    w = Value(2.0)
    shared = w * w
    (shared * 3).backward()
    (shared + 1).backward()
    assert w.grad == 2 * 2.0 * 3 + 2 * 2.0  # d/dw (3w**2) + d/dw (w**2 + 1)


def test_zero_grad_resets_the_whole_graph():
    x, y = Value(1.0), Value(2.0)
    z = (x * y).tanh()
    z.backward()
    assert x.grad != 0.0
    z.zero_grad()
    assert x.grad == y.grad == z.grad == 0.0


def test_backward_seed_gradient():
    x = Value(2.0)
    y = x * x
    y.backward(gradient=0.5)
    assert x.grad == 2.0


def test_backward_of_an_input():
    x = Value(2.0)
    x.backward()
    assert x.grad == 1.0


def test_topological_order_operands_first():
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c
    order = e._topological_order()
    assert len(order) == len(set(order)) == 5
    position = {node: i for i, node in enumerate(order)}
    for node in order:
        assert all(position[child] < position[node] for child in node._prev)
    assert order[-1] is e


def test_item_float_and_ordering():
    x = Value(2.5)
    assert x.item() == 2.5 and float(x) == 2.5
    assert Value(1.0) < x and x > 1 and x >= 2.5 and x <= Value(2.5)
    assert max([Value(1.0), x, Value(-3.0)]) is x
    assert len({Value(1.0), Value(1.0)}) == 2  # identity hashing: equal numbers, two nodes


def test_million_node_chain_backward():
    """No recursion anywhere: a 1e6-deep graph backpropagates with the default limit."""
    assert sys.getrecursionlimit() < 100_000
    x = Value(0.5)
    y = x
    for _ in range(1_000_000):
        y = y + 1e-6
    y.backward()
    assert x.grad == 1.0
    assert math.isclose(y.data, 0.5 + 1.0, rel_tol=1e-9)


def test_deep_chain_of_multiplications_gradient():
    x = Value(1.0)
    y = x
    for _ in range(100_000):
        y = y * 1.00001
    y.backward()
    assert math.isclose(x.grad, 1.00001**100_000, rel_tol=1e-9)


# --- micrograd's view of a node ---------------------------------------------------


def test_op_is_spelled_as_micrograd_spells_it():
    a, b = Value(2.0), Value(-3.0)
    spelled = {
        "+": a + b,
        "*": a * b,
        "**2": a**2,
        "tanh": a.tanh(),
        "exp": a.exp(),
        "ReLU": a.relu(),
        "": a,
    }
    assert {node._op: op for op, node in spelled.items()} == {op: op for op in spelled}
    assert a._row is None and (a * b)._row.name == "mul"


def test_values_accept_attributes_of_their_own():
    p = Value(1.0)
    p.m = 0
    p.m += 2  # an optimizer keeping its moments on the parameter
    assert p.m == 2 and p.__dict__ == {"m": 2}
    assert Value(1.0).__dict__ == {}


def test_backward_by_hand_in_reverse_topological_order_gives_backwards_gradients():
    def graph():
        a, b = Value(2.0, label="a"), Value(-3.0, label="b")
        c = a * b + a
        d = (c.tanh() * a) ** 2 + b.exp() - c / b
        return d, [a, b, c, d]

    by_backward, nodes = graph()
    by_backward.backward()
    by_hand, hand_nodes = graph()
    by_hand.grad = 1.0
    for node in reversed(by_hand._topological_order()):
        node._backward()
    assert [n.grad for n in hand_nodes] == [n.grad for n in nodes]  # exactly, not close


def test_backward_twice_on_an_input_accumulates_as_pytorch():
    x = Value(3.0)
    x.backward()
    x.backward()
    assert x.grad == 2.0  # d x / d x = 1, added by each call (a leaf accumulates)
