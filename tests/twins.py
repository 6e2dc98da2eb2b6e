"""Float64 PyTorch twins of an MLP and of BatchNorm1d, and small data, shared by the nn tests."""

import numpy as np
import pytest

from nn.optim import SGD, Adam, AdamW

OPTIMIZER_SETTINGS = [
    (SGD, {"lr": 0.1}),
    (SGD, {"lr": 0.05, "momentum": 0.9}),
    (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    (SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.01}),
    (Adam, {}),
    (Adam, {"lr": 0.02, "betas": (0.8, 0.99), "eps": 1e-6}),
    (Adam, {"lr": 0.01, "weight_decay": 0.05}),
    (AdamW, {"lr": 0.01}),
    (AdamW, {"lr": 0.02, "weight_decay": 0.1, "betas": (0.85, 0.995)}),
]
"""Optimizers and settings each checked step for step against ``torch.optim``'s namesake."""


def torch_bn(bn):
    """torch and a float64 ``torch.nn.BatchNorm1d`` with the settings and numbers of ``bn``."""
    torch = pytest.importorskip("torch")
    ref = torch.nn.BatchNorm1d(bn.num_features, bn.eps, bn.momentum, bn.affine, dtype=torch.float64)
    if bn.affine:
        with torch.no_grad():
            ref.weight.copy_(torch.tensor([v.data for v in bn.weight], dtype=torch.float64))
            ref.bias.copy_(torch.tensor([v.data for v in bn.bias], dtype=torch.float64))
    return torch, ref


class TorchTwin:
    """The same MLP in PyTorch float64, starting from the model's current numbers.

    ``values()`` and ``grads()`` flatten in the order of ``model.parameters()``.
    """

    def __init__(self, model):
        self.torch = pytest.importorskip("torch")
        f64 = self.torch.float64
        self.layers = []
        for layer in model.layers:
            W = self.torch.tensor([[w.data for w in n.w] for n in layer.neurons], dtype=f64)
            b = self.torch.tensor([n.b.data for n in layer.neurons], dtype=f64)
            bn = None
            if getattr(layer, "norm", None) is not None:
                _, bn = torch_bn(layer.norm)
                bn.train(layer.norm.training)
            self.layers.append((W.requires_grad_(), b.requires_grad_(), bn, layer.activation))

    def tensors(self):
        """The trainable tensors, for a torch optimizer."""
        out = []
        for W, b, bn, _ in self.layers:
            out += [W, b] + ([bn.weight, bn.bias] if bn is not None else [])
        return out

    def __call__(self, X):
        F = self.torch.nn.functional
        acts = {None: lambda h: h, "relu": F.relu, "tanh": self.torch.tanh}
        acts.update({"sigmoid": self.torch.sigmoid, "leaky_relu": F.leaky_relu})
        h = self.torch.tensor(np.asarray(X, dtype=float))
        for W, b, bn, activation in self.layers:
            h = h @ W.T + b
            if bn is not None:
                h = bn(h)
            h = acts[activation](h)
        return h

    def _flatten(self, pick):
        numbers = []
        for W, b, bn, _ in self.layers:
            for j in range(W.shape[0]):
                numbers += [*pick(W)[j].tolist(), pick(b)[j].item()]
            if bn is not None:
                numbers += pick(bn.weight).tolist() + pick(bn.bias).tolist()
        return numbers

    def values(self):
        return self._flatten(lambda t: t.detach())

    def grads(self):
        return self._flatten(lambda t: t.grad)


X3 = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
Y4 = [1.0, -1.0, -1.0, 1.0]


def mean_squared(outputs, targets):
    total = (outputs[0] - targets[0]) ** 2
    for out, y in zip(outputs[1:], targets[1:]):
        total = total + (out - y) ** 2
    return total / len(outputs)
