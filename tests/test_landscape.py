"""Slices of the bowl against the engine and the explicit error."""

import numpy as np
import pytest

from gdcore import builtin_image, error, pixel_table, quadratic, run_descent
from gdcore.landscape import error_along, error_grid, slice_critical_lr, slice_descent


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
