"""DataLoader's batches: every sample once per epoch, no empty batch, the count len() says."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from nn.data import DataLoader


def epoch(n, batch_size, shuffle=False, drop_last=False):
    X, y = np.arange(2.0 * n).reshape(n, 2), np.arange(n)
    loader = DataLoader(X, y, batch_size=batch_size, shuffle=shuffle, seed=0, drop_last=drop_last)
    return loader, [yb.tolist() for _, yb in loader]


@pytest.mark.parametrize(("n", "batch_size"), [(6, 2), (6, 3), (6, 6), (6, 1), (64, 32)])
def test_a_batch_size_that_divides_n_gives_no_empty_extra_batch(n, batch_size):
    loader, batches = epoch(n, batch_size)
    assert len(batches) == len(loader) == n // batch_size
    assert all(len(b) == batch_size for b in batches)


def test_a_batch_size_that_does_not_divide_n_ends_with_the_rest():
    loader, batches = epoch(7, 3)
    assert batches == [[0, 1, 2], [3, 4, 5], [6]] and len(loader) == 3
    loader, batches = epoch(7, 3, drop_last=True)
    assert batches == [[0, 1, 2], [3, 4, 5]] and len(loader) == 2


@given(st.integers(1, 200), st.integers(1, 64), st.booleans(), st.booleans())
def test_every_epoch_holds_each_sample_once_in_len_batches(n, batch_size, shuffle, drop_last):
    loader, batches = epoch(n, batch_size, shuffle, drop_last)
    assert len(batches) == len(loader)
    assert all(len(b) == batch_size for b in batches[:-1])
    assert all(1 <= len(b) <= batch_size for b in batches)  # never an empty batch
    seen = sorted(i for b in batches for i in b)
    if drop_last:
        assert len(seen) == (n // batch_size) * batch_size and len(set(seen)) == len(seen)
    else:
        assert seen == list(range(n))
