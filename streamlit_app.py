"""Explore one learning rate: the entry page of the dashboard."""

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from ui import charts, data, state, widgets
from ui.params import EXPLORE as PARAMS
from ui.params import MAX_EPOCHS

MINIBATCH_WORK = 4_000_000  # mini-batch runs touch every pixel every epoch: cap pixels x epochs
LR_GRID = [m * 10.0**e for e in range(-6, 3) for m in (1, 2, 5)]


widgets.page_setup("Explore one rate", "explore", PARAMS)


def _nearest(lr: float) -> float:
    return min(LR_GRID, key=lambda g: abs(np.log10(g) - np.log10(lr)))


def _from_slider() -> None:
    st.session_state["ex_lr"] = st.session_state["ex_lr_pick"]


def _use(lr: float) -> None:
    st.session_state["ex_lr"] = float(f"{lr:.4g}")


choice = widgets.image_picker()
with st.sidebar:
    st.markdown("#### Learning rate")
    st.session_state["ex_lr_pick"] = _nearest(st.session_state["ex_lr"])
    state.widget(
        st.select_slider,
        "lr",
        "Learning rate (log scale)",
        LR_GRID,
        key="ex_lr_pick",
        format_func=lambda v: f"{v:g}",
        on_change=_from_slider,
    )
    lr = state.widget(
        st.number_input,
        "lr",
        "…or type it",
        min_value=1e-12,
        max_value=1e6,
        key="ex_lr",
        format="%.6g",
        step=None,
    )
    epochs = state.widget(
        st.number_input, "epochs", "Epochs", 1, MAX_EPOCHS, key="ex_epochs", step=50
    )
    init = state.widget(
        st.radio,
        "init",
        "Starting weights",
        ["zero", "random"],
        key="ex_init",
        horizontal=True,
        help="zero, as in the lesson, or small random values from the seed",
    )
    with st.expander("Advanced"):
        batch = state.widget(
            st.number_input,
            "batch",
            "Batch size (0 = the whole image)",
            0,
            10**7,
            key="ex_batch",
            help="Pixels per step. Batches are shuffled every epoch from the seed.",
        )
        seed = state.widget(st.number_input, "seed", "Seed", 0, 1_000_000, key="ex_seed")

st.title(":material/search: Explore one learning rate")
state.show_notes("explore")
st.caption(
    "Gradient descent fits `predicted brightness = w0 + w1·x + w2·y` to every pixel. "
    "Pick a learning rate in the sidebar and watch the error fall, crawl or explode."
)
with st.expander(
    "Image gallery: pick a built-in image", expanded=False, icon=":material/photo_library:"
):
    widgets.thumbnails()

table = data.table_for(choice, st.session_state["scale"])
bowl, th = data.bowl(choice.key, table.scale, choice.pixels)
n = table.n
notes = []
if batch >= n:
    notes.append(
        f"batch size {batch:,} is at least the image's {n:,} pixels, so each step uses the whole image"
    )
    batch = 0
if batch and n * epochs > MINIBATCH_WORK:
    capped = max(1, MINIBATCH_WORK // n)
    notes.append(
        f"mini-batch runs are capped at {capped:,} epochs for a {n:,}-pixel image (to stay quick)"
    )
    epochs = capped
result = data.descend(
    choice.key, table.scale, (float(lr),), int(epochs), init, int(seed), int(batch), choice.pixels
)
errors, weights = result.errors[0], result.weights[0]
w0 = weights[0]
diag = gdcore.diagnose_run(errors, float(lr), th, w0, full_batch=batch == 0)

left, right = st.columns([3, 2], gap="large")
with left:
    widgets.verdict_card(diag, float(lr))
    if diag.suggested_lr is not None and not np.isclose(diag.suggested_lr, lr, rtol=1e-3):
        st.button(
            f"Try the suggested rate {diag.suggested_lr:.4g}",
            on_click=_use,
            args=(diag.suggested_lr,),
            type="primary",
            key="ex_use_suggestion",
            disabled=state.locked("lr"),
        )
    for note in notes:
        st.caption(f"Note: {note}.")
    log = state.widget(st.toggle, "log", "Log scale for the error", key="ex_log")
    df = charts.curves_frame([f"rate {lr:g}"], errors[None, :])
    hidden = 0
    if log:
        hidden = int((~(np.isfinite(df["error"]) & (df["error"] > 0))).sum())
    div_epoch = int(result.diverged_epoch[0])
    marks = None
    if div_epoch > 0:
        marks = pd.DataFrame(
            {
                "run": [f"rate {lr:g}"],
                "epoch": [div_epoch - 1],
                "error": [errors[div_epoch - 1]],
                "label": [f"diverged at epoch {div_epoch}"],
            }
        )
    st.altair_chart(
        charts.error_curves(
            df,
            log=log,
            error_star=th.error_star,
            diverged=marks,
            title=f"Error over epochs at rate {lr:g}",
            y_cap=charts.view_cap(errors[None, :]),
        ),
        width="stretch",
    )
    if hidden:
        st.caption(
            f"{hidden} epochs are not drawn on the log axis (NaN after the blow-up, or an error of exactly 0)."
        )
    cap = charts.view_cap(errors[None, :])
    above = np.flatnonzero(np.nan_to_num(errors, nan=-1.0) > cap)
    if above.size:
        st.caption(
            f"From epoch {above[0]} the error is over 10× its start, above this chart; "
            "the weights below keep going."
        )
    st.altair_chart(
        charts.weights_chart(np.arange(len(errors)), weights, th.w_star), width="stretch"
    )

with right:
    last = int(result.last_epoch[0])
    if st.session_state["ex_at"] < 0 or st.session_state["ex_at"] > last:
        st.session_state["ex_at"] = last
    at = state.widget(
        st.slider,
        "at",
        "Show the prediction at epoch",
        0,
        max(last, 1),
        key="ex_at",
        disabled=last == 0,
    )
    at = min(at, last)
    pred = table.predicted_brightness(weights[at])
    c1, c2, c3 = st.columns(3)
    c1.image(data.brightness_to_rgb(choice.pixels), caption="your image", width="stretch")
    c2.image(data.brightness_to_rgb(pred), caption=f"prediction, epoch {at}", width="stretch")
    c3.image(
        data.residual_to_rgb(choice.pixels - pred),
        caption="residual: orange = too dark",
        width="stretch",
    )
    st.caption(
        f"{choice.label} · {n:,} pixels · at epoch {at}: w0 = {weights[at][0]:.4g}, "
        f"w1 = {weights[at][1]:.4g}, w2 = {weights[at][2]:.4g}, error = {errors[at]:.4g}"
    )

    st.subheader("What theory says about this image")
    widgets.theory_metrics(th, per_row=2)
    behaviour = gdcore.behaviour(th, float(lr))
    ratio = lr / th.critical_lr
    reach = gdcore.epochs_to_target(bowl, float(lr), w0)
    reach_text = (
        f"reaches within 1% of E* at epoch {reach:,}"
        if reach is not None
        else "never gets within 1% of E*"
    )
    st.markdown(
        f"- The error is a bowl in the three weights. Its steepest curvature λmax = {th.lambda_max:.4g} sets the "
        f"**critical rate 2/λmax = {th.critical_lr:.4g}**: any faster and each step overshoots by more than it gains.\n"
        f"- Its flattest curvature λmin = {th.lambda_min:.4g} sets how slowly the last stretch goes; the ratio "
        f"**κ = {'∞' if th.singular else f'{th.condition_number:.4g}'}** says how stretched the bowl is. "
        f"The **best constant rate {th.optimal_lr:.4g}** still leaves {th.optimal_factor:.3f} of the distance every epoch.\n"
        f"- Your rate {lr:g} is **{ratio:.3g}× the critical rate**: full-batch descent **{behaviour}** and {reach_text}.\n"
        f"- The lowest possible error is **E* = {th.error_star:.4g}**, at w* = ({th.w_star[0]:.4g}, {th.w_star[1]:.4g}, {th.w_star[2]:.4g})."
    )
    if th.singular:
        st.info(th.explanation)
    st.subheader("The pixel table")
    head = table.head(8)
    st.dataframe(
        pd.DataFrame(head, columns=["1", "x", "y", "brightness"]),
        hide_index=True,
        width="stretch",
    )
    st.caption(
        f"First 8 of {n:,} rows on the {table.scale} scale: each row is one pixel, `[1, x, y] → brightness`."
    )

written = state.publish(PARAMS[:-1])
if st.session_state["ex_at"] != last:
    written["at"] = str(st.session_state["ex_at"])
    st.query_params["at"] = written["at"]
elif "at" in st.query_params:
    del st.query_params["at"]
with left:
    widgets.share_box(
        "",
        written,
        "An uploaded image is not part of the link." if choice.key[0] == "upload" else "",
    )
