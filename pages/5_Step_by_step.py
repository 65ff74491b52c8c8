"""Step by step: every number of gradient descent, first on one weight, then three."""

import inspect

import numpy as np
import pandas as pd
import streamlit as st

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from gdcore.descent import model, textbook
from gdcore.params import Range
from ui import charts, image, rate, text, urlstate, widgets
from ui.controls import action, control
from ui.page_run import page_run

with page_run("step") as page:
    STEPS = page.field("steps")
    BUTTONS = (("Step", 1, "play_arrow", "st_step"), ("10 steps", 10, "fast_forward", "st_step10"))
    HISTORY = ["step", "weight", "prediction", "difference", "error", "slope", "new_weight"]
    LABELS = {"error": "error (½·squared)", "new_weight": "new weight"}

    def _step(n: int) -> None:
        rule = STEPS.param.rule
        assert isinstance(rule, Range)
        lo, hi = rule.lo, rule.hi
        st.session_state[STEPS.key] = int(min(hi, max(lo, st.session_state[STEPS.key] + n)))

    st.markdown(
        "**One weight:** `prediction = weight × 2`, true answer 10, so the right weight is 5."
    )
    lr = rate.rate_control(page.field("lr"), step=0.01)  # the rate first, as on every page
    c1, c3 = st.columns([1, 2], vertical_alignment="bottom")
    w_start = control(c1.number_input, page.field("w"), "Starting weight", format="%.6g", step=0.5)
    b = c3.columns(3)
    for col, (label, n, icon, key) in zip(b[:2], BUTTONS, strict=True):
        kind = "primary" if n == 1 else "secondary"
        look = {"type": kind, "key": key, "width": "stretch", "icon": f":material/{icon}:"}
        action(col.button, STEPS, label, on_click=_step, args=(n,), **look)
    look = {"key": "st_reset", "width": "stretch", "icon": ":material/restart_alt:"}
    action(b[2].button, STEPS, "Reset", set_to=STEPS.default, **look)

    walk = model.one_weight_walk(float(w_start), lr, int(st.session_state[STEPS.key]))
    now, done = walk.last, len(walk.steps) - 1
    hist = pd.DataFrame(walk.steps).rename_axis("step").reset_index()
    widgets.draw(
        charts.simple_curve,
        hist["error"].to_numpy(),
        "Error after each step",
        x_title="step",
        height=260,
    )
    st.markdown(f"#### After {done} step{'s' if done != 1 else ''}: weight = {now.weight:.6g}")
    m = st.columns(5)
    m[0].metric("prediction = weight × 2", widgets.short_number(now.prediction))
    m[1].metric("difference = 10 − prediction", widgets.short_number(now.difference))
    m[2].metric(
        "squared error",
        widgets.short_number(now.squared_error),
        help="The error used here is half of it.",
    )
    slope_help = "−difference × input: how the error changes as the weight goes up."
    m[3].metric("slope", widgets.short_number(now.slope), help=slope_help)
    m[4].metric("next weight", widgets.short_number(now.new_weight))
    direction = {
        -1: "up (the slope is negative)",
        0: "nowhere: the slope is 0, this is the bottom",
        1: "down (the slope is positive)",
    }[int(np.sign(now.slope))]
    st.markdown(
        f"The update: **new weight = old weight − rate × slope = {now.weight:.6g} − {lr:g} × "
        f"({now.slope:.6g}) = {now.new_weight:.6g}**. The weight moves {direction}."
    )
    widgets.slope_sign_table(now.slope)
    curvature, crit = model.one_weight_curvature(now.input), model.one_weight_critical_lr(now.input)
    if lr > crit:  # only then can the walk overflow
        k = walk.overflow_step
        end = (
            "Keep stepping and the numbers outgrow a float."
            if k is None
            else f"At step {k} they pass the largest a float holds (about 1.8e308): the walk stops there."
        )
        (st.warning if k is None else st.error)(
            f"**It explodes.** Rate {lr:g} is {text.times(lr / crit)} the edge rate {crit:g}, so every "
            f"step overshoots 5 by more than the last and the numbers grow. {end}",
            icon=":material/warning:",
        )
    widgets.number_table(hist[HISTORY].iloc[::-1].head(50).rename(columns=LABELS))
    st.caption(
        f"This one-weight bowl has curvature input² = {curvature:g}, so its edge rate is 2/"
        f"{curvature:g} = {crit:g}: try 0.01 (the lesson's), {1 / curvature:g} (one step lands on 5) "
        "and 0.6 (it explodes)."
    )

    st.divider()
    st.markdown(
        "**Now three weights on your image.** Same loop, three slopes: each is the average of "
        "−difference × that weight's input."
    )
    choice = image.picker()
    table = image.table_for(choice, st.session_state["scale"])
    c1, c2 = st.columns(2)
    lr3 = control(
        c1.number_input, page.field("lr3"), "Learning rate for the image", format="%.6g", step=None
    )
    epoch = control(c2.slider, page.field("epoch3"), "Show epoch")
    ep = textbook.epoch_detail(table.design_matrix(), table.target_vector(), float(lr3), int(epoch))
    w, g, new = ep.weights, ep.slopes, ep.new_weights
    columns = ["1", "x", "y", "brightness", "predicted", "difference", "−diff × x", "−diff × y"]
    rows = np.column_stack([ep.inputs, ep.targets, ep.predicted, ep.difference, ep.shares[:, 1:]])
    st.markdown(
        f"Epoch {epoch}, weights before the step: w0 = {w[0]:.6g}, w1 = {w[1]:.6g}, "
        f"w2 = {w[2]:.6g}. The first {len(rows)} of {ep.n:,} pixels:"
    )
    widgets.number_table(pd.DataFrame(rows, columns=columns))
    st.markdown(text.epoch_bullets(ep, float(lr3)))
    with st.expander(
        "The loop as code (gdcore/textbook.py, the reference every test checks against)"
    ):
        st.code(inspect.getsource(textbook.descend), language="python")

    st.divider()
    st.subheader("Check yourself")
    widgets.quiz(text.step_quiz(), "st_q")

    widgets.share_box(page, urlstate.publish(page))
