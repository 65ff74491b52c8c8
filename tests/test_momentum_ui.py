"""Momentum and schedules on the dashboard, in AppTest (and one real browser test).

Each control and chart is checked against the engine: the curve drawn is the
run's, the rate chart is the schedule's numbers, the map's cells are the exact
counts, and the words agree with the verdict of ``gdcore.verdicts.optimizer_verdict``.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import (
    all_text,
    chart_data,
    chart_datasets,
    no_exception,
    open_boxes,
    open_page,
    schema_problem,
    specs,
    verdict_text,
)

import gdcore
from gdcore.bowl import landscape
from gdcore.bowl.forecast import momentum_epochs_to_target
from gdcore.bowl.settling import run_settling
from gdcore.descent.optimizer import Optimizer
from gdcore.descent.schedules import rate_factors
from gdcore.learner import exercises
from gdcore.verdicts.diagnosis import edge
from gdcore.verdicts.optimizer_verdict import diagnose_optimizer_run
from gdcore.verdicts.optimizer_words import near_one
from ui import cached, edges
from ui import text as ui_text
from ui.charts import DIRECTION_NAMES
from ui.fields import COMPARE
from ui.rules import RunList

SCENE = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
BOWL = gdcore.quadratic(SCENE)
TH = gdcore.theory(BOWL)
EDGE = TH.critical_lr
W0 = np.zeros(3)


def _titles(at) -> list[str]:
    out = []
    for s in specs(at):
        t = s.get("title")
        t = t.get("text") if isinstance(t, dict) else t
        out.append(" ".join(t) if isinstance(t, list) else t)  # a long title is in lines
    return out


def _chart(at, title: str) -> int:
    return _titles(at).index(title)


def test_explore_momentum_saves_a_rate_above_the_edge_and_says_so():
    lr = float(f"{1.5 * EDGE:.4g}")
    at = open_page("explore", lr=str(lr))
    assert "TOO LARGE" in verdict_text(at)
    at.number_input(key="ex_momentum").set_value(0.9).run()
    no_exception(at)
    card = verdict_text(at)
    res = gdcore.run_descent(SCENE, [lr], 200, optimizer=Optimizer(0.9))
    d = diagnose_optimizer_run(res.errors[0], lr, TH, W0, optimizer=Optimizer(0.9))
    assert d.verdict != "too large" and "saved it" in d.reason
    assert d.verdict.upper() in card and "momentum β = 0.9 saved it" in card
    # The error curve drawn is the engine's run with momentum.
    data = chart_data(at, 0)
    drawn = dict(zip(data["epoch"], data["error"], strict=False))
    for k in (0, 1, 10, 100, 200):
        assert drawn[k] == pytest.approx(res.errors[0][k], rel=1e-12)
    # The story and the rate chart: the heavy ball's edge 2(1+β)/λmax.
    text = all_text(at)
    assert (
        "heavy" in text
        and f"{gdcore.verdicts.diagnosis.edge(TH.critical_lr_for(Optimizer(0.9))):g}" in text
    )
    i = _chart(at, "The rate each epoch stepped with")
    rates = chart_data(at, i)
    assert set(rates["rate"][: len(rates["epoch"])]) == {lr}
    assert TH.critical_lr_for(Optimizer(0.9)) in rates["rate"]  # the dashed line of the wider edge


def test_explore_schedule_and_warmup_draw_the_rate_of_every_epoch():
    at = open_page("explore", lr="2", schedule="step:50:0.5", warmup="10", epochs="300")
    open_boxes(at, "bowl")  # why, in words: the schedule said there
    no_exception(at)
    assert at.text_input(key="ex_schedule").value == "step:50:0.5"
    assert at.number_input(key="ex_warmup").value == 10
    i = _chart(at, "The rate each epoch stepped with")
    data = chart_data(at, i)
    want = 2 * rate_factors("step:50:0.5", 300, 10)
    got = dict(zip(data["epoch"], data["rate"], strict=False))
    for k in (0, 5, 9, 10, 49, 50, 120, 299):
        assert got[k] == pytest.approx(want[k], rel=1e-12)
    res = gdcore.run_descent(
        SCENE, [2.0], 300, optimizer=Optimizer(schedule="step:50:0.5", warmup=10)
    )
    d = diagnose_optimizer_run(
        res.errors[0], 2.0, TH, W0, optimizer=Optimizer(schedule="step:50:0.5", warmup=10)
    )
    assert d.verdict.upper() in verdict_text(at)
    # 2 is 1.53× the edge for 50 epochs: the error leaves the chart before the schedule
    # brings the rate down, so the start is too large although the run settles later.
    # The reason tells both, each number read off this run: the warm-up starts the rate low.
    e = res.errors[0]
    peak = int(np.argmax(e))
    assert d.verdict == "too large" and d.reason.startswith("too large at the start, saved by")
    assert f"spikes to {e[peak] / e[0]:.3g}× its start at epoch {peak:,}" in d.reason
    assert f"the rate starts at {want[0]:.3g}, peaks at {want.max():.3g} at epoch 9" in d.reason
    assert "from epoch 50 on it is below" in d.reason
    settles = run_settling(e, TH.bowl, W0)
    assert f"then it settles within 1% of the lowest error E* at epoch {settles:,}" in d.reason
    assert "a warm-up over 10 epochs, then a rate that halves" in all_text(at)


def test_explore_nesterov_changes_the_run():
    at = open_boxes(open_page("explore", lr="0.5", momentum="0.5"), "bowl")
    plain_heavy = chart_data(at, 0)["error"]
    at.checkbox(key="ex_nesterov").check().run()
    no_exception(at)
    res = gdcore.run_descent(SCENE, [0.5], 200, optimizer=Optimizer(0.5, nesterov=True))
    drawn = chart_data(at, 0)
    assert drawn["error"] != plain_heavy
    assert dict(zip(drawn["epoch"], drawn["error"], strict=False))[50] == pytest.approx(
        res.errors[0][50], rel=1e-12
    )
    assert "Nesterov" in all_text(at)


def test_explore_new_settings_round_trip_through_the_url():
    at = open_page("explore")
    at.number_input(key="ex_momentum").set_value(0.75).run()
    at.checkbox(key="ex_nesterov").check().run()
    at.text_input(key="ex_schedule").input("exp:0.99").run()
    at.number_input(key="ex_warmup").set_value(7).run()
    no_exception(at)
    q = {k: at.query_params[k] for k in ("momentum", "nesterov", "schedule", "warmup")}
    assert q == {
        "momentum": ["0.75"],
        "nesterov": ["1"],
        "schedule": ["exp:0.99"],
        "warmup": ["7"],
    } or q == {"momentum": "0.75", "nesterov": "1", "schedule": "exp:0.99", "warmup": "7"}
    again = open_page("explore", momentum="0.75", nesterov="1", schedule="exp:0.99", warmup="7")
    assert again.number_input(key="ex_momentum").value == 0.75
    assert again.checkbox(key="ex_nesterov").value is True
    assert again.text_input(key="ex_schedule").value == "exp:0.99"
    assert again.number_input(key="ex_warmup").value == 7
    assert verdict_text(again) == verdict_text(at)


def test_explore_bad_settings_in_a_link_say_what_is_allowed():
    at = open_page("explore", momentum="1", schedule="exp:2", warmup="-1")
    no_exception(at)
    note = all_text(at)
    assert "`momentum=1`" in note and "< 1" in note
    assert "`schedule=exp:2`" in note and "step:EVERY:FACTOR" in note
    assert "`warmup=-1`" in note and "whole number" in note
    at = open_page("explore", nesterov="1")
    assert "needs a momentum" in all_text(at) and "running without Nesterov" in all_text(at)
    at = open_page("explore")
    at.text_input(key="ex_schedule").input("sometimes").run()
    no_exception(at)
    assert "unknown schedule" in all_text(at) and "running with a constant rate" in all_text(at)


def test_compare_runs_with_their_own_settings_sit_on_one_chart():
    at = open_page("compare", rates="1.2", runs="1.2 momentum=0.9;2 schedule=exp:0.99")
    no_exception(at)
    verdicts = at.dataframe[0].value
    assert verdicts["run"].tolist() == ["rate 1.2", "rate 1.2, β 0.9", "rate 2, exp:0.99"]
    errors = at.dataframe[1].value
    heavy = gdcore.run_descent(SCENE, [1.2], 300, optimizer=Optimizer(0.9)).errors[0]
    np.testing.assert_allclose(errors["rate 1.2, β 0.9"], heavy, rtol=1e-12)
    sched = gdcore.run_descent(SCENE, [2.0], 300, optimizer=Optimizer(schedule="exp:0.99"))
    d = diagnose_optimizer_run(
        sched.errors[0], 2.0, TH, W0, optimizer=Optimizer(schedule="exp:0.99")
    )
    assert verdicts["verdict"].tolist()[2] == d.verdict and verdicts["reason"][2] == d.reason
    assert set(chart_data(at, 0)["run"]) == set(verdicts["run"])


def test_compare_best_pair_button_adds_the_theorys_pair_to_the_table_and_link():
    at = open_page("compare")
    button = next(b for b in at.button if b.key == "cmp_best_pair")
    button.click().run()
    no_exception(at)
    lr, beta = float(f"{TH.optimal_momentum_lr:.4g}"), round(TH.optimal_momentum, 4)
    verdicts = at.dataframe[0].value
    assert verdicts["run"].tolist()[-1] == f"rate {lr:g}, β {beta:g}"
    raw = at.query_params["runs"]
    raw = raw[0] if isinstance(raw, list) else raw
    assert raw == f"{lr!r} momentum={beta!r}"
    assert RunList().convert(raw)[0].optimizer == Optimizer(beta)
    k = momentum_epochs_to_target(BOWL, lr, W0, Optimizer(beta))
    assert f"at epoch {k:,}" in verdicts["reason"].tolist()[-1]


def test_compare_a_bad_run_in_a_link_is_named():
    at = open_page("compare", runs="1.2 momentum=0.5;1 bounce=3")
    no_exception(at)
    field = next(f for f in COMPARE if f.url == "runs")
    assert field.param.rule.what_was_given("1.2 momentum=0.5;1 bounce=3").startswith("run 2")
    assert "`runs=1.2 momentum=0.5;1 bounce=3`" in all_text(at)
    assert len(at.dataframe[0].value) == 3  # the theory's three rates stand in


def test_walk_draws_the_heavy_ball_beside_the_plain_path():
    at = open_page("walk", momentum="0.9", speed="1.2", epochs="40")
    no_exception(at)
    titles = _titles(at)
    plain_at = titles.index(next(t for t in titles if t.startswith("Plain steps at rate")))
    heavy_at = titles.index("The heavy ball, β = 0.9, at the same rate")
    heavy = landscape.walk(BOWL, [1, 2], 1.2, 40, optimizer=Optimizer(0.9))
    plain = landscape.walk(BOWL, [1, 2], 1.2, 40)
    for i, w in ((heavy_at, heavy), (plain_at, plain)):
        data = next(d for d in chart_datasets(at, i) if "epoch" in d)
        xs = dict(zip(data["epoch"], data["x"], strict=True))
        for k, p in zip(w.epochs, w.points, strict=True):
            assert xs[int(k)] == pytest.approx(p[0], rel=1e-12)
    text = all_text(at)
    assert "(above 1: they explode)" in text  # plain at 1.2 × the edge
    assert "spiralling in" in text and "(above 1: it explodes)" not in text
    at = open_page("walk")
    assert len(at.get("vega_lite_chart")) == 2  # no heavy ball at β = 0


def test_sweep_map_cells_are_the_exact_counts():
    at = open_page("sweep", epochs="300")
    no_exception(at)
    i = _chart(at, "Epochs to settle within 1% of E*, over rate × momentum")
    data = chart_data(at, i)
    cells = list(zip(data["lr"], data["momentum"], data["reads"], strict=False))
    assert len({(lr, b) for lr, b, _ in cells}) == cached.MAP_RATES * cached.MAP_MOMENTA
    checked = 0
    for lr, b, reads in cells[::37]:
        k = momentum_epochs_to_target(BOWL, lr, W0, Optimizer(b), limit=300)
        if lr >= TH.critical_lr_for(Optimizer(b)):
            assert reads == "never settles"
        elif k is None:
            assert reads == "more than 300 epochs"
        else:
            assert reads == f"{k:,} epochs"
            checked += 1
    assert checked > 3
    # The edge line and the best pair are drawn with the theory's numbers.
    assert TH.optimal_momentum_lr in data["lr"] and TH.critical_lr in data["lr"]
    assert "best pair" in all_text(at) and "heavy" in all_text(at)


def test_the_momentum_exercise_checks_an_answer_with_the_theory():
    at = open_page("exercises", exercise="momentum")
    no_exception(at)
    assert "heavy" in all_text(at)
    at.number_input(key="xr_momentum").set_value(0.3).run()
    next(b for b in at.button if b.key == "xr_check_momentum").click().run()
    assert at.error and "explodes" in at.error[0].value
    at.number_input(key="xr_momentum").set_value(0.8).run()
    next(b for b in at.button if b.key == "xr_check_momentum").click().run()
    fb = exercises.check_momentum(0.8, TH, W0)
    assert fb.correct and at.success[0].value == fb.message


@pytest.mark.browser
def test_changing_momentum_in_the_sidebar_changes_the_chart(tab):  # noqa: F811 (a fixture)
    lr = f"{1.5 * EDGE:.4g}"
    tab.open("explore", f"lr={lr}")
    before = tab.chart_pixels()
    assert "TOO LARGE" in tab.verdict()
    side = tab.page.locator("[data-testid='stSidebar']")
    side.get_by_text("Run settings: epochs, start, batch, momentum").click()
    box = tab.page.get_by_label("Momentum β (0 = plain descent)", exact=True)
    box.fill("0.9")
    with tab.reruns():
        box.press("Enter")
    assert "momentum=0.9" in tab.page.url
    assert "TOO LARGE" not in tab.verdict() and "saved it" in tab.verdict()
    assert tab.chart_pixels() != before
    # The rate each epoch used joins the error chart; each direction of the bowl and the
    # weights join them once their boxes are opened (built once opened).
    charts = tab.main.locator("[data-testid='stVegaLiteChart']")
    assert charts.count() == 2
    for opener in ("Why? What the bowl says about your rate", "How the three weights moved"):
        with tab.reruns():
            tab.main.get_by_text(opener).click()
    charts.nth(3).wait_for(timeout=60_000)
    assert charts.count() == 4
    assert tab.page.locator("[data-testid='stException']").count() == 0
    assert not tab.errors, tab.errors


def test_walk_heavy_ball_button_sets_the_momentum():
    at = open_page("walk")
    next(b for b in at.button if b.key == "wk_heavy").click().run()
    no_exception(at)
    assert at.number_input(key="wk_momentum").value == 0.9
    assert "The heavy ball, β = 0.9, at the same rate" in _titles(at)


def test_compare_runs_locked_by_a_classroom_link_cannot_be_edited():
    at = open_page("compare", runs="1.2 momentum=0.9", lock="runs")
    no_exception(at)
    assert next(b for b in at.button if b.key == "cmp_best_pair").disabled
    assert at.dataframe[0].value["run"].tolist()[-1] == "rate 1.2, β 0.9"
    at = open_page("compare", runs="1.2 momentum=0.9", hide="runs")
    assert not [b for b in at.button if b.key == "cmp_best_pair"]
    assert at.dataframe[0].value["run"].tolist()[-1] == "rate 1.2, β 0.9"  # still applies


OPTIMIZER_LINKS = [
    ("explore", {"lr": "2", "momentum": "0.9", "schedule": "step:50:0.5", "warmup": "5"}),
    ("explore", {"lr": "0.005", "momentum": "0.9", "nesterov": "1"}),
    ("compare", {"runs": "1.2 momentum=0.9;2 schedule=exp:0.99"}),
    ("walk", {"momentum": "0.9", "speed": "2.5"}),
    ("sweep", {"scale": "raw", "epochs": "2000"}),
]


@pytest.mark.parametrize(("name", "query"), OPTIMIZER_LINKS)
def test_every_new_chart_is_valid_vega_lite_and_says_what_it_shows(name, query):
    """The app skips Altair's schema check for speed (``ui.specs``): this is that check."""
    import re

    at = open_page(name, **query)
    no_exception(at)
    for spec in specs(at):
        problem = schema_problem(spec)
        assert problem is None, (spec.get("title"), problem)
        said, title = spec.get("description", ""), spec.get("title", "")
        title = title if isinstance(title, str) else title.get("text", "")
        title = " ".join(title) if isinstance(title, list) else title  # a long title, in lines
        assert said.startswith(title) and re.search(r"\d", said[len(title) :]), said


@pytest.mark.browser
def test_editing_a_run_in_compares_table_changes_the_chart_and_the_link(tab):  # noqa: F811
    tab.open("compare", "rates=1.2&runs=1.2+momentum%3D0.9")
    before = tab.chart_pixels()
    grid = tab.page.locator("[data-testid='stSidebar'] [data-testid='stDataFrame']")
    grid.scroll_into_view_if_needed()
    # The grid draws its cells on a canvas: the first row is reached by focus through the
    # grid's accessible table, then by keys, until the cell's editor shows the momentum, 0.9
    # (no double-click at a position after a fixed wait).
    first = grid.locator("[data-testid='glide-cell-1-0']")
    first.wait_for(state="attached", timeout=30_000)
    first.evaluate("cell => cell.focus()")
    editor = tab.page.locator(".gdg-input").first
    for _ in range(4):
        tab.page.keyboard.press("Enter")
        editor.wait_for(timeout=30_000)
        if editor.input_value() == "0.9":
            break
        tab.page.keyboard.press("Escape")
        editor.wait_for(state="detached", timeout=30_000)
        tab.page.keyboard.press("ArrowRight")
    assert editor.input_value() == "0.9"
    # Typed into the editor itself (keys sent to the page once went elsewhere, before the
    # editor had the focus, and Tab then kept 0.9: no change, no run), checked, then kept.
    editor.fill("0.5")
    assert editor.input_value() == "0.5"
    with tab.reruns():
        editor.press("Tab")
        tab.page.mouse.click(700, 100)
    assert "runs=1.2+momentum%3D0.5" in tab.page.url, tab.page.url
    assert "rate 1.2, β 0.5" in tab.main.inner_text()
    assert tab.chart_pixels() != before
    assert tab.page.locator("[data-testid='stException']").count() == 0
    assert not tab.errors, tab.errors


def test_explore_draws_each_direction_of_the_bowl_from_the_forecast():
    at = open_boxes(open_page("explore", lr="0.005", momentum="0.9"), "bowl")
    no_exception(at)
    i = _chart(at, "The error along each direction")
    data = chart_data(at, i)
    m = gdcore.bowl.forecast.milestones(BOWL, 0.005, 200, W0, optimizer=Optimizer(0.9))
    res = gdcore.run_descent(SCENE, [0.005], 200, optimizer=Optimizer(0.9))
    # The directions add up to the run's excess error: a second implementation.
    np.testing.assert_allclose(m.excess.sum(axis=0) + BOWL.error_star, res.errors[0], rtol=1e-9)
    for name, lam, row in zip(DIRECTION_NAMES, m.eigenvalues, m.excess, strict=True):
        got = {
            e: v
            for d, c, e, v in zip(
                data["direction"], data["curvature"], data["epoch"], data["excess"], strict=True
            )
            if d == name and c == lam
        }
        for k in (0, 1, 50, 200):
            assert got[k] == pytest.approx(row[k], rel=1e-12)
    text = all_text(at)
    assert "The slowest here is the **flattest** direction" in text
    assert f"keeps **{near_one(float(m.factors[0]))}**" in text


def test_a_growing_direction_is_never_called_the_slowest():
    """Rate 2 with a step schedule: at the base rate the steepest direction grows (its factor
    is above 1) while the run settles; the story says it grows, not that it is slowest."""
    optimizer = Optimizer(schedule="step:50:0.5")
    m = gdcore.bowl.forecast.milestones(BOWL, 2.0, 300, W0, optimizer=optimizer)
    text = ui_text.directions_story(m, 2.0, optimizer)
    assert m.factors[2] > 1 and "slowest" not in text
    assert (
        "the **steepest** direction grows" in text and f"**{m.factors[2]:.3f}** (above 1)" in text
    )
    left = DIRECTION_NAMES[int(np.argmax(m.excess[:, -1]))]
    assert f"At the last epoch the **{left}** direction holds most" in text


def test_the_story_reads_the_rate_of_every_epoch_and_compares_edges_as_numbers():
    lr, optimizer = 1.96, Optimizer(schedule="cosine", warmup=50)
    used = edges.rates_used(lr, 300, optimizer)
    text = ui_text.momentum_story(TH, lr, optimizer, 300)
    # A warm-up starts low: the story's start is epoch 0's rate, the peak where it is.
    assert "is the start" not in text
    assert f"the steps start at {used[0]:.3g} (epoch 0)" in text
    assert f"reach {used.max():.3g} at epoch {int(np.argmax(used)):,}" in text
    assert f"{int((used > TH.critical_lr).sum()):,} of 300 epochs are above the edge" in text
    plain = ui_text.momentum_story(TH, lr, Optimizer(schedule="exp:0.99"), 300)
    assert f"Your rate **{lr:g}** is the start" in plain
    # Nesterov: its edge is said lower than the plain one because it is, by the numbers.
    for beta in (0.1, 0.5, 0.9, 0.99):
        nest = Optimizer(momentum=beta, nesterov=True)
        text = ui_text.momentum_story(TH, 0.5, nest, 200)
        wide, heavy = TH.critical_lr_for(nest), TH.critical_lr_for(Optimizer(beta))
        side = "lower" if wide < TH.critical_lr else "higher"
        assert f"Nesterov's edge is **{edge(wide):g}**, {side} than that" in text
        assert f"the heavy ball's without the look-ahead would be {edge(heavy):g}" in text
        assert "heavy ball's edge is" not in text
    # β with the digits that tell it apart.
    close = ui_text.momentum_story(TH, 0.5, Optimizer(momentum=0.9999999999999999), 200)
    assert "β = 0.9999999999999999" in close and "β = 1 " not in close


from test_browser import browser, server, tab  # noqa: E402, F401  (the browser test's fixtures)
