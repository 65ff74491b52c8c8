"""The fastest constant rate from one start, found from the exact epoch counts.

``theory.optimal_lr = 2 / (lambda_min + lambda_max)`` is the best rate for
*any* start: it makes the slowest direction of the bowl shrink as fast as it
can. From one particular start (the zero weights, say) some directions may
hardly matter, and another rate can get close to the bottom sooner. This
module finds that rate: the one that needs the fewest epochs to settle within
1% of E* (``theory.epochs_to_target``) from ``w0``. A constant rate without
momentum shrinks every direction each epoch, so its first epoch in the band is
the epoch from which it stays there (``settling``): one count serves both.

How: after ``k`` epochs at rate ``lr`` the excess error is
``sum_i c_i (1 - lr * lambda_i) ** (2k)`` (one term per eigen-direction).
For a fixed ``k`` that is a smooth function of ``lr`` with a few valleys; its
lowest value over the stable rates ``(0, 2 / lambda_max)`` is found on a grid
and polished by golden-section search in each valley. That lowest value can
only fall as ``k`` grows (every factor is below 1), so a bisection on ``k``
finds the fewest epochs any rate can take. The rate returned is the middle of
the rates that take exactly that many, written with as few significant digits
(at least 3) as still take that many: the number shown is the number that
works when typed back. A test checks the answer against a dense brute force.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..pixels.quadratic import Quadratic
from .theory import epochs_to_target, target_excess

GRID = 1001
"""Rates tried per epoch count, in each of three spreads over the stable range (even,
crowding towards 0, crowding towards the top edge), before polishing."""


@dataclass(frozen=True)
class Fastest:
    """The fastest constant rate from a start, and the epochs it needs (1% of E*)."""

    lr: float
    epochs: int


def _terms(bowl: Quadratic, w0: NDArray[np.float64]) -> tuple[NDArray[np.float64], ...]:
    d0 = bowl.eigenvectors.T @ (np.asarray(w0, dtype=np.float64) - bowl.w_star)
    c = 0.5 * bowl.eigenvalues * d0 * d0
    keep = c > 0
    return c[keep], bowl.eigenvalues[keep]


def _log_excess(
    lrs: NDArray[np.float64], k: int, c: NDArray[np.float64], lam: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``log`` of the excess after ``k`` epochs, for each rate (logs: ``k`` may be huge)."""
    with np.errstate(divide="ignore"):
        logs = np.log(c)[None, :] + 2.0 * k * np.log(np.abs(1.0 - np.outer(lrs, lam)))
    top = logs.max(axis=1)
    gone = np.isneginf(top)  # every direction reached the bottom exactly (lr = 1 / lambda)
    safe = np.where(gone, 0.0, top)
    with np.errstate(divide="ignore"):
        return np.where(gone, -np.inf, safe + np.log(np.exp(logs - safe[:, None]).sum(axis=1)))


def _log_excess_at(x: float, k: int, c: NDArray[np.float64], lam: NDArray[np.float64]) -> float:
    """``_log_excess`` for one rate, in plain floats (a few directions: far quicker)."""
    logs = []
    for ci, li in zip(c.tolist(), lam.tolist(), strict=True):
        factor = abs(1.0 - x * li)
        if factor == 0.0:
            continue  # this direction is exactly at the bottom
        logs.append(math.log(ci) + 2.0 * k * math.log(factor))
    if not logs:
        return -math.inf
    top = max(logs)
    return top + math.log(sum(math.exp(v - top) for v in logs))


def _golden(f, lo: float, hi: float, iters: int = 80) -> float:  # type: ignore[no-untyped-def]
    """The lowest point of ``f`` on ``[lo, hi]`` (one valley), by golden-section search."""
    g = (math.sqrt(5.0) - 1.0) / 2.0
    a, b = lo, hi
    x1, x2 = b - g * (b - a), a + g * (b - a)
    f1, f2 = f(x1), f(x2)
    for _ in range(iters):
        if f1 <= f2:
            b, x2, f2 = x2, x1, f1
            x1 = b - g * (b - a)
            f1 = f(x1)
        else:
            a, x1, f1 = x1, x2, f2
            x2 = a + g * (b - a)
            f2 = f(x2)
    return x1 if f1 <= f2 else x2


def _grid(top: float, best_for_any: float) -> NDArray[np.float64]:
    """The rates tried first: even, crowding towards 0 and towards the top edge, and
    ``best_for_any`` (the best rate for any start), so the answer is never worse than it."""
    return top * np.unique(
        np.concatenate(
            (
                np.linspace(0.0, 1.0, GRID)[1:-1],
                np.geomspace(1e-9, 1.0, GRID)[:-1],
                1.0 - np.geomspace(1e-15, 1.0, GRID)[1:],
                [best_for_any / top],
            )
        )
    )


def _lowest(
    k: int,
    c: NDArray[np.float64],
    lam: NDArray[np.float64],
    grid: NDArray[np.float64],
    polish: bool = True,
) -> tuple[float, float]:
    """The rate of ``grid`` (polished: between its points too) with the lowest excess
    after ``k`` epochs, and its log excess. Unpolished, the answer can only be higher."""
    values = _log_excess(grid, k, c, lam)
    best_lr, best = float(grid[int(np.argmin(values))]), float(values.min())
    if not polish:
        return best_lr, best
    # Polish every valley of the grid (a point no higher than both neighbours).
    inner = np.flatnonzero((values[1:-1] <= values[:-2]) & (values[1:-1] <= values[2:])) + 1
    for i in inner:

        def f(x: float) -> float:
            return _log_excess_at(x, k, c, lam)

        x = _golden(f, float(grid[i - 1]), float(grid[i + 1]))
        if (fx := f(x)) < best:
            best_lr, best = x, fx
    return best_lr, best


_CACHE: dict[bytes, Fastest | None] = {}
CACHE_SIZE = 256
"""Answers kept (a bowl and a start are 13 numbers): a page or a command that judges
many runs of one image asks the same question many times."""


def fastest_rate(bowl: Quadratic, w0: NDArray[np.float64]) -> Fastest | None:
    """The constant rate that gets within 1% of E* from ``w0`` in the fewest epochs.

    ``None`` when the start is already that close (every rate takes 0 epochs).
    Answers are remembered for the last ``CACHE_SIZE`` bowls and starts.

    Examples
    --------
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> fast = fastest_rate(q, np.zeros(3))
    >>> fast.epochs, epochs_to_target(q, theory(q).optimal_lr, np.zeros(3))
    (6, 12)
    """
    w0 = np.asarray(w0, dtype=np.float64)
    key = b"".join(
        np.ascontiguousarray(a, dtype=np.float64).tobytes()
        for a in (bowl.hessian, bowl.b, bowl.w_star, [bowl.error_star], w0)
    )
    if key not in _CACHE:
        if len(_CACHE) >= CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = _search(bowl, w0)
    return _CACHE[key]


def _search(bowl: Quadratic, w0: NDArray[np.float64]) -> Fastest | None:
    c, lam = _terms(bowl, w0)
    goal = target_excess(bowl, w0)
    if c.sum() <= goal:
        return None
    top = 2.0 / float(lam.max())  # the stable rates for the directions that matter
    log_goal = math.log(goal)
    # An upper bound: what the best rate for any start needs.
    best_for_any = 2.0 / (float(lam.min()) + float(lam.max()))
    hi = epochs_to_target(bowl, best_for_any, w0)
    assert hi is not None  # that rate is stable
    grid = _grid(top, best_for_any)
    lo = 0  # epoch 0 is not close enough (checked above)
    # Bisect on the grid alone (quick; it can only overcount), then polish downwards.
    while hi - lo > 1:
        mid = (lo + hi) // 2
        reached = _lowest(mid, c, lam, grid, polish=False)[1] <= log_goal
        lo, hi = (lo, mid) if reached else (mid, hi)
    while hi > 1 and _lowest(hi - 1, c, lam, grid)[1] <= log_goal:
        hi -= 1
    lr, _ = _lowest(hi, c, lam, grid)
    # The middle of the rates that get there in ``hi`` epochs, around the best one.
    ok = _log_excess_at(lr, hi, c, lam) <= log_goal
    if not ok:  # the grid's best point did not quite reach: hi came from the upper bound
        return Fastest(best_for_any, int(hi))
    left = _edge(lr, 0.0, hi, c, lam, log_goal)
    right = _edge(lr, top, hi, c, lam, log_goal)
    for rate in (0.5 * (left + right), lr):  # the middle, unless the rates there have a gap
        for digits in range(3, 18):  # as few digits as keep the count, so it can be typed back
            short = float(f"{rate:.{digits}g}")
            if epochs_to_target(bowl, short, w0) == hi:
                return Fastest(short, int(hi))
    return Fastest(float(lr), int(epochs_to_target(bowl, lr, w0) or hi))


def _edge(
    inside: float,
    outside: float,
    k: int,
    c: NDArray[np.float64],
    lam: NDArray[np.float64],
    log_goal: float,
) -> float:
    """Where the rates that reach the goal in ``k`` epochs end, between ``inside`` and ``outside``."""
    for _ in range(60):
        mid = 0.5 * (inside + outside)
        if _log_excess_at(mid, k, c, lam) <= log_goal:
            inside = mid
        else:
            outside = mid
    return inside


__all__ = ["Fastest", "fastest_rate"]
