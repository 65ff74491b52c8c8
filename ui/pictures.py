"""Pictures of brightness: the image, a prediction that never vanishes into the page, the residual.

The colouring is plain arrays (``*_to_rgb``); ``prediction_pictures`` draws the three side by
side as one picture (``side_by_side``), with a text alternative that says each one's numbers.
"""

from __future__ import annotations

import hashlib
import io
import threading
from collections import OrderedDict

import numpy as np
import streamlit as st
from PIL import Image

from ui import turns
from ui.image import ImageChoice


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
    frame = max(1, round(max(h, w) / 64))
    framed = np.empty((h + 2 * frame, w + 2 * frame, 3))
    framed[...] = FRAME_RGB
    framed[frame : frame + h, frame : frame + w] = rgb
    return framed.astype(np.uint8)


def residual_to_rgb(res: np.ndarray, span: float = 255.0) -> np.ndarray:
    """Signed residual to colour: blue where the model is too bright, orange where too dark."""
    r = np.clip(np.nan_to_num(res) / span, -1, 1)[..., None]
    white = np.array([255.0, 255.0, 255.0])
    pos, neg = np.array([230.0, 159.0, 0.0]), np.array([0.0, 114.0, 178.0])
    rgb = np.where(r >= 0, white + r * (pos - white), white - r * (neg - white))
    return rgb.astype(np.uint8)


PNG_LEVEL = 1
"""zlib's effort for the pictures' PNG: lossless at any level. Streamlit's own (6) took 73 ms
of CPU for a photo-like residual of 512 × 512 pixels, level 1 took 21 ms and made a file 3%
smaller (481 KB against 467 KB)."""
PNG_KEPT_BYTES = 16 * 2**20
"""How many bytes of encoded pictures ``png`` keeps (the least recently used go first)."""
_pngs: OrderedDict[str, bytes] = OrderedDict()
_pngs_bytes = 0  # the sum of the kept pictures' sizes, kept beside them (not summed per call)
_pngs_lock = threading.Lock()


def png(rgb: np.ndarray) -> bytes:
    """An 8-bit picture as PNG bytes (what ``st.image`` makes of an array, at ``PNG_LEVEL``),
    once per content.

    Every pixel is kept (PNG is lossless). Keyed by a digest of the shape and every byte,
    so a picture that did not change (the learner's image on every new rate, all three when
    a rate comes back) is not encoded again.
    """
    rgb = np.ascontiguousarray(rgb, dtype=np.uint8)
    key = hashlib.blake2b(str(rgb.shape).encode() + b"|", digest_size=16)
    key.update(rgb.tobytes())
    name = key.hexdigest()
    with _pngs_lock:
        if name in _pngs:
            _pngs.move_to_end(name)
            return _pngs[name]
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG", compress_level=PNG_LEVEL)
    data = out.getvalue()
    global _pngs_bytes
    with _pngs_lock:
        _pngs_bytes += len(data) - len(_pngs.get(name, b""))  # two runs may encode one picture
        _pngs[name] = data
        while _pngs_bytes > PNG_KEPT_BYTES and len(_pngs) > 1:
            _pngs_bytes -= len(_pngs.popitem(last=False)[1])
    return data


PICTURE_NAMES = (
    "your image",
    "the prediction",
    "the residual (orange = too dark, blue = too bright, white = right)",
)
"""What each of the three pictures is, left to right (the residual's colours said once)."""


def side_by_side(image: np.ndarray, prediction: np.ndarray, residual: np.ndarray) -> np.ndarray:
    """The three pictures as one, left to right, on white: the image and the residual padded
    by the prediction's frame (``prediction_to_rgb``), so the three pictures' pixels line up,
    with a white gap of an eighth of a side between them.

    One picture, not three: each picture is an element of its own in the browser, and two
    of them change with every rate; drawn as one, a rate change costs the browser about
    11 ms less (docs/performance.md, "Fourth round").
    """
    framed = prediction_to_rgb(prediction)
    h, w = image.shape
    f = (framed.shape[0] - h) // 2

    def padded(rgb: np.ndarray) -> np.ndarray:
        return np.pad(rgb, ((f, f), (f, f), (0, 0)), constant_values=255)

    grey = np.repeat(brightness_to_rgb(image)[..., None], 3, axis=2)
    gap = np.full((framed.shape[0], max(2, round(max(h, w) / 8)), 3), 255, np.uint8)
    parts = [padded(grey), gap, framed, gap, padded(residual_to_rgb(residual))]
    return np.concatenate(parts, axis=1)


def picture_png(image: np.ndarray, prediction: np.ndarray) -> bytes:
    """The image, the prediction and the residual as one PNG (``side_by_side``, ``png``).

    A 512 x 512 image makes a picture of about 1,700 x 520 pixels, a while to colour and
    encode: a run with heavy work lets the light runs that wait go first before it (ui.turns).
    """
    turns.pause()
    return png(side_by_side(image, prediction, image - prediction))


def prediction_pictures(
    choice: ImageChoice, prediction: np.ndarray, at: int, picture: bytes | None = None
) -> None:
    """The image, the model's prediction at an epoch, and the residual, side by side in one
    picture (``picture_png``, unless ``picture`` is that PNG already), named left to right
    below it and said in its text alternative."""
    residual = choice.pixels - prediction
    alts = picture_texts(choice, prediction, residual, at)
    if picture is None:
        picture = picture_png(choice.pixels, prediction)
    names = list(PICTURE_NAMES)
    names[1] = f"the prediction at epoch {at}"
    # PNG: every pixel as computed, encoded once per content (``png``; "auto" would make a
    # lossy JPEG, re-encoded on every run).
    st.image(
        picture,
        caption="Left to right: " + " · ".join(names),
        alt="Three pictures, left to right. " + " ".join(alts),
        width="stretch",
        output_format="PNG",
    )
    out = ~(np.isfinite(prediction) & (prediction >= -0.5) & (prediction <= 255.5))
    if out.any():
        st.caption(clipped_text(prediction, at, float(out.mean())))


OUT_OF_RANGE_NAME = "purple"
"""The hatching colour of ``ui.pictures.OUT_OF_RANGE_RGB`` in words."""


def clipped_text(prediction: np.ndarray, at: int, share: float) -> str:
    """Why the prediction picture shows black or white: how much of it is outside 0-255."""
    finite = prediction[np.isfinite(prediction)]
    span = (
        f"runs from {finite.min():.3g} to {finite.max():.3g}"
        if finite.size
        else "is not a number anywhere"
    )
    pct = f"{100 * share:.0f}%" if share >= 0.01 else "under 1%"
    hatch = f"hatched in {OUT_OF_RANGE_NAME} stripes"
    if share < 0.5:
        return (
            f"At epoch {at} the predicted brightness {span}: the {pct} of pixels outside "
            f"0–255 are drawn black (below 0) or white (above 255), {hatch}."
        )
    return (
        f"At epoch {at} the predicted brightness {span}: {pct} of the pixels are outside "
        f"0–255, so the picture is mostly clipped to black and white, {hatch}."
    )


def picture_texts(
    choice: ImageChoice, prediction: np.ndarray, residual: np.ndarray, at: int
) -> tuple[str, str, str]:
    """The text alternatives of the three pictures: what each shows, with its numbers."""

    def span(v: np.ndarray) -> str:
        finite = v[np.isfinite(v)]
        if not finite.size:
            return "no finite values (the run blew up)"
        return f"from {finite.min():.4g} to {finite.max():.4g}"

    px = choice.pixels
    side = f"{px.shape[1]}×{px.shape[0]}"
    finite = residual[np.isfinite(residual)]
    mean_abs = f", on average {np.abs(finite).mean():.4g} away" if finite.size else ""
    return (
        f"Your image, {choice.label}: {side} pixels, brightness {span(px)}.",
        f"The model's prediction at epoch {at}: a flat ramp of brightness {span(prediction)} "
        f"(drawn clipped to 0–255 in a grey frame; pixels outside it {OUT_OF_RANGE_NAME} "
        "hatched).",
        f"The residual at epoch {at}, image minus prediction: {span(residual)}{mean_abs}; orange "
        "where the prediction is too dark, blue where it is too bright, white where it is right.",
    )
