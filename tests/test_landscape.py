"""Slices of the bowl against the engine and the explicit error."""

import numpy as np
import pytest

from gdcore import builtin_image, error, pixel_table, quadratic, run_descent
from gdcore.bowl.landscape import (
    VIEW,
    VIEW_PAD,
    Step,
    error_along,
    error_grid,
    excess_cells,
    slice_condition,
    slice_critical_lr,
    slice_descent,
    step_factor,
    step_kind,
    valley_shape,
    view_window,
    walk,
)


def _bowl(scale="unit"):
    table = pixel_table(builtin_image("scene", 16), scale)
    return table, quadratic(table)


def test_all_weights_free_is_full_descent():
    table, q = _bowl()
    w, e = slice_descent(q, [0, 1, 2], 0.7, 60, np.zeros(3))
    res = run_descent(table, [0.7], 60)
    np.testing.assert_allclose(e, res.errors[0], rtol=1e-9)
    np.testing.assert_allclose(w, res.weights[0], rtol=1e-9, atol=1e-12)


def test_one_weight_slice_is_a_one_dimensional_bowl():
    _, q = _bowl()
    lr = 0.9 * slice_critical_lr(q, [1])
    w, e = slice_descent(q, [1], lr, 40, np.zeros(3))
    assert (w[:, [0, 2]] == q.w_star[[0, 2]]).all()
    # Each step multiplies the distance to w1* by 1 - lr * H11.
    d = w[:, 1] - q.w_star[1]
    np.testing.assert_allclose(d[1:] / d[:-1], 1 - lr * q.hessian[1, 1], rtol=1e-9)
    assert slice_critical_lr(q, [1]) == pytest.approx(2 / q.hessian[1, 1])


def test_slice_blow_up_is_cut():
    _, q = _bowl()
    w, e = slice_descent(q, [1, 2], 3 * slice_critical_lr(q, [1, 2]), 2000, np.zeros(3))
    k = int(np.argmax(np.isnan(e)))
    assert 0 < k < 2000 and np.isnan(w[k:]).all() and np.isfinite(e[:k]).all()


def test_error_slices_match_explicit_error():
    table, q = _bowl("raw")
    X, t = table.design_matrix(), table.target_vector()
    vals = np.linspace(-3, 3, 7)
    along = error_along(q, 2, vals)
    for v, got in zip(vals, along, strict=True):
        w = q.w_star.copy()
        w[2] = v
        assert got == pytest.approx(error(X, t, w), rel=1e-9)
    grid = error_grid(q, 0, 1, np.array([100.0, 200.0]), np.array([-1.0, 0.0, 1.0]))
    w = q.w_star.copy()
    w[0], w[1] = 200.0, 1.0
    assert grid.shape == (3, 2) and grid[2, 1] == pytest.approx(error(X, t, w), rel=1e-9)


@pytest.mark.parametrize(
    "factor, kind",
    [
        (0.0, Step.ONE_STEP),
        (1e-12, Step.ONE_STEP),
        (0.5, Step.SHRINK),
        (0.999, Step.SHRINK),
        (-0.5, Step.ZIGZAG),
        (-1.0, Step.BOUNCE),
        (-1.0 + 1e-12, Step.BOUNCE),
        (-1.5, Step.DIVERGE),
        (1.0, Step.STILL),
    ],
)
def test_step_kind_at_known_factors(factor, kind):
    assert step_kind(factor) is kind


@pytest.mark.parametrize("speed", [0.1, 0.25, 0.5, 0.75, 1.0, 1.25])
def test_step_kind_says_what_descent_does(speed):
    """The words, checked against the distances of a real one-weight walk."""
    _, q = _bowl()
    lr = speed * slice_critical_lr(q, [1])
    factor = step_factor(lr, q.hessian[1, 1])
    assert factor == pytest.approx(1 - 2 * speed, abs=1e-12)  # lr * H11 = 2 * speed
    w, _ = slice_descent(q, [1], lr, 6, np.zeros(3))
    d = w[:, 1] - q.w_star[1]
    size, crossed = np.abs(d), np.sign(d[1:]) != np.sign(d[:-1])
    kind = step_kind(factor)
    if kind is Step.ONE_STEP:
        assert size[1:].max() <= 1e-9 * size[0]
    elif kind is Step.SHRINK:
        assert (np.diff(size) < 0).all() and not crossed.any()
    elif kind is Step.ZIGZAG:
        assert (np.diff(size) < 0).all() and crossed.all()
    elif kind is Step.BOUNCE:
        np.testing.assert_allclose(size, size[0], rtol=1e-9)
        assert crossed.all()
    else:
        assert kind is Step.DIVERGE and (np.diff(size) > 0).all() and crossed.all()


@pytest.mark.parametrize("curvature", [0.3, 1 / 3, 0.336, 1.0, 7.0, 1333.5, 1e-5])
def test_typed_half_and_whole_critical_rates_read_as_exact(curvature):
    critical = 2 / curvature
    assert step_factor(0.5 * critical, curvature) == 0.0
    assert step_factor(1.0 * critical, curvature) == -1.0
    assert step_factor(0.8 * critical, curvature) == pytest.approx(-0.6)


@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
@pytest.mark.parametrize("free", [[0], [1], [2], [1, 2], [0, 1], [0, 2]])
@pytest.mark.parametrize("speed", [0.1, 0.5, 0.9, 1.0])
def test_window_holds_start_bottom_and_path(scale, free, speed):
    _, q = _bowl(scale)
    w, e = slice_descent(q, free, speed * slice_critical_lr(q, free), 40, np.zeros(3))
    path = w[np.isfinite(e)][:, free]
    lo, hi = view_window(q.w_star[free], np.zeros(len(free)), path)
    for points in (np.zeros((1, len(free))), q.w_star[free][None, :], path):
        assert ((lo <= points) & (points <= hi)).all()


def test_window_cuts_a_blow_up_at_its_reach():
    _, q = _bowl()
    free = [1, 2]
    w, e = slice_descent(q, free, 1.3 * slice_critical_lr(q, free), 40, np.zeros(3))
    centre, start = q.w_star[free], np.zeros(2)
    lo, hi = view_window(centre, start, w[np.isfinite(e)][:, free])
    reach = VIEW * np.abs(start - centre).max()
    most = reach * (1 + 2 * VIEW_PAD)  # reach either side, plus the padding
    assert (hi - centre <= most + 1e-12).all() and (centre - lo <= most + 1e-12).all()
    assert ((lo <= start) & (start <= hi)).all()


def _kappa_2x2(h):
    """Condition number of a symmetric 2x2 matrix from the closed form of its eigenvalues."""
    a, b, d = h[0, 0], h[0, 1], h[1, 1]
    mid, half = (a + d) / 2, np.hypot((a - d) / 2, b)
    return (mid + half) / (mid - half)


@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
@pytest.mark.parametrize("pair", [(1, 2), (0, 1), (0, 2)])
def test_slice_condition_against_closed_form_and_svd(scale, pair):
    _, q = _bowl(scale)
    block = q.hessian[np.ix_(pair, pair)]
    kappa = slice_condition(q, pair)
    assert kappa == pytest.approx(_kappa_2x2(block), rel=1e-9)
    assert kappa == pytest.approx(np.linalg.cond(block), rel=1e-9)
    assert slice_condition(q, [pair[0]]) == 1.0


def test_flat_slices():
    # A one-pixel-wide image: its x never changes, so w1 cannot change the prediction.
    q = quadratic(pixel_table(np.array([[0.0], [255.0]]), "unit"))
    assert slice_condition(q, [1, 2]) == np.inf
    assert walk(q, [1], 0.5, 10) is None
    assert walk(q, [2], 0.5, 10) is not None


@pytest.mark.parametrize(
    "kappa, factor, words",
    [
        (1.0, 0.8, "round bowl, so the path heads straight"),
        (1.0, -0.8, "round bowl, so the path heads straight"),
        (6.8, -0.6, "zig-zags across it"),
        (6.8, 0.8, "slides down its steep side"),
        (6.8, -1.0, "never settles"),
        (1.0, -1.1, "round bowl, but every step overshoots"),
        (6.8, -1.1, "stretched valley, but every step overshoots"),
    ],
)
def test_valley_shape(kappa, factor, words):
    assert words in valley_shape(kappa, factor)


def test_excess_cells_against_explicit_error():
    table, q = _bowl("raw")
    X, t = table.design_matrix(), table.target_vector()
    lo, hi = np.array([100.0, -2.0]), np.array([200.0, 2.0])
    n = 5
    cells = excess_cells(q, 0, 2, lo, hi, n)
    assert cells.excess.shape == (n * n,)
    # Row-major, y by rows: cell k sits in column k % n and row k // n.
    xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    for k in (0, 3, 7, 24):
        np.testing.assert_allclose((cells.x[k] + cells.x2[k]) / 2, xs[k % n], rtol=1e-12)
        np.testing.assert_allclose((cells.y[k] + cells.y2[k]) / 2, ys[k // n], rtol=1e-12)
        w = q.w_star.copy()
        w[0], w[2] = xs[k % n], ys[k // n]
        want = error(X, t, w) - error(X, t, q.w_star)
        assert cells.excess[k] == pytest.approx(want, rel=1e-9)
    # Neighbouring cells share an edge: the map has no gaps.
    x, x2, y, y2 = (v.reshape(n, n) for v in (cells.x, cells.x2, cells.y, cells.y2))
    np.testing.assert_allclose(x2[:, :-1], x[:, 1:], rtol=1e-12)
    np.testing.assert_allclose(y2[:-1, :], y[1:, :], rtol=1e-12, atol=1e-12)


def test_walk_is_the_slice_descent_in_view():
    _, q = _bowl()
    for speed in (0.3, 0.9):
        got = walk(q, [1, 2], speed, 25)
        w, e = slice_descent(q, [1, 2], speed * slice_critical_lr(q, [1, 2]), 25, np.zeros(3))
        assert got.off == 0 and got.steps == 26
        np.testing.assert_array_equal(got.epochs, np.arange(26))
        np.testing.assert_array_equal(got.points, w[:, [1, 2]])
        np.testing.assert_array_equal(got.errors, e)
        assert got.factor == pytest.approx(1 - 2 * speed, abs=1e-12)


def test_walk_leaves_out_steps_that_fly_off():
    _, q = _bowl()
    got = walk(q, [1], 1.05, 60)
    assert 0 < got.off < 61 and got.steps == 61
    assert ((got.lo <= got.points) & (got.points <= got.hi)).all()
    np.testing.assert_array_equal(got.epochs, np.arange(len(got.epochs)))  # the first steps stay
