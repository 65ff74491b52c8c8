"""Marks drawn over a chart of runs: E*, where a run leaves the view, where it overflows.

Each function returns the layers to add (none when there is nothing to mark); labels are
written towards the middle of the plot, so they stay inside it on a narrow screen.
"""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.frames import for_log
from ui.charts.style import GREY, VERDICT_COLOURS

BLOWUP_COLOUR = VERDICT_COLOURS["too large"]
"""The marks of a run that blows up wear the colour of "too large"."""


def blowup_marks(
    labels: Sequence[str], errors: np.ndarray, diverged: np.ndarray
) -> pd.DataFrame | None:
    """One cross per run that blew up, on its last computable error."""
    rows = [
        {
            "run": label,
            "epoch": int(d) - 1,
            "error": float(errors[r, int(d) - 1]),
            "label": f"numbers overflow at epoch {int(d)}",
        }
        for r, (label, d) in enumerate(zip(labels, diverged, strict=True))
        if d > 0
    ]
    return pd.DataFrame(rows) if rows else None


def shows_star(error_star: float | None, log: bool) -> bool:
    """Whether the E* line is drawn: given, and above 0 on a log axis."""
    return error_star is not None and (error_star > 0 or not log)


def star_layers(error_star: float | None, log: bool) -> list[alt.Chart]:
    """The dashed rule at E* with its label, when ``shows_star``."""
    if error_star is None or not shows_star(error_star, log):
        return []
    star = pd.DataFrame(
        {"error": [error_star], "label": [f"lowest possible error E* = {error_star:.4g}"]}
    )
    return [
        alt.Chart(star).mark_rule(strokeDash=[6, 4], color=GREY).encode(y=alt.Y("error:Q")),
        alt.Chart(star)
        .mark_text(align="left", dx=4, dy=-7, color=GREY)
        .encode(y=alt.Y("error:Q"), x=alt.XValue(0), text=alt.Text("label:N")),
    ]


def leaving_layers(
    leaving: pd.DataFrame,
    diverged: pd.DataFrame | None,
    scale: alt.Scale,
    colour_title: str,
    x_title: str,
    last_epoch: float,
) -> tuple[list[alt.Chart], pd.DataFrame | None]:
    """A triangle on the top edge where each run leaves the view (``into_view``'s rows), one
    label for them all, and the overflow marks still to draw.

    A run that leaves the view and later overflows gets one mark: its overflow is
    said in the triangle's label, and its row is taken out of ``diverged``.
    """
    if diverged is not None and len(diverged):
        blown = dict(zip(diverged["run"], diverged["label"], strict=True))
        leaving["label"] = [
            f"{lab}\n{blown[run]}" if run in blown else lab
            for run, lab in zip(leaving["run"], leaving["label"], strict=True)
        ]
        diverged = diverged[~diverged["run"].isin(leaving["run"])]
    top = alt.Y("shown:Q", scale=scale)
    triangles = (
        alt.Chart(leaving)
        .mark_point(shape="triangle-up", size=150, filled=True, color=BLOWUP_COLOUR)
        .encode(
            x=alt.X("epoch:Q"),
            y=top,
            tooltip=[
                alt.Tooltip("run:N", title=colour_title),
                alt.Tooltip("epoch:Q", title=x_title),
                alt.Tooltip("error:Q", format=".4g", title="error (above the chart)"),
                alt.Tooltip("label:N"),
            ],
        )
    )
    # One label for the chart: labels of runs leaving close together print over each other.
    texts = leaving.sort_values("epoch").head(1).assign(runs=len(leaving))
    if len(leaving) > 1:
        texts["label"] = f"↑ {len(leaving)} runs off the chart, from epoch {texts['epoch'].iloc[0]}"
    right = texts["epoch"].iloc[0] > 0.5 * last_epoch
    label = (
        alt.Chart(texts)
        .mark_text(
            align="right" if right else "left",
            dx=-9 if right else 9,
            dy=10,
            color=BLOWUP_COLOUR,
            fontWeight="bold",
            lineBreak="\n",
        )
        .encode(x=alt.X("epoch:Q"), y=top, text=alt.Text("label:N"))
    )
    return [triangles, label], diverged


def overflow_layers(
    diverged: pd.DataFrame, log: bool, y_cap: float | None, last_epoch: float
) -> list[alt.Chart]:
    """A cross on each run's last computable error before its numbers overflow, labelled.

    ``y_cap`` (when the view stops there) leaves out the crosses above the view; a log
    axis leaves out those it cannot draw.
    """
    marks = for_log(diverged, "error")[0] if log else diverged
    if y_cap is not None:
        marks = marks[marks["error"] <= y_cap]
    late = len(marks) and marks["epoch"].min() > 0.5 * last_epoch
    return [
        alt.Chart(marks)
        .mark_point(shape="cross", size=160, color=BLOWUP_COLOUR, strokeWidth=3)
        .encode(x=alt.X("epoch:Q"), y=alt.Y("error:Q"), tooltip=[alt.Tooltip("label:N")]),
        alt.Chart(marks)  # written towards the plot's middle, never pushing the plot aside
        .mark_text(
            align="right" if late else "left",
            dx=-8 if late else 8,
            dy=-10,
            color=BLOWUP_COLOUR,
            fontWeight="bold",
        )
        .encode(x=alt.X("epoch:Q"), y=alt.Y("error:Q"), text=alt.Text("label:N")),
    ]
