"""Verdicts on a table of labelled curves, and on real runs with theory."""

import re

import numpy as np
import pytest

from gdcore import (
    GOOD,
    TOO_LARGE,
    TOO_SMALL,
    builtin_image,
    diagnose_curve,
    diagnose_run,
    pixel_table,
    quadratic,
    run_descent,
    theory,
)
from gdcore.bowl.fastest import fastest_rate
from gdcore.bowl.theory import epochs_to_target

NAN = float("nan")
LABELLED = [
    ([2.0, 0.1, 5.0, 20], TOO_LARGE, "rose from 0.1 to 20 between epochs 1 and 3: overshoot"),
    ([1.0, 0.5, NAN], TOO_LARGE, "became NaN at epoch 2"),
    ([1.0, 0.5, float("inf"), NAN], TOO_LARGE, "too large to represent at epoch 2"),
    # A learner's own values are judged by what they are: only inf and NaN are a blow-up.
    ([1.0, 0.9, 0.8, 1e200], TOO_LARGE, "rose from 0.8 to 1e+200 between epochs 2 and 3"),
    ([1e308, 1], GOOD, "fell from 1e+308 to 1 (100%)"),
    ([1.7e308, 1.79e308], TOO_SMALL, "did not fall in 1 epoch (it rose 5.3%)"),
    ([1.0, 1.7e308, 1.0], TOO_LARGE, "rose from 1 to 1.7e+308 between epochs 0 and 1"),
    ([1.0, 1.5, 2.25, 3.4, 5.1], TOO_LARGE, "rose from 1 to 5.1 between epochs 0 and 4"),
    ([10, 9.99, 9.98, 9.97, 9.96], TOO_SMALL, "fell only 0.4% in 4 epochs"),
    (list(100 - 0.04 * np.arange(201)), TOO_SMALL, "the last 50 of 200 epochs removed 25%"),
    (list(100 * 0.995 ** np.arange(201)), TOO_SMALL, "still falling steadily"),
    (list(1 + 99 * 0.8 ** np.arange(101)), GOOD, "flattened"),
    ([5.0, 2.0, 1.2, 1.05, 1.01, 1.0, 1.0], GOOD, "fell from 5 to 1 (80%) and flattened"),
    # Mini-batch noise: small wiggles around the floor are not an overshoot.
    ([5.0, 2.0, 1.1, 1.02, 1.06, 1.0, 1.04, 1.01], GOOD, "flattened"),
    ([0.0, 0.0, 0.0], GOOD, "0 from the start"),
    ([2.0, 1.0, 0.6], GOOD, "too few to see it flatten"),
]


@pytest.mark.parametrize(("curve", "verdict", "reason"), LABELLED)
def test_labelled_curves(curve, verdict, reason):
    d = diagnose_curve(curve)
    assert d.verdict == verdict
    assert reason in d.reason
    assert d.suggested_lr is None


@pytest.mark.parametrize(
    ("curve", "lr", "suggested"),
    [
        ([2.0, 0.1, 5.0, 20], 0.5, 0.05),
        ([10, 9.99, 9.98, 9.97, 9.96], 0.001, 0.01),
        (list(100 * 0.995 ** np.arange(201)), 0.01, 0.03),
        (list(1 + 99 * 0.8 ** np.arange(101)), 0.2, 0.2),
    ],
)
def test_suggested_rates(curve, lr, suggested):
    assert diagnose_curve(curve, lr).suggested_lr == pytest.approx(suggested)


@pytest.mark.parametrize(
    ("values", "match"),
    [
        ([1.0], "at least two numbers, got 1"),
        ([1.0, -2.0], "cannot be negative, got -2 at epoch 1"),
    ],
)
def test_bad_curves(values, match):
    with pytest.raises(ValueError, match=match):
        diagnose_curve(values)


def _scene(scale="unit"):
    table = pixel_table(builtin_image("scene", 32), scale)
    return table, theory(quadratic(table))


@pytest.mark.parametrize(
    ("multiple", "verdict", "reason"),
    [
        (1e-3, TOO_SMALL, "covered only"),
        (0.5, GOOD, "settles within 1% of the lowest error E* at epoch"),
        (0.999, TOO_LARGE, "zig-zag"),
        (1.05, TOO_LARGE, "10× it at epoch"),
        (3.0, TOO_LARGE, "the numbers overflow at epoch"),
    ],
)
def test_runs_on_an_image(multiple, verdict, reason):
    table, th = _scene()
    lr = multiple * th.critical_lr
    res = run_descent(table, [lr], 200)
    d = diagnose_run(res.errors[0], lr, th, np.zeros(3))
    assert d.verdict == verdict and reason in d.reason
    if verdict != GOOD:  # the rate to try: the fastest from this start, which gets there sooner
        fast = fastest_rate(th.bowl, np.zeros(3))
        assert d.suggested_lr == fast.lr
        assert fast.epochs < epochs_to_target(th.bowl, th.optimal_lr, np.zeros(3))


def test_above_critical_is_too_large_before_the_curve_shows_it():
    table, th = _scene()
    lr = 1.001 * th.critical_lr
    res = run_descent(table, [lr], 30)
    assert diagnose_curve(res.errors[0]).verdict != TOO_LARGE  # the curve looks harmless
    d = diagnose_run(res.errors[0], lr, th, np.zeros(3))
    assert d.verdict == TOO_LARGE and re.search(r"10× (it|its start) at epoch", d.reason)


def test_raw_scale_explains_conditioning():
    table, th = _scene("raw")
    res = run_descent(table, [th.optimal_lr], 200)
    d = diagnose_run(res.errors[0], th.optimal_lr, th, np.zeros(3))
    assert d.verdict == GOOD and "standard scale" in d.reason


def test_minibatch_run_uses_the_curve():
    table, th = _scene()
    res = run_descent(table, [0.05 * th.critical_lr], 30, batch_size=16)
    d = diagnose_run(res.errors[0], 0.05 * th.critical_lr, th, np.zeros(3), full_batch=False)
    assert d == diagnose_curve(res.errors[0], 0.05 * th.critical_lr)


@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
@pytest.mark.parametrize("name", ["scene", "plane", "noise", "stripes"])
def test_three_rates_get_the_three_verdicts(name, scale):
    from gdcore import three_rates

    table = pixel_table(builtin_image(name, 32), scale)
    th = theory(quadratic(table))
    rates = three_rates(th)
    res = run_descent(table, list(rates), 300)
    verdicts = [
        diagnose_run(res.errors[i], lr, th, np.zeros(3)).verdict for i, lr in enumerate(rates)
    ]
    assert verdicts == [TOO_SMALL, GOOD, TOO_LARGE]


@pytest.mark.parametrize(
    ("curve", "reason"),
    [
        ([5.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.01], "removed only 0% of the fall"),
        ([5.0, 2.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.05], "removed none of it (it rose a little)"),
        ([1.0, 1.0 + 1e-12], "did not fall in 1 epoch: the steps"),
        ([1.0, 1.05], "did not fall in 1 epoch (it rose 5.0%)"),
    ],
)
def test_percentages_never_read_minus_zero(curve, reason):
    d = diagnose_curve(curve)
    assert reason in d.reason and "-0" not in d.reason


@pytest.mark.parametrize(
    ("curve", "lr", "absent"),
    [
        ([1, 0.9, 0.99], 1e308, "1e+308 × 10"),  # too small: ten times larger is inf
        ([2.0, 0.1, 5.0, 20], 5e-324, "4.94e-324 × 0.1"),  # too large: a tenth is 0
    ],
)
def test_a_suggestion_is_a_finite_rate_or_absent(curve, lr, absent):
    d = diagnose_curve(curve, lr)
    assert d.suggested_lr is None
    assert f"no next rate is suggested: {absent} is not a finite rate > 0" in d.reason


@pytest.mark.parametrize("lr", [1e-12, 1e-13, 1e-17, 1e-300, 5e-324])
def test_tiny_rates_are_too_small_and_say_how_slow(lr):
    """Not 'exactly at the critical rate': every rate > 0 below it gets there, in so many epochs."""
    from decimal import Decimal

    from gdcore import epochs_to_target

    table, th = _scene()
    res = run_descent(table, [lr], 200)
    d = diagnose_run(res.errors[0], lr, th, np.zeros(3))
    k = epochs_to_target(th.bowl, lr, np.zeros(3))
    assert d.verdict == TOO_SMALL and "critical" not in d.reason
    assert (
        f"it needs about {Decimal(k):.2e} epochs to get within 1% of the lowest error E*"
        in d.reason
    )
    assert "covered only 0.0% of the way down" in d.reason and "-0" not in d.reason
    assert d.suggested_lr == fastest_rate(th.bowl, np.zeros(3)).lr


def test_exactly_critical_never_settles():
    table, th = _scene()
    lr = th.critical_lr
    assert lr * th.lambda_max == 2.0
    res = run_descent(table, [lr], 200)
    d = diagnose_run(res.errors[0], lr, th, np.zeros(3))
    assert d.verdict == TOO_LARGE and "exactly at the edge rate" in d.reason


NOISY = {
    # a falling curve with wiggles of 12% over its lowest value: noise, not overshoot
    "issue's noisy fall": [
        1.0,
        0.6,
        0.65,
        0.4,
        0.45,
        0.32,
        0.36,
        0.27,
        0.3,
        0.23,
        0.26,
        0.21,
        0.23,
    ],
    "noisy fall that flattens": [
        1.0,
        0.5,
        0.3,
        0.22,
        0.2,
        0.23,
        0.19,
        0.21,
        0.2,
        0.22,
        0.19,
        0.21,
        0.2,
        0.22,
        0.19,
        0.2,
    ],
}


@pytest.mark.parametrize("name", list(NOISY))
def test_noise_on_a_falling_curve_is_not_an_overshoot(name):
    assert diagnose_curve(NOISY[name]).verdict == "good", diagnose_curve(NOISY[name])


@pytest.mark.parametrize(
    "curve",
    [
        [2.0, 0.1, 5.0, 20],  # the lesson's exercise
        [1.0, 0.5, 0.55, 0.6, 0.66, 0.73, 0.8],  # a steady climb after a fall
        [1.0, 1.2, 1.5],  # rising from the start
        [1.0, 0.5, 0.3, 0.9, 0.2],  # a spike of 0.6 after a fall of 0.7
        [10.0, 1.0, 1.2, 1.4],  # a small climb beside the fall, but it lasts
        [10.0, 2.0, 1.0, 1.0, 1.15, 1.2, 1.25, 1.3],
    ],
)
def test_overshoots_and_spikes_are_still_too_large(curve):
    assert diagnose_curve(curve).verdict == "too large"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_mini_batch_curves_at_a_good_rate_are_good(seed):
    from gdcore import builtin_image, pixel_table, quadratic, run_descent, theory

    table = pixel_table(builtin_image("scene", 32), "unit")
    th = theory(quadratic(table))
    res = run_descent(table, [0.3 * th.critical_lr], 300, batch_size=16, seed=seed)
    assert diagnose_curve(res.errors[0]).verdict == "good", diagnose_curve(res.errors[0])


# Issue 24, point 2: the verdict's first sentence is the lesson's table, true of the curve;
# the "good" rule stated on Predict is the rule the verdict applies.


def _scene_run(lr: float, epochs: int = 200):
    from gdcore.descent import textbook

    table = pixel_table(builtin_image("scene", 64), "unit")
    th = theory(quadratic(table))
    errors, weights = textbook.descend(table.design_matrix(), table.target_vector(), lr, epochs)
    return errors, th, weights[0]


@pytest.mark.parametrize(
    ("lr", "verdict", "words"),
    [
        (0.0003, TOO_SMALL, "The error barely moves."),
        (0.01, TOO_SMALL, "The error falls smoothly but too slowly"),
        (0.5, GOOD, "A smooth fall that flattens."),
        (3.0, TOO_LARGE, "The error jumps up"),  # 1.9e221 at epoch 200: still a number
        (5.0, TOO_LARGE, "becomes NaN"),
    ],
)
def test_the_lesson_line_says_what_the_textbook_curve_does(lr, verdict, words):
    from gdcore import lesson_line

    errors, th, w0 = _scene_run(lr)
    d = diagnose_run(errors, lr, th, w0)
    assert d.verdict == verdict
    line = lesson_line(d.verdict, errors, th.error_star)
    assert words in line
    covered = (errors[0] - errors[-1]) / (errors[0] - th.error_star)
    if "barely" in line:
        assert covered < 0.25  # the textbook loop's own curve: under a quarter of the way
    if "too slowly" in line:
        assert 0.25 <= covered < 0.99 and errors[-2] > errors[-1]  # still falling at the end
    if "flattens" in line:  # the last quarter moved less than 10% of the whole fall
        assert errors[150] - errors[-1] < 0.1 * (errors[0] - errors[-1])
    if "NaN" in line:
        assert not np.isfinite(errors[-1])
    if "jumps up instead" in line:
        assert np.isfinite(errors).all() and errors[-1] > errors[0]
    for number in ("E*", "edge", "epoch"):
        assert number not in line  # the numbers come in the second line


def test_the_stated_good_rule_is_the_rule_the_verdict_applies():
    """Below the fastest rate, a rate is good exactly when it settles by the epoch that
    ``good_rule`` names (checked on both sides of it)."""
    from gdcore import good_rule

    table = pixel_table(builtin_image("scene", 64), "unit")
    q, w0 = quadratic(table), np.zeros(3)
    th = theory(q)
    fast = fastest_rate(q, w0)
    by = int(re.search(r"by epoch ([\d,]+)", good_rule(fast.epochs, fast.lr))[1].replace(",", ""))
    assert by == max(10 * fast.epochs, 100)
    seen = set()
    for lr in np.geomspace(0.005, 0.2, 40):
        k = epochs_to_target(q, lr, w0)
        verdict = diagnose_run(run_descent(table, [lr], 50).errors[0], lr, th, w0).verdict
        assert verdict == (GOOD if k <= by else TOO_SMALL), (lr, k)
        seen.add(verdict)
    assert seen == {GOOD, TOO_SMALL}  # the sweep crossed the line
