"""The sweep drawn: a log grid of rates run and judged, its numbers, its panels, its map, its table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
import gdcore.verdicts.diagnosis
from gdcore.verdicts import suggest
from gdcore.verdicts.diagnosis import shown_edge
from ui import cached, charts, edges, text, widgets
from ui.image import ImageChoice


def rate_range(theory: gdcore.Theory) -> tuple[float, float]:
    """The smallest and largest rate of a sweep from the bowl's theory."""
    return suggest.sweep_range(theory.critical_lr)


def judged_grid(
    choice: ImageChoice, scale: str, lo: float, hi: float, points: int, epochs: int
) -> pd.DataFrame:
    """``points`` rates from ``lo`` to ``hi``, log-spaced, each run from zero weights and judged."""
    rates = np.geomspace(lo, hi, points)
    rows = cached.sweep_rows(
        choice.key, scale, tuple(float(r) for r in rates), int(epochs), choice.pixels
    )
    return pd.DataFrame(rows)


def numbers_and_panels(
    bowl: gdcore.Quadratic, theory: gdcore.Theory, table: pd.DataFrame, epochs: int
) -> None:
    """The edge, the fastest rate from the start, the grid's suggestion and its good rates; then
    the sweep's panels, stacked at full width, and what they show in words."""
    best = suggest.fewest_epochs(table["lr"], table["epochs_to_1pct"])
    suggested = best.lr if best else None
    fast = gdcore.fastest_rate(bowl, np.zeros(3))
    boxes = st.columns(4)
    boxes[0].metric(
        "edge rate",
        shown_edge(theory.critical_lr, fast.lr if fast else None),
        help="Above it every step overshoots by more than it gains: 2/λmax, λmax the bowl's "
        "steepest curvature.",
    )
    boxes[1].metric(
        "fastest from this start",
        f"{fast.lr:g}" if fast else "any",
        help=(
            f"From the zero weights no constant rate settles within 1% of E* in fewer than "
            f"{fast.epochs:,} epochs. (The best rate for any start, 2/(λmin+λmax) = "
            f"{theory.optimal_lr:.4g}, needs "
            f"{gdcore.epochs_to_target(bowl, theory.optimal_lr, np.zeros(3)):,}.)"
            if fast
            else "The zero weights are already within 1% of E*."
        ),
    )
    boxes[2].metric(
        "suggested from this grid",
        f"{suggested:.4g}" if suggested else "none",
        help="The grid rate that settles within 1% of E* in the fewest epochs.",
    )
    counts = table["verdict"].value_counts()
    boxes[3].metric(
        "good rates in the grid",
        f"{counts.get('good', 0)} of {len(table)}",
        help=" · ".join(f"{counts.get(v, 0)} {v}" for v in gdcore.verdicts.diagnosis.VERDICTS),
    )
    start = float(bowl.error(np.zeros(3)))
    for column, *_ in charts.SWEEP_PANELS:  # stacked: both charts at full width
        widgets.draw(
            charts.sweep_panel,
            table,
            column,
            epochs,
            theory.critical_lr,
            fast.lr if fast else None,
            suggested,
            start,
        )
    st.markdown(text.sweep_story(table, theory.critical_lr))


def momentum_map(choice: ImageChoice, scale: str, epochs: int, theory: gdcore.Theory) -> None:
    """Rate × momentum: the epoch each pair settles at, the edge over β, the best pair, in words."""
    emap = cached.momentum_map(choice.key, scale, int(epochs), False, choice.pixels)
    edge_line, best_pair = edges.map_frames(theory, emap, False)
    widgets.draw(
        charts.momentum_map_chart,
        emap.rates,
        emap.momenta,
        emap.epochs,
        emap.limit,
        edge_line,
        best_pair,
    )
    st.markdown(text.map_story(theory, emap))
    with st.expander("The maths behind this map"):
        st.markdown(text.momentum_maths(theory, gdcore.Optimizer(float(theory.optimal_momentum))))


def every_rate(table: pd.DataFrame) -> None:
    """Every rate of the grid in a table with its verdict, and the table as a CSV download."""
    formats = {
        "lr": "{:.4g}",
        "final_error": "{:.6g}",
        "epochs_to_1pct": lambda v: "never" if not np.isfinite(v) else f"{int(v):,}",
    }
    st.dataframe(
        charts.verdict_style(table, formats),
        hide_index=True,
        width="stretch",
        column_config={"reason": st.column_config.TextColumn(width="large")},
    )
    st.download_button(
        "⬇ Download the sweep (CSV)",
        table.to_csv(index=False).encode(),
        file_name="sweep.csv",
        mime="text/csv",
        key="sw_download",
        on_click="ignore",  # no rerun: it would drop the file being downloaded
    )
