"""Verdicts on a run with an optimizer beside the rate: momentum, a schedule or both.

Momentum makes the ball heavy: each step keeps a share β of the last step and
adds the new slope (PyTorch's SGD, ``dampening=0``; ``directions`` has the
recurrence). A schedule changes the rate from epoch to epoch. Both let a rate
above the plain edge rate ``2 / lambda_max`` settle, so a verdict must read
the run with its optimizer:

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
settles is never called too large for that reason: the reason names what
saved it (the momentum or the schedule). The suggested rate is
the best rate for the run's β (``momentum_map.best_rate_for``), so a learner who
takes it keeps their momentum.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..bowl.fastest import fastest_rate
from ..bowl.forecast import (
    SEARCH_EPOCHS,
    direction_factors,
    forecast,
    momentum_epochs_to_target,
)
from ..bowl.settling import FIRST_TOUCH, SETTLES, run_first_touch
from ..bowl.theory import Theory, target_excess
from ..descent.optimizer import Optimizer, step_map
from ..descent.schedules import describe, is_constant
from .diagnosis import (
    GOOD,
    SEEN_RISE,
    SLOW_FACTOR,
    SLOW_FLOOR,
    TOO_LARGE,
    TOO_SMALL,
    Diagnosis,
    curve_rules_verdict,
    diagnose_plain,
)
from .momentum_map import best_rate_for, settling_beta
from .optimizer_words import (
    BARELY,
    beta_text,
    blown_words,
    edge_words,
    epochs_word,
    last_rate,
    momentum_words,
    near_one,
    rate_path,
    saved_words,
    share,
    sig3,
    times,
)


def _reference(theory: Theory, w0: NDArray[np.float64]) -> tuple[int, str]:
    """The quicker of the fastest plain rate from this start and the theory's best pair:
    its settling epoch and its name (``"the fastest plain rate from this start, 1.07"``)."""
    fast = fastest_rate(theory.bowl, w0)
    k_fast = max(fast.epochs, 1) if fast else 1
    name = f"the fastest plain rate from this start, {fast.lr:g}" if fast else ""
    k_pair = momentum_epochs_to_target(
        theory.bowl, theory.optimal_momentum_lr, w0, Optimizer(theory.optimal_momentum)
    )
    if k_pair is not None and k_pair < k_fast and theory.optimal_momentum > 0:
        return max(k_pair, 1), (
            f"the theory's best pair, rate {theory.optimal_momentum_lr:.4g} with "
            f"β = {theory.optimal_momentum:.4g}"
        )
    return k_fast, name


def _beside(k: int, k_ref: int, name: str) -> str:
    """``k`` beside the reference: ``sooner than NAME (46 epochs)``."""
    if not name:
        return ""
    how = "sooner than" if k < k_ref else "later than" if k > k_ref else "as soon as"
    return f" — {how} {name} ({epochs_word(k_ref)})"


def _touch(e: NDArray[np.float64], theory: Theory, w0: NDArray[np.float64], k: int | None) -> str:
    """The first touch of the band, when it came before the settling epoch ``k``."""
    first = run_first_touch(e, theory.bowl, w0)
    if first is None or k is None or first >= k:
        return ""
    return f" ({FIRST_TOUCH} at epoch {first:,}: it swung out of the band again)"


def _slowest(
    theory: Theory, lr: float, optimizer: Optimizer, w0: NDArray[np.float64]
) -> tuple[int, bool]:
    """The slowest direction that matters (ties: the flattest), and whether it swings
    (complex roots: the heavy ball passes the bottom again and again)."""
    d0 = theory.bowl.eigenvectors.T @ (np.asarray(w0, float) - theory.bowl.w_star)
    matters = 0.5 * theory.bowl.eigenvalues * d0 * d0 > 0
    factors = np.where(matters, direction_factors(theory.bowl, lr, optimizer), -1.0)
    slowest = int(np.flatnonzero(factors >= factors.max() * (1 - 1e-9))[0])
    A = step_map(theory.bowl.eigenvalues[slowest], lr, optimizer)
    trace, det = A[0, 0] + A[1, 1], A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0]
    return slowest, optimizer.momentum > 0 and bool(trace * trace < 4 * det)


def _slow_kind(theory: Theory, lr: float, optimizer: Optimizer, w0: NDArray[np.float64]) -> str:
    """Too small when the flattest direction that matters is the slowest and does not
    swing; too large when it swings (the momentum) or a steeper one is slowest (the rate)."""
    slowest, swings = _slowest(theory, lr, optimizer, w0)
    d0 = theory.bowl.eigenvectors.T @ (np.asarray(w0, float) - theory.bowl.w_star)
    flattest = int(np.flatnonzero(0.5 * theory.bowl.eigenvalues * d0 * d0 > 0)[0])
    return TOO_SMALL if slowest == flattest and not swings else TOO_LARGE


def _swing_words(theory: Theory, lr: float, optimizer: Optimizer, w0: NDArray[np.float64]) -> str:
    """Why a run with β close to 1 does not settle: it swings and barely damps; which β would."""
    momentum, nesterov = optimizer.momentum, optimizer.nesterov
    keep = float(direction_factors(theory.bowl, lr, optimizer).max())
    kept = (
        f"keeps {near_one(keep)} of the last"
        if keep < 1
        else "keeps all of the last (β is so close to 1 that, in floats, nothing is lost)"
    )
    other = settling_beta(theory, lr, w0, nesterov)
    instead = (
        f"; at this rate β = {beta_text(other[0])} settles it soonest, at epoch {other[1]:,}"
        if other is not None and other[0] != momentum
        else ""
    )
    how = "barely damps" if keep >= BARELY else "damps slowly"
    return (
        f"the heavy ball swings through the bottom and {how}: with "
        f"{momentum_words(optimizer)} each swing {kept}{instead}"
    )


def diagnose_optimizer_run(
    errors: ArrayLike,
    lr: float,
    theory: Theory,
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
    theory : Theory
    w0 : array_like, shape (3,)
    optimizer : Optimizer
        The run's momentum, Nesterov, schedule and warm-up, as ``engine.run_descent`` takes them.
    full_batch : bool
        Mini-batch runs are judged from the curve, the theory as context.

    Examples
    --------
    >>> t = pixel_table(np.eye(2) * 255, "unit")
    >>> theory = theory(quadratic(t))
    >>> lr = 1.5 * theory.critical_lr
    >>> e = run_descent(t, [lr], 200, optimizer=Optimizer(0.9)).errors[0]
    >>> d = diagnose_optimizer_run(e, lr, theory, np.zeros(3), optimizer=Optimizer(0.9))
    >>> d.verdict != "too large" and "saved it" in d.reason
    True
    """
    e = np.asarray(errors, dtype=np.float64)
    w = np.asarray(w0, dtype=np.float64)
    opt = optimizer
    momentum, schedule, warmup = opt.momentum, opt.schedule, opt.warmup
    if momentum == 0 and is_constant(schedule, warmup):
        return diagnose_plain(e, lr, theory, w, full_batch=full_batch)
    T = len(e) - 1
    widened = theory.critical_lr_for(opt)
    best = best_rate_for(theory.bowl, opt)
    finite = np.isfinite(e)
    blown = int(np.argmin(finite)) if not finite.all() else None
    if not full_batch:
        curve = curve_rules_verdict(e, lr)
        if curve.verdict == TOO_LARGE and lr > widened:
            return Diagnosis(
                TOO_LARGE,
                f"{curve.reason[:-1]}; the rate is {times(lr / widened)} {edge_words(theory, opt)}.",
                best,
            )
        return curve
    constant = is_constant(schedule, warmup)
    if constant:
        rates = np.full(T, lr)
        k = momentum_epochs_to_target(theory.bowl, lr, w, opt)
        settles = k is not None or theory.bowl.excess(w) <= target_excess(theory.bowl, w)
        grows = bool((direction_factors(theory.bowl, lr, opt) >= 1.0).any())
        if not settles and lr < widened:
            # Below the edge, yet no count: β so close to 1 that the swings barely shrink
            # (or, in floats, do not shrink at all).
            return Diagnosis(
                TOO_LARGE,
                f"{_swing_words(theory, lr, opt, w)}; it does not settle within 1% "
                f"of the lowest error E* in {SEARCH_EPOCHS:,} epochs (at epoch {T:,} the error is "
                f"{sig3(float(e[-1]))}, E* is {sig3(theory.error_star)}).",
                best,
            )
        if not settles:
            said = blown_words(e, blown) if grows else "the weights swing for ever"
            return Diagnosis(
                TOO_LARGE,
                f"{said}: the rate {sig3(lr)} is {times(lr / widened)} "
                f"{edge_words(theory, opt)}, so the heavy ball's swings "
                + ("grow instead of settling." if grows else "never shrink."),
                best,
            )
    else:
        told = forecast(theory.bowl, lr, T, w, optimizer=opt)
        rates = told.rates
        if blown is not None or told.diverged_epoch is not None or (finite[-1] and e[-1] > e[0]):
            return Diagnosis(
                TOO_LARGE,
                f"{blown_words(e, blown)}: with {describe(schedule, warmup)}, the rate stays above "
                f"{edge_words(theory, opt)} for too long "
                f"({epochs_word(len(told.above_edge))} above it; {rate_path(rates, widened)}).",
                best,
            )
        k = told.settle_epoch
    k_ref, ref_name = _reference(theory, w)
    ref = f"{ref_name} needs {epochs_word(k_ref)}" if ref_name else ""
    touch = _touch(e, theory, w, k)
    climbed = np.flatnonzero(np.nan_to_num(e, nan=np.inf) > SEEN_RISE * e[0])
    if climbed.size:
        # It settles in the end, but the chart shows the error leave the top first:
        # too large at the start, whatever rescued it later; the reason says both.
        peak = int(np.argmax(np.nan_to_num(e, nan=np.inf)))
        spike = (
            f"the error spikes to {times(float(e[peak] / e[0]))} its start at epoch {peak:,} "
            f"(past {SEEN_RISE:g}× from epoch {int(climbed[0]):,})"
        )
        if (rates > widened).any():
            saver = "the schedule"
            rescue = (
                f"{rate_path(rates, widened)}: from epoch "
                f"{int(np.flatnonzero(rates > widened)[-1]) + 1:,} on it is below "
                f"{edge_words(theory, opt)}"
            )
        else:
            saver = momentum_words(opt) if constant else "the schedule"
            rescue = (
                f"the heavy ball swings far up the bowl before {momentum_words(opt)} settles it"
            )
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
    saved = saved_words(theory, opt, rates)
    if k is not None and k <= T:
        where = f"it {SETTLES} at epoch {k:,}{touch}"
    elif k is not None:
        where = (
            f"it needs {epochs_word(k)} to get within 1% of the lowest error E* and stay there "
            f"(this run has {T:,})"
        )
    else:
        gap = e[0] - theory.error_star
        covered = (e[0] - e[-1]) / gap if gap > 0 else 1.0
        where = (
            f"it does not settle within 1% of the lowest error E* in this run: in {T:,} epochs "
            f"the error covered {share(covered)} of the way down, and {describe(schedule, warmup)} "
            f"leaves a last rate {last_rate(float(rates[-1]))}"
        )
    if k is not None and k <= max(SLOW_FACTOR * k_ref, SLOW_FLOOR):
        return Diagnosis(GOOD, f"{where}{saved}; {ref}.", lr)
    if k is None:
        return Diagnosis(TOO_SMALL, f"{where}; the steps shrank too soon{saved}; {ref}.", best)
    kind = _slow_kind(theory, lr, opt, w) if constant else TOO_SMALL
    if kind == TOO_LARGE and constant and _slowest(theory, lr, opt, w)[1]:
        why = _swing_words(theory, lr, opt, w)
    elif kind == TOO_SMALL:
        why = "the steps are short and the flattest direction of the valley is left crawling"
    else:
        why = (
            "the heavy ball swings across the steep side of the valley, each swing only a "
            "little smaller than the last"
        )
    return Diagnosis(kind, f"{where}, {round(k / k_ref):,}× longer: {why}{saved}; {ref}.", best)


__all__ = ["diagnose_optimizer_run"]
