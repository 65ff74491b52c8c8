"""Step by step: every number of gradient descent, first on one weight, then three."""

import inspect

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from gdcore import textbook
from ui import charts, data, state, widgets
from ui.params import STEP as PARAMS
from ui.params import STEP_MAX as MAX_STEPS

widgets.page_setup("Step by step", "step", PARAMS)


def _step(n: int) -> None:
    st.session_state["st_steps"] = min(MAX_STEPS, max(0, st.session_state["st_steps"] + n))


def _reset() -> None:
    st.session_state["st_steps"] = 0


st.title(":material/calculate: Step by step")
state.show_notes("step")
st.markdown(
    "**One weight first.** The model is `prediction = weight × input`, with one example: input **2**, "
    "true answer **10**. The right weight is 5, since 5 × 2 = 10."
)
c1, c2, c3 = st.columns([1, 1, 2])
w_start = state.widget(
    c1.number_input, "w", "Starting weight", -1e6, 1e6, key="st_w", format="%.6g", step=0.5
)
lr = state.widget(
    c2.number_input, "lr", "Learning rate", 1e-9, 10.0, key="st_lr", format="%.6g", step=0.01
)
steps = int(st.session_state["st_steps"])
with c3:
    b1, b2, b3 = st.columns(3)
    state.widget(
        b1.button,
        "steps",
        "Step",
        on_click=_step,
        args=(1,),
        type="primary",
        key="st_step",
        width="stretch",
        icon=":material/play_arrow:",
    )
    state.widget(
        b2.button,
        "steps",
        "10 steps",
        on_click=_step,
        args=(10,),
        key="st_step10",
        width="stretch",
        icon=":material/fast_forward:",
    )
    state.widget(
        b3.button,
        "steps",
        "Reset",
        on_click=_reset,
        key="st_reset",
        width="stretch",
        icon=":material/restart_alt:",
    )

history = []
w = float(w_start)
with np.errstate(all="ignore"):
    for _ in range(steps + 1):
        s = gdcore.one_weight_step(w, float(lr))
        history.append(s)
        w = s.new_weight
now = history[-1]
st.markdown(f"#### After {steps} step{'s' if steps != 1 else ''}: weight = {now.weight:.6g}")
m = st.columns(5)
m[0].metric("prediction = weight × 2", f"{now.prediction:.6g}")
m[1].metric("difference = 10 − prediction", f"{now.difference:.6g}")
m[2].metric("squared error", f"{now.squared_error:.6g}", help="The error used here is half of it.")
m[3].metric(
    "slope",
    f"{now.slope:.6g}",
    help="−difference × input: how the error changes as the weight goes up.",
)
m[4].metric("next weight", f"{now.new_weight:.6g}")
direction = (
    "up (the slope is negative)"
    if now.slope < 0
    else "down (the slope is positive)"
    if now.slope > 0
    else "nowhere: the slope is 0, this is the bottom"
)
st.markdown(
    f"The update: **new weight = old weight − rate × slope = {now.weight:.6g} − {lr:g} × ({now.slope:.6g}) "
    f"= {now.new_weight:.6g}**. The weight moves {direction}."
)
if not np.isfinite(now.new_weight):
    st.error(
        "The weight has overflowed: this rate makes every step overshoot by more than the last.",
        icon=":material/warning:",
    )
hist = pd.DataFrame(
    {
        "step": range(len(history)),
        "weight": [h.weight for h in history],
        "prediction": [h.prediction for h in history],
        "difference": [h.difference for h in history],
        "error (½·squared)": [h.error for h in history],
        "slope": [h.slope for h in history],
        "new weight": [h.new_weight for h in history],
    }
)
left, right = st.columns([3, 2], gap="large")
left.dataframe(hist.iloc[::-1].head(50), hide_index=True, width="stretch")
right.altair_chart(
    charts.simple_curve(
        hist["error (½·squared)"].to_numpy(), "Error after each step", x_title="step"
    ),
    width="stretch",
)
crit = 2 / (2 * 2)  # curvature of ½(10 − 2w)² is input² = 4
st.caption(
    f"This one-weight bowl has curvature input² = 4, so its critical rate is 2/4 = {crit:g}: "
    "try 0.01 (the lesson's), 0.25 (one step lands on 5) and 0.6 (it explodes)."
)

st.divider()
st.markdown(
    "**Now three weights on your image.** Same loop, three slopes: each is the average of −difference × that weight's input."
)
choice = widgets.image_picker()
table = data.table_for(choice, st.session_state["scale"])
X, t = table.design_matrix(), table.target_vector()
c1, c2 = st.columns(2)
lr3 = state.widget(
    c1.number_input,
    "lr3",
    "Learning rate for the image",
    1e-9,
    1e6,
    key="st_lr3",
    format="%.6g",
    step=None,
)
epoch3 = state.widget(c2.slider, "epoch3", "Show epoch", 1, 5, key="st_epoch3")
w = np.zeros(3)
with np.errstate(all="ignore"):
    for _ in range(epoch3 - 1):
        w = w - lr3 * gdcore.slopes(X, t, w)
    pred = gdcore.predict(X, w)
    diff = t - pred
    err = gdcore.error(X, t, w)
    g = gdcore.slopes(X, t, w)
    new = w - lr3 * g
rows = pd.DataFrame(
    {
        "1": X[:6, 0],
        "x": X[:6, 1],
        "y": X[:6, 2],
        "brightness": t[:6],
        "predicted": pred[:6],
        "difference": diff[:6],
        "−diff × x": -diff[:6] * X[:6, 1],
        "−diff × y": -diff[:6] * X[:6, 2],
    }
)
st.markdown(
    f"Epoch {epoch3}, weights before the step: w0 = {w[0]:.6g}, w1 = {w[1]:.6g}, w2 = {w[2]:.6g}. The first six of {len(t):,} pixels:"
)
st.dataframe(rows, hide_index=True, width="stretch")
st.markdown(
    f"- **Error** = ½ · mean(difference²) over all {len(t):,} pixels = **{err:.6g}**\n"
    f"- **Slopes**: w0: mean(−difference) = **{g[0]:.6g}**; w1: mean(−difference × x) = **{g[1]:.6g}**; "
    f"w2: mean(−difference × y) = **{g[2]:.6g}**\n"
    f"- **Updates** (rate {lr3:g}): w0 → {w[0]:.6g} − {lr3:g} × ({g[0]:.6g}) = **{new[0]:.6g}**; "
    f"w1 → **{new[1]:.6g}**; w2 → **{new[2]:.6g}**"
)
with st.expander("The loop as code (gdcore/textbook.py, the reference every test checks against)"):
    st.code(inspect.getsource(textbook.descend), language="python")

st.divider()
st.subheader("Check yourself")
q1 = st.radio(
    "1. The slope is negative. Should the weight go up or down?",
    ["up", "down"],
    index=None,
    key="st_q1",
)
if q1 == "up":
    st.success(
        "Right: a negative slope means the error falls as the weight rises, so step up. The minus in the update does it: 1 − 0.01 × (−16) = 1.16."
    )
elif q1 == "down":
    st.error(
        "Not quite: a negative slope means the error *falls* as the weight rises. Going down would climb the bowl."
    )
q2 = st.radio(
    "2. Over four steps the error went 2.0 → 0.1 → 5.0 → 20. What happened?",
    ["the rate is too small", "the rate is too large", "the rate is good"],
    index=None,
    key="st_q2",
)
if q2 is not None:
    d = gdcore.diagnose_curve([2.0, 0.1, 5.0, 20.0])
    if q2.endswith(d.verdict):
        st.success(
            f"Right: {d.reason} Each step jumped past the bottom and landed higher up the other side."
        )
    else:
        st.error(f"Look again: {d.reason} A too-small rate crawls; it never climbs like this.")
q3 = st.radio(
    "3. At weight 5 the slope is 0. What will a step do?",
    ["move up", "move down", "stay at 5"],
    index=None,
    key="st_q3",
)
if q3 is not None:
    s5 = gdcore.one_weight_step(5.0, 0.01)
    if q3 == "stay at 5":
        st.success(
            f"Right: the slope is {s5.slope:g}, so the new weight is 5 − rate × 0 = {s5.new_weight:g}. This is the bottom."
        )
    else:
        st.error(
            f"Not quite: with slope {s5.slope:g} the update changes nothing; the weight stays at {s5.new_weight:g}."
        )

written = state.publish(PARAMS)
widgets.share_box("Step_by_step", written)
