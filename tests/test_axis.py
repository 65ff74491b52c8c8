"""The "auto" error axis: log when the drawn error spans over AUTO_LOG_SPAN, and said."""

import numpy as np
import pytest

import gdcore
from tests.helpers import open_page
from ui import charts


def test_a_fall_of_a_thousandfold_gets_a_log_axis_and_a_note():
    errors = np.geomspace(1.0, 1e-3, 50)[None, :]
    log, note = charts.auto_log(errors, charts.view_cap(errors))
    assert log and "1,000×" in note and "linear" in note
    chart, notes = charts.error_view(["r"], errors, log=None)
    assert notes == [note]
    assert chart.to_dict()["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"


def test_a_gentle_fall_stays_linear_and_says_nothing():
    errors = np.linspace(1.0, 0.2, 50)[None, :]
    assert charts.auto_log(errors, charts.view_cap(errors)) == (False, "")
    _, notes = charts.error_view(["r"], errors, log=None)
    assert notes == []


def test_points_above_the_view_or_nan_do_not_count():
    # a blow-up: 1 → 0.5 then far above the cap and NaN; what is drawn spans 2×
    errors = np.array([[1.0, 0.5, 1e30, np.nan]])
    assert charts.auto_log(errors, charts.view_cap(errors))[0] is False


@pytest.mark.parametrize(
    ("image", "scale", "log"),
    [
        ("plane", "unit", True),
        ("scene", "unit", True),
        ("scene", "standard", False),
        ("scene", "raw", False),
    ],
)
def test_explore_says_which_axis_it_chose(image, scale, log):
    """At rate 0.5: a plane is fitted exactly, its error falls towards E* ≈ 0; the scene's
    falls 43× on the unit scale (0.24 to 0.0056), only 6× on the standard one; on the raw
    scale it blows up, and what is drawn below the view's top spans little."""
    at = open_page("explore", image=image, scale=scale)
    table = gdcore.pixel_table(gdcore.builtin_image(image, 64), scale)
    lr = at.number_input(key="ex_lr").value
    errors = gdcore.run_descent(table, [lr], 200).errors
    assert charts.auto_log(errors, charts.view_cap(errors))[0] is log
    said = " ".join(c.value for c in at.caption)
    assert ("log axis chosen automatically" in said) is log


def test_an_old_link_with_log_still_opens_on_its_axis():
    at = open_page("explore", image="plane", log="0")
    assert at.radio(key="ex_axis").value == "linear" and not at.warning
    at = open_page("compare", log="1")
    assert at.radio(key="cmp_axis").value == "log" and not at.warning


def test_a_setting_the_page_does_not_have_is_named_not_dropped_silently():
    at = open_page("explore", also="noise", log="yes")
    note = at.warning[0].value
    assert "`also=noise`: this page has no setting `also`" in note
    assert "`log=yes`" in note
