"""Compare learning rates: several rates, optionally several images, one chart."""

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from ui import charts, data, state, widgets
from ui.params import COMPARE as PARAMS
from ui.params import COMPARE_IMAGES as MAX_IMAGES
from ui.params import COMPARE_RATES as MAX_RATES
from ui.params import MAX_EPOCHS

widgets.page_setup("Compare learning rates", "compare", PARAMS)
choice = widgets.image_picker()
scale = st.session_state["scale"]
_, th = data.bowl(choice.key, scale, choice.pixels)
auto = gdcore.three_rates(th)

with st.sidebar:
    st.markdown("#### Runs")
    text = state.widget(
        st.text_input,
        "rates",
        f"Learning rates (up to {MAX_RATES}, commas between)",
        key="cmp_rates",
        placeholder=", ".join(f"{r:g}" for r in auto),
        help="Leave empty for three rates chosen from the image's theory: too small, good, too large.",
    )
    also = state.widget(
        st.multiselect,
        "also",
        "Also run on these built-in images",
        [n for n in gdcore.BUILTINS],
        key="cmp_also",
        max_selections=MAX_IMAGES - 1,
        help="The same rates on other images, at the same size and scale.",
    )
    epochs = state.widget(
        st.number_input, "epochs", "Epochs", 1, MAX_EPOCHS, key="cmp_epochs", step=50
    )

st.title(":material/stacked_line_chart: Compare learning rates")
state.show_notes("compare")
rates, problem = list(auto), None
if text.strip():
    try:
        rates = [float(v) for v in gdcore.check_rates(gdcore.parse_numbers(text))]
        if len(rates) > MAX_RATES:
            raise ValueError(f"lr: give at most {MAX_RATES} learning rates, got {len(rates)}.")
    except ValueError as exc:
        problem = str(exc)
        rates = list(auto)
if problem:
    st.error(
        f"The rates could not be used ({problem}) — showing the theory's three rates instead.",
        icon=":material/block:",
    )
elif not text.strip():
    st.caption(
        f"Rates chosen from this image's theory: {auto[0]:g} (a hundredth of the best rate), "
        f"{auto[1]:g} (half the critical rate) and {auto[2]:g} (1.5× the critical rate 2/λmax = {th.critical_lr:.4g})."
    )

images = [choice] + [
    data.builtin_choice(n, st.session_state["size"]) for n in also if n != choice.key[1]
]
labels, curves, rows, marks = [], [], [], []
for img in images:
    errs, diverged, verdicts = data.compare_runs(
        img.key, scale, tuple(rates), int(epochs), img.pixels
    )
    short = img.label.split(" (")[0]
    for i, lr in enumerate(rates):
        label = f"{short} · {lr:g}" if len(images) > 1 else f"rate {lr:g}"
        labels.append(label)
        curves.append(errs[i])
        rows.append({"image": short, **verdicts[i]})
        div = int(diverged[i])
        if div > 0:
            marks.append(
                {
                    "run": label,
                    "epoch": div - 1,
                    "error": errs[i, div - 1],
                    "label": f"diverged at epoch {div}",
                }
            )

errors = np.array(curves)
log = state.widget(st.toggle, "log", "Log scale for the error", key="cmp_log")
df = charts.curves_frame(labels, errors)
hidden = int((~(np.isfinite(df["error"]) & (df["error"] > 0))).sum()) if log else 0
one_image = len(images) == 1
st.altair_chart(
    charts.error_curves(
        df,
        log=log,
        error_star=th.error_star if one_image else None,
        diverged=pd.DataFrame(marks) if marks else None,
        title="Error over epochs, one line per run",
        colour_title="run",
        y_cap=charts.view_cap(errors),
    ),
    width="stretch",
)
notes = []
if hidden:
    notes.append(
        f"{hidden} points are not drawn on the log axis (NaN after a blow-up, or exactly 0)"
    )
if np.nanmax(errors) > charts.view_cap(errors):
    notes.append(
        "the chart is cut at 10× the largest starting error; the tables below hold every value"
    )
if not one_image:
    notes.append("the dashed E* line is left out: each image has its own lowest error")
if notes:
    st.caption("Note: " + "; ".join(notes) + ".")

st.subheader("Verdicts")
verdicts = pd.DataFrame(rows)
st.dataframe(
    verdicts.style.apply(
        lambda col: [f"color: {charts.VERDICT_COLOURS[v]}; font-weight: 600" for v in col],
        subset=["verdict"],
    ).format({"rate": "{:g}", "final error": "{:.6g}"}),
    hide_index=True,
    width="stretch",
    column_config={"reason": st.column_config.TextColumn(width="large")},
)

st.subheader("The error table")
table = pd.DataFrame(errors.T, columns=labels)
table.insert(0, "epoch", np.arange(errors.shape[1]))
st.dataframe(table, hide_index=True, width="stretch", height=260)
st.download_button(
    "⬇ Download the error table (CSV)",
    lambda: table.to_csv(index=False).encode(),  # built when clicked, not on every run
    file_name="errors.csv",
    mime="text/csv",
    key="cmp_download",
)
st.caption(
    f"Every epoch of every run: {errors.shape[1]:,} rows × {len(labels)} runs. Empty cells: the run had blown up."
)
written = state.publish(PARAMS)
widgets.share_box("Compare_learning_rates", written)
