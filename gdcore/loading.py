"""A user's image, from a path or from bytes, turned into brightness 0-255.

What happens to each kind of file:

- PNG, JPEG, WebP, BMP, GIF and TIFF are accepted; anything else is refused.
- The size is read from the header and checked against ``MAX_PIXELS`` before
  any pixel is decoded, so a decompression bomb costs nothing.
- EXIF orientation is applied, so a phone photo is the right way up.
- An animation contributes its first frame only.
- Colour becomes brightness with the ITU-R 601 weights
  ``0.299 R + 0.587 G + 0.114 B`` in floating point (no rounding to integers).
- Alpha: transparent pixels are composited onto white, the way most image
  viewers show them; a fully opaque alpha channel changes nothing.
- 16-bit grayscale is rescaled from 0-65535 to 0-255 (Pillow's own
  conversion would clip it); 32-bit and floating-point images are stretched
  from their own minimum and maximum to 0-255.
- ``max_side`` downsamples by area averaging, so the brightness is preserved.

Every adjustment is reported as a short note in ``LoadedImage.notes``.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from dataclasses import dataclass, field
from typing import cast

import numpy as np
from numpy.typing import NDArray
from PIL import Image, ImageOps, UnidentifiedImageError

from .params import MAX_SIDE

MAX_PIXELS = 4096 * 4096
"""Largest width x height decoded; checked from the header before decoding."""

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
LUMA = np.array([0.299, 0.587, 0.114])
NOT_AN_IMAGE = f"image: the file is not an image that can be read; allowed formats: {', '.join(ALLOWED_FORMATS)}."


class ImageError(ValueError):
    """An image that cannot be used, with a sentence saying why."""


@dataclass
class LoadedImage:
    """Brightness values of a user's image and the adjustments made to it."""

    pixels: NDArray[np.float64]
    source_format: str
    original_size: tuple[int, int]
    notes: list[str] = field(default_factory=list)

    def __repr__(self) -> str:
        h, w = self.pixels.shape
        return f"LoadedImage({self.source_format}, {w}x{h}, notes={self.notes})"


def load_image(source: str | os.PathLike | bytes, max_side: int | None = None) -> LoadedImage:
    """Read an image file or its bytes as brightness 0-255.

    Parameters
    ----------
    source : path or bytes
        A file path, or the file's content.
    max_side : int, optional
        Downsample (area averaging) so neither side exceeds this many pixels.

    Returns
    -------
    LoadedImage
        ``pixels`` has shape (height, width), float64 in [0, 255].

    Raises
    ------
    ImageError
        For an empty, unreadable, truncated, unsupported or too large image.
    """
    if max_side is not None and (problem := MAX_SIDE.problem(max_side)) is not None:
        raise ImageError(f"{MAX_SIDE.name}: {problem}.")
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        try:
            with open(source, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise ImageError(f"image: cannot read the file ({exc.strerror or exc}).") from None
    if not data:
        raise ImageError("image: the file is empty.")
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img: Image.Image = Image.open(io.BytesIO(data))
            _check_header(img)
            fmt = cast(str, img.format)  # _check_header has refused a missing one
            frames = getattr(img, "n_frames", 1)
            if frames > 1:
                img.seek(0)
                notes.append(f"used the first frame of {frames}")
            img.load()
            if _exif_orientation(img) not in (None, 1):
                notes.append("rotated by its EXIF orientation")
            img = ImageOps.exif_transpose(img)
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            # Pillow refuses far larger headers itself, before ours is read.
            claimed = re.search(r"\((\d+) pixels\)", str(exc))
            size = f"{int(claimed.group(1)):,} pixels" if claimed else "too many pixels"
            raise ImageError(
                f"image: the header claims {size}; at most {MAX_PIXELS:,} are allowed "
                "(checked before decoding)."
            ) from None
        except UnidentifiedImageError:
            raise ImageError(NOT_AN_IMAGE) from None
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise ImageError(f"image: the file is damaged or truncated ({exc}).") from None
    pixels = _brightness(img, notes)
    original = (pixels.shape[1], pixels.shape[0])
    if max_side is not None and max(original) > max_side:
        pixels = downsample(pixels, int(max_side))
        notes.append(
            f"downsampled from {original[0]}x{original[1]} to {pixels.shape[1]}x{pixels.shape[0]}"
        )
    return LoadedImage(pixels, fmt, original, notes)


def _check_header(img: Image.Image) -> None:
    fmt = img.format or ""
    if fmt not in ALLOWED_FORMATS:
        raise ImageError(
            f"image: format {fmt or 'unknown'} is not supported; allowed: "
            f"{', '.join(ALLOWED_FORMATS)}."
        )
    w, h = img.size
    if w < 1 or h < 1:
        raise ImageError(f"image: the header gives an empty size {w}x{h}.")
    if w * h > MAX_PIXELS:
        raise ImageError(
            f"image: {w}x{h} is {w * h:,} pixels; at most {MAX_PIXELS:,} are allowed "
            "(checked before decoding)."
        )


def _exif_orientation(img: Image.Image) -> int | None:
    try:
        return img.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - a broken EXIF block only loses the note
        return None


def _brightness(img: Image.Image, notes: list[str]) -> NDArray[np.float64]:
    """Convert any Pillow mode to float brightness 0-255 (see the module notes)."""
    mode = img.mode
    if mode.startswith("I;16"):
        notes.append("16-bit grayscale rescaled to 0-255")
        return np.asarray(img, dtype=np.float64) * (255.0 / 65535.0)
    if mode in ("I", "F"):
        arr = np.asarray(img, dtype=np.float64)
        finite = np.isfinite(arr)
        if not finite.all():
            raise ImageError("image: the file holds values that are not finite numbers.")
        lo, hi = float(arr.min()), float(arr.max())
        if mode == "I" and lo >= 0 and hi <= 65535 and hi > 255:
            notes.append("16-bit grayscale rescaled to 0-255")
            return arr * (255.0 / 65535.0)
        if lo >= 0 and hi <= 255:
            return arr
        notes.append(f"values from {lo:g} to {hi:g} stretched to 0-255")
        return (arr - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(arr)
    has_alpha = mode in ("RGBA", "LA", "PA", "La", "RGBa") or (
        mode == "P" and "transparency" in img.info
    )
    if has_alpha:
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float64)
        alpha = rgba[..., 3:4] / 255.0
        if (alpha < 1.0).any():
            notes.append("transparent pixels composited onto white")
        rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
    elif mode in ("L", "1"):
        return np.asarray(img.convert("L"), dtype=np.float64)
    else:
        rgb = np.asarray(img.convert("RGB"), dtype=np.float64)
    return np.clip(rgb @ LUMA, 0.0, 255.0)


def downsample(pixels: NDArray[np.float64], max_side: int) -> NDArray[np.float64]:
    """Shrink so the longer side is ``max_side``, averaging over areas.

    Examples
    --------
    >>> downsample(np.array([[0.0, 2.0], [4.0, 6.0]]), 1)
    array([[3.]])
    """
    h, w = pixels.shape
    scale = max_side / max(h, w)
    if scale >= 1:
        return pixels
    new = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = Image.fromarray(pixels.astype(np.float32), mode="F").resize(new, Image.Resampling.BOX)
    return np.asarray(small, dtype=np.float64)
