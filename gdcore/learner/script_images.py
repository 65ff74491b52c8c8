"""How an exported script makes its image: a built-in's code, or a file's pixels written out.

A built-in is drawn by a small function written into the script (the same arithmetic
as ``gdcore.pixels.images``); an image file's pixels are written out as numbers that
read back exactly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..pixels.images import BUILTINS, NOISE_SEED

_GRID = (
    "    u = np.linspace(0.0, 1.0, size)\n"
    "    x, y = u[None, :], u[:, None]  # each pixel's column and row position, 0 to 1\n"
)
RECIPES = {
    "plane": _GRID + "    return 40.0 + 150.0 * x + 60.0 * y\n",
    "diagonal": _GRID
    + """\
    s = (x + y) / 2.0
    return 60.0 + 140.0 * s * s * (3.0 - 2.0 * s)  # a smoothstep along the diagonal
""",
    "spot": _GRID
    + """\
    r2 = (x - 0.5) ** 2 + (y - 0.5) ** 2  # squared distance from the centre
    return 20.0 + 220.0 * np.exp(-r2 / (2 * 0.15**2))
""",
    "stripes": _GRID
    + """\
    band = np.floor(x * 8.0 - 1e-9).clip(0) % 2  # 8 bands across: 0, 1, 0, 1...
    return np.tile(40.0 + 180.0 * band, (size, 1))  # the same row on every line
""",
    "checkerboard": _GRID
    + """\
    cells = (np.floor(x * 6.0 - 1e-9).clip(0) + np.floor(y * 6.0 - 1e-9).clip(0)) % 2
    return 30.0 + 195.0 * cells  # 6 x 6 cells
""",
    "noise": f"    return np.random.default_rng({NOISE_SEED}).uniform(0.0, 255.0, size=(size, size))\n",
    "scene": _GRID
    + """\
    img = np.tile(235.0 - 90.0 * y, (1, size))  # sky: bright at the top, darker lower down
    img[(x - 0.72) ** 2 + (y - 0.25) ** 2 < 0.11**2] = 255.0  # the sun
    hill_a = 0.70 + 0.08 * np.cos(2 * np.pi * (x - 0.2))
    hill_b = 0.82 + 0.05 * np.sin(2 * np.pi * x * 1.5)
    img = np.where(y > hill_a, 90.0 - 30.0 * (y - hill_a), img)
    img = np.where(y > hill_b, 55.0 - 20.0 * (y - hill_b), img)
    return np.clip(img, 0.0, 255.0)
""",
}
"""Each built-in image's code as the script writes it: the body of ``make_image(size)``,
the same arithmetic as ``gdcore.pixels.images`` (``tests/test_export.py`` holds them equal)."""

_TORCH_GRID = (
    "    u = torch.linspace(0.0, 1.0, size)\n"
    "    x, y = u[None, :], u[:, None]  # each pixel's column and row position, 0 to 1\n"
)
TORCH_RECIPES = {
    "plane": _TORCH_GRID + "    return 40.0 + 150.0 * x + 60.0 * y\n",
    "diagonal": _TORCH_GRID
    + """\
    s = (x + y) / 2.0
    return 60.0 + 140.0 * s * s * (3.0 - 2.0 * s)  # a smoothstep along the diagonal
""",
    "spot": _TORCH_GRID
    + """\
    r2 = (x - 0.5) ** 2 + (y - 0.5) ** 2  # squared distance from the centre
    return 20.0 + 220.0 * torch.exp(-r2 / (2 * 0.15**2))
""",
    "stripes": _TORCH_GRID
    + """\
    band = torch.floor(x * 8.0 - 1e-9).clip(0) % 2  # 8 bands across: 0, 1, 0, 1...
    return (40.0 + 180.0 * band).repeat(size, 1)  # the same row on every line
""",
    "checkerboard": _TORCH_GRID
    + """\
    cells = (torch.floor(x * 6.0 - 1e-9).clip(0) + torch.floor(y * 6.0 - 1e-9).clip(0)) % 2
    return 30.0 + 195.0 * cells  # 6 x 6 cells
""",
    "scene": _TORCH_GRID
    + """\
    img = (235.0 - 90.0 * y).repeat(1, size)  # sky: bright at the top, darker lower down
    img[(x - 0.72) ** 2 + (y - 0.25) ** 2 < 0.11**2] = 255.0  # the sun
    hill_a = 0.70 + 0.08 * torch.cos(2 * torch.pi * (x - 0.2))
    hill_b = 0.82 + 0.05 * torch.sin(2 * torch.pi * x * 1.5)
    img = torch.where(y > hill_a, 90.0 - 30.0 * (y - hill_a), img)
    img = torch.where(y > hill_b, 55.0 - 20.0 * (y - hill_b), img)
    return img.clip(0.0, 255.0)
""",
}
"""The same images in PyTorch, to rounding (``noise`` is NumPy's generator: its pixel
table is written out)."""

MAX_TABLE = 512 * 512
"""The most pixels a script writes out (the dashboard's largest image)."""


@dataclass(frozen=True)
class Image:
    """How the script makes its image: a built-in drawn by code, or a file's pixel table.

    A built-in is ``name`` at ``size``. An image file (``file=True``) gives its
    ``pixels`` as loaded (by ``load_image``, averaged as the run uses them); the
    script writes them out, so it needs neither the file nor gdcore. ``max_side``
    is only for the command line that made it.
    """

    name: str
    size: int | None = None
    max_side: int | None = None
    file: bool = False
    pixels: NDArray[np.float64] | None = field(default=None, compare=False, repr=False)

    def code(self, framework: str = "numpy") -> str:
        """The lines that make ``pixels``, brightness 0-255, row 0 at the top."""
        recipes = RECIPES if framework == "numpy" else TORCH_RECIPES
        if not self.file and self.name in recipes:
            b = BUILTINS[self.name]
            return (
                "def make_image(size):\n"
                f'    """The built-in image {b.name!r} ({docstring_text(b.description)}), size x size."""\n'
                f"{recipes[b.name]}\n\n"
                f"pixels = make_image({self.size})  # brightness 0-255, row 0 at the top"
            )
        pixels = self.pixels if self.file else BUILTINS[self.name].make(self.size or 0)
        if pixels is None:
            raise ValueError("export: an image file needs its pixels.")
        h, w = pixels.shape
        if h * w > MAX_TABLE:
            raise ValueError(
                f"export: the script writes the image's pixel table out, at most "
                f"{MAX_TABLE:,} pixels; this image has {h} x {w} = {h * w:,}: give a "
                "smaller max side (--max-side 512 or less)."
            )
        rows = "\n".join(" ".join(row) for row in _numbers(pixels))
        read = "torch.tensor" if framework == "pytorch" else "np.array"
        return (
            f"# The image {one_line(docstring_text(self.name))} as the run used it: {h} rows of {w}\n"
            "# brightness values (0-255), row 0 at the top, one row a line.\n"
            f'PIXELS = """\n{rows}\n"""\n'
            f"pixels = {read}([float(v) for v in PIXELS.split()]).reshape({h}, {w})"
        )


def _numbers(pixels: NDArray[np.float64]) -> list[list[str]]:
    """Each value as text that reads back exactly: ``255`` for a whole number (all whole:
    an image not averaged), else the shortest repr, ``127.33333333333333``.

    >>> _numbers(np.array([[255.0, 0.1 + 0.2]]))
    [['255.0', '0.30000000000000004']]
    >>> _numbers(np.array([[255.0, 3.0]]))
    [['255', '3']]
    """
    if np.array_equal(pixels, np.round(pixels)):
        return [list(map(str, row)) for row in pixels.astype(np.int64).tolist()]
    return [list(map(repr, row)) for row in pixels.tolist()]


def docstring_text(text: str) -> str:
    r"""Text for the script's docstring: quotes, backslashes and unprintable characters
    of a path would end it or escape in it, so they become ``?`` (the code lines carry
    the exact path as a Python literal).

    >>> print(docstring_text('C:\\photos\\my "best".png'))
    C:?photos?my ?best?.png
    """
    return "".join("?" if c in '"\\' or not c.isprintable() else c for c in text)


def one_line(text: str) -> str:
    """``text`` safe on one comment line: anything unprintable (a new line) becomes ``?``."""
    return "".join(c if c.isprintable() else "?" for c in text)


__all__ = ["MAX_TABLE", "RECIPES", "TORCH_RECIPES", "Image", "docstring_text", "one_line"]
