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
from gdcore.bowl.theory import DIVERGES, OVERSHOOT, SMOOTH, target_excess

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
    from gdcore.bowl.theory import excess_at

    table = pixel_table(builtin_image("scene", 16), "unit")
    q, th = quadratic(table), theory(quadratic(table))
    for lr in (0.1 * th.critical_lr, 0.9 * th.critical_lr, 1.1 * th.critical_lr):
        res = run_descent(table, [lr], 300)
        for k in (0, 1, 17, 300):
            assert excess_at(q, lr, np.zeros(3), k) == pytest.approx(
                res.errors[0, k] - q.error_star, rel=1e-9
            )


def _first_epoch_by_decimals(q, lr, w0, reached, rounded=False):
    """A second implementation: 60-digit decimals, ln(1 - u) by its series, whole epochs.

    ``u = lr * lambda`` is exact in decimals, so a rate of 5e-324 loses
    nothing; ``rounded`` rounds it to a double first, as the engine's runs do.
    ``reached(excess)`` says whether an epoch is far enough.
    """
    from decimal import Decimal, localcontext

    with localcontext() as ctx:
        ctx.prec = 60
        d0 = q.eigenvectors.T @ (w0 - q.w_star)
        terms = []
        for lam, d in zip(q.eigenvalues, d0, strict=True):
            c = 0.5 * lam * d * d
            if c <= 0:
                continue
            u = Decimal(lr * lam) if rounded else Decimal(lr) * Decimal(float(lam))
            if u < Decimal("0.5"):  # ln(1 - u) = -(u + u^2/2 + u^3/3 + ...)
                ln1mu, n, p = Decimal(0), 1, u
                while p > Decimal("1e-80") * u:
                    ln1mu -= p / n
                    n, p = n + 1, p * u
            else:
                ln1mu = abs(1 - u).ln()
            terms.append((Decimal(float(c)), 2 * ln1mu))

        def excess(k):
            return sum(c * (k * lg).exp() for c, lg in terms)

        if reached(excess(0)):
            return 0
        hi = 1
        while not reached(excess(hi)):
            hi *= 2
        lo = hi // 2
        while hi - lo > 1:
            mid = (lo + hi) // 2
            lo, hi = (lo, mid) if reached(excess(mid)) else (mid, hi)
        return hi


@pytest.mark.parametrize("lr", [1e-10, 1e-12, 1e-13, 1e-17, 1e-100, 1e-300, 5e-324])
def test_tiny_rates_get_there_eventually(lr):
    """Every rate > 0 below the critical rate gets close to E*, however slowly (no search cap)."""
    from decimal import Decimal

    q = quadratic(pixel_table(builtin_image("scene", 64), "unit"))
    w0 = np.zeros(3)
    goal = Decimal(target_excess(q, w0))
    k = epochs_to_target(q, lr, w0)
    ref = _first_epoch_by_decimals(q, lr, w0, lambda e: e <= goal)
    assert k is not None and k > 0
    if ref < 2**53:  # whole epochs exactly, as far as doubles count them
        assert k == ref
    else:
        assert abs(k - ref) * 10**12 <= ref  # ints beyond float range


def test_blow_up_just_above_critical_is_found_beyond_1e15_epochs():
    """A rate a few ulps above 2/lambda_max grows by about 1e-15 per epoch: it still blows up.

    So close to 2, rounding ``lr * lambda_max`` to a double (as every run does)
    is the whole story, so the reference rounds it too.
    """
    from decimal import Decimal

    q = quadratic(pixel_table(builtin_image("scene", 16), "unit"))
    th = theory(q)
    lr = float(np.nextafter(np.nextafter(th.critical_lr, 2.0), 2.0))
    assert lr * th.lambda_max > 2.0
    k = epoch_error_exceeds(q, lr, np.zeros(3), 1e150)
    level = Decimal(1e150) - Decimal(q.error_star)
    ref = _first_epoch_by_decimals(q, lr, np.zeros(3), lambda e: e > level, rounded=True)
    assert ref > 10**15 and k is not None
    assert abs(k - ref) * 10**9 <= ref
