"""The verdict drawn: its card (words, symbol, colour), its numbers after the chart, the advice beside it."""

from __future__ import annotations

import html

import numpy as np
import streamlit as st

import gdcore
import gdcore.verdicts.suggest
from ui.charts import VERDICT_COLOURS
from ui.controls import action
from ui.fields import Field

VERDICT_MARK = {"too small": "▼", "good": "✓", "too large": "▲"}


def card(diagnosis: gdcore.Diagnosis, lr: float | None = None, lesson: str | None = None) -> None:
    """The verdict in words, symbol and colour: the headline and, first, the curve in the
    lesson's words (``gdcore.lesson_line``). Without ``lesson`` the reason follows here;
    with it, the reason's numbers go after the chart (``numbers``).

    Drawn with ``st.html`` (escaped text in our own markup), not Markdown with HTML allowed:
    that needs the browser's raw-HTML Markdown parser, a 188 KB script loaded on a first
    visit and run again on every redraw (docs/performance.md, "Fifth round")."""
    colour = VERDICT_COLOURS[diagnosis.verdict]
    rate = f" &nbsp;·&nbsp; rate {lr:.4g}" if lr is not None else ""
    first = lesson if lesson is not None else diagnosis.reason[:1].upper() + diagnosis.reason[1:]
    st.html(
        f"""<div data-testid="verdict-card" style="border-left: 8px solid {colour};
        padding: 0.6rem 1rem; background: {colour}14; border-radius: 4px;">
        <div style="font-size: 1.5rem; font-weight: 700;"><span style="color: {colour};">
        {VERDICT_MARK[diagnosis.verdict]} {diagnosis.verdict.upper()}</span><span style="font-size: 0.95rem;
        font-weight: 400;">{rate}</span></div>
        <div style="font-size: 1.0rem; margin-top: 0.2rem;">{html.escape(first)}</div>
        </div>"""
    )


def rate_advice(
    lr_field: Field,
    scale_field: Field,
    suggested: float | None,
    lr: float,
    scale: str,
    bowl: gdcore.Quadratic,
    w0: np.ndarray,
    epochs: int,
    plain: bool = True,
) -> None:
    """The advice buttons beside a verdict: the suggested rate and, on the raw scale,
    normalizing. When the suggested rate cannot finish within the run's epochs on the raw
    scale, normalizing comes first and the rate says how many epochs it needs (plain steps
    only: with momentum or a schedule the rate's button is left as it is)."""
    shown = float(f"{suggested:.6g}") if suggested is not None else None
    offer = shown is not None and not np.isclose(shown, lr, rtol=1e-3)
    advice = (
        gdcore.verdicts.suggest.rate_advice(bowl, shown, w0, epochs, scale)
        if offer and shown is not None and plain
        else None
    )
    first = advice is not None and advice.normalize_first

    def normalize() -> None:
        if scale == "raw":  # the lesson's fix for a steep bowl, beside the verdict
            label = (
                "Normalize the inputs first: use the unit scale"
                if first
                else ("Normalize: use the unit scale")
            )
            action(
                st.button,
                scale_field,
                label,
                set_to="unit",
                type="primary" if first else "secondary",
                key="ex_unit",
            )

    if first:
        normalize()
    if offer and shown is not None:
        action(
            st.button,
            lr_field,
            advice.rate_label() if advice else f"Try the suggested rate {shown:g}",
            set_to=shown,
            type="secondary" if first else "primary",
            key="ex_use_suggestion",
        )
    if not first:
        normalize()


def numbers(diagnosis: gdcore.Diagnosis) -> None:
    """The verdict's second line, after the chart: the numbers behind it (E*, edges, epochs)."""
    st.html(
        f"""<div data-testid="verdict-numbers" style="font-size: 0.95rem;">
        <b>In numbers:</b> {html.escape(diagnosis.reason[:1].upper() + diagnosis.reason[1:])}</div>"""
    )
