"""The sweep's charts: a per-rate quantity (final error, epochs to settle) against the rate."""

from __future__ import annotations

import altair as alt
import numpy as np
import pandas as pd

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from gdcore.verdicts.diagnosis import shown_edge
from ui.charts.compose import layer, with_props
from ui.charts.frames import VIEW_CAP, for_log
from ui.charts.style import GREY, PADDING, VERDICT_COLOURS, VERDICT_SHAPES
from ui.charts.words import count, four_digits


def sweep_chart(
    df: pd.DataFrame,
    y: str,
    y_title: str,
    critical_lr: float,
    fastest_lr: float | None,
    suggested_lr: float | None = None,
    description: str = "",
) -> alt.LayerChart:
    """A per-rate quantity against the rate on log axes, coloured by verdict.

    ``df`` has columns lr, verdict and ``y``; rows that a log axis cannot show
    must be filtered by the caller (see ``for_log``). ``description`` is the
    chart's text alternative; the numbers of the points and lines are added.
    """
    domain = list(VERDICT_COLOURS)
    colour = alt.Color(
        "verdict:N",
        scale=alt.Scale(domain=domain, range=list(VERDICT_COLOURS.values())),
        title="verdict",
    )
    shape = alt.Shape(
        "verdict:N", scale=alt.Scale(domain=domain, range=VERDICT_SHAPES), legend=None
    )
    x = alt.X("lr:Q", scale=alt.Scale(type="log"), title="learning rate (log scale)")
    y_enc = alt.Y(f"{y}:Q", scale=alt.Scale(type="log"), title=y_title)
    line = alt.Chart(df).mark_line(color="#aaa", strokeWidth=1).encode(x=x, y=y_enc)
    points = (
        alt.Chart(df)
        .mark_point(filled=True, size=70)
        .encode(
            x=x,
            y=y_enc,
            color=colour,
            shape=shape,
            tooltip=[
                alt.Tooltip("lr:Q", format=".4g"),
                alt.Tooltip(f"{y}:Q", format=".4g"),
                alt.Tooltip("verdict:N"),
            ],
        )
    )
    marks = [
        (f"edge rate = {shown_edge(critical_lr, fastest_lr)}", critical_lr, "#D55E00", [6, 3]),
    ]
    if fastest_lr is not None:
        marks.append((f"fastest from this start = {fastest_lr:g}", fastest_lr, "#009E73", [2, 2]))
    if suggested_lr is not None:
        marks.append((f"suggested = {suggested_lr:.4g}", suggested_lr, GREY, [1, 0]))
    rules_df = pd.DataFrame({"line": [m[0] for m in marks], "lr": [m[1] for m in marks]})
    rules = (
        alt.Chart(rules_df)
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("lr:Q"),
            color=alt.Color(
                "line:N",
                scale=alt.Scale(domain=[m[0] for m in marks], range=[m[2] for m in marks]),
                title="vertical lines",
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=[m[0] for m in marks], range=[m[3] for m in marks]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("line:N")],
        )
    )
    said = [description] if description else []
    if len(df):
        low, high = df[y].idxmin(), df[y].idxmax()
        said.append(
            f"{count(len(df), 'rate')} drawn, from {four_digits(df['lr'].min())} to {four_digits(df['lr'].max())} on a "
            "log axis: "
            + ", ".join(f"{int((df['verdict'] == v).sum())} {v}" for v in VERDICT_COLOURS)
            + f"; {y_title} lowest {four_digits(df[y][low])} at rate {four_digits(df['lr'][low])}, highest "
            f"{four_digits(df[y][high])} at rate {four_digits(df['lr'][high])}"
        )
    said.append("vertical lines: " + ", ".join(m[0] for m in marks))
    return layer(
        line,
        points,
        rules,
        resolve_colour=True,
        padding=PADDING,
        height=320,
        description=". ".join(said) + ".",
    )


SWEEP_PANELS = (
    (
        "final_error",
        "final error (½·mean squared, log scale)",
        "Error after {epochs:,} epochs",
        "their error blew up (or is exactly 0)",
    ),
    (
        "epochs_to_1pct",
        "epochs to settle within 1% of E* (log scale)",
        "Epochs to settle within 1% of E* (exact, from theory)",
        "they never get there (they diverge), or start there",
    ),
)
"""The sweep's charts: column, y title, title and why a rate can be missing from it."""


def sweep_panel(
    table: pd.DataFrame,
    column: str,
    epochs: int,
    critical_lr: float,
    fastest_lr: float | None,
    suggested_lr: float | None = None,
    start_error: float | None = None,
) -> tuple[alt.LayerChart, list[str]]:
    """One of the sweep's charts (``column`` of ``SWEEP_PANELS``), and notes on what it leaves
    out or holds down.

    ``table`` has one row per rate: lr, verdict and the columns of ``SWEEP_PANELS``.
    With ``start_error``, final errors above ``VIEW_CAP`` times it are drawn on the
    top edge (as a run's curve is), so a rate just past the critical rate that has
    not yet blown up does not stretch the axis over a dozen decades.
    """
    _, y_title, title, why = next(p for p in SWEEP_PANELS if p[0] == column)
    shown, hidden = for_log(table, column)
    notes = [f"{count(hidden, 'rate')} not drawn: {why}"] if hidden else []
    if column == "final_error" and start_error:
        cap = VIEW_CAP * start_error
        above = shown[column] > cap
        if above.any():
            shown = shown.assign(**{column: np.minimum(shown[column], cap)})
            notes.append(
                f"{count(int(above.sum()), 'rate')} ended over {VIEW_CAP:g}× the starting "
                f"error: drawn on the top edge (the table has {'its' if above.sum() == 1 else 'their'} values)"
            )
    title = title.format(epochs=epochs)
    said = title + "".join(f". {n}" for n in notes)
    chart = sweep_chart(shown, column, y_title, critical_lr, fastest_lr, suggested_lr, said)
    return with_props(chart, title=title), notes


def sweep_panels(
    table: pd.DataFrame,
    epochs: int,
    critical_lr: float,
    fastest_lr: float | None,
    suggested_lr: float | None = None,
    start_error: float | None = None,
) -> list[tuple[alt.LayerChart, str]]:
    """Both of the sweep's charts (``sweep_panel``), each with its notes as one sentence."""
    panels = []
    for column, *_ in SWEEP_PANELS:
        chart, notes = sweep_panel(
            table, column, epochs, critical_lr, fastest_lr, suggested_lr, start_error
        )
        panels.append((chart, "; ".join(notes) + "." if notes else ""))
    return panels
