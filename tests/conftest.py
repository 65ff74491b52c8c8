"""Test set-up: error details shown, caches cleared (helpers are in tests/helpers.py; the lanes
and the doctests' names are in ../conftest.py)."""

import os

import pytest
from hypothesis import HealthCheck, settings

# Anything random takes a seed: hypothesis draws the same examples on every run
# (a CI run cannot fail on a case nobody has seen). Explore new ones on purpose
# with HYPOTHESIS_PROFILE=explore.
# No per-example deadline: a busy CI machine made a log-reading example exceed
# hypothesis's 200 ms once, which fails a test about correctness, not speed
# (speed belongs in bench/).
settings.register_profile(
    "repo",
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", derandomize=False, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repo"))

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


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so a fixture can see that its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
