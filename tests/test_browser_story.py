"""Issue 10 in a real browser: what a learner meets on the pages agrees with itself.

Each test holds one item of the issue: the explosion drawn (2), the prediction picture
following the run (3), the blow-up told as the chart shows it (4), the fastest rate never
contradicted (5), the axis chosen for the curve (9), the raw scale's advice (10). The
sidebar walk (1) and the classroom link are in ``test_browser.py``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import gdcore
from tests.test_browser import Page, browser, server, tab  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser


def _labels(t: Page) -> list[str]:
    """What a screen reader finds in each chart: its accessible name, then its lines' labels
    (a chart redrawn in place, like Explore's, tells each run's numbers on its line)."""
    charts = t.main.locator("[data-testid='stVegaLiteChart']")
    charts.first.wait_for(timeout=30_000)
    return [
        charts.nth(i).evaluate(
            """c => [c.getAttribute('aria-label') || '',
                     ...[...c.querySelectorAll('svg [aria-label]')].map(e => e.getAttribute('aria-label'))]
                    .join(' ')"""
        )
        for i in range(charts.count())
    ]


def test_the_explosion_is_drawn_and_told_as_the_chart_shows_it(tab):  # noqa: F811
    """Items 2 and 4: rate 5 on the scene; the curve leaves the top of the chart at
    epoch 1 and the verdict says when it passes 10× its start, not the 1e150 limit."""
    tab.open("explore", "lr=5")
    label = _labels(tab)[0]
    assert "climbs past the top of this chart" in label and "epoch 1" in label
    verdict = tab.verdict()
    assert "TOO LARGE" in verdict and "passes 10× its start at epoch 1" in verdict
    tab.open("compare")  # the theory's three rates: the too-large one is drawn rising
    label = _labels(tab)[0]
    assert "too large" in label and "climbs past the top" in label


def test_the_prediction_picture_follows_the_run(tab):  # noqa: F811
    """Item 3: rate 5 (stops at the overflow), then 0.5: the picture shows the last epoch."""
    tab.open("explore", "lr=5")
    box = tab.page.get_by_label("Learning rate", exact=True)
    box.fill("0.5")
    with tab.reruns():
        box.press("Enter")
    assert "GOOD" in tab.verdict()
    named = tab.main.get_by_text(re.compile(r"^Left to right: .*the prediction at epoch \d+ ·"))
    assert named.count() == 1 and "the prediction at epoch 200 ·" in named.inner_text()
    assert "at=" not in tab.page.url  # the last epoch is the default, never a stale 0


def test_the_fastest_rate_beside_the_verdict_is_never_beaten(tab):  # noqa: F811
    """Item 5: the verdict names the fastest rate from this start; typed back it is good,
    and no rate the verdict was given for gets there sooner."""
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    fast = gdcore.fastest_rate(gdcore.quadratic(table), np.zeros(3))
    tab.open("explore", "lr=0.5")
    verdict = tab.verdict()
    assert f"the fastest rate from this start, {fast.lr:g}, needs {fast.epochs} epochs" in verdict
    k = int(re.search(r"at epoch (\d+)", verdict).group(1))
    assert k >= fast.epochs
    tab.open("explore", f"lr={fast.lr:g}")
    assert "GOOD" in tab.verdict() and f"at epoch {fast.epochs};" in tab.verdict()


def test_the_axis_is_chosen_for_the_curve_and_says_so(tab):  # noqa: F811
    """Item 9: the default run falls 43×: a log axis, and a note under the chart."""
    tab.open("explore")
    assert tab.main.get_by_text(re.compile("log axis chosen automatically")).count() >= 1
    tab.open("explore", "axis=linear")
    assert tab.main.get_by_text(re.compile("log axis chosen automatically")).count() == 0


def test_the_raw_scale_says_normalize_beside_the_verdict(tab):  # noqa: F811
    """Item 10: on the raw scale the verdict ends by saying to normalize, and one click
    beside it does."""
    tab.open("explore", "scale=raw")
    assert "normalize the inputs" in tab.verdict()
    # "Normalize: use the unit scale", or "Normalize the inputs first: …" when the suggested
    # rate cannot settle within the run's epochs.
    with tab.reruns():  # the main area's run, then the whole page's (the sidebar's scale)
        tab.page.get_by_role("button", name=re.compile(r"^Normalize")).click()
    assert "scale=raw" not in tab.page.url and "normalize" not in tab.verdict()
    # The button sits in the main area, which reruns alone; the sidebar must say unit too.
    sidebar = tab.page.locator("[data-testid='stSidebar']").inner_text()
    assert "unit: x, y and brightness each divided into 0–1" in sidebar


def test_a_new_rate_redraws_explores_charts_in_place(tab):  # noqa: F811
    """A new rate changes the data of Explore's two charts, not the charts: the browser keeps
    each chart's drawing and redraws its lines (no chart is built anew), and the error line's
    label, what a screen reader reads, now tells the new rate's run."""
    tab.open("explore", "lr=0.5")
    tab.main.get_by_text("How the three weights moved").click()  # built once opened
    charts = tab.main.locator("[data-testid='stVegaLiteChart']")
    charts.nth(1).locator("svg").wait_for(timeout=30_000)
    tab.settle()
    tab.page.evaluate(
        "window.__kept = [...document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg\")]"
    )
    assert "rate 0.5 (good)" in _labels(tab)[0]
    box = tab.page.get_by_label("Learning rate", exact=True)
    box.fill("0.4")
    with tab.reruns():
        box.press("Enter")
    tab.page.wait_for_function(
        "[...document.querySelectorAll(\"[data-testid='stVegaLiteChart'] svg [aria-label]\")]"
        ".some(e => e.getAttribute('aria-label').startsWith('rate 0.4 ('))",
        timeout=30_000,
    )
    assert tab.page.evaluate("window.__kept.length") == 2
    assert tab.page.evaluate("window.__kept.every(svg => document.contains(svg))")
    labels = _labels(tab)
    assert "rate 0.4 (good)" in labels[0] and "rate 0.5" not in labels[0]
