"""tapegrad's autograd: a scalar `Value` graph and reverse-mode differentiation.

>>> from autograd import Value
>>> x = Value(2.0)
>>> y = x * x + 3 * x
>>> y.backward()
>>> x.grad
7.0
"""

from autograd.check import gradcheck
from autograd.ops import OPS, OPS_BY_NAME, Op
from autograd.value import Value

__version__ = "0.1.0"

__all__ = ["OPS", "OPS_BY_NAME", "Op", "Value", "__version__", "gradcheck"]
