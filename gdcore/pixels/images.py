"""Built-in images made by code: deterministic, nothing downloaded.

Each image is a float64 array of brightness values in [0, 255], shape
``(height, width)``, row 0 at the top. They are chosen to teach: a plane the
model fits exactly, shapes a plane fits well, and shapes it cannot fit at all.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import cast

import numpy as np
from numpy.typing import NDArray

from ..params import SIZE, Choice, Param, Range

DEFAULT_SIZE = SIZE.default
_SIZE_RULE = cast(Range, SIZE.rule)  # Param.rule is typed as any kind of rule
MIN_SIZE, MAX_SIZE = _SIZE_RULE.lo, _SIZE_RULE.hi
NOISE_SEED = 1234


@dataclass(frozen=True)
class BuiltinImage:
    """A named image recipe: ``make(size)`` returns a ``size`` x ``size`` array."""

    name: str
    description: str
    make: Callable[[int], NDArray[np.float64]]

    def __repr__(self) -> str:
        return f"BuiltinImage({self.name!r}: {self.description})"


def _grid(size: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Column and row coordinates scaled to [0, 1], as broadcastable arrays."""
    u = np.linspace(0.0, 1.0, size)
    return u[None, :], u[:, None]


def _plane(size: int) -> NDArray[np.float64]:
    x, y = _grid(size)
    return np.broadcast_to(40.0 + 150.0 * x + 60.0 * y, (size, size)).copy()


def _diagonal(size: int) -> NDArray[np.float64]:
    x, y = _grid(size)
    s = (x + y) / 2.0
    # A smoothstep along the diagonal: close to a plane, but not exactly one.
    return 60.0 + 140.0 * s * s * (3.0 - 2.0 * s)


def _spot(size: int) -> NDArray[np.float64]:
    x, y = _grid(size)
    r2 = (x - 0.5) ** 2 + (y - 0.5) ** 2
    return 20.0 + 220.0 * np.exp(-r2 / (2 * 0.15**2))


def _stripes(size: int) -> NDArray[np.float64]:
    x, _ = _grid(size)
    band = np.floor(x * 8.0 - 1e-9).clip(0) % 2
    return np.broadcast_to(40.0 + 180.0 * band, (size, size)).copy()


def _checkerboard(size: int) -> NDArray[np.float64]:
    x, y = _grid(size)
    cells = (np.floor(x * 6.0 - 1e-9).clip(0) + np.floor(y * 6.0 - 1e-9).clip(0)) % 2
    return 30.0 + 195.0 * cells


def _noise(size: int) -> NDArray[np.float64]:
    rng = np.random.default_rng(NOISE_SEED)
    return rng.uniform(0.0, 255.0, size=(size, size))


def _scene(size: int) -> NDArray[np.float64]:
    x, y = _grid(size)
    sky = 235.0 - 90.0 * y  # bright at the top, darker toward the horizon
    img = np.broadcast_to(sky, (size, size)).copy()
    sun = (x - 0.72) ** 2 + (y - 0.25) ** 2 < 0.11**2
    img[np.broadcast_to(sun, img.shape)] = 255.0
    hill_a = 0.70 + 0.08 * np.cos(2 * np.pi * (x - 0.2))
    hill_b = 0.82 + 0.05 * np.sin(2 * np.pi * x * 1.5)
    img = np.where(y > hill_a, 90.0 - 30.0 * (y - hill_a), img)
    img = np.where(y > hill_b, 55.0 - 20.0 * (y - hill_b), img)
    return np.clip(img, 0.0, 255.0)


BUILTINS: dict[str, BuiltinImage] = {
    b.name: b
    for b in (
        BuiltinImage("plane", "a perfect plane: the model can fit it exactly (E* = 0)", _plane),
        BuiltinImage("diagonal", "a gentle diagonal gradient: a plane fits it closely", _diagonal),
        BuiltinImage("spot", "a bright radial spot: the best plane is nearly flat", _spot),
        BuiltinImage("stripes", "vertical stripes: a plane fits them badly", _stripes),
        BuiltinImage("checkerboard", "a checkerboard: no plane comes close", _checkerboard),
        BuiltinImage("noise", "seeded random noise: only the mean can be learned", _noise),
        BuiltinImage("scene", "a small scene: sky gradient, sun and hills", _scene),
    )
}
IMAGE = Param("image", Choice(tuple(BUILTINS)), "scene", "a built-in image, made by code")


def builtin_image(name: str, size: int = DEFAULT_SIZE) -> NDArray[np.float64]:
    """Make a built-in image.

    Parameters
    ----------
    name : str
        One of ``BUILTINS``.
    size : int
        Side length in pixels, from ``MIN_SIZE`` to ``MAX_SIZE``.

    Returns
    -------
    ndarray of shape (size, size)
        Brightness in [0, 255].

    Raises
    ------
    ValueError
        For an unknown name or a size out of range.

    Examples
    --------
    >>> builtin_image("plane", 3)[0]
    array([ 40., 115., 190.])
    """
    return BUILTINS[IMAGE.check(name)].make(SIZE.check(size)).astype(np.float64)
