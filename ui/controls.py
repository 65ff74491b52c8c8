"""Widgets drawn from their fields: bounds, options and help come from the declaration.

``control(st.number_input, field, label)`` draws the widget with the field's
key, its rule's bounds or options and its help, disabled when a classroom link
locks it and left out when one hides it (then the value stands as restored).
Pages pass only what is about presentation: a label, a format, a step.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

from gdcore.params import Choice, ListOf, Range
from ui import classroom
from ui.params import Field

_BOUNDED = {"number_input", "slider"}
_OPTIONS = {"radio", "selectbox", "select_slider", "segmented_control", "pills"}


def _name(draw: Callable[..., Any]) -> str:
    return getattr(draw, "__name__", "")


def control(draw: Callable[..., Any], field: Field, label: str, **kwargs: Any) -> Any:
    """Draw ``field``'s widget with ``draw`` (``st.slider``, ``st.radio``, …); return its value."""
    if classroom.hidden(field):
        return st.session_state.get(field.key)
    rule, kind = field.param.rule, _name(draw)
    if kind in _BOUNDED and isinstance(rule, Range):
        cast = int if rule.integer else float
        if rule.lo is not None:
            kwargs.setdefault("min_value", cast(rule.lo))
        if rule.hi is not None:
            kwargs.setdefault("max_value", cast(rule.hi))
    if kind in _OPTIONS and isinstance(rule, Choice):
        kwargs.setdefault("options", list(rule.options))
    if kind == "multiselect" and isinstance(rule, ListOf) and isinstance(rule.rule, Choice):
        kwargs.setdefault("options", list(rule.rule.options))
        kwargs.setdefault("max_selections", rule.most)
    if field.param.help:
        kwargs.setdefault("help", field.param.help)
    disabled = bool(kwargs.pop("disabled", False)) or classroom.locked(field)  # pop first, always
    return draw(label, key=field.key, disabled=disabled, **kwargs)


def action(
    draw: Callable[..., Any], field: Field, label: str, set_to: Any = None, **kwargs: Any
) -> bool:
    """A button that changes ``field``: to ``set_to`` if given, else through its own
    ``on_click``. Off when a classroom link locks the field, gone when it hides it."""
    if classroom.hidden(field):
        return False
    if set_to is not None:
        kwargs.update(on_click=_set, args=(field.key, set_to))
    disabled = bool(kwargs.pop("disabled", False)) or classroom.locked(field)  # pop first, always
    return bool(draw(label, disabled=disabled, **kwargs))


def _set(key: str, value: Any) -> None:
    st.session_state[key] = value
