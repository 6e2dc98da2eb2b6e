"""The same training step in PyTorch and in JAX, and the FLOPs of a step, for benchmarks/run.py.

Both use the model tapegrad's benchmark trains: ``MLP(nin, nouts)``, ReLU
between layers, a linear last layer, float64; mean squared error for one
output, cross-entropy over class indices otherwise; Adam as in
``torch.optim.Adam`` (lr 1e-3, betas 0.9, 0.999, eps 1e-8).
"""

from __future__ import annotations

import numpy as np


def step_flops(nin: int, nouts: list[int], batch: int) -> int:
    """Floating-point operations of one step's matrix products (2 per multiply-add).

    Forward ``Z = W @ X`` per layer, backward ``dW = dZ @ Xᵀ`` per layer and
    ``dX = Wᵀ @ dZ`` for every layer but the first (its input needs no
    gradient). Activations, the loss and the update are a few operations per
    number, not counted.
    """
    sizes = [nin, *nouts]
    products = [a * b for a, b in zip(sizes, nouts)]
    return 2 * batch * (2 * sum(products) + sum(products[1:]))


def torch_step(nin, nouts, X, y):
    import torch

    sizes = [nin, *nouts]
    layers = []
    for i in range(len(nouts)):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1], dtype=torch.float64))
        if i < len(nouts) - 1:
            layers.append(torch.nn.ReLU())
    model = torch.nn.Sequential(*layers)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    Xt = torch.tensor(X, dtype=torch.float64)
    if nouts[-1] == 1:
        yt = torch.tensor(y, dtype=torch.float64)

        def loss_of(out):
            return torch.nn.functional.mse_loss(out[:, 0], yt)
    else:
        yt = torch.tensor(y, dtype=torch.int64)

        def loss_of(out):
            return torch.nn.functional.cross_entropy(out, yt)

    def step():
        opt.zero_grad()
        loss_of(model(Xt)).backward()
        opt.step()

    return step


def jax_step(nin, nouts, X, y):
    """The whole step (loss, gradient, Adam) as one ``jax.jit`` function, float64."""
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_enable_x64", True)
    rng = np.random.default_rng(0)
    sizes = [nin, *nouts]
    params = []  # W1, b1, W2, b2, ...
    for n, m in zip(sizes, nouts):
        params += [jnp.asarray(rng.uniform(-1, 1, (m, n))), jnp.zeros(m)]
    Xj = jnp.asarray(X, dtype=jnp.float64)
    classes = nouts[-1]
    yj = jnp.asarray(y, dtype=jnp.int64 if classes > 1 else jnp.float64)

    def loss_fn(params):
        h = Xj
        for k in range(0, len(params), 2):
            h = h @ params[k].T + params[k + 1]
            if k < len(params) - 2:
                h = jax.nn.relu(h)
        if classes == 1:
            return jnp.mean((h[:, 0] - yj) ** 2)
        logp = jax.nn.log_softmax(h, axis=1)
        return -jnp.mean(jnp.take_along_axis(logp, yj[:, None], axis=1))

    lr, beta1, beta2, eps = 1e-3, 0.9, 0.999, 1e-8

    @jax.jit
    def train_step(params, m, v, t):
        grads = jax.grad(loss_fn)(params)
        t = t + 1
        step_size = lr / (1.0 - beta1**t)
        correction = jnp.sqrt(1.0 - beta2**t)
        new_p, new_m, new_v = [], [], []
        for p, g, mk, vk in zip(params, grads, m, v):
            mk = beta1 * mk + (1.0 - beta1) * g
            vk = beta2 * vk + (1.0 - beta2) * g * g
            new_p.append(p - step_size * (mk / (jnp.sqrt(vk) / correction + eps)))
            new_m.append(mk)
            new_v.append(vk)
        return new_p, new_m, new_v, t

    zeros = [jnp.zeros_like(p) for p in params]
    state = [params, zeros, zeros, jnp.asarray(0.0)]

    def step():
        state[:] = train_step(*state)
        state[0][0].block_until_ready()

    return step
