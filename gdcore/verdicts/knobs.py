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
from ..bowl.forecast import (
    SEARCH_EPOCHS,
    direction_factors,
    forecast,
    momentum_epochs_grid,
    momentum_epochs_to_target,
)
from ..bowl.settling import FIRST_TOUCH, SETTLES, run_first_touch
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
    diagnose_plain,
    edge,
)

MAP_LIMIT = 20_000
"""``epoch_map`` counts up to this many epochs; beyond, a cell reads 'more than'."""
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


def beta_text(momentum: float) -> str:
    """β with the digits that tell it apart: the shortest text that reads back as the same
    number, so 0.9999999999999999 is never written as a rounded 1.

    >>> beta_text(0.9), beta_text(0.9999999), beta_text(0.9999999999999999), beta_text(0.0)
    ('0.9', '0.9999999', '0.9999999999999999', '0')
    """
    text = repr(float(momentum))
    return text[:-2] if text.endswith(".0") else text


def near_one(factor: float) -> str:
    """A factor per epoch with the digits that tell it from 1: ``0.949``, ``0.9995``,
    ``0.99999995`` (never a rounded ``1`` or ``100.0000%`` for a factor below 1).

    >>> near_one(0.94868), near_one(0.99949987), near_one(0.9999999499999999)
    ('0.949', '0.9995', '0.99999995')
    """
    gap = 1.0 - factor
    for digits in range(3, 18):
        text = f"{factor:.{digits}g}"
        if gap <= 0 or abs(float(text) - factor) <= 0.01 * gap:
            return text
    return repr(factor)


def knobs(optimizer: Optimizer) -> str:
    """The momentum in words: ``momentum β = 0.9`` (``Nesterov's momentum β = 0.9``), β with
    the digits that tell it apart (``beta_text``)."""
    momentum, nesterov = optimizer.momentum, optimizer.nesterov
    return f"{'Nesterov' + chr(39) + 's ' if nesterov else ''}momentum β = {beta_text(momentum)}"


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


def _rate_path(rates: NDArray[np.float64], edge_rate: float) -> str:
    """How the rate moves over the run, read off its own epochs: start, peak, end, and
    the epochs above ``edge_rate`` (a warm-up starts low: the start is its first epoch)."""
    start, top, end = float(rates[0]), float(rates.max()), float(rates[-1])
    k_top = int(np.argmax(rates))
    text = f"the rate starts at {_g(start)}"
    if top > start:
        text += f", peaks at {_g(top)} at epoch {k_top:,}"
    text += f" and ends at {_g(end)}"
    above = np.flatnonzero(rates > edge_rate)
    if above.size:
        span = (
            f"epoch {int(above[0]):,}"
            if above.size == 1
            else f"epochs {int(above[0]):,} to {int(above[-1]):,}"
        )
        text += f"; it is above the edge {edge(edge_rate):g} at {span}"
    return text


def _saved(th: Theory, optimizer: Optimizer, rates: NDArray[np.float64]) -> str:
    """Which knob let a rate above the plain edge settle: '' when no epoch's rate is above it."""
    top = float(rates.max())
    if top <= th.critical_lr:
        return ""
    momentum, schedule, warmup = optimizer.momentum, optimizer.schedule, optimizer.warmup
    widened = th.critical_lr_for(optimizer)
    if is_constant(schedule, warmup):
        return (
            f"; the rate is {_times(top / th.critical_lr)} the plain edge rate "
            f"{edge(th.critical_lr):g}, yet it settles: {knobs(optimizer)} saved it (the "
            f"heavy ball keeps part of its last step, which widens the edge to {edge(widened):g})"
        )
    above = np.flatnonzero(rates > widened)
    by = f"; from epoch {int(above[-1]) + 1:,} on the rate is below the edge" if above.size else ""
    return (
        f"; with {describe(schedule, warmup)}, {_rate_path(rates, th.critical_lr)} (the plain "
        f"edge rate), yet it does not blow up: the schedule saved it{by}"
        + (
            f", with {knobs(optimizer)} widening the edge to {edge(widened):g}"
            if momentum and widened > th.critical_lr
            else ""
        )
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
    """The quicker of the fastest plain rate from this start and the theory's best pair:
    its settling epoch and its name (``"the fastest plain rate from this start, 1.07"``)."""
    fast = fastest_rate(th.bowl, w0)
    k_fast = max(fast.epochs, 1) if fast else 1
    name = f"the fastest plain rate from this start, {fast.lr:g}" if fast else ""
    k_pair = momentum_epochs_to_target(
        th.bowl, th.optimal_momentum_lr, w0, Optimizer(th.optimal_momentum)
    )
    if k_pair is not None and k_pair < k_fast and th.optimal_momentum > 0:
        return max(k_pair, 1), (
            f"the theory's best pair, rate {th.optimal_momentum_lr:.4g} with "
            f"β = {th.optimal_momentum:.4g}"
        )
    return k_fast, name


def _beside(k: int, k_ref: int, name: str) -> str:
    """``k`` beside the reference: ``sooner than NAME (46 epochs)``."""
    if not name:
        return ""
    how = "sooner than" if k < k_ref else "later than" if k > k_ref else "as soon as"
    return f" — {how} {name} ({_epochs(k_ref)})"


def _touch(e: NDArray[np.float64], th: Theory, w0: NDArray[np.float64], k: int | None) -> str:
    """The first touch of the band, when it came before the settling epoch ``k``."""
    first = run_first_touch(e, th.bowl, w0)
    if first is None or k is None or first >= k:
        return ""
    return f" ({FIRST_TOUCH} at epoch {first:,}: it swung out of the band again)"


def _slowest(
    th: Theory, lr: float, optimizer: Optimizer, w0: NDArray[np.float64]
) -> tuple[int, bool]:
    """The slowest direction that matters (ties: the flattest), and whether it swings
    (complex roots: the heavy ball passes the bottom again and again)."""
    d0 = th.bowl.eigenvectors.T @ (np.asarray(w0, float) - th.bowl.w_star)
    matters = 0.5 * th.bowl.eigenvalues * d0 * d0 > 0
    f = np.where(matters, direction_factors(th.bowl, lr, optimizer), -1.0)
    slowest = int(np.flatnonzero(f >= f.max() * (1 - 1e-9))[0])
    A = step_map(th.bowl.eigenvalues[slowest], lr, optimizer)
    trace, det = A[0, 0] + A[1, 1], A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0]
    return slowest, optimizer.momentum > 0 and bool(trace * trace < 4 * det)


def _slow_kind(th: Theory, lr: float, optimizer: Optimizer, w0: NDArray[np.float64]) -> str:
    """Too small when the flattest direction that matters is the slowest and does not
    swing; too large when it swings (the momentum) or a steeper one is slowest (the rate)."""
    slowest, swings = _slowest(th, lr, optimizer, w0)
    d0 = th.bowl.eigenvectors.T @ (np.asarray(w0, float) - th.bowl.w_star)
    flattest = int(np.flatnonzero(0.5 * th.bowl.eigenvalues * d0 * d0 > 0)[0])
    return TOO_SMALL if slowest == flattest and not swings else TOO_LARGE


BARELY = 0.99
"""A swing that keeps at least 99% of the last one barely damps."""

NICE_MOMENTA = tuple(
    sorted(
        {round(0.1 * m, 1) for m in range(10)}
        | {float(f"{1 - m * 10.0**-d:.{d + 1}f}") for d in range(2, 8) for m in (5, 2, 1)}
    )
)
"""The momenta a swinging run's verdict tries at its rate: 0, 0.1, … 0.9, 0.95, 0.98, 0.99, … 0.9999999."""


def settling_beta(
    th: Theory, lr: float, w0: ArrayLike, nesterov: bool = False, limit: int = 100_000
) -> tuple[float, int] | None:
    """The momentum from ``NICE_MOMENTA`` that settles a constant ``lr`` soonest, and its epoch.

    ``None`` when none of them settles within ``limit`` epochs (the rate is above
    every one's edge). Counted exactly (``forecast.momentum_epochs_grid``).

    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> from gdcore.bowl.theory import theory
    >>> th = theory(quadratic(pixel_table(np.eye(2) * 255, "unit")))
    >>> settling_beta(th, 0.5, np.zeros(3))
    (0.4, 7)
    """
    betas = np.array(NICE_MOMENTA[1:] if nesterov else NICE_MOMENTA)
    counts = momentum_epochs_grid(th.bowl, [lr], betas, np.asarray(w0, float), nesterov, limit)[
        :, 0
    ]
    ok = np.flatnonzero(counts >= 0)
    if not ok.size:
        return None
    i = int(ok[np.argmin(counts[ok])])
    return float(betas[i]), int(counts[i])


def _swing_words(th: Theory, lr: float, optimizer: Optimizer, w0: NDArray[np.float64]) -> str:
    """Why a run with β close to 1 does not settle: it swings and barely damps; which β would."""
    momentum, nesterov = optimizer.momentum, optimizer.nesterov
    keep = float(direction_factors(th.bowl, lr, optimizer).max())
    kept = (
        f"keeps {near_one(keep)} of the last"
        if keep < 1
        else "keeps all of the last (β is so close to 1 that, in floats, nothing is lost)"
    )
    other = settling_beta(th, lr, w0, nesterov)
    instead = (
        f"; at this rate β = {beta_text(other[0])} settles it soonest, at epoch {other[1]:,}"
        if other is not None and other[0] != momentum
        else ""
    )
    how = "barely damps" if keep >= BARELY else "damps slowly"
    return (
        f"the heavy ball swings through the bottom and {how}: with "
        f"{knobs(optimizer)} each swing {kept}{instead}"
    )


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
    ``diagnosis.diagnose_plain`` unchanged.

    The reason tells the whole run: what the start did (the rate of epoch 0 against the
    edge, a spike off the chart) and how it ended (the settling epoch, beside the quicker
    of the fastest plain rate and the best pair), each number read off this run.

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
    opt = optimizer
    momentum, schedule, warmup = opt.momentum, opt.schedule, opt.warmup
    if momentum == 0 and is_constant(schedule, warmup):
        return diagnose_plain(e, lr, th, w, full_batch=full_batch)
    T = len(e) - 1
    widened = th.critical_lr_for(opt)
    best = best_rate_for(th.bowl, opt)
    finite = np.isfinite(e)
    blown = int(np.argmin(finite)) if not finite.all() else None
    if not full_batch:
        curve = diagnose_curve(e, lr)
        if curve.verdict == TOO_LARGE and lr > widened:
            return Diagnosis(
                TOO_LARGE,
                f"{curve.reason[:-1]}; the rate is {_times(lr / widened)} {_edge_words(th, opt)}.",
                best,
            )
        return curve
    constant = is_constant(schedule, warmup)
    if constant:
        rates = np.full(T, lr)
        k = momentum_epochs_to_target(th.bowl, lr, w, opt)
        settles = k is not None or th.bowl.excess(w) <= target_excess(th.bowl, w)
        grows = bool((direction_factors(th.bowl, lr, opt) >= 1.0).any())
        if not settles and lr < widened:
            # Below the edge, yet no count: β so close to 1 that the swings barely shrink
            # (or, in floats, do not shrink at all).
            return Diagnosis(
                TOO_LARGE,
                f"{_swing_words(th, lr, opt, w)}; it does not settle within 1% "
                f"of the lowest error E* in {SEARCH_EPOCHS:,} epochs (at epoch {T:,} the error is "
                f"{_g(float(e[-1]))}, E* is {_g(th.error_star)}).",
                best,
            )
        if not settles:
            said = _blown_words(e, blown) if grows else "the weights swing for ever"
            return Diagnosis(
                TOO_LARGE,
                f"{said}: the rate {_g(lr)} is {_times(lr / widened)} "
                f"{_edge_words(th, opt)}, so the heavy ball's swings "
                + ("grow instead of settling." if grows else "never shrink."),
                best,
            )
    else:
        f = forecast(th.bowl, lr, T, w, optimizer=opt)
        rates = f.rates
        if blown is not None or f.diverged_epoch is not None or (finite[-1] and e[-1] > e[0]):
            return Diagnosis(
                TOO_LARGE,
                f"{_blown_words(e, blown)}: with {describe(schedule, warmup)}, the rate stays above "
                f"{_edge_words(th, opt)} for too long "
                f"({_epochs(len(f.above_edge))} above it; {_rate_path(rates, widened)}).",
                best,
            )
        k = f.settle_epoch
    k_ref, ref_name = _reference(th, w)
    ref = f"{ref_name} needs {_epochs(k_ref)}" if ref_name else ""
    touch = _touch(e, th, w, k)
    climbed = np.flatnonzero(np.nan_to_num(e, nan=np.inf) > SEEN_RISE * e[0])
    if climbed.size:
        # It settles in the end, but the chart shows the error leave the top first:
        # too large at the start, whatever rescued it later; the reason says both.
        peak = int(np.argmax(np.nan_to_num(e, nan=np.inf)))
        spike = (
            f"the error spikes to {_times(float(e[peak] / e[0]))} its start at epoch {peak:,} "
            f"(past {SEEN_RISE:g}× from epoch {int(climbed[0]):,})"
        )
        if (rates > widened).any():
            saver = "the schedule"
            rescue = (
                f"{_rate_path(rates, widened)}: from epoch "
                f"{int(np.flatnonzero(rates > widened)[-1]) + 1:,} on it is below "
                f"{_edge_words(th, opt)}"
            )
        else:
            saver = knobs(opt) if constant else "the schedule"
            rescue = f"the heavy ball swings far up the bowl before {knobs(opt)} settles it"
        end = (
            f"then it {SETTLES} at epoch {k:,}{touch}{_beside(k, k_ref, ref_name)}"
            if k is not None and k <= T
            else "then it comes back down, but does not settle within 1% of the lowest error "
            f"E* in this run ({T:,} epochs)"
        )
        return Diagnosis(
            TOO_LARGE,
            f"too large at the start, saved by {saver}: {spike}; {rescue}; {end}.",
            best,
        )
    saved = _saved(th, opt, rates)
    if k is not None and k <= T:
        where = f"it {SETTLES} at epoch {k:,}{touch}"
    elif k is not None:
        where = (
            f"it needs {_epochs(k)} to get within 1% of the lowest error E* and stay there "
            f"(this run has {T:,})"
        )
    else:
        gap = e[0] - th.error_star
        covered = (e[0] - e[-1]) / gap if gap > 0 else 1.0
        where = (
            f"it does not settle within 1% of the lowest error E* in this run: in {T:,} epochs "
            f"the error covered {_share(covered)} of the way down, and {describe(schedule, warmup)} "
            f"leaves a last rate {_last_rate(float(rates[-1]))}"
        )
    if k is not None and k <= max(SLOW_FACTOR * k_ref, SLOW_FLOOR):
        return Diagnosis(GOOD, f"{where}{saved}; {ref}.", lr)
    if k is None:
        return Diagnosis(TOO_SMALL, f"{where}; the steps shrank too soon{saved}; {ref}.", best)
    kind = _slow_kind(th, lr, opt, w) if constant else TOO_SMALL
    if kind == TOO_LARGE and constant and _slowest(th, lr, opt, w)[1]:
        why = _swing_words(th, lr, opt, w)
    elif kind == TOO_SMALL:
        why = "the steps are short and the flattest direction of the valley is left crawling"
    else:
        why = (
            "the heavy ball swings across the steep side of the valley, each swing only a "
            "little smaller than the last"
        )
    return Diagnosis(kind, f"{where}, {round(k / k_ref):,}× longer: {why}{saved}; {ref}.", best)


@dataclass(frozen=True)
class EpochMap:
    """The settling epoch (within 1% of E* for good) over a grid of rates × momenta.

    Attributes
    ----------
    rates, momenta : ndarray
        The grid's axes.
    epochs : ndarray, shape (len(momenta), len(rates))
        The exact epoch from which the error stays within 1% of E* for ever
        (``bowl.settling``), ``inf`` where the run never settles (at or above the
        edge), ``nan`` where it needs more than ``limit`` epochs.
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
    """The exact settling epoch at every rate × β, all cells at once.

    ``forecast.momentum_epochs_grid``'s counts (the settling epoch for ever, equal
    to runs: a test holds them), told apart where there is none: ``inf`` when a
    direction's factor per epoch is at least 1 (``root_factors``), ``nan`` beyond
    ``limit``.

    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> m = epoch_map(q, [0.5, 3.0], [0.0, 0.5], np.zeros(3))
    >>> m.epochs.tolist()
    [[12.0, inf], [7.0, inf]]
    """
    lrs = np.asarray(rates, dtype=np.float64)
    betas = np.asarray(momenta, dtype=np.float64)
    w = np.asarray(w0, dtype=np.float64)
    counts = momentum_epochs_grid(bowl, lrs, betas, w, nesterov, limit)
    out = counts.astype(np.float64)
    if (counts == 0).all():  # the start is already close to the bottom
        return EpochMap(lrs, betas, out, limit)
    d0 = bowl.eigenvectors.T @ (w - bowl.w_star)
    lam = bowl.eigenvalues[0.5 * bowl.eigenvalues * d0 * d0 > 0]
    B, L = np.meshgrid(betas, lrs, indexing="ij")
    u = np.multiply.outer(L, lam)  # lr·λ for every cell and direction that matters
    worst = np.stack(
        [
            root_factors(u[i], 1.0, Optimizer(float(b), bool(nesterov and b > 0))).max(axis=-1)
            for i, b in enumerate(betas)
        ]
    )
    out[counts < 0] = np.where(worst >= 1.0, math.inf, math.nan)[counts < 0]
    return EpochMap(lrs, betas, out, limit)


__all__ = [
    "EpochMap",
    "beta_text",
    "best_rate_for",
    "diagnose_knobs",
    "epoch_map",
    "knobs",
    "near_one",
    "root_factors",
    "settling_beta",
]
