"""Diagnose your curve: paste your own errors, get a verdict and a next rate."""

import numpy as np
import streamlit as st

import gdcore
from ui import charts, classroom, data, text, urlstate, widgets
from ui.controls import control
from ui.params import MAX_TEXT_CHARS

page = widgets.page_setup("diagnose")
f = {fl.url: fl for fl in page.fields}
st.caption(
    "Paste the errors your own code printed, one per epoch (commas, spaces or new lines), "
    "or upload a CSV with a column named error or loss. It starts with the lesson's exercise."
)
left, right = st.columns([2, 3], gap="large")
with left:
    typed = control(
        st.text_area,
        f["errors"],
        "Your errors, epoch 0 first",
        height=140,
        max_chars=MAX_TEXT_CHARS,
    )
    # No type=: it is checked on the name only; the content is parsed and judged.
    fixed = classroom.locked(f["errors"]) or classroom.hidden(f["errors"])
    upload = None if fixed else st.file_uploader("…or a CSV file", key="dg_csv")
    lr = control(
        st.number_input,
        f["lr"],
        "The learning rate you used (optional)",
        format="%.6g",
        placeholder="e.g. 0.01",
        step=None,
    )
csv = upload.getvalue() if upload is not None else None
curve = data.read_curve(data.curve_digest(typed, csv), typed, csv)
values, source, problem, diag = curve.values, curve.source, curve.problem, None
if values is not None:
    try:
        diag = gdcore.diagnose_curve(values, lr)
    except ValueError as exc:
        problem = f"{exc}".replace("errors: ", "The errors from " + source + ": ")
with right:
    if problem:
        allowed = f["errors"].param.rule.allowed()
        st.error(f"{text.literal(problem)} Allowed: {allowed}.", icon=":material/block:")
    if diag is not None:
        widgets.verdict_card(diag, lr)
        if diag.suggested_lr is not None and diag.verdict != "good":
            st.markdown(f"**Next, try a rate of {diag.suggested_lr:.4g}.**")
        elif diag.verdict != "good":
            way = "larger" if diag.verdict == "too small" else "smaller"
            st.markdown(f"**Next, try a rate about 10× {way}** (give your rate for a number).")
        log = control(st.toggle, f["log"], "Log scale")
        chart, notes = charts.error_view(
            ["your curve"],
            np.asarray(values, dtype=float)[None, :],
            log=log,
            title=f"Your curve ({len(values)} values, from {source})",
            unit="values",
        )
        widgets.chart(chart, notes)
        with st.expander("How the verdict is reached"):
            st.markdown(gdcore.diagnosis.curve_rules())
with left:
    widgets.share_box(
        page,
        urlstate.publish(page),
        "An uploaded CSV is not part of the link; paste the numbers instead.",
    )
