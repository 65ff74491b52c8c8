"""Learning-rate sweep: a log grid of rates, each run and judged."""

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from ui import charts, data, state, widgets
from ui.params import MAX_EPOCHS
from ui.params import SWEEP as PARAMS
from ui.params import SWEEP_POINTS as MAX_POINTS

widgets.page_setup("Learning-rate sweep", "sweep", PARAMS)
choice = widgets.image_picker()
scale = st.session_state["scale"]
bowl, th = data.bowl(choice.key, scale, choice.pixels)
auto_from, auto_to = float(f"{th.critical_lr * 1e-4:.2g}"), float(f"{th.critical_lr * 3:.2g}")

with st.sidebar:
    st.markdown("#### Sweep")
    lo = state.widget(
        st.number_input,
        "from",
        "Smallest rate",
        1e-12,
        1e6,
        key="sw_from",
        format="%.4g",
        placeholder=f"{auto_from:g} (from theory)",
        step=None,
    )
    hi = state.widget(
        st.number_input,
        "to",
        "Largest rate",
        1e-12,
        1e6,
        key="sw_to",
        format="%.4g",
        placeholder=f"{auto_to:g} (from theory)",
        step=None,
    )
    points = state.widget(
        st.slider, "points", "Number of rates (log-spaced)", 2, MAX_POINTS, key="sw_points"
    )
    epochs = state.widget(
        st.number_input, "epochs", "Epochs per run", 1, MAX_EPOCHS, key="sw_epochs", step=50
    )

st.title(":material/tune: Learning-rate sweep")
state.show_notes("sweep")
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
rows = data.sweep_rows(
    choice.key, scale, tuple(float(r) for r in rates), int(epochs), choice.pixels
)
table = pd.DataFrame(rows)
reachable = table[np.isfinite(table["epochs_to_1pct"])]
suggested = None
if len(reachable):
    best_row = reachable.sort_values(["epochs_to_1pct", "lr"]).iloc[0]
    suggested = float(best_row["lr"])

c = st.columns(4)
c[0].metric("critical rate 2/λmax", f"{th.critical_lr:.4g}")
c[1].metric("best rate 2/(λmin+λmax)", f"{th.optimal_lr:.4g}")
c[2].metric(
    "suggested from this grid",
    f"{suggested:.4g}" if suggested else "none",
    help="The grid rate that gets within 1% of E* in the fewest epochs.",
)
counts = table["verdict"].value_counts()
c[3].metric(
    "good rates in the grid",
    f"{counts.get('good', 0)} of {len(table)}",
    help=" · ".join(f"{counts.get(v, 0)} {v}" for v in gdcore.diagnosis.VERDICTS),
)

PANELS = [
    (
        "final_error",
        "final error (½·mean squared, log scale)",
        f"Error after {epochs:,} epochs",
        "their error blew up (or is exactly 0)",
    ),
    (
        "epochs_to_1pct",
        "epochs to get within 1% of E* (log scale)",
        "Epochs to get within 1% of E* (exact, from theory)",
        "they never get there (they diverge), or start there",
    ),
]
for column, y_title, title, why in PANELS:  # stacked: both charts at full width
    shown, hidden = charts.for_log(table, column)
    chart = charts.sweep_chart(shown, column, y_title, th.critical_lr, th.optimal_lr, suggested)
    st.altair_chart(chart.properties(title=title), width="stretch")
    if hidden:
        st.caption(f"{hidden} rates are not drawn: {why}.")
st.markdown(
    f"Left of the **best rate {th.optimal_lr:.4g}** the steps are too timid and the count of epochs climbs; "
    f"right of the **critical rate {th.critical_lr:.4g}** every step overshoots by more than it gains and the error "
    "explodes. In between, the weights zig-zag across the valley but still settle."
)

st.subheader("Every rate")
st.dataframe(
    table.style.apply(
        lambda col: [f"color: {charts.VERDICT_COLOURS[v]}; font-weight: 600" for v in col],
        subset=["verdict"],
    ).format(
        {
            "lr": "{:.4g}",
            "final_error": "{:.6g}",
            "epochs_to_1pct": lambda v: "never" if not np.isfinite(v) else f"{int(v):,}",
        }
    ),
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
written = state.publish(PARAMS)
widgets.share_box("Learning_rate_sweep", written)
