"""Charts of the optimizer's settings: the rate a schedule steps with, the rate × momentum map."""

from __future__ import annotations

from collections.abc import Sequence

import altair as alt
import numpy as np
import pandas as pd

from ui.charts.compose import layer
from ui.charts.frames import AUTO_LOG_SPAN, keep_shape
from ui.charts.style import FEW_POINTS, PADDING
from ui.charts.words import count, four_digits


def rate_chart(rates: np.ndarray, edges: Sequence[tuple[str, float]], title: str) -> alt.LayerChart:
    """The rate each epoch actually stepped with (``lr_k``, epochs 0 … T−1), and the edge rates.

    ``edges`` are ``(label, rate)`` pairs drawn as dashed lines (the plain edge
    rate, and the wider one that momentum gives). A log axis is used when the
    rates and the edges span more than ``AUTO_LOG_SPAN`` times (a decaying schedule, a tiny rate).
    """
    idx = keep_shape(rates)
    df = pd.DataFrame({"epoch": idx, "rate": rates[idx]})
    drawn = np.concatenate([rates, [e[1] for e in edges]])
    positive = drawn[np.isfinite(drawn) & (drawn > 0)]
    log = bool(positive.size) and positive.max() / positive.min() > AUTO_LOG_SPAN
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    y = alt.Y("rate:Q", title="rate used" + (", log scale" if log else ""), scale=scale)
    x = alt.X(
        "epoch:Q",
        title="epoch",
        axis=alt.Axis(tickMinStep=1, format="d"),
        scale=alt.Scale(domain=[0, max(len(rates), 1)], nice=False),
    )
    line = (
        alt.Chart(df)
        .mark_line(strokeWidth=2, color="#0072B2", point=len(df) <= FEW_POINTS)
        .encode(
            x=x,
            y=y,
            tooltip=[alt.Tooltip("epoch:Q"), alt.Tooltip("rate:Q", format=".4g")],
        )
    )
    marks = pd.DataFrame({"line": [e[0] for e in edges], "rate": [e[1] for e in edges]})
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[6, 3], strokeWidth=2)
        .encode(
            y=alt.Y("rate:Q"),
            color=alt.Color(
                "line:N",
                scale=alt.Scale(
                    domain=list(marks["line"]), range=["#D55E00", "#CC79A7"][: len(marks)]
                ),
                title="dashed lines",
            ),
            tooltip=[alt.Tooltip("line:N"), alt.Tooltip("rate:Q", format=".4g")],
        )
    )
    said = (
        f"{title}. The rate runs from {four_digits(rates[0])} at epoch 0 to {four_digits(rates[-1])} at epoch "
        f"{len(rates) - 1:,}, highest {four_digits(rates.max())}, lowest {four_digits(rates.min())}"
        + ("; log axis" if log else "")
        + "".join(f"; {label}: {four_digits(r)}" for label, r in edges)
        + "."
    )
    return layer(line, rules, padding=PADDING, title=title, height=180, description=said)


MAP_COLOUR = "#D55E00"
"""The edge line and the marked pairs on the map: the colour of "too large", off the viridis cells."""
NO_COUNT = ("#E8E8E8", "#B0B0B0")
"""Greys of the cells without a count: never settles, needs more than the limit."""


def map_cells(
    rates: np.ndarray, momenta: np.ndarray, epochs: np.ndarray, limit: int
) -> pd.DataFrame:
    """One row per (β, rate) cell of the map: its rate and β, its edges and what it reads.

    Cells are centred on their rate (edges halfway on the log scale) and on their β
    (edges halfway); ``epochs`` is NaN where there is no count, and ``reads`` says the
    count in words, "never settles" (``inf``) or "more than ``limit`` epochs" (``nan``).
    """
    lr_edges = np.sqrt(rates[1:] * rates[:-1])
    lr_lo = np.concatenate([[rates[0] ** 2 / lr_edges[0]], lr_edges])
    lr_hi = np.concatenate([lr_edges, [rates[-1] ** 2 / lr_edges[-1]]])
    b_edges = (momenta[1:] + momenta[:-1]) / 2
    b_lo = np.concatenate([[momenta[0] - (b_edges[0] - momenta[0])], b_edges])
    b_hi = np.concatenate([b_edges, [momenta[-1] + (momenta[-1] - b_edges[-1])]])
    i, j = np.meshgrid(np.arange(len(momenta)), np.arange(len(rates)), indexing="ij")
    flat_epochs = epochs.ravel()
    return pd.DataFrame(
        {
            "lr": rates[j.ravel()],
            "momentum": momenta[i.ravel()],
            "x": lr_lo[j.ravel()],
            "x2": lr_hi[j.ravel()],
            "y": b_lo[i.ravel()],
            "y2": b_hi[i.ravel()],
            "epochs": np.where(np.isfinite(flat_epochs), flat_epochs, np.nan),
            "reads": [
                f"{int(v):,} epochs"
                if np.isfinite(v)
                else "never settles"
                if np.isinf(v)
                else f"more than {limit:,} epochs"
                for v in flat_epochs
            ],
        }
    )


def cell_layers(cells: pd.DataFrame, limit: int) -> list[alt.Chart]:
    """The map's cells: counted ones on a log viridis scale, the others in ``NO_COUNT`` greys."""
    x = alt.X("x:Q", scale=alt.Scale(type="log", nice=False), title="learning rate (log scale)")
    y = alt.Y(
        "y:Q",
        scale=alt.Scale(
            domain=[float(cells["y"].iloc[0]), float(cells["y2"].iloc[-1])], nice=False
        ),
        title="momentum β",
    )
    tip = [
        alt.Tooltip("lr:Q", format=".4g", title="rate"),
        alt.Tooltip("momentum:Q", format=".3g", title="β"),
        alt.Tooltip("reads:N", title="settles within 1% of E* after"),
    ]

    def rects(data: pd.DataFrame, colour: alt.Color) -> alt.Chart:
        return (
            alt.Chart(data)
            .mark_rect()
            .encode(x=x, x2=alt.X2("x2:Q"), y=y, y2=alt.Y2("y2:Q"), color=colour, tooltip=tip)
        )

    heat = rects(
        cells[cells["epochs"].notna()],
        alt.Color(
            "epochs:Q",
            scale=alt.Scale(type="log", scheme="viridis", reverse=True),
            title="epochs to 1% (log)",
        ),
    )
    grey = rects(
        cells[cells["epochs"].isna()],
        alt.Color(
            "reads:N",
            scale=alt.Scale(
                domain=["never settles", f"more than {limit:,} epochs"], range=list(NO_COUNT)
            ),
            title="no count",
            legend=alt.Legend(orient="bottom"),
        ),
    )
    return [heat, grey]


def pair_layers(boundary: pd.DataFrame, marks: pd.DataFrame) -> list[alt.Chart]:
    """The edge line over β (dashed) and the marked pairs (diamonds with their labels)."""
    edge_line = (
        alt.Chart(boundary)
        .mark_line(color=MAP_COLOUR, strokeWidth=3, strokeDash=[6, 3])
        .encode(x=alt.X("lr:Q"), y=alt.Y("momentum:Q"), order=alt.Order("momentum:Q"))
    )
    points = (
        alt.Chart(marks)
        .mark_point(shape="diamond", size=220, filled=True, color=MAP_COLOUR, stroke="white")
        .encode(
            x=alt.X("lr:Q"),
            y=alt.Y("momentum:Q"),
            tooltip=[
                alt.Tooltip("label:N"),
                alt.Tooltip("lr:Q", format=".4g"),
                alt.Tooltip("momentum:Q", format=".3g"),
            ],
        )
    )
    labels = (
        alt.Chart(marks)
        .mark_text(align="right", dx=-12, dy=-10, color=MAP_COLOUR, fontWeight="bold")
        .encode(x=alt.X("lr:Q"), y=alt.Y("momentum:Q"), text=alt.Text("label:N"))
    )
    return [edge_line, points, labels]


def map_said(
    title: str,
    rates: np.ndarray,
    momenta: np.ndarray,
    epochs: np.ndarray,
    limit: int,
    cells: pd.DataFrame,
    marks: pd.DataFrame,
) -> str:
    """The map's text alternative: its axes, the cells counted and not, the fastest, the marks."""
    flat_epochs = epochs.ravel()
    counted = cells[cells["epochs"].notna()]
    fastest = counted.loc[counted["epochs"].idxmin()] if len(counted) else None
    said = [
        f"{title}. {count(len(rates), 'rate')} from {four_digits(rates[0])} to "
        f"{four_digits(rates[-1])} (log axis) × {count(len(momenta), 'momentum')} from "
        f"{four_digits(momenta[0])} to {four_digits(momenta[-1])}",
        f"{len(counted)} cells counted, {int(np.isinf(flat_epochs).sum())} never settle, "
        f"{int(np.isnan(flat_epochs).sum())} need more than {limit:,} epochs",
        "dashed line: the edge rate 2(1+β)/λmax, right of it nothing settles",
    ]
    if fastest is not None:
        said.append(
            f"fewest epochs: {int(fastest['epochs']):,} at rate {four_digits(fastest['lr'])} with "
            f"β = {four_digits(fastest['momentum'])}"
        )
    said += [
        f"{lab} at rate {four_digits(r)}, β = {four_digits(b)}"
        for lab, r, b in zip(marks["label"], marks["lr"], marks["momentum"], strict=True)
    ]
    return "; ".join(said) + "."


def momentum_map_chart(
    rates: np.ndarray,
    momenta: np.ndarray,
    epochs: np.ndarray,
    limit: int,
    boundary: pd.DataFrame,
    marks: pd.DataFrame,
) -> alt.LayerChart:
    """The epoch each run settles within 1% of E* (enters the band for good: ``gdcore.bowl.settling``)
    over rate (x, log) × momentum β (y), as coloured cells.

    ``epochs`` is (len(momenta), len(rates)): a count, ``inf`` (never settles)
    or ``nan`` (more than ``limit``). ``boundary`` has lr and momentum along the
    edge rate 2(1+β)/λmax; ``marks`` has lr, momentum and label (the theory's
    best pair, this run).
    """
    cells = map_cells(rates, momenta, epochs, limit)
    title = "Epochs to settle within 1% of E*, over rate × momentum"
    return layer(
        *cell_layers(cells, limit),
        *pair_layers(boundary, marks),
        resolve_colour=True,
        padding=PADDING,
        title=title,
        height=460,
        description=map_said(title, rates, momenta, epochs, limit, cells, marks),
    )
