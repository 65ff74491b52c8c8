"""The smallest app that does Explore's core: one number input, one Altair line of the same descent.

``bench/browser.py`` times it beside Explore, so that Explore's cost is read against what
Streamlit itself costs for the same work (the image, scale, epochs and start are Explore's
defaults; ``tests/test_bench.py`` holds them equal).
"""

import altair as alt
import pandas as pd
import streamlit as st

import gdcore

IMAGE, SIZE, SCALE, EPOCHS, INIT, LR = "scene", 64, "unit", 200, "zero", 0.5

lr = st.number_input("Learning rate", value=LR, min_value=1e-12, format="%.6g", step=None)
table = gdcore.pixel_table(gdcore.builtin_image(IMAGE, SIZE), SCALE)
errors = gdcore.run_descent(table, [float(lr)], EPOCHS, init=INIT).errors[0]
title = f"Error over epochs at rate {lr:g}"
frame = pd.DataFrame({"epoch": range(len(errors)), "error": errors})
chart = (
    alt.Chart(frame, title=title)
    .mark_line()
    .encode(x="epoch:Q", y="error:Q")
    .properties(description=title)
)
st.altair_chart(chart, width="stretch")
