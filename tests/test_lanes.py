"""The lanes (tests/lanes.py, ../conftest.py): each test lands in the lane its code calls for."""

import subprocess
import sys

import pytest
from helpers import open_page
from lanes import lanes_of, names_reached


def _opens_the_app():
    return open_page("explore")


def _runs_python():
    return subprocess.run([sys.executable, "-c", "pass"], check=True)


def _pure():
    return sorted([3, 1, 2])


def test_a_helper_that_opens_the_app_puts_its_caller_in_the_app_lane():
    def caller():
        return _opens_the_app()

    assert "open_page" in names_reached([caller])
    assert lanes_of([caller], "test_x.py", [], set()) == {"app"}


def test_a_subprocess_two_calls_away_is_found():
    def outer():
        def inner():
            return _runs_python()

        return inner()

    assert lanes_of([outer], "test_x.py", [], set()) == {"subprocess"}


def test_pure_code_is_in_no_slow_lane():
    assert lanes_of([_pure, None, len], "test_x.py", [], {"parametrize"}) == set()


def test_file_fixtures_and_markers_place_a_test():
    assert lanes_of([_pure], "test_deploy.py", [], set()) == {"deploy"}
    assert lanes_of([_pure], "test_x.py", ["test_browser.py"], set()) == {"browser"}
    assert lanes_of([_pure], "test_x.py", [], {"tooling", "skipif"}) == {"tooling"}


def _marks(item) -> set[str]:
    return {m.name for m in item.iter_markers()}


def test_this_session_marks_every_test_with_one_lane_or_more(request):
    items = {item.nodeid: item for item in request.session.items}
    slow = {"browser", "deploy", "app", "subprocess", "tooling"}
    for nodeid, item in items.items():
        marks = _marks(item)
        assert ("fast" in marks) != bool(marks & slow), (nodeid, marks)
    here = _marks(request.node)
    assert "fast" in here and not here & slow
    doctests = [i for i in items.values() if i.nodeid.startswith("gdcore/")]
    # A whole-suite run (no paths given: pytest's testpaths) holds the engine's doctests, all
    # fast; a run of tests/ alone has none.
    root = request.config.invocation_params.dir
    given = [
        a for a in request.config.invocation_params.args if (root / str(a).split("::")[0]).exists()
    ]
    if not given and len(items) > 1000:
        assert doctests and all("fast" in _marks(i) for i in doctests)


@pytest.mark.parametrize("script", [_opens_the_app])
def test_a_parameter_that_opens_the_app_counts(script, request):
    assert "app" in _marks(request.node)
