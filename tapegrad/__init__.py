"""The ``tapegrad`` command: train, predict and draw small networks from a shell.

A thin client of `nn` and `autograd`: `tapegrad.cli` parses the command line
and runs one of `tapegrad.commands`; `tapegrad.tables` reads CSV files and
encodes their labels, `tapegrad.training` trains with `nn.train.fit`,
`tapegrad.staging` writes every output whole or not at all, and
`tapegrad.expr` parses the expressions of ``tapegrad graph``.
``python -m tapegrad`` is the same command.

>>> import tapegrad
>>> tapegrad.__version__ == __import__("nn").__version__
True
"""

from importlib.metadata import version

__version__ = version("tapegrad")  # the one version literal is pyproject.toml's

__all__ = ["__version__"]
