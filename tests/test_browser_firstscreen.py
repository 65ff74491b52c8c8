"""Issue 24, points 1 and 2, in a real browser: the learner's first screen.

The rate control sits in the main area beside the curve, in view without scrolling or
opening the sidebar at 1280×800 and 390×844; its log slider and typed box are one
value (and one URL parameter); at most ``MOST_WORDS`` words stand above the first chart;
the verdict opens with the lesson's words. Screenshots land in ``screenshots/``.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

import gdcore
from gdcore.verdicts.diagnosis import LESSON
from tests.test_browser import DONE, SHOTS, Page, browser, server, tab  # noqa: F401

pytestmark = pytest.mark.browser

SIZES = {"wide": (1280, 800), "phone": (390, 844)}
MOST_WORDS = 25
RATE_PAGES = {  # page: (query, the rate box's label)
    "explore": ("", "Learning rate"),
    "walk": ("", "Rate, as a multiple of the edge rate"),
    "step": ("", "Learning rate"),
    "check": ("", "Learning rate"),
}
RATES = {"too small": 0.0003, "good": 0.5, "too large": 3.0}
"""On the default 64×64 scene, unit scale (edge rate 1.307, fastest rate 1.22)."""

WORDS_ABOVE = """(main) => {
  const chart = main.querySelector("[data-testid='stVegaLiteChart']");
  if (!chart) return null;
  const top = chart.getBoundingClientRect().top;
  const walker = document.createTreeWalker(main, NodeFilter.SHOW_TEXT);
  const words = [];
  while (walker.nextNode()) {
    const n = walker.currentNode, p = n.parentElement;
    if (!p || chart.contains(n) || p.closest("[data-testid='stIconMaterial']")) continue;
    const style = getComputedStyle(p);
    if (style.visibility === "hidden" || style.fontFamily.includes("Material")) continue;
    const r = document.createRange();
    r.selectNodeContents(n);
    const boxes = [...r.getClientRects()].filter((b) => b.width > 0 && b.height > 0);
    if (!boxes.length || Math.min(...boxes.map((b) => b.top)) >= top) continue;
    // A word has a letter and is not a number (a slider's "1e-06" is not a word).
    const word = (w) => /[A-Za-z]/.test(w) && !/^[-+(]*[0-9.,]+(e[-+]?[0-9]+)?[)%:;,.]*$/.test(w);
    words.push(...n.textContent.split(/\\s+/).filter(word));
  }
  return words;
}"""


def _sized(b, base: str, size: str) -> Page:
    t = Page(b, base)
    w, h = SIZES[size]
    t.page.set_viewport_size({"width": w, "height": h})
    return t


def _open(t: Page, name: str, query: str = "") -> None:
    t.open(name, query)
    t.main.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=60_000)
    t.page.wait_for_selector(DONE, timeout=90_000)


def _in_view(t: Page, locator) -> bool:
    box = locator.bounding_box()
    view = t.page.viewport_size
    # Across: the middle is on screen (a slider's thumb carries a wider, invisible hit area);
    # down: all of it, so nothing needs a scroll.
    return bool(
        box
        and 0 <= box["x"] + box["width"] / 2 <= view["width"]
        and box["y"] >= 0
        and box["y"] + box["height"] <= view["height"]
    )


def words_above_first_chart(t: Page) -> list[str]:
    t.page.evaluate("window.scrollTo(0, 0)")
    words = t.main.evaluate(WORDS_ABOVE)
    assert words is not None, "no chart on the page"
    return words


def test_the_word_count_sees_only_what_is_above_the_chart(tab):  # noqa: F811
    """The measure itself: the page title is counted, the chart's own title is not."""
    _open(tab, "explore")
    words = words_above_first_chart(tab)
    assert "Explore" in words  # the page's title, the first line of the page
    assert "Error" not in words and "epochs" not in words  # "Error over epochs…" is the chart's


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("name", list(RATE_PAGES))
def test_the_rate_is_beside_the_curve_without_scrolling(browser, server, name, size):  # noqa: F811
    query, label = RATE_PAGES[name]
    t = _sized(browser, server, size)
    try:
        _open(t, name, query)
        box = t.main.get_by_label(label, exact=True)
        assert box.count() == 1, f"the rate box is not in the main area of {name}"
        assert _in_view(t, box), f"{name} at {size}: the rate box is below the fold"
        if name != "walk":  # walk's rate is a multiple of each picture's edge, typed
            slider = t.main.get_by_role("slider").first
            assert _in_view(t, slider), f"{name} at {size}: the rate slider is out of view"
        words = words_above_first_chart(t)
        assert len(words) <= MOST_WORDS, f"{name} at {size}: {len(words)} words: {words}"
        SHOTS.mkdir(exist_ok=True)
        t.page.screenshot(path=str(SHOTS / f"firstscreen-{name}-{size}.png"))
    finally:
        t.close()


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("verdict", list(RATES))
def test_the_verdict_opens_with_the_lessons_words(browser, server, verdict, size):  # noqa: F811
    """Explore at a too-small, a good and a too-large rate: the headline and its first
    sentence say the lesson's words for the curve beside it; the numbers come after the chart."""
    lr = RATES[verdict]
    t = _sized(browser, server, size)
    try:
        _open(t, "explore", f"lr={lr:g}")
        card = t.main.locator("[data-testid='verdict-card']").inner_text()
        assert card.split("\n")[0].lower().startswith(f"{verdict}") or verdict.upper() in card
        assert "E*" not in card and "edge" not in card and "epoch" not in card
        lesson = {"too small": "barely moves", "good": "smooth fall", "too large": "jumps"}
        assert lesson[verdict] in card
        numbers = t.main.locator("[data-testid='verdict-numbers']").inner_text()
        chart = t.main.locator("[data-testid='stVegaLiteChart']").first.bounding_box()
        below = t.main.locator("[data-testid='verdict-numbers']").bounding_box()
        assert chart and below and below["y"] >= chart["y"] + chart["height"] - 1
        assert re.search(r"\d", numbers)  # the numbers are there, one line down
        words = words_above_first_chart(t)
        assert len(words) <= MOST_WORDS, words
        SHOTS.mkdir(exist_ok=True)
        t.page.screenshot(path=str(SHOTS / f"firstscreen-explore-{verdict}-{size}.png"))
    finally:
        t.close()


def test_the_slider_and_the_box_are_one_rate_in_the_url(tab):  # noqa: F811
    """A step of the slider types its rate in the box (and the link); a typed rate moves
    the slider to the nearest round rate on the log scale."""
    _open(tab, "explore", "lr=0.5")
    slider = tab.main.get_by_role("slider").first
    box = tab.main.get_by_label("Learning rate", exact=True)
    assert box.input_value() == "0.5"
    slider.focus()
    with tab.reruns():
        slider.press("ArrowRight")
    tab.page.wait_for_function("() => /[?&]lr=0.7(&|$)/.test(location.search)", timeout=60_000)
    assert box.input_value() == "0.7"
    assert "rate 0.7" in tab.verdict()
    box.fill("0.0126")
    with tab.reruns():
        box.press("Enter")
    tab.page.wait_for_function("() => /[?&]lr=0.0126(&|$)/.test(location.search)", timeout=60_000)
    assert slider.get_attribute("aria-valuetext") == "0.015"  # log-nearest of 0.01, 0.015
    assert "rate 0.0126" in tab.verdict()


def test_a_locked_rate_locks_the_slider_too(tab):  # noqa: F811
    tab.open("explore", "lock=lr:0.02")
    tab.main.locator("[data-testid='stVegaLiteChart']").first.wait_for(timeout=60_000)
    box = tab.main.get_by_label("Learning rate", exact=True)
    assert box.is_disabled()
    slider = tab.main.get_by_role("slider").first
    slider.focus()
    slider.press("ArrowRight")  # a locked slider does not move the rate
    tab.settle()
    assert box.input_value() == "0.02"
    assert "rate 0.02" in tab.verdict()
    assert "lr=0.02" in tab.page.url


def test_predict_states_the_good_rule_before_check(tab):  # noqa: F811
    """Exercises' Predict: the rule that grades "good", in words and with its epoch, is on
    the page before Check; after Check each reason opens with the learner's words."""
    tab.open("exercises")
    page_text = tab.main.inner_text()
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    fast = gdcore.fastest_rate(gdcore.quadratic(table), np.zeros(3))
    assert gdcore.good_rule(max(fast.epochs, 1), fast.lr) in page_text
    assert LESSON["good"] in page_text
    from playwright.sync_api import expect

    groups = tab.main.get_by_role("radiogroup")
    expect(groups).to_have_count(3, timeout=60_000)  # .all() below does not wait for them
    for group in groups.all():
        choice = group.get_by_role("radio", name="good", exact=True)
        with tab.reruns():
            group.get_by_text("good", exact=True).click()
        expect(choice).to_be_checked(timeout=60_000)
    with tab.reruns():
        tab.main.get_by_role("button", name="Check").click()
    unmarked = tab.main.get_by_text("Mark all three rates first")
    assert not unmarked.count(), "the server did not get every marked radio"
    SHOTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / "firstscreen-predict.png"), full_page=True)
    shown = tab.main.inner_text()
    assert f"you said good ({LESSON['good']})" in shown
    assert "On the chart:" in shown
