"""Slices of the error bowl, for pictures of descent walking downhill.

The lesson draws the error against one weight. With three weights, a picture
needs the others held somewhere: here they stay at their best values ``w*``,
and only the chosen weights learn. Then the path lies exactly on the slice
that is drawn, and the slice is itself a bowl with its own curvature
``H[free, free]`` and its own critical rate ``2 / lambda_max`` of that block.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from .quadratic import Quadratic
from .runs import BLOWUP_ERROR

WEIGHT_NAMES = ("w0", "w1", "w2")


def slice_critical_lr(bowl: Quadratic, free: Sequence[int]) -> float:
    """Critical rate ``2 / lambda_max`` of the bowl restricted to ``free`` weights."""
    idx = list(free)
    top = float(np.linalg.eigvalsh(bowl.hessian[np.ix_(idx, idx)])[-1])
    return 2.0 / top if top > 0 else float("inf")


def slice_descent(
    bowl: Quadratic,
    free: Sequence[int],
    lr: float,
    epochs: int,
    start: NDArray[np.float64],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Descent in which only the ``free`` weights learn; the others stay at w*.

    Returns the weights (epochs+1, 3) and errors (epochs+1,), NaN from the
    epoch the run blows up (the rule of ``runs.py``).

    Examples
    --------
    >>> from gdcore.table import pixel_table
    >>> from gdcore.quadratic import quadratic
    >>> q = quadratic(pixel_table(np.array([[0.0, 255.0]]), "unit"))
    >>> w, e = slice_descent(q, [1], 0.5, 1, np.zeros(3))
    >>> w[1].round(4).tolist()
    [0.0, 0.25, 0.0]
    """
    mask = np.zeros(3, dtype=bool)
    mask[list(free)] = True
    w = np.where(mask, np.asarray(start, dtype=np.float64), bowl.w_star)
    weights = np.full((epochs + 1, 3), np.nan)
    errors = np.full(epochs + 1, np.nan)
    with np.errstate(all="ignore"):
        for k in range(epochs + 1):
            e = float(bowl.error(w))
            if not np.isfinite(e) or e > BLOWUP_ERROR:
                break
            weights[k], errors[k] = w, e
            w = w - lr * np.where(mask, bowl.hessian @ (w - bowl.w_star), 0.0)
    return weights, errors


def error_along(bowl: Quadratic, i: int, values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The error as weight ``i`` takes each of ``values``, the others at w*."""
    w = np.tile(bowl.w_star, (len(values), 1))
    w[:, i] = values
    return bowl.error(w)


def error_grid(
    bowl: Quadratic, i: int, j: int, xs: NDArray[np.float64], ys: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The error over weights ``i`` (columns, ``xs``) and ``j`` (rows, ``ys``)."""
    w = np.tile(bowl.w_star, (len(ys), len(xs), 1))
    w[:, :, i] = xs[None, :]
    w[:, :, j] = ys[:, None]
    return bowl.error(w)
