"""Explore one learning rate: the entry page of the dashboard."""

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from ui import charts, data, momentum, text, urlstate, widgets
from ui.controls import action, control

with widgets.page_run("explore") as page:
    f = {fl.url: fl for fl in page.fields}
    choice = widgets.image_picker()
    with st.sidebar:
        st.markdown("#### Learning rate")
        lr = float(control(st.number_input, f["lr"], "Learning rate", format="%.6g", step=None))
        epochs = control(st.number_input, f["epochs"], "Epochs", step=50)
        init = control(st.radio, f["init"], "Starting weights", horizontal=True)
        with st.expander("Advanced", expanded=momentum.any_set(f)):
            batch = control(st.number_input, f["batch"], "Batch size (0 = the whole image)")
            seed = control(st.number_input, f["seed"], "Seed")
            st.caption(momentum.HEAVY_BALL)
            knob, knob_problems = momentum.advanced_controls(f)

    st.caption(
        "Gradient descent fits `predicted brightness = w0 + w1·x + w2·y` to every pixel. "
        "Pick a learning rate in the sidebar and watch the error fall, crawl or explode."
    )
    with st.expander("Start here: the lesson, page by page", icon=":material/map:"):
        widgets.start_here()
    with st.expander("Image gallery: pick a built-in image", icon=":material/photo_library:"):
        widgets.thumbnails()

    table = data.table_for(choice, st.session_state["scale"])
    bowl, th = data.bowl(choice.key, table.scale, choice.pixels)
    batch, epochs, notes = data.fit_batch(table.n, int(batch), int(epochs))
    for problem in knob_problems:
        st.warning(problem, icon=":material/block:")
    if knob.plain:
        result = data.descend(
            choice.key, table.scale, (lr,), epochs, init, int(seed), batch, choice.pixels
        )
        diag = gdcore.diagnose_run(
            result.errors[0], lr, th, result.weights[0, 0], full_batch=batch == 0
        )
    else:
        result, diag = momentum.judged_run(
            choice.key, table.scale, lr, epochs, init, int(seed), batch, knob, choice.pixels
        )
    errors, weights = result.errors[0], result.weights[0]

    left, right = st.columns([3, 2], gap="large")
    with left:
        widgets.verdict_card(diag, lr)
        if diag.suggested_lr is not None and not np.isclose(diag.suggested_lr, lr, rtol=1e-3):
            action(
                st.button,
                f["lr"],
                f"Try the suggested rate {float(f'{diag.suggested_lr:.6g}'):g}",
                set_to=float(f"{diag.suggested_lr:.6g}"),
                type="primary",
                key="ex_use_suggestion",
            )
        if table.scale == "raw":  # the lesson's fix for a steep bowl, beside the verdict
            action(
                st.button, f["scale"], "Normalize: use the unit scale", set_to="unit", key="ex_unit"
            )
        axis = control(st.radio, f["axis"], "Error axis", horizontal=True)
        widgets.draw(
            charts.error_view,
            [f"rate {lr:g}"],
            errors[None, :],
            result.diverged_epoch,
            log=charts.AXES[axis],
            error_star=th.error_star,
            title=f"Error over epochs at rate {lr:g}",
            verdicts=[diag.verdict],
            notes=notes,
        )
        if not knob.plain:
            widgets.draw(
                charts.rate_chart,
                momentum.rates_used(lr, epochs, knob),
                momentum.edges(th, knob),
                "The rate each epoch stepped with",
            )
        widgets.draw(charts.weights_chart, np.arange(len(errors)), weights, th.w_star)

    with right:
        last = int(result.last_epoch[0])
        at = widgets.epoch_slider(f["at"], "Show the prediction at epoch", last)
        widgets.prediction_pictures(choice, table.predicted_brightness(weights[at]), at)
        w = weights[at]
        st.caption(
            f"{choice.label} · {table.n:,} pixels · at epoch {at}: w0 = {w[0]:.4g}, "
            f"w1 = {w[1]:.4g}, w2 = {w[2]:.4g}, error = {errors[at]:.4g}"
        )
        st.subheader("What the bowl says about your rate")
        reach = gdcore.epochs_to_target(bowl, lr, weights[0])
        fast = gdcore.fastest_rate(bowl, weights[0])
        if knob.plain:
            st.markdown(text.bowl_story(th, lr, reach, table.scale, fast.lr if fast else None))
        else:
            st.markdown(momentum.story(th, lr, knob, epochs))
        with st.expander("The maths behind this"):
            widgets.theory_metrics(th, fast, per_row=2)
            st.markdown(text.maths(th, table.scale))
            if not knob.plain:
                st.markdown(momentum.maths(th, knob))
        if not knob.plain and batch == 0:
            st.subheader("Each direction of the bowl")
            m = momentum.directions(
                choice.key, table.scale, lr, epochs, init, int(seed), knob, choice.pixels
            )
            widgets.draw(
                charts.directions_chart, m.excess, m.eigenvalues, "The error along each direction"
            )
            st.markdown(momentum.directions_story(m, lr, knob))
        if th.singular:
            st.info(th.explanation)
        st.subheader("The pixel table")
        st.dataframe(
            pd.DataFrame(table.head(8), columns=list(gdcore.pixels.table.COLUMNS)),
            hide_index=True,
            width="stretch",
        )
        st.caption(
            f"First 8 of {table.n:,} rows on the {table.scale} scale: each row is one pixel, "
            "`[1, x, y] → brightness`."
        )

    written = urlstate.publish(page, at=-1 if at == last else at)
    upload_note = "An uploaded image is not part of the link." if choice.key[0] == "upload" else ""
    with left:
        run = dict(lr=lr, epochs=epochs, init=init, seed=int(seed), batch_size=batch or None)
        widgets.code_downloads(choice, table.scale, optimizer=knob, **run)  # the run as a script
        widgets.share_box(page, written, upload_note)
