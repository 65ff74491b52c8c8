"""gdcore.verdicts.optimizer_verdict and momentum_map, the momentum exercise and the heavy-ball walk, against runs of the engine.

Every verdict and count here is checked against a second implementation: the
engine's own runs (``run_descent``), the textbook loop, or the exact counts of
``gdcore.bowl.forecast``.
"""

import re

import numpy as np
import pytest

import gdcore
from gdcore.bowl import landscape
from gdcore.bowl.forecast import direction_factors, momentum_epochs_to_target
from gdcore.bowl.settling import run_settling
from gdcore.descent.optimizer import Optimizer
from gdcore.descent.schedules import rate_factors
from gdcore.learner import exercises
from gdcore.verdicts.diagnosis import GOOD, TOO_LARGE, TOO_SMALL
from gdcore.verdicts.momentum_map import best_rate_for, epoch_map, root_factors
from gdcore.verdicts.optimizer_verdict import diagnose_optimizer_run
from gdcore.verdicts.which_rules import diagnose_run

W0 = np.zeros(3)
EPOCHS = 400


def _setup(name="scene", scale="unit", size=32):
    table = gdcore.pixel_table(gdcore.builtin_image(name, size), scale)
    q = gdcore.quadratic(table)
    return table, q, gdcore.theory(q)


def _settles(errors, q, w0=W0):
    """The epoch from which a run's errors stay within 1% of E* to its end, or None."""
    return run_settling(errors, q, w0)


@pytest.mark.parametrize("scale", ["unit", "standard", "raw"])
@pytest.mark.parametrize("nesterov", [False, True])
def test_the_map_counts_what_the_exact_count_and_the_runs_say(scale, nesterov):
    table, q, th = _setup(scale=scale)
    rates = np.geomspace(th.critical_lr * 0.05, th.critical_lr * 2.5, 9)
    betas = np.array([0.0, 0.3, 0.6, 0.9])
    m = epoch_map(q, rates, betas, W0, nesterov=nesterov, limit=EPOCHS)
    for i, b in enumerate(betas):
        if nesterov and b == 0:
            continue
        res = gdcore.run_descent(
            table, rates, EPOCHS, optimizer=Optimizer(float(b), nesterov), keep_weights=False
        )
        for j, lr in enumerate(rates):
            exact = momentum_epochs_to_target(
                q, lr, W0, Optimizer(float(b), nesterov), limit=EPOCHS
            )
            run = _settles(res.errors[j], q)
            v = m.epochs[i, j]
            if exact is None and run is not None:
                # In the band at the run's end, but not yet for good: it leaves after the run.
                later = momentum_epochs_to_target(q, lr, W0, Optimizer(float(b), nesterov))
                assert later is None or later > EPOCHS, (b, lr)
                run = None
            assert run == exact, (b, lr)
            if np.isinf(v):  # never settles: the edge rate says so, and the run never gets there
                assert (
                    lr >= th.critical_lr_for(Optimizer(float(b), nesterov)) * (1 - 1e-12)
                    and run is None
                )
            elif np.isnan(v):
                assert run is None and lr < th.critical_lr_for(Optimizer(float(b), nesterov))
            else:
                assert v == run


def test_root_factors_are_the_eigenvalues_of_the_maps():
    _, q, th = _setup(scale="standard")
    for lr in (0.1 * th.critical_lr, th.critical_lr, 2.2 * th.critical_lr):
        for b in (0.0, 0.5, 0.95):
            for nesterov in (False, True) if b else (False,):
                np.testing.assert_allclose(
                    root_factors(q.eigenvalues, lr, Optimizer(b, nesterov)),
                    direction_factors(q, lr, Optimizer(b, nesterov)),
                    rtol=1e-9,
                )


@pytest.mark.parametrize("scale", ["unit", "raw"])
def test_the_best_rate_for_a_momentum_is_the_theorys_best_rate_and_best_pair(scale):
    _, q, th = _setup(scale=scale)
    # The grid has 2,000 steps over six decades: about 0.7% apart.
    assert best_rate_for(q, Optimizer()) == pytest.approx(th.optimal_lr, rel=1e-2)
    assert best_rate_for(q, Optimizer(th.optimal_momentum)) == pytest.approx(
        th.optimal_momentum_lr, rel=1e-2
    )


def test_a_plain_run_gets_the_plain_verdict_unchanged():
    table, q, th = _setup()
    for lr in (0.01, 0.5, 1.2, 2.0):
        e = gdcore.run_descent(table, [lr], 200).errors[0]
        assert diagnose_optimizer_run(e, lr, th, W0) == diagnose_run(e, lr, th, W0)


@pytest.mark.parametrize("name", ["scene", "plane", "spot", "noise"])
@pytest.mark.parametrize("scale", ["unit", "standard", "raw"])
def test_a_rate_above_the_edge_that_momentum_saves_is_not_too_large(name, scale):
    table, q, th = _setup(name, scale)
    lr = 1.5 * th.critical_lr
    saved = gdcore.run_descent(table, [lr], EPOCHS, optimizer=Optimizer(0.9))
    assert saved.diverged_epoch[0] == -1  # the engine agrees it settles
    d = diagnose_optimizer_run(saved.errors[0], lr, th, W0, optimizer=Optimizer(0.9))
    # Saved, and never "too large" for its rate; only a slow swing (a β too heavy for this
    # bowl: the plane's fastest plain rate needs one epoch) is told as the momentum's fault.
    assert "momentum β = 0.9 saved it" in d.reason
    assert d.verdict != TOO_LARGE or "each swing keeps" in d.reason
    lost = gdcore.run_descent(table, [lr], EPOCHS, optimizer=Optimizer(0.3))
    e = lost.errors[0]
    # 2(1.3)/λmax = 1.3 × the plain edge, below 1.5 ×: the run climbs past its start.
    rise = int(np.flatnonzero(np.nan_to_num(e, nan=np.inf)[1:] > e[0])[0]) + 1
    d = diagnose_optimizer_run(e, lr, th, W0, optimizer=Optimizer(0.3))
    assert d.verdict == TOO_LARGE and f"passes its start at epoch {rise:,}" in d.reason
    if lost.diverged_epoch[0] > 0:
        assert f"overflow at epoch {lost.diverged_epoch[0]:,}" in d.reason


def test_a_rate_above_the_edge_that_the_schedule_saves_names_the_schedule():
    table, q, th = _setup()
    lr = 1.2 * th.critical_lr
    res = gdcore.run_descent(table, [lr], EPOCHS, optimizer=Optimizer(schedule="exp:0.9"))
    e = res.errors[0]
    assert res.diverged_epoch[0] == -1 and np.nanmax(e) < 10 * e[0]  # never off the chart
    d = diagnose_optimizer_run(e, lr, th, W0, optimizer=Optimizer(schedule="exp:0.9"))
    assert d.verdict != TOO_LARGE and "the schedule saved it" in d.reason
    # The epoch from which the rate is below the edge, from the schedule's own numbers.
    below = int(np.flatnonzero(lr * rate_factors("exp:0.9", EPOCHS) > th.critical_lr)[-1]) + 1
    assert below == 2 and f"from epoch {below:,} on the rate is below the edge" in d.reason
    # Rescued only after the error left the chart: too large, and said so.
    late = gdcore.run_descent(
        table, [1.5 * th.critical_lr], EPOCHS, optimizer=Optimizer(schedule="step:20:0.5")
    )
    e = late.errors[0]
    assert late.diverged_epoch[0] == -1 and np.nanmax(e) > 10 * e[0]
    d = diagnose_optimizer_run(
        e, 1.5 * th.critical_lr, th, W0, optimizer=Optimizer(schedule="step:20:0.5")
    )
    climb = int(np.flatnonzero(e > 10 * e[0])[0])
    peak = int(np.argmax(e))
    assert d.verdict == TOO_LARGE and d.reason.startswith(
        "too large at the start, saved by the schedule"
    )
    assert (
        f"spikes to {e[peak] / e[0]:.3g}× its start at epoch {peak:,} (past 10× from epoch {climb:,})"
        in d.reason
    )
    assert (
        "from epoch 20 on it is below" in d.reason
    )  # 1.5 × 0.5 < 1: below the edge from the first halving
    assert (
        f"then it settles within 1% of the lowest error E* at epoch {run_settling(e, q, W0):,}"
        in d.reason
    )
    big = 1.5 * th.critical_lr
    kept = gdcore.run_descent(table, [big], EPOCHS, optimizer=Optimizer(schedule="step:1000:0.5"))
    assert kept.diverged_epoch[0] > 0
    d = diagnose_optimizer_run(
        kept.errors[0], big, th, W0, optimizer=Optimizer(schedule="step:1000:0.5")
    )
    assert d.verdict == TOO_LARGE and f"overflow at epoch {kept.diverged_epoch[0]:,}" in d.reason


@pytest.mark.parametrize("scale", ["unit", "raw"])
def test_every_verdict_tells_the_epoch_the_run_shows(scale):
    """Across rates × momenta × schedules: a good verdict's epoch is the run's own epoch."""
    table, q, th = _setup(scale=scale)
    seen = set()
    for mult in (0.01, 0.3, 0.9, 1.4, 2.5):
        lr = mult * th.critical_lr
        for beta, nesterov, schedule, warmup in [
            (0.5, False, "constant", 0),
            (0.9, False, "constant", 0),
            (0.9, True, "constant", 0),  # Nesterov's edge is lower: 0.68 × the plain one
            (0.0, False, "exp:0.99", 0),
            (0.9, False, "cosine", 10),
        ]:
            kw = dict(optimizer=Optimizer(beta, nesterov, schedule, warmup))
            res = gdcore.run_descent(table, [lr], EPOCHS, **kw)
            e = res.errors[0]
            d = diagnose_optimizer_run(e, lr, th, W0, **kw)
            seen.add(d.verdict)
            run = _settles(e, q)
            if res.diverged_epoch[0] >= 0 or np.nanmax(e) > 10 * e[0]:
                assert d.verdict == TOO_LARGE, (mult, kw)
            said = re.search(
                r"settles within 1% of the lowest error E\* at epoch ([\d,]+)", d.reason
            )
            if said:  # the epoch said is the run's own settling epoch
                assert run == int(said[1].replace(",", "")), (mult, kw)
            elif run is not None:  # in the band at the end, but not for good yet
                assert "this run has" in d.reason, (mult, kw)
            if d.verdict == GOOD and run is None:
                assert "this run has" in d.reason  # good, but needs more epochs than shown
            assert d.suggested_lr is None or (np.isfinite(d.suggested_lr) and d.suggested_lr > 0)
    assert seen == {GOOD, TOO_SMALL, TOO_LARGE}


@pytest.mark.parametrize("scale", ["unit", "raw"])
def test_the_momentum_exercise_is_right_exactly_when_the_run_settles(scale):
    table, q, th = _setup(scale=scale)
    lr = exercises.MOMENTUM_RATE * th.critical_lr
    for beta in (0.0, 0.2, 0.45, 0.55, 0.7, 0.9):
        fb = exercises.check_momentum(beta, th, W0)
        res = gdcore.run_descent(table, [lr], 3000, optimizer=Optimizer(beta))
        assert fb.correct == (res.diverged_epoch[0] == -1), beta
        run = _settles(res.errors[0], q)
        if fb.correct and run is not None:
            assert f"at epoch {run:,}" in fb.message
    assert not exercises.check_momentum(1.0, th, W0).correct


@pytest.mark.parametrize("nesterov", [False, True])
def test_the_heavy_ball_walk_with_every_weight_free_is_the_engine_run(nesterov):
    table, q, th = _setup(scale="standard")
    lr = 1.3 * th.critical_lr
    w, e = landscape.slice_descent(q, [0, 1, 2], lr, 60, W0, Optimizer(0.8, nesterov))
    res = gdcore.run_descent(table, [lr], 60, optimizer=Optimizer(0.8, nesterov))
    np.testing.assert_allclose(w, res.weights[0], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(e, res.errors[0], rtol=1e-9)


def test_a_walk_keeps_its_momentum_and_the_plain_walk_is_unchanged():
    _, q, _ = _setup()
    plain = landscape.walk(q, [1, 2], 0.8, 30)
    again = landscape.walk(q, [1, 2], 0.8, 30, optimizer=Optimizer(0.0))
    heavy = landscape.walk(q, [1, 2], 0.8, 30, optimizer=Optimizer(0.9))
    np.testing.assert_array_equal(plain.points, again.points)
    assert heavy.momentum == 0.9 and heavy.lr == plain.lr
    assert not np.allclose(heavy.points[1:3], plain.points[1:3])
    # The first heavy step is the plain step (the first buf is the slope).
    np.testing.assert_allclose(heavy.points[1], plain.points[1], rtol=1e-12)
