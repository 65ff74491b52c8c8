"""Text from a link or a typed box is shown as text, never as Markdown or HTML.

Markdown links, images, HTML and backticks go through every parameter of every
page (and the boxes a learner types into); no element on the page may carry
them live: only inside a code span or with their punctuation escaped.
"""

import re

import pytest
from helpers import PAGE_IDS, no_exception, open_page

from ui.registry import BY_ID

PAYLOADS = {
    "link": "[Login](//ev.il)",
    "image": "![](//ev.il/a.png)",
    "html": "<img src=//ev.il/b.png>",
    "backticks": "`x`](//ev.il)",
}
LIVE = re.compile(r"\]\(//ev\.il|(?<!\\)<img")
LIVE_HTML = re.compile(r"<img")  # st.html reads no Markdown: only a tag is live there


def _sources(at) -> list[str]:
    """The Markdown source of every element that renders Markdown."""
    kinds = ("markdown", "caption", "error", "warning", "info", "success", "title", "subheader")
    return [el.value for kind in kinds for el in getattr(at, kind)]


def _assert_inert(at) -> None:
    no_exception(at)
    for source in _sources(at):
        outside_code = re.sub(r"`[^`]*`", "", source)
        assert not LIVE.search(outside_code), source
    for el in at.html:  # HTML we write ourselves (the verdict's card): its text escaped inside
        assert not LIVE_HTML.search(el.value), el.value


@pytest.mark.parametrize("payload", list(PAYLOADS))
@pytest.mark.parametrize("page", PAGE_IDS)
def test_markup_in_every_parameter_of_a_link_stays_text(page, payload):
    value = PAYLOADS[payload]
    query = {f.url: value for f in BY_ID[page].fields}
    query["lock"] = f"{BY_ID[page].fields[0].url}:{value}"
    query["hide"] = value
    _assert_inert(open_page(page, **query))


@pytest.mark.parametrize("payload", list(PAYLOADS))
def test_markup_typed_into_the_boxes_stays_text(payload):
    at = open_page("compare")
    at.text_input(key="cmp_rates").input(f"0.1, {PAYLOADS[payload]}").run()
    assert at.error, "a bad rate list is refused"
    _assert_inert(at)
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input(f"1, 2, {PAYLOADS[payload]}").run()
    assert at.error, "a bad curve is refused"
    _assert_inert(at)
