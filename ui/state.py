"""Shareable state: every control that changes a result lives in the URL.

Each page declares its parameters as data (``Param``: URL name, widget key,
default, parser). ``restore`` runs before the widgets: on a fresh visit to the
page it seeds each widget from the URL, and a value that does not parse falls
back to the default with a visible note saying what was wrong and what is
allowed. ``publish`` runs after the widgets and writes every value that is not
the default back into the URL, so the address bar is always a link to the run
on screen. (Streamlit's own ``bind="query-params"`` drops a bad value
silently; this keeps the note, and it is testable with AppTest.)
"""

from __future__ import annotations

import math
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import streamlit as st

from gdcore import BUILTINS, parse_numbers

KEEP = "_keep_"  # last value of a widget, carried across pages of the session
MAX_URL_VALUE = 400


@dataclass(frozen=True)
class Param:
    """One URL parameter bound to one widget."""

    url: str
    key: str
    default: Any
    parse: Callable[[str], Any]
    show: Callable[[Any], str] = str
    default_label: str | None = None  # how a note names the default, if not show(default)

    def describe_default(self) -> str:
        if self.default_label is not None:
            return self.default_label
        return self.show(self.default) if self.default is not None else "the default"


def _shown(raw: str) -> str:
    """A URL value made safe to quote in a note: printable, short, no backticks."""
    clean = "".join(c if c.isprintable() and c != "`" else "?" for c in raw)
    return clean if len(clean) <= 40 else clean[:40] + "…"


def number(lo: float, hi: float, what: str = "a number") -> Callable[[str], float]:
    def parse(raw: str) -> float:
        try:
            v = float(raw)
        except ValueError:
            raise ValueError(f"must be {what} from {lo:g} to {hi:g}") from None
        if not math.isfinite(v) or not lo <= v <= hi:
            raise ValueError(f"must be {what} from {lo:g} to {hi:g}")
        return v

    return parse


def whole(lo: int, hi: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        if not re.fullmatch(r"[+-]?\d{1,9}", raw.strip()):
            raise ValueError(f"must be a whole number from {lo:,} to {hi:,}")
        v = int(raw)
        if not lo <= v <= hi:
            raise ValueError(f"must be a whole number from {lo:,} to {hi:,}")
        return v

    return parse


def choice(options) -> Callable[[str], str]:
    opts = list(options)

    def parse(raw: str) -> str:
        if raw not in opts:
            raise ValueError(f"must be one of {', '.join(opts)}")
        return raw

    return parse


def flag(raw: str) -> bool:
    if raw not in ("0", "1"):
        raise ValueError("must be 0 or 1")
    return raw == "1"


def show_flag(v: bool) -> str:
    return "1" if v else "0"


def show_number(v: float) -> str:
    return repr(float(v))


def rate_list(lo: float, hi: float, most: int) -> Callable[[str], str]:
    """A comma-separated list of rates, kept as the text the widget shows."""

    def parse(raw: str) -> str:
        try:
            values = parse_numbers(raw)
        except ValueError:
            values = None
        if values is None or not 1 <= len(values) <= most:
            raise ValueError(f"must be 1 to {most} numbers separated by commas")
        if not all(math.isfinite(v) and lo <= v <= hi for v in values):
            raise ValueError(f"each rate must be a number from {lo:g} to {hi:g}")
        return ", ".join(f"{v:g}" for v in values)

    return parse


def image_list(most: int) -> Callable[[str], list[str]]:
    def parse(raw: str) -> list[str]:
        names = [n for n in raw.split(",") if n]
        if not 1 <= len(names) <= most or any(n not in BUILTINS for n in names):
            raise ValueError(f"must be 1 to {most} of {', '.join(BUILTINS)}, separated by commas")
        return list(dict.fromkeys(names))

    return parse


def restore(page: str, params: list[Param]) -> None:
    """Seed widgets from the URL on a fresh visit; remember notes for bad values."""
    notes = []
    fresh = False
    for p in params:
        if p.key in st.session_state:
            continue  # a rerun of this page: the widget's own value wins
        fresh = True
        raw = st.query_params.get(p.url)
        if raw is not None:
            try:
                if len(raw) > MAX_URL_VALUE:
                    raise ValueError(f"is longer than {MAX_URL_VALUE} characters")
                st.session_state[p.key] = p.parse(raw)
                continue
            except ValueError as exc:
                notes.append(
                    f"`{p.url}={_shown(raw)}` {exc}; using {p.describe_default()} instead."
                )
        st.session_state[p.key] = st.session_state.get(KEEP + p.key, p.default)
    apply_mode(page, params, fresh, notes)
    if fresh:
        st.session_state[f"_notes_{page}"] = notes


def show_notes(page: str) -> None:
    """Show the classroom banner and the notes about link values that could not be used."""
    class_banner()
    notes = st.session_state.get(f"_notes_{page}") or []
    if notes:
        st.warning(
            "**Some settings in the link could not be used, so defaults stand in:**\n\n"
            + "\n".join(f"- {n}" for n in notes),
            icon="⚠️",
        )


def publish(params: list[Param]) -> dict[str, str]:
    """Write every non-default value into the URL; return the parameters written."""
    written = {}
    for p in params:
        value = st.session_state.get(p.key, p.default)
        st.session_state[KEEP + p.key] = value
        text = None if value == p.default else p.show(value)
        current = st.query_params.get(p.url)
        if text is None:
            if current is not None:
                del st.query_params[p.url]
        else:
            written[p.url] = text
            if current != text:
                st.query_params[p.url] = text
    for key, text in mode_query().items():
        # Locked values are written as plain parameters above; the mode names them.
        written[key] = text
        if st.query_params.get(key) != text:
            st.query_params[key] = text
    return written


def share_link(page_path: str, written: dict[str, str]) -> str:
    """A full link to this run: the page's address plus its parameters."""
    base = st.context.url or f"http://localhost:8501/{page_path}"
    query = urllib.parse.urlencode(written)
    return base + (f"?{query}" if query else "")


# --- Classroom links -------------------------------------------------------
# ``lock=image,scale`` or ``lock=lr:0.1`` fixes controls (a value given in the
# lock wins over the same parameter elsewhere in the link); ``hide=seed,batch``
# leaves controls out. A teaching aid, not access control: anyone can edit a URL.

CLASS_PARAMS = ("lock", "hide")


def _mode(page: str | None = None) -> dict:
    page = page or st.session_state.get("_page", "")
    return st.session_state.get(f"_class_{page}", {"lock": {}, "hide": []})


def _parse_mode(params: list[Param], notes: list[str]) -> dict:
    by_url = {p.url: p for p in params}
    allowed = ", ".join(by_url)
    lock: dict[str, object] = {}
    hide: list[str] = []
    for kind in CLASS_PARAMS:
        raw = st.query_params.get(kind)
        if raw is None:
            continue
        if len(raw) > MAX_URL_VALUE:
            notes.append(f"`{kind}=…` is longer than {MAX_URL_VALUE} characters; ignored.")
            continue
        for item in filter(None, raw.split(",")):
            name, _, value = item.partition(":")
            if name not in by_url:
                notes.append(
                    f"`{kind}` names `{_shown(name)}`, which this page does not have (it has {allowed}); ignored."
                )
                continue
            if kind == "hide":
                hide.append(name)
                continue
            if not value:
                lock[name] = None  # the link's own value (or the default) is fixed
                continue
            try:
                lock[name] = by_url[name].parse(value)
            except ValueError as exc:
                notes.append(f"`lock={_shown(item)}`: the value {exc}; that control is not locked.")
    return {"lock": lock, "hide": hide}


def apply_mode(page: str, params: list[Param], fresh: bool, notes: list[str]) -> None:
    """Read the classroom mode on a fresh visit; impose locked values on every run."""
    st.session_state["_page"] = page
    if fresh:
        mode = _parse_mode(params, notes)
        for p in params:
            if p.url in mode["lock"] and mode["lock"][p.url] is None:
                mode["lock"][p.url] = st.session_state[p.key]
        st.session_state[f"_class_{page}"] = mode
    mode = _mode(page)
    for p in params:
        if p.url in mode["lock"]:
            st.session_state[p.key] = mode["lock"][p.url]


def locked(url: str) -> bool:
    return url in _mode()["lock"]


def hidden(url: str) -> bool:
    return url in _mode()["hide"]


def widget(draw, url: str, *args, **kwargs):
    """Draw a widget unless the classroom link hides it; disabled when locked."""
    if hidden(url):
        return st.session_state.get(kwargs["key"])
    return draw(*args, disabled=locked(url) or kwargs.pop("disabled", False), **kwargs)


def class_banner() -> None:
    mode = _mode()
    if not (mode["lock"] or mode["hide"]):
        return
    parts = []
    if mode["lock"]:
        parts.append("fixed: " + ", ".join(f"**{k}**" for k in mode["lock"]))
    if mode["hide"]:
        parts.append("hidden: " + ", ".join(f"**{k}**" for k in mode["hide"]))
    st.info(
        "**Classroom link.** Your teacher prepared this view; " + "; ".join(parts) + ".",
        icon=":material/school:",
    )


def mode_query() -> dict[str, str]:
    """The classroom part of the URL, so a shared link keeps the mode."""
    mode = _mode()
    out = {}
    if mode["lock"]:
        out["lock"] = ",".join(mode["lock"])
    if mode["hide"]:
        out["hide"] = ",".join(mode["hide"])
    return out


def classroom_link(base: str, values: dict[str, str], lock: list[str], hide: list[str]) -> str:
    """A link with chosen settings, some locked (with their values) and some hidden."""
    query = dict(values)
    if lock:
        query["lock"] = ",".join(f"{k}:{values[k]}" if k in values else k for k in lock)
    if hide:
        query["hide"] = ",".join(hide)
    return base + ("?" + urllib.parse.urlencode(query, safe=",:") if query else "")
