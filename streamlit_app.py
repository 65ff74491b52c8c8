"""Explore one learning rate: the entry page of the dashboard."""

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
import gdcore.pixels.table
from ui import (
    cached,
    charts,
    controls,
    edges,
    image,
    pictures,
    rate,
    text,
    urlstate,
    verdict,
    widgets,
)
from ui.controls import control
from ui.page_run import page_run

with page_run("explore") as page:
    f = {fl.url: fl for fl in page.fields}
    choice = image.picker()
    lr = rate.rate_control(f["lr"])  # the one knob, beside the curve
    with st.sidebar:
        with st.expander(
            "Run settings: epochs, start, batch, momentum", expanded=controls.any_set(page)
        ):
            epochs = control(st.number_input, f["epochs"], "Epochs", step=50)
            init = control(st.radio, f["init"], "Starting weights", horizontal=True)
            batch = control(st.number_input, f["batch"], "Batch size (0 = the whole image)")
            seed = control(st.number_input, f["seed"], "Seed")
            st.caption(text.HEAVY_BALL)
            knob, knob_problems = controls.advanced_controls(page)
        with st.expander("Start here: the lesson, page by page", icon=":material/map:"):
            widgets.start_here()
        with st.expander("Image gallery: pick a built-in image", icon=":material/photo_library:"):
            image.thumbnails()

    table = image.table_for(choice, st.session_state["scale"])
    bowl, th = cached.bowl(choice.key, table.scale, choice.pixels)
    batch, epochs, notes = controls.fit_batch(table.n, int(batch), int(epochs))
    for problem in knob_problems:
        st.warning(problem, icon=":material/block:")
    if knob.plain:
        result = cached.descend(
            choice.key, table.scale, (lr,), epochs, init, int(seed), batch, choice.pixels
        )
        diag = gdcore.diagnose_run(
            result.errors[0], lr, th, result.weights[0, 0], full_batch=batch == 0
        )
    else:
        result, diag = cached.judged_run(
            choice.key, table.scale, lr, epochs, init, int(seed), batch, knob, choice.pixels
        )
    errors, weights = result.errors[0], result.weights[0]

    left, right = st.columns([3, 2], gap="large")
    with left:
        verdict.card(diag, lr, gdcore.lesson_line(diag.verdict, errors, th.error_star))
        widgets.draw(
            charts.error_view,
            [f"rate {lr:g}"],
            errors[None, :],
            result.diverged_epoch,
            log=charts.AXES[st.session_state[f["axis"].key]],
            error_star=th.error_star,
            title=f"Error over epochs at rate {lr:g}",
            verdicts=[diag.verdict],
            notes=notes,
        )
        verdict.numbers(diag)
        verdict.rate_advice(
            f["lr"],
            f["scale"],
            diag.suggested_lr,
            lr,
            table.scale,
            bowl,
            weights[0],
            epochs,
            knob.plain,
        )
        control(st.radio, f["axis"], "Error axis", horizontal=True)
        if not knob.plain:
            widgets.draw(
                charts.rate_chart,
                edges.rates_used(lr, epochs, knob),
                edges.edges(th, knob),
                "The rate each epoch stepped with",
            )
        widgets.draw(charts.weights_chart, np.arange(len(errors)), weights, th.w_star)

    with right:
        last = int(result.last_epoch[0])
        at = widgets.epoch_slider(f["at"], "Show the prediction at epoch", last)
        pictures.prediction_pictures(choice, table.predicted_brightness(weights[at]), at)
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
            st.markdown(text.momentum_story(th, lr, knob, epochs))
        with st.expander("The maths behind this"):
            widgets.theory_metrics(th, fast, per_row=2)
            st.markdown(text.maths(th, table.scale))
            if not knob.plain:
                st.markdown(text.momentum_maths(th, knob))
        if not knob.plain and batch == 0:
            st.subheader("Each direction of the bowl")
            m = cached.directions(
                choice.key, table.scale, lr, epochs, init, int(seed), knob, choice.pixels
            )
            widgets.draw(
                charts.directions_chart, m.excess, m.eigenvalues, "The error along each direction"
            )
            st.markdown(text.directions_story(m, lr, knob))
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
