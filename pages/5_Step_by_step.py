"""Step by step: every number of gradient descent, first on one weight, then three."""

import inspect

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from gdcore import model, textbook
from ui import charts, data, urlstate, widgets
from ui.controls import action, control

page = widgets.page_setup("step")
f = {fl.url: fl for fl in page.fields}
STEPS = f["steps"]
BUTTONS = (("Step", 1, "play_arrow", "st_step"), ("10 steps", 10, "fast_forward", "st_step10"))
HISTORY = ["step", "weight", "prediction", "difference", "error", "slope", "new_weight"]
LABELS = {"error": "error (½·squared)", "new_weight": "new weight"}


def number_table(df: pd.DataFrame) -> None:
    """Every number whole, sign and all, at six significant digits, as right-aligned text:
    the grid's number columns refuse numbers past 2**53, which an exploding walk passes."""
    right = {c: st.column_config.TextColumn(LABELS.get(c, c), alignment="right") for c in df}
    st.dataframe(df.map(lambda v: f"{v:.6g}"), hide_index=True, column_config=right)


def short(v: float) -> str:
    """A metric's value: six digits, three once it is huge, so it fits its column."""
    return f"{v:.6g}" if abs(v) < 1e6 else f"{v:.3g}"


def _step(n: int) -> None:
    lo, hi = STEPS.param.rule.lo, STEPS.param.rule.hi
    st.session_state[STEPS.key] = int(min(hi, max(lo, st.session_state[STEPS.key] + n)))


st.markdown(
    "**One weight first.** The model is `prediction = weight × input`, with one example: input **2**, "
    "true answer **10**. The right weight is 5, since 5 × 2 = 10."
)
c1, c2, c3 = st.columns([1, 1, 2])
w_start = control(c1.number_input, f["w"], "Starting weight", format="%.6g", step=0.5)
lr = float(control(c2.number_input, f["lr"], "Learning rate", format="%.6g", step=0.01))
b = c3.columns(3)
for col, (label, n, icon, key) in zip(b[:2], BUTTONS, strict=True):
    kind = "primary" if n == 1 else "secondary"
    look = {"type": kind, "key": key, "width": "stretch", "icon": f":material/{icon}:"}
    action(col.button, STEPS, label, on_click=_step, args=(n,), **look)
look = {"key": "st_reset", "width": "stretch", "icon": ":material/restart_alt:"}
action(b[2].button, STEPS, "Reset", set_to=STEPS.default, **look)

walk = model.one_weight_walk(float(w_start), lr, int(st.session_state[STEPS.key]))
now, done = walk.last, len(walk.steps) - 1
st.markdown(f"#### After {done} step{'s' if done != 1 else ''}: weight = {now.weight:.6g}")
m = st.columns(5)
m[0].metric("prediction = weight × 2", short(now.prediction))
m[1].metric("difference = 10 − prediction", short(now.difference))
m[2].metric("squared error", short(now.squared_error), help="The error used here is half of it.")
slope_help = "−difference × input: how the error changes as the weight goes up."
m[3].metric("slope", short(now.slope), help=slope_help)
m[4].metric("next weight", short(now.new_weight))
direction = {
    -1: "up (the slope is negative)",
    0: "nowhere: the slope is 0, this is the bottom",
    1: "down (the slope is positive)",
}[int(np.sign(now.slope))]
st.markdown(
    f"The update: **new weight = old weight − rate × slope = {now.weight:.6g} − {lr:g} × "
    f"({now.slope:.6g}) = {now.new_weight:.6g}**. The weight moves {direction}."
)
curvature, crit = model.one_weight_curvature(now.input), model.one_weight_critical_lr(now.input)
if lr > crit:  # only then can the walk overflow
    k = walk.overflow_step
    end = (
        "Keep stepping and the numbers outgrow a float."
        if k is None
        else f"At step {k} they pass the largest a float holds (about 1.8e308): the walk stops there."
    )
    (st.warning if k is None else st.error)(
        f"**It explodes.** Rate {lr:g} is {lr / crit:.3g}× the critical rate {crit:g}, so every "
        f"step overshoots 5 by more than the last and the numbers grow. {end}",
        icon=":material/warning:",
    )
hist = pd.DataFrame(walk.steps).rename_axis("step").reset_index()
number_table(hist[HISTORY].iloc[::-1].head(50))
chart = charts.simple_curve(
    hist["error"].to_numpy(), "Error after each step", x_title="step", height=260
)
st.altair_chart(chart, width="stretch")
st.caption(
    f"This one-weight bowl has curvature input² = {curvature:g}, so its critical rate is 2/"
    f"{curvature:g} = {crit:g}: try 0.01 (the lesson's), {1 / curvature:g} (one step lands on 5) "
    "and 0.6 (it explodes)."
)

st.divider()
st.markdown(
    "**Now three weights on your image.** Same loop, three slopes: each is the average of "
    "−difference × that weight's input."
)
choice = widgets.image_picker()
table = data.table_for(choice, st.session_state["scale"])
c1, c2 = st.columns(2)
lr3 = control(c1.number_input, f["lr3"], "Learning rate for the image", format="%.6g", step=None)
epoch = control(c2.slider, f["epoch3"], "Show epoch")
ep = textbook.epoch_detail(table.design_matrix(), table.target_vector(), float(lr3), int(epoch))
w, g, new = ep.weights, ep.slopes, ep.new_weights
columns = ["1", "x", "y", "brightness", "predicted", "difference", "−diff × x", "−diff × y"]
rows = np.column_stack([ep.inputs, ep.targets, ep.predicted, ep.difference, ep.shares[:, 1:]])
st.markdown(
    f"Epoch {epoch}, weights before the step: w0 = {w[0]:.6g}, w1 = {w[1]:.6g}, "
    f"w2 = {w[2]:.6g}. The first {len(rows)} of {ep.n:,} pixels:"
)
number_table(pd.DataFrame(rows, columns=columns))
st.markdown(
    f"- **Error** = ½ · mean(difference²) over all {ep.n:,} pixels = **{ep.error:.6g}**\n"
    f"- **Slopes**: w0: mean(−difference) = **{g[0]:.6g}**; w1: mean(−difference × x) = "
    f"**{g[1]:.6g}**; w2: mean(−difference × y) = **{g[2]:.6g}**\n"
    f"- **Updates** (rate {lr3:g}): w0 → {w[0]:.6g} − {lr3:g} × ({g[0]:.6g}) = **{new[0]:.6g}**; "
    f"w1 → **{new[1]:.6g}**; w2 → **{new[2]:.6g}**"
)
with st.expander("The loop as code (gdcore/textbook.py, the reference every test checks against)"):
    st.code(inspect.getsource(textbook.descend), language="python")

st.divider()
st.subheader("Check yourself")
lesson, s5 = gdcore.diagnose_curve([2.0, 0.1, 5.0, 20.0]), gdcore.one_weight_step(5.0, 0.01)
QUIZ = (  # question, options, the right one, then what a right and a wrong answer hear
    (
        "1. The slope is negative. Should the weight go up or down?",
        ["up", "down"],
        "up",
        "Right: a negative slope means the error falls as the weight rises, so step up. The minus in the update does it: 1 − 0.01 × (−16) = 1.16.",
        "Not quite: a negative slope means the error *falls* as the weight rises. Going down would climb the bowl.",
    ),
    (
        "2. Over four steps the error went 2.0 → 0.1 → 5.0 → 20. What happened?",
        ["the rate is too small", "the rate is too large", "the rate is good"],
        f"the rate is {lesson.verdict}",
        f"Right: {lesson.reason} Each step jumped past the bottom and landed higher up the other side.",
        f"Look again: {lesson.reason} A too-small rate crawls; it never climbs like this.",
    ),
    (
        "3. At weight 5 the slope is 0. What will a step do?",
        ["move up", "move down", "stay at 5"],
        "stay at 5",
        f"Right: the slope is {s5.slope:g}, so the new weight is 5 − rate × 0 = {s5.new_weight:g}. This is the bottom.",
        f"Not quite: with slope {s5.slope:g} the update changes nothing; the weight stays at {s5.new_weight:g}.",
    ),
)
for i, (question, options, correct, yes, no) in enumerate(QUIZ, start=1):
    answer = st.radio(question, options, index=None, key=f"st_q{i}")
    if answer == correct:
        st.success(yes)
    elif answer is not None:
        st.error(no)

widgets.share_box(page, urlstate.publish(page))
