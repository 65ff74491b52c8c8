"""Sentences made from the engine's numbers agree with the tables beside them."""

import numpy as np
import pandas as pd
import pytest
from helpers import chart_datasets, open_boxes, open_page

import gdcore
from gdcore.bowl.theory import DIVERGES
from gdcore.verdicts.diagnosis import edge
from ui import text


def test_the_sweep_story_has_one_sentence_per_stretch_of_verdicts():
    table = pd.DataFrame(
        {
            "lr": [0.01, 0.1, 0.5, 1.0, 1.2, 2.0],
            "verdict": ["too small", "good", "good", "too large", "too large", "too large"],
        }
    )
    story = text.sweep_story(table, critical_lr=1.5).splitlines()
    assert story[0].startswith("- 0.01: **too small**")
    assert story[1].startswith("- 0.1 to 0.5: **good**")
    assert story[2].startswith("- 1 to 1.2: **too large**") and "zig-zag" in story[2]
    assert story[3].startswith("- 2: **too large**") and "explodes" in story[3]


@pytest.mark.parametrize("scale", gdcore.SCALES)
def test_the_sweep_page_tells_the_story_of_its_own_table(scale):
    at = open_page("sweep", scale=scale)
    table = at.dataframe[0].value
    story = next(m.value for m in at.markdown if m.value.startswith("- "))
    for lr, verdict in zip(table["lr"], table["verdict"], strict=True):
        line = next(
            ln
            for ln in story.splitlines()
            if float(ln[2:].split(":")[0].split(" to ")[0])
            <= float(f"{lr:.3g}")
            <= float(ln[2:].split(":")[0].split(" to ")[-1])
        )
        assert f"**{verdict}**" in line, (lr, verdict, line)


def test_the_sweep_chart_holds_final_errors_to_the_view():
    at = open_page("sweep")
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    start = float(gdcore.quadratic(table).error(np.zeros(3)))
    points = next(d for d in chart_datasets(at, 0) if "final_error" in d)
    assert max(points["final_error"]) <= 10 * start
    assert any("drawn on the top edge" in c.value for c in at.caption)


def test_literal_leaves_no_markup_live():
    shown = text.literal("[a](//b) ![](//c) <i>x</i> `y` *z*")
    for live in ("[a](", "![](", "<i>", "`y`", "*z*"):
        assert live not in shown


@pytest.mark.parametrize("lr", [0.001, 0.5, 5.0])
def test_explore_tells_the_bowl_story_with_the_engines_numbers(lr):
    at = open_boxes(open_page("explore", lr=str(lr)), "bowl")  # "Why? …", built once opened
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    th = gdcore.theory(gdcore.quadratic(table))
    story = next(m.value for m in at.markdown if "**bowl**" in m.value)
    assert f"at a rate of **{edge(th.critical_lr):g}**" in story
    expected = text.LESSON_WORDS[gdcore.behaviour(th, lr)]
    assert expected in story
    assert ("explodes" in expected) == (lr > th.critical_lr)
    assert "λ" not in story  # the symbols wait in "The maths behind this"


def test_the_raw_scale_says_normalize_and_one_click_does_it():
    at = open_page("explore", scale="raw", lr="0.0005")
    assert "Normalize" in at.button(key="ex_unit").label  # on the first screen, beside the verdict
    assert not any("**Normalize**" in m.value for m in at.markdown)  # why: one click away
    open_boxes(at, "bowl")
    assert any("**Normalize**" in m.value for m in at.markdown)
    at.button(key="ex_unit").click().run()
    assert at.radio(key="scale").value == "unit" and at.query_params.get("scale") is None


@pytest.mark.parametrize("scale", gdcore.SCALES)
@pytest.mark.parametrize("name", list(gdcore.BUILTINS))
def test_a_shown_edge_rate_typed_back_settles_and_a_good_rate_gets_there(name, scale):
    table = gdcore.pixel_table(gdcore.builtin_image(name, 16), scale)
    bowl = gdcore.quadratic(table)
    th = gdcore.theory(bowl)
    if th.lambda_max == 0:
        return  # a flat bowl (all black on the standard scale): no edge
    for digits in (3, 4):
        shown = edge(th.critical_lr, digits)
        assert shown <= th.critical_lr
        assert gdcore.behaviour(th, shown) != DIVERGES
    w0 = np.zeros(3)
    for m in np.geomspace(1e-3, 3, 25):
        lr = m * th.critical_lr
        res = gdcore.run_descent(table, [lr], 300, bowl=bowl)
        if gdcore.diagnose_run(res.errors[0], lr, th, w0).verdict == "good":
            assert gdcore.epochs_to_target(bowl, lr, w0) is not None


@pytest.mark.parametrize(("query", "row"), [({}, 1), ({"w": "9"}, 0), ({"w": "5"}, 2)])
def test_step_by_step_shows_the_lessons_slope_sign_table_on_the_learners_row(query, row):
    at = open_page("step", **query)
    table = next(d.value for d in at.dataframe if "slope sign" in d.value.columns)
    assert list(table["slope sign"]) == ["positive", "negative", "zero"]
    slope = gdcore.one_weight_step(float(query.get("w", 1.0)), 0.01).slope
    assert text.slope_sign_row(slope) == row


def test_the_clipping_caption_says_how_much_is_clipped():
    """The picture at epoch 200 of scene at 0.5 had 'far outside 0–255 … black and white'
    under a grey gradient: only the pixels above 255 were white."""
    from ui.pictures import clipped_text

    few = clipped_text(np.array([56.8, 100.0, 200.0, 271.0]), 200, 0.25)
    assert "25% of pixels" in few and "far" not in few and "mostly" not in few
    most = clipped_text(np.array([-1e5, 1e5, np.nan]), 3, 1.0)
    assert "100% of the pixels" in most and "mostly clipped" in most
    assert "hatched in purple stripes" in few and "hatched in purple stripes" in most


def test_a_prediction_far_outside_0_255_stays_visible_on_a_white_page():
    """At rate 5 the prediction was white on the white page: now it is framed, and every
    pixel outside 0-255 is white or black under purple hatching; pixels inside are untouched."""
    from ui.pictures import FRAME_RGB, OUT_OF_RANGE_RGB, brightness_to_rgb, prediction_to_rgb

    pred = np.full((64, 64), 1e6)  # all far above 255
    pred[:, :32] = np.linspace(0, 255, 32)  # the left half in range
    pred[0, 40] = -3e4
    pred[1, 40] = np.nan
    rgb = prediction_to_rgb(pred)
    assert rgb.shape == (66, 66, 3) and rgb.dtype == np.uint8
    frame = np.concatenate([rgb[0], rgb[-1], rgb[:, 0], rgb[:, -1]])
    assert (frame == FRAME_RGB).all()
    inner = rgb[1:-1, 1:-1]
    grey = brightness_to_rgb(pred[:, :32])
    np.testing.assert_array_equal(inner[:, :32], np.repeat(grey[..., None], 3, axis=2))
    right = inner[:, 32:].reshape(-1, 3)
    hatched = (right == OUT_OF_RANGE_RGB).all(axis=1)
    white = (right == 255).all(axis=1)
    assert hatched.mean() > 0.2 and white.mean() > 0.5 and (hatched | white).sum() >= 32 * 64 - 2
    # Stripes: every row and every column of the out-of-range half has some hatching.
    stripes = (inner[:, 32:] == OUT_OF_RANGE_RGB).all(axis=2)
    assert stripes.any(axis=0).all() and stripes.any(axis=1).all()
    # Below 0 is black, not a number mid-grey, unless a stripe crosses them.
    assert tuple(inner[0, 40]) in ((0, 0, 0), OUT_OF_RANGE_RGB)
    assert tuple(inner[1, 40]) in ((128, 128, 128), OUT_OF_RANGE_RGB)


def test_explore_pictures_name_every_colour():
    at = open_page("explore", lr="5")
    captions = " ".join(c.value for c in at.caption)
    assert "hatched in purple stripes" in captions
    images = at.get("image")
    names = " ".join(i.proto.imgs[0].caption for i in images)
    assert "orange = too dark" in names and "blue = too bright" in names
