"""Settling, the one meaning of "within 1% of E*": the engine, the textbook loop and the theory agree.

A run settles at the epoch it enters the band close to the bottom and stays in it to its end
(``gdcore.bowl.settling``). The engine's runs and the textbook loop (``descend_sgd``, written as
a learner would) are read with that one definition; the theory foretells the same epoch from the
bowl alone: within the run for any schedule (``forecast``), and for ever for a constant rate
(``momentum_epochs_to_target``), decided from each direction's envelope.
"""

import numpy as np
import pytest

import gdcore
from gdcore.bowl.forecast import forecast, momentum_epochs_grid, momentum_epochs_to_target
from gdcore.bowl.settling import (
    first_touch,
    run_first_touch,
    run_settling,
    settling_epoch,
)
from gdcore.bowl.theory import epochs_to_target, target_excess
from gdcore.descent.optimizer import Optimizer
from gdcore.descent.textbook import descend_sgd

W0 = np.zeros(3)
MOMENTA = (0.5, 0.9, 0.99, 0.999, 0.9999999)
SCHEDULES = [("constant", 0), ("step:60:0.5", 0), ("exp:0.998", 0), ("cosine", 10)]
SWINGING = 1500
"""Epochs of the β 0.9999999 runs: the heavy ball would need about 10**8 to settle."""
LOOK = 50_000
"""How far the theory looks for the for-ever count here (β 0.999 needs up to 16,000)."""


def test_the_definition_on_a_curve():
    curve = [5.0, 0.5, 2.0, 0.5, 0.4]
    assert settling_epoch(curve, 1.0) == 3 and first_touch(curve, 1.0) == 1
    assert settling_epoch([5.0, 0.5, 2.0], 1.0) is None and first_touch([5.0, 2.0], 1.0) is None
    assert settling_epoch([0.5, 0.4], 1.0) == 0
    assert settling_epoch([5.0, 0.5, float("nan")], 1.0) is None  # a blow-up is never settled


@pytest.mark.parametrize(
    ("beta", "first", "settles"), [(0.9, 52, 78), (0.99, 569, 828), (0.999, 3471, 8498)]
)
def test_the_issues_numbers(beta, first, settles):
    """Rate 0.5 on the 64-pixel scene (unit): the first touch is not where it settles."""
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    q = gdcore.quadratic(table)
    res = gdcore.run_descent(
        table, [0.5], 12000, optimizer=Optimizer(beta), bowl=q, keep_weights=False
    )
    assert run_first_touch(res.errors[0], q, W0) == first
    assert run_settling(res.errors[0], q, W0) == settles
    assert momentum_epochs_to_target(q, 0.5, W0, Optimizer(beta)) == settles


def test_without_momentum_the_first_touch_is_settling():
    """Plain steps shrink every direction each epoch: the excess falls, so one count serves."""
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 32), "unit")
    q = gdcore.quadratic(table)
    th = gdcore.theory(q)
    for lr in np.geomspace(0.01, 0.999, 7) * th.critical_lr:
        e = gdcore.run_descent(table, [lr], 3000, bowl=q).errors[0]
        k = epochs_to_target(q, lr, W0)
        assert run_first_touch(e, q, W0) == run_settling(e, q, W0) == (k if k <= 3000 else None)
        assert momentum_epochs_to_target(q, lr, W0, Optimizer()) == k


@pytest.mark.parametrize("name", list(gdcore.BUILTINS))
@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("beta", MOMENTA)
def test_engine_textbook_and_theory_settle_at_one_epoch(name, nesterov, beta):
    table = gdcore.pixel_table(gdcore.builtin_image(name, 8), "unit")
    q = gdcore.quadratic(table)
    th = gdcore.theory(q)
    X, t = table.design_matrix(), table.target_vector()
    rates = [0.5 * th.critical_lr]
    if not nesterov and beta <= 0.99:  # a rate above the plain edge that momentum saves
        rates.append(1.3 * th.critical_lr)
    # Long runs: a few epochs past where the constant rate settles for good (β 0.999 swings
    # for up to 16,000 epochs here), so that the last entry into the band is in the run.
    ever = momentum_epochs_to_target(q, rates[0], W0, Optimizer(beta, nesterov), limit=LOOK)
    T_CONSTANT = SWINGING if ever is None else ever + 100
    # A schedule is held within its run (any length will do): shorter runs keep this quick.
    T_SCHEDULED = min(T_CONSTANT, SWINGING)
    seen = []
    for lr in rates:
        for schedule, warmup in SCHEDULES:
            opt = Optimizer(beta, nesterov, schedule, warmup)
            T = T_CONSTANT if schedule == "constant" else T_SCHEDULED
            engine = gdcore.run_descent(table, [lr], T, bowl=q, keep_weights=False, optimizer=opt)
            e_engine = engine.errors[0]
            e_book, _ = descend_sgd(X, t, lr, T, opt)
            settle = run_settling(e_engine, q, W0)
            case = (lr, schedule, warmup)
            assert run_settling(e_book, q, W0) == settle, case
            assert run_first_touch(e_book, q, W0) == run_first_touch(e_engine, q, W0), case
            told = forecast(q, lr, T, W0, optimizer=opt)
            assert told.settle_epoch == settle, case
            if schedule == "constant":
                ever = momentum_epochs_to_target(q, lr, W0, Optimizer(beta, nesterov), limit=LOOK)
                if ever is not None and ever <= T:
                    assert ever == settle, case
                else:  # not settled for good within the run: it may sit in the band for now
                    assert settle is None or ever is None or ever > T, case
            seen.append(settle)
    if beta == 0.9999999 and not nesterov:  # swings and barely damps: it does not settle
        assert seen[0] is None
    else:  # Nesterov's look-ahead damps the swings: it settles
        assert seen[0] is not None


def test_the_envelope_stops_the_walk_only_when_no_later_epoch_leaves():
    """The for-ever count is the last exit seen in a run four times as long."""
    table = gdcore.pixel_table(gdcore.builtin_image("stripes", 16), "standard")
    q = gdcore.quadratic(table)
    th = gdcore.theory(q)
    rates = np.geomspace(0.05, 1.9, 6) * th.critical_lr
    betas = [0.3, 0.8, 0.95]
    grid = momentum_epochs_grid(q, rates, betas, W0, limit=5000)
    goal = target_excess(q, W0)
    for i, b in enumerate(betas):
        res = gdcore.run_descent(
            table, rates, 20000, optimizer=Optimizer(b), bowl=q, keep_weights=False
        )
        for j in range(len(rates)):
            k = int(grid[i, j])
            if k >= 0:
                assert settling_epoch(res.errors[j] - q.error_star, goal) == k, (b, rates[j])
