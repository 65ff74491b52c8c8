"""Hostile input on a shared dashboard: every case in docs/hostile-input.md.

Each upload case runs on every page that takes an image, in AppTest: the page
either uses the file (with a note where something was adjusted) or shows a
sentence naming the problem, never a traceback, and keeps the last good image.
"""

import io
import urllib.parse

import numpy as np
import pytest
from helpers import (
    PAGE_IDS,
    all_text,
    chart_data,
    no_exception,
    open_boxes,
    open_page,
    png_bomb,
    save,
    verdict_text,
)
from PIL import Image

import gdcore

IMAGE_PAGES = ["explore", "compare", "sweep", "walk", "step"]


def _exif_rotated() -> bytes:
    arr = np.zeros((10, 30), dtype=np.uint8)
    arr[:, :5] = 255
    exif = Image.Exif()
    exif[0x0112] = 6
    return save(Image.fromarray(arr), "JPEG", exif=exif.tobytes(), quality=95)


def _gif() -> bytes:
    frames = [Image.new("L", (12, 9), v) for v in (40, 200, 120)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    return buf.getvalue()


def _gradient(h: int, w: int) -> np.ndarray:
    return (np.add.outer(np.arange(h) * 3, np.arange(w) * 5) % 256).astype(np.uint8)


GOOD = save(Image.fromarray(_gradient(16, 24)), "PNG")
REJECTED = {
    "not an image": (b"GIF87a? no, just text pretending", "not an image"),
    "truncated": (
        save(
            Image.fromarray(np.random.default_rng(1).integers(0, 255, (64, 64), dtype=np.uint8)),
            "PNG",
        )[:300],
        "damaged or truncated|not an image",
    ),
    "empty": (b"", "the file is empty"),
    "bomb header": (png_bomb(), "2,500,000,000 pixels; at most 16,777,216"),
}
ACCEPTED = {
    "16-bit grayscale": (
        lambda: save(Image.fromarray(_gradient(8, 8).astype(np.uint16) * 257), "PNG"),
        "16-bit",
    ),
    "RGBA": (
        lambda: save(
            Image.fromarray(
                np.dstack([_gradient(8, 8)] * 3 + [np.full((8, 8), 100, np.uint8)]), "RGBA"
            ),
            "PNG",
        ),
        "white",
    ),
    "palette": (lambda: save(Image.fromarray(_gradient(8, 8)).convert("P"), "PNG"), None),
    "CMYK JPEG": (lambda: save(Image.new("CMYK", (16, 12), (10, 60, 120, 30)), "JPEG"), None),
    "EXIF-rotated JPEG": (_exif_rotated, "EXIF"),
    "animated GIF": (_gif, "first frame of 3"),
    "1x1": (lambda: save(Image.new("L", (1, 1), 128), "PNG"), None),
    "1xN": (lambda: save(Image.fromarray(_gradient(1, 40)), "PNG"), None),
    "Nx1": (lambda: save(Image.fromarray(_gradient(40, 1)), "PNG"), None),
    "all black": (lambda: save(Image.new("L", (20, 20), 0), "PNG"), None),
    "all white": (lambda: save(Image.new("RGB", (20, 20), (255, 255, 255)), "PNG"), None),
}


def _upload(page: str, name: str, data: bytes):
    at = open_page(page, image="upload")
    at.file_uploader[0].upload(name, data, "image/png").run()
    return at


@pytest.mark.parametrize("case", list(ACCEPTED))
@pytest.mark.parametrize("page", IMAGE_PAGES)
def test_odd_but_valid_uploads_work_everywhere(page, case):
    make, note = ACCEPTED[case]
    at = _upload(page, f"{case}.img", make())
    no_exception(at)
    assert not at.error, [e.value for e in at.error]
    assert at.get("vega_lite_chart") or page == "walk"
    text = all_text(at)
    assert f"{case}.img" in text or page not in ("explore",)
    if note and page == "explore":
        assert note in text
    if case in ("1x1", "1xN", "Nx1") and page == "explore":
        assert "singular" in text and "has no effect on the prediction" in text


@pytest.mark.parametrize("case", list(REJECTED))
@pytest.mark.parametrize("page", IMAGE_PAGES)
def test_bad_uploads_get_a_sentence_and_keep_the_last_good_image(page, case):
    data, message = REJECTED[case]
    at = _upload(page, "good.png", GOOD)
    no_exception(at)
    at.file_uploader[0].upload(f"{case}.png", data, "image/png").run()
    no_exception(at)
    import re

    assert re.search(message, at.error[0].value), at.error[0].value
    assert "cannot be used" in at.error[0].value
    assert "last good upload" in all_text(at)


def _code_span(text: str, start: int = 0) -> tuple[str, int]:
    """CommonMark's code span opening at ``text[start]``: what it shows, and where it ends.

    The opening run of n backticks is closed by the next run of exactly n; the
    content is literal (no emphasis, links, HTML or escapes), with one space
    removed from each end when it has one at both.
    """
    import re

    fence = re.match(r"`+", text[start:])
    assert fence, f"no code span at {text[start:]!r}"
    n = len(fence.group())
    for run in re.finditer(r"`+", text[start + n :]):
        if len(run.group()) == n:
            content = text[start + n : start + n + run.start()]
            if content.startswith(" ") and content.endswith(" ") and content.strip(" "):
                content = content[1:-1]
            return content, start + n + run.end()
    raise AssertionError(f"the code span at {text[start:]!r} is never closed")


HOSTILE_NAME = "../../<b>pw</b>`rm -rf`_my_[a](//ev.il)*1*:red[x]$x$.png"


def test_file_names_are_shown_as_text_only():
    at = _upload("explore", HOSTILE_NAME, GOOD)
    no_exception(at)
    # The caption shows the name exactly as written, inside one code span: nothing in it
    # is live Markdown or HTML. It is never opened as a path.
    caption = next(line for line in all_text(at).splitlines() if "· 384 pixels" in line)
    shown, end = _code_span(caption)
    assert shown == HOSTILE_NAME
    assert caption[end:].startswith(" · 384 pixels")
    at.file_uploader[0].upload(HOSTILE_NAME, b"not an image", "image/png").run()
    no_exception(at)
    error = at.error[0].value
    assert error.startswith("**`") and _code_span(error, 2)[0] == HOSTILE_NAME


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("my_photo_2024.png", "my_photo_2024.png"),
        ("`x`", "`x`"),
        ("a``b```c", "a``b```c"),
        ("tab\tand\u202eright-to-left.png", "tab?and?right-to-left.png"),
        ("x" * 60 + "_end.png", "x" * 40 + "…" + "x" * 11 + "_end.png"),
    ],
)
def test_a_file_name_is_one_code_span_showing_it_as_written(name, shown):
    from ui.image import _safe_name

    text = _safe_name(name)
    assert _code_span(text) == (shown, len(text))


@pytest.mark.parametrize(
    ("page", "query", "expect"),
    [
        ("explore", {"lr": "1e-12"}, "TOO SMALL"),
        ("explore", {"lr": "1000000"}, "TOO LARGE"),
        ("explore", {"epochs": "20000", "lr": "1.2"}, "GOOD"),
        ("explore", {"batch": "9999999"}, None),
        ("explore", {"batch": "5000", "size": "96"}, None),
        ("explore", {"image": "plane", "axis": "log"}, "GOOD"),
        ("compare", {"rates": "50,500,5000"}, None),
        ("compare", {"image": "plane", "axis": "log"}, None),
        ("sweep", {"from": "1e-12", "to": "1000000", "points": "200"}, None),
        ("walk", {"speed": "3", "epochs": "500"}, None),
        ("diagnose", {"errors": "1,nan,inf"}, "TOO LARGE"),
    ],
)
def test_extreme_but_valid_values(page, query, expect):
    at = open_page(page, **query)
    no_exception(at)
    assert not at.warning, [w.value for w in at.warning]
    if expect:
        assert expect in verdict_text(at)


def test_all_rates_diverging_on_compare():
    at = open_page("compare", rates="50,500,5000")
    assert set(at.dataframe[0].value["verdict"]) == {"too large"}
    assert all(at.dataframe[0].value["diverged at"] != "")


def test_batch_larger_than_the_image_is_full_batch_with_a_note():
    at = open_page("explore", batch="9999999")
    assert any("whole image" in c.value for c in at.caption)


def test_a_blow_up_on_a_log_axis_says_what_is_hidden():
    at = open_page("explore", lr="100", axis="log", epochs="3000")
    no_exception(at)
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    errors = gdcore.run_descent(table, [100.0], 3000).errors[0]
    hidden = int((~(np.isfinite(errors) & (errors > 0))).sum())
    assert hidden > 0  # NaN after the blow-up
    assert any(f"{hidden:,} epochs not drawn on the log axis" in c.value for c in at.caption)
    drawn = [e for e in chart_data(at, 0)["error"] if e is not None]
    assert drawn and min(drawn) > 0 and all(np.isfinite(drawn))


def test_every_page_survives_every_hostile_value_at_once():
    junk = {
        k: v
        for k, v in {
            "image": "<img src=x onerror=alert(1)>",
            "size": "-1",
            "scale": "../",
            "lr": "1e309",
            "epochs": "99999999999999999999",
            "rates": "1e309,NaN",
            "also": "../../etc",
            "from": "0",
            "to": "-0",
            "points": "NaN",
            "weight": "%00",
            "pair": "w1;w2",
            "speed": "inf",
            "w": "--1",
            "steps": "1e3",
            "errors": "",
            "log": "2",
            "axis": "loglog",
            "at": "1.5",
        }.items()
    }
    for page in PAGE_IDS:
        at = open_page(page, **junk)
        no_exception(at)
        assert "could not be used" in at.warning[0].value


# --- Links that must reopen the run they came from --------------------------


def _share_box(at) -> tuple[str, str]:
    """The share box's link and what it says about it (opened first on Explore, which builds
    it only once opened)."""
    if not any("://" in c.value for c in at.code) and any(
        e.label == "Share this run" for e in at.get("expander")
    ):
        open_boxes(at, "share")
    (code,) = [c.value for c in at.code if "://" in c.value]
    said = [w.value for w in at.warning if "link" in w.value] + [
        c.value for c in at.caption if "same run and verdict" in c.value
    ]
    return code, "\n".join(said)


def _query(link: str) -> dict[str, str]:
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(link).query))


def _smooth_curve(chars: int) -> str:
    """A smooth fall that flattens (good), written with enough digits to reach ``chars``."""
    values, text = [], ""
    while len(text) < chars:
        values.append(1.0 + 0.9 ** len(values))
        text = ", ".join(f"{v:.15f}" for v in values)
    return text


@pytest.mark.parametrize("page", ["diagnose", "check"])
def test_the_share_box_says_when_a_paste_is_too_long_for_its_link(page):
    from ui.fields import MAX_LINK_VALUE

    pasted = _smooth_curve(598)
    assert len(pasted) > MAX_LINK_VALUE
    key = {"diagnose": "dg_errors", "check": "ck_errors"}[page]
    at = open_page(page)
    at.text_area(key=key).input(pasted).run()
    no_exception(at)
    link, said = _share_box(at)
    assert "same run and verdict" not in said
    assert f"**errors** is left out of the link: it is {len(pasted):,} characters" in said
    assert f"at most {MAX_LINK_VALUE} per setting" in said
    assert "errors" not in _query(link) and "errors" not in at.query_params
    if page == "diagnose":  # what the link reopens is what the box says: the lesson's curve
        assert "GOOD" in verdict_text(at)
        reopened = open_page(page, **_query(link))
        assert "TOO LARGE" in verdict_text(reopened)
        assert gdcore.diagnose_curve([2.0, 0.1, 5.0, 20.0]).verdict == "too large"


def test_a_short_paste_keeps_the_promise_and_the_link_reopens_it():
    pasted = _smooth_curve(300)
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input(pasted).run()
    link, said = _share_box(at)
    assert said.startswith("Anyone opening this link sees the same run and verdict.")
    assert _query(link)["errors"] == pasted
    assert verdict_text(open_page("diagnose", **_query(link))) == verdict_text(at)


def test_a_paste_the_rule_refuses_is_said_not_promised():
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input("one, two").run()
    _, said = _share_box(at)
    assert "**errors** cannot be read back: it must be at least two numbers" in said
    assert "2.0, 0.1, 5.0, 20" in said  # what opens instead


def test_a_million_pasted_values_never_send_megabytes():
    pasted = ", ".join(["0.5"] * 1_000_000)
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input(pasted).run()
    no_exception(at)
    link, said = _share_box(at)
    assert len(link) < 2_000 and "errors" not in _query(link)
    assert f"it is {len(pasted):,} characters" in said
    assert sum(len(c.value) for c in at.code) < 2_000
    assert "errors" not in at.query_params


@pytest.mark.parametrize(
    ("page", "url", "key", "typed", "widget"),
    [
        ("compare", "rates", "cmp_rates", "0.1, 0.2", "text_input"),
        ("diagnose", "errors", "dg_errors", "0.1,0.2,0.3", "text_area"),
        ("check", "init", "ck_init", "0.1,0.2,0.3", "text_input"),
    ],
)
def test_the_link_maker_locks_values_with_commas(page, url, key, typed, widget):
    from ui.registry import BY_ID

    at = open_page(page)
    getattr(at, widget)(key=key).input(typed).run()
    at.switch_page(BY_ID["exercises"].file).run()
    at.selectbox(key="xr_link_page").set_value(page).run()
    at.multiselect(key="xr_link_lock").set_value([url]).run()
    link = [c.value for c in at.code if "lock=" in c.value][0]
    query = _query(link)
    assert query["lock"] == url and query[url] == typed
    opened = open_page(page, **query)
    no_exception(opened)
    box = getattr(opened, widget)(key=key)
    assert box.value == typed and box.disabled
    assert not opened.warning  # nothing refused, nothing left unlocked
    if page == "compare":
        assert list(opened.dataframe[0].value["rate"]) == [0.1, 0.2]


def test_a_lock_written_with_its_value_keeps_the_commas():
    # What the link maker wrote before: lock=rates:0.1,+0.2 (students got 0.1 only)
    opened = open_page("compare", lock="rates:0.1, 0.2")
    no_exception(opened)
    assert opened.text_input(key="cmp_rates").value == "0.1, 0.2"
    assert opened.text_input(key="cmp_rates").disabled
    assert list(opened.dataframe[0].value["rate"]) == [0.1, 0.2]


def test_pieces_that_do_not_make_one_value_stay_items_of_their_own():
    opened = open_page("explore", lock="lr:0.1,nope,epochs:50,60")
    no_exception(opened)
    assert opened.number_input(key="ex_lr").value == 0.1
    assert opened.number_input(key="ex_lr").disabled
    assert opened.number_input(key="ex_epochs").value == 50
    note = opened.warning[0].value
    assert "`lock` names `nope`" in note and "`lock` names `60`" in note


def test_the_link_maker_leaves_out_a_value_too_long_for_a_link():
    from ui.registry import BY_ID

    pasted = _smooth_curve(598)
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input(pasted).run()
    at.switch_page(BY_ID["exercises"].file).run()
    at.selectbox(key="xr_link_page").set_value("diagnose").run()
    at.multiselect(key="xr_link_lock").set_value(["errors"]).run()
    link = [c.value for c in at.code if "lock=" in c.value][0]
    assert "errors=" not in link.split("?")[1].replace("lock=errors", "")
    (warning,) = [w.value for w in at.warning if "cannot go in a link" in w.value]
    assert f"**errors** cannot go in a link: it is {len(pasted):,} characters" in warning


@pytest.mark.parametrize(
    ("page", "url", "value"),
    [
        ("compare", "runs", "1.2345678 momentum=0.9999999"),
        ("compare", "runs", "0.33333333 momentum=0.123456789"),
        ("compare", "rates", "0.123456789, 1e-12"),
        ("explore", "momentum", "0.9995"),
    ],
)
def test_a_published_link_keeps_every_digit(page, url, value):
    at = open_page(page, **{url: value})
    no_exception(at)
    assert at.query_params[url] == value
    link, said = _share_box(at)
    assert _query(link)[url] == value and said.startswith("Anyone opening")
