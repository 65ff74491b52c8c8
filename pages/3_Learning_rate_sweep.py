"""Learning-rate sweep: a log grid of rates, each run and judged."""

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from gdcore.verdicts import suggest
from gdcore.verdicts.diagnosis import shown_edge
from ui import cached, charts, edges, image, text, urlstate, widgets
from ui.controls import control
from ui.page_run import page_run

with page_run("sweep") as page:
    choice = image.picker()
    scale = st.session_state["scale"]
    bowl, theory = cached.bowl(choice.key, scale, choice.pixels)
    auto_from, auto_to = suggest.sweep_range(theory.critical_lr)

    with st.sidebar:
        st.markdown("#### Sweep")
        lo, hi = (
            control(
                st.number_input,
                page.field(url),
                label,
                format="%.4g",
                placeholder=f"{auto:g} (from theory)",
                step=None,
            )
            for url, label, auto in (
                ("from", "Smallest rate", auto_from),
                ("to", "Largest rate", auto_to),
            )
        )
        points = control(st.slider, page.field("points"), "Number of rates (log-spaced)")
        epochs = control(st.number_input, page.field("epochs"), "Epochs per run", step=50)

    lo = auto_from if lo is None else lo
    hi = auto_to if hi is None else hi
    if lo >= hi:
        st.error(
            f"The smallest rate ({lo:g}) must be below the largest ({hi:g}); showing the range from theory.",
            icon=":material/block:",
        )
        lo, hi = auto_from, auto_to
    st.caption(
        f"{points} rates from {lo:g} to {hi:g}, evenly spaced on a log scale, each run for {epochs:,} epochs "
        "from zero weights (full batch). Empty range fields use a range from the image's theory."
    )
    rates = np.geomspace(lo, hi, points)
    rows = cached.sweep_rows(
        choice.key, scale, tuple(float(r) for r in rates), int(epochs), choice.pixels
    )
    table = pd.DataFrame(rows)
    best = suggest.fewest_epochs(table["lr"], table["epochs_to_1pct"])
    suggested = best.lr if best else None

    fast = gdcore.fastest_rate(bowl, np.zeros(3))
    c = st.columns(4)
    c[0].metric(
        "edge rate",
        shown_edge(theory.critical_lr, fast.lr if fast else None),
        help="Above it every step overshoots by more than it gains: 2/λmax, λmax the bowl's "
        "steepest curvature.",
    )
    c[1].metric(
        "fastest from this start",
        f"{fast.lr:g}" if fast else "any",
        help=(
            f"From the zero weights no constant rate settles within 1% of E* in fewer than "
            f"{fast.epochs:,} epochs. (The best rate for any start, 2/(λmin+λmax) = "
            f"{theory.optimal_lr:.4g}, needs {gdcore.epochs_to_target(bowl, theory.optimal_lr, np.zeros(3)):,}.)"
            if fast
            else "The zero weights are already within 1% of E*."
        ),
    )
    c[2].metric(
        "suggested from this grid",
        f"{suggested:.4g}" if suggested else "none",
        help="The grid rate that settles within 1% of E* in the fewest epochs.",
    )
    counts = table["verdict"].value_counts()
    c[3].metric(
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

    st.subheader("Rate × momentum: where the heavy ball settles")
    st.caption(text.HEAVY_BALL)
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

    st.subheader("Every rate")
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
    )
    written = urlstate.publish(page)
    widgets.share_box(page, written)
