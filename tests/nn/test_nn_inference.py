"""nn.inference and the rules fit shares with it: one predictor, declared thresholds,
continued histories, one epoch line."""

import logging

import numpy as np
import pytest

from nn.data import DataLoader, Standardizer
from nn.datasets import xor
from nn.inference import ENGINES, Predictor, predict
from nn.layers import MLP
from nn.losses import binary_cross_entropy_with_logits, mse_loss
from nn.optim import SGD, Adam
from nn.train import epoch_summary, fit


def test_predictor_scales_rows_and_agrees_on_both_engines():
    X = np.array([[0.5, -1.0], [1.0, 2.0], [0.0, 3.0]])
    scaler = Standardizer().fit(X)
    model = MLP(2, [4, 1], seed=0)
    want = predict(model, scaler.transform(X))
    for engine in ENGINES:
        got = Predictor(model, scaler, engine).predict(X)
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)


def test_predictor_uses_a_compiled_model_as_it_is():
    model = MLP(2, [3, 1], seed=0)
    compiled = model.compile(mse_loss)
    assert Predictor(compiled).predict(np.zeros((2, 2))).shape == (2, 1)


def test_predictor_refuses_an_unknown_engine():
    with pytest.raises(ValueError, match="engine: expected one of"):
        Predictor(MLP(2, [1]), engine="gpu")


def _accuracy_under(loss_fn):
    """The accuracy fit measures for outputs 0.3 (a logit: class 1; a probability: 0)."""
    model = MLP(1, [1], activation=None, init="zeros")
    model.layers[0].neurons[0].b.data = 0.3
    history = fit(
        model,
        loss_fn,
        SGD(model.parameters(), lr=1e-12),
        DataLoader(np.zeros((2, 1)), np.array([1, 1])),
        epochs=1,
        progress=False,
    )
    return history.train_accuracy[0]


def test_fit_reads_the_threshold_a_loss_declares_not_its_name():
    assert _accuracy_under(binary_cross_entropy_with_logits) == 1.0  # threshold 0

    def binary_cross_entropy_with_logits_(output, target):  # same name, nothing declared
        return binary_cross_entropy_with_logits(output, target)

    binary_cross_entropy_with_logits_.__name__ = "binary_cross_entropy_with_logits"
    assert _accuracy_under(binary_cross_entropy_with_logits_) == 0.0  # threshold 0.5

    def my_logit_loss(output, target):
        return binary_cross_entropy_with_logits(output, target)

    my_logit_loss.decision_threshold = 0.0
    assert _accuracy_under(my_logit_loss) == 1.0


def _loaders():
    X, y = xor(n_samples=20, seed=0)
    return DataLoader(X, y, batch_size=10, seed=0), DataLoader(X, y, batch_size=20, shuffle=False)


def _train(model, optimizer, epochs, loaders=None, **kwargs):
    return fit(
        model,
        binary_cross_entropy_with_logits,
        optimizer,
        *(loaders or _loaders()),
        epochs=epochs,
        progress=False,
        **kwargs,
    )


def test_fit_continues_a_history_as_one_run():
    whole_model = MLP(2, [4, 1], seed=0)
    whole = _train(whole_model, Adam(whole_model.parameters(), lr=0.05), epochs=4)
    model, loaders = MLP(2, [4, 1], seed=0), _loaders()
    optimizer = Adam(model.parameters(), lr=0.05)
    first = _train(model, optimizer, 2, loaders)
    seen = []
    resumed = _train(
        model, optimizer, 2, loaders, history=first, callbacks=[lambda e, h: seen.append(e)]
    )
    assert seen == [3, 4]  # numbered from 1, after the given history's epochs
    assert first.epochs == 2  # the given history is left as it was
    assert resumed.train_loss == whole.train_loss and resumed.val_loss == whole.val_loss
    assert resumed.best_epoch == whole.best_epoch
    assert model.state_dict() == whole_model.state_dict()


def test_verbose_prints_the_line_the_logger_gets(caplog, capsys):
    model = MLP(2, [4, 1], seed=0)
    with caplog.at_level(logging.INFO, logger="nn.train"):
        history = _train(model, SGD(model.parameters(), lr=0.1), epochs=2, verbose=True)
    logged = [r.getMessage() for r in caplog.records if r.name == "nn.train"]
    printed = capsys.readouterr().out.splitlines()
    assert printed == logged and len(printed) == 2
    assert printed[1].startswith(epoch_summary(history, 2) + " (")
    assert printed[0].startswith("epoch 1/2: loss=")


@pytest.mark.parametrize("engine", ["scalar", "compiled"])
def test_no_rows_is_the_same_clear_error_on_both_engines(engine):
    predictor = Predictor(MLP(2, [1], seed=0), engine=engine)
    with pytest.raises(ValueError, match="X: expected at least one sample, got 0"):
        predictor.predict(np.zeros((0, 2)))
