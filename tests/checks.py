"""Array comparisons shared by the tests of the compiled engine."""

import numpy as np

RTOL = 1e-12  # compiled vs scalar: only the order of the batch sums differs


def assert_agree(got, want, rtol=RTOL):
    """Assert got == want to ``rtol``, and to ``rtol / 100`` of want's largest entry near 0."""
    scale = np.max(np.abs(want)) if np.size(want) else 1.0
    np.testing.assert_allclose(got, want, rtol=rtol, atol=rtol * 1e-2 * scale)
