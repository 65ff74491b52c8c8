"""Every test in its lanes (tests/lanes.py), and the names gdcore's doctests use unimported.

Here, not in tests/, so that it reaches the doctests of gdcore/ and ui/ whatever pytest is given
to collect; the rest of the test set-up is in tests/conftest.py.
"""

import os

import numpy as np
import pytest
from lanes import fixture_functions, lanes_of


def pytest_configure(config):
    # Under pytest-xdist (-n), tests that start servers and a browser share one worker
    # (xdist_group "servers", below): -n alone distributes by "load", which ignores groups.
    if getattr(config.option, "dist", "no") == "load":
        config.option.dist = "loadgroup"


def pytest_collection_modifyitems(config, items):
    """Mark each test with its lanes: browser, deploy, app, subprocess, tooling, or fast."""
    for item in items:
        fixtures = fixture_functions(item)
        funcs = [getattr(item, "obj", None), *fixtures]
        callspec = getattr(item, "callspec", None)
        if callspec is not None:
            funcs += [v for v in callspec.params.values() if callable(v)]
        fixture_files = {
            os.path.basename(f.__code__.co_filename) for f in fixtures if hasattr(f, "__code__")
        }
        marked = {m.name for m in item.iter_markers()}
        lanes = lanes_of(funcs, item.path.name, fixture_files, marked)
        for lane in sorted(lanes - marked):
            item.add_marker(lane)
        if not lanes:
            item.add_marker("fast")
        if lanes & {"browser", "deploy"}:
            # They start Streamlit servers, Chromium and HAProxy: one at a time.
            item.add_marker(pytest.mark.xdist_group("servers"))


@pytest.fixture(autouse=True)
def _doctest_names(doctest_namespace):
    """NumPy and the engine's first steps (image -> pixel table -> bowl -> theory -> descent)."""
    from gdcore.bowl.theory import theory
    from gdcore.descent.engine import run_descent
    from gdcore.pixels.quadratic import quadratic
    from gdcore.pixels.table import pixel_table

    doctest_namespace.update(
        np=np, pixel_table=pixel_table, quadratic=quadratic, theory=theory, run_descent=run_descent
    )
