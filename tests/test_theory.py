"""Theory against numpy.linalg.lstsq, an independent eigen solver, and real runs."""

import numpy as np
import pytest

from gdcore import (
    behaviour,
    builtin_image,
    epoch_error_exceeds,
    epochs_to_target,
    pixel_table,
    quadratic,
    run_descent,
    theory,
)
from gdcore.theory import DIVERGES, OVERSHOOT, SMOOTH, target_excess

CASES = [
    (n, s)
    for n in ["plane", "diagonal", "spot", "stripes", "noise", "scene"]
    for s in ["raw", "unit", "standard"]
]


@pytest.mark.parametrize(("name", "scale"), CASES)
def test_bowl_matches_explicit_matrices_and_lstsq(name, scale):
    table = pixel_table(builtin_image(name, 23)[:, :19], scale)
    X, t = table.design_matrix(), table.target_vector()
    q = quadratic(table)
    np.testing.assert_allclose(q.hessian, X.T @ X / len(t), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(q.b, X.T @ t / len(t), rtol=1e-10, atol=1e-12 * np.abs(t).max())
    w_ls = np.linalg.lstsq(X, t, rcond=None)[0]
    np.testing.assert_allclose(q.w_star, w_ls, rtol=1e-9, atol=1e-9 * np.abs(w_ls).max())
    e_ls = 0.5 * np.mean((t - X @ w_ls) ** 2)
    assert q.error_star == pytest.approx(e_ls, rel=1e-9, abs=1e-20 * np.mean(t**2))
    # Eigenvalues from the singular values of X / sqrt(N): an independent route.
    sv = np.linalg.svd(X / np.sqrt(len(t)), compute_uv=False)
    np.testing.assert_allclose(np.sort(sv**2), q.eigenvalues, rtol=1e-9)


def test_rates_and_condition_number():
    th = theory(quadratic(pixel_table(builtin_image("scene", 32), "unit")))
    lam = th.bowl.eigenvalues
    assert th.critical_lr == pytest.approx(2 / lam[-1])
    assert th.optimal_lr == pytest.approx(2 / (lam[0] + lam[-1]))
    assert th.condition_number == pytest.approx(lam[-1] / lam[0])
    k = th.condition_number
    assert th.optimal_factor == pytest.approx((k - 1) / (k + 1))


def test_standard_scale_makes_the_bowl_round():
    th = theory(quadratic(pixel_table(builtin_image("scene", 32), "standard")))
    np.testing.assert_allclose(th.bowl.eigenvalues, 1.0, rtol=1e-12)
    assert th.condition_number == pytest.approx(1.0) and th.optimal_lr == pytest.approx(1.0)


@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
def test_behaviour_matches_runs(scale):
    table = pixel_table(builtin_image("scene", 16), scale)
    th = theory(quadratic(table))
    assert behaviour(th, 0.5 / th.lambda_max) == SMOOTH
    assert behaviour(th, 1.5 / th.lambda_max) == OVERSHOOT
    assert behaviour(th, 2.2 / th.lambda_max) == DIVERGES
    res = run_descent(table, [0.5 / th.lambda_max, 1.5 / th.lambda_max, 2.2 / th.lambda_max], 2000)
    smooth, overshoot = res.weights[0], res.weights[1]
    along = th.bowl.eigenvectors[:, -1]  # steepest direction
    d_s = (smooth - th.w_star) @ along
    d_o = (overshoot - th.w_star) @ along
    assert (np.sign(d_s[1:50]) == np.sign(d_s[0])).all()  # never crosses the valley floor
    assert (np.sign(d_o[1:20]) == -np.sign(d_o[:19])).all()  # crosses it every epoch
    assert res.diverged_epoch[2] > 0 and res.diverged_epoch[:2].tolist() == [-1, -1]


@pytest.mark.parametrize("multiple", [0.01, 0.3, 0.5, 0.9, 0.99])
def test_epochs_to_target_match_a_run(multiple):
    table = pixel_table(builtin_image("diagonal", 16), "unit")
    q = quadratic(table)
    th = theory(q)
    lr = multiple * th.critical_lr
    w0 = np.zeros(3)
    k = epochs_to_target(q, lr, w0)
    res = run_descent(table, [lr], k + 5)
    excess = res.errors[0] - q.error_star
    goal = target_excess(q, w0)
    assert excess[k] <= goal < excess[k - 1]


def test_epochs_to_target_for_exact_fit_and_divergence():
    table = pixel_table(builtin_image("plane", 16), "unit")
    q, th = quadratic(table), theory(quadratic(table))
    assert epochs_to_target(q, th.optimal_lr, np.zeros(3)) > 0
    assert epochs_to_target(q, th.optimal_lr, q.w_star) == 0
    assert epochs_to_target(q, 1.1 * th.critical_lr, np.zeros(3)) is None


def test_blow_up_epoch_is_predicted_exactly():
    table = pixel_table(builtin_image("scene", 16), "unit")
    q, th = quadratic(table), theory(quadratic(table))
    lr = 1.3 * th.critical_lr
    predicted = epoch_error_exceeds(q, lr, np.zeros(3), 1e150)
    assert run_descent(table, [lr], 5000).diverged_epoch[0] == predicted
    assert epoch_error_exceeds(q, 0.5 * th.critical_lr, np.zeros(3), 1e150) is None


@pytest.mark.parametrize(
    ("shape", "flat"),
    [((1, 9), "one pixel high"), ((9, 1), "one pixel wide"), ((1, 1), "one pixel wide")],
)
@pytest.mark.parametrize("scale", ["raw", "unit", "standard"])
def test_degenerate_images_are_explained(shape, flat, scale):
    pixels = builtin_image("scene", 9)[: shape[0], : shape[1]]
    table = pixel_table(pixels, scale)
    th = theory(quadratic(table))
    assert th.singular and th.lambda_min == 0 and th.condition_number == np.inf
    assert flat in th.explanation
    assert np.isfinite([th.critical_lr, th.optimal_lr]).all()
    res = run_descent(table, [th.optimal_lr], 50, init=[1.0, 2.0, 3.0])
    assert np.isfinite(res.errors).all()
    X, t = table.design_matrix(), table.target_vector()
    e_ls = 0.5 * np.mean((t - X @ np.linalg.lstsq(X, t, rcond=None)[0]) ** 2)
    assert th.error_star == pytest.approx(e_ls, abs=1e-12 * (1 + np.mean(t**2)))
    assert th.as_dict()["condition_number"] is None


def test_excess_at_any_epoch_matches_a_run():
    from gdcore.theory import excess_at

    table = pixel_table(builtin_image("scene", 16), "unit")
    q, th = quadratic(table), theory(quadratic(table))
    for lr in (0.1 * th.critical_lr, 0.9 * th.critical_lr, 1.1 * th.critical_lr):
        res = run_descent(table, [lr], 300)
        for k in (0, 1, 17, 300):
            assert excess_at(q, lr, np.zeros(3), k) == pytest.approx(
                res.errors[0, k] - q.error_star, rel=1e-9
            )
