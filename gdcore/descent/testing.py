"""How closely the fast engine must agree with the textbook loop, in one place.

The tests and the benchmark both judge agreement by these numbers, like
``numpy.testing`` for this package: ``RTOL`` relative, with an absolute floor
of ``FLOOR`` times the starting error (or the weights' size), below which the
textbook loop's own rounding cannot resolve a difference.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from .runs import DescentResult

RTOL = 1e-9
"""Agreement asked of the engine: 1e-9 relative."""
FLOOR = 1e-12
"""Absolute floor, as a fraction of the starting error (for errors) or of the
weight vector's size (for weights): the textbook loop's own rounding cannot
resolve values smaller than that, e.g. the error of an exact fit near 0."""
TINY = float(np.finfo(np.float64).tiny)
"""Below the smallest normal double (2.2e-308) numbers carry no relative digits:
an error of 1e-323 against 0 is agreement (hypothesis found such a case)."""


def disagreement(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    """Largest error difference of ``a`` from ``b`` in units of the tolerance (<= 1: agree).

    ``inf`` when the two blow up at different epochs.

    >>> b = np.array([[1.0, 0.5]])
    >>> disagreement(b * (1 + 1e-10), b) <= 1, disagreement(b * (1 + 1e-6), b) > 1
    (True, True)
    """
    if not np.array_equal(np.isfinite(a), np.isfinite(b)):
        return float("inf")
    ok = np.isfinite(b)
    diff = np.abs(a - b)[ok]
    bound = (RTOL * np.abs(b) + FLOOR * np.abs(b[:, :1]) + TINY)[ok]
    return float(np.max(diff / bound, initial=0.0))


def assert_runs_equal(fast: DescentResult, slow: DescentResult) -> None:
    """Same blow-up and stop epochs, and every finite value equal within the tolerance."""
    np.testing.assert_array_equal(fast.diverged_epoch, slow.diverged_epoch)
    np.testing.assert_array_equal(fast.stopped_epoch, slow.stopped_epoch)
    worst = disagreement(fast.errors, slow.errors)
    assert worst <= 1, f"errors differ by {worst:.3g}x the tolerance"
    ok = np.isfinite(slow.errors)
    size = np.abs(slow.weights).max(axis=2)
    start_size = np.fmax(size[:, 0], size[:, 1])[:, None]  # the start and first step
    wdiff = np.abs(fast.weights - slow.weights).max(axis=2)[ok]
    wbound = (RTOL * size + FLOOR * start_size + TINY)[ok]
    assert (wdiff <= wbound).all(), f"weights differ by {np.max(wdiff / wbound):.3g}x the tolerance"
