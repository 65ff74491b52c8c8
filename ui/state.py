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
    if fresh:
        st.session_state[f"_notes_{page}"] = notes


def show_notes(page: str) -> None:
    """Show the notes about link values that could not be used."""
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
    return written


def share_link(page_path: str, written: dict[str, str]) -> str:
    """A full link to this run: the page's address plus its parameters."""
    base = st.context.url or f"http://localhost:8501/{page_path}"
    query = urllib.parse.urlencode(written)
    return base + (f"?{query}" if query else "")


def drop_unknown(params: list[Param], also: tuple[str, ...] = ()) -> None:
    """Remove URL parameters this page does not know (after noting them)."""
    known = {p.url for p in params} | set(also)
    for key in list(st.query_params.keys()):
        if key not in known and key != "embed" and not key.startswith("embed_"):
            del st.query_params[key]
