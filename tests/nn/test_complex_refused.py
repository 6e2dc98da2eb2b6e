"""Complex numbers are refused at every entry point, never cast to real with a warning.

Arrays go through `nn.arrays.as_float_array` and single numbers through
`autograd.numbers.as_number`; this walks the public entry points that take
numbers and checks each refuses a complex one (with warnings as errors, so a
``ComplexWarning`` cast fails the test).
"""

import numpy as np
import pytest

import nn
from autograd import Value
from nn.train import accuracy, classify, rmse

C2 = np.ones((3, 2), dtype=complex)  # inputs
C1 = np.ones(3, dtype=complex)  # targets
REAL2, REAL1 = np.ones((3, 2)), np.ones(3)


def model():
    return nn.MLP(2, [1], seed=0)


ENTRY_POINTS = {
    "Value": lambda: Value(1 + 0j),
    "Value + complex": lambda: Value(1.0) + 1j,
    "Value ** complex": lambda: Value(2.0) ** 1j,
    "backward seed": lambda: Value(1.0).backward(1j),
    "leaky_relu slope": lambda: Value(1.0).leaky_relu(1j),
    "model call": lambda: model()([1j, 1.0]),
    "model call on an array": lambda: model()(np.array([1j, 1.0])),
    "DataLoader X": lambda: nn.DataLoader(C2, REAL1),
    "DataLoader y": lambda: nn.DataLoader(REAL2, C1),
    "DataLoader X of objects": lambda: nn.DataLoader(C2.astype(object), REAL1),
    "train_val_split": lambda: nn.train_val_split(C2, REAL1),
    "Standardizer.fit": lambda: nn.Standardizer().fit(C2),
    "Standardizer.transform": lambda: nn.Standardizer().fit(REAL2).transform(C2),
    "predict": lambda: nn.predict(model(), C2),
    "Predictor compiled": lambda: nn.Predictor(model(), engine="compiled").predict(C2),
    "compiled loss_and_grad": lambda: model().compile(nn.mse_loss).loss_and_grad(REAL2, C1),
    "mse_loss target": lambda: nn.mse_loss(Value(1.0), 1 + 0j),
    "accuracy outputs": lambda: accuracy(np.ones((3, 1), dtype=complex), REAL1),
    "accuracy targets": lambda: accuracy(np.ones((3, 1)), C1),
    "rmse": lambda: rmse(np.ones((3, 1)), C1),
    "classify": lambda: classify(np.ones((3, 1), dtype=complex)),
    "SGD lr": lambda: nn.SGD([Value(1.0)], lr=0.1j),
    "load_state_dict": lambda: model().load_state_dict(
        {k: [1j] * len(v) for k, v in model().state_dict().items()}
    ),
}


@pytest.mark.filterwarnings("error")
@pytest.mark.parametrize("name", list(ENTRY_POINTS))
def test_complex_is_refused(name):
    with pytest.raises(
        (TypeError, ValueError), match="complex|dtype object|lr: expected a finite number"
    ):
        ENTRY_POINTS[name]()
