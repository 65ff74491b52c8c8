"""The record of a descent over many rates, and the rules that end a run.

Both the textbook loop and the fast engine produce raw errors and weights and
then pass them through ``finish``, so they stop runs by the very same rules:

- **Blow-up.** A run has diverged at the first epoch whose error is not finite
  or exceeds ``BLOWUP_ERROR``. That epoch and every later one hold NaN. The
  limit sits far below float64 overflow (about 1.8e308) so that every correct
  implementation crosses it at the same epoch, instead of overflowing at
  slightly different points depending on how it adds up the pixels.
- **Early stop** (optional, tolerance ``tol``). A run stops at the first epoch
  ``k >= 1`` where the error fell by no more than ``tol`` times the previous
  error: ``E[k-1] - E[k] <= tol * E[k-1]``. A rise counts as not improving.
  Epochs after ``k`` hold NaN.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

BLOWUP_ERROR = 1e150
"""Errors above this count as overflow: the run has diverged."""


@dataclass(frozen=True)
class DescentResult:
    """Errors and weights for every rate and every epoch 0..T.

    Attributes
    ----------
    lrs : ndarray of shape (R,)
    errors : ndarray of shape (R, T + 1)
        Epoch 0 is before any update. NaN after a run ended.
    weights : ndarray of shape (R, T + 1, 3)
    diverged_epoch : ndarray of int, shape (R,)
        First epoch that blew up, or -1.
    stopped_epoch : ndarray of int, shape (R,)
        Epoch at which early stopping ended the run, or -1.
    """

    lrs: NDArray[np.float64]
    errors: NDArray[np.float64]
    weights: NDArray[np.float64]
    diverged_epoch: NDArray[np.int64]
    stopped_epoch: NDArray[np.int64]

    @property
    def epochs(self) -> int:
        """Number of updates T asked for."""
        return self.errors.shape[1] - 1

    @property
    def last_epoch(self) -> NDArray[np.int64]:
        """Last epoch with a finite error, per rate."""
        last = np.full(len(self.lrs), self.epochs)
        last = np.where(self.stopped_epoch >= 0, self.stopped_epoch, last)
        return np.where(self.diverged_epoch >= 0, self.diverged_epoch - 1, last)

    @property
    def final_errors(self) -> NDArray[np.float64]:
        """Error at the last epoch of each run; ``inf`` for a diverged run."""
        idx = np.clip(self.last_epoch, 0, None)
        last = self.errors[np.arange(len(self.lrs)), idx]
        return np.where(self.diverged_epoch >= 0, np.inf, last)

    def __repr__(self) -> str:
        n_div = int((self.diverged_epoch >= 0).sum())
        return f"DescentResult({len(self.lrs)} rates x {self.epochs} epochs, {n_div} diverged)"


def finish(
    lrs: NDArray[np.float64],
    errors: NDArray[np.float64],
    weights: NDArray[np.float64],
    early_stop_tol: float | None = None,
) -> DescentResult:
    """Apply the blow-up rule and the optional early stop (see module notes).

    ``errors`` (R, T+1) and ``weights`` (R, T+1, 3) are modified in place.
    """
    R, K = errors.shape
    # The error alone decides: a finite error at most BLOWUP_ERROR bounds
    # every weight that moves (E - E* = 1/2 sum lambda_i d_i^2).
    with np.errstate(invalid="ignore"):
        bad = ~(errors <= BLOWUP_ERROR)  # also catches NaN and inf
    diverged = np.where(bad.any(axis=1), bad.argmax(axis=1), -1)
    stopped = np.full(R, -1)
    if early_stop_tol is not None and K > 1:
        prev, cur = errors[:, :-1], errors[:, 1:]
        with np.errstate(invalid="ignore"):
            flat = (prev - cur) <= early_stop_tol * prev
        flat &= ~bad[:, 1:]
        first = np.where(flat.any(axis=1), flat.argmax(axis=1) + 1, -1)
        # Only a stop that comes before any blow-up counts.
        take = (first >= 0) & ((diverged < 0) | (first < diverged))
        stopped = np.where(take, first, -1)
        diverged = np.where(take, -1, diverged)
    end = np.where(diverged >= 0, diverged, K)
    end = np.where(stopped >= 0, stopped + 1, end)
    for r in np.flatnonzero(end < K):
        errors[r, end[r] :] = np.nan
        weights[r, end[r] :] = np.nan
    return DescentResult(lrs, errors, weights, diverged.astype(np.int64), stopped.astype(np.int64))
