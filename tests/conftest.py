"""Shared test helpers: comparing the fast engine with the textbook loop."""

import os

import numpy as np
import pytest

# The app hides error details from users (.streamlit/config.toml); a failing
# test should show them.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")

RTOL = 1e-9
"""Agreement asked of the engine: 1e-9 relative."""
FLOOR = 1e-12
"""Absolute floor, as a fraction of the starting error (for errors) or of the
weight vector's size (for weights): the textbook loop's own rounding cannot
resolve values smaller than that, e.g. the error of an exact fit near 0."""


def assert_runs_equal(fast, slow):
    """Same blow-up and stop epochs, and every finite value equal to RTOL."""
    np.testing.assert_array_equal(fast.diverged_epoch, slow.diverged_epoch)
    np.testing.assert_array_equal(fast.stopped_epoch, slow.stopped_epoch)
    np.testing.assert_array_equal(np.isfinite(fast.errors), np.isfinite(slow.errors))
    ok = np.isfinite(slow.errors)
    start = np.abs(slow.errors[:, :1])
    diff = np.abs(fast.errors - slow.errors)[ok]
    bound = (RTOL * np.abs(slow.errors) + FLOOR * start)[ok]
    assert (diff <= bound).all(), f"errors differ by {np.max(diff / bound):.3g}x the tolerance"
    size = np.abs(slow.weights).max(axis=2)
    start_size = np.fmax(size[:, 0], size[:, 1])[:, None]  # the start and first step
    wdiff = np.abs(fast.weights - slow.weights).max(axis=2)[ok]
    wbound = (RTOL * size + FLOOR * start_size)[ok]
    assert (wdiff <= wbound).all(), f"weights differ by {np.max(wdiff / wbound):.3g}x the tolerance"


@pytest.fixture(autouse=True)
def _fresh_caches():
    """st.cache_data outlives an AppTest: clear it around every test."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()
