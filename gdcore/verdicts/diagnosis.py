"""Verdicts on a learning rate: too small, too large or good, with a reason.

From a curve alone (a learner's own numbers), the rules run in this order:

1. A value that is NaN or infinite: **too large** (the run blew up). Any
   finite value, even 1e308, is judged by what it is: the engine's own
   blow-up limit (``runs.BLOWUP_ERROR``) is for engine runs, which arrive
   here with NaN after it.
2. The error climbs more than ``RISE_TOLERANCE`` above its lowest value so far,
   and by more than ``NOISE_SHARE`` of how far it had fallen: **too large**
   (overshoot). Smaller wiggles on a falling curve, as mini-batches make, are noise,
   unless every value of the last ``TAIL_SHARE`` of the epochs stays that far above
   the lowest error: a climb that lasts is an overshoot too.
3. The error fell by less than ``MIN_DROP`` of its start: **too small**.
4. With at least ``MIN_SHAPE_POINTS`` values: if the last ``TAIL_SHARE`` of
   the epochs still lowered the lowest error so far by more than ``STILL_FALLING``
   of the total drop, the curve has not flattened: **too small** (or too few epochs).
5. Otherwise: **good**, a fall that flattens.

For a full-batch run on an image, the theory decides instead, and the curve
supplies the evidence: a rate above the critical rate ``2 / lambda_max`` (the
"edge rate") is too large even before the curve shows it (the reason says when
it will); a rate that needs more than ``SLOW_FACTOR`` times the epochs of the
fastest rate from this start (``fastest.fastest_rate``) to get close to the
bottom (``theory.target_excess``: within 1% of E* and 99% of the way down) is
too small when below that rate, and too large (the weights zig-zag) when above
it. The reasons speak the lesson's words (steps, bowl, valley, edge rate); the
symbols stay on the pages' "maths behind this". Every rate > 0 below the critical rate gets
there in the end, so a tiny rate is too small, with the count of epochs it
would need (``about 5.74e+14`` past a billion). The rules are deterministic.

A suggested next rate is always a usable rate (finite and > 0, by
``params.LR``); when scaling the rate would leave that range, there is none,
and the reason says so. Percentages never read ``-0%``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..bowl.fastest import fastest_rate
from ..bowl.settling import SETTLES
from ..bowl.theory import (
    Theory,
    epoch_error_exceeds,
    epochs_to_target,
)
from ..params import LR

TOO_SMALL, TOO_LARGE, GOOD = "too small", "too large", "good"
VERDICTS = (TOO_SMALL, GOOD, TOO_LARGE)

RISE_TOLERANCE = 0.10
"""A climb of more than 10% above the lowest error so far is an overshoot..."""
SEEN_RISE = 10.0
"""A diverging run is told by when its error passes 10 times its start, where the
dashboard's charts stop (``ui.charts.VIEW_CAP``), not by the engine's 1e150 limit."""
NOISE_SHARE = 0.25
"""...and more than 25% of the fall so far: a smaller wiggle on a falling curve is noise
(mini-batches make it), not an overshoot. The lesson's 2.0, 0.1, 5.0, 20 rises 4.9
after a fall of 1.9."""
MIN_DROP = 0.05
"""A total fall of less than 5% of the starting error is barely moving."""
MIN_SHAPE_POINTS = 5
"""Fewer values than this are too few to judge whether the curve flattened."""
TAIL_SHARE = 0.25
"""The last quarter of the epochs is where a good curve has flattened."""
STILL_FALLING = 0.10
"""If that tail still removed over 10% of the total drop, it had not flattened."""
SLOW_FACTOR = 10.0
"""A rate needing over 10x the epochs of the fastest rate from its start is far from it..."""
SLOW_FLOOR = 100
"""...unless it gets within 1% of E* in at most 100 epochs, which is good anyway."""
BARELY = 0.25
"""A too-small run that covered less than a quarter of the way down to E* "barely moves";
one that covered more is said to fall too slowly (the chart shows it falling)."""
BIG_STEP, SMALL_STEP = 10.0, 3.0
"""Suggested rate changes: a decade when far off, a factor 3 when close."""
EXACT_COUNT = 10**9
"""Epoch counts below this are written out (``573 epochs``); above, ``about 5.74e+14``."""


def _times(r: float) -> str:
    """A ratio as a learner reads it: ``3.82×``, ``1,630×``, ``1.002×`` (never a bare ``1×``)."""
    if r >= 1000:
        return f"{r:,.0f}×"
    return f"{r:.4g}×" if 0.99 < r < 1.01 else f"{r:.3g}×"


EDGE_DIGITS = 4
"""Significant digits of an edge rate wherever it is written: the verdicts, the metrics, the
charts' legends and the exercises all say 1.307 for the same rate, never 1.3 beside 1.307."""


def edge(rate: float, digits: int = EDGE_DIGITS) -> float:
    """A rate rounded down to ``digits`` significant digits, so that typed back it is
    still below the true value (the edge rate 1.30759 is shown as 1.307, not 1.308).

    >>> edge(1.30759), edge(0.000866), edge(1.30759, 3)
    (1.307, 0.000866, 1.3)
    """
    if not (math.isfinite(rate) and rate > 0):
        return rate
    scale = 10.0 ** (digits - 1 - math.floor(math.log10(rate)))
    return math.floor(rate * scale) / scale


def shown_edge(critical_lr: float, below: float | None = None, digits: int = EDGE_DIGITS) -> str:
    """The edge rate as text: rounded down (``edge``), with more digits while a rate shown
    beside it (``below``: the fastest rate, just under the edge on the raw scale) would
    not read as smaller.

    >>> shown_edge(0.000859534), shown_edge(0.000859534, below=0.0008595)
    ('0.0008595', '0.00085953')
    """
    value = edge(critical_lr, digits)
    while below is not None and value <= below and digits < 17:
        digits += 1
        value = edge(critical_lr, digits)
    return f"{value:.{digits}g}"


LESSON = {
    TOO_SMALL: "the error barely moves",
    TOO_LARGE: "the error jumps, spikes or becomes NaN",
    GOOD: "a smooth fall that flattens",
}
"""The lesson's table: what each verdict looks like on the error curve."""


def lesson_line(verdict: str, errors: ArrayLike, error_star: float | None = None) -> str:
    """The verdict's first sentence: the curve on screen, in the lesson's table words.

    The numbers behind the verdict (E*, edges, epoch counts) are the ``Diagnosis``'s
    reason, shown after this line. ``error_star`` is the lowest possible error when the
    image is known; without it, how far the curve fell is measured against its start.

    Parameters
    ----------
    verdict : str
        One of ``VERDICTS``.
    errors : array_like
        The run's errors at epochs 0..T (NaN after a blow-up).
    error_star : float, optional
        The lowest possible error E*.

    Returns
    -------
    str
        One sentence, starting with a capital letter.

    Examples
    --------
    >>> lesson_line("too small", [10.0, 9.99, 9.98], 1.0)
    'The error barely moves.'
    >>> lesson_line("good", [10.0, 3.0, 1.2, 1.0, 1.0], 1.0)
    'A smooth fall that flattens.'
    >>> lesson_line("too small", [10.0, 9.8, 9.6, 9.5, 9.4])
    'The error barely moves.'
    >>> lesson_line("too large", [10.0, 40.0, float("nan")], 1.0)
    'The error jumps up and becomes NaN: the run blew up.'
    """
    e = np.asarray(errors, dtype=np.float64)
    finite = e[np.isfinite(e)]
    if finite.size == 0:
        return "The error becomes NaN at once: the run blew up."
    low = 0.0 if error_star is None else float(error_star)  # without E*: the share of the start
    gap = e[0] - low
    covered = (e[0] - finite[-1]) / gap if gap > 0 else 1.0
    if verdict == TOO_LARGE:
        if finite.size < e.size:
            return "The error jumps up and becomes NaN: the run blew up."
        if float(finite.max()) > e[0]:
            return "The error jumps up instead of falling."
        climbs = np.diff(finite) > RISE_TOLERANCE * np.abs(finite[:-1])
        if climbs.any():
            return "The error spikes: it falls, then jumps back up."
        return "Each step jumps across the bottom, so the error falls slowly."
    if verdict == TOO_SMALL:
        if covered < BARELY:
            return "The error barely moves."
        return "The error falls smoothly but too slowly: it is still falling when the run ends."
    if verdict == GOOD:
        if e.size >= MIN_SHAPE_POINTS:
            tail = max(1, int(round(TAIL_SHARE * (e.size - 1))))
            fall = e[0] - finite[-1]
            if fall > 0 and (finite[-1 - tail] - finite[-1]) > STILL_FALLING * fall:
                return "A smooth fall, still flattening when the run ends."
        return "A smooth fall that flattens."
    raise ValueError(f"verdict must be one of {', '.join(VERDICTS)}, not {verdict!r}")


def good_rule(fastest_epochs: int | None = None, fastest_lr: float | None = None) -> str:
    """The rule a full-batch run on an image is graded by, in words and with its numbers
    (the same test ``diagnose_plain`` applies: ``SLOW_FACTOR``, ``SLOW_FLOOR``).

    ``fastest_epochs`` is how many epochs the fastest constant rate from the same start
    (``fastest_lr``) needs to settle; with it the rule names the epoch to settle by.

    >>> good_rule(46, 1.22)
    'good = the error settles within 1% of the lowest error E* (gets there and stays) by epoch 460, 10× the 46 epochs of the fastest rate from this start, 1.22 (100 epochs always count as good). A rate slower than that is too small below 1.22 and too large above it.'
    >>> good_rule()
    'good = the error settles within 1% of the lowest error E* (gets there and stays) within 10× the epochs of the fastest rate from this start (100 epochs always count as good). A rate slower than that is too small below the fastest rate and too large above it.'
    """
    if fastest_epochs is None:
        by = f"within {SLOW_FACTOR:g}× the epochs of the fastest rate from this start"
    else:
        by = (
            f"by epoch {max(int(SLOW_FACTOR * fastest_epochs), SLOW_FLOOR):,}, "
            f"{SLOW_FACTOR:g}× the {fastest_epochs:,} epochs of the fastest rate from this start"
        )
    rate = f"{fastest_lr:g}" if fastest_lr is not None else "the fastest rate"
    if fastest_lr is not None and fastest_epochs is not None:
        by += f", {rate}"
    return (
        f"good = the error {SETTLES} (gets there and stays) {by} ({SLOW_FLOOR} epochs always "
        f"count as good). A rate slower than that is too small below {rate} and too large "
        "above it."
    )


def curve_rules() -> str:
    """The curve rules above as a Markdown list, with the thresholds in force."""
    return (
        "- Any NaN or infinite value: **too large** (the run blew up).\n"
        f"- A climb of more than {RISE_TOLERANCE:.0%} above the lowest error so far that is "
        f"also more than {NOISE_SHARE:.0%} of the fall so far: **too large** (overshoot). "
        "Smaller wiggles on a falling curve are noise, unless the last "
        f"{TAIL_SHARE:.0%} of the epochs all stay that far above the lowest error.\n"
        f"- A total fall of less than {MIN_DROP:.0%}: **too small**.\n"
        f"- The last {TAIL_SHARE:.0%} of the epochs still removing over {STILL_FALLING:.0%} "
        "of the fall: **too small** (it has not flattened).\n"
        "- Otherwise: **good**, a fall that flattens."
    )


@dataclass(frozen=True)
class Diagnosis:
    """A verdict, the sentence of evidence behind it and a rate to try next."""

    verdict: str
    reason: str
    suggested_lr: float | None = None

    def __str__(self) -> str:
        return f"{self.verdict}: {self.reason}"


def _fmt(v: float) -> str:
    return f"{v:.3g}"


def _count(n: int) -> str:
    """An epoch count; a Python int, possibly far beyond float range (a rate of 5e-324)."""
    return f"{n:,}" if n < EXACT_COUNT else f"about {Decimal(n):.2e}"


def _epochs(n: int) -> str:
    return f"{_count(n)} epoch" + ("" if n == 1 else "s")


def _pct(x: float, digits: int = 0) -> str:
    """``x`` as a percentage, where a tiny negative (rounding) reads 0%, never -0%."""
    return f"{round(100.0 * float(x), digits) + 0.0:.{digits}f}%"  # -0.0 + 0.0 is 0.0


def check_curve(errors: ArrayLike) -> NDArray[np.float64]:
    """Validate a learner's error values: at least two numbers, none negative."""
    try:
        arr = np.asarray(errors, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise ValueError("errors: every value must be a number.") from None
    if arr.size < 2:
        raise ValueError(f"errors: give at least two numbers, got {arr.size}.")
    neg = np.flatnonzero(arr < 0)
    if neg.size:
        raise ValueError(
            f"errors: a squared error cannot be negative, got {arr[neg[0]]:g} at epoch {neg[0]}."
        )
    return arr


def curve_rules_verdict(errors: ArrayLike, lr: float | None = None) -> Diagnosis:
    """Judge a learning rate from its error curve alone (rules 1-5 above).

    Parameters
    ----------
    errors : array_like
        Error at epochs 0, 1, 2, ...; at least two values, none negative.
    lr : float, optional
        The rate used, to turn the verdict into a suggested next rate.

    A learner's noisy log is judged by its trend first: ``which_rules.diagnose_curve``
    (``gdcore.diagnose_curve``) chooses between that and these rules.

    Examples
    --------
    >>> print(curve_rules_verdict([2.0, 0.1, 5.0, 20]))
    too large: the error rose from 0.1 to 20 between epochs 1 and 3: overshoot.
    """
    e = check_curve(errors)
    bad = np.flatnonzero(~np.isfinite(e))
    if bad.size:
        k = int(bad[0])
        what = "NaN" if np.isnan(e[k]) else "too large to represent"
        return _suggest(TOO_LARGE, f"the error became {what} at epoch {k}.", lr, 1 / BIG_STEP)
    # Differences, not multiples: 1.1 x 1.7e308 would overflow.
    low_so_far = np.minimum.accumulate(e)
    rise = e[1:] - low_so_far[:-1]
    fallen = e[0] - low_so_far[:-1]
    climbed = np.flatnonzero(
        (rise > RISE_TOLERANCE * low_so_far[:-1]) & (rise > NOISE_SHARE * fallen)
    )
    if climbed.size:
        first = int(climbed[0]) + 1
        i = int(np.argmin(e[:first]))
        j = first + int(np.argmax(e[first:]))
        return _suggest(
            TOO_LARGE,
            f"the error rose from {_fmt(e[i])} to {_fmt(e[j])} between epochs {i} and {j}: overshoot.",
            lr,
            1 / SMALL_STEP if e[j] - e[i] < e[i] else 1 / BIG_STEP,
        )
    # A climb that lasts is not noise, however small beside the fall: every value of
    # the last TAIL_SHARE of the epochs above the lowest error by over RISE_TOLERANCE.
    tail = max(1, round(TAIL_SHARE * (len(e) - 1)))
    i = int(np.argmin(e))
    if i < len(e) - tail and (e[-tail:] - e[i] > RISE_TOLERANCE * e[i]).all():
        return _suggest(
            TOO_LARGE,
            f"the error climbed back from {_fmt(e[i])} at epoch {i} to {_fmt(e[-1])} at "
            f"epoch {len(e) - 1}, and stayed up: overshoot.",
            lr,
            1 / SMALL_STEP,
        )
    start, end, n = e[0], e[-1], len(e) - 1
    if start == 0:
        return Diagnosis(GOOD, "the error is 0 from the start: nothing is left to learn.", lr)
    drop = (start - end) / start
    if drop < MIN_DROP:
        rose = _pct(-drop, 1)  # a rise under RISE_TOLERANCE counts as not moving
        if drop > 0:
            fell = f"fell only {_pct(drop, 1)} in {_epochs(n)}"
        else:
            fell = f"did not fall in {_epochs(n)}" + (
                "" if rose == "0.0%" else f" (it rose {rose})"
            )
        return _suggest(TOO_SMALL, f"the error {fell}: the steps are too tiny.", lr, BIG_STEP)
    if len(e) >= MIN_SHAPE_POINTS:
        tail = max(1, round(TAIL_SHARE * n))
        # The lowest error so far, not single values: noise in the tail is not a fall.
        share = (low_so_far[-1 - tail] - low_so_far[-1]) / (start - end)
        if share > STILL_FALLING:
            return _suggest(
                TOO_SMALL,
                f"the error is still falling steadily: the last {tail} of {n} epochs removed "
                f"{_pct(share)} of its total fall (a larger rate, or more epochs, would get further).",
                lr,
                SMALL_STEP,
            )
        last_step = (e[-1 - tail] - end) / (start - end)  # single values, for the words
        removed = (
            f"only {_pct(share)} of the fall"
            if _pct(last_step) == _pct(abs(last_step))
            else "none of it (it rose a little)"
        )
        return Diagnosis(
            GOOD,
            f"the error fell from {_fmt(start)} to {_fmt(end)} ({_pct(drop)}) and flattened: "
            f"the last {tail} of {n} epochs removed {removed}.",
            lr,
        )
    return Diagnosis(
        GOOD,
        f"the error fell from {_fmt(start)} to {_fmt(end)} ({_pct(drop)}) without rising "
        f"(only {len(e)} values: too few to see it flatten).",
        lr,
    )


def _suggest(verdict: str, reason: str, lr: float | None, factor: float) -> Diagnosis:
    """A diagnosis suggesting ``lr * factor``, if that is a usable rate (finite, > 0)."""
    if lr is None:
        return Diagnosis(verdict, reason)
    new = lr * factor
    if LR.problem(new) is None:
        return Diagnosis(verdict, reason, new)
    return Diagnosis(
        verdict,
        f"{reason[:-1]}; no next rate is suggested: {_fmt(lr)} × {factor:.3g} is not a "
        "finite rate > 0.",
    )


NARROW = (100.0, 1000)
"""A valley whose walls differ in steepness over 100× and whose fastest rate needs over
1000 epochs is called long and narrow, and the verdict says to normalize the inputs."""


def _narrow(theory: Theory, w0: NDArray[np.float64], named: bool = False) -> str:
    """The reason's ending for a long, narrow valley (the raw scale): normalize.
    ``named``: the reason already names the fastest rate and its epochs."""
    fast = fastest_rate(theory.bowl, w0)
    if fast is None or theory.condition_number <= NARROW[0] or fast.epochs <= NARROW[1]:
        return ""
    return (
        f"; the valley is long and narrow (one wall {theory.condition_number:,.0f}× steeper than the "
        "other), so even the fastest rate "
        + ("is slow" if named else f"{fast.lr:g} needs {_epochs(fast.epochs)}")
        + ": normalize the inputs (the unit or standard scale)"
    )


def _next_rate(theory: Theory, w0: NDArray[np.float64]) -> float:
    """The rate to try next on a full batch: the fastest from this start."""
    fast = fastest_rate(theory.bowl, w0)
    return theory.optimal_lr if fast is None else fast.lr


def diagnose_plain(
    errors: ArrayLike,
    lr: float,
    theory: Theory,
    w0: NDArray[np.float64],
    full_batch: bool = True,
) -> Diagnosis:
    """Judge a plain run on an image (a constant rate, no momentum), using the image's theory.

    ``errors`` are the run's errors at epochs 0..T (NaN after a blow-up).
    Mini-batch runs are judged from the curve, with the theory as context.
    ``which_rules.diagnose`` chooses between this and ``optimizer_verdict.diagnose_optimizer_run``.
    """
    e = np.asarray(errors, dtype=np.float64)
    finite = np.isfinite(e)
    blown = int(np.argmin(finite)) if not finite.all() else None
    ratio = lr / theory.critical_lr
    if not full_batch:
        crit = f"the edge rate {shown_edge(theory.critical_lr)}"
        curve = curve_rules_verdict(e, lr)
        if curve.verdict == TOO_LARGE and ratio > 1:
            return Diagnosis(
                TOO_LARGE,
                f"{curve.reason[:-1]}; the rate is {ratio:.2g}× {crit}.",
                theory.optimal_lr,
            )
        return curve
    bowl = theory.bowl
    fast = fastest_rate(bowl, w0)
    crit = f"the edge rate {shown_edge(theory.critical_lr, fast.lr if fast else None)}"
    if blown is not None or (
        epochs_to_target(bowl, lr, w0) is None
        and theory.bowl.excess(w0) > 0
        and lr * theory.lambda_max > 2
    ):
        # Said as the chart shows it: when the error passes its start and SEEN_RISE times
        # it (where the dashboard's charts stop). The engine's 1e150 limit is only where
        # the numbers stop being computed, so it comes last, if at all.
        rise = epoch_error_exceeds(bowl, lr, w0, e[0])
        far = epoch_error_exceeds(bowl, lr, w0, SEEN_RISE * e[0])
        when = f"the error passes its start at epoch {rise:,}" if rise and rise != far else ""
        if far:
            when += (
                f" and {SEEN_RISE:g}× it at epoch {far:,}"
                if when
                else f"the error passes {SEEN_RISE:g}× its start at epoch {far:,}"
            )
        if blown is not None:
            when += f"{'; ' if when else ''}the numbers overflow at epoch {blown:,}"
        return Diagnosis(
            TOO_LARGE,
            f"{when or 'the error grows'}: the rate {_fmt(lr)} is {_times(ratio)} {crit}, so "
            f"every step overshoots the bottom by more than it gains{_narrow(theory, w0)}.",
            _next_rate(theory, w0),
        )
    k_lr = epochs_to_target(bowl, lr, w0)
    if k_lr is None:
        return Diagnosis(
            TOO_LARGE, f"the rate sits exactly at {crit}: it never settles.", _next_rate(theory, w0)
        )
    # From here on the rate gets there in k_lr epochs, however many (a tiny rate: 1e300).
    where = (
        f"it {SETTLES} at epoch {_count(k_lr)}"
        if k_lr <= len(e) - 1
        else f"it needs {_epochs(k_lr)} to get within 1% of the lowest error E* and stay there (this run has {len(e) - 1:,})"
    )
    gap = e[0] - theory.error_star
    nothing = (
        f" (the start is only {_pct(gap / theory.error_star, 2)} above E*: a plane explains little of this image)"
        if theory.error_star > 0 and gap < 0.05 * theory.error_star
        else ""
    )
    if fast is None:  # every rate is there at epoch 0
        return Diagnosis(
            GOOD, f"the start is already within 1% of the lowest error E*{nothing}.", lr
        )
    k_fast = max(fast.epochs, 1)
    best = f"the fastest rate from this start, {fast.lr:g}, needs {_epochs(k_fast)}"
    narrow = _narrow(theory, w0, named=True)
    if k_lr <= max(SLOW_FACTOR * k_fast, SLOW_FLOOR):
        return Diagnosis(GOOD, f"{where}; {best}{narrow}{nothing}.", lr)
    if lr < fast.lr:
        covered = (e[0] - e[-1]) / gap if gap > 0 else 1.0
        progress = (
            f"in {len(e) - 1:,} epochs the error covered only {_pct(covered, 1)} of the way down to E*; "
            if covered < 0.9
            else ""
        )
        return Diagnosis(
            TOO_SMALL,
            f"{progress}{where}, {_count(round(Decimal(k_lr) / k_fast))}× longer than the fastest "
            f"rate from this start, {fast.lr:g} ({_epochs(k_fast)}){narrow}{nothing}.",
            fast.lr,
        )
    flip = abs(1 - lr * theory.lambda_max)
    return Diagnosis(
        TOO_LARGE,
        f"the weights zig-zag across the valley, each swing only {flip:.3f}× the last; "
        f"{where}; {best}.",
        fast.lr,
    )


__all__ = ["Diagnosis", "VERDICTS", "check_curve", "curve_rules_verdict", "diagnose_plain"]
