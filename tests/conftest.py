"""Test set-up: error details shown, caches cleared (helpers are in tests/helpers.py)."""

import os

import pytest

# The app hides error details from users (.streamlit/config.toml); a failing
# test should show them.
os.environ.setdefault("STREAMLIT_CLIENT_SHOW_ERROR_DETAILS", "full")


@pytest.fixture(autouse=True)
def _fresh_caches():
    """st.cache_data outlives an AppTest: clear it around every test."""
    import streamlit as st

    st.cache_data.clear()
    yield
    st.cache_data.clear()
