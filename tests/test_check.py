"""Check my loop: each mistake made by its own loop, written out, and named from its numbers."""

import io
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from gdcore import BUILTINS, builtin_image, pixel_table
from gdcore.cli import main
from gdcore.learner.check import check
from gdcore.learner.printed_errors import half_unit, read_printed, read_printout
from gdcore.learner.setup import START

SIZE, EPOCHS = 12, 25


def learner_loop(
    pixels,
    scale,
    lr,
    epochs,
    *,
    w0=(0.0, 0.0, 0.0),
    mse=False,
    slopes="mean",
    ascent=False,
    intercept=True,
    late=False,
):
    """A learner's loop written out pixel by pixel, with the mistakes asked for.

    ``slopes``: "mean" (the textbook slope of ½·mean squared error), "mse" (the
    slope of the mean squared error, 2x) or "sum" (summed over the pixels).
    """
    table = pixel_table(pixels, scale)
    X, t = table.design_matrix(), table.target_vector()
    w = np.array(w0, dtype=float)
    if not intercept:
        X, w = X[:, 1:], w[1:]
    errors = []
    with np.errstate(all="ignore"):
        for epoch in range(epochs + 1):
            difference = t - X @ w
            error = np.mean(difference**2) * (1.0 if mse else 0.5)
            if not late:
                errors.append(error)
            if epoch == epochs:
                break
            slope = -(X.T @ difference)
            slope = slope if slopes == "sum" else slope / len(t) * (2 if slopes == "mse" else 1)
            w = w + lr * slope if ascent else w - lr * slope
            if late:
                errors.append(np.mean((t - X @ w) ** 2) * (1.0 if mse else 0.5))
    return [float(e) for e in errors]


def printed(errors, fmt="{:.6g}"):
    return ", ".join(fmt.format(e) for e in errors)


def rate_for(name, scale="unit"):
    """A rate that falls without blowing up on this image: a third of the critical rate."""
    import gdcore

    th = gdcore.theory(gdcore.quadratic(pixel_table(builtin_image(name, SIZE), scale)))
    return float(f"{th.critical_lr / 3:.2g}")


@pytest.mark.parametrize("name", list(BUILTINS))
@pytest.mark.parametrize("fmt", ["{:.6g}", "{!r}", "{:.4e}"])
def test_the_textbook_loop_matches(name, fmt):
    pixels, lr = builtin_image(name, SIZE), rate_for(name)
    got = check(pixels, "unit", lr, printed(learner_loop(pixels, "unit", lr, EPOCHS), fmt))
    assert got.headline == "match", got.evidence
    assert got.parted is None


MISTAKE_CASES = {
    # name: (the loop's mistakes, the headline check must give; {lr} and {n} filled in)
    "reports-mse": (dict(mse=True), "reports-mse"),
    "2x rate": (dict(slopes="mse"), "other-rate={2lr}"),
    "mse in error and slope": (dict(mse=True, slopes="mse"), "reports-mse, other-rate={2lr}"),
    "ascent": (dict(ascent=True), "ascent"),
    "no-intercept": (dict(intercept=False), "no-intercept"),
    "after-update": (dict(late=True), "after-update"),
    "after-update, mse": (dict(late=True, mse=True), "reports-mse, after-update"),
    "no-intercept, after-update": (dict(intercept=False, late=True), "no-intercept, after-update"),
}


@pytest.mark.parametrize("name", list(BUILTINS))
@pytest.mark.parametrize("case", list(MISTAKE_CASES))
def test_each_mistake_is_named_from_its_numbers(name, case):
    loop, expected = MISTAKE_CASES[case]
    pixels = builtin_image(name, SIZE)
    lr = rate_for(name) / (2 if loop.get("slopes") == "mse" else 1)
    errors = learner_loop(pixels, "unit", lr, EPOCHS, **loop)
    got = check(pixels, "unit", lr, printed(errors))
    assert got.headline == expected.format(**{"2lr": f"{2 * lr:.6g}"}), got.evidence
    assert got.parted is not None and got.outcome == "explained"
    assert len(got.findings) == expected.count(",") + 1


def test_the_pair_from_the_issue_reads_as_the_issue_writes_it():
    # The lesson's ½ left out of both the error and the slopes, at rate 0.01.
    pixels = builtin_image("scene", 16)
    errors = learner_loop(pixels, "unit", 0.01, 40, mse=True, slopes="mse")
    got = check(pixels, "unit", 0.01, printed(errors))
    assert got.headline == "reports-mse, other-rate=0.02"
    assert "2× your rate 0.01" in got.evidence and "without ½" in got.evidence
    assert [f.line for f in got.findings] == [
        "error = 0.5 * np.mean(difference**2)",
        "slope = -(X.T @ difference) / len(t)",
    ]


@pytest.mark.parametrize("name", ["scene", "spot", "noise"])
def test_slopes_summed_over_the_pixels_are_n_times_the_rate(name):
    pixels = builtin_image(name, 8)
    n = pixels.size
    lr = float(f"{rate_for(name) / n:.3g}")  # a rate that, times N, still converges
    errors = learner_loop(pixels, "unit", lr, EPOCHS, slopes="sum")
    got = check(pixels, "unit", lr, printed(errors))
    assert got.headline == f"other-rate={n * lr:.6g}", got.evidence
    assert f"{n:,}× your rate" in got.evidence and "summed over the 64 pixels" in got.evidence


@pytest.mark.parametrize("typed", [0.03, 0.7, 1.25])
def test_another_typed_rate_is_found_and_named(typed):
    pixels = builtin_image("scene", SIZE)
    errors = learner_loop(pixels, "unit", typed, EPOCHS)
    got = check(pixels, "unit", 0.5, printed(errors))
    assert got.headline == f"other-rate={typed:g}", got.evidence
    assert f"a rate of {typed:g}, not your 0.5" in got.evidence


@pytest.mark.parametrize(("used", "said"), [("raw", "unit"), ("standard", "unit"), ("unit", "raw")])
def test_a_table_on_another_scale_is_named(used, said):
    pixels = builtin_image("scene", SIZE)
    lr = rate_for("scene", used)
    errors = learner_loop(pixels, used, lr, EPOCHS)
    got = check(pixels, said, lr, printed(errors))
    assert got.headline == f"other-scale={used}", got.evidence
    assert f"the {used} scale of the pixel table, not the {said} scale" in got.evidence


def test_starting_weights_given_as_numbers_and_random():
    pixels = builtin_image("scene", SIZE)
    w0 = (0.3, -0.2, 0.1)
    errors = learner_loop(pixels, "unit", 0.5, EPOCHS, w0=w0)
    assert check(pixels, "unit", 0.5, printed(errors), init="0.3, -0.2, 0.1").headline == "match"
    assert check(pixels, "unit", 0.5, printed(errors)).headline != "match"
    rng_w0 = np.random.default_rng(7).normal(0.0, 0.01, 3)  # the engine's rule for "random"
    errors = learner_loop(pixels, "unit", 0.5, EPOCHS, w0=rng_w0)
    assert check(pixels, "unit", 0.5, printed(errors), "random", seed=7).headline == "match"


def test_a_blown_up_run_matches_its_nan_and_inf():
    pixels = builtin_image("scene", SIZE)
    lr = rate_for("scene") * 8  # past the critical rate
    errors = learner_loop(pixels, "unit", lr, 400)
    assert not np.isfinite(errors[-1])
    got = check(pixels, "unit", lr, printed(errors))
    assert got.headline == "match", got.evidence


def test_numbers_no_mistake_explains_are_unexplained_from_the_epoch_they_part():
    pixels = builtin_image("scene", SIZE)
    errors = learner_loop(pixels, "unit", 0.5, EPOCHS)
    errors[7] *= 1.01  # a loop that goes wrong once
    got = check(pixels, "unit", 0.5, printed(errors))
    assert got.headline == "unexplained 7"
    assert got.evidence.startswith("From epoch 7 the values depart from the exact curve")


def test_digits_decide_the_tolerance():
    pixels = builtin_image("scene", SIZE)
    errors = learner_loop(pixels, "unit", 0.5, EPOCHS)
    assert check(pixels, "unit", 0.5, printed(errors, "{:.3f}")).headline == "match"
    # Full float64 digits, off in the 8th digit: no longer a match.
    text = printed(errors, "{!r}").split(", ")
    text[5] = f"{errors[5] * (1 + 1e-8)!r}"
    assert check(pixels, "unit", 0.5, ", ".join(text)).headline == "unexplained 5"
    # Six decimals, the last one off by 2: within float32's rounding, and said so.
    text = printed(errors, "{:.6f}").split(", ")
    text[5] = text[5][:-1] + str((int(text[5][-1]) + 2) % 10)
    got = check(pixels, "unit", 0.5, ", ".join(text))
    assert got.headline == "match" and got.precision == "float32"
    assert "not to every digit printed" in got.evidence


def test_half_unit_reads_the_last_printed_digit():
    assert half_unit("0.5321") == pytest.approx(5e-5)
    assert half_unit("5.321e-03") == pytest.approx(5e-7)
    assert half_unit("12") == 0.5 and half_unit("12.") == 0.5
    assert half_unit("nan") == 0.0 and half_unit("inf") == 0.0
    assert [p.value for p in read_printed("1; 2,3\n4")] == [1, 2, 3, 4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1", "errors: give at least two numbers, epoch 0 first, got 1."),
        ("1, x", "errors: value 2 is not a number: 'x'."),
        ("1, -2", "errors: a squared error cannot be negative, got -2 at epoch 1."),
    ],
)
def test_bad_errors_are_named(text, message):
    with pytest.raises(ValueError, match=message):
        read_printed(text)


def test_start_weights_rule():
    assert START.check("zero") == "zero" and START.check("1, 2,3") == (1.0, 2.0, 3.0)
    assert START.problem("1,2") == (
        "must be zero, random or three numbers separated by commas (w0, w1, w2), got '1,2'"
    )


def _cli(*argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", *argv], out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_the_command_line_names_the_mistake(tmp_path):
    pixels = builtin_image("scene", 16)
    errors = learner_loop(pixels, "unit", 0.01, 30, mse=True, slopes="mse")
    path = tmp_path / "errors.txt"
    path.write_text("\n".join(f"{e:.6g}" for e in errors))
    code, out, err = _cli("--image", "scene", "--size", "16", "--lr", "0.01", "--file", str(path))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "reports-mse, other-rate=0.02"
    assert lines[1].startswith("Every value is twice the error")
    code, out2, _ = _cli(
        "--image", "scene", "--size", "16", "--lr", "0.01", "-", stdin=path.read_text()
    )
    assert code == 0 and out2 == out


def test_the_command_line_says_match_and_unexplained():
    pixels = builtin_image("plane", 8)
    errors = learner_loop(pixels, "raw", 1e-5, 10)
    text = " ".join(f"{e!r}" for e in errors)
    code, out, _ = _cli(
        "--image", "plane", "--size", "8", "--scale", "raw", "--lr", "1e-5", "-", stdin=text
    )
    assert (code, out.splitlines()[0]) == (0, "match")
    code, out, _ = _cli("--image", "plane", "--size", "8", "--lr", "0.5", "-", stdin="5 4 3 2 1")
    assert code == 0 and out.splitlines()[0].startswith("unexplained ")


@pytest.mark.parametrize(
    ("argv", "stdin", "message"),
    [
        (["--image", "scene", "--lr", "0.1"], "", "one of --file PATH or -"),
        (["--image", "scene", "--lr", "0.1", "--file", "/nonexistent/x.txt"], "", "--file"),
        (["--image", "scene", "--lr", "-1", "-"], "1 2", "argument --lr: must be a number > 0"),
        (["--image", "scene", "--lr", "0.1", "--init", "one", "-"], "1 2", "argument --init"),
        (["--image", "scene", "--lr", "0.1", "-"], "1 zwei", "value 2 is not a number"),
        (["--image", "scene", "--lr", "0.1", "-"], "", "give at least two"),
        (["--image", "nope", "--lr", "0.1", "-"], "1 2", "image: 'nope' is neither"),
    ],
)
def test_the_command_line_refuses_bad_input_in_one_line(argv, stdin, message):
    code, out, err = _cli(*argv, stdin=stdin)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and message in err, err


def test_a_training_log_is_read_by_the_log_reader_and_says_so(tmp_path):
    pixels = builtin_image("scene", 16)
    errors = learner_loop(pixels, "unit", 0.5, 20, late=True)
    path = tmp_path / "log.csv"
    comma = lambda v: str(v).replace(".", ",")  # noqa: E731
    path.write_text(
        "epoch;loss;val_loss\n"
        + "".join(f"{k};{comma(e)};{comma(2 * e)}\n" for k, e in enumerate(errors))
    )
    code, out, err = _cli("--image", "scene", "--size", "16", "--lr", "0.5", "--file", str(path))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "after-update"
    assert lines[2].startswith("read 20 values from column 'loss'") and "decimal commas" in lines[2]
    code, out, _ = _cli(
        "--image",
        "scene",
        "--size",
        "16",
        "--lr",
        "0.5",
        "--file",
        str(path),
        "--column",
        "val_loss",
    )
    assert code == 0 and out.splitlines()[0] == "reports-mse, after-update"


def test_an_ambiguous_log_is_refused_with_its_candidates():
    code, out, err = _cli("--image", "scene", "--lr", "0.5", "-", stdin="a b\n0.5 0.6\n0.4 0.5\n")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "Choose one with --column NAME (a, b)" in err, err


FRAMEWORKS = Path(__file__).parent / "data" / "frameworks"


def _y_titles(chart) -> set[str]:
    return {
        one["encoding"]["y"]["title"]
        for one in chart.to_dict()["layer"]
        if "title" in one.get("encoding", {}).get("y", {})
    }


@pytest.mark.parametrize(
    ("log", "name"),
    [
        ("keras_good.csv", "loss"),
        ("keras_fit_good.txt", "loss"),
        ("lightning_epoch_good.csv", "train_loss"),
        ("huggingface_good.txt", "loss"),
    ],
)
def test_a_foreign_loss_is_drawn_on_an_axis_named_by_its_log(log, name):
    """A framework's loss (a mean squared error, not halved, over mini-batches) is not the
    lesson's error: Check's chart names its axis as the log does (issue 24, point 5)."""
    from ui import charts

    found = read_printout((FRAMEWORKS / log).read_bytes())
    assert found.column == name
    r = check(builtin_image("scene", 16), "unit", 0.3, found.values)
    chart, _ = charts.check_chart(
        r.values, r.exact, r.explained, r.parted, log=False, name=found.column
    )
    assert _y_titles(chart) == {name}
    chart, _ = charts.check_chart(r.values, r.exact, r.explained, r.parted, log=True, name=name)
    assert _y_titles(chart) == {f"{name}, log scale"}


def test_check_my_loop_draws_a_keras_loss_as_loss():
    """Through the page: a Keras log pasted into Check's box is drawn on an axis called
    "loss" (its log's name), typed numbers on the lesson's error."""
    from helpers import no_exception, open_page, specs

    from ui import charts

    def y_titles(at):
        return {
            layer["encoding"]["y"]["title"]
            for spec in specs(at)
            for layer in spec.get("layer", [])
            if "title" in layer.get("encoding", {}).get("y", {})
        }

    at = open_page("check", lr="0.3")
    at.text_area(key="ck_errors").set_value((FRAMEWORKS / "keras_good.csv").read_text()).run()
    no_exception(at)
    titles = y_titles(at)
    assert titles and {t.split(",")[0] for t in titles} == {"loss"}, titles
    at.text_area(key="ck_errors").set_value("0.25, 0.0781, 0.0488").run()
    no_exception(at)
    assert {t.split(",")[0] for t in y_titles(at)} == {charts.ERROR_TITLE}


def test_printed_numbers_are_the_errors_the_page_asks_for():
    from ui import charts

    found = read_printout("0.25, 0.0781, 0.0488")
    assert found.column is None and found.said == "read 3 values as printed"
    r = check(np.array([[0.0, 255.0]]), "unit", 0.5, found.values)
    assert r.outcome == "match"
    chart, _ = charts.check_chart(r.values, r.exact, name=found.column)
    assert _y_titles(chart) == {charts.ERROR_TITLE}


# --- The page -------------------------------------------------------------------


def _page_text(at):
    from helpers import all_text

    return all_text(at) + "\n".join(s.value for s in at.success)


def test_the_page_asks_for_errors_then_names_the_example_mistake():
    from helpers import chart_data, no_exception, open_page

    at = open_page("check")
    no_exception(at)
    assert "Paste your errors on the left" in at.info[-1].value
    # Until then: the exact curve of the setup, the engine's own run.
    table = pixel_table(builtin_image("scene", 64), "unit")
    from gdcore import run_descent

    exact = run_descent(table, [0.5], 50).errors[0]
    np.testing.assert_allclose(chart_data(at)["error"], exact, rtol=1e-12)
    assert f"prints, from epoch 0: {exact[0]:.6g}, {exact[1]:.6g}," in at.info[-1].value
    at.button(key="ck_example").click().run()
    no_exception(at)
    assert at.warning[0].value.startswith("**reports\\-mse, other\\-rate=1.**")
    assert [c.value for c in at.code if not c.value.startswith("http")] == [
        "error = 0.5 * np.mean(difference**2)",
        "slope = -(X.T @ difference) / len(t)",
    ]
    runs = set(chart_data(at)["run"])
    assert runs == {"your numbers", "the exact curve", "the loop that explains them"}
    assert "part from the exact curve at **epoch 0**" in _page_text(at)


def test_a_link_with_the_learners_numbers_matches():
    from helpers import chart_data, no_exception, open_page

    pixels = builtin_image("spot", 32)
    errors = learner_loop(pixels, "raw", 1e-5, 40)
    at = open_page("check", image="spot", size="32", scale="raw", lr="1e-5", errors=printed(errors))
    no_exception(at)
    assert at.success[0].value.startswith("**Match.** All 41 values agree")
    data = chart_data(at)
    assert set(data["run"]) == {"your numbers", "the exact curve"}
    exact = [e for r, e in zip(data["run"], data["error"], strict=True) if r == "the exact curve"]
    np.testing.assert_allclose(exact, errors, rtol=1e-9)


def test_an_uploaded_file_of_errors_and_the_epochs_note():
    from helpers import no_exception, open_page

    pixels = builtin_image("scene", 64)
    errors = learner_loop(pixels, "unit", 0.5, 30, late=True)
    at = open_page("check", epochs="30")
    at.file_uploader(key="ck_file").upload(
        "errors.txt", "\n".join(f"{e:.5f}" for e in errors).encode(), "text/plain"
    ).run()
    no_exception(at)
    assert at.warning[0].value.startswith("**after\\-update.**")
    assert "You gave 30 values for 30 epochs: one short of epochs 0 to 30" in _page_text(at)
    assert any("read 30 values as printed" in t.value for t in at.text)


def test_bad_starting_weights_and_unreadable_errors_are_said():
    from helpers import no_exception, open_page

    at = open_page("check", errors="1, x")
    assert "`errors=1, x`: must be" in at.warning[0].value  # a link's bad value: the default
    at.text_area(key="ck_errors").set_value("1, 2, x y").run()
    at.text_input(key="ck_init").set_value("1, 2").run()
    no_exception(at)
    said = [e.value for e in at.error]
    assert any(
        s.startswith("Starting weights: must be zero, random or three numbers") for s in said
    )
    assert any("The errors could not be read" in s for s in said), said


def float32_loop(pixels, scale, lr, epochs, mse=False):
    """The learner's loop in single precision, as PyTorch computes by default."""
    table = pixel_table(pixels, scale)
    X = table.design_matrix().astype(np.float32)
    t = table.target_vector().astype(np.float32)
    w = np.zeros(3, np.float32)
    k = np.float32(1.0 if mse else 0.5)
    errors = []
    for _ in range(epochs + 1):
        difference = t - X @ w
        errors.append(float(k * np.mean(difference * difference)))
        w = w - np.float32(lr) * (-(X.T @ difference) / np.float32(len(t))) * (2 * k)
    return errors


@pytest.mark.parametrize("name", list(BUILTINS))
def test_a_float32_loop_matches_in_single_precision_and_says_so(name):
    pixels = builtin_image(name, 64)
    lr = rate_for(name)
    got = check(pixels, "unit", lr, printed(float32_loop(pixels, "unit", lr, 300), "{!r}"))
    assert got.headline == "match", got.evidence
    assert got.precision == "float32" and "single precision (float32" in got.evidence
    mistaken = float32_loop(pixels, "unit", lr / 2, 300, mse=True)
    got = check(pixels, "unit", lr / 2, printed(mistaken, "{!r}"))
    assert got.headline == f"reports-mse, other-rate={lr:.6g}", got.evidence


PAIRS = {
    # (scale used, the loop's mistakes): the headline, with {lr} the rate given
    ("raw", "reports-mse"): dict(mse=True),
    ("raw", "after-update"): dict(late=True),
    ("unit", "ascent, after-update"): dict(ascent=True, late=True),
    ("unit", "reports-mse, ascent"): dict(mse=True, ascent=True),
    ("unit", "no-intercept, reports-mse"): dict(intercept=False, mse=True),
}


@pytest.mark.parametrize("name", list(BUILTINS))
@pytest.mark.parametrize("scale", ["raw", "standard"])
def test_another_scale_is_named_on_every_image(name, scale):
    pixels = builtin_image(name, SIZE)
    lr = rate_for(name, scale)
    got = check(pixels, "unit", lr, printed(learner_loop(pixels, scale, lr, EPOCHS)))
    assert got.headline == f"other-scale={scale}", got.evidence


@pytest.mark.parametrize("name", ["scene", "spot", "stripes"])
@pytest.mark.parametrize("pair", list(PAIRS), ids=lambda p: f"{p[0]}: {p[1]}")
def test_mistakes_that_come_together_are_named_together(name, pair):
    scale, _ = pair
    pixels = builtin_image(name, SIZE)
    lr = rate_for(name, scale) / 4  # ascent climbs: a small rate keeps it in view
    errors = learner_loop(pixels, scale, lr, EPOCHS, **PAIRS[pair])
    got = check(pixels, "unit", lr, printed(errors))
    order = {
        m: i
        for i, m in enumerate(
            ["reports-mse", "other-rate", "ascent", "other-scale", "no-intercept", "after-update"]
        )
    }
    expected = sorted(
        pair[1].split(", ") + ([f"other-scale={scale}"] if scale != "unit" else []),
        key=lambda m: order[m.split("=")[0]],
    )
    assert got.headline == ", ".join(expected), got.evidence


def test_an_uploaded_image_is_checked_as_the_page_averages_it():
    from helpers import no_exception, open_page, png

    from gdcore import load_image

    raw = np.random.default_rng(9).integers(0, 256, (48, 80))
    data = png(raw)
    pixels = load_image(data, max_side=512).downsampled(32).pixels  # the page's averaging
    errors = learner_loop(pixels, "unit", 0.3, 25, mse=True)
    at = open_page("check", image="upload", size="32", lr="0.3")
    at.file_uploader(key="upload_file").upload("mine.png", data, "image/png").run()
    at.text_area(key="ck_errors").set_value(printed(errors)).run()
    no_exception(at)
    assert at.warning[0].value.startswith("**reports\\-mse.**"), at.warning[0].value


def _colour_png(path=None):
    from PIL import Image

    rgb = np.random.default_rng(5).integers(0, 256, (18, 24, 3)).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "PNG")
    grey = np.asarray(Image.fromarray(rgb).convert("L"), dtype=float)  # whole numbers
    if path is not None:
        path.write_bytes(buf.getvalue())
    return buf.getvalue(), grey


def test_a_colour_photo_read_by_pil_as_learners_read_it_matches_and_says_so(tmp_path):
    from gdcore import load_image

    data, grey = _colour_png(tmp_path / "photo.png")
    assert not np.array_equal(load_image(data).pixels, grey)  # gdcore keeps the fraction
    text = printed(learner_loop(grey, "unit", 0.5, 30), "{!r}")
    path = str(tmp_path / "photo.png")
    code, out, err = _cli("--image", path, "--lr", "0.5", "-", stdin=text)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "match"
    assert lines[1].endswith(
        "The image was read as PIL's convert('L') reads it: whole numbers 0-255."
    )
    # The same loop with a mistake is named on that reading too.
    text = printed(learner_loop(grey, "unit", 0.5, 30, late=True), "{!r}")
    code, out, _ = _cli("--image", path, "--lr", "0.5", "-", stdin=text)
    assert out.splitlines()[0] == "after-update" and "convert('L')" in out


def test_the_page_tries_the_pil_reading_of_an_upload():
    from helpers import no_exception, open_page

    data, grey = _colour_png()
    at = open_page("check", image="upload", size="32", lr="0.5")
    at.file_uploader(key="upload_file").upload("photo.png", data, "image/png").run()
    at.text_area(key="ck_errors").set_value(printed(learner_loop(grey, "unit", 0.5, 20))).run()
    no_exception(at)
    assert "read as PIL" in at.success[0].value, at.success[0].value


from test_browser import browser, server, tab  # noqa: E402, F401 (the browser tests' fixtures)


@pytest.mark.browser
def test_in_a_browser_the_example_is_checked_and_drawn(tab):  # noqa: F811 (a fixture)
    tab.open("check")
    with tab.reruns():
        tab.main.get_by_text("Try an example: a loop that left out the ½").click()
    text = tab.main.inner_text()
    assert "reports-mse, other-rate=1." in text and "slope = -(X.T @ difference) / len(t)" in text
    assert tab.main.locator("[data-testid='stVegaLiteChart']").count() == 1
    assert tab.page.locator("[data-testid='stException']").count() == 0
    assert not tab.errors, tab.errors


# --- Momentum and schedules ----------------------------------------------------------

SCHEDULES = {
    # the text check is given: the rate multiplier of epoch k, written out as a learner would
    "constant": lambda k, T: 1.0,
    "step:10:0.5": lambda k, T: 0.5 ** (k // 10),
    "exp:0.95": lambda k, T: 0.95**k,
    "inverse:20": lambda k, T: 1.0 / (1.0 + k / 20),
    "cosine": lambda k, T: 0.5 * (1.0 + np.cos(np.pi * k / T)),
}


def momentum_loop(
    pixels,
    scale,
    lr,
    epochs,
    *,
    beta=0.0,
    nesterov=False,
    schedule="constant",
    warmup=0,
    convention="torch",
    ahead=False,
    warm_zero=False,
    intercept=True,
    bright=False,
    T=None,
):
    """A learner's NumPy loop with momentum and a schedule, pixel by pixel.

    ``convention``: "torch" (``buf = beta*buf + slope``, step ``lr*buf``, as
    ``torch.optim.SGD``), "average" (``buf = beta*buf + (1-beta)*slope``) or
    "inside" (``buf = beta*buf + lr*slope``, step ``buf``, as Keras). ``ahead``:
    the schedule moves on before the update; ``warm_zero``: the warm-up's
    fraction is k/W (not (k+1)/W).
    """
    table = pixel_table(pixels, scale)
    X, t = table.design_matrix(), table.target_vector() * (255.0 if bright else 1.0)
    w, buf, errors = np.zeros(3), np.zeros(3), []
    if not intercept:
        X, w, buf = X[:, 1:], w[1:], buf[1:]

    def rate(k):
        m = SCHEDULES[schedule](k, T or epochs)
        if k < warmup:
            m *= (k if warm_zero else k + 1) / warmup
        return lr * m

    with np.errstate(all="ignore"):
        for k in range(epochs + 1):
            difference = t - X @ w
            errors.append(0.5 * np.mean(difference**2))
            if k == epochs:
                break
            slope = -(X.T @ difference) / len(t)
            r = rate(k + 1 if ahead else k)
            if convention == "average":
                buf = beta * buf + (1 - beta) * slope
                w = w - r * buf
            elif convention == "inside":
                buf = beta * buf + r * slope
                w = w - (beta * buf + r * slope if nesterov else buf)
            else:
                buf = beta * buf + slope
                w = w - r * (slope + beta * buf if nesterov else buf)
    return [float(e) for e in errors]


def optimizer_of(beta=0.0, nesterov=False, schedule="constant", warmup=0, **_):
    from gdcore import Optimizer

    return Optimizer(beta, nesterov, schedule, warmup)


OPTIMIZER_CASES = [
    dict(beta=0.9),
    dict(beta=0.5, nesterov=True),
    dict(beta=0.9, schedule="step:10:0.5"),
    dict(beta=0.9, nesterov=True, schedule="exp:0.95", warmup=5),
    dict(beta=0.99, schedule="cosine"),
    dict(schedule="inverse:20", warmup=3),
    dict(beta=0.5, schedule="cosine", warmup=5),
]


@pytest.mark.parametrize("name", ["scene", "spot", "stripes"])
@pytest.mark.parametrize("case", OPTIMIZER_CASES, ids=str)
def test_a_correct_momentum_and_schedule_loop_matches(name, case):
    pixels = builtin_image(name, SIZE)
    lr = rate_for(name)
    errors = momentum_loop(pixels, "unit", lr, 40, **case)
    got = check(pixels, "unit", lr, printed(errors), optimizer=optimizer_of(**case))
    assert got.headline == "match", got.evidence
    # Without the optimizer the same numbers are not the lesson's loop.
    assert check(pixels, "unit", lr, printed(errors)).headline != "match"


CONVENTIONS = {
    # the loop as written, the optimizer said: the headline and the line to fix
    "moving average": (
        dict(beta=0.9, convention="average"),
        {},
        "moving-average",
        "buf = beta * buf + slope",
    ),
    "moving average, step": (
        dict(beta=0.8, convention="average", schedule="step:10:0.5"),
        {},
        "moving-average",
        "buf = beta * buf + slope",
    ),
    "rate in the buffer": (
        dict(beta=0.9, convention="inside", schedule="step:10:0.5"),
        {},
        "rate-in-buffer",
        "buf = beta * buf + slope; w = w - lr * buf",
    ),
    "Nesterov said plain": (
        dict(beta=0.9, nesterov=True),
        dict(nesterov=False),
        "nesterov",
        "w = w - lr * buf",
    ),
    "plain said Nesterov": (
        dict(beta=0.9),
        dict(nesterov=True),
        "no-nesterov",
        "w = w - lr * (slope + beta * buf)",
    ),
    "schedule ahead": (
        dict(beta=0.5, schedule="step:10:0.5", ahead=True),
        {},
        "schedule-ahead",
        "optimizer.step(); scheduler.step()  # the schedule moves on after the update",
    ),
    "warm-up from 0": (
        dict(schedule="cosine", warmup=5, warm_zero=True),
        {},
        "warmup-from-0",
        "lr_k = lr * min(1, (k + 1) / 5)  # epoch 0 already steps",
    ),
}


@pytest.mark.parametrize("name", ["scene", "spot", "noise"])
@pytest.mark.parametrize("case", list(CONVENTIONS))
def test_a_convention_other_than_pytorchs_is_named_with_its_line(name, case):
    loop, said, headline, line = CONVENTIONS[case]
    pixels = builtin_image(name, SIZE)
    lr = rate_for(name)
    errors = momentum_loop(pixels, "unit", lr, 40, **loop)
    optimizer = optimizer_of(**{**loop, **said})
    got = check(pixels, "unit", lr, printed(errors), optimizer=optimizer)
    assert got.headline == headline, got.evidence
    assert [f.line for f in got.findings] == [line]
    from gdcore.learner.setup import said as in_words

    assert got.evidence.endswith(f"The loop was checked with {in_words(optimizer)}.")


def test_the_moving_average_is_the_rate_times_one_minus_beta_and_says_so():
    pixels = builtin_image("scene", SIZE)
    errors = momentum_loop(pixels, "unit", 0.5, 30, beta=0.9, convention="average")
    got = check(pixels, "unit", 0.5, printed(errors), optimizer=optimizer_of(beta=0.9))
    assert got.headline == "moving-average"
    assert "each step is 0.1 (1−β) of PyTorch's SGD" in got.evidence
    # The same numbers are PyTorch's loop at 0.1 of the rate: that is said as a match.
    same = check(pixels, "unit", 0.05, printed(errors), optimizer=optimizer_of(beta=0.9))
    assert same.headline == "match"


def _torch_loop(pixels, lr, epochs, beta, nesterov, schedule, warmup, dtype, ahead=False):
    """The learner's PyTorch loop: ``torch.optim.SGD`` with momentum and ``LambdaLR``."""
    import torch

    table = pixel_table(pixels, "unit")
    X = torch.tensor(table.design_matrix(), dtype=dtype)
    t = torch.tensor(table.target_vector(), dtype=dtype)
    w = torch.zeros(3, dtype=dtype, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=beta, nesterov=nesterov)

    def factor(k):
        m = SCHEDULES[schedule](k, epochs)
        return m * (k + 1) / warmup if k < warmup else m

    sched = torch.optim.lr_scheduler.LambdaLR(opt, factor)
    errors = []
    for k in range(epochs + 1):
        opt.zero_grad()
        loss = 0.5 * torch.mean((t - X @ w) ** 2)
        errors.append(loss.item())
        if k == epochs:
            break
        loss.backward()
        if ahead:
            sched.step()
            opt.step()
        else:
            opt.step()
            sched.step()
    return errors


TORCH_CASES = [
    dict(beta=0.9, nesterov=False, schedule="constant", warmup=0),
    dict(beta=0.9, nesterov=True, schedule="step:10:0.5", warmup=0),
    dict(beta=0.5, nesterov=False, schedule="cosine", warmup=5),
    dict(beta=0.99, nesterov=False, schedule="exp:0.95", warmup=3),
]


@pytest.mark.parametrize("case", TORCH_CASES, ids=str)
def test_a_pytorch_loop_with_momentum_and_lambdalr_matches(case):
    torch = pytest.importorskip("torch")
    import warnings

    pixels = builtin_image("scene", 16)
    lr = rate_for("scene")
    optimizer = optimizer_of(case["beta"], case["nesterov"], case["schedule"], case["warmup"])
    errors = _torch_loop(pixels, lr, 40, **case, dtype=torch.float64)
    got = check(pixels, "unit", lr, printed(errors, "{!r}"), optimizer=optimizer)
    assert got.headline == "match" and got.precision == "float64", got.evidence
    # PyTorch's default float32: a match in single precision, and said.
    errors = _torch_loop(pixels, lr, 40, **case, dtype=torch.float32)
    got = check(pixels, "unit", lr, printed(errors, "{!r}"), optimizer=optimizer)
    assert got.headline == "match" and got.precision == "float32", got.evidence
    if case["schedule"] != "constant":  # scheduler.step() before optimizer.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PyTorch warns of this order: the mistake itself
            errors = _torch_loop(pixels, lr, 40, **case, dtype=torch.float64, ahead=True)
        got = check(pixels, "unit", lr, printed(errors, "{!r}"), optimizer=optimizer)
        assert got.headline == "schedule-ahead", got.evidence


def test_a_pytorch_moving_average_is_named():
    torch = pytest.importorskip("torch")
    pixels = builtin_image("scene", 16)
    table = pixel_table(pixels, "unit")
    X = torch.tensor(table.design_matrix())
    t = torch.tensor(table.target_vector())
    w, buf, errors = torch.zeros(3, dtype=torch.float64), torch.zeros(3, dtype=torch.float64), []
    for _ in range(31):
        w.requires_grad_(True)
        loss = 0.5 * torch.mean((t - X @ w) ** 2)
        errors.append(loss.item())
        (slope,) = torch.autograd.grad(loss, w)
        with torch.no_grad():
            buf = 0.9 * buf + 0.1 * slope  # the moving average
            w = w - 0.5 * buf
    got = check(pixels, "unit", 0.5, printed(errors, "{!r}"), optimizer=optimizer_of(beta=0.9))
    assert got.headline == "moving-average", got.evidence


def test_the_command_line_checks_with_the_optimizer(tmp_path):
    pixels = builtin_image("scene", 16)
    errors = momentum_loop(pixels, "unit", 0.5, 40, beta=0.9, schedule="cosine", warmup=5)
    text = printed(errors, "{!r}")
    base = ["--image", "scene", "--size", "16", "--lr", "0.5", "--momentum", "0.9"]
    schedule_args = ["--schedule", "cosine", "--warmup", "5", "-"]
    code, out, err = _cli(*base, *schedule_args, stdin=text)
    assert (code, out.splitlines()[0]) == (0, "match"), err
    assert "checked with momentum β 0.9; a warm-up over 5 epochs, then a rate falling" in out
    # A cosine needs the run's length: said as more epochs, the numbers no longer match.
    code, out, _ = _cli(*base, "--epochs", "80", *schedule_args, stdin=text)
    assert out.splitlines()[0] != "match"
    averaged = momentum_loop(pixels, "unit", 0.5, 40, beta=0.9, convention="average")
    code, out, _ = _cli(*base, "-", stdin=printed(averaged))
    lines = out.splitlines()
    assert lines[0] == "moving-average" and lines[-1].startswith("fix: buf = beta * buf + slope  #")
    code, out, err = _cli("--image", "scene", "--lr", "0.5", "--nesterov", "-", stdin="1 2")
    assert code == 2 and out == "" and "nesterov: needs a momentum > 0" in err


def test_run_takes_the_starting_weights():
    from gdcore import run_descent

    out, err = io.StringIO(), io.StringIO()
    argv = ["run", "--image", "scene", "--size", "8", "--lr", "0.5", "--epochs", "3"]
    assert main([*argv, "--init", "0.1,-0.2,0.3"], out=out, err=err) == 0, err.getvalue()
    rows = [line.split(",") for line in out.getvalue().splitlines()[1:]]
    want = run_descent(
        pixel_table(builtin_image("scene", 8), "unit"), [0.5], 3, init=(0.1, -0.2, 0.3)
    )
    np.testing.assert_array_equal([float(r[2]) for r in rows], want.errors[0])
    assert [float(v) for v in rows[0][3:]] == [0.1, -0.2, 0.3]
    out = io.StringIO()
    assert main([*argv, "--init", "random", "--seed", "4"], out=out, err=err) == 0
    random = run_descent(
        pixel_table(builtin_image("scene", 8), "unit"), [0.5], 3, init="random", seed=4
    )
    assert [float(v) for v in out.getvalue().splitlines()[1].split(",")[3:]] == list(
        random.weights[0, 0]
    )
    err = io.StringIO()
    assert main([*argv, "--init", "1,2"], out=io.StringIO(), err=err) == 2
    assert "argument --init: must be zero, random or three numbers" in err.getvalue()


# --- Check never invents -------------------------------------------------------------


def written_loop(pixels, scale, lr, epochs, *, mse=False, intercept=True, late=False, bright=False):
    """A loop on any table: ``bright`` leaves the brightness in 0-255 on the unit scale;
    ``lr`` may be negative (adds the slope) or 0 (the weights never change)."""
    table = pixel_table(pixels, scale)
    X, t = table.design_matrix(), table.target_vector() * (255.0 if bright else 1.0)
    w = np.zeros(3)
    if not intercept:
        X, w = X[:, 1:], w[1:]
    k = 1.0 if mse else 0.5
    out = []
    with np.errstate(all="ignore"):
        for _ in range(epochs + 2):
            out.append(k * np.mean((t - X @ w) ** 2))
            w = w - lr * (-(X.T @ (t - X @ w)) / len(t))
    return [float(e) for e in (out[1:] if late else out[:-1])]


def rebuilt(got, pixels, scale, lr, count, optimizer=None):
    """The loop ``got``'s findings name, written out again from the findings alone."""
    found = {f.mistake: f for f in got.findings}
    kw = dict(
        mse="reports-mse" in found,
        intercept="no-intercept" not in found,
        late="after-update" in found,
    )
    rate = found["other-rate"].value if "other-rate" in found else lr
    rate = 0.0 if "no-change" in found else -rate if "ascent" in found else rate
    used = found["other-scale"].value if "other-scale" in found else scale
    epochs = count if kw["late"] else count - 1
    if optimizer is None or optimizer.plain:
        return written_loop(pixels, used, rate, epochs, bright="brightness-255" in found, **kw)[
            :count
        ]
    loop = momentum_loop(
        pixels,
        used,
        rate,
        epochs,
        beta=optimizer.momentum,
        nesterov=optimizer.nesterov != ("nesterov" in found or "no-nesterov" in found),
        schedule=optimizer.schedule,
        warmup=optimizer.warmup,
        convention="average"
        if "moving-average" in found
        else "inside"
        if "rate-in-buffer" in found
        else "torch",
        ahead="schedule-ahead" in found,
        warm_zero="warmup-from-0" in found,
        intercept=kw["intercept"],
        bright="brightness-255" in found,
        T=count - 1,
    )
    loop = loop[1:] if kw["late"] else loop
    return [2 * e if kw["mse"] else e for e in loop]


def reproduces(values, texts, loop, precision):
    """Every printed value reproduced to its digits (inf or nan: the loop blew up too)."""
    from gdcore.learner.agreement import DOUBLE, SINGLE

    p = SINGLE if precision == "float32" else DOUBLE
    floor = p.floor * abs(loop[0])
    for v, text, c in zip(values, texts, loop, strict=True):
        if not np.isfinite(v):
            assert not c <= 1e37 / 1 if precision == "float32" else not c <= p.blown, (text, c)
        else:
            assert abs(c - v) <= max(half_unit(text), p.rtol * abs(c)) + floor, (text, c)


FORMATS = ["{:.6g}", "{!r}", "{:.3e}", "{:.4f}", "{:.2g}"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["scene", "spot", "stripes", "noise", "plane"]),
    scale=st.sampled_from(["unit", "raw", "standard"]),
    said=st.sampled_from(["unit", "raw", "standard"]),
    fraction=st.floats(0.05, 2.5),
    typed=st.sampled_from([1.0, 2.0, 0.5, 1.3]),
    mistakes=st.fixed_dictionaries(
        {
            "mse": st.booleans(),
            "intercept": st.booleans(),
            "late": st.booleans(),
            "bright": st.booleans(),
        }
    ),
    ascent=st.booleans(),
    frozen=st.booleans(),
    fmt=st.sampled_from(FORMATS),
    epochs=st.integers(2, 25),
    nudge=st.one_of(st.none(), st.tuples(st.integers(0, 25), st.floats(0.5, 2.0))),
)
def test_a_named_finding_reproduces_every_printed_value(
    name, scale, said, fraction, typed, mistakes, ascent, frozen, fmt, epochs, nudge
):
    import gdcore

    pixels = builtin_image(name, 8)
    bright = mistakes["bright"] and scale == "unit"
    crit = gdcore.theory(gdcore.quadratic(pixel_table(pixels, scale))).critical_lr
    lr = float(f"{crit * fraction:.3g}")
    used = 0.0 if frozen else -lr if ascent else lr
    errors = written_loop(pixels, scale, used, epochs, **{**mistakes, "bright": bright})
    texts = [fmt.format(e) for e in errors]
    if nudge is not None and nudge[0] < len(texts):
        texts[nudge[0]] = fmt.format(errors[nudge[0]] * nudge[1])  # a loop gone wrong
    given_lr = float(f"{lr * typed:.3g}")
    got = check(pixels, said, given_lr, ", ".join(texts))
    event(got.outcome)
    if got.outcome == "explained":
        loop = rebuilt(got, pixels, said, given_lr, len(texts))
        reproduces(got.values, texts, loop, got.precision)
        for f in got.findings:  # a rate named is one the app takes
            assert f.mistake != "other-rate" or f.value >= 1e-12
    elif got.outcome == "match":
        exact = written_loop(pixels, said, given_lr, len(texts) - 1)
        reproduces(got.values, texts, exact, got.precision)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from(["scene", "spot", "noise"]),
    beta=st.sampled_from([0.5, 0.9, 0.99]),
    nesterov=st.booleans(),
    schedule=st.sampled_from(list(SCHEDULES)),
    warmup=st.sampled_from([0, 3]),
    convention=st.sampled_from(["torch", "average", "inside"]),
    ahead=st.booleans(),
    warm_zero=st.booleans(),
    said_nesterov=st.booleans(),
    fraction=st.floats(0.05, 1.5),
    fmt=st.sampled_from(FORMATS),
)
def test_a_named_convention_reproduces_every_printed_value(
    name,
    beta,
    nesterov,
    schedule,
    warmup,
    convention,
    ahead,
    warm_zero,
    said_nesterov,
    fraction,
    fmt,
):
    pixels = builtin_image(name, 8)
    lr = float(f"{rate_for(name) * 3 * fraction:.3g}")
    loop = dict(beta=beta, schedule=schedule, warmup=warmup)
    nesterov = nesterov and convention != "average"
    errors = momentum_loop(
        pixels,
        "unit",
        lr,
        30,
        nesterov=nesterov,
        convention=convention,
        ahead=ahead,
        warm_zero=warm_zero,
        **loop,
    )
    texts = [fmt.format(e) for e in errors]
    optimizer = optimizer_of(nesterov=said_nesterov, **loop)
    got = check(pixels, "unit", lr, ", ".join(texts), optimizer=optimizer)
    event(got.outcome)
    if got.outcome == "explained":
        reproduces(
            got.values,
            texts,
            rebuilt(got, pixels, "unit", lr, len(texts), optimizer),
            got.precision,
        )
    elif got.outcome == "match":
        exact = momentum_loop(pixels, "unit", lr, 30, nesterov=said_nesterov, **loop)
        reproduces(got.values, texts, exact, got.precision)


def test_weights_that_never_change_are_named_not_a_tiny_rate():
    pixels = builtin_image("scene", 16)
    table = pixel_table(pixels, "unit")
    X, t = table.design_matrix(), table.target_vector()
    w, errors = np.zeros(3, dtype=int), []  # an integer weight array
    for _ in range(20):
        difference = t - X @ w
        errors.append(0.5 * np.mean(difference**2))
        w = (w - 0.5 * (-(X.T @ difference) / len(t))).astype(int)  # each step rounded away
    got = check(pixels, "unit", 0.5, printed(errors))
    assert got.headline == "no-change" and got.also == (), got.evidence
    assert got.evidence.startswith("The weights never change: every value is the starting error")
    assert f"printed {printed(errors[1:2])}, that loop {errors[0]:.6g}" in got.evidence
    assert "other-rate" not in str(got) and "1e-16" not in str(got)


def test_huge_printed_values_are_not_explained_by_an_invented_rate():
    got = check(builtin_image("scene", 16), "unit", 0.5, "1e300 1e300 1e300")
    assert got.headline == "unexplained 0", got.evidence
    assert "2e+150" not in got.evidence


@pytest.mark.parametrize("text", ["0.25 1e309", "1e399, 0.1", "0.2 0.1 1.5e99999"])
def test_a_value_beyond_float_range_is_refused_in_one_line(text):
    with pytest.raises(ValueError, match=r"is beyond the range of a float \(at most 1.8e\+308\)"):
        check(builtin_image("scene", 8), "unit", 0.5, text)
    code, out, err = _cli("--image", "scene", "--lr", "0.5", "-", stdin=text)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "beyond the range of a float" in err and "Traceback" not in err
    huge = next(t for t in text.replace(",", " ").split() if "e" in t)
    assert half_unit(huge) == float("inf")  # no OverflowError on the way


def test_brightness_left_in_0_to_255_on_the_unit_scale_is_named():
    pixels = builtin_image("spot", 16)
    errors = written_loop(pixels, "unit", 0.5, 25, bright=True)
    exact = written_loop(pixels, "unit", 0.5, 25)
    np.testing.assert_allclose(errors, np.array(exact) * 255**2, rtol=1e-9)  # exactly 255²
    got = check(pixels, "unit", 0.5, printed(errors))
    assert got.headline == "brightness-255", got.evidence
    assert "65,025 (255²) times" in got.evidence
    assert [f.line for f in got.findings] == ["t = pixels / 255  # brightness in 0-1, like x and y"]


def test_the_page_refuses_a_value_beyond_float_range():
    from helpers import no_exception, open_page

    at = open_page("check", errors="0.25, 1e309")
    no_exception(at)
    at.text_area(key="ck_errors").set_value("0.25, 1e309").run()
    no_exception(at)
    assert any("beyond the range of a float" in e.value for e in at.error), [
        e.value for e in at.error
    ]


def test_the_page_checks_with_momentum_and_a_schedule():
    from helpers import no_exception, open_page

    pixels = builtin_image("scene", 64)
    optimizer = dict(beta=0.9, schedule="step:10:0.5", warmup=3)
    link = dict(momentum="0.9", schedule="step:10:0.5", warmup="3")
    errors = momentum_loop(pixels, "unit", 0.5, 25, **optimizer)
    at = open_page("check", errors=printed(errors, "{:.5g}"), **link)  # a link holds 400 characters
    no_exception(at)
    assert at.success[0].value.startswith("**Match.** All 26 values agree"), at.success[0].value
    assert r"momentum β 0\.9; a warm\-up over 3 epochs" in at.success[0].value
    averaged = momentum_loop(pixels, "unit", 0.5, 25, convention="average", **optimizer)
    at.text_area(key="ck_errors").set_value(printed(averaged)).run()
    no_exception(at)
    assert at.warning[0].value.startswith("**moving\\-average.**"), at.warning[0].value
    assert "buf = beta * buf + slope" in [c.value for c in at.code]
    # Without the optimizer the same numbers are no match: the fields are what check uses.
    at.number_input(key="ck_momentum").set_value(0.0).run()
    no_exception(at)
    assert not at.success


@pytest.mark.parametrize(
    "optimizer", ["plain", "momentum=0.9", "momentum=0.9 nesterov schedule=cosine warmup=4"]
)
def test_the_search_counts_each_loops_mistakes_as_it_names_them(optimizer):
    from dataclasses import replace

    from gdcore import Optimizer
    from gdcore.learner.findings import count_mistakes, findings_of
    from gdcore.learner.search import PRINTS, loop_shapes
    from gdcore.learner.setup import Setup

    setup = Setup(builtin_image("scene", 8), "unit", 0.5, optimizer=Optimizer.parse(optimizer))
    shapes = loop_shapes(setup)
    assert len(shapes) == len(set(shapes))
    for shape in shapes:
        for mse, late in PRINTS:
            for rate in (0.0, 0.5, -0.5, 0.25, -1.0):
                loop = replace(shape, rate=rate, mse=mse, late=late)
                assert count_mistakes(setup, loop) == len(findings_of(setup, loop)), loop


def test_a_log_with_a_value_beyond_float_range_is_refused_not_read_as_inf(tmp_path):
    path = tmp_path / "log.csv"
    path.write_text("epoch,loss\n0,0.25\n1,1.5e309\n2,0.1\n")
    code, out, err = _cli("--image", "scene", "--lr", "0.5", "--file", str(path))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "1.5e309, is beyond the range of a float" in err, err
    path.write_text("epoch,loss\n0,0.25\n1,1.5e300\n2,0.1\n")  # large, but a float
    code, out, err = _cli("--image", "scene", "--lr", "0.5", "--file", str(path))
    assert code == 0 and out.startswith("unexplained "), (out, err)


def test_the_smallest_rate_named_is_the_dashboards_smallest():
    from gdcore.learner.search import MIN_RATE
    from ui.rules import RATE

    assert RATE.rule.lo == MIN_RATE and not RATE.rule.lo_open
