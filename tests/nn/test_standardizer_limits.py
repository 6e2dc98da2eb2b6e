"""Standardizer refuses features whose statistics overflow, naming the column.

A column of ±1e200 is finite, but its variance (1e400) is not: the scale
would be inf and the column silently zeroed. fit, transform and
inverse_transform refuse such numbers up front instead.
"""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nn.data import Standardizer


@pytest.mark.parametrize("huge", [1e200, 1e155, 1e308])
def test_fit_refuses_a_column_whose_scale_overflows(huge):
    X = np.array([[1.0, huge, 3.0], [2.0, -huge, 4.0]])
    scaler = Standardizer()
    with pytest.raises(
        ValueError, match=re.escape(f"column 1 holds numbers up to {huge:g} in size")
    ):
        scaler.fit(X)
    assert scaler.mean_ is None  # nothing fitted


def test_transform_refuses_a_number_that_overflows_its_column():
    scaler = Standardizer().fit(np.array([[0.0, 0.0], [1.0, 1e-10]]))
    with pytest.raises(ValueError, match=r"column 1 .*transform overflows"):
        scaler.transform(np.array([[0.5, 1e300]]))
    with pytest.raises(ValueError, match=r"column 0 .*inverse_transform overflows"):
        Standardizer().fit(np.array([[0.0], [1e150]])).inverse_transform(np.array([[1e200]]))


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.floats(-1e300, 1e300) | st.sampled_from([1e200, -1e200]), min_size=2, max_size=2
        ),
        min_size=1,
        max_size=5,
    )
)
def test_fit_gives_finite_positive_scales_or_refuses(rows):
    try:
        scaler = Standardizer().fit(np.array(rows))
    except ValueError as error:
        assert "column" in str(error)
    else:
        assert np.isfinite(scaler.mean_).all() and (np.isfinite(scaler.scale_)).all()
        assert (scaler.scale_ > 0).all()
