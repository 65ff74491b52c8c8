"""Logs written by the real frameworks, each at a too-small, a good and a diverging rate, read
from the right column with the right verdict (tests/data/frameworks/make_logs.py made them);
the noise-aware verdict (gdcore.verdicts.noise) against numpy and pandas; the formats of
issue 21 (transformers 5, captured progress bars, appended runs, thousands separators) and
issue 22's UTF-16 and NUL messages."""

import ast
import csv
import io
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gdcore.cli import main
from gdcore.learner.log_record import LogError
from gdcore.learner.logs import read_log
from gdcore.verdicts.noise import Axis, diagnose_noisy, ema, ema_weight, noise_level, trend_of
from gdcore.verdicts.which_rules import diagnose_curve

HERE = Path(__file__).parent / "data" / "frameworks"
VERDICT = {"small": "too small", "good": "good", "diverging": "too large"}
RATES = tuple(VERDICT)


def _csv_column(path: Path, name: str) -> list[float]:
    """A column's non-empty cells, read by Python's csv module (the second reader)."""
    with path.open(newline="") as f:
        return [float(r[name]) for r in csv.DictReader(f) if r[name] != ""]


def _printed(path: Path, pattern: str) -> list[float]:
    return [float(m) for m in re.findall(pattern, path.read_text())]


def _hf(path: Path) -> list[dict]:
    return [ast.literal_eval(line) for line in path.read_text().splitlines()]


# file stem -> (column, the values by a second reader, whether the log counts steps)
def _expected(stem: str) -> tuple[str | None, list[float], bool]:
    path = next(HERE.glob(f"{stem}.*"))
    if stem.startswith(("lightning_", "fastai_")):
        column = "train_loss"
        return column, _csv_column(path, column), stem.startswith("lightning_step")
    if stem.startswith("keras_fit_"):
        # each epoch's final bar line is the one that also prints val_loss
        text = re.sub(r"\x1b\[[0-9;]*m", "", path.read_text())
        return "loss", [float(v) for v in re.findall(r"loss: (\S+) - val_loss", text)], False
    if stem.startswith("keras_"):
        return "loss", _csv_column(path, "loss"), False
    if stem.startswith("tensorboard_"):
        return "Value", _csv_column(path, "Value"), True
    if stem.startswith("huggingface_"):
        return "loss", [float(d["loss"]) for d in _hf(path) if "loss" in d], True
    if stem.startswith("torch_loop_"):
        return "loss", _printed(path, r", loss: (\S+),"), False
    if stem.startswith("torch_steps_"):
        return "loss", _printed(path, r"loss: (\S+)"), True
    raise AssertionError(stem)


FRAMEWORKS = [
    "lightning_epoch",
    "lightning_step",
    "keras",
    "keras_fit",
    "huggingface",
    "fastai",
    "tensorboard",
    "torch_loop",
    "torch_steps",
]
STEMS = [f"{f}_{r}" for f in FRAMEWORKS for r in RATES]


def test_every_framework_wrote_three_rates():
    assert sorted(p.stem for p in HERE.glob("*_*.*") if p.suffix in (".csv", ".txt")) == sorted(
        [*STEMS, "keras_appended"]
    )


@pytest.mark.parametrize("stem", STEMS)
def test_each_framework_log_is_read_from_the_right_column_with_the_right_verdict(stem):
    path = next(HERE.glob(f"{stem}.*"))
    column, values, steps = _expected(stem)
    log = read_log(path.read_bytes())
    assert log.column == column
    assert len(values) >= 10
    np.testing.assert_array_equal(log.values, np.array(values))
    assert (log.axis.unit == "step") == steps
    assert ("the log counts steps" in log.said) == steps
    d = diagnose_curve(log.values, axis=log.axis)
    assert d.verdict == VERDICT[stem.rsplit("_", 1)[1]], d
    if steps and d.verdict != "too large":
        assert "epochs" in d.reason if log.axis.epochs is not None else "steps" in d.reason
    if not steps:  # epoch logs: the verdict of the numbers typed by hand, word for word
        assert d == diagnose_curve(values)


@pytest.mark.parametrize(
    "stem", ["lightning_step_good", "huggingface_good", "tensorboard_good", "torch_steps_good"]
)
def test_noisy_step_logs_say_the_noise_and_the_trend_with_numbers_from_numpy(stem):
    log = read_log(next(HERE.glob(f"{stem}.*")).read_bytes())
    assert log.axis.unit == "step"
    d = diagnose_curve(log.values, axis=log.axis)
    v = log.values
    assert d.reason.startswith(
        f"it falls with batch noise (±{noise_level(v):.2g} around the trend)"
    )
    if log.axis.epochs is not None:  # per-epoch means, as pandas groups them
        means = pd.Series(v).groupby(log.axis.epochs).mean().to_numpy()
        assert f"fell from {means[0]:.3g} to {means[-1]:.3g}" in d.reason
        assert f"the last 2 of {means.size - 1} epochs" in d.reason
    else:  # TensorBoard's smoothing: pandas' debiased ewm is the same average
        w = float(re.search(r"weight ([\d.]+)", d.reason).group(1))
        smooth = pd.Series(v).ewm(alpha=1 - w, adjust=True).mean().to_numpy()
        assert f"fell from {smooth[0]:.3g} to {smooth[-1]:.3g}" in d.reason
        assert f"of {v.size - 1} steps" in d.reason


def test_the_issues_noise_case_per_step_losses_are_no_longer_too_large():
    # TensorBoard's Step axis and Lightning's per-step loss at a too-small and a good rate
    # were "too large: rose from 5.41 to 16.1 between epochs 2 and 4" before the trend.
    for stem in ("tensorboard_small", "tensorboard_good", "lightning_step_small"):
        log = read_log(next(HERE.glob(f"{stem}.*")).read_bytes())
        assert diagnose_curve(log.values).verdict == "too large"  # the raw rules
        assert diagnose_curve(log.values, axis=log.axis).verdict != "too large"


def test_a_real_divergence_stays_too_large_where_the_trend_rises_past_the_noise():
    rng = np.random.default_rng(3)
    n = 300
    rising = 1.0 + np.linspace(0, 3, n) ** 2 + rng.normal(0, 0.2, n)
    d = diagnose_noisy(np.abs(rising), None, Axis("step"))
    assert d is not None and d.verdict == "too large"
    assert "more than the batch noise" in d.reason and " step " in d.reason
    # the same noise on a flat-then-falling trend is no divergence
    falling = 1.0 + 2 * np.exp(-np.arange(n) / 30) + rng.normal(0, 0.2, n)
    assert diagnose_noisy(np.abs(falling), None, Axis("step")).verdict == "good"
    nan = np.abs(falling).copy()
    nan[250] = np.nan
    d = diagnose_noisy(nan, None, Axis("step", at=np.arange(n) * 10.0))
    assert str(d) == "too large: the error became NaN at step 2,500."


def test_ema_is_pandas_debiased_ewm_and_noise_level_recovers_a_known_sigma():
    rng = np.random.default_rng(0)
    v = rng.random(500)
    for w in (0.6, 0.9, 0.99):
        np.testing.assert_allclose(
            ema(v, w), pd.Series(v).ewm(alpha=1 - w, adjust=True).mean(), rtol=1e-12
        )
    sigma = 0.05
    noisy = 3 * np.exp(-np.arange(20_000) / 3000) + rng.normal(0, sigma, 20_000)
    assert noise_level(noisy) == pytest.approx(sigma, rel=0.03)


def test_clean_curves_keep_the_curve_rules_word_for_word():
    # The lesson's curve and a smooth fall: no trend, the same sentence as before.
    for curve in ([2.0, 0.1, 5.0, 20.0], list(2.0 * 0.9 ** np.arange(60))):
        assert trend_of(np.array(curve), Axis()) is None
        assert diagnose_curve(curve, axis=Axis()) == diagnose_curve(curve)


# --- formats ------------------------------------------------------------------------------


def test_transformers_5_quoted_values_and_4_plain_ones_read_alike():
    five = (HERE / "huggingface_good.txt").read_text()
    four = re.sub(r"'([-+\d.e]+)'", r"\1", five)
    assert four != five and "'loss': 0." in four
    a, b = read_log(five), read_log(four)
    np.testing.assert_array_equal(a.values, b.values)
    assert a.validation is not None and a.validation_column == "eval_loss"
    assert a.validation.size == 10


def test_a_captured_keras_bar_keeps_each_epochs_final_line():
    log = read_log((HERE / "keras_fit_good.txt").read_bytes())
    assert log.values.size == 10 and log.validation.size == 10
    partial = len(re.findall(r"\d+/16", (HERE / "keras_fit_good.txt").read_text())) - 10
    assert f"({partial} partial progress lines left out" in log.said
    # tqdm's bar (Lightning's) captured the same way: the epoch is on every line
    tqdm = "".join(
        f"Epoch {e}: {100 * k // 4}%|##| {k}/4 [00:00<00:00, v_num=0, train_loss={1 / (e + 1) + k / 100:.3f}]\n"
        for e in range(3)
        for k in range(1, 5)
    )
    log = read_log(tqdm)
    assert log.column == "train_loss" and log.values.tolist() == [1.04, 0.54, 0.373]


def test_appended_runs_are_told_apart_and_the_last_is_judged():
    path = HERE / "keras_appended.csv"
    first, second = _csv_column(path, "loss")[:10], _csv_column(path, "loss")[10:]
    log = read_log(path.read_bytes())
    assert log.runs == (2, 12) and log.run == 2
    assert log.values.tolist() == second
    assert "the file holds 2 runs, starting at lines 2 and 12" in log.said
    assert diagnose_curve(log.values, axis=log.axis).verdict == "good"
    one = read_log(path.read_bytes(), run=1)
    assert one.values.tolist() == first and one.run == 1
    assert diagnose_curve(one.values, axis=one.axis).verdict == "too large"
    with pytest.raises(LogError, match="no run 3: the log holds 2 runs"):
        read_log(path.read_bytes(), run=3)
    # two files concatenated: the header repeats
    both = b"epoch,loss\n0,1\n1,0.5\nepoch,loss\n0,2\n1,1.5\n2,1.2\n"
    log = read_log(both)
    assert log.values.tolist() == [2, 1.5, 1.2] and log.runs == (2, 5)


def test_diagnose_cli_judges_the_last_run_and_takes_run():
    out, err = io.StringIO(), io.StringIO()
    path = str(HERE / "keras_appended.csv")
    assert main(["diagnose", "--file", path], out=out, err=err) == 0
    assert out.getvalue().splitlines()[0] == "good"
    assert out.getvalue().rstrip().endswith("(the last); --run N to judge another")
    out = io.StringIO()
    assert main(["diagnose", "--file", path, "--run", "1"], out=out, err=err) == 0
    assert out.getvalue().splitlines()[0] == "too large"
    out = io.StringIO()
    assert main(["diagnose", "--file", str(HERE / "tensorboard_small.csv")], out=out) == 0
    lines = out.getvalue().splitlines()
    assert lines[0] == "too small" and "the last 40 of 159 steps" in lines[1]


def test_thousands_separators_are_read_when_unambiguous_and_refused_when_not():
    typed = "12,000.0, 7,200.0, 4,800.0, 3,900.0, 3,700.0"
    log = read_log(typed)
    assert log.values.tolist() == [12000, 7200, 4800, 3900, 3700]
    assert "with thousands separators" in log.said
    assert read_log("1,234,567\n1,000,000\n").values.tolist() == [1234567, 1000000]
    quoted = b'epoch,loss\n0,"12,000.0"\n1,"7,200.5"\n2,"4,800.0"\n'
    log = read_log(quoted)
    assert log.values.tolist() == [12000, 7200.5, 4800] and log.column == "loss"
    assert "with thousands separators" in log.said
    with pytest.raises(LogError, match="'1,500' could be one number with a thousands"):
        read_log("1,500 2,250 1,800")
    with pytest.raises(LogError, match="could separate two values or mark thousands"):
        read_log("12,000.0,7,200.0,4,800.0")
    with pytest.raises(LogError, match="could separate two values or mark thousands"):
        read_log("0,5 0,4 0,3")
    # a comma-separated list stays one
    assert read_log("2.0,0.1,5.0,20").values.tolist() == [2.0, 0.1, 5.0, 20.0]


def test_utf16_without_a_bom_is_read_and_said_and_nul_bytes_are_one_sentence():
    text = "epoch,loss\n" + "".join(f"{i},{0.9 / (i + 1):.4f}\n" for i in range(12))
    for codec in ("utf-16-le", "utf-16-be"):
        log = read_log(text.encode(codec))
        assert log.values.size == 12 and log.column == "loss"
        assert log.said.endswith("(read as UTF-16 text without a byte-order mark)")
    broken = text.encode()[:30] + b"\x00" * 4 + text.encode()[30:]
    with pytest.raises(LogError) as caught:
        read_log(broken)
    message = str(caught.value)
    line = text.encode()[:30].count(b"\n") + 1
    assert message == (
        f"the log holds 4 NUL bytes (the first is byte 31, on line {line}), which no text "
        "log has: it is binary, or was cut off while it was written; save it as UTF-8 text."
    )
    assert "metric" not in message


def test_a_refused_log_names_the_candidates():
    with pytest.raises(LogError) as caught:
        read_log(b"step,loss_a,loss_b\n0,1,2\n1,0.5,1.5\n")
    assert caught.value.candidates == ("loss_a", "loss_b")
    with pytest.raises(LogError) as caught:
        read_log(b'step,accuracy\n0,"0.5"\n1,"0.7"\n')
    assert caught.value.candidates == ("step", "accuracy")


# --- the Diagnose page --------------------------------------------------------------------


def test_diagnose_page_draws_a_noisy_log_faintly_under_its_trend_and_says_so():
    from helpers import chart_datasets, no_exception, open_page, verdict_text

    text = (HERE / "tensorboard_good.csv").read_text()
    log = read_log(text)
    d = diagnose_curve(log.values, axis=log.axis)
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input(text).run()
    no_exception(at)
    card = verdict_text(at)
    assert "GOOD" in card and "batch noise (±0.004 around the trend)" in card
    raw, trend = chart_datasets(at, 0)
    assert raw["x"] == log.axis.at.tolist() and raw["error"] == log.values.tolist()
    w = float(re.search(r"weight ([\d.]+)", d.reason).group(1))
    np.testing.assert_allclose(
        trend["error"], pd.Series(log.values).ewm(alpha=1 - w).mean(), rtol=1e-12
    )
    assert any("the log counts steps (160 values)" in t.value for t in at.text)
    assert any("**trend**" in m.value for m in at.markdown)  # the expander's rules


def test_diagnose_page_offers_the_runs_of_an_appended_log():
    from helpers import no_exception, open_page, verdict_text

    at = open_page("diagnose")
    at.text_area(key="dg_errors").input((HERE / "keras_appended.csv").read_text()).run()
    no_exception(at)
    assert "GOOD" in verdict_text(at)
    at.selectbox(key="dg_run").set_value(1).run()
    assert "TOO LARGE" in verdict_text(at)
    assert any("judged run 1 of 2" in t.value for t in at.text)


def test_printed_names_without_numbers_are_named_in_the_refusal():
    with pytest.raises(LogError) as caught:
        read_log("{'loss': 'n/a?', 'epoch': 'one'}")
    assert caught.value.candidates == ("loss", "epoch")
    assert "the log names 'loss', 'epoch', but no name is followed by a number" in str(caught.value)


def test_typed_noisy_numbers_are_judged_by_their_trend_in_epochs():
    rng = np.random.default_rng(7)
    curve = np.abs(0.3 + 2 * np.exp(-np.arange(60) / 8) + rng.normal(0, 0.1, 60))
    typed = " ".join(f"{v:.4f}" for v in curve)
    log = read_log(typed)
    assert log.axis.unit == "epoch" and log.axis.epochs is None
    d = diagnose_curve(log.values, axis=log.axis)
    assert d.verdict == "good" and "of 59 epochs" in d.reason
    assert d.reason.startswith("it falls with batch noise (±0.1 around the trend)")
    assert f"weight {ema_weight(60):g}," in d.reason and ema_weight(60) == 0.67
    assert diagnose_curve(log.values).verdict == "too large"  # the raw rules: noise as overshoot


def test_a_resumed_lightning_run_is_found_where_its_step_counts_back():
    # Lightning resumed from the checkpoint at step 79 after a crash at step 95: the epoch
    # repeats (5, 5) but the step goes back, and the second run is judged.
    rows = (HERE / "lightning_step_good.csv").read_text().splitlines()
    header, body = rows[0], rows[1:]
    steps = [int(r.split(",")[1]) for r in body]
    crash, resume = steps.index(95), steps.index(80)
    resumed = "\n".join([header, *body[: crash + 1], *body[resume:]]) + "\n"
    log = read_log(resumed)
    assert log.runs == (2, crash + 3) and log.run == 2
    np.testing.assert_array_equal(
        log.values, _csv_column(HERE / "lightning_step_good.csv", "train_loss")[80:]
    )


@pytest.mark.parametrize("seed", range(20))
def test_batch_noise_around_a_flat_trend_is_neither_good_nor_too_large(seed):
    # Nothing is learned: the error scatters ±5% around 1 for 400 steps (fixed seeds).
    rng = np.random.default_rng(seed)
    flat = 1.0 + rng.normal(0, 0.05, 400)
    d = diagnose_noisy(flat, None, Axis("step", at=np.arange(400.0)))
    assert d.verdict == "too small", d
    assert "within the batch noise" in d.reason or "did not fall" in d.reason
    # the same scatter around a trend that doubles is too large
    rising = flat * np.linspace(1, 2, 400)
    assert diagnose_noisy(rising, None, Axis("step", at=np.arange(400.0))).verdict == "too large"
