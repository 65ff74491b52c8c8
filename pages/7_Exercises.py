"""Exercises: predict, then check with the engine. And the teacher's link maker."""

import streamlit as st

from ui import classroom, image, urlstate, widgets
from ui import exercise_views as views
from ui.controls import control
from ui.fields import EXERCISES
from ui.page_run import page_run

with page_run("exercises") as page:
    choice, scale, bowl, theory = image.picked_bowl()
    with st.sidebar:
        st.markdown("#### Exercise")
        name = control(
            st.radio,
            page.field("exercise"),
            "Exercise",
            format_func=EXERCISES.get,
            label_visibility="collapsed",
        )

    st.caption(
        f"Commit to an answer, then let the engine check it, with the numbers of **{choice.label}** "
        f"on the **{scale}** scale (change them in the sidebar)."
    )
    st.subheader(EXERCISES[name])
    if name == "predict":
        views.predict(choice, scale, theory)
    elif name in ("largest", "fastest"):
        views.find_rate(name, choice, scale, theory, bowl)
    elif name == "read":
        views.read(choice, scale, theory)
    elif name == "scaling":
        views.scaling(choice, scale)
    elif name == "momentum":
        views.momentum(choice, scale, theory)
    else:
        views.sign(choice, scale)

    st.divider()
    st.subheader("Your progress")
    views.progress_table()
    written = urlstate.publish(page)
    with st.expander("For teachers: make a classroom link", icon=":material/link:"):
        st.caption(f"Learners' downloaded progress (JSON): {views.PROGRESS_NOTE}")
        classroom.link_maker(
            lambda field: urlstate.kept_value(field.key, field.default), "exercises"
        )
    widgets.share_box(page, written)
