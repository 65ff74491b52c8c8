"""Step by step in numbers: one weight's walk, step after step, then one epoch of three weights."""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from gdcore.descent import model, textbook
from gdcore.params import Range
from gdcore.pixels.table import PixelTable
from ui import charts, text, widgets
from ui.controls import action
from ui.fields import Field

BUTTONS = (("Step", 1, "play_arrow", "st_step"), ("10 steps", 10, "fast_forward", "st_step10"))
HISTORY = ["step", "weight", "prediction", "difference", "error", "slope", "new_weight"]
LABELS = {"error": "error (½·squared)", "new_weight": "new weight"}
DIRECTION = {
    -1: "up (the slope is negative)",
    0: "nowhere: the slope is 0, this is the bottom",
    1: "down (the slope is positive)",
}
"""Where the update moves the weight, by the sign of the slope."""


def _step(steps: Field, n: int) -> None:
    rule = steps.param.rule
    assert isinstance(rule, Range)
    st.session_state[steps.key] = int(min(rule.hi, max(rule.lo, st.session_state[steps.key] + n)))


def step_buttons(steps: Field, columns: Sequence[Any]) -> None:
    """Step, 10 steps and Reset, in three columns: each moves the ``steps`` field."""
    for col, (label, n, icon, key) in zip(columns[:2], BUTTONS, strict=True):
        kind = "primary" if n == 1 else "secondary"
        look = {"type": kind, "key": key, "width": "stretch", "icon": f":material/{icon}:"}
        action(col.button, steps, label, on_click=_step, args=(steps, n), **look)
    look = {"key": "st_reset", "width": "stretch", "icon": ":material/restart_alt:"}
    action(columns[2].button, steps, "Reset", set_to=steps.default, **look)


def one_weight(w_start: float, lr: float, steps: int) -> None:
    """The lesson's one-weight walk (input 2, true answer 10): its curve, the last step's
    numbers, the update in words, the slope-sign table and every step in a table."""
    walk = model.one_weight_walk(w_start, lr, steps)
    now, done = walk.last, len(walk.steps) - 1
    history = pd.DataFrame(walk.steps).rename_axis("step").reset_index()
    widgets.draw(
        charts.simple_curve,
        history["error"].to_numpy(),
        "Error after each step",
        x_title="step",
        height=260,
    )
    st.markdown(f"#### After {done} step{'s' if done != 1 else ''}: weight = {now.weight:.6g}")
    boxes = st.columns(5)
    boxes[0].metric("prediction = weight × 2", widgets.short_number(now.prediction))
    boxes[1].metric("difference = 10 − prediction", widgets.short_number(now.difference))
    boxes[2].metric(
        "squared error",
        widgets.short_number(now.squared_error),
        help="The error used here is half of it.",
    )
    slope_help = "−difference × input: how the error changes as the weight goes up."
    boxes[3].metric("slope", widgets.short_number(now.slope), help=slope_help)
    boxes[4].metric("next weight", widgets.short_number(now.new_weight))
    st.markdown(
        f"The update: **new weight = old weight − rate × slope = {now.weight:.6g} − {lr:g} × "
        f"({now.slope:.6g}) = {now.new_weight:.6g}**. The weight moves "
        f"{DIRECTION[int(np.sign(now.slope))]}."
    )
    widgets.slope_sign_table(now.slope)
    curvature, crit = model.one_weight_curvature(now.input), model.one_weight_critical_lr(now.input)
    if lr > crit:  # only then can the walk overflow
        overflow = walk.overflow_step
        end = (
            "Keep stepping and the numbers outgrow a float."
            if overflow is None
            else f"At step {overflow} they pass the largest a float holds (about 1.8e308): the walk stops there."
        )
        (st.warning if overflow is None else st.error)(
            f"**It explodes.** Rate {lr:g} is {text.times(lr / crit)} the edge rate {crit:g}, so every "
            f"step overshoots 5 by more than the last and the numbers grow. {end}",
            icon=":material/warning:",
        )
    widgets.number_table(history[HISTORY].iloc[::-1].head(50).rename(columns=LABELS))
    st.caption(
        f"This one-weight bowl has curvature input² = {curvature:g}, so its edge rate is 2/"
        f"{curvature:g} = {crit:g}: try 0.01 (the lesson's), {1 / curvature:g} (one step lands on 5) "
        "and 0.6 (it explodes)."
    )


def three_weights(table: PixelTable, lr: float, epoch: int) -> None:
    """One epoch of the three-weight loop on the image: the first pixels' numbers, the slopes
    and updates in words, and the textbook loop's own code."""
    detail = textbook.epoch_detail(table.design_matrix(), table.target_vector(), lr, epoch)
    weights = detail.weights
    columns = ["1", "x", "y", "brightness", "predicted", "difference", "−diff × x", "−diff × y"]
    rows = np.column_stack(
        [detail.inputs, detail.targets, detail.predicted, detail.difference, detail.shares[:, 1:]]
    )
    st.markdown(
        f"Epoch {epoch}, weights before the step: w0 = {weights[0]:.6g}, w1 = {weights[1]:.6g}, "
        f"w2 = {weights[2]:.6g}. The first {len(rows)} of {detail.n:,} pixels:"
    )
    widgets.number_table(pd.DataFrame(rows, columns=columns))
    st.markdown(text.epoch_bullets(detail, lr))
    with st.expander(
        "The loop as code (gdcore/textbook.py, the reference every test checks against)"
    ):
        st.code(inspect.getsource(textbook.descend), language="python")
