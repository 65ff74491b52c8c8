"""A learner's own curve judged: its verdict, the chart that fits it, the next rate to try."""

from __future__ import annotations

import numpy as np
import streamlit as st

import gdcore
import gdcore.verdicts.diagnosis
import gdcore.verdicts.noise
from gdcore.learner.log_record import Log
from gdcore.verdicts.noise import Trend
from ui import charts, verdict, widgets


def diagnose(
    read: Log, lr: float | None, source: str
) -> tuple[gdcore.Diagnosis | None, str | None]:
    """The verdict on a curve as read, or the sentence saying why there is none."""
    try:
        return gdcore.diagnose_curve(read.values, lr, axis=read.axis), None
    except ValueError as exc:
        return None, f"{exc}".replace("errors: ", f"The errors from {source}: ")


def judged(
    read: Log, diag: gdcore.Diagnosis, lr: float | None, axis: str, source: str
) -> Trend | None:
    """The verdict card, the curve (with its trend when it was judged by it, or beside its
    validation curve), the verdict's numbers and the next rate to try; returns the trend."""
    trend = gdcore.verdicts.noise.trend_of(read.values, read.axis)
    named = charts.quantity_title(read.column)  # the log's own name: not our error
    if trend is not None and trend.how:  # judged by its trend: the words say so
        said = gdcore.lesson_line(diag.verdict, trend.values)
        seen = f"Its trend: {said[:1].lower()}{said[1:]}"
    else:
        seen = gdcore.lesson_line(diag.verdict, read.values)
    verdict.card(diag, lr, seen)
    if trend is not None and trend.how:  # judged by its trend: draw both
        at = read.axis.at if read.axis.at is not None else np.arange(len(read.values))
        widgets.draw(
            charts.noisy_curve,
            np.asarray(at, dtype=float),
            np.asarray(read.values, dtype=float),
            trend.x,
            trend.values,
            unit=read.axis.unit,
            how=trend.how,
            noise=trend.noise,
            verdict=diag.verdict,
            log=charts.AXES[axis],
            title=f"Your {len(read.values):,} values (faint) and their trend (judged)",
            y_title=named,
        )
    elif read.validation is not None:
        widgets.draw(
            charts.training_and_validation,
            read.values,
            read.validation,
            (str(read.column), str(read.validation_column)),
            log=charts.AXES[axis],
            title="Your training curve (the one judged) and your validation curve",
            y_title=charts.quantity_title(read.column, read.validation_column),
        )
    else:
        widgets.draw(
            charts.error_view,
            ["your curve"],
            np.asarray(read.values, dtype=float)[None, :],
            log=charts.AXES[axis],
            title=f"Your curve ({len(read.values)} values, from {source})",
            unit="values",
            verdicts=[diag.verdict],
            y_title=named,
        )
    verdict.numbers(diag)
    if diag.suggested_lr is not None and diag.verdict != "good":
        st.markdown(f"**Next, try a rate of {diag.suggested_lr:.4g}.**")
    elif diag.verdict != "good":
        way = "larger" if diag.verdict == "too small" else "smaller"
        st.markdown(f"**Next, try a rate about 10× {way}** (give your rate for a number).")
    return trend


def rules(trend: Trend | None) -> None:
    """How the verdict is reached, in an expander: the trend's rules first when it was used."""
    with st.expander("How the verdict is reached"):
        if trend is not None and trend.how:
            st.markdown(gdcore.verdicts.noise.trend_rules())
        st.markdown(gdcore.verdicts.diagnosis.curve_rules())
