"""Diagnose your curve: your own errors or training log in, a verdict and a next rate out."""

import numpy as np
import streamlit as st

import gdcore
import gdcore.verdicts.diagnosis
from ui import cached, charts, text, urlstate, verdict, widgets
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
                format_func=lambda c: c or "chosen by the rule",
            )
        if read is not None and read.runs:
            runs = read.runs
            st.selectbox(
                "The run to judge (the file holds several)",
                options=[0, *range(1, len(runs) + 1)],
                format_func=lambda k: f"run {k}, from line {runs[k - 1]:,}" if k else "the last",
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
        try:
            diag = gdcore.diagnose_curve(read.values, lr, axis=read.axis)
        except ValueError as exc:
            problem = f"{exc}".replace("errors: ", f"The errors from {curve.source}: ")
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
            trend = gdcore.verdicts.noise.trend_of(read.values, read.axis)
            named = charts.quantity_title(read.column)  # the log's own name: not our error
            if trend is not None and trend.how:  # judged by its trend: the words say so
                said = gdcore.lesson_line(diag.verdict, trend.values)
                seen = f"Its trend: {said[:1].lower()}{said[1:]}"
            else:
                seen = gdcore.lesson_line(diag.verdict, read.values)
            verdict.card(diag, lr, seen)
            axis = st.session_state[page.field("axis").key]  # its radio sits under the chart
            if trend is not None and trend.how:  # judged by its trend: draw both
                at = read.axis.at if read.axis.at is not None else np.arange(len(read.values))
                widgets.draw(
                    charts.noisy_curve,
                    np.asarray(at, dtype=float),
                    np.asarray(read.values, dtype=float),
                    trend.x,
                    trend.values,
                    unit=read.axis.unit,
                    how=trend.how,
                    noise=trend.noise,
                    verdict=diag.verdict,
                    log=charts.AXES[axis],
                    title=f"Your {len(read.values):,} values (faint) and their trend (judged)",
                    y_title=named,
                )
            elif read.validation is not None:
                widgets.draw(
                    charts.training_and_validation,
                    read.values,
                    read.validation,
                    (str(read.column), str(read.validation_column)),
                    log=charts.AXES[axis],
                    title="Your training curve (the one judged) and your validation curve",
                    y_title=charts.quantity_title(read.column, read.validation_column),
                )
            else:
                widgets.draw(
                    charts.error_view,
                    ["your curve"],
                    np.asarray(read.values, dtype=float)[None, :],
                    log=charts.AXES[axis],
                    title=f"Your curve ({len(read.values)} values, from {curve.source})",
                    unit="values",
                    verdicts=[diag.verdict],
                    y_title=named,
                )
            verdict.numbers(diag)
            if diag.suggested_lr is not None and diag.verdict != "good":
                st.markdown(f"**Next, try a rate of {diag.suggested_lr:.4g}.**")
            elif diag.verdict != "good":
                way = "larger" if diag.verdict == "too small" else "smaller"
                st.markdown(f"**Next, try a rate about 10× {way}** (give your rate for a number).")
            control(st.radio, page.field("axis"), "Error axis", horizontal=True)
            with st.expander("How the verdict is reached"):
                if trend is not None and trend.how:
                    st.markdown(gdcore.verdicts.noise.trend_rules())
                st.markdown(gdcore.verdicts.diagnosis.curve_rules())
    with left:
        widgets.share_box(
            page,
            urlstate.publish(page),
            "An uploaded file is not part of the link; paste its text instead.",
        )
