"""The learning rate beside the curve: a log-scale slider and a typed box, one value.

The typed box is the field's own widget (``controls.control``): its key is the one
``urlstate`` restores and publishes, so links, classroom locks and hides and the
field's declared bounds hold as for every other control. The slider is a view of
the same value on log-spaced round rates (1, 1.5, 2, 3, 5, 7 per decade): before it
is drawn it is moved to the rate nearest the box, and moving it writes its rate into
the box (``_from_slider``, a callback, so it runs before the page does).
"""

from __future__ import annotations

import math
from typing import Any

import streamlit as st

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from gdcore.params import Range
from ui import classroom
from ui.controls import control
from ui.fields import Field

MANTISSAS = (1.0, 1.5, 2.0, 3.0, 5.0, 7.0)
"""Round rates per decade on the slider; any other rate is typed in the box."""
SPAN = (1e-6, 100.0)
"""The slider's reach, inside the field's bounds; the box takes the rest of them."""


def grid(lo: float, hi: float) -> list[float]:
    """The round log-spaced rates from ``lo`` to ``hi`` (both clipped to ``SPAN``).

    >>> grid(0.01, 1.0)
    [0.01, 0.015, 0.02, 0.03, 0.05, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.7, 1.0]
    """
    lo, hi = max(lo, SPAN[0]), min(hi, SPAN[1])
    out = []
    for d in range(math.floor(math.log10(lo)), math.ceil(math.log10(hi)) + 1):
        for m in MANTISSAS:
            rate = float(f"{m * 10.0**d:.6g}")
            if lo <= rate <= hi:
                out.append(rate)
    return out


def nearest(rates: list[float], value: float) -> float:
    """The grid rate nearest ``value`` on the log scale (the ends for rates beyond them).

    >>> nearest([0.1, 0.15, 0.2], 0.16), nearest([0.1, 0.15, 0.2], 5.0)
    (0.15, 0.2)
    """
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        return rates[0]
    return min(rates, key=lambda r: abs(math.log(r / value)))


def _slider_key(field: Field) -> str:
    return f"{field.key}__slider"


def _from_slider(field: Field) -> None:
    st.session_state[field.key] = st.session_state[_slider_key(field)]


def rate_control(field: Field, label: str = "Learning rate", **box: Any) -> float:
    """Draw the rate as a log slider beside a typed box, in the current container.

    Returns the box's value (the field's). Locked by a classroom link, both are
    disabled; hidden by one, neither is drawn and the restored value stands.
    """
    if classroom.hidden(field):
        return float(st.session_state.get(field.key, field.default))
    rule = field.param.rule
    lo = float(rule.lo) if isinstance(rule, Range) and rule.lo is not None else SPAN[0]
    hi = float(rule.hi) if isinstance(rule, Range) and rule.hi is not None else SPAN[1]
    rates = grid(lo, hi)
    value = st.session_state.get(field.key, field.default)
    st.session_state[_slider_key(field)] = nearest(rates, value)
    slide, typed = st.columns([3, 1], vertical_alignment="bottom")
    with slide:
        st.select_slider(
            f"{label}, log scale",
            options=rates,
            key=_slider_key(field),
            format_func=lambda r: f"{r:g}",
            on_change=_from_slider,
            args=(field,),
            disabled=classroom.locked(field),
            label_visibility="collapsed",  # the box beside it names the rate: fewer words
            help="Slide over round rates, ten times larger every six stops; type any rate in the box.",
        )
    with typed:
        box.setdefault("format", "%.6g")
        box.setdefault("step", None)
        return float(control(st.number_input, field, label, **box))
