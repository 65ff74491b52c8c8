"""Verdicts and maps for the knobs beside the rate: momentum and a schedule.

Momentum makes the ball heavy: each step keeps a share β of the last step and
adds the new slope (PyTorch's SGD, ``dampening=0``; ``directions`` has the
recurrence). A schedule changes the rate from epoch to epoch. Both let a rate
above the plain edge rate ``2 / lambda_max`` settle, so a verdict must read
the run with its knobs:

- **Constant rate with momentum.** The run is counted exactly
  (``forecast.momentum_epochs_to_target``). It blows up, or never settles,
  when a direction's factor per epoch is at least 1: above the edge rate
  ``2(1+β)/lambda_max`` (Nesterov: ``/(1+2β)``) it is **too large**. Otherwise
  it is **good** when it needs at most ``SLOW_FACTOR`` times the epochs of the
  quicker of the fastest plain rate from this start and the theory's best pair
  (or at most ``SLOW_FLOOR`` epochs); slower, it is **too small** when the
  flattest direction is the one left at the end (the steps are short), and
  **too large** when a steeper one is (the ball swings across the valley).
- **A schedule** (with or without momentum). The run is foretold from the
  bowl (``forecast.forecast``): a blow-up, or an error that ends above its
  start, is **too large**; reaching 1% of E* within the run, as quickly as
  above, is **good**; slower or not within the run is **too small** (the rate
  shrank before the error got down).

Either way, a run whose error climbs past ``SEEN_RISE`` times its start (off
the top of the dashboard's chart) before it settles is **too large**: a
schedule that brings the rate below the edge only after the error exploded
did not save the start. Otherwise a rate above the plain edge rate that
settles is never called too large for that reason: the reason names the knob
that saved it. The suggested rate is
the best rate for the run's β (``best_rate_for``), so a learner who takes it
keeps their momentum. ``epoch_map`` counts epochs over a grid of rate × β,
for the sweep's phase diagram.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..bowl.fastest import fastest_rate
from ..bowl.forecast import direction_factors, forecast, momentum_epochs_to_target
from ..bowl.theory import Theory, critical_lr, target_excess
from ..descent.optimizer import Optimizer, step_map
from ..descent.schedules import describe, is_constant
from ..pixels.quadratic import Quadratic
from .diagnosis import (
    GOOD,
    SEEN_RISE,
    SLOW_FACTOR,
    SLOW_FLOOR,
    TOO_LARGE,
    TOO_SMALL,
    Diagnosis,
    diagnose_curve,
    diagnose_run,
    edge,
)

MAP_LIMIT = 20_000
"""``epoch_map`` counts up to this many epochs; beyond, a cell reads 'more than'."""
MAP_BLOCK = 64
"""``epoch_map`` walks this many epochs per step, from precomputed matrix powers."""
BEST_GRID = 2001
"""Rates tried by ``best_rate_for`` below the edge rate, log-spaced over six decades."""


def _g(v: float) -> str:
    return f"{v:.3g}"


def _times(r: float) -> str:
    return f"{r:.4g}×" if 0.99 < r < 1.01 else f"{r:.3g}×"


def _last_rate(v: float) -> str:
    """``of 0.000977``; a rate that fell below the smallest float is not called 0."""
    return f"of {_g(v)}" if v > 0 else "under 5e-324 (the smallest float above 0)"


def _epochs(n: int) -> str:
    return f"{n:,} epoch" + ("" if n == 1 else "s")


def _share(x: float) -> str:
    """A share of the way down: ``85.4%``, ``99.98%`` (never a rounded ``100.0%`` short of it)."""
    digits = 1 if x < 0.99 else 2 if x < 0.9999 else 4
    return f"{round(100 * x, digits):.{digits}f}%"


def knobs(optimizer: Optimizer) -> str:
    """The momentum in words: ``momentum β = 0.9`` (``Nesterov's momentum β = 0.9``)."""
    momentum, nesterov = optimizer.momentum, optimizer.nesterov
    return f"{'Nesterov' + chr(39) + 's ' if nesterov else ''}momentum β = {momentum:g}"


def root_factors(
    curvatures: ArrayLike, lr: float, optimizer: Optimizer = Optimizer()
) -> NDArray[np.float64]:
    """Each direction's factor per epoch, from its curvature: the larger root in size of
    ``z² − (1+β−u) z + β`` (Nesterov: ``z² − (1+β)(1−u) z + β(1−u)``), ``u = lr·λ``.

    The same numbers as ``forecast.direction_factors`` (the eigenvalues of its
    2 x 2 maps, a test holds them equal), for any curvatures: a slice of the bowl's.

    >>> root_factors([1.0, 4.0], 0.5).tolist(), root_factors([4.0], 0.5, Optimizer(0.25)).tolist()
    ([0.5, 1.0], [0.5])
    """
    A = step_map(np.asarray(curvatures, dtype=np.float64), lr, optimizer)
    return _largest_roots(A[..., 0, 0], A[..., 0, 1], A[..., 1, 0], A[..., 1, 1])


def _largest_roots(
    a00: NDArray[np.float64],
    a01: NDArray[np.float64],
    a10: NDArray[np.float64],
    a11: NDArray[np.float64],
) -> NDArray[np.float64]:
    """The larger root in size of each 2 x 2 map's characteristic polynomial."""
    trace, det = a00 + a11, a00 * a11 - a01 * a10
    root = np.sqrt((trace * trace - 4 * det).astype(complex))
    return np.maximum(np.abs((trace + root) / 2), np.abs((trace - root) / 2))


def best_rate_for(bowl: Quadratic, optimizer: Optimizer = Optimizer()) -> float:
    """The constant rate whose slowest direction settles fastest, for this β.

    The largest factor per epoch over the bowl's directions (``direction_factors``)
    is smallest there; flat directions (λ = 0) are left out. Without momentum it
    is ``2 / (lambda_min + lambda_max)``; at the theory's best β* it is the best
    pair's rate. Found on a log grid below the edge rate, then the middle of the
    grid rates that tie (a flat bottom for β above β*).

    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> from gdcore.bowl.theory import theory
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> th = theory(q)
    >>> round(best_rate_for(q) / th.optimal_lr, 2)
    1.0
    """
    curved = bowl.eigenvalues > 0
    top = critical_lr(float(bowl.eigenvalues[-1]), optimizer)
    rates = np.geomspace(top * 1e-6, top, BEST_GRID)[:-1]
    u = np.outer(rates, bowl.eigenvalues[curved])  # lr·λ for every rate and direction
    worst = root_factors(u, 1.0, optimizer).max(axis=1)
    low = worst.min()
    ties = np.flatnonzero(worst <= low * (1 + 1e-6) + 1e-15)
    return float(np.sqrt(rates[ties[0]] * rates[ties[-1]]))


def _edge_words(th: Theory, optimizer: Optimizer) -> str:
    plain = edge(th.critical_lr)
    if optimizer.momentum == 0:
        return f"the edge rate {plain:g}"
    return (
        f"the edge rate with {knobs(optimizer)}, {edge(th.critical_lr_for(optimizer)):g} "
        f"(plain: {plain:g})"
    )


def _saved(
    th: Theory,
    lr: float,
    optimizer: Optimizer,
    rates: NDArray[np.float64],
) -> str:
    """Which knob let a rate above the plain edge settle: '' when it is not above it."""
    if lr <= th.critical_lr:
        return ""
    momentum, schedule, warmup = optimizer.momentum, optimizer.schedule, optimizer.warmup
    ratio = _times(lr / th.critical_lr)
    widened = th.critical_lr_for(optimizer)
    if momentum > 0 and float(rates.max()) <= widened:
        return (
            f"; the rate is {ratio} the plain edge rate {edge(th.critical_lr):g}, yet it settles: "
            f"{knobs(optimizer)} saved it (the heavy ball keeps part of its last step, "
            f"which widens the edge to {edge(widened):g})"
        )
    above = np.flatnonzero(rates > widened)
    below = int(above[-1]) + 1 if above.size else 0
    by = f"; from epoch {below:,} on the rate is below the edge" if above.size else ""
    return (
        f"; the rate starts {ratio} the plain edge rate {edge(th.critical_lr):g}, yet it does not blow up: "
        f"the schedule saved it ({describe(schedule, warmup)}{by})"
        + (f", with {knobs(optimizer)} widening the edge to {edge(widened):g}" if momentum else "")
    )


def _blown_words(e: NDArray[np.float64], blown: int | None) -> str:
    """When the error passes its start and SEEN_RISE times it, as the chart shows it."""
    finite = np.where(np.isfinite(e), e, np.inf)
    rise = np.flatnonzero(finite[1:] > e[0])
    far = np.flatnonzero(finite[1:] > SEEN_RISE * e[0])
    if far.size and (not rise.size or far[0] == rise[0]):
        when = f"the error passes {SEEN_RISE:g}× its start at epoch {int(far[0]) + 1:,}"
    elif rise.size:
        when = f"the error passes its start at epoch {int(rise[0]) + 1:,}"
        if far.size:
            when += f" and {SEEN_RISE:g}× it at epoch {int(far[0]) + 1:,}"
    else:
        when = ""
    if blown is not None:
        when += f"{'; ' if when else ''}the numbers overflow at epoch {blown:,}"
    return when or "the error grows"


def _reference(th: Theory, w0: NDArray[np.float64]) -> tuple[int, str]:
    """The quicker of the fastest plain rate from this start and the theory's best pair."""
    fast = fastest_rate(th.bowl, w0)
    k_fast = max(fast.epochs, 1) if fast else 1
    said = (
        f"the fastest plain rate from this start, {fast.lr:g}, needs {_epochs(k_fast)}"
        if fast
        else ""
    )
    k_pair = momentum_epochs_to_target(
        th.bowl, th.optimal_momentum_lr, w0, Optimizer(th.optimal_momentum)
    )
    if k_pair is not None and k_pair < k_fast and th.optimal_momentum > 0:
        return max(k_pair, 1), (
            f"the theory's best pair, rate {th.optimal_momentum_lr:.4g} with momentum "
            f"β = {th.optimal_momentum:.4g}, needs {_epochs(max(k_pair, 1))}"
        )
    return k_fast, said


def _slow_kind(th: Theory, lr: float, optimizer: Optimizer, w0: NDArray[np.float64]) -> str:
    """Too small when the flattest direction that matters is the slowest, else too large."""
    d0 = th.bowl.eigenvectors.T @ (np.asarray(w0, float) - th.bowl.w_star)
    matters = 0.5 * th.bowl.eigenvalues * d0 * d0 > 0
    f = np.where(matters, direction_factors(th.bowl, lr, optimizer), -1.0)
    slowest = int(np.flatnonzero(f >= f.max() * (1 - 1e-9))[0])
    return TOO_SMALL if slowest == int(np.flatnonzero(matters)[0]) else TOO_LARGE


def diagnose_knobs(
    errors: ArrayLike,
    lr: float,
    th: Theory,
    w0: ArrayLike,
    *,
    optimizer: Optimizer = Optimizer(),
    full_batch: bool = True,
) -> Diagnosis:
    """Judge a run with momentum or a schedule (see module notes); a plain run goes to
    ``diagnosis.diagnose_run`` unchanged.

    Parameters
    ----------
    errors : array_like, shape (T+1,)
        The run's errors at epochs 0..T (NaN after a blow-up).
    lr : float
        The base rate.
    th : Theory
    w0 : array_like, shape (3,)
    optimizer : Optimizer
        The run's knobs, as ``engine.run_descent`` takes them.
    full_batch : bool
        Mini-batch runs are judged from the curve, the theory as context.

    Examples
    --------
    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> from gdcore.bowl.theory import theory
    >>> from gdcore.descent.engine import run_descent
    >>> t = pixel_table(np.eye(2) * 255, "unit")
    >>> th = theory(quadratic(t))
    >>> lr = 1.5 * th.critical_lr
    >>> e = run_descent(t, [lr], 200, optimizer=Optimizer(0.9)).errors[0]
    >>> d = diagnose_knobs(e, lr, th, np.zeros(3), optimizer=Optimizer(0.9))
    >>> d.verdict != "too large" and "saved it" in d.reason
    True
    """
    e = np.asarray(errors, dtype=np.float64)
    w = np.asarray(w0, dtype=np.float64)
    momentum, schedule, warmup = optimizer.momentum, optimizer.schedule, optimizer.warmup
    if momentum == 0 and is_constant(schedule, warmup):
        return diagnose_run(e, lr, th, w, full_batch=full_batch)
    T = len(e) - 1
    widened = th.critical_lr_for(optimizer)
    best = best_rate_for(th.bowl, optimizer)
    finite = np.isfinite(e)
    blown = int(np.argmin(finite)) if not finite.all() else None
    if not full_batch:
        curve = diagnose_curve(e, lr)
        if curve.verdict == TOO_LARGE and lr > widened:
            return Diagnosis(
                TOO_LARGE,
                f"{curve.reason[:-1]}; the rate is {_times(lr / widened)} "
                f"{_edge_words(th, optimizer)}.",
                best,
            )
        return curve
    if is_constant(schedule, warmup):
        rates = np.full(T, lr)
        k = momentum_epochs_to_target(th.bowl, lr, w, optimizer)
        settles = k is not None or th.bowl.excess(w) <= target_excess(th.bowl, w)
        if not settles:
            grows = (direction_factors(th.bowl, lr, optimizer) > 1.0).any()
            said = _blown_words(e, blown) if grows else "the weights swing for ever"
            return Diagnosis(
                TOO_LARGE,
                f"{said}: the rate {_g(lr)} is {_times(lr / widened)} "
                f"{_edge_words(th, optimizer)}, so the heavy ball's swings grow "
                "instead of settling.",
                best,
            )
    else:
        f = forecast(th.bowl, lr, T, w, optimizer=optimizer)
        rates = f.rates
        if blown is not None or f.diverged_epoch is not None or (finite[-1] and e[-1] > e[0]):
            return Diagnosis(
                TOO_LARGE,
                f"{_blown_words(e, blown)}: with {describe(schedule, warmup)}, the rate stays above "
                f"{_edge_words(th, optimizer)} for too long "
                f"({_epochs(len(f.above_edge))} above it).",
                best,
            )
        k = f.target_epoch
    k_ref, ref = _reference(th, w)
    climbed = np.flatnonzero(np.nan_to_num(e, nan=np.inf) > SEEN_RISE * e[0])
    if climbed.size:
        # It settles in the end, but the chart shows the error leave the top first:
        # the rate is too large for the start, whatever rescued it later.
        back = (
            f"; it gets within 1% of the lowest error E* at epoch {k:,}, no sooner"
            if k is not None and k <= T
            else ""
        )
        rescue = (
            f"the schedule brings the rate below {_edge_words(th, optimizer)} only "
            f"from epoch {int(np.flatnonzero(rates > widened)[-1]) + 1:,}"
            if (rates > widened).any()
            else f"the heavy ball swings far up the bowl before {knobs(optimizer)} settles it"
        )
        return Diagnosis(
            TOO_LARGE,
            f"the error passes {SEEN_RISE:g}× its start at epoch {int(climbed[0]):,} and comes "
            f"back down: {rescue}{back}; {ref}.",
            best,
        )
    saved = _saved(th, lr, optimizer, rates)
    if k is not None and k <= T:
        where = f"it gets within 1% of the lowest error E* at epoch {k:,}"
    elif k is not None:
        where = (
            f"it needs {_epochs(k)} to get within 1% of the lowest error E* (this run has {T:,})"
        )
    else:
        gap = e[0] - th.error_star
        covered = (e[0] - e[-1]) / gap if gap > 0 else 1.0
        where = (
            f"it does not get within 1% of the lowest error E* in this run: in {T:,} epochs the "
            f"error covered {_share(covered)} of the way down, and {describe(schedule, warmup)} "
            f"leaves a last rate {_last_rate(float(rates[-1]))}"
        )
    if k is not None and k <= max(SLOW_FACTOR * k_ref, SLOW_FLOOR):
        return Diagnosis(GOOD, f"{where}{saved}; {ref}.", lr)
    if k is None:
        return Diagnosis(TOO_SMALL, f"{where}; the steps shrank too soon{saved}; {ref}.", best)
    kind = _slow_kind(th, lr, optimizer, w) if is_constant(schedule, warmup) else TOO_SMALL
    why = (
        "the steps are short and the flattest direction of the valley is left crawling"
        if kind == TOO_SMALL
        else "the heavy ball swings across the steep side of the valley, each swing only a little "
        "smaller than the last"
    )
    return Diagnosis(kind, f"{where}, {round(k / k_ref):,}× longer: {why}{saved}; {ref}.", best)


@dataclass(frozen=True)
class EpochMap:
    """Epochs to get within 1% of E* over a grid of rates × momenta.

    Attributes
    ----------
    rates, momenta : ndarray
        The grid's axes.
    epochs : ndarray, shape (len(momenta), len(rates))
        The exact count, ``inf`` where the run never settles (at or above the edge),
        ``nan`` where it needs more than ``limit`` epochs.
    limit : int
    """

    rates: NDArray[np.float64]
    momenta: NDArray[np.float64]
    epochs: NDArray[np.float64]
    limit: int

    def __repr__(self) -> str:
        return (
            f"EpochMap({len(self.rates)} rates × {len(self.momenta)} momenta, up to {self.limit:,})"
        )


def epoch_map(
    bowl: Quadratic,
    rates: ArrayLike,
    momenta: ArrayLike,
    w0: ArrayLike,
    nesterov: bool = False,
    limit: int = MAP_LIMIT,
) -> EpochMap:
    """Exact epochs to 1% of E* at every rate × β, all cells at once.

    The same count as ``forecast.momentum_epochs_to_target`` (a test holds them
    equal, and equal to runs), for every cell together: each direction's
    ``(d, buf)`` goes through its 2 x 2 step map, ``MAP_BLOCK`` epochs at a time
    by matrix powers, so the cost does not depend on the image, and a cell
    stops walking once it has its count.

    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> m = epoch_map(q, [0.5, 3.0], [0.0, 0.5], np.zeros(3))
    >>> m.epochs.tolist()
    [[12.0, inf], [7.0, inf]]
    """
    lrs = np.asarray(rates, dtype=np.float64)
    betas = np.asarray(momenta, dtype=np.float64)
    w = np.asarray(w0, dtype=np.float64)
    lam = bowl.eigenvalues
    d0 = bowl.eigenvectors.T @ (w - bowl.w_star)
    scale = np.sqrt(0.5 * lam) * np.abs(d0)
    matters = scale > 0
    goal = target_excess(bowl, w)
    out = np.full((len(betas), len(lrs)), np.nan)
    if float(np.sum(scale * scale)) <= goal:
        out[:] = 0.0
        return EpochMap(lrs, betas, out, limit)
    lam_m = lam[matters]
    # One epoch maps each direction's (d, buf) by the optimizer's step map
    # [[a00, a01], [a10, a11]], for every cell (β row by β row) at once.
    by_beta = np.empty((len(betas), len(lrs), len(lam_m), 2, 2))
    for i, beta in enumerate(betas):
        by_beta[i] = step_map(
            lam_m, lrs[:, None], Optimizer(float(beta), bool(nesterov and beta > 0))
        )
    cells = by_beta.reshape(-1, len(lam_m), 2, 2)
    a00, a01, a10, a11 = cells[..., 0, 0], cells[..., 0, 1], cells[..., 1, 0], cells[..., 1, 1]
    grows = (_largest_roots(a00, a01, a10, a11) >= 1.0).any(axis=1)
    flat = out.ravel()
    flat[grows] = math.inf
    # The open cells walk MAP_BLOCK epochs at a time: the first rows of A^1 … A^MAP_BLOCK
    # give every epoch of the block from the block's start, A^MAP_BLOCK moves the state.
    live = np.flatnonzero(~grows)
    A = cells[live]
    n = min(MAP_BLOCK, limit)
    powers = np.empty((n, *A.shape))
    powers[0] = A
    for j in range(1, n):
        powers[j] = powers[j - 1] @ A
    first = powers[:, :, :, 0, :].copy()  # (epochs, cells, directions, 2): d after j+1 epochs
    jump = powers[-1]
    x = np.tile(np.sign(d0[matters]) * scale[matters], (len(live), 1))
    state = np.stack([x, np.zeros_like(x)], -1)  # (cells, directions, 2): d and buf
    done = 0
    with np.errstate(all="ignore"):
        while done < limit and live.size:
            d = first[..., 0] * state[..., 0] + first[..., 1] * state[..., 1]
            reached = (d * d).sum(axis=2) <= goal  # (epochs, cells)
            reached[limit - done :] = False
            hit = reached.any(axis=0)
            flat[live[hit]] = done + 1 + reached[:, hit].argmax(axis=0)
            keep = ~hit
            live, first, jump = live[keep], first[:, keep], jump[keep]
            state = (jump @ state[keep][..., None])[..., 0]
            done += n
    return EpochMap(lrs, betas, flat.reshape(out.shape), limit)


__all__ = ["EpochMap", "best_rate_for", "diagnose_knobs", "epoch_map", "knobs", "root_factors"]
