"""The error surface of an image: a quadratic bowl, from one pass over pixels.

Because the model is linear, ``E(w) = E* + 1/2 (w - w*)^T H (w - w*)`` exactly,
with ``H = X^T X / N`` (3 x 3) and the least-squares weights ``w*``. On a pixel
grid every entry of ``H`` follows from the column and row values alone, and
``X^T t`` needs only the image's column sums and row sums. So the bowl costs
one pass for the column sums, one for the row sums and one dot product for
``sum(t^2)``; only when the plane explains almost all of the image (where that
formula for ``E*`` would cancel) a residual pass measures ``E*`` directly. After
that nothing depends on the number of pixels.

Errors are evaluated as ``E*`` plus the excess ``1/2 sum(lambda_i d_i^2)`` in
the eigenbasis: never negative, and exact near the bottom, where subtracting
two large numbers would lose every digit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from .table import PixelTable

RANK_TOL = 1e-12
"""Eigenvalues below ``RANK_TOL * lambda_max`` are exactly 0 (a flat direction)."""
CANCEL_GUARD = 1e-4
"""Below this fraction of the variance, E* is measured from the residuals."""


@dataclass(frozen=True)
class Quadratic:
    """The bowl ``E(w) = E* + 1/2 (w - w*)^T H (w - w*)`` of one pixel table."""

    hessian: NDArray[np.float64]
    b: NDArray[np.float64]
    w_star: NDArray[np.float64]
    error_star: float
    eigenvalues: NDArray[np.float64]
    eigenvectors: NDArray[np.float64]
    n: int

    def excess(self, w: NDArray[np.float64]) -> NDArray[np.float64]:
        """``E(w) - E*`` for weights of shape (..., 3), as a sum of squares."""
        with np.errstate(all="ignore"):  # a blown-up run's weights are inf or NaN
            d = (np.asarray(w) - self.w_star) @ self.eigenvectors
            return 0.5 * (d * d) @ self.eigenvalues

    def error(self, w: NDArray[np.float64]) -> NDArray[np.float64]:
        """``E(w)`` for weights of shape (..., 3)."""
        return self.error_star + self.excess(w)

    def slopes(self, w: NDArray[np.float64]) -> NDArray[np.float64]:
        """``dE/dw = H w - b`` for weights of shape (..., 3)."""
        return np.asarray(w) @ self.hessian - self.b

    def __repr__(self) -> str:
        lam = ", ".join(f"{v:.4g}" for v in self.eigenvalues)
        return f"Quadratic(n={self.n}, eigenvalues=[{lam}], E*={self.error_star:.6g})"


def quadratic(table: PixelTable) -> Quadratic:
    """Build the bowl of a pixel table (see the module notes for the cost).

    Examples
    --------
    >>> q = quadratic(pixel_table(np.array([[10.0, 20.0], [30.0, 40.0]]), "raw"))
    >>> q.w_star.round(6).tolist(), round(q.error_star, 12)
    ([10.0, 10.0, 20.0], 0.0)
    """
    T = table.targets
    h, w = T.shape
    n = T.size
    xs, ys = table.xs, table.ys
    mx, my = xs.mean(), ys.mean()
    xc, yc = xs - mx, ys - my
    col_sums = T.sum(axis=0)  # the one pass over the pixels
    row_sums = T.sum(axis=1)
    mt = col_sums.sum() / n
    sxx, syy = float(np.mean(xc * xc)), float(np.mean(yc * yc))
    sxy = float(xc.sum() * yc.sum()) / n  # zero on a full grid, up to rounding
    sxt = float(xc @ col_sums) / n
    syt = float(yc @ row_sums) / n
    # Slopes from the centred 2 x 2 system; a constant column gets slope 0.
    C = np.array([[sxx, sxy], [sxy, syy]])
    w12 = np.linalg.lstsq(C, np.array([sxt, syt]), rcond=RANK_TOL)[0] if C.any() else np.zeros(2)
    w_star = np.array([mt - w12[0] * mx - w12[1] * my, w12[0], w12[1]])
    # E* from the moments: half the variance the plane leaves unexplained.
    flat = T.reshape(-1)
    var_t = max(float(flat @ flat) / n - mt * mt, 0.0)
    error_star = 0.5 * (var_t - float(w12 @ np.array([sxt, syt])))
    if not error_star > CANCEL_GUARD * var_t:
        # The plane explains nearly everything: the subtraction above has lost
        # its digits, so measure the residual pixel by pixel instead.
        residual = T - (w_star[0] + w_star[1] * xs[None, :] + w_star[2] * ys[:, None])
        error_star = 0.5 * float(np.mean(residual * residual))
    H = np.array(
        [
            [1.0, mx, my],
            [mx, sxx + mx * mx, sxy + mx * my],
            [my, sxy + mx * my, syy + my * my],
        ]
    )
    b = np.array([mt, sxt + mx * mt, syt + my * mt])
    lam, Q = np.linalg.eigh(H)
    lam = np.where(lam < RANK_TOL * lam[-1], 0.0, lam)
    return Quadratic(H, b, w_star, error_star, lam, Q, n)
