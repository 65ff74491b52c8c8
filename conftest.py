"""Every test in its lanes (tests/lanes.py), and the names gdcore's doctests use unimported.

Here, not in tests/, so that it reaches the doctests of gdcore/ and ui/ whatever pytest is given
to collect; the rest of the test set-up is in tests/conftest.py.
"""

import os
import time

import numpy as np
import pytest
from lanes import fixture_functions, lanes_of

STARTED = pytest.StashKey[float]()


def pytest_sessionstart(session):
    session.config.stash[STARTED] = time.monotonic()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    """The fast lane says how long it took (CI prints it; the aim is under 60 s on 2 cores)."""
    if config.option.markexpr == "fast" and STARTED in config.stash:
        took = time.monotonic() - config.stash[STARTED]
        terminalreporter.write_line(f"fast lane: {took:.1f} s, collection included (aim: < 60 s)")


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
