"""The optimizers' update formulas as Numba loops: one pass over the flat parameter array.

`nn.optim` 's ``update_arrays`` call these. Each loop applies, to one
parameter at a time, the formula in the optimizer's docstring, in the same
order of operations as ``torch.optim`` (and as plain Python on one number
would), so the numbers match step for step. One compiled pass reads each
parameter, gradient and state entry once and writes the results into the
``new_*`` arrays; nothing is changed in place, so a step that is refused
afterwards leaves everything as it was. Each loop returns whether every
number it wrote is finite, counted as it goes (a count vectorises, an early
exit would not): no second pass over the arrays, and no numpy warning
before the optimizer's own error.

Examples
--------
>>> import numpy as np
>>> p, g = np.array([3.0]), np.array([6.0])
>>> new, buf = np.empty(1), np.empty(1)
>>> sgd_update(p, g, buf, new, buf, 0.1, 0.0, 0.0, 0.0, False, False)  # all finite
True
>>> new.tolist()  # 3 - 0.1 * 6
[2.4]
"""

from __future__ import annotations

import math

from numba import njit

# NumPy's error model: IEEE division, without Python's zero-division check on
# every element, which keeps the loops from vectorising (4x slower on 26k
# parameters). No division here can meet a zero: Adam's denominator is > eps.
# Only Python calls them: no C-callable wrapper to compile.
_UPDATE = {"cache": True, "error_model": "numpy", "no_cfunc_wrapper": True}


@njit(**_UPDATE)
def sgd_update(p, g, buf, new_p, new_buf, lr, momentum, dampening, weight_decay, nesterov, first):
    """One SGD step into ``new_p`` (and ``new_buf`` when ``momentum`` > 0); whether all is finite.

    ``first``: no momentum buffer yet (``buf`` is then not read).
    """
    bad = 0
    for i in range(len(p)):
        d = g[i] + weight_decay * p[i]
        if momentum != 0.0:
            b = d if first else momentum * buf[i] + (1.0 - dampening) * d
            new_buf[i] = b
            bad += not math.isfinite(b)
            d = d + momentum * b if nesterov else b
        new_p[i] = p[i] - lr * d
        bad += not math.isfinite(new_p[i])
    return bad == 0


@njit(**_UPDATE)
def adam_update(
    p, g, m, v, new_p, new_m, new_v, beta1, beta2, step_size, bias_correction2_sqrt, eps,
    weight_decay, decay_factor,
):  # fmt: skip
    """One Adam step into ``new_p``, ``new_m``, ``new_v``; whether all three are finite.

    ``weight_decay`` is Adam's L2 term (added to the gradient); ``decay_factor``
    AdamW's ``1 - lr · weight_decay`` (multiplies the parameter; 1 for Adam).
    """
    bad = 0
    for i in range(len(p)):
        d = g[i] + weight_decay * p[i] if weight_decay != 0.0 else g[i]
        mi = m[i] * beta1 + (1.0 - beta1) * d
        vi = d * d * (1.0 - beta2) + beta2 * v[i]
        decayed = p[i] * decay_factor if decay_factor != 1.0 else p[i]
        new_p[i] = decayed + mi / (math.sqrt(vi) / bias_correction2_sqrt + eps) * -step_size
        new_m[i], new_v[i] = mi, vi
        bad += (not math.isfinite(new_p[i])) + (not math.isfinite(mi)) + (not math.isfinite(vi))
    return bad == 0
