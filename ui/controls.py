"""Widgets drawn from their fields' declarations, and the run settings they ask for.

``control(st.number_input, field, label)`` draws the widget with the field's
key, its rule's bounds or options and its help, disabled when a classroom link
locks it and left out when one hides it (then the value stands as restored).
Pages pass only what is about presentation: a label, a format, a step.

A widget holds exactly what its link holds: its bounds are the rule's (an open
bound becomes the nearest number inside it, ``momentum`` < 1 stops at
0.9999999999999999). Where a page narrows a widget further (an epoch slider
stops at the run's last epoch), a value outside it is brought inside with a
note naming the parameter and the range, drawn or hidden alike, so one link
gives one run however it is opened.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import streamlit as st

import gdcore  # the whole engine before any of its modules: see tests/test_layers.py
from gdcore.descent.optimizer import Optimizer
from gdcore.params import (
    MOMENTUM,
    SCHEDULE,
    Choice,
    ListOf,
    Range,
    fmt,
    nesterov_problem,
    shortest,
)
from ui import classroom
from ui.fields import Field
from ui.registry import Page
from ui.text import literal, quoted

_BOUNDED = {"number_input", "slider"}
_OPTIONS = {"radio", "selectbox", "select_slider", "segmented_control", "pills"}


def _name(draw: Callable[..., Any]) -> str:
    return getattr(draw, "__name__", "")


def bounds(rule: Range) -> tuple[float | None, float | None]:
    """The widget's least and greatest value under ``rule``: a closed bound as it is, an
    open one the nearest value inside it (the next float, or the next whole number).

    >>> from gdcore.params import MOMENTUM, LR
    >>> bounds(MOMENTUM.rule), bounds(LR.rule)
    ((0.0, 0.9999999999999999), (5e-324, None))
    """
    cast = int if rule.integer else float
    lo = hi = None
    if rule.lo is not None:
        lo = cast(rule.lo)
        if rule.lo_open:
            lo = lo + 1 if rule.integer else math.nextafter(lo, math.inf)
    if rule.hi is not None:
        hi = cast(rule.hi)
        if rule.hi_open:
            hi = hi - 1 if rule.integer else math.nextafter(hi, -math.inf)
    return lo, hi


def control(draw: Callable[..., Any], field: Field, label: str, **kwargs: Any) -> Any:
    """Draw ``field``'s widget with ``draw`` (``st.slider``, ``st.radio``, …); return its value."""
    rule, kind = field.param.rule, _name(draw)
    if kind in _BOUNDED and isinstance(rule, Range):
        lo, hi = bounds(rule)
        if lo is not None:
            kwargs.setdefault("min_value", lo)
        if hi is not None:
            kwargs.setdefault("max_value", hi)
        _inside(field, kwargs.get("min_value"), kwargs.get("max_value"))
    if classroom.hidden(field):
        return st.session_state.get(field.key)
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


def _inside(field: Field, lo: Any, hi: Any) -> None:
    """Bring the field's value inside a widget narrower than its rule, and say so.

    Streamlit would otherwise drop a value outside the widget's bounds and show
    the widget's default: another run than the link's, without a word.
    """
    value = st.session_state.get(field.key)
    if not isinstance(value, int | float) or isinstance(value, bool):
        return
    inside = min(max(value, lo if lo is not None else value), hi if hi is not None else value)
    if inside == value:
        return
    st.session_state[field.key] = inside
    span = f"{_number(lo) if lo is not None else '…'} to {_number(hi) if hi is not None else '…'}"
    st.caption(
        f"`{field.url}={quoted(field.param.show(value))}` is outside what this control holds "
        f"here ({span}); using `{quoted(field.param.show(inside))}`."
    )


def _number(v: float) -> str:
    """A bound with the digits that tell it apart: ``20,000``, ``0.9999999999999999``."""
    return fmt(v) if float(v).is_integer() else shortest(float(v))


def fit_batch(n: int, batch: int, epochs: int) -> tuple[int, int, list[str]]:
    """The dashboard's policy for a mini-batch run: (batch, epochs, notes said to the learner).

    A batch of at least ``n`` pixels is the whole image (0). Mini-batch runs
    touch every pixel every epoch, so pixels x epochs is capped by the engine's
    one rule (``gdcore.params.MINIBATCH_WORK``); the command line refuses such a
    run, the dashboard runs the epochs that fit and says so.
    """
    notes = []
    if batch >= n:
        notes.append(
            f"batch size {batch:,} is at least the image's {n:,} pixels, so each step uses the whole image"
        )
        batch = 0
    problem = gdcore.params.minibatch_work_problem(n, epochs) if batch else None
    if problem is not None:
        epochs = gdcore.params.minibatch_epochs(n)
        notes.append(f"{problem}, so this run stops at epoch {epochs:,}")
    return batch, epochs, notes


OPTIMIZER_URLS = ("momentum", "nesterov", "schedule", "warmup")
"""The optimizer's settings beside the rate: momentum, Nesterov, schedule, warm-up."""
assert isinstance(MOMENTUM.rule, Range)
BETA_MAX = bounds(MOMENTUM.rule)[1]
"""The largest β a widget takes: the declaration's (below 1), as a link takes it."""
BETA_FORMAT = "%.16g"
"""β with the digits that tell it apart: 0.9995 and 0.9999999999999999 are not "1"."""


def any_set(page: Page) -> bool:
    """Whether a setting of the optimizer beside the rate is away from its default (the Advanced box then opens)."""
    fields = [page.field(u) for u in OPTIMIZER_URLS]
    return any(st.session_state.get(field.key, field.default) != field.default for field in fields)


def advanced_controls(page: Page) -> tuple[Optimizer, list[str]]:
    """Momentum, Nesterov, schedule and warm-up, drawn where the caller is (an expander).

    Returns the optimizer to run with and the problems said to the learner: a
    schedule that breaks its rule runs as ``constant``, Nesterov without
    momentum runs without Nesterov, each with one sentence.
    """
    problems: list[str] = []
    beta = float(
        control(
            st.number_input,
            page.field("momentum"),
            "Momentum β (0 = plain descent)",
            step=0.05,
            format=BETA_FORMAT,
        )
    )
    nesterov = bool(control(st.checkbox, page.field("nesterov"), "Nesterov's momentum"))
    typed = str(control(st.text_input, page.field("schedule"), "Schedule", placeholder="constant"))
    warmup = int(
        control(st.number_input, page.field("warmup"), "Warm-up epochs (0 = none)", step=5)
    )
    schedule = SCHEDULE.default
    if typed.strip():
        problem = SCHEDULE.problem(typed)
        if problem is None:
            schedule = SCHEDULE.check(typed)
        else:
            problems.append(f"The schedule {literal(problem)}; running with a constant rate.")
    rule = nesterov_problem(beta, nesterov)
    if rule is not None:
        problems.append(f"{literal(rule)}; running without Nesterov.")
        nesterov = False
    return Optimizer(beta, nesterov, schedule, warmup), problems
