"""What a run with momentum or a schedule will do, told from the bowl before it runs.

Each eigen-direction ``i`` of the bowl moves on its own (``directions``). With
a constant rate and momentum β, one epoch maps ``(d, buf)`` by the optimizer's
2 x 2 step map (``descent.optimizer.step_map``: heavy ball or Nesterov),
whose larger root in size, the direction's **factor**, says how fast it
settles (below 1) or grows (above 1). ``momentum_epochs_to_target`` walks those
maps exactly, a block of epochs at a time (matrix powers by doubling), to the
epoch from which the error stays within 1% of E* for ever (``settling``: decided
from each direction's envelope), so the count is the very epoch a run would show
settling; the first touch of the band, which momentum may leave again, is not it.
``forecast`` runs a schedule's recurrence on the bowl alone (a few numbers per epoch, whatever the image) and
says whether and when it blows up, where it ends and which epochs step above
the critical rate. ``milestones`` gives each direction's own curve: Distill's
"Why Momentum Really Works" picture, for the learner's image.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..descent.directions import direction_paths
from ..descent.optimizer import Optimizer, step_map
from ..descent.runs import BLOWUP_ERROR
from ..pixels.quadratic import Quadratic
from .settling import first_touch, settling_epoch, settling_walk
from .theory import critical_lr, target_excess

SEARCH_EPOCHS = 10_000_000
"""``momentum_epochs_to_target`` looks this far (about 1.5 s at most) and then says it cannot tell."""
PAIRS_AT_ONCE = 1024
"""(rate, β) pairs walked together by ``momentum_epochs_grid``: about 100 MB at most."""


def _maps(
    lam: NDArray[np.float64], lrs: ArrayLike, betas: ArrayLike, nesterov: bool
) -> NDArray[np.float64]:
    """One epoch's 2 x 2 map of ``(d, buf)``: (P, directions, 2, 2) for P (rate, β) pairs.

    Nesterov at β = 0 is plain descent (its look-ahead has nothing to look along).
    """
    lr, beta = np.broadcast_arrays(
        np.atleast_1d(np.asarray(lrs, dtype=np.float64)),
        np.atleast_1d(np.asarray(betas, dtype=np.float64)),
    )
    A = np.empty((len(lr), len(lam), 2, 2))
    for b in np.unique(beta):
        pairs = beta == b
        A[pairs] = step_map(lam, lr[pairs, None], Optimizer(float(b), bool(nesterov and b > 0)))
    return A


def _factors(A: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(all="ignore"):
        return np.abs(np.linalg.eigvals(A)).max(axis=-1)


def direction_factors(
    bowl: Quadratic, lr: float, optimizer: Optimizer = Optimizer()
) -> NDArray[np.float64]:
    """Each direction's factor per epoch at a constant rate: the largest root in size.

    Without momentum it is ``|1 - lr lambda_i|``; below 1 the direction settles.

    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> direction_factors(q, 0.5).round(4).tolist()
    [0.9215, 0.875, 0.2035]
    """
    return _factors(_maps(bowl.eigenvalues, lr, optimizer.momentum, optimizer.nesterov))[0]


def momentum_epochs_grid(
    bowl: Quadratic,
    lrs: ArrayLike,
    momenta: ArrayLike,
    w0: NDArray[np.float64],
    nesterov: bool = False,
    limit: int = SEARCH_EPOCHS,
) -> NDArray[np.int64]:
    """The settling epoch of every (momentum, rate) pair: a phase diagram, exactly.

    Parameters
    ----------
    bowl : Quadratic
    lrs : array_like, shape (R,)
        Constant rates > 0.
    momenta : array_like, shape (B,)
        β values in [0, 1).
    w0 : ndarray, shape (3,)
    nesterov : bool
    limit : int
        Epochs searched (the dashboard's epoch cap, say).

    Returns
    -------
    ndarray of int, shape (B, R)
        The epoch from which the error stays within 1% of E* for ever (as
        ``momentum_epochs_to_target``), or -1 when the pair never settles (a
        factor of at least 1: ``direction_factors``) or needs more than
        ``limit`` epochs. All pairs walk at once, a block of epochs at a
        time; the cost does not depend on the image, but grows with pairs ×
        epochs walked: 50 × 60 pairs on the unit scale take about 0.7 s with
        20,000 epochs; on the raw scale, where almost no pair gets there, the
        walk goes to the limit for each (about 10 s here): cap ``limit`` there.

    Examples
    --------
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> momentum_epochs_grid(q, [0.5, 1.5, 3.0], [0.0, 0.5], np.zeros(3)).tolist()
    [[12, -1, -1], [7, 9, -1]]
    """
    lr = np.asarray(lrs, dtype=np.float64).ravel()
    beta = np.asarray(momenta, dtype=np.float64).ravel()
    lam = bowl.eigenvalues
    d0 = bowl.eigenvectors.T @ (np.asarray(w0, dtype=np.float64) - bowl.w_star)
    scale = np.sqrt(0.5 * lam) * np.abs(d0)
    keep = scale > 0
    goal = target_excess(bowl, w0)
    out = np.full((len(beta), len(lr)), -1, dtype=np.int64)
    if float(np.sum(scale * scale)) <= goal:
        out[:] = 0
        return out
    # Unit start along each direction, scaled so that the squares add up to the excess.
    start = np.sign(d0[keep]) * scale[keep]
    pair_lr, pair_beta = (a.ravel() for a in np.meshgrid(lr, beta))
    flat = out.reshape(-1)
    for s in range(0, len(pair_lr), PAIRS_AT_ONCE):
        A = _maps(
            lam[keep], pair_lr[s : s + PAIRS_AT_ONCE], pair_beta[s : s + PAIRS_AT_ONCE], nesterov
        )
        live = np.flatnonzero((_factors(A) < 1.0).all(axis=1))
        if live.size:
            flat[s + live] = settling_walk(A[live], start, goal, limit)
    return out


def momentum_epochs_to_target(
    bowl: Quadratic,
    lr: float,
    w0: NDArray[np.float64],
    optimizer: Optimizer = Optimizer(),
    limit: int = SEARCH_EPOCHS,
) -> int | None:
    """The epoch from which the error stays within 1% of E* (``theory.target_excess``) for
    ever, with momentum, counted exactly (``settling``).

    Parameters
    ----------
    bowl : Quadratic
    lr : float
        A constant rate.
    w0 : ndarray, shape (3,)
    optimizer : Optimizer
        β and Nesterov; its rate must be constant (a schedule: ``forecast``).
    limit : int
        Epochs searched.

    Returns
    -------
    int or None
        The settling epoch; ``None`` when a direction that matters never settles
        (its factor is at least 1), or when the epoch lies beyond ``limit``. With
        β 0.9 and rate 0.5 on the 64-pixel scene (unit scale) it is 78; the error
        first touches the band at 52 and swings out of it again.

    Examples
    --------
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> bowl_theory = theory(q)
    >>> momentum_epochs_to_target(q, bowl_theory.optimal_momentum_lr, np.zeros(3), Optimizer(bowl_theory.optimal_momentum))
    8
    """
    if not optimizer.constant_rate:
        raise ValueError(
            f"momentum_epochs_to_target: needs a constant rate, got {optimizer}; "
            "a schedule's run is foretold by forecast()."
        )
    k = int(
        momentum_epochs_grid(bowl, [lr], [optimizer.momentum], w0, optimizer.nesterov, limit)[0, 0]
    )
    return None if k < 0 else k


@dataclass(frozen=True)
class Forecast:
    """What one run will do, from the bowl alone.

    Attributes
    ----------
    errors : ndarray, shape (T+1,)
        The error of every epoch (NaN from the blow-up on).
    diverged_epoch : int or None
        First epoch whose error passes ``runs.BLOWUP_ERROR``.
    settle_epoch : int or None
        The epoch from which the error stays within 1% of E* to the end of the run
        (``settling.settling_epoch``); ``None`` when the run ends above the band.
    first_touch : int or None
        The first epoch within 1% of E*, which a swinging run may leave again.
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
    settle_epoch: int | None
    first_touch: int | None
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
    optimizer: Optimizer = Optimizer(),
) -> Forecast:
    """Foretell a full-batch run with a schedule and momentum (see the module notes).

    Examples
    --------
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> f = forecast(q, 2.0, 200, np.zeros(3), optimizer=Optimizer(schedule="exp:0.9"))
    >>> f.diverged_epoch, f.above_edge.tolist(), round(f.final_error, 4)  # above the edge 1.26
    (None, [0, 1, 2, 3, 4], 0.125)
    """
    excess, _ = direction_paths(
        bowl, np.array([float(lr)]), epochs, np.asarray(w0, float), optimizer, False
    )
    errors = bowl.error_star + excess[0].sum(axis=1)
    total = excess[0].sum(axis=1)
    with np.errstate(invalid="ignore"):
        bad = ~(errors <= BLOWUP_ERROR)
    diverged = int(np.argmax(bad)) if bad.any() else None
    if diverged is not None:
        errors[diverged:] = np.nan
        total[diverged:] = np.nan
    goal = target_excess(bowl, w0)
    rates = optimizer.rates(lr, epochs)
    edge = critical_lr(float(bowl.eigenvalues[-1]), optimizer)
    return Forecast(
        errors=errors,
        diverged_epoch=diverged,
        settle_epoch=settling_epoch(total, goal),
        first_touch=first_touch(total, goal),
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
        factors = ", ".join(f"{v:.4g}" for v in self.factors)
        return (
            f"Milestones({self.excess.shape[1] - 1} epochs, factors [{factors}], "
            f"slowest {self.slowest})"
        )


def milestones(
    bowl: Quadratic,
    lr: float,
    epochs: int,
    w0: NDArray[np.float64],
    *,
    optimizer: Optimizer = Optimizer(),
) -> Milestones:
    """The curve of each eigen-direction of the bowl, so a learner sees which one is slow.

    Examples
    --------
    >>> q = quadratic(pixel_table(np.eye(2) * 255, "unit"))
    >>> m = milestones(q, 0.5, 20, np.zeros(3))
    >>> m.slowest, bool(np.allclose(m.excess.sum(axis=0) + q.error_star, \
forecast(q, 0.5, 20, np.zeros(3)).errors))
    (0, True)
    """
    excess, _ = direction_paths(
        bowl, np.array([float(lr)]), epochs, np.asarray(w0, float), optimizer, False
    )
    factors = direction_factors(bowl, lr, optimizer)
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
    "momentum_epochs_grid",
    "momentum_epochs_to_target",
]
