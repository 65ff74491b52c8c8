"""A user's image, from a path or from bytes, turned into brightness 0-255.

What happens to each kind of file:

- PNG, JPEG, WebP, BMP, GIF and TIFF are accepted; anything else is refused.
- Three limits are checked before any pixel is decoded: ``MAX_FILE_BYTES``
  from the file's size (a path is never read whole), ``MAX_PIXELS`` and
  ``MAX_DECODED_BYTES`` from the header. A decompression bomb costs nothing,
  and memory is bounded by what the decoded image takes in bytes.
- A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still leaves
  ``max_side`` pixels, and an RGB JPEG straight to brightness (its Y channel,
  which JPEG defines with the same weights as below).
- Everything else is decoded whole, then read in strips of rows: each strip
  becomes floating point and is averaged down at once, so the floating-point
  copies are the size of the result, not of the file.
- EXIF orientation is applied, so a phone photo is the right way up.
- An animation contributes its first frame only.
- Colour becomes brightness with the ITU-R 601 weights
  ``0.299 R + 0.587 G + 0.114 B`` in floating point (no rounding to integers).
- Alpha: transparent pixels are composited onto white, the way most image
  viewers show them; a fully opaque alpha channel changes nothing.
- 16-bit grayscale is rescaled from 0-65535 to 0-255 (Pillow's own
  conversion would clip it); 32-bit integer and floating-point images are
  stretched from their own minimum and maximum to 0-255, and the note gives
  that range. A constant one has no range and becomes 0.
- ``max_side`` downsamples by area averaging, so the brightness is preserved.
- A PNG text or colour-profile chunk that would expand past Pillow's
  ``MAX_TEXT_CHUNK`` is refused as the decompression bomb it is.

Every adjustment is reported as a short note in ``LoadedImage.notes``.
"""

from __future__ import annotations

import io
import math
import os
import re
import stat
import warnings
from dataclasses import dataclass, field
from typing import IO

import numpy as np
from numpy.typing import NDArray
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from ..params import MAX_SIDE

MAX_FILE_BYTES = 128 * 2**20
"""Largest file read, in bytes; checked from the file's size before reading on.

Any image within the limits below is smaller even uncompressed: at most
8 bytes a pixel (16-bit RGBA, 64-bit float) for the 12.6 million pixels that
``MAX_DECODED_BYTES`` allows at 4 bytes a pixel is 96 MiB.
"""

MAX_PIXELS = 4096 * 4096
"""Largest width x height decoded; checked from the header before decoding."""

MAX_DECODED_BYTES = 48 * 2**20
"""Largest decoded image, in bytes: width x height x bytes a pixel of its mode.

Pillow holds 1 byte a pixel for 1-bit, grayscale and palette images, 2 for
16-bit grayscale and 4 for everything else (colour, alpha, CMYK, 32-bit
integer, float). Checked from the header (after a JPEG's reduced scale), so
48 MiB lets through a 12-megapixel colour image, and every grayscale, palette
or 16-bit image within ``MAX_PIXELS``.
"""

STRIP_PIXELS = 2**18
"""Pixels turned into floating point at a time while reading (a few MB)."""

ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "BMP", "GIF", "TIFF")
LUMA = np.array([0.299, 0.587, 0.114])
NOT_AN_IMAGE = f"image: the file is not an image that can be read; allowed formats: {', '.join(ALLOWED_FORMATS)}."
_DOWNSAMPLED = "downsampled from"
_ALPHA_MODES = ("RGBA", "LA", "PA", "La", "RGBa")
# EXIF orientation -> the turn that shows the image upright (as ImageOps.exif_transpose).
_ORIENT = {
    2: lambda a: a[:, ::-1],
    3: lambda a: a[::-1, ::-1],
    4: lambda a: a[::-1, :],
    5: lambda a: a.T,
    6: lambda a: np.rot90(a, -1),
    7: lambda a: a[::-1, ::-1].T,
    8: lambda a: np.rot90(a, 1),
}


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

    def downsampled(self, max_side: int | None) -> LoadedImage:
        """The image averaged down so that no side of it exceeds ``max_side``.

        The size is worked out from ``original_size``, so shrinking a shrunk
        image gives the same size as shrinking the original, and the note says
        so once. An image already within ``max_side`` is returned as it is.

        Examples
        --------
        >>> img = LoadedImage(np.arange(16.0).reshape(4, 4), "PNG", (4, 4))
        >>> small = img.downsampled(2)
        >>> small.pixels, small.notes
        (array([[ 2.5,  4.5],
               [10.5, 12.5]]), ['downsampled from 4x4 to 2x2'])
        """
        if max_side is None or max(self.original_size) <= max_side:
            return self
        size = _fitted(self.original_size, max_side)
        pixels = self.pixels
        if pixels.shape != (size[1], size[0]):
            pixels = area_average(pixels, size)
        notes = [n for n in self.notes if not n.startswith(_DOWNSAMPLED)]
        notes.append(_downsampled_note(self.original_size, size))
        return LoadedImage(pixels, self.source_format, self.original_size, notes)


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
        return _load(io.BytesIO(data), len(data), max_side)
    try:
        # Not opened unless it is a regular file: a FIFO would block, a device never end.
        if not stat.S_ISREG(os.stat(source).st_mode):
            raise ImageError("image: the path is not a regular file.")
        with open(source, "rb") as fh:
            return _load(fh, os.fstat(fh.fileno()).st_size, max_side)
    except OSError as exc:
        raise ImageError(f"image: cannot read the file ({exc.strerror or exc}).") from None


def _load(fh: IO[bytes], size: int, max_side: int | None) -> LoadedImage:
    if size == 0:
        raise ImageError("image: the file is empty.")
    if size > MAX_FILE_BYTES:
        raise ImageError(
            f"image: the file is {size:,} bytes; at most {MAX_FILE_BYTES:,} are read "
            "(checked before reading it)."
        )
    notes: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            img: Image.Image = Image.open(fh)
            fmt = _check_header(img)
            frames = getattr(img, "n_frames", 1)
            if frames > 1:
                img.seek(0)
                notes.append(f"used the first frame of {frames}")
            w, h = img.size
            if fmt == "JPEG":
                _draft(img, max_side)
            _check_decoded_bytes(img)
            bits = _sample_bits(img)
            img.load()
            orientation = _exif_orientation(img)  # after the checks: a PNG's loads the image
            pixels, factor = _brightness(img, max_side, notes, bits)
            # Sized from the header's width and height, spread over what was decoded.
            target = _fitted((w, h), max_side) if max_side and max(w, h) > max_side else None
            if target is not None:
                pixels = area_average(pixels, target, factor, img.size)
        except ImageError:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            # Pillow refuses far larger headers itself, before ours is read.
            claimed = re.search(r"\((\d+) pixels\)", str(exc))
            size_text = f"{int(claimed.group(1)):,} pixels" if claimed else "too many pixels"
            raise ImageError(
                f"image: the header claims {size_text}; at most {MAX_PIXELS:,} are allowed "
                "(checked before decoding)."
            ) from None
        except UnidentifiedImageError:
            raise ImageError(NOT_AN_IMAGE) from None
        except (OSError, ValueError, SyntaxError, EOFError) as exc:
            raise ImageError(_damaged(exc)) from None
    if orientation in _ORIENT:
        pixels = np.ascontiguousarray(_ORIENT[orientation](pixels))
        notes.append("rotated by its EXIF orientation")
        if orientation >= 5:
            w, h = h, w
    if target is not None:
        notes.append(_downsampled_note((w, h), (pixels.shape[1], pixels.shape[0])))
    return LoadedImage(pixels, fmt, (w, h), notes)


def _downsampled_note(original: tuple[int, int], size: tuple[int, int]) -> str:
    return f"{_DOWNSAMPLED} {original[0]}x{original[1]} to {size[0]}x{size[1]}"


def _damaged(exc: BaseException) -> str:
    """The sentence for a file Pillow could not read, naming a text bomb as one."""
    # Pillow 13 names its limit; Pillow 10.4 to 12 say "Decompressed Data Too Large".
    if "MAX_TEXT_CHUNK" in str(exc) or "Decompressed Data Too Large" in str(exc):
        return (
            "image: a text or colour-profile chunk in the file expands past "
            f"{PngImagePlugin.MAX_TEXT_CHUNK:,} bytes when decompressed (a decompression bomb)."
        )
    if "MAX_TEXT_MEMORY" in str(exc):
        return (
            "image: the text chunks in the file expand past "
            f"{PngImagePlugin.MAX_TEXT_MEMORY:,} bytes in all when decompressed "
            "(a decompression bomb)."
        )
    return f"image: the file is damaged or truncated ({exc})."


def _check_header(img: Image.Image) -> str:
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
    return fmt


def bytes_per_pixel(mode: str) -> int:
    """Bytes Pillow holds for one pixel of ``mode`` once decoded.

    Examples
    --------
    >>> [bytes_per_pixel(m) for m in ("L", "P", "I;16", "RGB", "RGBA", "F")]
    [1, 1, 2, 4, 4, 4]
    """
    if mode in ("1", "L", "P"):
        return 1
    return 2 if mode.startswith("I;16") else 4


def _check_decoded_bytes(img: Image.Image) -> None:
    w, h = img.size
    per = bytes_per_pixel(img.mode)
    if w * h * per > MAX_DECODED_BYTES:
        raise ImageError(
            f"image: {w}x{h} in mode {img.mode} takes {w * h * per:,} bytes decoded "
            f"({per} a pixel); at most {MAX_DECODED_BYTES:,} are allowed "
            "(checked before decoding)."
        )


def _draft(img: Image.Image, max_side: int | None) -> None:
    """Ask libjpeg for the smallest scale (1, 1/2, 1/4, 1/8) that keeps ``max_side``."""
    size = None
    if max_side is not None and max(img.size) > max_side:
        scale = max_side / max(img.size)
        size = (math.ceil(img.size[0] * scale), math.ceil(img.size[1] * scale))
    img.draft("L" if img.mode == "RGB" else None, size)


def _sample_bits(img: Image.Image) -> int:
    """Bits a sample in the file (a TIFF says; 32 for Pillow's I and F otherwise)."""
    tags = getattr(img, "tag_v2", None)
    bits = tags.get(258) if tags is not None else None
    if isinstance(bits, tuple):
        bits = bits[0] if bits else None
    return int(bits) if isinstance(bits, int) else 32


def _exif_orientation(img: Image.Image) -> int | None:
    try:
        return img.getexif().get(0x0112)
    except Exception:  # noqa: BLE001 - a broken EXIF block only loses the note
        return None


def _brightness(
    img: Image.Image, max_side: int | None, notes: list[str], bits: int
) -> tuple[NDArray[np.float64], int]:
    """Brightness 0-255 of any Pillow mode, averaged over blocks of ``factor`` pixels a side.

    Returns the block means and the factor, the largest that leaves at least
    ``max_side`` blocks along the longer side (the last row and column of
    blocks hold what is left over).

    Rows are read in strips of whole blocks; each strip becomes floating point
    and is averaged at once. Averaging is linear, so it commutes with the
    colour weights, compositing onto white and the 16-bit and float rescaling,
    which therefore happen on the averaged values where they can.
    """
    mode, (w, h) = img.mode, img.size
    factor = max(1, max(w, h) // max_side) if max_side is not None else 1
    has_alpha = mode in _ALPHA_MODES or (mode == "P" and "transparency" in img.info)
    numeric = mode in ("I", "F") or mode.startswith("I;16")
    out = np.empty((-(-h // factor), -(-w // factor)))
    lo, hi, transparent = math.inf, -math.inf, False
    rows = factor * max(1, STRIP_PIXELS // (w * factor))
    for y0 in range(0, h, rows):
        strip = img.crop((0, y0, w, min(h, y0 + rows)))
        if numeric:
            values = np.asarray(strip, dtype=np.float64)
            if not np.isfinite(values).all():
                raise ImageError("image: the file holds values that are not finite numbers.")
            lo, hi = min(lo, float(values.min())), max(hi, float(values.max()))
        elif has_alpha:
            rgba = np.asarray(strip.convert("RGBA"))
            alpha = rgba[..., 3] / 255.0
            transparent = transparent or bool((alpha < 1.0).any())
            # The weights sum to 1, so weighing before compositing onto white is the same.
            values = np.clip((rgba[..., :3] @ LUMA) * alpha + 255.0 * (1.0 - alpha), 0.0, 255.0)
        elif mode in ("1", "L"):
            values = np.asarray(strip.convert("L"), dtype=np.float64)
        else:
            values = np.clip(np.asarray(strip.convert("RGB")) @ LUMA, 0.0, 255.0)
        out[y0 // factor : -(-(y0 + values.shape[0]) // factor)] = _block_mean(values, factor)
    if transparent:
        notes.append("transparent pixels composited onto white")
    if mode.startswith("I;16"):
        notes.append("16-bit grayscale rescaled to 0-255")
        return out * (255.0 / 65535.0), factor
    if numeric:
        kind = f"{bits}-bit {'float' if mode == 'F' else 'integer'} image"
        if hi == lo:
            notes.append(f"{kind} has the one value {lo:g} everywhere: shown as 0")
            return np.zeros_like(out), factor
        notes.append(f"{kind} stretched from its range {lo:g}–{hi:g} to 0–255")
        return np.clip((out - lo) * 255.0 / (hi - lo), 0.0, 255.0), factor
    return out, factor


def _block_mean(values: NDArray[np.float64], factor: int) -> NDArray[np.float64]:
    """Mean of each ``factor`` x ``factor`` block; edge blocks average what they have.

    Examples
    --------
    >>> _block_mean(np.array([[0.0, 2.0, 9.0], [4.0, 6.0, 9.0]]), 2)
    array([[3., 9.]])
    """
    if factor == 1:
        return values
    h, w = values.shape
    starts_y, starts_x = np.arange(0, h, factor), np.arange(0, w, factor)
    sums = np.add.reduceat(np.add.reduceat(values, starts_y, axis=0), starts_x, axis=1)
    counts = np.outer(np.diff(starts_y, append=h), np.diff(starts_x, append=w))
    return sums / counts


def _fitted(size: tuple[int, int], max_side: int) -> tuple[int, int]:
    """(width, height) scaled so that the longer side is ``max_side``."""
    scale = max_side / max(size)
    return max(1, round(size[0] * scale)), max(1, round(size[1] * scale))


def area_average(
    pixels: NDArray[np.float64],
    size: tuple[int, int],
    block: int = 1,
    extent: tuple[int, int] | None = None,
) -> NDArray[np.float64]:
    """Average over equal areas: each output pixel is the mean of the area it covers.

    Parameters
    ----------
    pixels : ndarray, shape (rows, columns)
        Values, each the mean of ``block`` x ``block`` pixels of an image of
        ``extent`` (width, height); the last row and column of blocks may be
        narrower. By default each value is one pixel.
    size : (int, int)
        Width and height of the result.

    Examples
    --------
    >>> area_average(np.array([[0.0, 2.0, 4.0]]), (2, 1))  # 1 + 1/2 pixels each
    array([[0.66666667, 3.33333333]])
    >>> area_average(np.array([[0.0, 200.0]]), (1, 1), block=2, extent=(3, 1))  # 2 + 1 pixels
    array([[66.66666667]])
    """
    h, w = pixels.shape
    width, height = extent if extent is not None else (w * block, h * block)
    rows = _area_axis(pixels, height, block, size[1])
    return _area_axis(rows.T, width, block, size[0]).T


def _area_axis(values: NDArray[np.float64], n: int, block: int, m: int) -> NDArray[np.float64]:
    """Along axis 0: ``values`` of blocks tiling [0, n) averaged over ``m`` equal parts.

    The integral of the blocks is known at their edges (a cumulative sum of
    mean x width) and linear in between; each part is its difference.
    """
    edges = np.append(np.arange(0, n, block), n).astype(np.float64)
    widths = np.diff(edges)
    integral = np.zeros((len(edges), values.shape[1]))
    np.cumsum(values * widths[:, None], axis=0, out=integral[1:])
    cuts = np.arange(m + 1) * (n / m)
    i = np.clip(np.searchsorted(edges, cuts, side="right") - 1, 0, len(widths) - 1)
    at = integral[i] + ((cuts - edges[i]) / widths[i])[:, None] * (integral[i + 1] - integral[i])
    return np.diff(at, axis=0) / (n / m)


def downsample(pixels: NDArray[np.float64], max_side: int) -> NDArray[np.float64]:
    """Shrink so the longer side is ``max_side``, averaging over areas.

    Examples
    --------
    >>> downsample(np.array([[0.0, 2.0], [4.0, 6.0]]), 1)
    array([[3.]])
    """
    h, w = pixels.shape
    if max(h, w) <= max_side:
        return pixels
    return area_average(pixels, _fitted((w, h), max_side))
