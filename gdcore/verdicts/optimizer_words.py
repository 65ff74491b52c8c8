"""The words of a verdict on a run with an optimizer: numbers, the rate's path, what saved it.

Every number is written with the digits that tell it apart (a β of 0.9999999 is never a
rounded 1, a factor below 1 never ``100.0000%``); every phrase reads its numbers off the
run or the bowl it is given. ``optimizer_verdict`` puts them together.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..bowl.theory import Theory
from ..descent.optimizer import Optimizer
from ..descent.schedules import describe, is_constant
from .diagnosis import SEEN_RISE, edge


def sig3(v: float) -> str:
    """A number with 3 significant digits."""
    return f"{v:.3g}"


def times(r: float) -> str:
    """A ratio as ``1.5×``; near 1 with a digit more, so ``1.004×`` is not written ``1×``."""
    return f"{r:.4g}×" if 0.99 < r < 1.01 else f"{r:.3g}×"


def last_rate(v: float) -> str:
    """``of 0.000977``; a rate that fell below the smallest float is not called 0."""
    return f"of {sig3(v)}" if v > 0 else "under 5e-324 (the smallest float above 0)"


def epochs_word(n: int) -> str:
    """``1 epoch``, ``1,200 epochs``."""
    return f"{n:,} epoch" + ("" if n == 1 else "s")


def share(x: float) -> str:
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


def momentum_words(optimizer: Optimizer) -> str:
    """The momentum in words: ``momentum β = 0.9`` (``Nesterov's momentum β = 0.9``), β with
    the digits that tell it apart (``beta_text``)."""
    momentum, nesterov = optimizer.momentum, optimizer.nesterov
    return f"{'Nesterov' + chr(39) + 's ' if nesterov else ''}momentum β = {beta_text(momentum)}"


def edge_words(theory: Theory, optimizer: Optimizer) -> str:
    """The edge rate in words: plain, or widened by the momentum with the plain one beside it."""
    plain = edge(theory.critical_lr)
    if optimizer.momentum == 0:
        return f"the edge rate {plain:g}"
    return (
        f"the edge rate with {momentum_words(optimizer)}, {edge(theory.critical_lr_for(optimizer)):g} "
        f"(plain: {plain:g})"
    )


def rate_path(rates: NDArray[np.float64], edge_rate: float) -> str:
    """How the rate moves over the run, read off its own epochs: start, peak, end, and
    the epochs above ``edge_rate`` (a warm-up starts low: the start is its first epoch)."""
    start, top, end = float(rates[0]), float(rates.max()), float(rates[-1])
    k_top = int(np.argmax(rates))
    text = f"the rate starts at {sig3(start)}"
    if top > start:
        text += f", peaks at {sig3(top)} at epoch {k_top:,}"
    text += f" and ends at {sig3(end)}"
    above = np.flatnonzero(rates > edge_rate)
    if above.size:
        span = (
            f"epoch {int(above[0]):,}"
            if above.size == 1
            else f"epochs {int(above[0]):,} to {int(above[-1]):,}"
        )
        text += f"; it is above the edge {edge(edge_rate):g} at {span}"
    return text


def saved_words(theory: Theory, optimizer: Optimizer, rates: NDArray[np.float64]) -> str:
    """What (the momentum or the schedule) let a rate above the plain edge settle: '' when no epoch's rate is above it."""
    top = float(rates.max())
    if top <= theory.critical_lr:
        return ""
    momentum, schedule, warmup = optimizer.momentum, optimizer.schedule, optimizer.warmup
    widened = theory.critical_lr_for(optimizer)
    if is_constant(schedule, warmup):
        return (
            f"; the rate is {times(top / theory.critical_lr)} the plain edge rate "
            f"{edge(theory.critical_lr):g}, yet it settles: {momentum_words(optimizer)} saved it (the "
            f"heavy ball keeps part of its last step, which widens the edge to {edge(widened):g})"
        )
    above = np.flatnonzero(rates > widened)
    by = f"; from epoch {int(above[-1]) + 1:,} on the rate is below the edge" if above.size else ""
    return (
        f"; with {describe(schedule, warmup)}, {rate_path(rates, theory.critical_lr)} (the plain "
        f"edge rate), yet it does not blow up: the schedule saved it{by}"
        + (
            f", with {momentum_words(optimizer)} widening the edge to {edge(widened):g}"
            if momentum and widened > theory.critical_lr
            else ""
        )
    )


def blown_words(e: NDArray[np.float64], blown: int | None) -> str:
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


BARELY = 0.99
"""A swing that keeps at least 99% of the last one barely damps."""


__all__ = [
    "BARELY",
    "beta_text",
    "blown_words",
    "edge_words",
    "epochs_word",
    "last_rate",
    "momentum_words",
    "near_one",
    "rate_path",
    "saved_words",
    "share",
    "sig3",
    "times",
]
