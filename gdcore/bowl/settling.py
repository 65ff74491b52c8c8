"""Settling: the one meaning of "gets within 1% of E*", for runs, forecasts and theory.

A run **settles** at epoch ``k`` when its error enters the band close to the
bottom (``theory.target_excess``: within 1% of E* and 99% of the way down) at
``k`` and stays in it to the end of the run. With momentum the error can dip
into the band and leave it again (the heavy ball swings through the bottom), so
the first epoch in the band is only a **first touch**; every count the project
reports is the settling epoch, and a first touch is named as such where shown.

- ``settling_epoch(excess, goal)``: for a curve of any run (the engine's, the
  textbook loop's, a forecast's): one after the last epoch above the band, or
  ``None`` when the run ends above it. ``first_touch`` is the first epoch in it.
- ``settling_walk`` (behind ``forecast.momentum_epochs_to_target`` and
  ``momentum_epochs_grid``): for a constant rate with momentum β, *for ever*, decided exactly from each eigen-direction's solution. Direction ``i``
  follows ``d(k+2) = t d(k+1) - p d(k)`` (``t``, ``p``: trace and determinant of
  its 2 x 2 map, roots ``z1``, ``z2`` with ``|z1| >= |z2| = s``, ``r = |z1|``), so

      d(k) = d(0) z1^k + b (z1^k - z2^k)/(z1 - z2),   b = d(1) - z1 d(0),

  whose size is at most the **envelope**
  ``|d(0)| r^k + |b| min((r^k + s^k)/|z1 - z2|, k r^(k-1))``, falling for good
  once ``k > 1/ln(1/r)`` (the second term) or at once (the first). The epochs are
  walked exactly (matrix powers, a block at a time); the walk stops at the first
  block end ``K`` where the envelopes' excess ``sum (envelope)^2`` is below the
  band and falling: no later epoch can leave it, so the settling epoch is one
  after the last epoch above the band before ``K``. Without momentum every
  direction shrinks each epoch, the excess falls monotonically, and the first
  touch *is* the settling epoch (``theory.epochs_to_target`` counts it).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..pixels.quadratic import Quadratic
from .theory import target_excess

SETTLES = "settles within 1% of the lowest error E*"
"""How every sentence says it (the verdicts, the command line, the pages): enters the band
and stays in it. ``FIRST_TOUCH`` names the first epoch in the band where it is worth showing."""
FIRST_TOUCH = "first touch"

BLOCK = 4096
"""Epochs walked at once by matrix powers (fewer when many pairs walk together)."""
MARGIN = 1e-9
"""The envelopes must be below the band by this share of it: rounding never decides."""


def settling_epoch(excess: ArrayLike, goal: float) -> int | None:
    """The epoch from which the curve stays within ``goal`` to its end; ``None`` if it ends above.

    Parameters
    ----------
    excess : array_like, shape (T+1,)
        ``E(k) - E*`` at epochs 0..T (NaN after a blow-up counts as above).
    goal : float
        The band (``theory.target_excess``).

    Examples
    --------
    >>> settling_epoch([5.0, 0.5, 2.0, 0.5, 0.4], 1.0), first_touch([5.0, 0.5, 2.0, 0.5, 0.4], 1.0)
    (3, 1)
    >>> print(settling_epoch([5.0, 0.5, 2.0], 1.0))
    None
    """
    outside = ~(np.asarray(excess, dtype=np.float64) <= goal)
    if outside[-1]:
        return None
    above = np.flatnonzero(outside)
    return int(above[-1]) + 1 if above.size else 0


def first_touch(excess: ArrayLike, goal: float) -> int | None:
    """The first epoch within ``goal``; ``None`` if none is. Not settling: it may leave again."""
    inside = np.asarray(excess, dtype=np.float64) <= goal
    return int(np.argmax(inside)) if inside.any() else None


def run_settling(errors: ArrayLike, bowl: Quadratic, w0: ArrayLike) -> int | None:
    """``settling_epoch`` of a run's errors on ``bowl`` started at ``w0`` (the band from both)."""
    e = np.asarray(errors, dtype=np.float64)
    return settling_epoch(e - bowl.error_star, target_excess(bowl, np.asarray(w0, float)))


def run_first_touch(errors: ArrayLike, bowl: Quadratic, w0: ArrayLike) -> int | None:
    """``first_touch`` of a run's errors on ``bowl`` started at ``w0``."""
    e = np.asarray(errors, dtype=np.float64)
    return first_touch(e - bowl.error_star, target_excess(bowl, np.asarray(w0, float)))


def _envelope(
    A: NDArray[np.float64], start: NDArray[np.float64]
) -> tuple[NDArray[np.float64], ...]:
    """Per pair and direction: ``|d(0)|``, ``|b|``, ``r``, ``s``, ``|z1 - z2|`` (module notes)."""
    roots = np.linalg.eigvals(A).astype(complex)  # (P, m, 2)
    order = np.argsort(-np.abs(roots), axis=-1)
    z = np.take_along_axis(roots, order, axis=-1)
    z1, z2 = z[..., 0], z[..., 1]
    d0 = np.broadcast_to(start, z1.shape)
    b = A[..., 0, 0] * d0 - z1 * d0  # d(1) = A00 d(0): the buffer starts at 0
    return np.abs(d0), np.abs(b), np.abs(z1), np.abs(z2), np.abs(z1 - z2)


def _bound(env: tuple[NDArray[np.float64], ...], k: int) -> NDArray[np.float64]:
    """Sum over directions of the envelope squared at epoch ``k``: no later epoch is above it."""
    a, b, r, s, gap = env
    with np.errstate(all="ignore"):
        rk, sk = r**k, s**k
        apart = np.where(gap > 0, (rk + sk) / gap, np.inf)
        jordan = k * r ** (k - 1) if k >= 1 else np.zeros_like(r)
        # k r^(k-1) falls from k > 1/ln(1/r) on; before that only the first form is used.
        falling = (r < 1) & (k * np.log(1 / np.maximum(r, 1e-300)) >= 1)
        second = np.where(falling, np.minimum(apart, jordan), apart)
        size = np.nan_to_num(a * rk + b * second, nan=np.inf)
    return (size * size).sum(axis=-1)


def settling_walk(
    A: NDArray[np.float64], start: NDArray[np.float64], goal: float, limit: int
) -> NDArray[np.int64]:
    """Settling epoch for ever of each pair's constant 2 x 2 maps, -1 beyond ``limit``.

    Parameters
    ----------
    A : ndarray, shape (P, m, 2, 2)
        One epoch's map of ``(d, lr buf)`` per pair and direction
        (``forecast.momentum_epochs_grid`` builds them); every factor below 1.
    start : ndarray, shape (m,)
        Each direction's start, scaled so that the squares add up to the excess.
    goal : float
        The band (``theory.target_excess``), below the starting excess.
    limit : int
        The largest epoch counted.
    """
    P, m = A.shape[:2]
    block = int(np.clip(2**20 // (P * m * 4), 64, BLOCK))
    powers = np.empty((block + 1, P, m, 2, 2))
    powers[0] = np.eye(2)
    powers[1] = A
    k = 1
    while k < block:  # A^(k+j) = A^k A^j
        top = min(2 * k, block)
        powers[k + 1 : top + 1] = powers[k] @ powers[1 : top - k + 1]
        k = top
    # The first row of every power acts on the start's (d, lr buf); the last power moves the state.
    p00, p01 = powers[1:, :, :, 0, 0].copy(), powers[1:, :, :, 0, 1].copy()
    last = powers[block]
    env = _envelope(A, start)
    d = np.broadcast_to(start, (P, m)).copy()
    b = np.zeros((P, m))
    found = np.full(P, -1, dtype=np.int64)
    above = np.zeros(P, dtype=np.int64)  # the last epoch above the band so far (epoch 0 is)
    active = np.arange(P)
    done = 0
    with np.errstate(all="ignore"):
        while active.size:
            ds = p00 * d + p01 * b  # d at epochs done+1 .. done+block, (block, pairs, m)
            out = ~((ds * ds).sum(axis=-1) <= goal)
            anyout = out.any(axis=0)
            lastout = done + block - np.argmax(out[::-1], axis=0)
            above = np.where(anyout, lastout, above)
            done += block
            bound = _bound(env, done)
            ok = bound <= goal * (1 - MARGIN)
            found[active[ok]] = above[ok] + 1
            d, b = (
                last[..., 0, 0] * d + last[..., 0, 1] * b,
                last[..., 1, 0] * d + last[..., 1, 1] * b,
            )
            go = ~ok & (done < limit)
            active, p00, p01, last, d, b, above = (
                active[go],
                p00[:, go],
                p01[:, go],
                last[go],
                d[go],
                b[go],
                above[go],
            )
            env = tuple(x[go] for x in env)
    found[found > limit] = -1
    return found


__all__ = [
    "FIRST_TOUCH",
    "SETTLES",
    "first_touch",
    "run_first_touch",
    "run_settling",
    "settling_epoch",
    "settling_walk",
]
