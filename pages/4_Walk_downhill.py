"""Walk downhill: the lesson's bowl, with the steps of descent drawn on it."""

import streamlit as st

from ui import controls, image, urlstate, walks, widgets
from ui.controls import action, control
from ui.fields import WALK_PAIRS
from ui.page_run import page_run

QUICK = (("Timid steps: 0.1×", 0.1), ("Zig-zag: 0.9×", 0.9), ("Too far: 1.05×", 1.05))

with page_run("walk") as page:
    choice, _, bowl, theory = image.picked_bowl()
    with st.sidebar:
        beta = float(
            control(
                st.number_input,
                page.field("momentum"),
                "Momentum β of a heavy ball (0 = none)",
                step=0.1,
                format=controls.BETA_FORMAT,
            )
        )
        action(
            st.button,
            page.field("momentum"),
            "Heavy ball: β = 0.9",
            set_to=0.9,
            key="wk_heavy",
            width="stretch",
        )
        epochs = int(control(st.number_input, page.field("epochs"), "Epochs", step=5))
        at = widgets.epoch_slider(page.field("at"), "Show the steps up to epoch", epochs)

    # The rate beside the pictures: a multiple of each picture's own edge rate.
    rate_column, *quick = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    speed = float(
        control(
            rate_column.number_input,
            page.field("speed"),
            "Rate, as a multiple of the edge rate",
            format="%.3g",
            step=0.05,
        )
    )
    for col, (label, v) in zip(quick, QUICK, strict=True):
        action(
            col.button, page.field("speed"), label, set_to=v, key=f"wk_quick_{v}", width="stretch"
        )

    left, right = st.columns(2, gap="large")
    with left:
        name = control(st.radio, page.field("weight"), "One weight", horizontal=True)
        walks.one_weight(bowl, theory, walks.WEIGHT_NAMES.index(name), speed, at)
    with right:
        pair = control(st.radio, page.field("pair"), "Two weights", horizontal=True)
        walks.two_weights(bowl, theory, *WALK_PAIRS[pair], speed, at)

    if beta > 0:
        st.subheader("The heavy ball beside plain steps")
        walks.walk_beside(bowl, theory, *WALK_PAIRS[pair], speed, at, beta)

    st.caption(
        "The error is a bowl. Here only the chosen weights learn, starting from 0 as in the lesson; "
        "the others stay at their best values, so every step lands exactly on the picture."
    )
    st.caption(
        "Darker means lower error (colour is E − E*, on a log scale). "
        "Try the three quick buttons, and the standard scale: it makes the bowl round."
    )
    written = urlstate.publish(page, at=-1 if at == epochs else at)
    widgets.share_box(page, written)
