"""The page run: every page's body in this process's turn, after its setup (config, URL, sidebar).

A page reads ``with page_run(id) as page:``; ``page.field("lr")`` is its field of that
URL name (``ui.registry.Page``).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from ui import memory, turns, urlstate
from ui.cached import builtin_png
from ui.fields import IMAGE
from ui.registry import BY_ID, PAGES, Page

memory.freeze_imports()  # the imports are made: out of the collector's full passes

DARK_BUTTON_CSS = """<style>@media (prefers-color-scheme: dark) {
[data-testid="stBaseButton-primary"] { color: #0B0D10; } }</style>"""
"""The dark theme's primary colour is light (#56B4E9, 7:1 as slider text on the sidebar), and
Streamlit writes white on primary buttons (2.3:1): dark text there (8:1). The theme follows the
browser's colour scheme, so does this rule."""


@contextlib.contextmanager
def page_run(page_id: str) -> Iterator[Page]:
    """Every page's body runs as ``with page_run(id) as page:``: in this process's turn
    (:func:`turn`), starting with :func:`page_setup`."""
    with turn():
        try:
            page = page_setup(page_id)
        except turns.RunStopped:
            _say_stopped()
            st.stop()  # no page to run the body with
        yield page


@contextlib.contextmanager
def turn() -> Iterator[None]:
    """Run the body in this process's turn (``ui.turns``: this browser's place in line; a
    newer run of the session replaces this one while it waits): a page run, or a fragment
    rerunning alone (inside a page run the page's turn goes on). A run stopped for holding
    the turn too long tells its learner."""
    ctx = get_script_run_ctx(suppress_warning=True)
    session = ctx.session_id if ctx is not None else ""
    with turns.turn(_browser(session), session, ctx.yield_check if ctx is not None else None):
        try:
            yield
        except turns.RunStopped:
            _say_stopped()


def _say_stopped() -> None:
    st.error(turns.HUNG_MESSAGE.format(turns.HANG_S), icon=":material/timer_off:")


def _browser(session: str) -> str:
    """Who is asking, for taking turns: the browser (its tabs share Streamlit's XSRF cookie,
    whose token is the same under a fresh mask each time it is set), else the session."""
    try:
        raw = st.context.cookies.get("_streamlit_xsrf") or ""
    except Exception:  # no cookies outside a browser session (tests)
        raw = ""
    parts = raw.strip('"').split("|")
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        except ValueError:
            mask = masked = b""
        if len(mask) == 4 and masked:
            token = bytes(b ^ mask[i % 4] for i, b in enumerate(masked))
            return "browser:" + hashlib.sha256(token).hexdigest()[:16]
    return "session:" + session


def page_setup(page_id: str) -> Page:
    """Page config, URL restore, navigation, title and link notes; call first on every page."""
    page = BY_ID[page_id]
    st.set_page_config(
        page_title=f"{page.title} · Learning-rate explorer",
        page_icon=builtin_png(IMAGE[0].default, 32),
        layout="wide",
    )
    urlstate.restore(page)
    st.html(DARK_BUTTON_CSS)
    with st.sidebar:
        st.markdown("### :material/trending_down: Learning-rate explorer")
        # The links carry nothing: arriving at a page restores the session's settings.
        for p in PAGES:
            st.page_link(p.file, label=p.title, icon=p.icon)
        st.divider()
    st.title(f"{page.icon} {page.title}")
    urlstate.show_notes(page)
    return page
