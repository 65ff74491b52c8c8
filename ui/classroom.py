"""Classroom links: a teacher fixes some controls and hides others.

``lock=image,scale`` fixes controls at the link's own values; ``lock=lr:0.1``
fixes one at a value given in the lock (it wins over ``lr=`` elsewhere in the
link); ``hide=seed,batch`` leaves controls out. The mode belongs to the
session, keyed by widget key, so it survives moving between pages: a locked
image stays locked on every page that shows the image. A teaching aid, not
access control: anyone can edit a link.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from typing import Any

import streamlit as st

from ui.fields import MAX_LINK_VALUE, Field
from ui.registry import BY_ID, PAGES, Page
from ui.text import quoted

KINDS = ("lock", "hide")
MODE = "_class"
MAX_VALUE = MAX_LINK_VALUE


def _mode() -> dict[str, Any]:
    return st.session_state.setdefault(MODE, {"lock": {}, "hide": []})


def read(page: Page, notes: list[str]) -> None:
    """Add the link's ``lock`` and ``hide`` for this page's controls to the session's mode."""
    mode = _mode()
    by_url = {field.url: field for field in page.fields}
    for kind in KINDS:
        raw = st.query_params.get(kind)
        if raw is None:
            continue
        if len(raw) > MAX_VALUE:
            notes.append(f"`{kind}=…` is longer than {MAX_VALUE} characters; ignored.")
            continue
        for item in _items(raw, by_url if kind == "lock" else {}):
            name, _, value = item.partition(":")
            name = name.strip()
            field = by_url.get(name)
            if field is None:
                notes.append(
                    f"`{kind}` names `{quoted(name)}`, which this page does not have "
                    f"(it has {', '.join(by_url)}); ignored."
                )
            elif kind == "hide":
                if field.key not in mode["hide"]:
                    mode["hide"].append(field.key)
            elif not value:
                mode["lock"][field.key] = st.session_state[field.key]  # the link's own value
            elif (problem := field.problem(value)) is None:
                mode["lock"][field.key] = field.from_url(value)
            else:
                notes.append(f"`lock={quoted(item)}`: {problem}; that control is not locked.")


def _items(raw: str, fields: dict[str, Field]) -> list[str]:
    """The items of a ``lock`` or ``hide``, split at commas; but the pieces after a
    ``name:value`` that name no control go on its value when the whole value is one the
    control takes (``lock=rates:0.1,0.2``, ``lock=init:0.1,0.2,0.3``).

    >>> from ui.registry import BY_ID
    >>> fields = {f.url: f for f in BY_ID["compare"].fields}
    >>> _items("rates:0.1, 0.2,image", fields), _items("epochs:5,6,image", fields)
    (['rates:0.1, 0.2', 'image'], ['epochs:5', '6', 'image'])
    """
    pieces = [p for p in raw.split(",") if p.strip()]
    items: list[str] = []
    while pieces:
        item = pieces.pop(0)
        name, colon, value = item.partition(":")
        more = []
        while colon and pieces and pieces[0].partition(":")[0].strip() not in fields:
            more.append(pieces.pop(0))
        field = fields.get(name.strip())
        if more and field is not None and field.problem(",".join([value, *more])) is None:
            item = ",".join([item, *more])
        else:
            pieces = more + pieces  # not one value: each piece is an item of its own
        items.append(item)
    return items


def impose(page: Page) -> None:
    """Put locked values back before the widgets are drawn, on every run."""
    lock = _mode()["lock"]
    for field in page.fields:
        if field.key in lock:
            st.session_state[field.key] = lock[field.key]


def locked(field: Field) -> bool:
    return field.key in _mode()["lock"]


def hidden(field: Field) -> bool:
    return field.key in _mode()["hide"]


def query(page: Page) -> dict[str, str]:
    """This page's part of the mode, for its URL (locked values are plain parameters)."""
    mode = _mode()
    out = {}
    lock = [field.url for field in page.fields if field.key in mode["lock"]]
    hide = [field.url for field in page.fields if field.key in mode["hide"]]
    if lock:
        out["lock"] = ",".join(lock)
    if hide:
        out["hide"] = ",".join(hide)
    return out


def banner(page: Page) -> None:
    """Tell the learner which controls their teacher fixed or hid on this page."""
    mode = query(page)
    lock, hide = mode.get("lock", "").split(","), mode.get("hide", "").split(",")
    lock, hide = [k for k in lock if k], [k for k in hide if k]
    if not (lock or hide):
        return
    parts = []
    if lock:
        parts.append("fixed: " + ", ".join(f"**{k}**" for k in lock))
    if hide:
        parts.append("hidden: " + ", ".join(f"**{k}**" for k in hide))
    st.info(
        "**Classroom link.** Your teacher prepared this view; " + "; ".join(parts) + ".",
        icon=":material/school:",
    )


def link(base: str, values: dict[str, str], lock: list[str], hide: list[str]) -> str:
    """A link with chosen settings, some locked and some hidden.

    A locked control is named in ``lock`` and its value is its own parameter,
    encoded like any other: a value with commas (rates ``0.1, 0.2``, starting
    weights ``0.1,0.2,0.3``) cannot be split by the commas between the names.

    >>> link("http://h/Compare", {"rates": "0.1, 0.2"}, ["rates"], ["epochs"])
    'http://h/Compare?rates=0.1,+0.2&lock=rates&hide=epochs'
    """
    query = dict(values)
    if lock:
        query["lock"] = ",".join(lock)
    if hide:
        query["hide"] = ",".join(hide)
    return base + ("?" + urllib.parse.urlencode(query, safe=",:") if query else "")


def link_maker(values_of: Callable[[Field], Any], default_page: str) -> None:
    """The teacher's panel: pick a page, what to lock and what to hide; get the link.

    ``values_of(field)`` is the value this session has for a control (what the
    teacher set up); only values that differ from the default go in the link.
    """
    st.caption(
        "Set the page up as you want it (visit it in this session), then choose what to fix and "
        "what to hide. Locked controls are shown but cannot be changed; hidden ones are left out. "
        "This is a teaching aid, not access control: anyone can edit a link."
    )
    ids = [p.id for p in PAGES]
    target = BY_ID[
        st.selectbox(
            "Page",
            ids,
            index=ids.index(default_page),
            format_func=lambda i: BY_ID[i].title,
            key="xr_link_page",
        )
    ]
    names = [field.url for field in target.fields]
    values = {}
    for field in target.fields:
        value = values_of(field)
        if value is not None and value != field.default:
            values[field.url] = field.show(value)
    lock = st.multiselect(
        "Lock these controls",
        names,
        key="xr_link_lock",
        default=[n for n in ("image", "scale") if n in names],
    )
    hide = st.multiselect(
        "Hide these controls", [n for n in names if n not in lock], key="xr_link_hide"
    )
    for n in lock:
        field = target.field(n)
        values.setdefault(
            n, field.show(values_of(field) if values_of(field) is not None else field.default)
        )
    root = (st.context.url or "http://localhost:8501/").split("/" + target.url_path)[0]
    base = f"{root.rstrip('/')}/{target.url_path}"
    unfit = {n: why for n, text in values.items() if (why := target.field(n).unfit(text))}
    for n, why in unfit.items():
        st.warning(
            f"**{n}** cannot go in a link: {why}. Learners opening the link get "
            f"{target.field(n).describe_default()} instead, so it is left out.",
            icon=":material/link_off:",
        )
    kept = {n: text for n, text in values.items() if n not in unfit}
    st.code(link(base, kept, lock, hide), language=None, wrap_lines=True)  # never cut
