"""When a printed value agrees with a curve: to its digits, or within a correct loop's rounding.

A correct loop computing in float64 (NumPy's default) follows the exact curve to
``testing.RTOL``; one computing in float32 (PyTorch's default) to about 3 digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..descent.runs import BLOWUP_ERROR
from ..descent.testing import FLOOR, RTOL
from .printed_errors import Printed


@dataclass(frozen=True)
class Precision:
    """How closely a correct loop computing in one float type follows the exact curve.

    ``rtol`` is its rounding, relative, and ``floor`` as a fraction of the
    starting error (an exact fit's error near 0 is all rounding); ``blown`` the error above which its
    numbers overflow (then any blown-up value agrees with any other), divided by
    the number of pixels when ``per_pixel`` (the sum of the squares overflows first).
    """

    name: str
    rtol: float
    floor: float
    blown: float
    per_pixel: bool = False


SINGLE_DIGITS = 9
"""float32 holds 6 to 9 significant digits: a value printed with more is a float64's,
unless it is exactly a float32 value (``repr(float(x))`` of a float32 ``x``)."""
DOUBLE = Precision("float64", RTOL, FLOOR, BLOWUP_ERROR)
"""NumPy's default: a correct loop agrees to ``testing.RTOL`` (the engine's own test)."""
SINGLE = Precision("float32", 1e-3, 1e-9, 1e37, per_pixel=True)
"""PyTorch's default: a correct float32 loop that converges stays within 1.5e-4 relative
of the exact curve (measured on every built-in image at 16, 64 and 128 pixels, every
scale, rates from 0.3 to 0.9 of the critical rate, 300 epochs); 1e-3 leaves a margin.
A diverging float32 loop can leave the exact curve far sooner (its rounding starts
directions the exact run never moves in), and is then unexplained. Its
squares' sum overflows near 3.4e38, so errors above 1e37 / N count as blown up. Tried only when
nothing explains the numbers in float64, and then said."""


def agreement(
    candidates: NDArray[np.float64],
    values: NDArray[np.float64],
    half: NDArray[np.float64],
    precision: Precision = DOUBLE,
) -> NDArray[np.bool_]:
    """Which printed values each candidate curve explains: (R, count) booleans.

    A value agrees when it is within half a unit of its last printed digit of
    the candidate's value, or within a correct loop's rounding (``rtol``
    relative, ``FLOOR`` of the candidate's starting error). A printed ``inf`` or
    ``nan`` agrees with a candidate past ``precision.blown`` (a loop summing
    the pixels' squares overflows before the mean does); a printed number
    agrees only with a number near it, however large: the digits it shows are
    what any loop said to print it must reproduce.

    >>> agreement(np.array([1.0, 1.75e300, np.inf]), np.array([1.0, 1e300, np.inf]),
    ...           np.array([0.5, 5e299, 0.0])).tolist()
    [[True, False, True]]
    """
    c = np.atleast_2d(candidates)
    with np.errstate(all="ignore"):
        blown_c = ~(c <= precision.blown)
        overflowed = ~np.isfinite(values)
        start = np.abs(np.where(blown_c[:, :1], 0.0, c[:, :1]))
        tol = np.maximum(half, precision.rtol * np.abs(c)) + precision.floor * start
        close = np.isfinite(c) & (np.abs(c - values) <= tol)
    return np.where(overflowed, blown_c, close)


def could_be_single(values: tuple[Printed, ...]) -> bool:
    """False when a value printed with more digits than float32 holds is no float32 number.

    Such a value came from a float64 loop, which gets no single-precision leeway.

    >>> from gdcore.learner.printed_errors import read_printed
    >>> could_be_single(read_printed("0.1 0.25")), could_be_single(read_printed("0.1 0.123456789012"))
    (True, False)
    >>> could_be_single(read_printed(repr(float(np.float32(0.123456789012))) + " 0.5"))
    True
    """
    for p in values:
        digits = re.sub(r"[eE].*$", "", p.text).replace(".", "").lstrip("+-").lstrip("0")
        if len(digits) > SINGLE_DIGITS and float(np.float32(p.value)) != p.value:
            return False  # nan and inf are float32 values too
    return True


__all__ = ["DOUBLE", "SINGLE", "SINGLE_DIGITS", "Precision", "agreement", "could_be_single"]
