"""Diagnose your curve: paste your own errors, get a verdict and a next rate."""

import numpy as np
import streamlit as st

import gdcore
from ui import charts, state, widgets
from ui.params import DIAGNOSE as PARAMS

widgets.page_setup("Diagnose your curve", "diagnose", PARAMS)
st.title(":material/stethoscope: Diagnose your curve")
state.show_notes("diagnose")
st.caption(
    "Paste the errors your own code printed, one per epoch (commas, spaces or new lines), "
    "or upload a CSV with a column named error or loss. It starts with the lesson's exercise."
)
left, right = st.columns([2, 3], gap="large")
with left:
    text = state.widget(
        st.text_area, "errors", "Your errors, epoch 0 first", key="dg_errors", height=140
    )
    # No type=: it is checked on the name only; the content is parsed and judged.
    upload = (
        None
        if state.locked("errors") or state.hidden("errors")
        else st.file_uploader("…or a CSV file", key="dg_csv")
    )
    lr = state.widget(
        st.number_input,
        "lr",
        "The learning rate you used (optional)",
        1e-12,
        1e6,
        key="dg_lr",
        format="%.6g",
        placeholder="e.g. 0.01",
        step=None,
        help="Turns the verdict into a concrete next rate.",
    )
values, source, problem = None, "the text box", None
if upload is not None:
    try:
        values, source = gdcore.read_curve_csv(upload.getvalue()), "the CSV file"
    except ValueError as exc:
        problem = f"The CSV file could not be read: {exc}"
if values is None:
    try:
        values = gdcore.parse_numbers(text)
    except ValueError as exc:
        problem = (problem + " " if problem else "") + f"The text could not be read: {exc}"
diag = None
if values is not None:
    try:
        diag = gdcore.diagnose_curve(values, lr)
    except ValueError as exc:
        problem = f"{exc}".replace("errors: ", "The errors from " + source + ": ")
with right:
    if problem:
        st.error(
            problem + " Allowed: at least two numbers ≥ 0 (nan and inf are read as a blow-up).",
            icon=":material/block:",
        )
    if diag is not None:
        widgets.verdict_card(diag, lr)
        if diag.suggested_lr is not None and diag.verdict != "good":
            st.markdown(f"**Next, try a rate of {diag.suggested_lr:.4g}.**")
        elif diag.verdict == "too small":
            st.markdown(
                "**Next, try a rate about 10× larger** (give your rate above for a number)."
            )
        elif diag.verdict == "too large":
            st.markdown(
                "**Next, try a rate about 10× smaller** (give your rate above for a number)."
            )
        log = state.widget(st.toggle, "log", "Log scale", key="dg_log")
        finite = np.isfinite(values)
        st.altair_chart(
            charts.simple_curve(values, f"Your curve ({len(values)} values, from {source})", log),
            width="stretch",
        )
        hidden = int((~(finite & (values > 0))).sum()) if log else int((~finite).sum())
        if hidden:
            st.caption(
                f"{hidden} values are not drawn ({'not finite or not above 0' if log else 'not finite'})."
            )
        with st.expander("How the verdict is reached"):
            st.markdown(
                f"- Any NaN or infinite value: **too large** (the run blew up).\n"
                f"- A climb of more than {gdcore.diagnosis.RISE_TOLERANCE:.0%} above the lowest error so far: **too large** (overshoot).\n"
                f"- A total fall of less than {gdcore.diagnosis.MIN_DROP:.0%}: **too small**.\n"
                f"- The last {gdcore.diagnosis.TAIL_SHARE:.0%} of the epochs still removing over "
                f"{gdcore.diagnosis.STILL_FALLING:.0%} of the fall: **too small** (it has not flattened).\n"
                "- Otherwise: **good**, a fall that flattens."
            )
written = state.publish(PARAMS)
with left:
    widgets.share_box(
        "Diagnose_your_curve",
        written,
        "An uploaded CSV is not part of the link; paste the numbers instead.",
    )
