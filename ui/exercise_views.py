"""The exercises' views: one function per exercise, each a question and its check.

Every check is ``gdcore.learner.exercises``; these functions only ask and show. A
learner's answers are recorded in ``progress`` (this browser session only).
"""

from __future__ import annotations

import json
import zlib
from typing import Any

import numpy as np
import streamlit as st

import gdcore
import gdcore.verdicts.diagnosis
from gdcore.learner import exercises as ex
from gdcore.learner.exercises import PROGRESS_NOTE
from gdcore.verdicts.diagnosis import edge
from ui import cached, charts, widgets
from ui.fields import EXERCISES
from ui.image import ImageChoice

W0 = np.zeros(3)
READ_EPOCHS = 40
PREDICT_EPOCHS = 300


def record(name: str, feedback: ex.Feedback, answer: Any, choice: ImageChoice, scale: str) -> None:
    """Keep an attempt at an exercise in the session's progress, after every earlier one."""
    progress = st.session_state.setdefault("_progress", {})
    ex.add_attempt(progress, name, EXERCISES[name], feedback, answer, choice.label, scale)


def show(feedback: ex.Feedback) -> None:
    (st.success if feedback.correct else st.error)(
        feedback.message, icon=":material/check:" if feedback.correct else ":material/close:"
    )


def _commit_prediction(question: str) -> None:
    """Check's callback: runs before the page, so the radios are drawn locked at once."""
    guesses = [st.session_state.get(f"xr_pred_{i}") for i in range(3)]
    if None in guesses:
        st.session_state["xr_predict_incomplete"] = True
        return
    st.session_state["xr_predict_answer"] = {"question": question, "guesses": guesses}
    st.session_state["xr_predict_new"] = True


def _start_again() -> None:
    st.session_state.pop("xr_predict_answer", None)
    for i in range(3):
        st.session_state.pop(f"xr_pred_{i}", None)


def predict(choice: ImageChoice, scale: str, theory: gdcore.Theory) -> None:
    """Mark three rates, then run them. Answers are committed at Check: they cannot be
    flipped afterwards until the learner starts again."""
    auto = gdcore.three_rates(theory)
    rates = [auto[i] for i in ex.predict_order(zlib.crc32(repr(choice.key).encode()))]
    question = f"{choice.key}|{scale}"
    committed = st.session_state.get("xr_predict_answer")
    if committed is not None and committed["question"] != question:
        committed = None  # another image or scale: a new question
    st.markdown("Here are three learning rates for this image. Before running them, mark each one.")
    fast = gdcore.fastest_rate(theory.bowl, W0)
    k_fast = max(fast.epochs, 1) if fast is not None else None
    rule = gdcore.verdicts.diagnosis
    by = max(int(rule.SLOW_FACTOR * k_fast), rule.SLOW_FLOOR) if k_fast else 0
    seen = f" The chart after Check runs {PREDICT_EPOCHS} epochs" + (
        ": a good rate may still be falling at its end." if by > PREDICT_EPOCHS else "."
    )
    st.info(
        "How it is graded, in the lesson's words: too small — "
        f"{rule.LESSON['too small']}; too large — {rule.LESSON['too large']}; good — "
        f"{rule.LESSON['good']}. Exactly: "
        f"{gdcore.good_rule(k_fast, fast.lr if fast else None)}{seen}",
        icon=":material/rule:",
    )
    for i, lr in enumerate(rates):
        st.radio(
            f"Rate **{lr:g}**",
            gdcore.verdicts.diagnosis.VERDICTS,
            index=None,
            horizontal=True,
            key=f"xr_pred_{i}",
            disabled=committed is not None,
        )
    if committed is None:
        st.button(
            "Check",
            key="xr_check_predict",
            type="primary",
            on_click=_commit_prediction,
            args=(question,),
        )
        if st.session_state.pop("xr_predict_incomplete", False):
            st.warning("Mark all three rates first.")
        return
    st.button("Start again", key="xr_predict_again", on_click=_start_again)
    guesses = committed["guesses"]
    runs = cached.compare_runs(choice.key, scale, tuple(rates), PREDICT_EPOCHS, choice.pixels)
    widgets.draw(
        charts.error_view,
        [f"rate {lr:g}" for lr in rates],
        runs.errors,
        runs.diverged_epoch,
        log=True,
        error_star=theory.error_star,
        title=f"What the three rates really do ({PREDICT_EPOCHS} epochs)",
        unit="points",
        verdicts=[d.verdict for d in runs.diagnoses],
    )
    answers = [
        ex.check_prediction(guess, d, lr, gdcore.lesson_line(d.verdict, e, theory.error_star))
        for guess, lr, d, e in zip(guesses, rates, runs.diagnoses, runs.errors, strict=True)
    ]
    for feedback in answers:
        show(feedback)
    right = sum(feedback.correct for feedback in answers)
    overall = ex.Feedback(right == 3, f"{right} of 3 right")
    if st.session_state.pop("xr_predict_new", False):  # one attempt per Check, not per rerun
        record("predict", overall, dict(zip(map(str, rates), guesses, strict=True)), choice, scale)
    st.markdown(
        f"**{overall.message}.** The edge rate {edge(theory.critical_lr):g} separates "
        "the rates that can settle from those that cannot."
    )


def find_rate(
    name: str, choice: ImageChoice, scale: str, theory: gdcore.Theory, bowl: gdcore.Quadratic
) -> None:
    if name == "largest":
        st.markdown(
            "Find the **largest learning rate that still converges** for this image (full batch, "
            "zero start). Explore it on the other pages first, then type your answer."
        )
    else:
        st.markdown(
            "Find the rate that gets **within 1% of the lowest error E\\* in the fewest epochs**. "
            "Larger is not always faster."
        )
    answer = st.number_input(
        "Your rate", min_value=1e-12, max_value=1e6, value=None, format="%.6g", key=f"xr_{name}"
    )
    if st.button("Check", key=f"xr_check_{name}", type="primary"):
        if answer is None:
            st.warning("Type a rate first.")
            return
        check = ex.check_largest_rate if name == "largest" else ex.check_fastest_rate
        feedback = check(float(answer), theory, bowl, W0)
        record(name, feedback, answer, choice, scale)
        show(feedback)


def read(choice: ImageChoice, scale: str, theory: gdcore.Theory) -> None:
    rates = tuple(gdcore.three_rates(theory))
    runs = cached.compare_runs(choice.key, scale, rates, READ_EPOCHS, choice.pixels)
    st.markdown("For each curve of errors, name the cause.")
    for i, (title, values) in enumerate(ex.read_curves(runs.errors)):
        with st.container(border=True):
            left, right = st.columns([2, 3])
            with left:
                shown = ", ".join(f"{v:.4g}" for v in values[:8])
                more = " …" if len(values) > 8 else ""
                st.markdown(f"**{title[0].upper()}{title[1:]}**: {shown}{more}")
                guess = st.radio(
                    "The rate is…",
                    gdcore.verdicts.diagnosis.VERDICTS,
                    index=None,
                    horizontal=True,
                    key=f"xr_read_{i}",
                )
                if guess is not None:
                    feedback = ex.check_curve_reading(values, guess)
                    if st.session_state.get(f"_recorded_read_{i}") != guess:
                        record("read", feedback, {title: guess}, choice, scale)
                        st.session_state[f"_recorded_read_{i}"] = guess
                    show(feedback)
            # No verdict in the chart's text alternative: naming the cause is the exercise.
            widgets.draw(charts.simple_curve, values, title, height=220, where=right)


def scaling(choice: ImageChoice, scale: str) -> None:
    _, raw = cached.bowl(choice.key, "raw", choice.pixels)
    _, unit = cached.bowl(choice.key, "unit", choice.pixels)
    st.markdown(
        "On the **raw** scale, x and y are pixel indices (0 to "
        f"{choice.pixels.shape[1] - 1}). On the **unit** scale they are divided into 0–1. "
        "What happens to the edge rate (the largest step size before the error explodes) "
        "when you switch from raw to unit?"
    )
    answer = st.radio("The edge rate becomes…", ex.SCALING_CHOICES, index=None, key="xr_scaling")
    if st.button("Check", key="xr_check_scaling", type="primary"):
        if answer is None:
            st.warning("Choose an answer first.")
            return
        feedback = ex.check_scaling(answer, raw, unit)
        record("scaling", feedback, answer, choice, scale)
        show(feedback)


def sign(choice: ImageChoice, scale: str) -> None:
    seed = st.session_state.setdefault("xr_sign_seed", 0)
    weight, slope = ex.slope_question(seed)
    st.markdown(
        f"A weight is **{weight:g}** and its slope is **{slope:g}**. With rate 0.01, "
        "should the next step…"
    )
    answer = st.radio("The step should…", ex.SIGN_CHOICES, index=None, key=f"xr_sign_{seed}")
    cols = st.columns([1, 1, 4])
    if cols[0].button("Check", key="xr_check_sign", type="primary"):
        if answer is None:
            st.warning("Choose an answer first.")
        else:
            feedback = ex.check_slope_sign(weight, slope, 0.01, answer)
            record(
                "sign",
                feedback,
                {"weight": weight, "slope": slope, "answer": answer},
                choice,
                scale,
            )
            show(feedback)
    if cols[1].button("Another one", key="xr_next_sign"):
        st.session_state["xr_sign_seed"] = seed + 1
        st.rerun()


def progress_table() -> None:
    """The session's progress, with a JSON download."""
    progress = st.session_state.get("_progress", {})
    kept = f"{PROGRESS_NOTE} Kept for this browser session only; nothing is stored on the server."
    if not progress:
        st.caption(f"Nothing checked yet. {kept}")
        return
    st.dataframe(
        [
            {
                "exercise": v["exercise"],
                "attempts": len(v["attempts"]),
                "first result": v["attempts"][0]["result"],
                "last result": v["attempts"][-1]["result"],
                "solved": "yes" if v["solved"] else "not yet",
            }
            for v in progress.values()
        ],
        hide_index=True,
        width="stretch",
    )
    st.download_button(
        "⬇ Download your progress (JSON)",
        json.dumps(progress, indent=2, default=str).encode(),
        file_name="progress.json",
        mime="application/json",
        key="xr_download",
        on_click="ignore",  # no rerun: it would drop the file being downloaded
    )
    st.caption(kept)


def momentum(choice: ImageChoice, scale: str, theory: gdcore.Theory) -> None:
    """Find a momentum β that makes 1.5 × the edge rate settle; the theory checks it."""
    lr = ex.MOMENTUM_RATE * theory.critical_lr
    st.markdown(
        f"Plain steps at the rate **{lr:.4g}** ({ex.MOMENTUM_RATE:g} × the edge rate "
        f"{edge(theory.critical_lr):g}) overshoot the bottom by more than they gain: the error "
        "explodes. Momentum makes the ball **heavy**: each step keeps a share β of its last "
        "step and adds the new slope. **Find a momentum β that makes this rate settle.** "
        "Try it on Explore first (Advanced in the sidebar), then type your answer."
    )
    answer = st.number_input(
        "Your momentum β",
        min_value=0.0,
        max_value=0.999,
        value=None,
        format="%.3g",
        key="xr_momentum",
    )
    if st.button("Check", key="xr_check_momentum", type="primary"):
        if answer is None:
            st.warning("Type a momentum first.")
            return
        feedback = ex.check_momentum(float(answer), theory, W0)
        record("momentum", feedback, answer, choice, scale)
        show(feedback)
