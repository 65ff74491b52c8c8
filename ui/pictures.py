"""Pictures of brightness: the image, a prediction that never vanishes into the page, the residual."""

from __future__ import annotations

import numpy as np


def brightness_to_rgb(img: np.ndarray) -> np.ndarray:
    """Brightness to an 8-bit grey picture, clipped to 0-255 for display."""
    return np.clip(np.nan_to_num(img, nan=0.0), 0, 255).astype(np.uint8)


OUT_OF_RANGE_RGB = (204, 121, 167)
"""The hatching over predicted pixels outside 0-255 (Okabe-Ito reddish purple): it shows on
white (above 255) and on black (below 0), so a prediction far out of range never vanishes
into the page."""
FRAME_RGB = (136, 136, 136)
"""The frame around a prediction picture, so an all-white prediction still has an edge."""


def prediction_to_rgb(img: np.ndarray) -> np.ndarray:
    """A predicted brightness as a framed colour picture that never vanishes into the page.

    Pixels inside 0-255 are grey as in ``brightness_to_rgb``. Pixels above 255 are white,
    below 0 black, not a number mid-grey, and all of these are hatched with diagonal stripes
    of ``OUT_OF_RANGE_RGB``. A grey frame (``FRAME_RGB``), ``max(1, side / 64)`` pixels
    wide, goes round the whole picture, outside it: every predicted pixel is kept.

    Returns
    -------
    ndarray of shape (h + 2f, w + 2f, 3), uint8
    """
    v = np.asarray(img, dtype=np.float64)
    h, w = v.shape
    grey = np.clip(np.nan_to_num(v, nan=128.0), 0, 255)
    out = ~(np.isfinite(v) & (v >= -0.5) & (v <= 255.5))
    rgb = np.repeat(np.floor(grey)[..., None], 3, axis=2)  # as brightness_to_rgb
    period = max(4, round(max(h, w) / 8))
    yy, xx = np.indices((h, w))
    stripe = (xx + yy) % period < max(1, period // 3)
    rgb[out & stripe] = OUT_OF_RANGE_RGB
    f = max(1, round(max(h, w) / 64))
    framed = np.empty((h + 2 * f, w + 2 * f, 3))
    framed[...] = FRAME_RGB
    framed[f : f + h, f : f + w] = rgb
    return framed.astype(np.uint8)


def residual_to_rgb(res: np.ndarray, span: float = 255.0) -> np.ndarray:
    """Signed residual to colour: blue where the model is too bright, orange where too dark."""
    r = np.clip(np.nan_to_num(res) / span, -1, 1)[..., None]
    white = np.array([255.0, 255.0, 255.0])
    pos, neg = np.array([230.0, 159.0, 0.0]), np.array([0.0, 114.0, 178.0])
    rgb = np.where(r >= 0, white + r * (pos - white), white - r * (neg - white))
    return rgb.astype(np.uint8)
