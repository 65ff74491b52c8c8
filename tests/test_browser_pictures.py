"""Pictures and labels in a real browser at 1280 and 390 px wide (issue 24, point 5).

A real ``streamlit run`` and Chromium (fixtures of ``test_browser``). Each case opens a page
whose pictures once went wrong: the prediction white on the white page (Explore at rate 5),
Compare's "off the chart" label, a foreign loss on Diagnose, Check's "the loop that explains
them", the share and teacher links. Screenshots land in ``screenshots/pictures-*.png`` to be
looked at; the test holds what the DOM can tell: nothing runs off the page or out of a link
box, every chart is drawn, and the page raised nothing.
"""

from __future__ import annotations

import re
import urllib.parse
from pathlib import Path

import pytest
from helpers import open_page
from test_browser import SHOTS, Page, browser, server  # noqa: F401

pytestmark = pytest.mark.browser
DATA = Path(__file__).parent / "data" / "frameworks"
WIDTHS = {"wide": (1280, 800), "phone": (390, 844)}


def _check_errors() -> str:
    """Errors a loop without the ½ prints (twice the exact ones): Check explains them."""
    at = open_page("check")
    shown = at.info[0].value.split("epoch 0:")[1]
    return ", ".join(f"{2 * float(v):.6g}" for v in re.findall(r"[-\d.e+]+(?=,)", shown))


def _cases() -> list[tuple[str, str, str]]:
    lightning = (DATA / "lightning_epoch_good.csv").read_text()
    return [
        ("explore", "explore", "lr=5"),
        ("compare", "compare", "rates=0.01,0.5,3"),
        ("diagnose", "diagnose", lightning),  # typed into the box: a log is no link
        ("check", "check", urllib.parse.urlencode({"errors": _check_errors()})),
        ("exercises", "exercises", ""),
    ]


@pytest.fixture(scope="module")
def cases():
    return _cases()


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("case", range(5))
def test_pictures_and_links_fit_at_1280_and_390(browser, server, cases, width, case):  # noqa: F811
    shot, page, query = cases[case]
    t = Page(browser, server)
    try:
        w, h = WIDTHS[width]
        t.page.set_viewport_size({"width": w, "height": h})
        if page == "diagnose":
            t.open(page)
            box = t.page.locator("textarea").first
            box.fill(query)
            with t.reruns():
                box.press("Control+Enter")
            t.main.get_by_text("train_loss").first.wait_for(timeout=30_000)
        else:
            t.open(page, query)
        assert t.page.locator("[data-testid='stException']").count() == 0
        charts = t.main.locator("[data-testid='stVegaLiteChart']")
        for i in range(charts.count()):
            charts.nth(i).locator("canvas, svg.marks").first.wait_for(timeout=30_000)
        from playwright.sync_api import expect

        for label in ("Share this run", "For teachers"):
            opener = t.main.get_by_text(label)
            if opener.count():
                opener.first.click()
                box = t.main.locator("details", has_text=label).first
                expect(box).to_have_attribute("open", "", timeout=30_000)
                if label == "Share this run":  # Explore builds its box once opened: a rerun
                    box.locator("[data-testid='stCode']").first.wait_for(timeout=60_000)
        t.settle()
        # Nothing runs off the page sideways, and no link box hides part of its link.
        over = t.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert over <= 0, f"{shot}: the page is {over}px wider than the screen"
        cut = t.page.evaluate(
            """[...document.querySelectorAll("[data-testid='stCode'] pre")]
                 .filter(e => e.scrollWidth > e.clientWidth + 1).length"""
        )
        assert cut == 0, f"{shot}: {cut} code boxes cut their text"
        # Every chart fits its column.
        boxes = t.page.evaluate(
            """[...document.querySelectorAll("[data-testid='stVegaLiteChart']")]
                 .map(e => e.scrollWidth - e.clientWidth)"""
        )
        assert all(b <= 1 for b in boxes), (shot, boxes)
        SHOTS.mkdir(exist_ok=True)
        t.page.screenshot(path=str(SHOTS / f"pictures-{shot}-{w}.png"))
        for i in range(charts.count()):  # the main area scrolls inside: one shot per chart
            charts.nth(i).screenshot(path=str(SHOTS / f"pictures-{shot}-{w}-chart{i}.png"))
        images = t.main.locator("[data-testid='stImage']")
        if images.count() and page == "explore":
            images.last.locator("xpath=../../../..").screenshot(
                path=str(SHOTS / f"pictures-{shot}-{w}-images.png")
            )
        assert not t.errors, t.errors
    finally:
        t.close()
