"""The image a page works on: its cache key, its label, its pixels and its pixel table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

import gdcore
from ui import cached


@dataclass(frozen=True)
class ImageChoice:
    """The image a page works on: a cache key, a label, its pixels and notes."""

    key: tuple
    label: str
    pixels: np.ndarray = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()


def builtin_choice(name: str, size: int) -> ImageChoice:
    """A built-in image at ``size`` × ``size`` pixels, keyed by its name and size."""
    return ImageChoice(
        ("builtin", name, size), f"{name} ({size}×{size})", cached.builtin_pixels(name, size)
    )


def table_for(choice: ImageChoice, scale: str) -> gdcore.PixelTable:
    """The pixel table ``[1, x, y]`` → brightness of the chosen image, inputs on ``scale``."""
    return gdcore.pixel_table(choice.pixels, scale)
