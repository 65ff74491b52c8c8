"""Compare learning rates: several rates, optionally several images, one chart."""

import streamlit as st

from ui import compare_views, image, run_table, urlstate, widgets
from ui.controls import control
from ui.page_run import page_run

with page_run("compare") as page:
    choice, scale, _, theory = image.picked_bowl()

    with st.sidebar:
        st.markdown("#### Runs")
        typed = control(
            st.text_input,
            page.field("rates"),
            f"Learning rates (up to {compare_views.most_rates(page.field('rates'))}, commas between)",
            placeholder=", ".join(f"{r:g}" for r in compare_views.three_rates(theory)),
        )
        also = control(st.multiselect, page.field("also"), "Also run on these built-in images")
        epochs = control(st.number_input, page.field("epochs"), "Epochs", step=50)
        extra = run_table.edit(page.field("runs"), theory)

    rates = compare_views.rates_to_run(page.field("rates"), typed, theory)
    # A run given twice is drawn once; runs that differ past the sixth digit keep labels
    # with the digits that tell them apart.
    plan = compare_views.runs_once(choice, also, rates, extra)
    runs = compare_views.run_all(plan, scale, epochs)
    axis = control(st.radio, page.field("axis"), "Error axis", horizontal=True)
    compare_views.chart(runs, axis, theory, one_image=len(plan.images) == 1)
    compare_views.tables(runs)
    widgets.share_box(page, urlstate.publish(page))
