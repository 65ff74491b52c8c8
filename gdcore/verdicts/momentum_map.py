"""The bowl over rate × β: factors per epoch, the best rate for a β, the exact settling map.

Also the β that settles a constant rate soonest (``settling_beta``).

With momentum each direction of the bowl moves by a 2 x 2 map per epoch
(``descent.optimizer.step_map``); the larger root of its characteristic polynomial
is the direction's factor per epoch. The verdicts (``optimizer_verdict``) and the
sweep's phase diagram read these numbers.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..bowl.forecast import momentum_epochs_grid
from ..bowl.theory import Theory, critical_lr
from ..descent.optimizer import Optimizer, step_map
from ..pixels.quadratic import Quadratic

MAP_LIMIT = 20_000
"""``epoch_map`` counts up to this many epochs; beyond, a cell reads 'more than'."""
BEST_GRID = 2001
"""Rates tried by ``best_rate_for`` below the edge rate, log-spaced over six decades."""


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
    >>> round(best_rate_for(q) / theory(q).optimal_lr, 2)
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


NICE_MOMENTA = tuple(
    sorted(
        {round(0.1 * m, 1) for m in range(10)}
        | {float(f"{1 - m * 10.0**-d:.{d + 1}f}") for d in range(2, 8) for m in (5, 2, 1)}
    )
)
"""The momenta a swinging run's verdict tries at its rate: 0, 0.1, … 0.9, 0.95, 0.98, 0.99, … 0.9999999."""


def settling_beta(
    theory: Theory, lr: float, w0: ArrayLike, nesterov: bool = False, limit: int = 100_000
) -> tuple[float, int] | None:
    """The momentum from ``NICE_MOMENTA`` that settles a constant ``lr`` soonest, and its epoch.

    ``None`` when none of them settles within ``limit`` epochs (the rate is above
    every one's edge). Counted exactly (``forecast.momentum_epochs_grid``).

    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> from gdcore.bowl.theory import theory
    >>> bowl_theory = theory(quadratic(pixel_table(np.eye(2) * 255, "unit")))
    >>> settling_beta(bowl_theory, 0.5, np.zeros(3))
    (0.4, 7)
    """
    betas = np.array(NICE_MOMENTA[1:] if nesterov else NICE_MOMENTA)
    counts = momentum_epochs_grid(theory.bowl, [lr], betas, np.asarray(w0, float), nesterov, limit)[
        :, 0
    ]
    ok = np.flatnonzero(counts >= 0)
    if not ok.size:
        return None
    i = int(ok[np.argmin(counts[ok])])
    return float(betas[i]), int(counts[i])


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
    "BEST_GRID",
    "MAP_LIMIT",
    "NICE_MOMENTA",
    "EpochMap",
    "best_rate_for",
    "epoch_map",
    "root_factors",
    "settling_beta",
]
