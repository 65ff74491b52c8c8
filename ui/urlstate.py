"""Shareable state: every control that changes a result lives in the URL.

One rule for every page, run first (``restore``) and last (``publish``):

- **Arriving at a page** (a new session opening a link, or a click in the
  sidebar), each control takes its value from the URL if the URL has it, else
  from what this session last had for it, else its default. So moving between
  pages keeps the image, size, scale and every page's own settings by
  construction: the sidebar links carry nothing, and nothing depends on which
  widget Streamlit happened to keep (it drops the state of widgets a run did
  not draw). A URL value that breaks its field's rule falls back, with a
  visible note naming the parameter, what is allowed and what was given.
- **On a rerun of the same page** the widgets' own values win.
- **After the widgets**, ``publish`` writes every value that is not the default
  into the URL and into the session's memory, so the address bar is always a
  link to the run on screen. A value longer than a link holds
  (``MAX_LINK_VALUE``) is left out, and the share box says so (``unlinked``).

This is written by hand rather than with Streamlit's ``bind="query-params"``,
which drops a bad value silently (no note) and cannot express classroom locks.
"""

from __future__ import annotations

import urllib.parse
from typing import Any

import streamlit as st

from ui import classroom
from ui.fields import MAX_LINK_VALUE
from ui.registry import Page
from ui.text import quoted

MAX_URL_VALUE = MAX_LINK_VALUE
KEPT = "_kept"  # widget key -> last value, for the whole session
NOTES = "_notes"


def restore(page: Page) -> None:
    """Give every control of ``page`` its value before any widget is drawn."""
    kept: dict[str, Any] = st.session_state.setdefault(KEPT, {})
    arriving = st.session_state.get("_page") != page.id
    st.session_state["_page"] = page.id
    notes: list[str] = []
    for field in page.fields:
        if not arriving and field.key in st.session_state:
            continue  # a rerun: the widget's own value wins
        value = kept.get(field.key, field.default)
        raw = st.query_params.get(field.url) if arriving else None
        if raw is not None:
            problem = (
                f"is longer than {MAX_URL_VALUE} characters"
                if len(raw) > MAX_URL_VALUE
                else field.problem(raw)
            )
            if problem is None:
                value = field.from_url(raw)
            else:
                instead = (
                    f"`{quoted(field.show(value))}`"
                    if field.key in kept
                    else field.describe_default()
                )
                notes.append(f"`{field.url}={quoted(raw)}`: {problem}; using {instead}.")
        st.session_state[field.key] = value
    if arriving:
        notes += _unknown(page)
        classroom.read(page, notes)
        st.session_state[NOTES] = notes
    classroom.impose(page)


RENAMED = {"log": ("axis", {"1": "log", "0": "linear"})}
"""Parameters that links made before a rename still carry: old name -> new name, values."""
STREAMLIT_OWN = ("embed", "embed_options")
"""Query parameters Streamlit itself reads (an embedded app)."""


def _unknown(page: Page) -> list[str]:
    """Notes for link parameters this page does not have; an old name is read as the new one."""
    known = {field.url for field in page.fields} | set(classroom.KINDS) | set(STREAMLIT_OWN)
    notes = []
    for name in st.query_params:
        if name in known:
            continue
        raw = st.query_params.get(name) or ""
        new, values = RENAMED.get(name, ("", {}))
        field = next((one for one in page.fields if one.url == new), None)
        if field is not None and raw in values and new not in st.query_params:
            st.session_state[field.key] = field.from_url(values[raw])
            continue  # an old link, read exactly as it was meant
        notes.append(
            f"`{quoted(name)}={quoted(raw[:40])}`: this page has no setting "
            f"`{quoted(name)}`, so it was left out."
        )
    return notes


def show_notes(page: Page) -> None:
    """The classroom banner, and notes about link values that could not be used."""
    classroom.banner(page)
    notes = st.session_state.get(NOTES) or []
    if notes:
        st.warning(
            "**Some settings in the link could not be used, so defaults stand in:**\n\n"
            + "\n".join(f"- {n}" for n in notes),
            icon="⚠️",
        )


def publish(page: Page, **values: Any) -> dict[str, str]:
    """Write every non-default value into the URL; return the parameters written.

    ``values`` (by URL name) override what the widgets hold, for a value that
    means "follow the run" such as ``at=-1`` for the last epoch.
    """
    kept = st.session_state.setdefault(KEPT, {})
    written: dict[str, str] = {}
    for field in page.fields:
        value = (
            values[field.url]
            if field.url in values
            else st.session_state.get(field.key, field.default)
        )
        kept[field.key] = value
        text = None if value == field.default else field.show(value)
        if text is not None and len(text) > MAX_URL_VALUE:
            text = None  # a link cannot carry it (``unlinked`` says so): never megabytes
        current = st.query_params.get(field.url)
        if text is None:
            if current is not None:
                del st.query_params[field.url]
        else:
            written[field.url] = text
            if current != text:
                st.query_params[field.url] = text
    for key, text in classroom.query(page).items():
        written[key] = text
        if st.query_params.get(key) != text:
            st.query_params[key] = text
    return written


def unlinked(page: Page, written: dict[str, str]) -> list[str]:
    """Sentences for every setting of this run that its link cannot reopen: a value too
    long for a link (left out of it), or one its rule refuses (the default stands in)."""
    said = []
    for field in page.fields:
        value = st.session_state.get(field.key, field.default)
        if value == field.default:
            continue
        text = written.get(field.url, field.show(value))
        why = field.unfit(text)
        if why is None:
            continue
        left = "is left out of the link" if field.url not in written else "cannot be read back"
        said.append(
            f"**{field.url}** {left}: {why}. Opening the link uses the default for {field.url} "
            f"(`{quoted(field.describe_default())}`) instead, so its run and verdict can differ "
            "from these."
        )
    return said


def kept_value(key: str, default: Any) -> Any:
    """What this session last had for a control (on any page)."""
    return st.session_state.get(KEPT, {}).get(key, default)


def share_link(page: Page, written: dict[str, str]) -> str:
    """A full link to this run: the page's address plus its parameters."""
    base = st.context.url or f"http://localhost:8501/{page.url_path}"
    query = urllib.parse.urlencode(written)
    return base + (f"?{query}" if query else "")
