"""nn.train: fit runs the six steps, learns the tutorials' problems, records and stops honestly."""

import json
import logging

import numpy as np
import pytest

from nn.checkpoint import load, save
from nn.data import DataLoader, Standardizer, train_val_split
from nn.datasets import exam_pass_fail, load_iris, moons, spirals
from nn.layers import MLP, Neuron
from nn.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    mse_loss,
)
from nn.optim import SGD, Adam
from nn.train import History, accuracy, classify, evaluate, fit, predict


def small_problem(n=40, seed=0):
    X, y = moons(n_samples=n, noise=0.1, seed=seed)
    return X, y


# --- the loop --------------------------------------------------------------------------


def test_one_epoch_is_the_hand_written_loop():
    """fit == zero_grad, forward_batch, mean loss, backward, step, for each batch."""
    X, y = small_problem()
    by_fit, by_hand = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=1)
    fit(
        by_fit,
        mse_loss,
        SGD(by_fit.parameters(), lr=0.1, momentum=0.9),
        DataLoader(X, y, batch_size=16, seed=5),
        epochs=2,
        progress=False,
    )
    optimizer = SGD(by_hand.parameters(), lr=0.1, momentum=0.9)
    loader = DataLoader(X, y, batch_size=16, seed=5)
    for _ in range(2):
        for xb, yb in loader:
            optimizer.zero_grad()
            outputs = by_hand.forward_batch(xb)
            loss = sum(mse_loss(o, t) for o, t in zip(outputs, yb)) / len(yb)
            loss.backward()
            optimizer.step()
    assert by_fit.state_dict() == by_hand.state_dict()  # bit for bit


def test_history_records_every_epoch_and_is_json_able():
    X, y = small_problem()
    X_train, X_val, y_train, y_val = train_val_split(X, y, 0.25, seed=0)
    model = MLP(2, [4, 1], seed=0)
    history = fit(
        model,
        mse_loss,
        Adam(model.parameters(), lr=0.05),
        DataLoader(X_train, y_train, batch_size=10, seed=0),
        DataLoader(X_val, y_val, batch_size=10, shuffle=False),
        epochs=4,
        progress=False,
    )
    assert history.epochs == 4
    for name in ("train_loss", "train_accuracy", "val_loss", "val_accuracy", "epoch_seconds"):
        assert len(getattr(history, name)) == 4, name
    assert history.best_epoch == 1 + int(np.argmin(history.val_loss))  # epochs count from 1
    assert not history.stopped_early
    assert all(0.0 <= a <= 1.0 for a in history.train_accuracy + history.val_accuracy)
    # The validation numbers are those of the final model on the validation set.
    loss, acc = evaluate(model, mse_loss, DataLoader(X_val, y_val, batch_size=4, shuffle=False))
    assert loss == pytest.approx(history.val_loss[-1], rel=1e-12)
    assert acc == history.val_accuracy[-1]
    restored = History.from_dict(json.loads(json.dumps(history.to_dict())))
    assert restored == history


@pytest.mark.parametrize(
    "saved, error, message",
    [
        ([0.5], TypeError, "history: expected a dict, got list"),
        ({"train_loss": [0.5], "lr": 0.1}, ValueError, "history: unknown fields ['lr']"),
        ({"train_loss": "low"}, ValueError, "history.train_loss: expected a list of numbers"),
        ({"val_loss": [0.5, float("nan")]}, ValueError, "history.val_loss[1]: expected a finite"),
        ({"train_loss": [True]}, ValueError, "history.train_loss[0]: expected a number"),
        ({"train_loss": [0.5], "best_epoch": 0}, ValueError, "expected one of its epochs"),
        ({"train_loss": [0.5], "best_epoch": 1.0}, ValueError, "expected one of its epochs"),
        ({"stopped_early": "yes"}, ValueError, "history.stopped_early: expected true or false"),
    ],
)
def test_history_from_dict_names_the_bad_field(saved, error, message):
    with pytest.raises(error) as raised:
        History.from_dict(saved)
    assert message in str(raised.value)


def test_evaluate_is_the_mean_loss_over_samples_and_keeps_the_mode():
    X, y = small_problem(n=10)
    model = MLP(2, [3, 1], seed=0)
    outputs = [model(x) for x in X]
    expected = sum(mse_loss(o, t).data for o, t in zip(outputs, y)) / len(y)
    # Batches of 4, 4 and 2: the mean is over samples, not over batches.
    loss, _ = evaluate(model, mse_loss, DataLoader(X, y, batch_size=4))
    assert loss == pytest.approx(expected, rel=1e-12)
    assert model.training
    model.eval()
    evaluate(model, mse_loss, DataLoader(X, y, batch_size=4))
    assert not model.training


def test_predict_matches_the_model():
    X, _ = small_problem(n=5)
    model = MLP(2, [3, 2], seed=0)
    expected = np.array([[v.data for v in model(x)] for x in X])
    np.testing.assert_array_equal(predict(model, X, batch_size=2), expected)


# --- accuracy ------------------------------------------------------------------------------


def test_accuracy_rules():
    assert accuracy(np.array([[0.2, 0.7, 0.1], [3.0, 1.0, 2.0]]), np.array([1, 2])) == 0.5
    assert accuracy(np.array([[0.6], [0.4]]), np.array([1, 0])) == 1.0
    assert accuracy(np.array([[0.3], [-0.2]]), np.array([1, 0]), threshold=0.0) == 1.0
    assert accuracy(np.array([[0.3], [-0.2]]), np.array([1.0, -1.0])) == 1.0  # by the sign
    assert classify(np.array([[0.3], [-0.2]]), signed=True).tolist() == [1, -1]
    with pytest.raises(ValueError, match="needs class labels"):
        accuracy(np.array([[0.3]]), np.array([0.25]))
    with pytest.raises(ValueError, match=r"outputs: expected a 2-D array of shape \(n_samples"):
        accuracy(np.array([0.3, 0.1]), np.array([1, 0]))
    with pytest.raises(ValueError, match=r"targets: expected a 1-D array of shape \(1,\)"):
        accuracy(np.array([[0.3]]), np.array([1, 0]))


def test_logit_losses_use_threshold_zero_and_custom_metrics_are_recorded():
    # Every output is 0.2: class 1 when read as a logit (> 0), class 0 when read as a
    # probability (< 0.5). One target in four is 1.
    X, y = np.zeros((4, 1)), np.array([0, 0, 0, 1])
    model = Neuron(1, activation=None, init="zeros")
    model.b.data = 0.2
    loader = DataLoader(X, y, batch_size=4, shuffle=False)
    as_logit = evaluate(model, binary_cross_entropy_with_logits, loader)[1]
    as_probability = evaluate(model, mse_loss, loader)[1]
    assert (as_logit, as_probability) == (0.25, 0.75)
    history = fit(
        model,
        mse_loss,
        SGD(model.parameters(), lr=0.01),
        loader,
        epochs=1,
        progress=False,
        metric=lambda outputs, targets: float(outputs.shape == (4, 1)),
    )
    assert history.train_accuracy == [1.0]


def test_regression_without_metric():
    X = np.linspace(-1.0, 1.0, 20).reshape(-1, 1)
    y = 0.5 * X[:, 0] + 0.1
    model = Neuron(1, activation=None, init="zeros")
    history = fit(
        model,
        mse_loss,
        SGD(model.parameters(), lr=0.3),
        DataLoader(X, y, batch_size=5, seed=0),
        epochs=30,
        progress=False,
        metric=None,
    )
    assert history.train_accuracy == [] and history.train_loss[-1] < 1e-4
    assert model.w[0].data == pytest.approx(0.5, abs=0.02)
    with pytest.raises(ValueError, match="metric=None"):
        fit(model, mse_loss, SGD(model.parameters(), lr=0.1), DataLoader(X, y), progress=False)


# --- stopping, callbacks, reporting ------------------------------------------------------------


def test_early_stopping_restores_the_best_weights():
    # The validation labels are the training labels flipped: the better the model fits
    # the training set, the worse its validation loss, so the best epoch is the first.
    X, y = small_problem()
    model = MLP(2, [8, 1], seed=0)
    states = []
    history = fit(
        model,
        binary_cross_entropy_with_logits,
        Adam(model.parameters(), lr=0.05),
        DataLoader(X, y, batch_size=10, seed=0),
        DataLoader(X, 1 - y, batch_size=20, shuffle=False),
        epochs=50,
        callbacks=[lambda epoch, history: states.append(model.state_dict())],
        progress=False,
        early_stopping=3,
    )
    assert history.stopped_early and history.epochs < 50
    assert history.epochs - history.best_epoch == 3
    assert len(states) == history.epochs  # callbacks see every epoch, the last included
    assert history.val_loss[history.best_epoch - 1] == min(history.val_loss)
    assert model.state_dict() == states[history.best_epoch - 1]


def test_a_callback_returning_true_stops_training():
    X, y = small_problem()
    model = MLP(2, [4, 1], seed=0)
    seen = []

    def stop_at_two(epoch, history):
        seen.append((epoch, history.epochs))
        return epoch == 2

    history = fit(
        model,
        mse_loss,
        SGD(model.parameters(), lr=0.01),
        DataLoader(X, y, batch_size=20, seed=0),
        epochs=10,
        callbacks=[stop_at_two],
        progress=False,
    )
    assert seen == [(1, 1), (2, 2)]  # epochs count from 1, as the logs do
    assert history.epochs == 2 and history.stopped_early


def test_a_checkpoint_saved_by_a_callback_counts_epochs_from_1(tmp_path):
    X, y = small_problem()
    model = MLP(2, [4, 1], seed=0)
    path = tmp_path / "best.json"

    def save_best(epoch, history):
        if history.best_epoch == epoch:
            save(model, path, epoch=epoch, history=history.to_dict())

    history = fit(
        model,
        binary_cross_entropy_with_logits,
        Adam(model.parameters(), lr=0.05),
        DataLoader(X, y, batch_size=10, seed=0),
        DataLoader(X, 1 - y, batch_size=20, shuffle=False),  # the best epoch is the first
        epochs=3,
        callbacks=[save_best],
        progress=False,
    )
    meta = load(path).meta
    assert meta["epoch"] == meta["history"]["best_epoch"] == history.best_epoch == 1
    assert meta["history"]["epochs"] == 1  # saved after the first epoch, which is epoch 1


def test_logging_and_quiet_progress_bar_off_a_terminal(caplog, capsys):
    X, y = small_problem(n=10)
    model = MLP(2, [2, 1], seed=0)
    with caplog.at_level(logging.INFO, logger="nn.train"):
        fit(model, mse_loss, SGD(model.parameters(), lr=0.01), DataLoader(X, y), epochs=2)
    messages = [r.getMessage() for r in caplog.records if r.name == "nn.train"]
    assert len(messages) == 2 and messages[0].startswith("epoch 1/2: loss=")
    out, err = capsys.readouterr()
    assert out == "" and err == ""  # progress=True, but pytest's stderr is not a terminal


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs: expected an int >= 1"),
        ({"engine": "gpu"}, ValueError, "engine: expected one of"),
        ({"early_stopping": 2}, ValueError, "pass a val_loader"),
        ({"early_stopping": 0.5}, TypeError, "early_stopping: expected an int"),
        ({"callbacks": ["not callable"]}, TypeError, "callbacks: expected functions"),
        ({"metric": "f1"}, ValueError, "metric: expected 'accuracy'"),
        ({"train_loader": []}, ValueError, "train_loader: yielded no batches"),
        ({"loss_fn": "mse"}, TypeError, "loss_fn: expected a function"),
    ],
)
def test_fit_rejects_bad_arguments(kwargs, error, message):
    X, y = small_problem(n=4)
    model = MLP(2, [2, 1], seed=0)
    arguments = {
        "model": model,
        "loss_fn": mse_loss,
        "optimizer": SGD(model.parameters(), lr=0.1),
        "train_loader": DataLoader(X, y),
        "progress": False,
        **kwargs,
    }
    with pytest.raises(error, match=message):
        fit(**arguments)


# --- the tutorials' problems ------------------------------------------------------------------


def test_exam_pass_fail_single_neuron_ignores_the_name():
    """Seed 002: a sigmoid neuron trained with BCE learns who passes and ignores the name."""
    X, y = exam_pass_fail(n_samples=400, seed=0)
    scaler = Standardizer().fit(X)  # features on one scale, so weights compare
    neuron = Neuron(4, activation="sigmoid", seed=0)
    history = fit(
        neuron,
        binary_cross_entropy,
        Adam(neuron.parameters(), lr=0.1),
        DataLoader(scaler.transform(X), y, batch_size=50, seed=0),
        epochs=30,
        progress=False,
    )
    weights = np.abs([w.data for w in neuron.w])
    assert history.train_accuracy[-1] >= 0.8
    assert history.train_loss[-1] < history.train_loss[0]
    assert weights.argmax() == 0  # hours studied matters most
    assert weights[3] < 0.1 * weights.max()  # the name: below 10% of the largest weight


MOONS_EPOCHS = 15
COMPARED_EPOCHS = 3  # the engines are compared over the first epochs of the same run


def train_moons(engine):
    """Fit the moons MLP for MOONS_EPOCHS, keeping the parameters after each epoch."""
    X, y = moons(n_samples=300, noise=0.1, seed=0)
    model = MLP(2, [16, 16, 1], seed=0)
    after_epoch = []

    def snapshot(epoch, history):
        after_epoch.append([p.data for p in model.parameters()])

    history = fit(
        model,
        binary_cross_entropy_with_logits,
        Adam(model.parameters(), lr=0.02),
        DataLoader(X, y, batch_size=32, seed=0),
        epochs=MOONS_EPOCHS,
        callbacks=[snapshot],
        engine=engine,
        progress=False,
    )
    return model, history, after_epoch, X, y


@pytest.fixture(scope="module")
def scalar_moons():
    return train_moons("scalar")


@pytest.fixture(scope="module")
def compiled_moons():
    return train_moons("compiled")


def test_moons_mlp_reaches_97_percent(scalar_moons):
    model, history, _, X, y = scalar_moons
    final = accuracy(predict(model, X), y, threshold=0.0)
    assert final >= 0.97, (final, history.epochs)


def test_compiled_engine_trains_moons_as_well_as_scalar(scalar_moons, compiled_moons):
    _, scalar_history, scalar_params, _, _ = scalar_moons
    model, compiled_history, compiled_params, X, y = compiled_moons
    np.testing.assert_allclose(
        compiled_history.train_loss[:COMPARED_EPOCHS],
        scalar_history.train_loss[:COMPARED_EPOCHS],
        rtol=1e-9,
    )
    np.testing.assert_allclose(
        compiled_params[COMPARED_EPOCHS - 1],
        scalar_params[COMPARED_EPOCHS - 1],
        rtol=1e-8,
        atol=1e-12,
    )
    assert accuracy(predict(model, X), y, threshold=0.0) >= 0.97


def test_three_class_softmax_on_iris():
    pytest.importorskip("sklearn")
    X, y = load_iris()
    X = Standardizer().fit_transform(X)
    model = MLP(4, [8, 3], seed=0)
    history = fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.05),
        DataLoader(X, y, batch_size=30, seed=0),
        epochs=30,
        progress=False,
    )
    assert accuracy(predict(model, X), y) >= 0.95, history.train_accuracy


def test_three_class_softmax_on_spirals_compiled():
    X, y = spirals(n_samples=300, n_classes=3, noise=0.2, seed=0)
    model = MLP(2, [32, 32, 3], seed=0)
    fit(
        model,
        cross_entropy,
        Adam(model.parameters(), lr=0.01),
        DataLoader(X, y, batch_size=32, seed=0),
        epochs=60,
        engine="compiled",
        progress=False,
    )
    assert accuracy(predict(model, X), y) >= 0.95
