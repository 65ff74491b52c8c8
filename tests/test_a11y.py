"""Charts from cached specs, and the text alternatives of charts and pictures.

The spec a page sends is checked against Streamlit's own conversion (a second
implementation); the cache against the sampled-hash trap; each text
alternative against the engine's numbers. The browser side (axe-core on every
page, in both themes) is in tests/test_browser.py.
"""

import io
import re

import altair as alt
import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from helpers import (
    PAGE_IDS,
    chart_data,
    no_exception,
    open_boxes,
    open_page,
    schema_problem,
    specs,
)
from streamlit.testing.v1 import AppTest

import gdcore
from ui import cached as ui_cached
from ui import charts
from ui import specs as ui_specs
from ui.image import ImageChoice
from ui.pictures import picture_texts

LESSON = np.array([[2.0, 0.1, 5.0, 20.0]])  # the lesson's exercise: too large


def _drawn(script) -> dict:
    """The spec and datasets an AppTest script sends for its one chart."""
    at = AppTest.from_function(script, default_timeout=30).run()
    assert not at.exception, at.exception
    (el,) = at.get("vega_lite_chart")
    return {"spec": el.proto.spec, "data": sorted(d.data.data for d in el.proto.datasets)}


def _unnamed(spec: str) -> str:
    # Dataset names are content hashes; the two ways hash differently.
    return re.sub(r'"name": "[^"]*"', '"name": "…"', spec)


def test_a_cached_spec_draws_exactly_what_st_altair_chart_draws():
    def theirs():
        import numpy as np
        import streamlit as st

        from ui import charts

        lesson = np.array([[2.0, 0.1, 5.0, 20.0]])
        chart, _ = charts.error_view(["yours"], lesson, np.array([-1]), error_star=0.05)
        st.altair_chart(chart, width="stretch")

    def ours():
        import numpy as np
        import streamlit as st

        from ui import cached, charts

        lesson = np.array([[2.0, 0.1, 5.0, 20.0]])
        spec, _ = cached.chart_spec(
            charts.error_view, ["yours"], lesson, np.array([-1]), error_star=0.05
        )
        st.vega_lite_chart(spec, width="stretch")

    a, b = _drawn(theirs), _drawn(ours)
    assert a["data"] == b["data"] and len(a["data"]) >= 2
    assert _unnamed(a["spec"]) == _unnamed(b["spec"])


def test_a_spec_is_built_once_per_content_and_never_shared_by_different_content():
    built = []

    def build(values: np.ndarray) -> alt.Chart:
        built.append(1)
        return alt.Chart(pd.DataFrame({"v": values[:3]})).mark_point().encode(y=alt.Y("v:Q"))

    big = np.zeros(600_000)  # Streamlit would hash this from a 100,000-element sample
    other = big.copy()
    other[-1] = 1.0  # differs only outside any sample
    ui_cached.chart_spec(build, big)
    ui_cached.chart_spec(build, big.copy())
    assert len(built) == 1
    assert ui_specs.digest(build, (big,), {}) != ui_specs.digest(build, (other,), {})
    ui_cached.chart_spec(build, other)
    assert len(built) == 2


def test_the_lesson_curve_is_told_with_its_verdict_and_numbers():
    diag = gdcore.diagnose_curve(LESSON[0], None)
    chart, _ = charts.error_view(
        ["your curve"], LESSON, title="Your curve", verdicts=[diag.verdict], error_star=0.05
    )
    said = chart.to_dict()["description"]
    assert said == (
        "Your curve. 1 line, error against epoch 0 to 3. "
        "your curve (too large): 2 at epoch 0 to 20 at epoch 3. Lowest possible error E* = 0.05."
    )
    # 10x the start is the top of the view: a curve that passes it is told so, note and all.
    chart, _ = charts.error_view(["yours"], LESSON * [1, 1, 1, 1.5], verdicts=[diag.verdict])
    assert chart.to_dict()["description"].endswith(
        "yours (too large): 2 at epoch 0 to 30 at epoch 3, off the top of the chart from "
        "epoch 3. Note: from epoch 3 the error climbs past the top of this chart (over 10× the "
        "largest start); the tables keep every value."
    )


def test_a_run_that_blows_up_is_told_where_the_numbers_overflow():
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 16), "unit")
    th = gdcore.theory(gdcore.quadratic(table))
    res = gdcore.run_descent(table, [3 * th.critical_lr], 2000)
    (d,) = res.diverged_epoch
    assert d > 0
    chart, _ = charts.error_view(["rate r"], res.errors, res.diverged_epoch)
    said = chart.to_dict()["description"]
    assert f"to {res.errors[0, d - 1]:.4g} at epoch {d - 1:,}, " in said
    assert f"then the numbers overflow at epoch {d:,}" in said


def test_many_runs_are_told_one_by_one_up_to_a_limit():
    errors = np.ones((11, 5))
    said = charts.describe_runs("T", [f"r{i}" for i in range(11)], errors)
    assert said.count(": 1 at epoch 0 to 1 at epoch 4.") == charts.DESCRIBED_RUNS
    assert "And 3 more lines; the tables have them." in said


@pytest.mark.parametrize("name", PAGE_IDS)
def test_every_chart_on_every_page_says_what_it_shows_with_numbers(name):
    at = open_page(name, **({"exercise": "read"} if name == "exercises" else {}))
    no_exception(at)
    for spec in specs(at):  # how many charts a page draws is test_app.py's business
        said = spec.get("description", "")
        title = spec.get("title", "")
        title = title if isinstance(title, str) else title.get("text", "")
        title = " ".join(title) if isinstance(title, list) else title  # a long title, in lines
        assert said.startswith(title) and len(said) > len(title) + 20, said
        assert re.search(r"\d", said[len(title) :]), said


LINKS = [(name, {}) for name in PAGE_IDS] + [
    ("explore", {"lr": "3", "log": "1", "epochs": "5000"}),
    ("compare", {"also": "plane,noise", "rates": "0.01,0.5,3"}),
    ("sweep", {"points": "200"}),
    ("walk", {"speed": "1.05", "pair": "w0,w2"}),
    ("exercises", {"exercise": "read"}),
]


@pytest.mark.parametrize(("name", "query"), LINKS)
def test_every_chart_sent_is_valid_vega_lite(name, query):
    """The app skips Altair's schema check for speed (ui.specs.VALIDATE); this is that check."""
    at = open_page(name, **query)
    no_exception(at)
    for spec in specs(at):
        problem = schema_problem(spec)
        assert problem is None, (spec.get("title"), problem)


def test_the_schema_check_finds_a_broken_spec():
    chart, _ = charts.error_view(["yours"], LESSON)
    spec = ui_specs.vega_lite(chart)
    del spec["datasets"]  # Arrow bytes: Streamlit moves them out of the spec it sends
    assert schema_problem(spec) is None
    spec["layer"][0]["mark"] = {"type": "not a mark"}
    assert schema_problem(spec) is not None


def test_explore_tells_the_verdict_of_its_run_in_the_chart():
    # Explore's charts are redrawn in place (ui.specs): what stays is the chart's description;
    # each line's own label (its aria-label in the browser) tells its run's numbers.
    at = open_boxes(open_page("explore", lr="3"), "weights")
    errors, weights = specs(at)[:2]
    assert charts.LINES_TOLD in errors["description"] and "E* = " in errors["description"]
    (said,) = set(chart_data(at, 0)["said"]) - {None}
    assert said.startswith("rate 3 (too large): ") and "Note: " in said  # notes and all
    told = set(chart_data(at, 1)["said"]) - {None}
    assert len(told) == 3 and all("(best value " in t for t in told)
    assert weights["description"].endswith(charts.LINES_TOLD)


def test_a_new_rate_on_explore_is_the_same_chart_with_new_data():
    """What lets the browser redraw Explore's charts in place instead of building them anew:
    the same spec, dataset names and row counts (Streamlit's frontend rebuilds a chart when
    any of them changes), with new data, at two good rates."""
    one, two = (open_boxes(open_page("explore", lr=r), "weights") for r in ("0.5", "0.4"))
    for i in range(2):
        a, b = at_chart(one, i), at_chart(two, i)
        assert a.spec == b.spec
        assert [d.name for d in a.datasets] == [d.name for d in b.datasets]
        assert rows(a) == rows(b)
        assert [d.data.data for d in a.datasets] != [d.data.data for d in b.datasets]
    words = [set(chart_data(at, 0)["said"]) for at in (one, two)]
    assert words[0] != words[1] and all(len(w) == 1 for w in words)


def at_chart(at, i):
    return at.get("vega_lite_chart")[i].proto


def rows(chart):
    return [
        (d.name, pa.ipc.open_stream(io.BytesIO(d.data.data)).read_all().num_rows)
        for d in chart.datasets
    ]


def test_pictures_are_described_with_their_numbers():
    pixels = gdcore.builtin_image("plane", 8)
    choice = ImageChoice(("builtin", "plane", 8), "plane (8×8)", pixels)
    prediction = np.full_like(pixels, 100.0)
    residual = pixels - prediction
    image, pred, res = picture_texts(choice, prediction, residual, 7)
    assert image == (
        f"Your image, plane (8×8): 8×8 pixels, brightness from {pixels.min():.4g} to "
        f"{pixels.max():.4g}."
    )
    assert "at epoch 7: a flat ramp of brightness from 100 to 100" in pred
    assert f"on average {np.abs(residual).mean():.4g} away" in res


def test_a_blown_up_prediction_is_described_as_such():
    pixels = gdcore.builtin_image("plane", 8)
    choice = ImageChoice(("builtin", "plane", 8), "plane (8×8)", pixels)
    nan = np.full_like(pixels, np.nan)
    _, pred, res = picture_texts(choice, nan, pixels - nan, 3)
    assert "no finite values (the run blew up)" in pred and "on average" not in res


def test_verdict_cells_carry_their_own_background_and_a_legible_ink():
    def luminance(hex_colour: str) -> float:
        c = np.array([int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)])
        c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
        return float(c @ [0.2126, 0.7152, 0.0722])

    for verdict, colour in charts.VERDICT_COLOURS.items():
        a, b = sorted([luminance(colour), luminance(charts.VERDICT_INK[verdict])])
        assert (b + 0.05) / (a + 0.05) >= 4.5, verdict
    styled = charts.verdict_style(pd.DataFrame({"verdict": ["good"]}), {}).to_html()
    assert "background-color: #009E73" in styled and "color: #000000" in styled


def _keep_shape_loop(values: np.ndarray, max_points: int) -> np.ndarray:
    """keep_shape as first written, one stretch at a time: the reference."""
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    finite = np.isfinite(values)
    low, high = np.where(finite, values, np.inf), np.where(finite, values, -np.inf)
    edges = np.linspace(0, n, max(max_points // 2, 1) + 1).astype(int)
    keep = [0, n - 1]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        if b > a and finite[a:b].any():
            keep += [a + int(np.argmin(low[a:b])), a + int(np.argmax(high[a:b]))]
    if finite.any():
        keep.append(int(np.flatnonzero(finite)[-1]))
    return np.unique(keep)


@pytest.mark.parametrize("seed", range(40))
def test_keep_shape_picks_the_same_points_as_the_loop_it_replaced(seed):
    rng = np.random.default_rng(seed)
    for _ in range(25):
        n, most = int(rng.integers(1, 500)), int(rng.integers(1, 80))
        if seed % 2:  # ties, NaN, infinities: argmin and argmax pick the first of equals
            values = rng.choice([0.0, 1.0, 2.0, np.nan, np.inf, -np.inf], size=n)
        else:
            values = np.cumsum(rng.normal(size=n))
        if seed % 4 == 1:
            values[int(rng.integers(0, n)) :] = np.nan  # a run that blew up
        np.testing.assert_array_equal(
            charts.keep_shape(values, most), _keep_shape_loop(values, most)
        )
