"""Suggested rates from a learning-rate sweep, in the manner of fastai's ``lr_find``.

A sweep runs a log-spaced grid of rates and records, for each, how many
epochs it needs to get close to the bottom (``theory.epochs_to_target``;
``inf`` or NaN when it never does). Every suggestion rule is a pure function
of that record with one signature::

    rule(lrs, epochs_to_target) -> Suggestion | None

and is registered in ``SUGGESTIONS`` under the name a page shows. The rules
share two habits: a non-finite count is never chosen, and a tie goes to the
smaller rate (the safer one). ``None`` means no rate of the grid qualifies.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..bowl.theory import epochs_to_target as _epochs_to_target
from ..pixels.quadratic import Quadratic

SWEEP_SPAN = (1e-4, 3.0)
"""The sweep's range from theory: these multiples of the critical rate ``2 / lambda_max``,
from far too timid to clearly diverging."""


@dataclass(frozen=True)
class Suggestion:
    """A rate of the grid and its index in it."""

    lr: float
    index: int


@dataclass(frozen=True)
class RateAdvice:
    """A suggested rate weighed against the run it would replace.

    Attributes
    ----------
    lr : float
        The suggested rate.
    needs : int or None
        Its settling epoch from the run's start (``theory.epochs_to_target``): the first
        epoch within 1% of ``E*`` for good; ``None`` if it never gets there.
    epochs : int
        The epochs of the run the learner chose.
    normalize_first : bool
        The suggested rate cannot finish within ``epochs`` and the inputs are not
        normalized (the raw scale): normalizing is the advice that can, so it comes first.
    """

    lr: float
    needs: int | None
    epochs: int
    normalize_first: bool

    @property
    def finishes(self) -> bool:
        """Whether the suggested rate settles within the run's epochs."""
        return self.needs is not None and self.needs <= self.epochs

    def rate_label(self) -> str:
        """The rate's advice in words, with the epochs it needs when they are too many.

        >>> RateAdvice(0.0008595, 28974, 200, True).rate_label()
        'Or try the rate 0.0008595: it needs 28,974 epochs, this run has 200'
        >>> RateAdvice(0.5, 12, 200, False).rate_label()
        'Try the suggested rate 0.5'
        """
        if self.finishes:
            return f"Try the suggested rate {self.lr:g}"
        need = "it never settles" if self.needs is None else f"it needs {self.needs:,} epochs"
        lead = "Or try the rate" if self.normalize_first else "Try the suggested rate"
        return f"{lead} {self.lr:g}: {need}, this run has {self.epochs:,}"


def rate_advice(
    bowl: Quadratic, lr: float, w0: NDArray[np.float64], epochs: int, scale: str
) -> RateAdvice:
    """Weigh a suggested rate against the run's epochs; say when normalizing comes first.

    Parameters
    ----------
    bowl : Quadratic
        The run's error bowl.
    lr : float
        The suggested rate (a diagnosis's ``suggested_lr``).
    w0 : ndarray of shape (3,)
        The run's starting weights.
    epochs : int
        The run's epochs.
    scale : str
        The pixel table's scale; only ``"raw"`` can be normalized.

    Returns
    -------
    RateAdvice
        ``normalize_first`` when the rate's settling epoch exceeds ``epochs`` on the raw scale.
    """
    needs = _epochs_to_target(bowl, lr, w0)
    cannot = needs is None or needs > epochs
    return RateAdvice(lr, needs, int(epochs), cannot and scale == "raw")


def sweep_range(critical_lr: float) -> tuple[float, float]:
    """The smallest and largest rate of a sweep from theory, rounded to two digits.

    >>> sweep_range(2.0)
    (0.0002, 6.0)
    """
    lo, hi = (float(f"{critical_lr * m:.2g}") for m in SWEEP_SPAN)
    return lo, hi


def _checked(lrs: ArrayLike, counts: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    lr, n = np.asarray(lrs, dtype=np.float64), np.asarray(counts, dtype=np.float64)
    if lr.ndim != 1 or lr.shape != n.shape:
        raise ValueError(
            f"lrs and epochs_to_target must be two lists of the same length; "
            f"got shapes {lr.shape} and {n.shape}"
        )
    return lr, n


def fewest_epochs(lrs: ArrayLike, epochs_to_target: ArrayLike) -> Suggestion | None:
    """The grid rate that gets within 1% of E* in the fewest epochs.

    Parameters
    ----------
    lrs : array_like of shape (R,)
        The rates of the sweep, in any order.
    epochs_to_target : array_like of shape (R,)
        Epochs each rate needs to get close to the bottom; ``inf`` or NaN if never.

    Returns
    -------
    Suggestion or None
        The rate with the smallest finite count (the smaller rate on a tie),
        or ``None`` if no count is finite.

    Examples
    --------
    >>> fewest_epochs([0.1, 0.2, 0.4, 0.8], [90, 40, 40, np.inf])
    Suggestion(lr=0.2, index=1)
    >>> fewest_epochs([1.0, 2.0], [np.inf, np.nan]) is None
    True
    """
    lr, n = _checked(lrs, epochs_to_target)
    ok = np.flatnonzero(np.isfinite(n))
    if ok.size == 0:
        return None
    best = ok[np.lexsort((lr[ok], n[ok]))[0]]  # fewest epochs first, then smallest rate
    return Suggestion(float(lr[best]), int(best))


SUGGESTIONS: dict[str, Callable[[ArrayLike, ArrayLike], Suggestion | None]] = {
    "fewest epochs": fewest_epochs,
}
"""Every suggestion rule, by the name a page shows."""
