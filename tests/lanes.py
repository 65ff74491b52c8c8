"""Test lanes: which tests are slow and why, read off what each test's code calls.

conftest.py (at the root) marks every collected test with the lanes it belongs to, so a new test
is placed without a marker in its file:

- ``browser``: drives Chromium (marked in its file, or uses a fixture of tests/test_browser.py);
- ``deploy``: tests/test_deploy.py (the image's command, HAProxy, replicas, a load test);
- ``app``: opens the app in Streamlit's AppTest (``AppTest``, ``open_page``);
- ``subprocess``: starts another process (``subprocess``, ``multiprocessing``);
- ``tooling``: needs pip, mypy or ruff (marked in its file);
- ``fast``: none of these: the engine, ui's pure functions and the doctests.

A test's code is read with the code of every function it reaches that is defined under tests/
(helpers, fixtures, nested functions), so ``open_page`` in tests/helpers.py makes each caller
an app test. ``pytest -m fast`` runs the core; ``-m "not fast"`` the rest (docs/testing.md).
"""

from __future__ import annotations

import types
from collections.abc import Callable, Iterable
from pathlib import Path

TESTS = Path(__file__).resolve().parent

SLOW_LANES = ("browser", "deploy", "app", "subprocess", "tooling")
# A name that a test's code (or a helper it calls) uses -> the lane it puts the test in.
CALLS = {
    "AppTest": "app",
    "open_page": "app",
    "subprocess": "subprocess",
    "multiprocessing": "subprocess",
    "Popen": "subprocess",
}
DEPLOY_MODULES = {"test_deploy.py"}
BROWSER_FIXTURE_FILE = "test_browser.py"


def _code_objects(code: types.CodeType) -> Iterable[types.CodeType]:
    """A code object and every code object nested in it (inner functions, lambdas)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _under_tests(func: object) -> bool:
    code = getattr(func, "__code__", None)
    return code is not None and Path(code.co_filename).resolve().is_relative_to(TESTS)


def names_reached(funcs: Iterable[object]) -> set[str]:
    """Every global or attribute name used by ``funcs`` and by the functions under tests/ that
    they name, transitively."""
    seen: set[types.CodeType] = set()
    names: set[str] = set()
    todo = [f for f in funcs if _under_tests(f)]
    while todo:
        func = todo.pop()
        globs = getattr(func, "__globals__", {})
        for code in _code_objects(func.__code__):  # type: ignore[attr-defined]
            if code in seen:
                continue
            seen.add(code)
            for name in code.co_names:
                names.add(name)
                target = globs.get(name)
                if callable(target) and _under_tests(target):
                    todo.append(target)
    return names


def lanes_of(
    funcs: Iterable[object], file_name: str, fixture_files: Iterable[str], marked: set[str]
) -> set[str]:
    """The slow lanes of a test: its function, fixtures and parameters (``funcs``), the file it
    is in, the files its fixtures come from, and the lanes already marked on it."""
    lanes = {m for m in marked if m in SLOW_LANES}
    if BROWSER_FIXTURE_FILE in fixture_files:
        lanes.add("browser")
    if file_name in DEPLOY_MODULES:
        lanes.add("deploy")
    lanes |= {CALLS[n] for n in names_reached(funcs) & CALLS.keys()}
    return lanes


def fixture_functions(item: object) -> list[Callable[..., object]]:
    """The functions of the fixtures a pytest item uses (empty for a doctest)."""
    info = getattr(item, "_fixtureinfo", None)
    if info is None:
        return []
    return [defs[-1].func for defs in info.name2fixturedefs.values() if defs]
