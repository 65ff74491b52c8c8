"""The step-by-step page's engine: the one-weight walk and one epoch in detail."""

import numpy as np
import pytest

from gdcore import builtin_image, error, one_weight_step, pixel_table
from gdcore.descent.model import one_weight_critical_lr, one_weight_walk
from gdcore.descent.textbook import descend, epoch_detail


def test_walk_starts_with_the_lesson_numbers():
    walk = one_weight_walk(1.0, 0.01, 1)  # input 2, true answer 10
    first, second = walk.steps
    assert (first.prediction, first.difference, first.squared_error) == (2.0, 8.0, 64.0)
    assert first.slope == -16.0
    assert first.new_weight == pytest.approx(1.16, abs=1e-12)
    assert second.weight == first.new_weight
    assert walk.overflow_step is None


@pytest.mark.parametrize("w, lr, steps", [(1.0, 0.01, 50), (-3.0, 0.25, 4), (7.5, 0.6, 30)])
def test_walk_is_one_weight_step_applied_by_hand(w, lr, steps):
    walk = one_weight_walk(w, lr, steps)
    by_hand = []
    for _ in range(steps + 1):
        s = one_weight_step(w, lr)
        by_hand.append(s)
        w = s.new_weight
    assert walk.steps == tuple(by_hand)
    assert walk.last == by_hand[-1]


def test_walk_at_a_quarter_lands_on_five_in_one_step():
    walk = one_weight_walk(1.0, 0.25, 3)
    assert [s.weight for s in walk.steps] == [1.0, 5.0, 5.0, 5.0]
    assert walk.last.slope == 0.0
    assert np.copysign(1.0, walk.last.slope) == 1.0  # 0, not -0: the page shows it


@pytest.mark.parametrize("lr, steps, stop", [(10.0, 100, 97), (1.0, 330, 322)])
def test_walk_that_explodes_stops_where_the_numbers_overflow(lr, steps, stop):
    walk = one_weight_walk(1.0, lr, steps)  # no OverflowError
    assert walk.overflow_step == stop
    assert len(walk.steps) == stop
    assert all(np.isfinite([s.weight, s.squared_error, s.new_weight]).all() for s in walk.steps)
    # The next step is where a number passes the largest float.
    assert not np.isfinite(one_weight_step(walk.last.new_weight, lr).squared_error)
    # It explodes: the distance to the best weight 5 grows every step.
    distance = np.abs(np.array([s.weight for s in walk.steps]) - 5.0)
    assert np.all(np.diff(distance) > 0)


def test_walk_just_under_an_overflow_keeps_every_step():
    walk = one_weight_walk(1.0, 10.0, 96)
    assert walk.overflow_step is None and len(walk.steps) == 97


def test_critical_rate_separates_settling_from_exploding():
    crit = one_weight_critical_lr()
    assert crit == 0.5  # 2 / input^2 with input 2
    below, above = one_weight_walk(1.0, 0.9 * crit, 100), one_weight_walk(1.0, 1.1 * crit, 100)
    # Each step multiplies the distance to 5 by |1 - lr * 4|: 0.8 below, 1.2 above.
    assert abs(below.last.weight - 5.0) == pytest.approx(4.0 * 0.8**100, rel=1e-6)
    assert abs(above.last.weight - 5.0) == pytest.approx(4.0 * 1.2**100, rel=1e-6)


def _table(scale: str):
    table = pixel_table(builtin_image("scene", 8), scale)
    return table.design_matrix(), table.target_vector()


@pytest.mark.parametrize("scale, lr", [("unit", 0.5), ("standard", 0.3), ("raw", 1e-4)])
@pytest.mark.parametrize("epoch", [1, 2, 5])
def test_epoch_detail_matches_the_textbook_loop(scale, lr, epoch):
    X, t = _table(scale)
    errors, weights = descend(X, t, lr, epoch)
    d = epoch_detail(X, t, lr, epoch)
    np.testing.assert_allclose(d.weights, weights[epoch - 1], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(d.new_weights, weights[epoch], rtol=1e-12, atol=1e-12)
    assert d.error == pytest.approx(errors[epoch - 1], rel=1e-12)
    assert d.n == len(t) and d.epoch == epoch


@pytest.mark.parametrize("scale", ["unit", "standard", "raw"])
def test_epoch_detail_slopes_match_finite_differences(scale):
    X, t = _table(scale)
    d = epoch_detail(X, t, 1e-4 if scale == "raw" else 0.4, 3)
    for i in range(3):
        h = 1e-4 * max(1.0, abs(d.weights[i]))
        e = np.zeros(3)
        e[i] = h
        # E is quadratic, so the central difference is exact up to rounding.
        fd = (error(X, t, d.weights + e) - error(X, t, d.weights - e)) / (2 * h)
        assert fd == pytest.approx(d.slopes[i], rel=1e-6, abs=1e-6 * (1 + d.error))


def test_epoch_detail_rows_are_the_first_pixels_and_their_shares():
    X, t = _table("unit")
    d = epoch_detail(X, t, 0.5, 2)
    np.testing.assert_array_equal(d.inputs, X[:6])
    np.testing.assert_array_equal(d.targets, t[:6])
    np.testing.assert_allclose(d.predicted, X[:6] @ d.weights, rtol=1e-15)
    np.testing.assert_allclose(d.difference, t[:6] - d.predicted, rtol=1e-15)
    np.testing.assert_allclose(d.shares[:, 1], -d.difference * X[:6, 1], rtol=1e-15)
    np.testing.assert_allclose(d.shares[:, 2], -d.difference * X[:6, 2], rtol=1e-15)
    assert not np.signbit(d.shares[X[:6] == 0]).any()  # 0, not -0: the page shows them
    # Over every pixel, the shares average to the slopes.
    whole = epoch_detail(X, t, 0.5, 2, rows=len(t))
    np.testing.assert_allclose(whole.shares.mean(axis=0), d.slopes, rtol=1e-12, atol=1e-15)


def test_epoch_detail_overflow_gives_non_finite_numbers_without_warnings():
    X, t = np.array([[1.0, 1e100, 1e100]]), np.array([1.0])
    d = epoch_detail(X, t, 1.0, 2)  # RuntimeWarnings are errors in this suite
    assert np.isfinite(d.weights).all() and not np.isfinite(d.error)


def test_epoch_detail_needs_an_epoch_from_one():
    X, t = _table("unit")
    with pytest.raises(ValueError, match="epoch: must be a whole number >= 1, got 0"):
        epoch_detail(X, t, 0.5, 0)
