"""Exercises: predict, then check with the engine. And the teacher's link maker."""

import json
import zlib

import numpy as np
import streamlit as st

import gdcore
from gdcore import exercises as ex
from ui import charts, data, state, widgets
from ui.params import EXERCISE as PARAMS
from ui.params import EXERCISES, PAGES

widgets.page_setup("Exercises", "exercises", PARAMS)
choice = widgets.image_picker()
scale = st.session_state["scale"]
bowl, th = data.bowl(choice.key, scale, choice.pixels)
W0 = np.zeros(3)
progress = st.session_state.setdefault("_progress", {})


def record(name: str, fb: ex.Feedback, answer) -> None:
    entry = progress.setdefault(name, {"exercise": EXERCISES[name], "attempts": 0, "solved": False})
    entry["attempts"] += 1
    entry["solved"] = entry["solved"] or fb.correct
    entry["last answer"] = answer
    entry["image"] = choice.label
    entry["scale"] = scale


def show(fb: ex.Feedback) -> None:
    (st.success if fb.correct else st.error)(
        fb.message, icon=":material/check:" if fb.correct else ":material/close:"
    )


def check_button(name: str) -> bool:
    return st.button("Check", key=f"xr_check_{name}", type="primary")


with st.sidebar:
    st.markdown("#### Exercise")
    name = state.widget(
        st.radio,
        "exercise",
        "Exercise",
        list(EXERCISES),
        key="xr_exercise",
        format_func=EXERCISES.get,
        label_visibility="collapsed",
    )

st.title(":material/school: Exercises")
state.show_notes("exercises")
st.caption(
    f"Commit to an answer, then let the engine check it, with the numbers of **{choice.label}** "
    f"on the **{scale}** scale (change them in the sidebar)."
)
st.subheader(EXERCISES[name])

if name == "predict":
    rates = list(gdcore.three_rates(th))
    order = np.random.default_rng(zlib.crc32(repr(choice.key).encode())).permutation(3)
    rates = [rates[i] for i in order]
    st.markdown("Here are three learning rates for this image. Before running them, mark each one.")
    guesses = [
        st.radio(
            f"Rate **{lr:g}**",
            gdcore.diagnosis.VERDICTS,
            index=None,
            horizontal=True,
            key=f"xr_pred_{i}",
        )
        for i, lr in enumerate(rates)
    ]
    if check_button(name):
        st.session_state["xr_predict_shown"] = True
    if st.session_state.get("xr_predict_shown"):
        if None in guesses:
            st.warning("Mark all three rates first.")
        else:
            errs, diverged, rows = data.compare_runs(
                choice.key, scale, tuple(rates), 300, choice.pixels
            )
            labels = [f"rate {lr:g}" for lr in rates]
            st.altair_chart(
                charts.error_curves(
                    charts.curves_frame(labels, errs),
                    log=True,
                    error_star=th.error_star,
                    y_cap=charts.view_cap(errs),
                    title="What the three rates really do (300 epochs)",
                ),
                width="stretch",
            )
            feedback = []
            for guess, lr, row in zip(guesses, rates, rows, strict=True):
                d = gdcore.Diagnosis(row["verdict"], row["reason"])
                feedback.append(ex.check_prediction(guess, d, lr))
                show(feedback[-1])
            right = sum(f.correct for f in feedback)
            overall = ex.Feedback(right == 3, f"{right} of 3 right")
            record(name, overall, dict(zip(map(str, rates), guesses, strict=True)))
            st.markdown(
                f"**{overall.message}.** The critical rate 2/λmax = {th.critical_lr:.4g} separates the rates that can settle from those that cannot."
            )

elif name in ("largest", "fastest"):
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
        "Your rate",
        min_value=1e-12,
        max_value=1e6,
        value=None,
        format="%.6g",
        key=f"xr_{name}",
        step=None,
    )
    if check_button(name):
        if answer is None:
            st.warning("Type a rate first.")
        else:
            check = ex.check_largest_rate if name == "largest" else ex.check_fastest_rate
            fb = check(float(answer), th, bowl, W0)
            record(name, fb, answer)
            show(fb)

elif name == "read":
    table = data.table_for(choice, scale)
    rates = gdcore.three_rates(th)
    res = gdcore.run_descent(table, list(rates), 40)
    curves = [("the lesson's exercise", np.array([2.0, 0.1, 5.0, 20.0]))]
    curves += [
        (f"curve {c}", res.errors[i][np.isfinite(res.errors[i])])
        for c, i in zip("BCD", [2, 0, 1], strict=True)
    ]
    st.markdown("For each curve of errors, name the cause.")
    for i, (title, values) in enumerate(curves):
        with st.container(border=True):
            left, right = st.columns([2, 3])
            with left:
                shown = ", ".join(f"{v:.4g}" for v in values[:8]) + (
                    " …" if len(values) > 8 else ""
                )
                st.markdown(f"**{title[0].upper()}{title[1:]}**: {shown}")
                guess = st.radio(
                    "The rate is…",
                    gdcore.diagnosis.VERDICTS,
                    index=None,
                    horizontal=True,
                    key=f"xr_read_{i}",
                )
                if guess is not None:
                    fb = ex.check_curve_reading(values, guess)
                    if st.session_state.get(f"_recorded_read_{i}") != guess:
                        record(name, fb, {title: guess})
                        st.session_state[f"_recorded_read_{i}"] = guess
                    show(fb)
            right.altair_chart(
                charts.simple_curve(values, title, height=220),
                width="stretch",
            )

elif name == "scaling":
    _, raw = data.bowl(choice.key, "raw", choice.pixels)
    _, unit = data.bowl(choice.key, "unit", choice.pixels)
    st.markdown(
        "On the **raw** scale, x and y are pixel indices (0 to "
        f"{choice.pixels.shape[1] - 1}). On the **unit** scale they are divided into 0–1. "
        "What happens to the critical rate 2/λmax when you switch from raw to unit?"
    )
    answer = st.radio(
        "The critical rate becomes…", ex.SCALING_CHOICES, index=None, key="xr_scaling"
    )
    if check_button(name):
        if answer is None:
            st.warning("Choose an answer first.")
        else:
            fb = ex.check_scaling(answer, raw, unit)
            record(name, fb, answer)
            show(fb)

else:  # sign
    seed = st.session_state.setdefault("xr_sign_seed", 0)
    weight, slope = ex.slope_question(seed)
    st.markdown(
        f"A weight is **{weight:g}** and its slope is **{slope:g}**. With rate 0.01, should the next step…"
    )
    answer = st.radio("The step should…", ex.SIGN_CHOICES, index=None, key=f"xr_sign_{seed}")
    cols = st.columns([1, 1, 4])
    if cols[0].button("Check", key="xr_check_sign", type="primary"):
        if answer is None:
            st.warning("Choose an answer first.")
        else:
            fb = ex.check_slope_sign(weight, slope, 0.01, answer)
            record(name, fb, {"weight": weight, "slope": slope, "answer": answer})
            show(fb)
    if cols[1].button("Another one", key="xr_next_sign"):
        st.session_state["xr_sign_seed"] = seed + 1
        st.rerun()

st.divider()
st.subheader("Your progress")
if progress:
    st.dataframe(
        [
            {
                "exercise": v["exercise"],
                "attempts": v["attempts"],
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
    )
    st.caption("Kept for this browser session only; nothing is stored on the server.")
else:
    st.caption(
        "Nothing checked yet. Progress is kept for this browser session only; nothing is stored on the server."
    )

with st.expander("For teachers: make a classroom link", icon=":material/link:"):
    st.caption(
        "Set the page up as you want it (visit it in this session), then choose what to fix and "
        "what to hide. Locked controls are shown but cannot be changed; hidden ones are left out. "
        "This is a teaching aid, not access control: anyone can edit a link."
    )
    target = st.selectbox("Page", list(PAGES), index=len(PAGES) - 1, key="xr_link_page")
    _, path, params = PAGES[target]
    names = [p.url for p in params]
    values = {}
    for p in params:
        value = st.session_state.get(state.KEEP + p.key, st.session_state.get(p.key, p.default))
        if p.url == "exercise" and target == "Exercises":
            value = name
        if value != p.default and value is not None and value != -1:
            values[p.url] = p.show(value)
    lock = st.multiselect(
        "Lock these controls",
        names,
        key="xr_link_lock",
        default=[n for n in ("image", "scale") if n in names],
    )
    hide = st.multiselect(
        "Hide these controls", [n for n in names if n not in lock], key="xr_link_hide"
    )
    for n in lock:
        p = next(q for q in params if q.url == n)
        values.setdefault(n, p.show(st.session_state.get(state.KEEP + p.key, p.default)))
    root = (st.context.url or "http://localhost:8501/").split("/Exercises")[0].rstrip("/")
    link = state.classroom_link(f"{root}/{path}", values, lock, hide)
    st.code(link, language=None)

written = state.publish(PARAMS)
widgets.share_box("Exercises", written)
