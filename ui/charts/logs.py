"""Charts of a learner's own numbers: their log, its validation curve or trend, their loop.

A log with its validation curve, a noisy log with the trend its verdict read, and a
loop's printed errors over the exact curve of its setup; each under ``error_view``'s rules.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.compose import layer, with_props
from ui.charts.frames import VIEW_CAP, axis_choice, keep_shape, named_curves
from ui.charts.runs import error_curves
from ui.charts.style import ERROR_TITLE, GREY, PADDING, VERDICT_COLOURS, quantity_title
from ui.charts.words import count, four_digits


def named_chart(
    curves: dict[str, np.ndarray],
    *,
    log: bool | None,
    title: str,
    y_title: str,
    marks: pd.DataFrame | None = None,
    also: Sequence[str] = (),
) -> tuple[alt.LayerChart, list[str]]:
    """Named curves of their own lengths on one chart, under ``error_view``'s rules, and notes.

    Each curve is thinned keeping its shape and drawn against its own count of values;
    the axis stops at ``VIEW_CAP`` times the largest start; ``marks`` are crosses with
    labels (``error_curves``' ``diverged``). The notes say the axis chosen, the values
    not drawn, ``also``, and a curve climbing past the top: nothing is hidden unsaid.
    """
    df, cap = named_curves(curves)
    log, notes = axis_choice(log, list(curves.values()), cap)
    chart = error_curves(
        df, log=log, title=title, y_cap=cap, colour_title="curve", diverged=marks, y_title=y_title
    )
    hidden = sum(
        int((~(np.isfinite(c) & ((c > 0) if log else True))).sum()) for c in curves.values()
    )
    if hidden:
        where = "on the log axis (NaN, infinite or 0)" if log else "(NaN or infinite: a blow-up)"
        notes.append(f"{count(hidden, 'value')} not drawn {where}")
    notes += also
    if any(np.nan_to_num(c, nan=-1.0, posinf=np.inf).max() > cap for c in curves.values()):
        notes.append(
            f"a curve climbs past the top of this chart (over {VIEW_CAP:g}× the larger start)"
        )
    said = "; ".join(
        f"{label}: {c.size:,} values from {four_digits(c[0])} to {four_digits(c[-1])}"
        for label, c in curves.items()
    )
    return with_props(chart, description=f"{title}. {said}."), notes


def training_and_validation(
    training: np.ndarray,
    validation: np.ndarray,
    names: tuple[str, str],
    *,
    log: bool | None = False,
    title: str = "Your training and validation curves",
    y_title: str = ERROR_TITLE,
) -> tuple[alt.LayerChart, list[str]]:
    """A learner's training curve with its validation curve beside it, and notes.

    Each curve is drawn against its own count of values, epoch 0 first (as the
    verdict counts), under ``error_view``'s rules: thinned keeping each curve's
    shape, the axis stopped at ``VIEW_CAP`` times the larger start, and nothing
    hidden without a note.
    """
    curves = {
        f"training: {names[0]}": np.asarray(training, dtype=float),
        f"validation: {names[1]}": np.asarray(validation, dtype=float),
    }
    also: list[str] = []
    if len(training) != len(validation):
        also.append(
            f"the validation curve has {len(validation):,} values and the training curve "
            f"{len(training):,}: each is drawn against its own count, so they line up only "
            "where both were logged at the same epochs"
        )
    return named_chart(curves, log=log, title=title, y_title=y_title, also=also)


def check_chart(
    values: np.ndarray,
    exact: np.ndarray,
    explained: np.ndarray | None = None,
    parted: int | None = None,
    *,
    log: bool | None = False,
    title: str = "Your numbers over the exact curve",
    name: str | None = None,
) -> tuple[alt.LayerChart, list[str]]:
    """A learner's printed errors over the exact curve of their setup, and notes.

    With ``explained``, the curve of the loop whose mistakes explain the numbers
    is drawn too; ``parted`` marks the first epoch where the numbers leave the
    exact curve. Drawn under ``error_view``'s rules (thinned keeping the shape,
    the axis stopped at ``VIEW_CAP`` times the larger start, notes for anything
    left out).

    ``name`` is what the learner's log calls the numbers (Keras's ``loss``:
    ``gdcore.learner.printed_errors.Printout.column``): the axis carries it, not the lesson's
    ``ERROR_TITLE``, since a framework's loss need not be ½·mean squared; the exact
    curve on it is what a correct loop would print there. Plain numbers are the
    errors the page asks for, on ``ERROR_TITLE``.
    """
    y_title = quantity_title(name) if name else ERROR_TITLE
    curves = {"your numbers": np.asarray(values, dtype=float)}
    curves["the exact curve"] = np.asarray(exact, dtype=float)
    if explained is not None:
        curves["the loop that explains them"] = np.asarray(explained, dtype=float)
    marks = None
    yours = curves["your numbers"]
    if parted is not None and parted < len(yours) and np.isfinite(yours[parted]):
        marks = pd.DataFrame(
            [
                {
                    "run": "your numbers",
                    "epoch": parted,
                    "error": float(yours[parted]),
                    "label": f"parts from the exact curve at epoch {parted:,}",
                }
            ]
        )
    return named_chart(curves, log=log, title=title, y_title=y_title, marks=marks)


NOISY_OPACITY = 0.45
"""The raw values of a noisy log are drawn this faint under their trend line."""


def noisy_curve(
    x: np.ndarray,
    values: np.ndarray,
    trend_x: np.ndarray,
    trend: np.ndarray,
    *,
    unit: str,
    how: str,
    noise: float,
    verdict: str,
    log: bool | None = False,
    title: str = "Your curve and its trend",
    y_title: str = ERROR_TITLE,
) -> tuple[alt.LayerChart, list[str]]:
    """A noisy log as TensorBoard shows it: the raw values faint, the trend (judged) a line.

    ``x``/``values`` are the logged values at their steps; ``trend_x``/``trend`` the trend
    the verdict read (``gdcore.verdicts.noise.Trend``), coloured with the verdict.
    The axis stops at ``VIEW_CAP`` times the trend's start, and the notes say what is left out.
    """
    curve = np.asarray(values, dtype=float)
    trend_curve = np.asarray(trend, dtype=float)
    cap = VIEW_CAP * (
        abs(float(trend_curve[0]))
        if trend_curve.size and np.isfinite(trend_curve[0]) and trend_curve[0]
        else 1.0
    )
    log, notes = axis_choice(log, [curve, trend_curve], cap)
    keep = keep_shape(curve)
    raw = pd.DataFrame({"x": np.asarray(x, dtype=float)[keep], "error": curve[keep]})
    line = pd.DataFrame({"x": np.asarray(trend_x, dtype=float), "error": trend_curve})
    line = line.iloc[keep_shape(trend_curve)]
    ok_raw = np.isfinite(raw["error"]) & (raw["error"] <= cap)
    ok_line = np.isfinite(line["error"]) & (line["error"] <= cap)
    if log:
        ok_raw &= raw["error"] > 0
        ok_line &= line["error"] > 0
    hidden = int((~ok_raw).sum())
    if hidden:
        notes.append(
            f"{count(hidden, 'drawn value')} left out (NaN, infinite"
            + (", 0" if log else "")
            + f" or over {VIEW_CAP:g}× the trend's start)"
        )
    y = alt.Y(
        "error:Q", title=y_title, scale=alt.Scale(type="log" if log else "linear", zero=False)
    )
    xs = alt.X("x:Q", title=unit, axis=alt.Axis(format="~s"))
    colour = VERDICT_COLOURS.get(verdict, GREY)
    points = (
        alt.Chart(raw[ok_raw])
        .mark_circle(size=12, opacity=NOISY_OPACITY, color=GREY)
        .encode(
            xs, y, tooltip=[alt.Tooltip("x:Q", title=unit), alt.Tooltip("error:Q", format=".4g")]
        )
    )
    trend_line = (
        alt.Chart(line[ok_line])
        .mark_line(strokeWidth=3, color=colour)
        .encode(
            xs, y, tooltip=[alt.Tooltip("x:Q", title=unit), alt.Tooltip("error:Q", format=".4g")]
        )
    )
    said = (
        f"{title}. {curve.size:,} logged values drawn as faint dots, from {four_digits(curve[0])} to {four_digits(curve[-1])}; "
        f"the trend ({how or 'the values themselves'}, {verdict}) as a line, from {four_digits(trend_curve[0])} to "
        f"{four_digits(trend_curve[-1])}; batch noise ±{noise:.2g} around it."
    )
    said += "".join(f" Note: {n}." for n in notes)
    chart = layer(points, trend_line, title=title, height=320, padding=PADDING, description=said)
    return chart, notes
