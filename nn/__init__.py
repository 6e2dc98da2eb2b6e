"""tapegrad's nn: neurons, layers, MLPs, losses, optimizers and training, built on `Value`.

The names follow PyTorch's (``nn.MLP`` is micrograd's; ``nn.Linear``,
``nn.Sequential``, ``nn.ReLU``, ``nn.CrossEntropyLoss``, ``nn.AdamW``, ...), so
what you write here carries over, and ``nn.to_torch`` hands a model to
PyTorch. Submodules: `nn.init` (weight initializers), `nn.functional`
(activations, softmax), `nn.data` (DataLoader, Standardizer), `nn.datasets`,
`nn.inference` (`Predictor`), `nn.plot` (matplotlib, optional) and
`nn.compiled` (the Numba engine behind ``Module.compile``).

>>> import nn
>>> model = nn.MLP(2, [4, 1], seed=0)
>>> optimizer = nn.SGD(model.parameters(), lr=0.1)
>>> loss = nn.mse_loss(model([1.0, -2.0]), 0.5)
>>> optimizer.zero_grad()
>>> loss.backward()
>>> optimizer.step()
"""

from importlib.metadata import version

from autograd.distribution import warn_if_shared
from nn import functional, init
from nn.batchnorm import BatchNorm1d
from nn.checkpoint import Checkpoint, load, save
from nn.containers import LeakyReLU, Linear, ReLU, Sequential, Sigmoid, Tanh
from nn.data import DataLoader, Standardizer, train_val_split
from nn.inference import Predictor, predict
from nn.layers import MLP, Layer, Neuron, from_architecture
from nn.loss_modules import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l1_loss,
    mse_loss,
)
from nn.module import Module
from nn.optim import SGD, Adam, AdamW, Optimizer
from nn.torch_bridge import from_torch, to_torch
from nn.train import History, evaluate, fit

__version__ = version("tapegrad")  # the one version literal is pyproject.toml's
warn_if_shared("nn")  # another distribution owning `nn` would break both

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "AdamW",
    "BCELoss",
    "BCEWithLogitsLoss",
    "BatchNorm1d",
    "Checkpoint",
    "CrossEntropyLoss",
    "DataLoader",
    "History",
    "L1Loss",
    "Layer",
    "LeakyReLU",
    "Linear",
    "MSELoss",
    "Module",
    "Neuron",
    "Optimizer",
    "Predictor",
    "ReLU",
    "Sequential",
    "Sigmoid",
    "Standardizer",
    "Tanh",
    "__version__",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "cross_entropy",
    "evaluate",
    "fit",
    "from_architecture",
    "from_torch",
    "functional",
    "hinge_loss",
    "init",
    "l1_loss",
    "load",
    "mse_loss",
    "predict",
    "save",
    "to_torch",
    "train_val_split",
]
