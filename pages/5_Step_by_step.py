"""Step by step: every number of gradient descent, first on one weight, then three."""

import streamlit as st

from ui import image, rate, steps, text, urlstate, widgets
from ui.controls import control
from ui.page_run import page_run

with page_run("step") as page:
    st.markdown(
        "**One weight:** `prediction = weight × 2`, true answer 10, so the right weight is 5."
    )
    lr = rate.rate_control(page.field("lr"), step=0.01)  # the rate first, as on every page
    start_box, buttons = st.columns([1, 2], vertical_alignment="bottom")
    w_start = control(
        start_box.number_input, page.field("w"), "Starting weight", format="%.6g", step=0.5
    )
    steps.step_buttons(page.field("steps"), buttons.columns(3))
    steps.one_weight(float(w_start), lr, int(st.session_state[page.field("steps").key]))

    st.divider()
    st.markdown(
        "**Now three weights on your image.** Same loop, three slopes: each is the average of "
        "−difference × that weight's input."
    )
    choice = image.picker()
    table = image.table_for(choice, st.session_state["scale"])
    rate_box, epoch_box = st.columns(2)
    lr3 = control(
        rate_box.number_input,
        page.field("lr3"),
        "Learning rate for the image",
        format="%.6g",
        step=None,
    )
    epoch = control(epoch_box.slider, page.field("epoch3"), "Show epoch")
    steps.three_weights(table, float(lr3), int(epoch))

    st.divider()
    st.subheader("Check yourself")
    widgets.quiz(text.step_quiz(), "st_q")

    widgets.share_box(page, urlstate.publish(page))
