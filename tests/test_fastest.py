"""The fastest rate from a start, against a brute force over rates, and against every
rate a page shows (none of them may get there in fewer epochs)."""

import numpy as np
import pytest

from gdcore import BUILTINS, builtin_image, pixel_table, quadratic, theory
from gdcore.bowl.fastest import fastest_rate
from gdcore.bowl.theory import epochs_to_target, target_excess, three_rates
from gdcore.descent.engine import run_descent
from gdcore.verdicts.suggest import sweep_range
from gdcore.verdicts.which_rules import diagnose_run

SCALES = ("unit", "standard", "raw")


def _case(name, scale, size=32):
    table = pixel_table(builtin_image(name, size), scale)
    q = quadratic(table)
    return table, q, theory(q)


def _brute(q, th, w0, n=6000):
    """Fewest epochs over a dense grid: even spacing, and crowding towards the edge rate."""
    t = np.unique(np.concatenate([np.linspace(0, 1, n)[1:-1], 1 - np.geomspace(1e-15, 1, n)[1:]]))
    rates = [*(th.critical_lr * t[t > 0]), th.optimal_lr, *(1 / q.eigenvalues)]
    counts = [epochs_to_target(q, float(r), w0) for r in rates]
    return min(k for k in counts if k is not None)


@pytest.mark.parametrize("scale", SCALES)
@pytest.mark.parametrize("name", BUILTINS)
def test_no_rate_of_a_dense_grid_is_faster(name, scale):
    _, q, th = _case(name, scale)
    w0 = np.zeros(3)
    fast = fastest_rate(q, w0)
    if q.excess(w0) <= target_excess(q, w0):  # a plane explains nothing: already there
        assert fast is None and epochs_to_target(q, th.optimal_lr, w0) == 0
        return
    assert epochs_to_target(q, fast.lr, w0) == fast.epochs  # the number shown, typed back
    assert fast.epochs == _brute(q, th, w0)
    assert fast.epochs <= epochs_to_target(q, th.optimal_lr, w0)


@pytest.mark.parametrize("name", BUILTINS)
def test_never_beaten_by_a_rate_the_pages_show(name):
    table, q, th = _case(name, "unit")
    w0 = np.zeros(3)
    fast = fastest_rate(q, w0)
    lo, hi = sweep_range(th.critical_lr)
    shown = [*three_rates(th), th.optimal_lr, *np.geomspace(lo, hi, 64)]
    counts = [epochs_to_target(q, float(r), w0) for r in shown]
    assert min(k for k in counts if k is not None) >= fast.epochs
    # and a real run at that rate is within 1% of E* at exactly that epoch
    errors = run_descent(table, [fast.lr], fast.epochs).errors[0]
    close = errors - th.error_star <= target_excess(q, w0)
    assert close[-1] and not close[-2]


def test_a_start_at_the_bottom_has_no_fastest_rate():
    _, q, _ = _case("scene", "unit")
    assert fastest_rate(q, q.w_star) is None


def test_the_verdict_names_the_fastest_rate_not_the_worst_case_one():
    """The issue's contradiction: 'gets within 1% at epoch 14; the best rate needs 32'."""
    table, q, th = _case("spot", "unit", 64)
    w0 = np.zeros(3)
    fast = fastest_rate(q, w0)
    for lr in (0.8 * th.critical_lr, fast.lr, th.optimal_lr):
        res = run_descent(table, [lr], 500)
        d = diagnose_run(res.errors[0], lr, th, w0)
        k = epochs_to_target(q, lr, w0)
        assert f"fastest rate from this start, {fast.lr:g}, needs {fast.epochs:,} epoch" in d.reason
        assert k >= fast.epochs  # never a rate that gets there before "the fastest"
