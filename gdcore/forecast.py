"""What a run with momentum or a schedule will do, told from the bowl before it runs.

Each eigen-direction ``i`` of the bowl moves on its own (``directions``). With
a constant rate and momentum β, one epoch maps ``(d, lr * buf)`` by a 2 x 2
matrix (``u = lr lambda_i``)

    [[1 - u, -β], [u, β]]                    (heavy ball: PyTorch's default)
    [[1 - u (1 + β), -β^2], [u, β]]          (Nesterov)

whose larger root in size, the direction's **factor**, says how fast it
settles (below 1) or grows (above 1). ``momentum_epochs_to_target`` walks those
maps exactly, a block of epochs at a time (matrix powers by doubling), so the
count is the very epoch a run would show. ``forecast`` runs a schedule's
recurrence on the bowl alone (a few numbers per epoch, whatever the image) and
says whether and when it blows up, where it ends and which epochs step above
the critical rate. ``milestones`` gives each direction's own curve: Distill's
"Why Momentum Really Works" picture, for the learner's image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .directions import direction_paths
from .quadratic import Quadratic
from .runs import BLOWUP_ERROR
from .schedules import rate_factors
from .theory import critical_lr, target_excess

SEARCH_EPOCHS = 10_000_000
"""``momentum_epochs_to_target`` looks this far (about 0.5 s at most) and then says it did not find it."""
BLOCK = 4096
"""Epochs walked at once by matrix powers."""


def _maps(lam: NDArray[np.float64], lr: float, beta: float, nesterov: bool) -> NDArray[np.float64]:
    """One epoch's 2 x 2 map of ``(d, lr buf)`` per direction (see the module notes)."""
    u = lr * lam
    A = np.empty((len(lam), 2, 2))
    A[:, 0, 0] = 1.0 - u * (1.0 + beta) if nesterov else 1.0 - u
    A[:, 0, 1] = -beta * beta if nesterov else -beta
    A[:, 1, 0] = u
    A[:, 1, 1] = beta
    return A


def direction_factors(
    bowl: Quadratic, lr: float, momentum: float = 0.0, nesterov: bool = False
) -> NDArray[np.float64]:
    """Each direction's factor per epoch at a constant rate: the largest root in size.

    Without momentum it is ``|1 - lr lambda_i|``; below 1 the direction settles.

    >>> from gdcore.table import pixel_table
    >>> from gdcore.quadratic import quadratic
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> direction_factors(q, 0.5).round(4).tolist()
    [0.9215, 0.875, 0.2035]
    """
    A = _maps(bowl.eigenvalues, lr, momentum, nesterov)
    with np.errstate(all="ignore"):
        return np.abs(np.linalg.eigvals(A)).max(axis=1)


def momentum_epochs_to_target(
    bowl: Quadratic,
    lr: float,
    momentum: float,
    w0: NDArray[np.float64],
    nesterov: bool = False,
    limit: int = SEARCH_EPOCHS,
) -> int | None:
    """First epoch within 1% of E* (``theory.target_excess``) with momentum, counted exactly.

    Parameters
    ----------
    bowl : Quadratic
    lr, momentum : float
        A constant rate and β in [0, 1).
    w0 : ndarray, shape (3,)
    nesterov : bool
    limit : int
        Epochs searched.

    Returns
    -------
    int or None
        The epoch; ``None`` when a direction that matters never settles (its
        factor is at least 1), or when the epoch lies beyond ``limit``.

    Examples
    --------
    >>> from gdcore.table import pixel_table
    >>> from gdcore.quadratic import quadratic
    >>> from gdcore.theory import theory
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> th = theory(q)
    >>> momentum_epochs_to_target(q, th.optimal_momentum_lr, th.optimal_momentum, np.zeros(3))
    8
    """
    lam = bowl.eigenvalues
    d0 = bowl.eigenvectors.T @ (np.asarray(w0, dtype=np.float64) - bowl.w_star)
    scale = np.sqrt(0.5 * lam) * np.abs(d0)
    keep = scale > 0
    goal = target_excess(bowl, w0)
    if float(np.sum(scale * scale)) <= goal:
        return 0
    if (direction_factors(bowl, lr, momentum, nesterov)[keep] >= 1.0).any():
        return None
    A = _maps(lam[keep], lr, momentum, nesterov)
    P = np.empty((BLOCK + 1, len(A), 2, 2))
    P[0] = np.eye(2)
    P[1] = A
    m = 1
    while m < BLOCK:  # A^(m+j) = A^m A^j
        top = min(2 * m, BLOCK)
        P[m + 1 : top + 1] = P[m] @ P[1 : top - m + 1]
        m = top
    # Unit start along each direction, scaled so that the squares add up to the excess.
    state = np.column_stack([np.sign(d0[keep]) * scale[keep], np.zeros(int(keep.sum()))])
    done = 0
    with np.errstate(all="ignore"):
        while done < limit:
            block = np.einsum("jmab,mb->jma", P[1:], state)  # epochs done+1 .. done+BLOCK
            excess = (block[:, :, 0] ** 2).sum(axis=1)
            hit = np.flatnonzero(excess <= goal)
            if hit.size and done + int(hit[0]) + 1 <= limit:
                return done + int(hit[0]) + 1
            state = block[-1]
            done += BLOCK
    return None


@dataclass(frozen=True)
class Forecast:
    """What one run will do, from the bowl alone.

    Attributes
    ----------
    errors : ndarray, shape (T+1,)
        The error of every epoch (NaN from the blow-up on).
    diverged_epoch : int or None
        First epoch whose error passes ``runs.BLOWUP_ERROR``.
    target_epoch : int or None
        First epoch within 1% of E*, within the run.
    final_error : float
        The last epoch's error (``inf`` after a blow-up).
    edge : float
        The critical rate for this momentum (``theory.critical_lr``).
    above_edge : ndarray of int
        The epochs whose rate ``lr_k`` is above ``edge``.
    rates : ndarray, shape (T,)
        ``lr_k`` of every epoch.
    """

    errors: NDArray[np.float64]
    diverged_epoch: int | None
    target_epoch: int | None
    final_error: float
    edge: float
    above_edge: NDArray[np.int64]
    rates: NDArray[np.float64]

    def __repr__(self) -> str:
        end = (
            f"blows up at epoch {self.diverged_epoch}"
            if self.diverged_epoch is not None
            else f"ends at {self.final_error:.6g}"
        )
        return f"Forecast({end}, {len(self.above_edge)} epochs above the edge {self.edge:.4g})"


def forecast(
    bowl: Quadratic,
    lr: float,
    epochs: int,
    w0: NDArray[np.float64],
    *,
    momentum: float = 0.0,
    nesterov: bool = False,
    schedule: str = "constant",
    warmup: int = 0,
) -> Forecast:
    """Foretell a full-batch run with a schedule and momentum (see the module notes).

    Examples
    --------
    >>> from gdcore.table import pixel_table
    >>> from gdcore.quadratic import quadratic
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> f = forecast(q, 2.0, 200, np.zeros(3), schedule="exp:0.9")  # starts above the edge 1.26
    >>> f.diverged_epoch, f.above_edge.tolist(), round(f.final_error, 4)
    (None, [0, 1, 2, 3, 4], 0.125)
    """
    factors = rate_factors(schedule, epochs, warmup)
    excess, _ = direction_paths(
        bowl, np.array([float(lr)]), factors, np.asarray(w0, float), momentum, nesterov, False
    )
    errors = bowl.error_star + excess[0].sum(axis=1)
    with np.errstate(invalid="ignore"):
        bad = ~(errors <= BLOWUP_ERROR)
        within = excess[0].sum(axis=1) <= target_excess(bowl, w0)
    diverged = int(np.argmax(bad)) if bad.any() else None
    if diverged is not None:
        errors[diverged:] = np.nan
        within[diverged:] = False
    rates = lr * factors
    edge = critical_lr(float(bowl.eigenvalues[-1]), momentum, nesterov)
    return Forecast(
        errors=errors,
        diverged_epoch=diverged,
        target_epoch=int(np.argmax(within)) if within.any() else None,
        final_error=math.inf if diverged is not None else float(errors[-1]),
        edge=edge,
        above_edge=np.flatnonzero(rates > edge),
        rates=rates,
    )


@dataclass(frozen=True)
class Milestones:
    """Each eigen-direction's share of the excess error, epoch by epoch.

    Attributes
    ----------
    eigenvalues : ndarray, shape (3,)
        The curvature of each direction, smallest first.
    directions : ndarray, shape (3, 3)
        Column ``i`` is direction ``i`` in weights ``(w0, w1, w2)``.
    excess : ndarray, shape (3, T+1)
        ``1/2 lambda_i d_i(k)^2``: the rows add up to ``E(k) - E*``.
    factors : ndarray, shape (3,)
        Each direction's factor per epoch at the base rate (``direction_factors``).
    slowest : int
        The direction that matters whose factor is largest (the one left at the end).
    """

    eigenvalues: NDArray[np.float64]
    directions: NDArray[np.float64]
    excess: NDArray[np.float64]
    factors: NDArray[np.float64]
    slowest: int

    def __repr__(self) -> str:
        f = ", ".join(f"{v:.4g}" for v in self.factors)
        return (
            f"Milestones({self.excess.shape[1] - 1} epochs, factors [{f}], slowest {self.slowest})"
        )


def milestones(
    bowl: Quadratic,
    lr: float,
    epochs: int,
    w0: NDArray[np.float64],
    *,
    momentum: float = 0.0,
    nesterov: bool = False,
    schedule: str = "constant",
    warmup: int = 0,
) -> Milestones:
    """The curve of each eigen-direction of the bowl, so a learner sees which one is slow.

    Examples
    --------
    >>> from gdcore.table import pixel_table
    >>> from gdcore.quadratic import quadratic
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> m = milestones(q, 0.5, 20, np.zeros(3))
    >>> m.slowest, bool(np.allclose(m.excess.sum(axis=0) + q.error_star, \
forecast(q, 0.5, 20, np.zeros(3)).errors))
    (0, True)
    """
    excess, _ = direction_paths(
        bowl,
        np.array([float(lr)]),
        rate_factors(schedule, epochs, warmup),
        np.asarray(w0, float),
        momentum,
        nesterov,
        False,
    )
    factors = direction_factors(bowl, lr, momentum, nesterov)
    ranked = np.where(excess[0, 0] > 0, factors, -1.0)
    # Ties (the best rate gives the flattest and the steepest direction one factor)
    # go to the flatter direction: first in the eigenvalues' order.
    slowest = int(np.flatnonzero(ranked >= ranked.max() * (1 - 1e-9))[0])
    return Milestones(bowl.eigenvalues, bowl.eigenvectors, excess[0].T.copy(), factors, slowest)


__all__ = [
    "Forecast",
    "Milestones",
    "direction_factors",
    "forecast",
    "milestones",
    "momentum_epochs_to_target",
]
