"""Every page in AppTest: defaults, controls, links, hostile links, uploads, downloads."""

import io
import re

import numpy as np
import pandas as pd
import pytest
from helpers import (
    PAGE_IDS,
    cards,
    chart_data,
    chart_datasets,
    no_exception,
    open_boxes,
    open_page,
    png,
    save,
    specs,
    verdict_text,
)
from PIL import Image
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import app_test as app_test_module

import gdcore
from ui import charts
from ui.registry import BY_ID

DEFAULT_CHARTS = {
    "explore": 1,  # the error (the weights open on a click)
    "compare": 1,
    "sweep": 3,  # final error and epochs to 1%, against the rate; the rate × momentum map
    "walk": 2,  # one weight, two weights
    "step": 1,
    "diagnose": 1,
    "exercises": 0,
    "check": 1,  # the exact curve of the setup, until the learner gives their errors
}


@pytest.mark.parametrize("name", PAGE_IDS)
def test_every_page_renders_with_defaults(name):
    at = open_page(name)
    no_exception(at)
    # "Predict, then run" shows no chart until the learner has committed.
    assert len(at.get("vega_lite_chart")) == DEFAULT_CHARTS[name]
    for i, spec in enumerate(specs(at)):
        assert spec.get("layer") or spec.get("mark")
        assert any(len(v) >= 1 for v in chart_data(at, i).values())  # real points drawn
    assert not at.warning  # no notes when the link is clean
    assert at.title[0].value.endswith(BY_ID[name].title)


def test_explore_builds_what_a_learner_opens_only_once_opened():
    """Issue 24.7: Explore's first screen sends no closed box's contents (a closed plain
    expander's are computed and drawn all the same); a click on each builds them."""
    import gdcore
    from ui.explore import OPEN

    at = open_page("explore")
    no_exception(at)
    boxes = {e.label for e in at.get("expander")}
    assert {
        "Start here: the lesson, page by page",
        "Image gallery: pick a built-in image",
        "The maths behind this",
        "Why? What the bowl says about your rate",
        "How the three weights moved",
        "The pixel table: the rows the model learns from",
        "Get this run as code",
        "Share this run",
    } <= boxes
    links = at.get("page_link")
    assert len(links) == len(PAGE_IDS)  # the sidebar's pages, not the lesson's map as well
    assert not [b for b in at.button if b.key and b.key.startswith("thumb_")]
    assert not at.metric and not at.dataframe and not at.code and not at.get("download_button")
    assert (
        len(at.get("vega_lite_chart")) == 1 and len(at.get("image")) == 1
    )  # the error chart, the three pictures as one
    assert not [m for m in at.markdown if "Steps get too long" in m.value]  # the bowl's story

    open_boxes(at, *OPEN)
    no_exception(at)
    assert len(at.get("page_link")) > len(PAGE_IDS)
    thumbs = [b for b in at.button if b.key and b.key.startswith("thumb_")]
    assert len(thumbs) == len(gdcore.BUILTINS)
    assert len(at.metric) == 4 and len(at.dataframe) == 1 and len(at.get("download_button")) == 2
    assert len(at.get("vega_lite_chart")) == 2  # and the weights
    assert [m for m in at.markdown if "Steps get too long" in m.value]
    assert any("://" in c.value for c in at.code)
    at.session_state[OPEN["share"]] = False  # closed again: built no more
    at.run()
    assert not any("://" in c.value for c in at.code)


def test_explore_default_run_matches_the_engine():
    at = open_page("explore")
    assert not at.metric  # the bowl's numbers wait in "The maths behind this", built once opened
    open_boxes(at, "maths")
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    th = gdcore.theory(gdcore.quadratic(table))
    res = gdcore.run_descent(table, [0.5], 200)
    d = gdcore.diagnose_run(res.errors[0], 0.5, th, np.zeros(3))
    card = verdict_text(at)
    assert d.verdict.upper() in card and d.reason[1:40] in card
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["edge rate 2/λmax"] == f"{gdcore.verdicts.diagnosis.edge(th.critical_lr):g}"
    fast = gdcore.fastest_rate(th.bowl, np.zeros(3))
    assert metrics["fastest from this start"] == f"{fast.lr:g}"
    assert metrics["condition number κ"] == f"{th.condition_number:.4g}"


def test_explore_changing_the_rate_changes_verdict_and_chart():
    at = open_page("explore")
    before, chart_before = verdict_text(at), specs(at)[0]
    at.number_input(key="ex_lr").set_value(3.0).run()
    no_exception(at)
    after = verdict_text(at)
    assert "TOO LARGE" in after and after != before
    assert specs(at)[0] != chart_before
    assert at.query_params["lr"] == "3.0"


def test_explore_suggested_rate_button_applies_it():
    at = open_page("explore", lr="0.001")
    assert "TOO SMALL" in verdict_text(at)
    at.button(key="ex_use_suggestion").click().run()
    assert "GOOD" in verdict_text(at)


@pytest.mark.parametrize(
    ("image", "epochs", "first"),
    [("scene", 200, "ex_unit"), ("spot", 200, "ex_unit"), ("spot", 20000, "ex_use_suggestion")],
)
def test_explore_raw_scale_advises_normalizing_first_when_the_rate_cannot_finish(
    image, epochs, first
):
    """On the raw scale the suggested rate needs thousands of epochs: when that is more than
    the run has, normalizing is the first (primary) advice and the rate says what it needs."""
    at = open_page("explore", image=image, scale="raw", lr="0.5", epochs=str(epochs))
    no_exception(at)
    buttons = [b for b in at.button if b.key in ("ex_unit", "ex_use_suggestion")]
    assert [b.key for b in buttons][0] == first and len(buttons) == 2
    table = gdcore.pixel_table(gdcore.builtin_image(image, 64), "raw")
    bowl = gdcore.quadratic(table)
    th = gdcore.theory(bowl)
    d = gdcore.diagnose_run(
        gdcore.run_descent(table, [0.5], epochs).errors[0], 0.5, th, np.zeros(3)
    )
    shown = float(f"{d.suggested_lr:.6g}")
    needs = gdcore.epochs_to_target(bowl, shown, np.zeros(3))
    rate = at.button(key="ex_use_suggestion")
    if needs > epochs:
        assert (
            rate.label
            == f"Or try the rate {shown:g}: it needs {needs:,} epochs, this run has {epochs:,}"
        )
        assert at.button(key="ex_unit").label.startswith("Normalize the inputs first")
        assert (at.button(key="ex_unit").proto.type, rate.proto.type) == ("primary", "secondary")
    else:
        assert rate.label == f"Try the suggested rate {shown:g}" and rate.proto.type == "primary"
    # The settling epoch is the first epoch of a real run within 1% of E*.
    run = gdcore.run_descent(table, [shown], needs + 1).errors[0]
    goal = gdcore.bowl.theory.target_excess(bowl, np.zeros(3))
    assert run[needs] - th.error_star <= goal < run[needs - 1] - th.error_star


def test_explore_link_restores_the_run():
    at = open_page(
        "explore",
        image="noise",
        size="32",
        scale="raw",
        lr="2e-05",
        epochs="50",
        init="random",
        seed="7",
    )
    no_exception(at)
    assert at.selectbox(key="image").value == "noise"
    assert at.number_input(key="ex_lr").value == 2e-05
    table = gdcore.pixel_table(gdcore.builtin_image("noise", 32), "raw")
    th = gdcore.theory(gdcore.quadratic(table))
    res = gdcore.run_descent(table, [2e-05], 50, init="random", seed=7)
    d = gdcore.diagnose_run(res.errors[0], 2e-05, th, res.weights[0, 0])
    assert d.reason[1:50] in verdict_text(at)
    assert not at.warning


HOSTILE = {
    "image": "../../etc/passwd",
    "size": "1e309",
    "scale": "<script>alert(1)</script>",
    "lr": "nan",
    "epochs": "-5",
    "init": "ones",
    "seed": "9999999999999",
    "batch": "abc",
    "axis": "yes",
    "at": "inf",
}


def test_explore_hostile_link_falls_back_with_a_note():
    at = open_page("explore", **HOSTILE)
    no_exception(at)
    assert at.selectbox(key="image").value == "scene"
    assert at.number_input(key="ex_lr").value == 0.5
    note = at.warning[0].value
    for key in HOSTILE:
        assert f"`{key}=" in note
    assert "<script>" in note  # quoted as code, so it is shown and never run
    assert "GOOD" in verdict_text(at)


@pytest.mark.parametrize(
    ("name", "query", "widget", "expected"),
    [
        (
            "compare",
            {"rates": "0,-1", "also": "nope", "epochs": "1e309"},
            ("text_input", "cmp_rates"),
            "",
        ),
        ("sweep", {"from": "-3", "to": "inf", "points": "100000"}, ("slider", "sw_points"), 30),
        ("walk", {"weight": "w9", "speed": "1e6", "epochs": "0"}, ("radio", "wk_weight"), "w1"),
        ("step", {"w": "abc", "lr": "0", "steps": "-1"}, ("number_input", "st_w"), 1.0),
        (
            "diagnose",
            {"errors": "1,abc", "lr": "-2"},
            ("text_area", "dg_errors"),
            "2.0, 0.1, 5.0, 20",
        ),
    ],
)
def test_hostile_links_on_other_pages(name, query, widget, expected):
    at = open_page(name, **query)
    no_exception(at)
    kind, key = widget
    assert getattr(at, kind)(key=key).value == expected
    note = at.warning[0].value
    for k in query:
        assert f"`{k}=" in note


def test_compare_defaults_are_the_three_lesson_rates():
    at = open_page("compare")
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    rates = gdcore.three_rates(gdcore.theory(gdcore.quadratic(table)))
    verdicts = at.dataframe[0].value
    assert verdicts["rate"].tolist() == list(rates)
    assert verdicts["verdict"].tolist() == ["too small", "good", "too large"]


@pytest.mark.parametrize("rates", ["", "0.01, 0.3, 0.6, 30"])
def test_compare_draws_each_run_in_its_verdicts_colour(rates):
    """The lines wear the verdict table's colours: a good run is never drawn in orange."""
    at = open_page("compare", **({"rates": rates} if rates else {}))
    table = at.dataframe[0].value
    lines = next(
        layer
        for layer in specs(at)[0]["layer"]
        if layer["mark"]["type"] == "line" and "field" in layer["encoding"]["color"]
    )
    colour, dash = lines["encoding"]["color"]["scale"], lines["encoding"]["strokeDash"]["scale"]
    assert colour["domain"] == table["run"].tolist()
    assert colour["range"] == [charts.VERDICT_COLOURS[v] for v in table["verdict"]]
    styles = list(zip(map(str, colour["range"]), map(str, dash["range"]), strict=True))
    assert len(set(styles)) == len(styles)  # two runs of one verdict differ by their dashes
    assert specs(at)[0]["title"] == "Error over epochs, one line per run"


def test_compare_link_with_rates_and_images():
    at = open_page("compare", rates="0.1, 1", also="plane,noise", epochs="40")
    no_exception(at)
    verdicts = at.dataframe[0].value
    assert len(verdicts) == 6 and set(verdicts["image"]) == {"scene", "plane", "noise"}
    errors = at.dataframe[1].value
    assert errors.shape == (41, 7)


def test_compare_typing_rates_changes_the_result():
    at = open_page("compare")
    at.text_input(key="cmp_rates").input("0.3, 30").run()
    no_exception(at)
    assert at.dataframe[0].value["rate"].tolist() == [0.3, 30.0]
    at.text_input(key="cmp_rates").input("0.3, fast").run()
    assert "could not be used" in at.error[0].value


def _plain(markdown: str) -> str:
    return markdown.replace("\\", "")


AUTO = ["rate 0.0126", "rate 0.654", "rate 1.96"]  # the scene's three rates, as labelled


@pytest.mark.parametrize(
    "query, typed, runs, note",
    [
        ({"rates": "0.5,0.5"}, None, ["rate 0.5"], "rate 0.5 (given twice)"),
        ({}, "0.1, 0.1, 0.1", ["rate 0.1"], "rate 0.1 (given 3 times)"),
        ({"runs": "0.5;0.5"}, None, [*AUTO, "rate 0.5"], "the run rate 0.5 (given twice)"),
        (
            {"rates": "0.5", "runs": "0.5"},
            None,
            ["rate 0.5"],
            "the run rate 0.5 of the table (the same as the rate above)",
        ),
        ({}, "0.5, 0.50000001", ["rate 0.5", "rate 0.50000001"], None),
        (
            {"runs": "0.5 momentum=0.9; 0.5 momentum=0.90000001"},
            None,
            [*AUTO, "rate 0.5, β 0.9", "rate 0.5, β 0.90000001"],
            None,
        ),
    ],
)
def test_compare_draws_a_repeated_run_once_and_tells_near_ones_apart(query, typed, runs, note):
    """A run given twice is drawn once with a note naming it (it crashed the page with
    pyarrow's "Duplicate column names found"); runs that differ past the sixth digit are
    both drawn, labelled with the digits that tell them apart, each the engine's own run."""
    at = open_page("compare", epochs="60", **query)
    if typed is not None:
        at.text_input(key="cmp_rates").input(typed).run()
    no_exception(at)
    verdicts, errors = at.dataframe[0].value, at.dataframe[1].value
    assert verdicts["run"].tolist() == runs
    assert list(errors.columns) == ["epoch", *runs]
    notes = [_plain(i.value) for i in at.info if "drawn once" in i.value]
    assert notes == ([f"Each run is drawn once; left out: {note}."] if note else [])
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    for label, lr in zip(runs, verdicts["rate"], strict=True):
        beta = float(label.split("β ")[1]) if "β" in label else 0.0
        res = gdcore.run_descent(table, [lr], 60, optimizer=gdcore.Optimizer(momentum=beta))
        np.testing.assert_allclose(errors[label], res.errors[0], rtol=1e-12)


@pytest.mark.parametrize(
    "also, note",
    [
        ("noise,noise", "the image noise (listed twice)"),
        ("scene,noise", "the image scene among the others (it is the first image)"),
    ],
)
def test_compare_draws_an_image_listed_twice_once(also, note):
    at = open_page("compare", also=also, rates="0.3", epochs="40")
    no_exception(at)
    assert at.dataframe[0].value["run"].tolist() == ["scene · 0.3", "noise · 0.3"]
    notes = [_plain(i.value) for i in at.info if "drawn once" in i.value]
    assert notes == [f"Each run is drawn once; left out: {note}."]


def test_compare_link_with_rates_past_six_digits_never_crashes():
    """However the link's rates come back, two different rates never share a label."""
    at = open_page("compare", rates="0.5,0.50000001,0.5", epochs="40")
    no_exception(at)
    verdicts = at.dataframe[0].value
    assert verdicts["run"].nunique() == len(verdicts) == verdicts["rate"].nunique()


@pytest.fixture
def downloads(monkeypatch):
    files = {}

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            files[filename] = path_or_data
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return files


def test_compare_error_table_has_every_epoch_and_the_engine_numbers():
    # The CSV download is this table, built when clicked (the browser test
    # clicks it and reads the file).
    at = open_page("compare", rates="0.2, 0.9", epochs="120")
    errors = at.dataframe[1].value
    assert list(errors.columns) == ["epoch", "rate 0.2", "rate 0.9"]
    assert len(errors) == 121
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    res = gdcore.run_descent(table, [0.2, 0.9], 120)
    np.testing.assert_allclose(errors["rate 0.9"], res.errors[1], rtol=1e-12)
    assert at.get("download_button")[0].proto.label.endswith("Download the error table (CSV)")
    assert at.get("download_button")[0].proto.ignore_rerun  # see below


def test_sweep_csv_and_verdicts(downloads):
    at = open_page("sweep", points="12", epochs="200")
    no_exception(at)
    csv = pd.read_csv(io.BytesIO(downloads["sweep.csv"]))
    assert list(csv.columns) == [
        "lr",
        "final_error",
        "verdict",
        "epochs_to_1pct",
        "diverged_epoch",
        "reason",
    ]
    assert len(csv) == 12 and set(csv["verdict"]) == {"too small", "good", "too large"}
    assert (np.diff(csv["lr"]) > 0).all()


def test_sweep_control_changes_the_grid():
    at = open_page("sweep")
    at.slider(key="sw_points").set_value(5).run()
    assert len(at.dataframe[0].value) == 5


def test_walk_speed_buttons_change_the_story():
    at = open_page("walk")
    at.button(key="wk_quick_1.05").click().run()
    no_exception(at)
    assert at.number_input(key="wk_speed").value == 1.05
    assert any("diverges" in m.value for m in at.markdown)


@pytest.mark.parametrize(("scale", "speed"), [("unit", 0.8), ("unit", 1.05), ("raw", 0.8)])
def test_walk_edges_are_each_pictures_own_and_explained_once(scale, speed):
    """Each picture's edge is 2/λmax of its weights' block, the side of it is said in words
    (no parenthesis about the other side), and one sentence says why it differs from the
    image's edge; every number is the engine's."""
    from gdcore.bowl.landscape import slice_critical_lr
    from gdcore.verdicts.diagnosis import edge

    at = open_page("walk", scale=scale, speed=str(speed))
    no_exception(at)
    q = gdcore.quadratic(gdcore.pixel_table(gdcore.builtin_image("scene", 64), scale))
    image_edge = gdcore.theory(q).critical_lr
    rates = [m.value for m in at.markdown if m.value.startswith("Rate **")]
    notes = [c.value for c in at.caption if "The image's edge rate is" in c.value]
    assert len(rates) == 2 and len(notes) == 2
    for free, rate, note in zip(([1], [1, 2]), rates, notes, strict=True):
        own = slice_critical_lr(q, free)
        lr, times, shown = re.match(
            r"Rate \*\*(\S+)\*\* = (\S+) × .*? edge rate (\S+),", rate
        ).groups()
        assert float(shown) == edge(own) and float(times) == speed
        assert float(lr) == pytest.approx(speed * own, rel=1e-3)
        assert "(" not in rate  # no parenthesis next to the rate
        assert ("above it" in rate) == (speed > 1) and ("below it" in rate) == (speed < 1)
        assert f"The image's edge rate is {edge(image_edge):g} " in note
        ratio = re.search(r"this picture's is (\S+)× larger", note)
        if ratio:
            assert float(ratio.group(1)) == pytest.approx(own / image_edge, rel=5e-3)
        else:
            assert "only slightly larger" in note and own / image_edge < 1.01
        assert (f"so at {lr} all three weights together would blow up" in note) == (
            speed * own > image_edge
        )
        assert note.count(". ") == 0  # one sentence


def test_step_page_reproduces_the_lesson_numbers():
    at = open_page("step")
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["slope"] == "-16" and metrics["next weight"] == "1.16"
    at.button(key="st_step").click().run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["prediction = weight × 2"] == "2.32"  # weight 1.16
    assert at.query_params["steps"] == "1"


def test_step_checkpoints_give_feedback():
    at = open_page("step")
    at.radio(key="st_q1").set_value("up").run()
    assert at.success and "1.16" in at.success[0].value
    at.radio(key="st_q2").set_value("the rate is too small").run()
    assert "rose from 0.1 to 20" in at.error[0].value
    at.radio(key="st_q2").set_value("the rate is too large").run()
    assert len(at.success) == 2


def test_diagnose_lesson_exercise_and_typed_curve():
    at = open_page("diagnose")
    assert "TOO LARGE" in verdict_text(at) and "rose from 0.1 to 20" in verdict_text(at)
    at.text_area(key="dg_errors").input("10 9.99 9.98 9.97 9.96").run()
    at.number_input(key="dg_lr").set_value(0.001).run()
    assert "TOO SMALL" in verdict_text(at)
    assert any("0.01" in m.value for m in at.markdown if "Next" in m.value)


def _y_titles(spec: dict) -> set[str]:
    layers = spec.get("layer", [spec])
    return {
        one["encoding"]["y"]["title"]
        for one in layers
        if "title" in one.get("encoding", {}).get("y", {})
    }


@pytest.mark.parametrize(
    ("log", "name"),
    [
        ("keras_fit_good.txt", "loss, val_loss"),
        ("lightning_epoch_good.csv", None),
        ("tensorboard_good.csv", None),
    ],
)
def test_diagnose_names_a_foreign_loss_by_its_logs_name(log, name):
    """A Keras or Lightning loss is not the lesson's ½·mean squared error: its axis carries
    the log's own name for it."""
    from pathlib import Path

    from gdcore.learner.logs import read_log

    text = (Path(__file__).parent / "data" / "frameworks" / log).read_text()
    read = read_log(text)
    expected = name or charts.quantity_title(read.column, read.validation_column)
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input(text).run()
    no_exception(at)
    titles = set().union(*(_y_titles(s) for s in specs(at)))
    assert titles and not any(charts.ERROR_TITLE in t for t in titles), titles
    assert any(t.startswith(expected) for t in titles), (titles, expected)
    assert read.column and read.column in expected


def test_diagnose_typed_numbers_are_your_values():
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input("10 9.99 9.98 9.97 9.96").run()
    titles = set().union(*(_y_titles(s) for s in specs(at)))
    assert titles == {charts.TYPED_TITLE} or titles == {charts.TYPED_TITLE + ", log scale"}


def test_diagnose_bad_text_keeps_it_and_says_why():
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input("1, 2, oops").run()
    no_exception(at)
    assert at.text_area(key="dg_errors").value == "1, 2, oops"
    assert "value 3 is not a number" in at.error[0].value


def test_upload_is_used_and_a_bad_upload_keeps_the_last_good_one():
    at = open_page("explore", image="upload")
    assert "Until then, the built-in scene is shown" in at.info[0].value
    ramp = np.tile(np.arange(0, 200, 10, dtype=float), (12, 1))  # 20 wide, 12 high
    at.file_uploader[0].upload("ramp.png", png(ramp), "image/png").run()
    no_exception(at)
    assert not at.dataframe  # the pixel table is built once opened
    open_boxes(at, "table")
    head = at.dataframe[0].value  # the pixel table of the upload, unit scale
    np.testing.assert_allclose(head["brightness"], ramp[0, :8] / 255)
    np.testing.assert_allclose(head["x"], np.arange(8) / 19)
    assert any("ramp.png" in c.value for c in at.caption)
    at.file_uploader[0].upload("broken.png", b"not an image at all", "image/png").run()
    no_exception(at)
    assert "cannot be used" in at.error[0].value and "not an image" in at.error[0].value
    np.testing.assert_allclose(at.dataframe[0].value["brightness"], ramp[0, :8] / 255)
    assert any("last good upload" in c.value for c in at.caption)


def test_sixteen_bit_rgba_and_huge_uploads():
    at = open_page("explore", image="upload")
    arr16 = np.arange(64, dtype=np.uint16).reshape(8, 8) * 1000
    data = save(Image.fromarray(arr16), "PNG")
    at.file_uploader[0].upload("deep.png", data, "image/png").run()
    no_exception(at)
    assert any("16-bit" in c.value for c in at.caption)
    open_boxes(at, "table")
    np.testing.assert_allclose(at.dataframe[0].value["brightness"], arr16[0, :8] / 65535, rtol=1e-6)


def test_a_csv_that_cannot_be_read_shows_no_verdict_beside_its_error():
    at = open_page("diagnose")
    assert "TOO LARGE" in verdict_text(at)  # the lesson's curve from the text box
    at.file_uploader[0].upload("log.csv", b"\xff\xfe not utf-8", "text/csv").run()
    no_exception(at)
    assert "The uploaded file could not be read" in at.error[0].value
    assert not cards(at)


def test_the_errors_box_is_limited_to_what_the_reader_takes():
    from ui.fields import MAX_TEXT_CHARS

    at = open_page("diagnose")
    assert at.text_area(key="dg_errors").proto.max_chars == MAX_TEXT_CHARS
    assert MAX_TEXT_CHARS == 24 * gdcore.learner.log_record.MAX_VALUES


def test_a_long_curve_is_thinned_for_drawing_but_keeps_its_spike():
    values = np.linspace(1.0, 0.1, 30_000)
    values[12_345] = 3.0  # one spike between evenly spread epochs
    text = ", ".join(f"{v:.6g}" for v in values)
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input(text).run()
    drawn = chart_data(at, 0)
    assert len(drawn["epoch"]) <= 2_100
    assert 12_345 in drawn["epoch"] and 3.0 in drawn["error"]


@pytest.mark.parametrize(
    ("page", "query"),
    [
        ("explore", {"lr": "5"}),
        ("explore", {"lr": "5", "log": "1"}),
        ("compare", {}),  # the theory's too-large rate
        ("compare", {"log": "0", "also": "plane"}),
        ("diagnose", {"errors": "1, 0.5, 40, 900, 2e6"}),
    ],
)
def test_a_rise_above_the_view_is_drawn_to_its_edge_and_marked(page, query):
    at = open_page(page, **query)
    no_exception(at)
    sets = chart_datasets(at, 0)
    lines = next(d for d in sets if "shown" in d and "label" not in d)
    marks = next(d for d in sets if "shown" in d and "label" in d and "runs" not in d)
    start = max(e for e, ep in zip(lines["error"], lines["epoch"], strict=True) if ep == 0)
    cap = 10 * start
    assert max(lines["shown"]) == pytest.approx(cap)  # the line reaches the top edge
    assert all(lab.startswith("↑ off the chart at epoch") for lab in marks["label"])
    real = [e for e, v in zip(lines["error"], lines["shown"], strict=True) if v == cap]
    assert real and min(real) > cap  # the tooltip keeps the real value


@pytest.mark.parametrize(
    ("first", "then", "last"),
    [({"lr": "5"}, ("ex_lr", 0.5), 200), ({"epochs": "1"}, ("ex_epochs", 20_000), 20_000)],
)
def test_the_prediction_follows_the_end_of_the_run(first, then, last):
    at = open_page("explore", **first)
    key, value = then
    at.number_input(key=key).set_value(value).run()
    no_exception(at)
    assert at.slider(key="ex_at").value == last
    assert any(
        f"at epoch {last:,}:" in c.value or f"at epoch {last}:" in c.value for c in at.caption
    )
    assert "at" not in at.query_params  # following the end is the default: not in the link


def test_a_moved_prediction_slider_stays_when_the_run_grows():
    at = open_page("explore", epochs="60", at="10")
    at.number_input(key="ex_epochs").set_value(80).run()
    assert at.slider(key="ex_at").value == 10 and at.query_params["at"] == "10"


def test_the_minibatch_cap_is_the_engines_one_rule():
    at = open_page("explore", batch="5000", size="96", epochs="20000")
    no_exception(at)
    rule = gdcore.params.minibatch_work_problem(96 * 96, 20_000)
    fit = gdcore.params.minibatch_epochs(96 * 96)
    assert any(f"{rule}, so this run stops at epoch {fit:,}" in c.value for c in at.caption)
    assert at.slider(key="ex_at").value == fit  # the run really stopped there


def test_sweep_legend_writes_the_rates_as_the_metrics_above_it_do():
    """One rate, one way of writing it: 'edge rate = 1.307' under the metric 1.307."""
    at = open_page("sweep")
    metrics = {m.label: m.value for m in at.metric}
    rules = next(layer for layer in specs(at)[0]["layer"] if layer["mark"]["type"] == "rule")
    legend = rules["encoding"]["color"]["scale"]["domain"]
    assert legend == [
        f"edge rate = {metrics['edge rate']}",
        f"fastest from this start = {metrics['fastest from this start']}",
        f"suggested = {metrics['suggested from this grid']}",
    ]


def test_no_download_asks_for_a_run():
    """A click on a download runs nothing (``on_click="ignore"``): a run would replace the file
    while the browser fetches it, and under load the download never came (Compare's table is
    built on the click; tests/test_browser.py holds that in Chromium)."""
    pages = [
        open_page("compare"),
        open_page("sweep", points="12", epochs="200"),
        open_boxes(open_page("explore"), "code"),
    ]
    buttons = [b.proto for at in pages for b in at.get("download_button")]
    assert len(buttons) == 4  # the two CSVs, and the run as code for NumPy and for PyTorch
    assert all(b.ignore_rerun for b in buttons), [b.label for b in buttons if not b.ignore_rerun]
