"""Each op of the table as a user writes it, in tapegrad and in PyTorch.

Written once here so that the op tests and the random-graph tests replay the
same expression in both libraries. In PyTorch, softplus is ``logaddexp(x, 0)``,
the exact log(1 + e**x): ``F.softplus`` returns x unchanged above its threshold
of 20, an approximation off by up to 2e-9, and the tests compare with the
exact function.
"""

TAPEGRAD_OPS = {
    "add": lambda x, y: x + y,
    "sub": lambda x, y: x - y,
    "mul": lambda x, y: x * y,
    "truediv": lambda x, y: x / y,
    "pow": lambda x, y: x**y,
    "neg": lambda x: -x,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "tanh": lambda x: x.tanh(),
    "relu": lambda x: x.relu(),
    "sigmoid": lambda x: x.sigmoid(),
    "softplus": lambda x: x.softplus(),
    "abs": lambda x: abs(x),
    "sqrt": lambda x: x.sqrt(),
    "pow_const": lambda x, p: x**p,
    "leaky_relu": lambda x, p: x.leaky_relu(p),
    "clamp_min": lambda x, p: x.clamp_min(p),
    "maximum": lambda x, y: x.maximum(y),
}


def torch_ops():
    """The same table in PyTorch (imported only when a test asks for it)."""
    import torch
    import torch.nn.functional as F

    return {
        **TAPEGRAD_OPS,
        "exp": torch.exp,
        "log": torch.log,
        "tanh": torch.tanh,
        "relu": torch.relu,
        "sigmoid": torch.sigmoid,
        "softplus": lambda x: torch.logaddexp(x, torch.zeros_like(x)),
        "abs": torch.abs,
        "sqrt": torch.sqrt,
        "leaky_relu": lambda x, p: F.leaky_relu(x, p),
        "clamp_min": torch.clamp_min,
        "maximum": torch.maximum,
    }
