"""Explore one learning rate: the entry page of the dashboard.

The sidebar holds the image and the run's settings. The main area reads as the lesson does:
the rate beside the curve, the verdict in the lesson's words, the chart, then the numbers and
the pictures; why (the bowl's story), the maths, the weights, the pixel table, the code and
the link open on a click. A new rate reruns the main area alone, and sends its curve first
(``ui.explore``).
"""

import streamlit as st

from ui import explore, explore_why
from ui.page_run import page_run
from ui.registry import Page


@explore.rerun_alone
def main_area(page: Page, setup: explore.Setup) -> None:
    run = explore.run_at(setup, explore.rate_now(page, setup))
    # Laid out top to bottom, sent curve first: a new rate's curve goes out alone, then the
    # heavy work of the rest, then the rest into its places (explore.ready).
    row = st.container()  # the one setting, beside the curve
    left, right = st.columns([3, 2], gap="large")
    with left:
        head = st.container()
        explore.curve(page, run)
        made = explore.ready(page, run)
    with row:
        explore.rate_row(page, run)
    with head:
        explore.verdict_card(run)
    with left:
        explore.below_curve(page, run)
        explore.weights(run)
    with right:
        at = explore.pictures(page, run, made)
        explore_why.bowl_words(run)
        explore.pixel_table(run)
    with left:
        explore.take_away(page, run, at)


with page_run("explore") as page:
    main_area(page, explore.sidebar(page))
