from autograd import Value

# Build an expression: every op records its operands and its local derivative.
a = Value(2.0, label="a")
b = Value(-3.0, label="b")
c = Value(10.0, label="c")
f = Value(-2.0, label="f")
e = a * b
d = e + c
L = d * f  # L = (a*b + c) * f

# Reverse mode: the chain rule from L back to every input, in one call.
L.backward()
print(f"L = {L.data}")
print(f"dL/da = {a.grad}, dL/db = {b.grad}, dL/dc = {c.grad}, dL/df = {f.grad}")
