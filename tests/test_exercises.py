"""Exercises (right and wrong answers) and classroom links (generation and locking)."""

import json
import urllib.parse
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from streamlit.testing.v1.errors import AppTestError
from test_app import no_exception, open_page

import gdcore
from gdcore.learner import exercises as ex


def _scene(scale="unit", size=64):
    table = gdcore.pixel_table(gdcore.builtin_image("scene", size), scale)
    q = gdcore.quadratic(table)
    return table, q, gdcore.theory(q)


# --- the checks themselves -------------------------------------------------


def test_largest_rate_check():
    _, q, th = _scene()
    w0 = np.zeros(3)
    assert ex.check_largest_rate(0.99 * th.critical_lr, th, q, w0).correct
    too_big = ex.check_largest_rate(1.1 * th.critical_lr, th, q, w0)
    assert (
        not too_big.correct
        and "diverges" in too_big.message
        and "blows up at epoch" in too_big.message
    )
    timid = ex.check_largest_rate(0.5 * th.critical_lr, th, q, w0)
    assert (
        not timid.correct and f"{gdcore.verdicts.diagnosis.edge(th.critical_lr):g}" in timid.message
    )


def test_fastest_rate_check():
    _, q, th = _scene()
    w0 = np.zeros(3)
    assert ex.check_fastest_rate(th.optimal_lr, th, q, w0).correct
    slow = ex.check_fastest_rate(th.optimal_lr / 20, th, q, w0)
    assert not slow.correct and "too timid" in slow.message
    assert "never gets there" in ex.check_fastest_rate(2 * th.critical_lr, th, q, w0).message


@pytest.mark.parametrize(
    ("curve", "right"),
    [
        ([2.0, 0.1, 5.0, 20], "too large"),
        ([10, 9.99, 9.98, 9.97, 9.96], "too small"),
        (list(1 + 99 * 0.8 ** np.arange(60)), "good"),
    ],
)
def test_curve_reading(curve, right):
    assert ex.check_curve_reading(curve, right).correct
    wrong = next(v for v in gdcore.verdicts.diagnosis.VERDICTS if v != right)
    fb = ex.check_curve_reading(curve, wrong)
    assert not fb.correct and f"it is {right}" in fb.message


def test_scaling_check_uses_both_theories():
    _, _, raw = _scene("raw")
    _, _, unit = _scene("unit")
    assert unit.critical_lr / raw.critical_lr > 100  # pixel indices make the raw bowl steep
    fb = ex.check_scaling("much larger", raw, unit)
    assert (
        fb.correct
        and f"{gdcore.verdicts.diagnosis.edge(raw.critical_lr):g}" in fb.message
        and f"{gdcore.verdicts.diagnosis.edge(unit.critical_lr):g}" in fb.message
    )
    assert not ex.check_scaling("much smaller", raw, unit).correct


@pytest.mark.parametrize("seed", range(6))
def test_slope_sign(seed):
    w, s = ex.slope_question(seed)
    right = "increase the weight" if s < 0 else "decrease the weight"
    fb = ex.check_slope_sign(w, s, 0.01, right)
    assert fb.correct and f"{w - 0.01 * s:.4g}" in fb.message
    assert not ex.check_slope_sign(
        w, s, 0.01, next(c for c in ex.SIGN_CHOICES if c != right)
    ).correct
    assert ex.slope_question(seed) == (w, s)


def test_prediction_check():
    d = gdcore.Diagnosis("too large", "the error blew up at epoch 12.")
    assert ex.check_prediction("too large", d, 3.0).correct
    fb = ex.check_prediction("good", d, 3.0)
    assert not fb.correct and "you said good, but it is too large" in fb.message


# --- the page --------------------------------------------------------------


def _exercise(name: str, **query):
    return open_page("exercises", exercise=name, **query)


def test_predict_right_and_wrong():
    at = _exercise("predict")
    _, _, th = _scene()
    rates = gdcore.three_rates(th)
    truth = dict(zip(rates, ["too small", "good", "too large"], strict=True))
    for i in range(3):
        lr = float(at.radio(key=f"xr_pred_{i}").label.split("**")[1])
        at.radio(key=f"xr_pred_{i}").set_value(truth[lr])
    at.button(key="xr_check_predict").click().run()
    no_exception(at)
    assert len(at.success) == 3 and "3 of 3 right" in "".join(m.value for m in at.markdown)
    # Committed at Check: the answers are locked, and flipping one does not re-grade.
    assert all(at.radio(key=f"xr_pred_{i}").disabled for i in range(3))
    wrong = "good" if truth[lr] != "good" else "too small"
    with pytest.raises(AppTestError, match="disabled"):
        at.radio(key="xr_pred_2").set_value(wrong)
    at.run()  # any other click reruns the page: no new grade, no new attempt
    assert len(at.success) == 3 and not at.error
    assert len(at.session_state["_progress"]["predict"]["attempts"]) == 1
    # Starting again clears the answers; a wrong one is then graded wrong.
    at.button(key="xr_predict_again").click().run()
    assert all(at.radio(key=f"xr_pred_{i}").value is None for i in range(3))
    for i in range(3):
        lr_i = float(at.radio(key=f"xr_pred_{i}").label.split("**")[1])
        at.radio(key=f"xr_pred_{i}").set_value(truth[lr_i] if i != 2 else wrong)
    at.button(key="xr_check_predict").click().run()
    assert len(at.error) == 1 and f"you said {wrong}" in at.error[0].value
    # Both attempts are kept, in order: the first (all right) is not replaced by the second.
    first, second = at.session_state["_progress"]["predict"]["attempts"]
    assert (first["attempt"], first["result"], second["attempt"], second["result"]) == (
        1,
        "right",
        2,
        "wrong",
    )
    assert first["answer"] == {f"{lr:g}": truth[lr] for lr in rates}
    assert second["answer"][f"{lr:g}"] == wrong and first["answer"][f"{lr:g}"] == truth[lr]
    assert first["message"] == "3 of 3 right" and second["message"] == "2 of 3 right"
    assert first["time"] <= second["time"] and first["time"].endswith("+00:00")
    table = at.dataframe[0].value
    assert list(table["attempts"]) == [2] and list(table["first result"]) == ["right"]
    assert list(table["last result"]) == ["wrong"] and list(table["solved"]) == ["yes"]


@pytest.mark.parametrize(
    ("name", "good_factor", "bad_factor"), [("largest", 0.99, 1.2), ("fastest", None, 0.01)]
)
def test_rate_exercises_right_and_wrong(name, good_factor, bad_factor):
    _, _, th = _scene()
    good = th.critical_lr * good_factor if good_factor else th.optimal_lr
    at = _exercise(name)
    at.number_input(key=f"xr_{name}").set_value(good)
    at.button(key=f"xr_check_{name}").click().run()
    assert at.success and not at.error
    at.number_input(key=f"xr_{name}").set_value(th.critical_lr * bad_factor)
    at.button(key=f"xr_check_{name}").click().run()
    assert at.error and not at.success


def test_read_a_curve_with_the_lessons_exercise():
    at = _exercise("read")
    at.radio(key="xr_read_0").set_value("too small").run()
    assert "it is too large" in at.error[0].value
    at.radio(key="xr_read_0").set_value("too large").run()
    assert "rose from 0.1 to 20" in at.success[0].value


def test_scaling_and_sign_exercises_and_progress_download():
    at = _exercise("scaling")
    at.radio(key="xr_scaling").set_value("much larger")
    at.button(key="xr_check_scaling").click().run()
    assert at.success
    at.radio(key="xr_exercise").set_value("sign").run()
    w, s = ex.slope_question(0)
    at.radio(key="xr_sign_0").set_value("increase the weight" if s > 0 else "decrease the weight")
    at.button(key="xr_check_sign").click().run()
    assert at.error and "Not quite" in at.error[0].value
    table = at.dataframe[0].value
    assert list(table["solved"]) == ["yes", "not yet"]
    assert at.get("download_button")[0].proto.label.endswith("Download your progress (JSON)")
    assert at.get("download_button")[0].proto.ignore_rerun  # a run would drop the file
    # The learner's progress and the teacher's panel both say what the JSON keeps.
    assert any(ex.PROGRESS_NOTE in c.value for c in at.caption)
    teacher = next(e for e in at.expander if "For teachers" in e.label)
    assert any(ex.PROGRESS_NOTE in c.value for c in teacher.caption)


def test_progress_keeps_every_attempt_in_order_and_serialises():
    progress: dict = {}
    times = [datetime(2026, 3, 1, 9, 0, s, tzinfo=UTC) for s in (5, 30, 59)]
    answers = ["much smaller", "about the same", "much larger"]
    for t, a in zip(times, answers, strict=True):
        fb = ex.Feedback(a == "much larger", f"answer {a}")
        ex.add_attempt(progress, "scaling", "Scaling", fb, a, "plane", "raw", t)
    back = json.loads(json.dumps(progress))
    attempts = back["scaling"]["attempts"]
    assert [a["answer"] for a in attempts] == answers
    assert [a["result"] for a in attempts] == ["wrong", "wrong", "right"]
    assert [a["attempt"] for a in attempts] == [1, 2, 3]
    assert [a["time"] for a in attempts] == [t.isoformat(timespec="seconds") for t in times]
    assert back["scaling"]["solved"] is True
    # A time in another zone is written in UTC.
    local = datetime(2026, 3, 1, 11, 0, 0, tzinfo=timezone(timedelta(hours=2)))
    entry = ex.add_attempt(progress, "scaling", "Scaling", fb, "x", "plane", "raw", local)
    assert entry["attempts"][-1]["time"] == "2026-03-01T09:00:00+00:00"


# --- classroom links -------------------------------------------------------


def test_locked_value_wins_and_the_control_is_disabled():
    at = open_page("explore", lr="5", lock="lr:0.02,image:noise", image="plane")
    no_exception(at)
    assert at.number_input(key="ex_lr").value == 0.02 and at.number_input(key="ex_lr").disabled
    assert at.selectbox(key="image").value == "noise" and at.selectbox(key="image").disabled
    assert "Classroom link" in at.info[0].value
    assert not at.number_input(key="ex_epochs").disabled
    # A forged change to a locked control does not stick.
    at.session_state["ex_lr"] = 7.0
    at.run()
    assert at.number_input(key="ex_lr").value == 0.02


def test_hidden_controls_are_left_out_but_still_apply():
    at = open_page("explore", epochs="50", hide="epochs,seed,batch")
    no_exception(at)
    keys = {w.key for w in at.number_input}
    assert "ex_epochs" not in keys and "ex_seed" not in keys and "ex_lr" in keys
    assert "at epoch 50:" in "".join(c.value for c in at.caption)
    assert at.query_params["hide"] == "epochs,seed,batch"


def test_lock_without_a_value_fixes_the_links_own_value():
    at = open_page("walk", speed="1.05", lock="speed")
    assert (
        at.number_input(key="wk_speed").value == 1.05 and at.number_input(key="wk_speed").disabled
    )
    assert all(b.disabled for b in at.button if b.key and b.key.startswith("wk_quick"))


def test_bad_lock_and_hide_names_get_notes():
    at = open_page("compare", lock="nope,rates:abc", hide="../x")
    no_exception(at)
    note = at.warning[0].value
    assert (
        "`lock` names `nope`" in note
        and "`lock=rates:abc`" in note
        and "`hide` names `../x`" in note
    )


def test_exercise_link_opens_the_chosen_exercise():
    at = open_page("exercises", exercise="scaling", lock="exercise,image,scale", image="stripes")
    assert at.radio(key="xr_exercise").value == "scaling" and at.radio(key="xr_exercise").disabled
    assert at.selectbox(key="image").disabled and "stripes" in "".join(
        m.value for m in [*at.markdown, *at.caption]
    )


def test_link_maker_builds_a_link_that_opens_as_described():
    at = open_page("exercises", exercise="largest")
    at.selectbox(key="xr_link_page").set_value("Explore one rate").run()
    at.multiselect(key="xr_link_lock").set_value(["image", "scale", "epochs"])
    at.multiselect(key="xr_link_hide").set_value(["seed", "batch"]).run()
    link = [c.value for c in at.code if "lock=" in c.value][0]
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))
    assert query["lock"] == "image,scale,epochs" and query["hide"] == "seed,batch"
    assert (query["image"], query["scale"], query["epochs"]) == ("scene", "unit", "200")
    opened = open_page("explore", **query)
    no_exception(opened)
    assert opened.selectbox(key="image").disabled and opened.number_input(key="ex_epochs").disabled
    assert "ex_seed" not in {w.key for w in opened.number_input}
