"""`Module.compile(loss_fn)`: agreement with the scalar engine and PyTorch; input checks."""

import numpy as np
import pytest

from autograd import Value, kernels
from autograd.tape import DOT, trace
from nn.compiled import CompiledModel
from nn.layers import MLP
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    hinge_loss,
    l1_loss,
    mse_loss,
)
from nn.optim import SGD, Adam

from checks import assert_agree
from twins import TorchTwin

# loss -> (output width, output activation, targets for a batch of n)
LOSSES = {
    "mse_loss": (mse_loss, 1, None, lambda rng, n: rng.normal(size=n)),
    "l1_loss": (l1_loss, 1, None, lambda rng, n: rng.normal(size=n)),
    "binary_cross_entropy": (
        binary_cross_entropy,
        1,
        "sigmoid",
        lambda rng, n: rng.integers(0, 2, n).astype(float),
    ),
    "binary_cross_entropy_with_logits": (
        binary_cross_entropy_with_logits,
        1,
        None,
        lambda rng, n: rng.uniform(0, 1, n),
    ),
    "hinge_loss": (hinge_loss, 1, None, lambda rng, n: rng.choice([-1.0, 1.0], n)),
    "cross_entropy": (cross_entropy, 3, None, lambda rng, n: rng.integers(0, 3, n)),
}
ACTIVATIONS = ["relu", "tanh", "sigmoid", "leaky_relu", None]


def scalar_step(model, loss_fn, X, y):
    """fit's scalar path: the mean of per-sample losses, then backward()."""
    model.zero_grad()
    loss = sum(loss_fn(model(x), t) for x, t in zip(X, y)) / len(y)
    loss.backward()
    return loss.data, np.array([p.grad for p in model.parameters()])


def compiled_step(compiled, X, y):
    compiled.model.zero_grad()
    loss = compiled.loss_and_grad(X, y)
    return loss, np.array([p.grad for p in compiled.model.parameters()])


def make(loss_name, activation, seed=0, n=12):
    loss_fn, width, out_act, targets = LOSSES[loss_name]
    rng = np.random.default_rng(seed)
    model = MLP(3, [5, 4, width], activation=activation, output_activation=out_act, seed=seed)
    return model, loss_fn, rng.normal(size=(n, 3)), targets(rng, n)


@pytest.mark.parametrize("activation", ACTIVATIONS)
@pytest.mark.parametrize("loss_name", LOSSES)
def test_loss_and_every_gradient_agree_with_the_scalar_engine(loss_name, activation):
    model, loss_fn, X, y = make(loss_name, activation)
    compiled = model.compile(loss_fn)
    assert isinstance(compiled, CompiledModel)
    assert compiled.classification == (loss_name == "cross_entropy")
    loss, grads = compiled_step(compiled, X, y)
    want_loss, want_grads = scalar_step(model, loss_fn, X, y)
    assert_agree(loss, want_loss)
    assert_agree(grads, want_grads)


@pytest.mark.parametrize("loss_name", ["mse_loss", "cross_entropy"])
def test_predict_is_the_model_output(loss_name):
    model, loss_fn, X, _ = make(loss_name, "tanh")
    got = model.compile(loss_fn).predict(X)
    want = [[v.data for v in (out if isinstance(out, list) else [out])] for out in map(model, X)]
    assert got.shape == (len(X), LOSSES[loss_name][1])
    assert_agree(got, np.array(want))


def test_gradients_accumulate_like_backward():
    model, loss_fn, X, y = make("mse_loss", "relu")
    compiled = model.compile(loss_fn)
    _, once = compiled_step(compiled, X, y)
    compiled.loss_and_grad(X, y)  # no zero_grad: adds again
    assert_agree(np.array([p.grad for p in model.parameters()]), 2 * once)


@pytest.mark.parametrize("optimizer", [SGD, Adam])
def test_optimizer_steps_need_no_new_trace(optimizer):
    model, loss_fn, X, y = make("cross_entropy", "tanh")
    twin, _, _, _ = make("cross_entropy", "tanh")
    compiled = model.compile(loss_fn)
    tape = compiled.tape
    opt, twin_opt = optimizer(model.parameters(), lr=0.1), optimizer(twin.parameters(), lr=0.1)
    for _ in range(3):
        opt.zero_grad()
        compiled.loss_and_grad(X, y)
        opt.step()
        twin_opt.zero_grad()
        scalar_step(twin, loss_fn, X, y)
        twin_opt.step()
    assert compiled.tape is tape
    assert_agree(
        np.array([p.data for p in model.parameters()]),
        np.array([p.data for p in twin.parameters()]),
        rtol=1e-10,
    )


def test_fit_with_the_compiled_engine_matches_the_scalar_engine():
    from nn.data import DataLoader
    from nn.train import fit

    histories = []
    for engine in ("scalar", "compiled"):
        model, loss_fn, X, y = make("mse_loss", "tanh", n=16)
        loader = DataLoader(X, y, batch_size=8, shuffle=False)
        opt = SGD(model.parameters(), lr=0.05)
        history = fit(model, loss_fn, opt, loader, epochs=2, engine=engine, metric=None)
        histories.append(history.train_loss)
    assert_agree(np.array(histories[1]), np.array(histories[0]), rtol=1e-10)


def test_agrees_with_pytorch():
    torch = pytest.importorskip("torch")
    model, loss_fn, X, y = make("cross_entropy", "tanh")
    twin = TorchTwin(model)
    want = torch.nn.functional.cross_entropy(twin(X), torch.tensor(y))
    want.backward()
    compiled = model.compile(loss_fn)
    loss, _ = compiled_step(compiled, X, y)
    assert abs(loss - want.item()) <= 1e-12 * abs(want.item())
    for layer, (W, b, _, _) in zip(model.layers, twin.layers):
        got_w = np.array([[w.grad for w in n.w] for n in layer.neurons])
        assert_agree(got_w, W.grad.numpy(), rtol=1e-10)
        assert_agree(np.array([n.b.grad for n in layer.neurons]), b.grad.numpy(), 1e-10)


def test_the_tape_prints_as_a_wengert_list():
    model, loss_fn, _, _ = make("mse_loss", "relu")
    text = str(model.compile(loss_fn).tape)
    assert "%4 = dot 1.0*$3 + $0*%0 + $1*%1 + $2*%2" in text
    assert "= relu %4" in text and text.splitlines()[-1].startswith("outputs: %")


def test_classification_tape_has_one_loss_per_class():
    model, loss_fn, X, _ = make("cross_entropy", "relu")
    compiled = model.compile(loss_fn)
    assert len(compiled.tape.output_slots) == 3 + 3  # the losses, then the logits
    with pytest.raises(ValueError, match=r"y: expected class indices 0 to 2, got 3"):
        compiled.loss_and_grad(X[:2], np.array([0, 3]))
    with pytest.raises(ValueError, match=r"y: expected class indices 0 to 2, got 0.5"):
        compiled.loss_and_grad(X[:2], np.array([0.5, 1.0]))
    with pytest.raises(ValueError, match=r"y: expected class indices 0 to 2, got -1.0"):
        compiled.loss_and_grad(X[:2], np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"y: expected class indices 0 to 2, got 1e\+30"):
        compiled.loss_and_grad(X[:2], np.array([1e30, 1.0]))  # no cast warning either


# --- bad input ---------------------------------------------------------------------


@pytest.fixture
def compiled():
    model, loss_fn, _, _ = make("mse_loss", "relu")
    return model.compile(loss_fn)


@pytest.mark.parametrize(
    ("X", "error", "message"),
    [
        (
            np.zeros((4, 2)),
            ValueError,
            r"X: expected a 2-D array of shape \(batch, 3\), got shape \(4, 2\)",
        ),
        (
            np.zeros(3),
            ValueError,
            r"X: expected a 2-D array of shape \(batch, 3\), got shape \(3,\)",
        ),
        (np.zeros((0, 3)), ValueError, "X: expected at least one sample"),
        (
            np.array([[0.0, np.nan, 1.0]] * 4),
            ValueError,
            r"X: contains NaN or infinity \(at row, column \(0, 1\)\)",
        ),
        (
            np.full((4, 3), "a"),
            TypeError,
            "X: expected a 2-D array of real numbers, got an array of dtype <U1",
        ),
        (
            np.ones((4, 3), dtype=bool),
            TypeError,
            "X: expected a 2-D array of real numbers, got an array of dtype bool",
        ),
        (np.ones((4, 3), dtype=complex), TypeError, "X: .* dtype complex128"),
    ],
)
def test_bad_X_is_refused(compiled, X, error, message):
    with pytest.raises(error, match=message):
        compiled.loss_and_grad(X, np.zeros(len(X)))
    with pytest.raises(error, match=message):
        compiled.predict(X)


def test_bad_y_is_refused(compiled):
    X = np.zeros((4, 3))
    with pytest.raises(
        ValueError, match=r"y: expected a 1-D array of shape \(4,\), got shape \(4, 1\)"
    ):
        compiled.loss_and_grad(X, np.zeros((4, 1)))
    with pytest.raises(
        ValueError, match=r"y: expected a 1-D array of shape \(4,\), got shape \(3,\)"
    ):
        compiled.loss_and_grad(X, np.zeros(3))
    with pytest.raises(ValueError, match=r"y: contains NaN or infinity \(at index 1\)"):
        compiled.loss_and_grad(X, np.array([0.0, np.inf, 0.0, 0.0]))


def test_integer_and_list_inputs_are_accepted(compiled):
    X = [[1, 2, 3], [4, 5, 6]]
    want = compiled.predict(np.array(X, dtype=float))
    np.testing.assert_array_equal(compiled.predict(X), want)


def test_batchnorm_is_not_supported():
    model = MLP(2, [4, 1], batchnorm=True, seed=0)
    with pytest.raises(NotImplementedError, match="not supported by the compiled engine"):
        model.compile(mse_loss)


def test_a_domain_error_in_the_loss_names_the_op_and_the_sample():
    model = MLP(2, [1], activation=None, init="zeros")
    model.layers[0].neurons[0].b.data = 1.0
    compiled = model.compile(lambda out, t: (out - t).log())
    with pytest.raises(ValueError, match=r"sample 1 of the batch, .* log: .*x > 0, got x = -1.0"):
        compiled.loss_and_grad(np.zeros((2, 2)), np.array([0.0, 2.0]))


def test_kernel_cache_is_keyed_on_every_source_the_kernels_compile():
    # numba's on-disk cache checks only the timestamp of kernels.py, not the code its
    # kernels call: a hash of the op table, the dispatch and the kernels in their names
    # makes an edit to any of them (or another installed version) compile afresh.
    import hashlib
    from pathlib import Path

    from autograd import blas, block_kernels, dispatch, ops

    files = (
        ops.__file__,
        dispatch.__file__,
        blas.__file__,
        block_kernels.__file__,
        kernels.__file__,
    )
    digest = hashlib.sha256(b"".join(Path(f).read_bytes() for f in files)).hexdigest()[:12]
    tape = MLP(2, [2, 1], seed=0).compile(mse_loss).tape
    assert kernels.kernels_for(tape).run.py_func.__qualname__.endswith(digest)


def test_kernels_have_a_dot_branch_only_for_tapes_with_dots(monkeypatch):
    # Numba drops the branch a false global guards: dot-free kernels compile less code,
    # and they must never be handed a tape that has dots.
    monkeypatch.setattr(kernels, "_KERNELS", [])
    w = [Value(2.0), Value(3.0), Value(4.0)]
    no_dots = trace(lambda x: (x[0] * x[1]).relu(), n_inputs=2, params=[])
    dots = trace(lambda x: (w[0] * x[0] + w[1] * x[1] + w[2] * x[0]).relu(), n_inputs=2, params=w)
    assert DOT not in no_dots.code and DOT in dots.code
    plain = kernels.kernels_for(no_dots)
    assert DOT not in plain.codes and not plain.run.py_func.__globals__["_DOTS"]
    with_dots = kernels.kernels_for(dots)
    assert with_dots is not plain and DOT in with_dots.codes
    X = np.array([[2.0, 3.0], [-1.0, 0.5]])
    assert kernels.forward(dots, X).tolist() == [[21.0], [0.0]]
    assert kernels.forward(no_dots, X).tolist() == [[6.0], [0.0]]
