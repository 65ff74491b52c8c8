"""Verdicts on a table of labelled curves, and on real runs with theory."""

import numpy as np
import pytest

from gdcore import (
    GOOD,
    TOO_LARGE,
    TOO_SMALL,
    builtin_image,
    diagnose_curve,
    diagnose_run,
    parse_numbers,
    pixel_table,
    quadratic,
    read_curve_csv,
    run_descent,
    theory,
)

NAN = float("nan")
LABELLED = [
    ([2.0, 0.1, 5.0, 20], TOO_LARGE, "rose from 0.1 to 20 between epochs 1 and 3: overshoot"),
    ([1.0, 0.5, NAN], TOO_LARGE, "became NaN at epoch 2"),
    ([1.0, 0.5, float("inf"), NAN], TOO_LARGE, "too large to represent at epoch 2"),
    ([1.0, 0.9, 0.8, 1e200], TOO_LARGE, "too large to represent at epoch 3"),
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
        (0.5, GOOD, "gets within 1% of the lowest error E* at epoch"),
        (0.999, TOO_LARGE, "zig-zag"),
        (1.05, TOO_LARGE, "blows up at epoch"),
        (3.0, TOO_LARGE, "blew up at epoch"),
    ],
)
def test_runs_on_an_image(multiple, verdict, reason):
    table, th = _scene()
    lr = multiple * th.critical_lr
    res = run_descent(table, [lr], 200)
    d = diagnose_run(res.errors[0], lr, th, np.zeros(3))
    assert d.verdict == verdict and reason in d.reason
    if verdict != GOOD:
        assert d.suggested_lr == pytest.approx(th.optimal_lr)


def test_above_critical_is_too_large_before_the_curve_shows_it():
    table, th = _scene()
    lr = 1.001 * th.critical_lr
    res = run_descent(table, [lr], 30)
    assert diagnose_curve(res.errors[0]).verdict != TOO_LARGE  # the curve looks harmless
    d = diagnose_run(res.errors[0], lr, th, np.zeros(3))
    assert d.verdict == TOO_LARGE and "blows up at epoch" in d.reason


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


def test_parse_numbers_and_csv():
    np.testing.assert_array_equal(parse_numbers(" 2.0, 0.1;5\n20 nan"), [2.0, 0.1, 5.0, 20.0, NAN])
    with pytest.raises(ValueError, match="value 2 is not a number: 'x'"):
        parse_numbers("1, x")
    csv_data = b"epoch,loss\n0,2.0\n1,0.1\n2,5.0\n3,20\n"
    np.testing.assert_array_equal(read_curve_csv(csv_data), [2.0, 0.1, 5.0, 20.0])
    np.testing.assert_array_equal(read_curve_csv(b"3\n2\n1\n"), [3, 2, 1])
    np.testing.assert_array_equal(read_curve_csv(b"\xef\xbb\xbfa,b\n1,4\n2,3\n"), [4, 3])
    with pytest.raises(ValueError, match="not UTF-8"):
        read_curve_csv(b"\xff\xfe\x00")
    with pytest.raises(ValueError, match="no rows"):
        read_curve_csv(b"")
    with pytest.raises(ValueError, match="row 3 has no column 2"):
        read_curve_csv(b"epoch,error\n0,1\n1\n")


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
