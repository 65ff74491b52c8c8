"""Diagnose your curve: your own errors or training log in, a verdict and a next rate out."""

import streamlit as st

from ui import cached, learner_curve, text, urlstate, widgets
from ui.controls import control
from ui.errors_input import errors_input
from ui.page_run import page_run

with page_run("diagnose") as page:
    st.caption(
        "Paste the errors your own code printed, epoch 0 first: plain numbers, a table (commas, tabs "
        "or semicolons; decimal commas too) or printed lines such as `Epoch 3/10 - loss: 0.53`. Or "
        "upload the log file: Keras, fastai or Lightning CSVLogger, a W&B export, TensorBoard's CSV, "
        "Hugging Face's printed logs. It starts with the lesson's exercise."
    )
    left, right = st.columns([2, 3], gap="large")
    with left:
        given = errors_input(
            page.field("errors"),
            "Your errors or training log, epoch 0 first",
            140,
            "…or a log file (CSV, TSV or text)",
            "dg_csv",
        )
    typed, file, sha = given.typed, given.file, given.sha
    if st.session_state.get("dg_column_of", sha) != sha:  # another log: the rule chooses again
        st.session_state[page.field("column").key] = ""
        st.session_state["dg_run"] = 0
    st.session_state["dg_column_of"] = sha
    column = st.session_state.get(page.field("column").key) or ""
    curve = cached.read_curve(sha, column, typed, file, st.session_state.get("dg_run") or 0)
    read, problem, diag = curve.log, curve.problem, None
    choices = read.candidates if read is not None else curve.candidates
    with left:
        if choices or column:
            control(
                st.selectbox,
                page.field("column"),
                "The column to judge",
                options=["", *choices, *([column] if column and column not in choices else [])],
                format_func=lambda name: name or "chosen by the rule",
            )
        if read is not None and read.runs:
            runs = read.runs
            st.selectbox(
                "The run to judge (the file holds several)",
                options=[0, *range(1, len(runs) + 1)],
                format_func=lambda run: (
                    f"run {run}, from line {runs[run - 1]:,}" if run else "the last"
                ),
                key="dg_run",
            )
        lr = control(
            st.number_input,
            page.field("lr"),
            "The learning rate you used (optional)",
            format="%.6g",
            placeholder="e.g. 0.01",
            step=None,
        )
    if read is not None:
        diag, problem = learner_curve.diagnose(read, lr, curve.source)
    with right:
        if problem:
            more = (
                "Choose one in “The column to judge”."
                if curve.candidates
                else f"Allowed: {page.field('errors').param.rule.allowed()}."
            )
            st.error(f"{text.literal(problem)} {more}", icon=":material/block:")
        if read is not None:
            st.text(f"From {curve.source}: {read.said}.")  # names from the file: text, not Markdown
        if diag is not None and read is not None:
            axis = st.session_state[page.field("axis").key]  # its radio sits under the chart
            trend = learner_curve.judged(read, diag, lr, axis, curve.source)
            control(st.radio, page.field("axis"), "Error axis", horizontal=True)
            learner_curve.rules(trend)
    with left:
        widgets.share_box(
            page,
            urlstate.publish(page),
            "An uploaded file is not part of the link; paste its text instead.",
        )
