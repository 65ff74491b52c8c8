"""Learning-rate sweep: a log grid of rates, each run and judged."""

import streamlit as st

from ui import image, sweep_views, text, urlstate, widgets
from ui.controls import control
from ui.page_run import page_run

with page_run("sweep") as page:
    choice, scale, bowl, theory = image.picked_bowl()
    auto_from, auto_to = sweep_views.rate_range(theory)

    with st.sidebar:
        st.markdown("#### Sweep")
        lo, hi = (
            control(
                st.number_input,
                page.field(url),
                label,
                format="%.4g",
                placeholder=f"{auto:g} (from theory)",
                step=None,
            )
            for url, label, auto in (
                ("from", "Smallest rate", auto_from),
                ("to", "Largest rate", auto_to),
            )
        )
        points = control(st.slider, page.field("points"), "Number of rates (log-spaced)")
        epochs = control(st.number_input, page.field("epochs"), "Epochs per run", step=50)

    lo = auto_from if lo is None else lo
    hi = auto_to if hi is None else hi
    if lo >= hi:
        st.error(
            f"The smallest rate ({lo:g}) must be below the largest ({hi:g}); showing the range from theory.",
            icon=":material/block:",
        )
        lo, hi = auto_from, auto_to
    st.caption(
        f"{points} rates from {lo:g} to {hi:g}, evenly spaced on a log scale, each run for {epochs:,} epochs "
        "from zero weights (full batch). Empty range fields use a range from the image's theory."
    )
    table = sweep_views.judged_grid(choice, scale, lo, hi, points, epochs)
    sweep_views.numbers_and_panels(bowl, theory, table, epochs)

    st.subheader("Rate × momentum: where the heavy ball settles")
    st.caption(text.HEAVY_BALL)
    sweep_views.momentum_map(choice, scale, epochs, theory)

    st.subheader("Every rate")
    sweep_views.every_rate(table)
    written = urlstate.publish(page)
    widgets.share_box(page, written)
