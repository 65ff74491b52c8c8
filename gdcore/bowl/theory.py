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

With momentum β (PyTorch's SGD, ``dampening=0``) each direction follows a
two-number recurrence (``directions``) whose factors are the roots of
``z^2 - (1 + β - u) z + β`` with ``u = lr lambda_i`` (Nesterov:
``z^2 - (1 + β)(1 - u) z + β(1 - u)``). Hence:

- the critical rate grows to ``2 (1 + β) / lambda_max`` (Nesterov:
  ``2 (1 + β) / ((1 + 2β) lambda_max)``): ``critical_lr_for``;
- the best pair is ``β* = ((√κ - 1)/(√κ + 1))^2`` with
  ``lr* = 4 / (√lambda_max + √lambda_min)^2``, whose factor per epoch is
  ``(√κ - 1)/(√κ + 1)`` in every direction, against ``(κ - 1)/(κ + 1)`` for
  the best plain rate (``Theory.optimal_momentum``, ``optimal_momentum_lr``,
  ``momentum_factor``); ``momentum_epochs_to_target`` counts the epochs exactly;
- a schedule's run is foretold from the bowl alone, direction by direction,
  with a cost that does not depend on the image (``forecast``), and each
  direction's own curve shows which one is slow and why (``milestones``).

>>> bowl_theory = theory(quadratic(pixel_table(np.eye(2) * 255, "unit")))
>>> from gdcore.descent.optimizer import Optimizer
>>> round(bowl_theory.critical_lr_for(Optimizer(0.9)), 4), round(bowl_theory.critical_lr_for(Optimizer(0.9, True)), 4)
(2.3853, 0.8519)
>>> round(bowl_theory.optimal_momentum, 4), round(bowl_theory.optimal_momentum_lr, 4), round(bowl_theory.momentum_factor, 4)
(0.2727, 1.4545, 0.5222)
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction
from typing import cast

import numpy as np
from numpy.typing import NDArray

from ..descent.optimizer import Optimizer, step_map
from ..pixels.quadratic import Quadratic

TARGET_FRACTION = 0.01
"""'Close to the bottom' means within 1% of E* *and* 99% of the way down from the
start: excess <= TARGET_FRACTION * min(E*, starting excess). The second part
matters when the start is already near E* (noise: a plane explains almost nothing)."""
TARGET_FLOOR = 1e-8
"""...but at least this fraction of the starting excess, so that E* = 0 is reachable."""

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
    def _lambda_low(self) -> float:
        """The smallest eigenvalue that is not 0 (a flat direction has no rate)."""
        lam = self.bowl.eigenvalues
        return float(lam[lam > 0][0])

    @property
    def momentum_factor(self) -> float:
        """``(√κ - 1)/(√κ + 1)``: the best pair's factor per epoch in every direction."""
        root = math.sqrt(self.lambda_max / self._lambda_low)
        return (root - 1.0) / (root + 1.0)

    @property
    def optimal_momentum(self) -> float:
        """``β* = ((√κ - 1)/(√κ + 1))^2``, the momentum of the best pair."""
        return self.momentum_factor**2

    @property
    def optimal_momentum_lr(self) -> float:
        """``4 / (√lambda_max + √lambda_min)^2``, the rate of the best pair."""
        return 4.0 / (math.sqrt(self.lambda_max) + math.sqrt(self._lambda_low)) ** 2

    def critical_lr_for(self, optimizer: Optimizer = Optimizer()) -> float:
        """The critical rate with the optimizer's momentum: ``2(1+β)/lambda_max`` (Nesterov:
        ``/(1+2β)`` too); its schedule is not looked at (the rate of one epoch).

        At or above it the steepest direction's factor reaches -1: the run
        never settles, and above it blows up.
        """
        return critical_lr(self.lambda_max, optimizer)

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
            "optimal_momentum": num(self.optimal_momentum),
            "optimal_momentum_lr": num(self.optimal_momentum_lr),
            "momentum_factor": num(self.momentum_factor),
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
    >>> bowl_theory = theory(quadratic(pixel_table(np.eye(2) * 255, "unit")))
    >>> round(bowl_theory.critical_lr, 6), round(bowl_theory.condition_number, 6)
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


def critical_lr(lambda_max: float, optimizer: Optimizer = Optimizer()) -> float:
    """The rate at which the steepest direction's factor reaches -1, with momentum β.

    ``2(1 + β)/lambda_max``, or with Nesterov ``2(1 + β)/((1 + 2β) lambda_max)``:
    Nesterov's look-ahead shrinks the region, momentum alone widens it.

    Read off the optimizer's own step map ``A(r)`` (``descent.optimizer.step_map``),
    so that what Nesterov means is written once: a root of -1 is where
    ``det(I + A(r)) = 0``, and that determinant is linear in the rate ``r`` (the
    rate scales one row of the map), so two of its values give the edge.

    >>> critical_lr(2.0), critical_lr(2.0, Optimizer(0.5)), critical_lr(2.0, Optimizer(0.5, True))
    (1.0, 1.5, 0.75)
    """

    def det(r: float) -> float:  # det(I + A(r)) at r = u / lambda_max
        (a, b), (c, d) = step_map(lambda_max, r, optimizer).tolist()
        return (1.0 + a) * (1.0 + d) - b * c

    unit = 1.0 / lambda_max  # u = r lambda_max = 1: both values O(1), no cancellation
    at_zero = det(0.0)
    return at_zero / (at_zero - det(unit)) * unit


def behaviour(theory: Theory, lr: float) -> str:
    """What full-batch descent at ``lr`` does from almost any start."""
    top = lr * theory.lambda_max
    if top > 2.0:
        return DIVERGES
    if top == 2.0:
        return STALLS
    return OVERSHOOT if top > 1.0 else SMOOTH


def _factors(
    bowl: Quadratic, lr: float, w0: NDArray[np.float64]
) -> tuple[list[float], list[float], list[float]]:
    """Per direction that matters: log of the squared factor, starting excess term, eigenvalue.

    ``log1p`` keeps a factor close to 1 exact: ``log(1 - 1e-13)`` written
    plainly loses three digits, and from about 1e-16 down it is 0, as if the
    rate never moved. Only a product ``lr * lambda`` that underflows to 0
    still gives 0; ``epochs_to_target`` counts that case in time instead.
    """
    d0 = bowl.eigenvectors.T @ (np.asarray(w0, dtype=np.float64) - bowl.w_star)
    c = 0.5 * bowl.eigenvalues * d0 * d0
    keep = c > 0
    lam = bowl.eigenvalues[keep]
    u = lr * lam  # the factor per epoch is 1 - u
    with np.errstate(divide="ignore"):  # a factor of exactly 0 has log -inf
        log_r = np.where(u < 1.0, np.log1p(-np.minimum(u, 1.0)), np.log(np.abs(u - 1.0)))
    return (2.0 * log_r).tolist(), c[keep].tolist(), lam.tolist()


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
    log_r2, c, _ = _factors(bowl, lr, w0)
    return _excess(log_r2, c, k)


def target_excess(bowl: Quadratic, w0: NDArray[np.float64]) -> float:
    """How far above E* counts as close to the bottom (see ``TARGET_FRACTION``)."""
    start = float(bowl.excess(w0))
    return max(TARGET_FRACTION * min(bowl.error_star, start), TARGET_FLOOR * start)


def epochs_to_target(bowl: Quadratic, lr: float, w0: NDArray[np.float64]) -> int | None:
    """First epoch close to the bottom (``target_excess``); ``None`` if never.

    Without momentum every direction shrinks each epoch, so the excess only falls:
    the first epoch in the band is the one from which the run stays in it, the
    settling epoch of ``settling`` (with momentum the two differ: ``forecast``).
    Never means that some direction that matters does not shrink:
    ``lr * lambda_i >= 2``, at or above the critical rate. Every rate > 0
    below it gets there, however slowly: each direction shrinks
    geometrically, so the excess falls monotonically and a bisection finds
    the epoch (exactly up to 2**53 epochs, to float precision beyond). There
    is no search cap. A rate so tiny that ``lr * lambda`` underflows (below
    about 1e-300) is counted in time ``s = lr * k`` instead, where the excess
    is ``sum c_i exp(-2 lambda_i s)``, and ``k = s / lr`` as an exact integer.

    Examples
    --------
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> epochs_to_target(q, 0.5, np.zeros(3))
    12
    >>> len(str(epochs_to_target(q, 5e-324, np.zeros(3))))  # about 1e324 epochs
    325
    >>> print(epochs_to_target(q, 2.0, np.zeros(3)))
    None
    """
    log_r2, c, lam = _factors(bowl, lr, w0)
    goal = target_excess(bowl, w0)
    if sum(c) <= goal:
        return 0
    if lr * max(lam) >= 2.0:
        return None
    # A bracket: each term alone must fall to the goal; all of them at goal/m is enough.
    m, terms = len(c), list(zip(c, [-lg for lg in log_r2], lam, strict=True))
    hi = max(math.log(m * ci / goal) / a if a > 0 else math.inf for ci, a, _ in terms)
    if math.isfinite(hi):
        lo = max((math.log(ci / goal) / a for ci, a, _ in terms if ci > goal), default=0.0)
        return _bisect(lambda k: _excess(log_r2, c, k) <= goal, lo, hi)
    s = _bisect_real(
        lambda s: sum(ci * math.exp(-2.0 * li * s) for ci, _, li in terms) <= goal,
        max((math.log(ci / goal) / (2.0 * li) for ci, _, li in terms if ci > goal), default=0.0),
        max(math.log(m * ci / goal) / (2.0 * li) for ci, _, li in terms),
    )
    return math.ceil(Fraction(s) / Fraction(lr))


def epoch_error_exceeds(
    bowl: Quadratic, lr: float, w0: NDArray[np.float64], level: float
) -> int | None:
    """First epoch whose error exceeds ``level``; ``None`` if it never does.

    ``E(k)`` is a sum of exponentials in ``k``, hence convex: once above a level
    that it started below, it stays above, so a bisection finds the epoch. It
    never does when no direction grows (``lr`` at most the critical rate); a
    rate just above it may take 10**17 epochs, and that is the answer.
    """
    log_r2, c, _ = _factors(bowl, lr, w0)
    goal = level - bowl.error_star
    if sum(c) > goal:
        return 0
    if max(log_r2, default=-1.0) <= 0.0:
        return None
    # Any growing term passing the goal on its own is enough: an upper bound.
    hi = min(math.log(goal / ci) / g for ci, g in zip(c, log_r2, strict=True) if g > 0)
    return _bisect(lambda k: _excess(log_r2, c, k) > goal, 0.0, hi)


def _bisect(reached: Callable[[float], bool], lo: float, hi: float) -> int:
    """First whole epoch ``k`` with ``reached(k)``, given that epoch 0 is not reached.

    ``lo`` and ``hi`` bracket it (rounding is allowed for). Floats count
    single epochs up to 2**53; beyond, the answer is as close as they can say.
    """
    lo, hi = max(math.floor(lo) - 1.0, 0.0), math.ceil(hi) + 1.0
    if reached(lo):
        lo = 0.0
    while not reached(hi):
        hi *= 2.0
    while hi - lo > 1.0:
        mid = math.floor(lo + (hi - lo) / 2.0)
        if not lo < mid < hi:
            break  # adjacent floats: as close as floats can count
        lo, hi = (lo, mid) if reached(mid) else (mid, hi)
    return int(hi)


def _bisect_real(reached: Callable[[float], bool], lo: float, hi: float) -> float:
    """The smallest ``s`` in ``[lo, hi]`` with ``reached(s)``, to float precision."""
    while not reached(hi):
        hi *= 2.0
    while True:
        mid = lo + (hi - lo) / 2.0
        if not lo < mid < hi:
            return hi
        lo, hi = (lo, mid) if reached(mid) else (mid, hi)


def three_rates(theory: Theory) -> tuple[float, float, float]:
    """A too-small, a good and a too-large rate for this image, to 3 digits.

    The lesson's "three learning rates" picture, from the theory: a hundredth of
    the best rate (it crawls), half the critical rate (a smooth fall that
    flattens) and 1.5 times the critical rate (the error explodes).

    Examples
    --------
    >>> three_rates(theory(quadratic(pixel_table(np.eye(2) * 255, "unit"))))
    (0.0114, 0.628, 1.88)
    """
    rates = (theory.optimal_lr / 100, theory.critical_lr / 2, 1.5 * theory.critical_lr)
    return cast(tuple[float, float, float], tuple(float(f"{v:.3g}") for v in rates))
