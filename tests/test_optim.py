"""Momentum, Nesterov, schedules and warm-up: engine, textbook, PyTorch and theory agree.

The oracle is the textbook loop in the convention of ``torch.optim.SGD``
(``dampening=0``) with ``LambdaLR`` (``textbook.descend_sgd``), run in extended
precision: a schedule can let a run grow a million-fold and shrink back, and
float64's rounding at the peak would then be the larger part of the
difference. A run that comes back from more than ``COMEBACK`` times its own
final excess is compared by its blow-up epoch only: no finite precision
carries digits through that.
"""

import io
import itertools
import json
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gdcore import Optimizer, builtin_image, pixel_table, quadratic, run_descent, theory
from gdcore.bowl.forecast import (
    direction_factors,
    forecast,
    milestones,
    momentum_epochs_grid,
    momentum_epochs_to_target,
)
from gdcore.bowl.settling import run_settling
from gdcore.bowl.theory import critical_lr, epochs_to_target
from gdcore.cli import main
from gdcore.descent.schedules import describe, is_constant, rate_factors
from gdcore.descent.testing import assert_runs_equal
from gdcore.descent.textbook import lr_at, textbook_run
from gdcore.params import SCHEDULE

SCHEDULES = ["constant", "step:7:0.5", "exp:0.95", "inverse:5", "cosine"]
MOMENTA = [(0.0, False), (0.5, False), (0.9, False), (0.5, True), (0.9, True)]
SCALES = ["raw", "unit", "standard"]
COMEBACK = 1e12


def _setup(name="scene", scale="unit", size=8):
    table = pixel_table(builtin_image(name, size), scale)
    return table, theory(quadratic(table))


def _oracle(table, lrs, epochs, **kw):
    X, t = table.design_matrix(), table.target_vector()
    return textbook_run(X, t, lrs, epochs, dtype=np.longdouble, **kw)


def _assert_same(fast, slow):
    """Equal within the tolerance, except runs that came back from far away (module notes)."""
    np.testing.assert_array_equal(fast.diverged_epoch, slow.diverged_epoch)
    with np.errstate(invalid="ignore"):
        peak = np.nanmax(slow.errors, axis=1) - slow.errors[:, -1]
        calm = ~(peak > COMEBACK * np.abs(slow.errors[:, -1] - np.nanmin(slow.errors, axis=1)))
    calm |= slow.diverged_epoch >= 0
    if calm.any():
        pick = np.flatnonzero(calm)
        assert_runs_equal(_rows(fast, pick), _rows(slow, pick))


def _rows(r, pick):
    from gdcore.descent.runs import DescentResult

    return DescentResult(
        r.lrs[pick], r.errors[pick], r.weights[pick], r.diverged_epoch[pick], r.stopped_epoch[pick]
    )


# --- Schedules ---------------------------------------------------------------


@pytest.mark.parametrize("schedule", [*SCHEDULES, "step:1:1", "exp:1", "inverse:0.01"])
@pytest.mark.parametrize("warmup", [0, 1, 3, 50])
def test_rate_factors_equal_the_written_out_formula(schedule, warmup):
    T = 40
    got = rate_factors(schedule, T, warmup)
    want = [lr_at(1.0, k, T, schedule, warmup) for k in range(T)]
    np.testing.assert_allclose(got, want, rtol=1e-15)
    assert ((got > 0) & (got <= 1)).all()


def test_rate_factors_known_numbers():
    assert rate_factors("step:3:0.1", 7).tolist() == pytest.approx([1, 1, 1, 0.1, 0.1, 0.1, 0.01])
    assert rate_factors("exp:0.5", 4).tolist() == [1.0, 0.5, 0.25, 0.125]
    assert rate_factors("inverse:2", 3).tolist() == pytest.approx([1, 2 / 3, 0.5])
    assert rate_factors("cosine", 4).tolist() == pytest.approx([1, 0.8535534, 0.5, 0.1464466])
    assert rate_factors("constant", 5, warmup=4).tolist() == [0.25, 0.5, 0.75, 1.0, 1.0]
    assert is_constant("constant", 1) and not is_constant("constant", 2)
    assert describe("exp:0.9") == "a rate multiplied by 0.9 every epoch"


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ("fast", "unknown schedule 'fast'"),
        ("step:10", "step takes step:EVERY:FACTOR"),
        ("step:0:0.5", "EVERY must be a whole number >= 1, got '0'"),
        ("step:2.5:0.5", "EVERY must be a whole number >= 1, got '2.5'"),
        ("exp:1.5", "FACTOR must be a number > 0 and <= 1, got '1.5'"),
        ("exp:0", "FACTOR must be a number > 0 and <= 1, got '0'"),
        ("exp:nan", "FACTOR must be a number > 0 and <= 1, got 'nan'"),
        ("inverse:-1", "TAU must be a number > 0, got '-1'"),
        ("cosine:2", "cosine takes cosine"),
    ],
)
def test_a_bad_schedule_is_named_with_what_is_wrong(text, detail):
    with pytest.raises(ValueError, match="^schedule: must be constant, step:EVERY:FACTOR") as info:
        SCHEDULE.check(text)
    assert f"got {text!r} ({detail})." in str(info.value)


def test_schedule_text_is_canonical_and_round_trips():
    assert SCHEDULE.check(" step:10:0.50 ") == "step:10:0.5"
    assert SCHEDULE.check("inverse:1e3") == "inverse:1000"
    for s in SCHEDULES:
        assert SCHEDULE.check(SCHEDULE.show(SCHEDULE.check(s))) == s


# --- The engine against the textbook loop --------------------------------------

CASES = [
    (schedule, beta, nesterov, SCALES[i % 3], (0, 4)[i % 2])
    for i, (schedule, (beta, nesterov)) in enumerate(itertools.product(SCHEDULES, MOMENTA))
]


@pytest.mark.parametrize("batch", [None, 7])
@pytest.mark.parametrize(("schedule", "beta", "nesterov", "scale", "warmup"), CASES)
def test_engine_equals_textbook(schedule, beta, nesterov, scale, warmup, batch):
    table, th = _setup("scene", scale)
    # Too small, good, just above 2/λmax, above the momentum edge, and far above it.
    edge = th.critical_lr_for(Optimizer(beta, nesterov))
    lrs = [1e-3 * th.critical_lr, 0.5 * th.critical_lr, 1.2 * th.critical_lr, 1.1 * edge, 4 * edge]
    if batch is not None:
        lrs = [lr / 4 for lr in lrs]  # a batch's own bowl is steeper than the image's
    kw = dict(optimizer=Optimizer(beta, nesterov, schedule, warmup))
    epochs = 40 if batch is None else 12
    fast = run_descent(table, lrs, epochs, batch_size=batch, seed=3, **kw)
    _assert_same(fast, _oracle(table, lrs, epochs, batch_size=batch, seed=3, **kw))


@pytest.mark.parametrize(("beta", "nesterov"), MOMENTA[1:])
def test_momentum_blows_up_at_the_same_epoch(beta, nesterov):
    table, th = _setup("stripes", "raw")
    lrs = [
        1.05 * th.critical_lr_for(Optimizer(beta, nesterov)),
        3 * th.critical_lr_for(Optimizer(beta, nesterov)),
    ]
    fast = run_descent(table, lrs, 3000, optimizer=Optimizer(beta, nesterov))
    slow = _oracle(table, lrs, 3000, optimizer=Optimizer(beta, nesterov))
    assert (fast.diverged_epoch > 0).all()
    _assert_same(fast, slow)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    scale=st.sampled_from(SCALES),
    name=st.sampled_from(["plane", "spot", "stripes", "noise", "scene"]),
    multiple=st.floats(1e-3, 3.0),
    beta=st.sampled_from([0.0, 0.1, 0.5, 0.9, 0.99]),
    nesterov=st.booleans(),
    schedule=st.sampled_from([*SCHEDULES, "step:3:0.9", "exp:0.8", "inverse:0.5"]),
    warmup=st.integers(0, 12),
    batch=st.sampled_from([None, None, 1, 5, 16]),
    seed=st.integers(0, 5),
)
def test_random_settings_equal_textbook(
    scale, name, multiple, beta, nesterov, schedule, warmup, batch, seed
):
    nesterov = nesterov and beta > 0
    table, th = _setup(name, scale, size=5)
    lr = multiple * th.critical_lr_for(Optimizer(beta, nesterov)) / (1 if batch is None else 4)
    kw = dict(optimizer=Optimizer(beta, nesterov, schedule, warmup))
    # Away from w*: a symmetric image on the standard scale has w* = 0, and a run
    # from the bottom itself moves nothing but rounding (as in test_engine).
    w0 = th.w_star + np.array([0.5, -0.3, 0.2]) * np.abs(th.w_star).max(initial=1.0)
    fast = run_descent(table, [lr], 25, init=w0, batch_size=batch, seed=seed, **kw)
    _assert_same(fast, _oracle(table, [lr], 25, w_init=w0, batch_size=batch, seed=seed, **kw))


@pytest.mark.parametrize("schedule", ["constant", "cosine", "exp:0.9"])
@pytest.mark.parametrize("nesterov", [False, True])
def test_both_ways_of_iterating_momentum_agree(schedule, nesterov):
    from gdcore.descent import directions

    _, th = _setup("scene", "raw")
    lam, d0 = th.bowl.eigenvalues, th.bowl.eigenvectors.T @ -th.w_star
    # Tiny, good, near momentum's edge, and (constant rate) far past it; no run that
    # grows huge and comes back, which no precision carries (module notes).
    far = 3.0 if schedule == "constant" else 0.95
    lrs = th.critical_lr_for(Optimizer(0.7, nesterov)) * np.array([1e-6, 0.3, 0.9, far])
    factors = rate_factors(schedule, 777, 5)
    with np.errstate(all="ignore"):  # 3 x the edge overflows on purpose
        a = directions._momentum_blocks(lam, d0, lrs, factors, Optimizer(0.7, nesterov), True)
        b = directions._momentum_loop(lam, d0, lrs, factors, Optimizer(0.7, nesterov), True)
        for x, y in zip(a, b, strict=True):
            ok = np.abs(y) < 1e150  # up to the blow-up limit
            floor = (
                1e-12 * np.abs(y[:, :2]).max()
            )  # as gdcore.descent.testing: rounding of the start
            np.testing.assert_allclose(x[ok], y[ok], rtol=1e-9, atol=floor)
            assert not (np.abs(x[~ok]) < 1e140).any()


def test_many_rates_with_momentum_equal_textbook():
    table, th = _setup("scene", "unit")
    lrs = th.critical_lr * np.geomspace(1e-3, 4, 12)  # more than BLOCK_RATES: epoch by epoch
    kw = dict(optimizer=Optimizer(0.8, True, "inverse:7", 3))
    _assert_same(run_descent(table, lrs, 60, **kw), _oracle(table, lrs, 60, **kw))


def test_plain_settings_take_the_closed_form_and_equal_it():
    table, th = _setup()
    lrs = [0.3 * th.critical_lr, 1.5 * th.critical_lr]
    plain = run_descent(table, lrs, 300)
    for opt in (Optimizer(warmup=1), Optimizer(schedule="exp:1"), Optimizer(schedule="step:5:1")):
        assert_runs_equal(run_descent(table, lrs, 300, optimizer=opt), plain)


def test_keep_weights_false_gives_the_same_errors():
    table, th = _setup()
    lrs = [0.3 * th.critical_lr, 2.5 * th.critical_lr]
    for opt in (Optimizer(0.8), Optimizer(schedule="cosine"), Optimizer(0.5, nesterov=True)):
        a, b = (
            run_descent(table, lrs, 200, optimizer=opt),
            run_descent(table, lrs, 200, keep_weights=False, optimizer=opt),
        )
        np.testing.assert_array_equal(a.errors, b.errors)
        assert b.weights.shape == (2, 201, 0)


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        (dict(momentum=1.0), "momentum: must be a number >= 0 and < 1, got 1."),
        (dict(momentum=-0.1), "momentum: must be a number >= 0 and < 1, got -0.1."),
        (dict(nesterov=True), "nesterov: needs a momentum > 0"),
        (dict(schedule="exp:2"), "schedule: must be constant"),
        (dict(warmup=-1), "warmup: must be a whole number >= 0, got -1."),
        (dict(warmup=2.5), "warmup: must be a whole number >= 0, got 2.5."),
    ],
)
def test_the_engine_refuses_bad_optimizer_settings(kw, message):
    table, _ = _setup()
    with pytest.raises(ValueError, match="^" + message.replace("(", r"\(").replace(".", r"\.")):
        run_descent(table, [0.1], 3, optimizer=Optimizer(**kw))


# --- The textbook loop against PyTorch ----------------------------------------


@pytest.mark.parametrize(
    ("beta", "nesterov", "schedule", "warmup", "batch"),
    [
        (0.0, False, "step:4:0.5", 3, None),
        (0.9, False, "cosine", 0, None),
        (0.5, True, "exp:0.9", 5, None),
        (0.7, False, "inverse:3", 2, 5),
        (0.9, True, "constant", 0, 9),
    ],
)
def test_textbook_equals_torch_sgd_with_lambdalr(beta, nesterov, schedule, warmup, batch):
    torch = pytest.importorskip("torch")
    from gdcore.descent.batches import epoch_orders

    table, th = _setup("scene", "unit", size=6)
    X, t = table.design_matrix(), table.target_vector()
    lr, T = 0.8 * th.critical_lr, 30
    Xt, tt = torch.from_numpy(X), torch.from_numpy(t)
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    opt = torch.optim.SGD([w], lr=lr, momentum=beta, nesterov=nesterov, dampening=0)
    factors = rate_factors(schedule, T, warmup)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: factors[k] if k < T else 0.0)
    errors = [0.5 * float(((tt - Xt @ w.detach()) ** 2).mean())]
    size = len(t) if batch is None else batch
    for order in epoch_orders(len(t), T, seed=2):
        if batch is None:
            order = np.arange(len(t))
        for start in range(0, len(t), size):
            rows = torch.from_numpy(order[start : start + size])
            opt.zero_grad()
            (0.5 * ((tt[rows] - Xt[rows] @ w) ** 2).mean()).backward()
            opt.step()
        sched.step()
        errors.append(0.5 * float(((tt - Xt @ w.detach()) ** 2).mean()))
    ours = textbook_run(
        X, t, [lr], T, batch_size=batch, seed=2,
        optimizer=Optimizer(beta, nesterov, schedule, warmup),
    )  # fmt: skip
    np.testing.assert_allclose(ours.errors[0], errors, rtol=1e-9)


# --- Theory against runs --------------------------------------------------------


def _largest_settling_rate(table, beta, nesterov, guess, epochs=4000):
    """Brute force: refine a grid of rates around ``guess`` to the largest whose run settles."""
    lo, hi = 0.8 * guess, 1.2 * guess
    for _ in range(3):
        lrs = np.linspace(lo, hi, 33)
        r = run_descent(table, lrs, epochs, optimizer=Optimizer(beta, nesterov), keep_weights=False)
        settles = np.isfinite(r.errors[:, -1]) & (r.errors[:, -1] < r.errors[:, 0])
        last = int(np.flatnonzero(settles)[-1])
        assert not settles[last + 1 :].any()  # one edge, not a patchwork
        lo, hi = lrs[last], lrs[last + 1]
    return lo, hi


@pytest.mark.parametrize(("beta", "nesterov"), [(0.0, False), *MOMENTA[1:]])
def test_critical_rate_matches_bisection_on_runs(beta, nesterov):
    table, th = _setup("scene", "unit", size=16)
    predicted = critical_lr(th.lambda_max, Optimizer(beta, nesterov))
    assert predicted == pytest.approx(th.critical_lr_for(Optimizer(beta, nesterov)))
    lo, hi = _largest_settling_rate(table, beta, nesterov, predicted)
    # Near the edge growth is slow, so the brute force brackets it to about 1e-3.
    assert lo * (1 - 2e-3) <= predicted <= hi * (1 + 2e-3)


def test_best_pair_formulas_against_the_factors_of_a_grid():
    table, th = _setup("scene", "raw", size=16)
    q = th.bowl
    kappa = th.lambda_max / th.lambda_min
    assert th.momentum_factor == pytest.approx((math.sqrt(kappa) - 1) / (math.sqrt(kappa) + 1))
    assert th.optimal_momentum == pytest.approx(th.momentum_factor**2)
    # At the best pair every direction shrinks by the same factor √β*.
    at_best = direction_factors(q, th.optimal_momentum_lr, Optimizer(th.optimal_momentum))
    np.testing.assert_allclose(at_best, th.momentum_factor, rtol=1e-6)
    # No pair on a grid around it does better; plain descent's best is (κ-1)/(κ+1).
    betas = th.optimal_momentum * np.linspace(0.9, 1.1, 9)
    rates = th.optimal_momentum_lr * np.linspace(0.9, 1.1, 9)
    worst = [direction_factors(q, lr, Optimizer(b)).max() for b in betas for lr in rates]
    assert min(worst) >= th.momentum_factor * (1 - 1e-9)
    plain = direction_factors(q, th.optimal_lr).max()
    assert plain == pytest.approx((kappa - 1) / (kappa + 1)) and plain > th.momentum_factor


@pytest.mark.parametrize("scale", SCALES)
def test_exact_epochs_to_one_percent_match_runs(scale):
    table, th = _setup("scene", scale, size=16)
    q, w0 = th.bowl, np.zeros(3)
    k_best = momentum_epochs_to_target(
        q, th.optimal_momentum_lr, w0, Optimizer(th.optimal_momentum)
    )
    k_plain = epochs_to_target(q, th.optimal_lr, w0)
    for lr, beta, k in (
        (th.optimal_momentum_lr, th.optimal_momentum, k_best),
        (th.optimal_lr, 0.0, k_plain),
    ):
        r = run_descent(table, [lr], k + 5, optimizer=Optimizer(beta), keep_weights=False)
        assert run_settling(r.errors[0], q, w0) == k  # in the band from k to the end
    assert k_best <= k_plain
    if th.condition_number > 2:  # the standard scale makes κ = 1: one epoch either way
        assert k_best < k_plain


def test_momentum_epochs_for_other_pairs_match_runs():
    table, th = _setup("stripes", "unit", size=16)
    q, w0 = th.bowl, np.zeros(3)
    for lr, beta, nesterov in ((0.5, 0.3, False), (1.0, 0.9, False), (0.7, 0.6, True)):
        k = momentum_epochs_to_target(q, lr, w0, Optimizer(beta, nesterov))
        r = run_descent(table, [lr], k + 3, optimizer=Optimizer(beta, nesterov), keep_weights=False)
        assert run_settling(r.errors[0], q, w0) == k
    assert (
        momentum_epochs_to_target(q, 1.01 * th.critical_lr_for(Optimizer(0.5)), w0, Optimizer(0.5))
        is None
    )
    assert momentum_epochs_to_target(q, 1e-6, w0, Optimizer(0.1), limit=1000) is None


@pytest.mark.parametrize("nesterov", [False, True])
def test_the_phase_diagram_equals_runs_pair_by_pair(nesterov):
    table, th = _setup("scene", "raw", size=16)
    q, w0, T = th.bowl, np.zeros(3), 3000
    betas = [0.0, 0.3, 0.6, 0.9, 0.97]
    lrs = th.critical_lr * np.array([0.05, 0.4, 0.9, 1.3, 1.9, 2.6])
    grid = momentum_epochs_grid(q, lrs, betas, w0, nesterov=nesterov, limit=T)
    assert grid.shape == (5, 6)
    for i, beta in enumerate(betas):
        r = run_descent(
            table, lrs, T, optimizer=Optimizer(beta, nesterov and beta > 0), keep_weights=False
        )
        for j in range(len(lrs)):
            settled = run_settling(r.errors[j], q, w0)
            if grid[i, j] < 0 and settled is not None:  # in the band at the end, not for good
                later = momentum_epochs_to_target(
                    q, lrs[j], w0, Optimizer(beta, nesterov and beta > 0)
                )
                assert later is None or later > T, (beta, j)
                settled = None
            assert grid[i, j] == (-1 if settled is None else settled), (beta, j)
    assert (grid >= 0).any() and (grid < 0).any()


@pytest.mark.parametrize(
    ("multiple", "beta", "nesterov", "schedule", "warmup"),
    [
        (1.5, 0.0, False, "exp:0.9", 0),
        (1.5, 0.0, False, "constant", 0),
        (3.0, 0.0, False, "step:10:0.1", 0),
        (2.5, 0.5, False, "cosine", 5),
        (1.2, 0.9, True, "inverse:2", 0),
        (0.5, 0.9, False, "constant", 10),
    ],
)
def test_forecast_and_milestones_equal_the_run(multiple, beta, nesterov, schedule, warmup):
    table, th = _setup("scene", "unit", size=16)
    lr, T, w0 = multiple * th.critical_lr, 300, np.zeros(3)
    kw = dict(optimizer=Optimizer(beta, nesterov, schedule, warmup))
    f = forecast(th.bowl, lr, T, w0, **kw)
    r = run_descent(table, [lr], T, **kw)
    div = int(r.diverged_epoch[0])
    assert f.diverged_epoch == (None if div < 0 else div)
    np.testing.assert_allclose(f.errors, r.errors[0], rtol=1e-12, equal_nan=True)
    np.testing.assert_allclose(f.rates, lr * rate_factors(schedule, T, warmup))
    assert (f.rates[f.above_edge] > f.edge).all() and f.edge == th.critical_lr_for(
        Optimizer(beta, nesterov)
    )
    m = milestones(th.bowl, lr, T, w0, **kw)
    with np.errstate(invalid="ignore"):
        total = m.excess.sum(axis=0) + th.error_star
    ok = np.isfinite(r.errors[0])
    np.testing.assert_allclose(total[ok], r.errors[0][ok], rtol=1e-12)


def test_milestones_name_the_slow_direction():
    # Raw coordinates: the intercept's direction is nearly flat, so it is the slow one.
    _, th = _setup("scene", "raw", size=16)
    m = milestones(th.bowl, 0.5 * th.critical_lr, 100, np.zeros(3))
    assert m.slowest == 0 and m.factors[0] == pytest.approx(
        1 - 0.5 * th.critical_lr * th.lambda_min
    )
    assert m.excess[0, -1] > m.excess[2, -1]
    # At the best rate the flattest and the steepest direction tie: the flat one is named.
    m = milestones(th.bowl, th.optimal_lr, 100, np.zeros(3))
    assert m.slowest == 0 and m.factors[0] == pytest.approx(th.optimal_factor)


# --- The command line -------------------------------------------------------------


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    return main(list(argv), out=out, err=err), out.getvalue(), err.getvalue()


def test_cli_run_with_momentum_and_a_schedule_equals_the_engine():
    argv = ["--image", "scene", "--size", "8", "--lr", "2", "--epochs", "30"]
    optimizer_flags = [
        "--momentum",
        "0.5",
        "--nesterov",
        "--schedule",
        "step:10:0.5",
        "--warmup",
        "3",
    ]
    code, out, _ = _cli("run", *argv, *optimizer_flags)
    assert code == 0
    table, _ = _setup()
    r = run_descent(table, [2.0], 30, optimizer=Optimizer(0.5, True, "step:10:0.5", 3))
    errors = [float(line.split(",")[2]) for line in out.splitlines()[1:]]
    np.testing.assert_array_equal(errors, r.errors[0])


def test_cli_theory_reports_the_best_pair_and_the_edge_for_a_momentum():
    code, out, _ = _cli("theory", "--image", "scene", "--size", "16")
    d = json.loads(out)
    _, th = _setup("scene", "unit", size=16)
    assert code == 0
    assert d["optimal_momentum"] == pytest.approx(th.optimal_momentum)
    assert d["optimal_momentum_lr"] == pytest.approx(th.optimal_momentum_lr)
    assert d["momentum_factor"] == pytest.approx(th.momentum_factor)
    assert d["critical_lr"] == pytest.approx(2 / th.lambda_max)
    assert d["optimal_momentum_epochs"] < d["optimal_epochs"]
    d = json.loads(_cli("theory", "--image", "scene", "--size", "16", "--momentum", "0.5")[1])
    assert d["critical_lr"] == pytest.approx(3 / th.lambda_max)
    argv = ["theory", "--image", "scene", "--size", "16", "--momentum", "0.5", "--nesterov"]
    assert json.loads(_cli(*argv)[1])["critical_lr"] == pytest.approx(3 / (2 * th.lambda_max))


RUN = ["run", "--image", "plane", "--size", "4", "--lr", "0.1", "--epochs", "3"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([*RUN, "--momentum", "1"], "argument --momentum: must be a number >= 0 and < 1, got '1'"),
        (
            [*RUN, "--momentum", "-0.5"],
            "argument --momentum: must be a number >= 0 and < 1, got '-0.5'",
        ),
        (
            [*RUN, "--momentum", "nan"],
            "argument --momentum: must be a number >= 0 and < 1, got 'nan'",
        ),
        ([*RUN, "--momentum", "x"], "argument --momentum: must be a number >= 0 and < 1, got 'x'"),
        ([*RUN, "--schedule", "fast"], "got 'fast' (unknown schedule 'fast')"),
        ([*RUN, "--schedule", "step:10"], "got 'step:10' (step takes step:EVERY:FACTOR)"),
        ([*RUN, "--schedule", "exp:1.5"], "(FACTOR must be a number > 0 and <= 1, got '1.5')"),
        ([*RUN, "--schedule", "inverse:0"], "(TAU must be a number > 0, got '0')"),
        ([*RUN, "--warmup", "-1"], "argument --warmup: must be a whole number >= 0, got '-1'"),
        ([*RUN, "--warmup", "1.5"], "argument --warmup: must be a whole number >= 0, got '1.5'"),
        ([*RUN, "--nesterov"], "nesterov: needs a momentum > 0"),
        ([*RUN, "--nesterov", "--momentum", "0"], "nesterov: needs a momentum > 0"),
        (["theory", "--image", "plane", "--nesterov"], "nesterov: needs a momentum > 0"),
        (["theory", "--image", "plane", "--momentum", "2"], "argument --momentum: must be"),
    ],
)
def test_cli_bad_optimizer_values_exit_2_with_one_line(argv, message):
    code, out, err = _cli(*argv)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("gdcore: error: ")
    assert message in err


# --- Verdicts -----------------------------------------------------------------------


def _verdict(multiple, epochs=300, batch=None, **kw):
    from gdcore.verdicts.which_rules import diagnose_run

    table, th = _setup("scene", "unit", size=32)
    lr = multiple * th.critical_lr
    opt = Optimizer(**kw)
    r = run_descent(table, [lr], epochs, batch_size=batch, optimizer=opt)
    return diagnose_run(r.errors[0], lr, th, np.zeros(3), batch is None, optimizer=opt), r


def test_a_rate_above_the_plain_edge_saved_by_momentum_is_not_too_large():
    d, r = _verdict(1.5, momentum=0.9)
    assert r.diverged_epoch[0] == -1 and d.verdict == "good"
    assert "the plain edge rate 1.306, yet it settles: momentum β = 0.9 saved it" in d.reason
    assert "widens the edge to 2.48" in d.reason
    # The same rate without momentum blows up: the plain verdict says too large.
    plain, r = _verdict(1.5)
    assert plain.verdict == "too large" and r.diverged_epoch[0] > 0


def test_a_rate_above_the_plain_edge_saved_by_a_decaying_schedule_is_not_too_large():
    d, r = _verdict(1.2, schedule="step:3:0.8")
    assert r.diverged_epoch[0] == -1 and d.verdict != "too large"
    assert (
        "the schedule saved it" in d.reason
        and "from epoch 3 on the rate is below the edge" in d.reason
    )
    # A schedule that brings the rate down only after the error left the chart: too large at
    # the start, and the reason says that the schedule rescued it from epoch 30 on.
    d, r = _verdict(1.5, schedule="step:30:0.5")
    assert r.diverged_epoch[0] == -1 and d.verdict == "too large"
    assert d.reason.startswith("too large at the start, saved by the schedule")
    assert "from epoch 30 on it is below" in d.reason


def test_a_rate_above_the_momentum_edge_is_too_large_with_that_edge_named():
    d, r = _verdict(3.5, momentum=0.5)
    assert d.verdict == "too large" and r.diverged_epoch[0] > 0
    assert f"the numbers overflow at epoch {r.diverged_epoch[0]}" in d.reason
    assert "the edge rate with momentum β = 0.5, 1.95" in d.reason
    d, r = _verdict(1.2, momentum=0.9, nesterov=True)  # Nesterov's edge is lower
    assert d.verdict == "too large" and r.diverged_epoch[0] > 0
    assert "Nesterov's momentum β = 0.9, 0.886" in d.reason


def test_the_command_line_and_the_dashboard_give_one_verdict():
    from gdcore.verdicts.optimizer_verdict import diagnose_optimizer_run
    from gdcore.verdicts.which_rules import diagnose_run

    table, th = _setup("scene", "unit", size=32)
    for lr, kw in (
        (2.0, dict(optimizer=Optimizer(0.9))),
        (1.6, dict(optimizer=Optimizer(0.9, True))),
    ):
        e = run_descent(table, [lr], 300, **kw).errors[0]
        assert diagnose_run(e, lr, th, np.zeros(3), **kw) == diagnose_optimizer_run(
            e, lr, th, np.zeros(3), **kw
        )
    code, out, _ = _cli("run", "--image", "scene", "--size", "32", "--lr", "1.6", "--epochs", "300",
                        "--momentum", "0.9", "--nesterov", "--summary")  # fmt: skip
    assert code == 0 and ",too large,151," in out and "Nesterov's momentum β = 0.9" in out


def test_momentum_verdicts_for_slow_runs_and_the_best_pair():
    _, th = _setup("scene", "unit", size=32)
    d, _ = _verdict(th.optimal_momentum_lr / th.critical_lr, momentum=th.optimal_momentum)
    k = momentum_epochs_to_target(
        th.bowl, th.optimal_momentum_lr, np.zeros(3), Optimizer(th.optimal_momentum)
    )
    assert d.verdict == "good" and f"at epoch {k};" in d.reason
    d, _ = _verdict(1e-3 / th.critical_lr, momentum=0.5)
    assert d.verdict == "too small" and "needs 27,929 epochs" in d.reason
    table, _ = _setup("scene", "unit", size=32)
    r = run_descent(table, [1e-3], 27_930, optimizer=Optimizer(0.5), keep_weights=False)
    assert run_settling(r.errors[0], th.bowl, np.zeros(3)) == 27_929
    d, _ = _verdict(0.5, schedule="exp:0.5")
    assert d.verdict == "too small" and "the steps shrank too soon" in d.reason
