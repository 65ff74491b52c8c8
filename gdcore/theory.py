"""What the bowl of an image says about learning rates, before any run.

Full-batch descent multiplies the distance to ``w*`` along eigenvector ``i``
by ``1 - lr * lambda_i`` every epoch. Hence:

- it diverges from almost any start when ``lr > 2 / lambda_max`` (the
  critical rate): some factor is below -1;
- the weights overshoot (the factor along the steepest direction is negative,
  so they zig-zag) but still converge when ``1 / lambda_max < lr < 2 / lambda_max``;
- it converges smoothly when ``lr <= 1 / lambda_max``;
- the best constant rate ``2 / (lambda_min + lambda_max)`` makes the slowest
  factor as small as it can be: ``(kappa - 1) / (kappa + 1)`` with
  ``kappa = lambda_max / lambda_min``, the condition number.

A one-pixel-wide (or high) image makes a column constant, so a weight has no
effect on the prediction: ``H`` has a zero eigenvalue and is singular. That
direction is left out of the rates above and explained in ``explanation``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

from .quadratic import Quadratic

TARGET_FRACTION = 0.01
"""'Close to the bottom' means within 1% of E* *and* 99% of the way down from the
start: excess <= TARGET_FRACTION * min(E*, starting excess). The second part
matters when the start is already near E* (noise: a plane explains almost nothing)."""
TARGET_FLOOR = 1e-8
"""...but at least this fraction of the starting excess, so that E* = 0 is reachable."""
MAX_SEARCH_EPOCHS = 10**15

SMOOTH = "converges smoothly"
OVERSHOOT = "converges while the weights overshoot"
STALLS = "never settles: the weights bounce back and forth for ever"
DIVERGES = "diverges"


@dataclass(frozen=True)
class Theory:
    """Exact facts about one image's bowl (see the module notes)."""

    bowl: Quadratic
    lambda_min: float
    lambda_max: float
    condition_number: float
    critical_lr: float
    optimal_lr: float
    optimal_factor: float
    singular: bool
    explanation: str

    @property
    def w_star(self) -> NDArray[np.float64]:
        return self.bowl.w_star

    @property
    def error_star(self) -> float:
        return self.bowl.error_star

    def as_dict(self) -> dict:
        """The numbers, JSON-ready (``inf`` becomes ``None``)."""

        def num(v: float) -> float | None:
            return float(v) if math.isfinite(v) else None

        return {
            "lambda_min": num(self.lambda_min),
            "lambda_max": num(self.lambda_max),
            "condition_number": num(self.condition_number),
            "critical_lr": num(self.critical_lr),
            "optimal_lr": num(self.optimal_lr),
            "optimal_factor": num(self.optimal_factor),
            "w_star": [float(v) for v in self.w_star],
            "error_star": float(self.error_star),
            "singular": self.singular,
        }

    def __repr__(self) -> str:
        return (
            f"Theory(lambda=[{self.lambda_min:.4g}, {self.lambda_max:.4g}], "
            f"kappa={self.condition_number:.4g}, critical_lr={self.critical_lr:.4g}, "
            f"optimal_lr={self.optimal_lr:.4g})"
        )


def theory(bowl: Quadratic) -> Theory:
    """Rates and conditioning of a bowl.

    Examples
    --------
    >>> from gdcore.table import pixel_table
    >>> from gdcore.quadratic import quadratic
    >>> th = theory(quadratic(pixel_table(np.eye(2) * 255, "unit")))
    >>> round(th.critical_lr, 6), round(th.condition_number, 6)
    (1.255437, 10.151492)
    """
    lam = bowl.eigenvalues
    lmax = float(lam[-1])
    nonzero = lam[lam > 0]
    lmin_nz = float(nonzero[0])
    singular = bool(lam[0] == 0.0)
    kappa = lmax / lmin_nz if not singular else math.inf
    kappa_eff = lmax / lmin_nz
    return Theory(
        bowl=bowl,
        lambda_min=float(lam[0]),
        lambda_max=lmax,
        condition_number=kappa,
        critical_lr=2.0 / lmax,
        optimal_lr=2.0 / (lmin_nz + lmax),
        optimal_factor=(kappa_eff - 1.0) / (kappa_eff + 1.0),
        singular=singular,
        explanation=_explain_singular(bowl) if singular else "",
    )


def _explain_singular(bowl: Quadratic) -> str:
    flat = bowl.eigenvectors[:, bowl.eigenvalues == 0.0]
    dead = [i for i in (1, 2) if np.abs(flat[i]).max() > 0.5]
    names = {1: ("w1", "x", "one pixel wide"), 2: ("w2", "y", "one pixel high")}
    parts = [
        f"the image is {names[i][2]}, so {names[i][1]} is the same for every pixel and "
        f"{names[i][0]} has no effect on the prediction"
        for i in dead
    ]
    text = " and ".join(parts) or "a column of the pixel table is constant"
    which = (
        "Those weights keep their starting values"
        if len(dead) > 1
        else ("That weight keeps its starting value")
    )
    return (
        f"The Hessian is singular: {text}. {which}; "
        "the rates here come from the directions that do change the error, and the "
        "condition number is infinite."
    )


def behaviour(th: Theory, lr: float) -> str:
    """What full-batch descent at ``lr`` does from almost any start."""
    top = lr * th.lambda_max
    if top > 2.0:
        return DIVERGES
    if top == 2.0:
        return STALLS
    return OVERSHOOT if top > 1.0 else SMOOTH


def _factors(
    bowl: Quadratic, lr: float, w0: NDArray[np.float64]
) -> tuple[list[float], list[float]]:
    """Per-direction log of the squared factor, and starting excess term (directions that matter)."""
    d0 = bowl.eigenvectors.T @ (np.asarray(w0, dtype=np.float64) - bowl.w_star)
    c = 0.5 * bowl.eigenvalues * d0 * d0
    keep = c > 0
    with np.errstate(divide="ignore"):
        log_r2 = 2.0 * np.log(np.abs(1.0 - lr * bowl.eigenvalues[keep]))
    return log_r2.tolist(), c[keep].tolist()


def _excess(log_r2: list[float], c: list[float], k: float) -> float:
    # Plain floats: three terms are quicker this way than as arrays.
    if k == 0:
        return sum(c)
    total = 0.0
    for lg, ci in zip(log_r2, c, strict=True):
        x = k * lg
        total += ci * (math.exp(x) if x < 709.0 else math.inf)
    return total


def excess_at(bowl: Quadratic, lr: float, w0: NDArray[np.float64], k: float) -> float:
    """``E(k) - E*`` of full-batch descent, for any (even huge) epoch ``k``."""
    return _excess(*_factors(bowl, lr, w0), k)


def target_excess(bowl: Quadratic, w0: NDArray[np.float64]) -> float:
    """How far above E* counts as close to the bottom (see ``TARGET_FRACTION``)."""
    start = float(bowl.excess(w0))
    return max(TARGET_FRACTION * min(bowl.error_star, start), TARGET_FLOOR * start)


def epochs_to_target(bowl: Quadratic, lr: float, w0: NDArray[np.float64]) -> int | None:
    """First epoch close to the bottom (``target_excess``); ``None`` if never.

    Every direction that matters shrinks geometrically when ``lr`` converges,
    so the excess falls monotonically and a bisection finds the epoch.
    """
    log_r2, c = _factors(bowl, lr, w0)
    goal = target_excess(bowl, w0)
    if sum(c) <= goal:
        return 0
    if max(log_r2) >= 0.0:
        return None
    return _first_epoch(lambda k: _excess(log_r2, c, k) <= goal)


def epoch_error_exceeds(
    bowl: Quadratic, lr: float, w0: NDArray[np.float64], level: float
) -> int | None:
    """First epoch whose error exceeds ``level``; ``None`` if it never does.

    ``E(k)`` is a sum of exponentials in ``k``, hence convex: once above a level
    that it started below, it stays above, so a bisection finds the epoch.
    """
    log_r2, c = _factors(bowl, lr, w0)
    goal = level - bowl.error_star
    if sum(c) > goal:
        return 0
    if max(log_r2, default=-1.0) <= 0.0:
        return None
    return _first_epoch(lambda k: _excess(log_r2, c, k) > goal)


def _first_epoch(reached: Callable[[int], bool]) -> int | None:
    hi = 1
    while not reached(hi):
        hi *= 2
        if hi > MAX_SEARCH_EPOCHS:
            return None
    lo = hi // 2  # not reached at lo (or lo == 0, checked by the callers)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if reached(mid) else (mid, hi)
    return hi


def three_rates(th: Theory) -> tuple[float, float, float]:
    """A too-small, a good and a too-large rate for this image, to 3 digits.

    The lesson's "three learning rates" picture, from the theory: a hundredth of
    the best rate (it crawls), half the critical rate (a smooth fall that
    flattens) and 1.5 times the critical rate (the error explodes).

    Examples
    --------
    >>> from gdcore.table import pixel_table
    >>> from gdcore.quadratic import quadratic
    >>> three_rates(theory(quadratic(pixel_table(np.eye(2) * 255, "unit"))))
    (0.0114, 0.628, 1.88)
    """
    rates = (th.optimal_lr / 100, th.critical_lr / 2, 1.5 * th.critical_lr)
    return cast(tuple[float, float, float], tuple(float(f"{v:.3g}") for v in rates))
