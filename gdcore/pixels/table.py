"""The pixel table: one row ``[1, x, y]`` per pixel, with its brightness.

``x`` is the column index and ``y`` the row index counted from the top. Rows
run along the first image row, then the second, and so on. Three scales:

- ``raw``: pixel indices and brightness 0-255, as a learner first writes it;
- ``unit``: ``x / (W - 1)``, ``y / (H - 1)`` and ``brightness / 255``, all in
  [0, 1] (a side of length 1 gives 0);
- ``standard``: x, y and brightness each shifted and scaled to mean 0 and
  standard deviation 1 (a constant column gives 0).

The table never has to exist as an N x 3 array: every scale is an affine map
of the column index, the row index and the brightness, so ``x`` is stored as
``W`` values and ``y`` as ``H`` values. ``design_matrix`` builds the full
array when a learner's loop needs it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..params import SCALE

COLUMNS = ("1", "x", "y", "brightness")


def _standardize(v: NDArray[np.float64]) -> NDArray[np.float64]:
    sd = v.std()
    # A constant column (or one whose spread is lost in rounding) becomes 0.
    if not sd > 1e-12 * max(1.0, float(np.abs(v).max(initial=0.0))):
        return np.zeros_like(v)
    return (v - v.mean()) / sd


@dataclass(frozen=True)
class PixelTable:
    """An image as a table of pixels on a chosen scale.

    Attributes
    ----------
    xs : ndarray of shape (W,)
        The ``x`` value of each column.
    ys : ndarray of shape (H,)
        The ``y`` value of each row.
    targets : ndarray of shape (H, W)
        The brightness on the chosen scale.
    scale : str
        One of ``SCALES``.
    """

    xs: NDArray[np.float64]
    ys: NDArray[np.float64]
    targets: NDArray[np.float64]
    scale: str
    t_offset: float = 0.0
    t_factor: float = 1.0
    """Targets are ``(brightness - t_offset) * t_factor``."""

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) of the image."""
        return self.targets.shape

    @property
    def n(self) -> int:
        """Number of rows (pixels)."""
        return self.targets.size

    def design_matrix(self) -> NDArray[np.float64]:
        """The full ``(N, 3)`` array of rows ``[1, x, y]``, row-major order."""
        h, w = self.shape
        out = np.empty((h * w, 3))
        out[:, 0] = 1.0
        out[:, 1] = np.tile(self.xs, h)
        out[:, 2] = np.repeat(self.ys, w)
        return out

    def target_vector(self) -> NDArray[np.float64]:
        """The ``(N,)`` brightness column, in the same order as the rows."""
        return self.targets.ravel()

    def head(self, rows: int = 10) -> NDArray[np.float64]:
        """The first ``rows`` rows as an array of ``[1, x, y, brightness]``.

        Builds only those rows, however large the image.
        """
        h, w = self.shape
        k = np.arange(min(max(rows, 0), h * w))
        return np.column_stack(
            [np.ones(k.size), self.xs[k % w], self.ys[k // w], self.targets.ravel()[k]]
        )

    def predicted_brightness(self, w: NDArray[np.float64]) -> NDArray[np.float64]:
        """The model's prediction for every pixel, back in brightness units (H, W).

        Not clipped: a diverging model predicts far outside 0-255.
        """
        pred = w[0] + w[1] * self.xs[None, :] + w[2] * self.ys[:, None]
        if self.t_factor == 0:  # a constant image: every prediction is that constant
            return np.full(self.shape, self.t_offset)
        return pred / self.t_factor + self.t_offset

    def __repr__(self) -> str:
        h, w = self.shape
        return f"PixelTable({w}x{h} pixels, scale={self.scale!r})"


def pixel_table(pixels: NDArray[np.float64], scale: str = "unit") -> PixelTable:
    """Build the pixel table of an image.

    Parameters
    ----------
    pixels : ndarray of shape (H, W)
        Brightness 0-255.
    scale : {"raw", "unit", "standard"}

    Raises
    ------
    ValueError
        For an unknown scale, an empty image or non-finite pixels.

    Examples
    --------
    >>> pixel_table(np.array([[0.0, 255.0]]), "unit").head()
    array([[1., 0., 0., 0.],
           [1., 1., 0., 1.]])
    """
    scale = SCALE.check(scale)
    pixels = np.asarray(pixels, dtype=np.float64)
    if pixels.ndim != 2 or pixels.size == 0:
        raise ValueError(f"image: must be a non-empty 2-D array, got shape {pixels.shape}.")
    if not np.isfinite(pixels).all():
        raise ValueError("image: every pixel must be a finite number.")
    h, w = pixels.shape
    cols = np.arange(w, dtype=np.float64)
    rows = np.arange(h, dtype=np.float64)
    if scale == "raw":
        return PixelTable(cols, rows, pixels, scale)
    if scale == "unit":
        xs = cols / (w - 1) if w > 1 else np.zeros(w)
        ys = rows / (h - 1) if h > 1 else np.zeros(h)
        return PixelTable(xs, ys, pixels / 255.0, scale, 0.0, 1.0 / 255.0)
    # Standardizing over the grid: every column value appears h times, so the
    # pixel-wise mean and deviation of x equal those of the column values.
    t = _standardize(pixels)
    sd = float(pixels.std())
    factor = 1.0 / sd if t.any() else 0.0
    return PixelTable(
        _standardize(cols), _standardize(rows), t, scale, float(pixels.mean()), factor
    )
