"""The errors a learner's loop printed, read with the digits they were printed with.

Each value keeps half a unit of its last printed digit, so a check can ask a loop to
reproduce exactly what was shown.

Plain numbers keep their text; a table or a training log goes through
``gdcore.learner.logs.read_log``. A number beyond float64 (``1e309``) is refused: no
loop prints it.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from .logs import read_log

MAX_VALUES = 100_001
"""At most this many printed errors: epochs 0 to ``params.MAX_EPOCHS``."""
LARGEST = float(np.finfo(np.float64).max)
"""The largest float64 (about 1.8e308): a loop cannot print a finite number above it."""

_TOKEN = re.compile(r"[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_HUGE = re.compile(r"(?<![\w.])\d*\.?\d+[eE]\+?\d{3,}")
"""A number whose exponent has three digits or more: maybe beyond float64's range."""
_SEPARATORS = re.compile(r"[\s,;\[\]]+")
_WRAPPER = re.compile(r"\b(?:np\.float(?:64|32|16)|numpy\.float(?:64|32)|tensor)\(([^()]*)\)")
"""``np.float64(0.25)`` and ``tensor(0.25)``, as numpy 2 and PyTorch print a list of errors."""


@dataclass(frozen=True)
class Printed:
    """One printed error: its text, its value, and half a unit of its last digit."""

    text: str
    value: float
    half_unit: float


def half_unit(text: str) -> float:
    """Half a unit of the last printed digit of a number (0 for nan, inf or an odd spelling).

    >>> half_unit("0.5321"), half_unit("5.3e-03"), half_unit("20"), half_unit("1e999")
    (5e-05, 5e-05, 0.5, inf)
    """
    m = _TOKEN.fullmatch(text.strip())
    if m is None or not (m.group(1) or m.group(2)):
        return 0.0
    decimals = len(m.group(2) or "")
    exponent = m.group(3) or "0"
    if len(exponent.lstrip("+-")) > 6:  # no float is so large or small
        return 0.0 if exponent.startswith("-") else math.inf
    try:
        return 0.5 * 10.0 ** (int(exponent) - decimals)
    except OverflowError:  # beyond float64: the value itself is refused by ``printed``
        return math.inf


class BeyondRange(ValueError):
    """A printed number beyond float64's range: refused, never read as something else."""


def printed(tokens: list[str]) -> tuple[Printed, ...]:
    """The printed errors from their texts, digits kept; ``ValueError`` naming a bad one.

    A number beyond float64's range (``1e309``) is refused: no loop prints it (an
    overflowing loop prints ``inf``).

    >>> printed(["0.5", "1e309"])
    Traceback (most recent call last):
    ...
    gdcore.learner.printed_errors.BeyondRange: errors: value 2, 1e309, is beyond the range of a float (at most 1.8e+308): no loop prints it; a loop whose error overflows prints inf.
    """
    if len(tokens) > MAX_VALUES:
        raise ValueError(f"errors: at most {MAX_VALUES:,} values, got {len(tokens):,}.")
    out = []
    for i, tok in enumerate(tokens):
        shown = tok if len(tok) <= 20 else tok[:20] + "..."
        try:
            v = float(tok)
        except ValueError:
            raise ValueError(f"errors: value {i + 1} is not a number: {shown!r}.") from None
        if math.isinf(v) and _TOKEN.fullmatch(tok.strip()) is not None:
            raise BeyondRange(
                f"errors: value {i + 1}, {shown}, is beyond the range of a float (at most "
                f"{LARGEST:.2g}): no loop prints it; a loop whose error overflows prints inf."
            )
        if v < 0:
            raise ValueError(f"errors: a squared error cannot be negative, got {tok} at epoch {i}.")
        out.append(Printed(tok, v, half_unit(tok)))
    if len(out) < 2:
        raise ValueError(f"errors: give at least two numbers, epoch 0 first, got {len(out)}.")
    return tuple(out)


def read_printed(text: str) -> tuple[Printed, ...]:
    """Numbers separated by commas, semicolons, spaces or new lines, as printed.

    A list printed by Python is read too: brackets are separators, and
    ``np.float64(0.25)`` or ``tensor(0.25)`` is the number inside.

    >>> [p.half_unit for p in read_printed("0.25, 0.1250\\n3e-2")]
    [0.005, 5e-05, 0.005]
    >>> [p.text for p in read_printed("[np.float64(0.5), np.float64(0.25)]")]
    ['0.5', '0.25']
    """
    text = _WRAPPER.sub(r" \1 ", text)
    return printed([t for t in _SEPARATORS.split(text.strip()) if t])


LOG_DIGITS = "digits taken from the values read, so a 0 printed last is not counted"
"""What a log read by ``gdcore.learner.logs`` loses: the reader returns numbers, not their text."""


@dataclass(frozen=True)
class Printout:
    """A loop's printed errors as read: the values, a sentence saying what was read, and the
    name its log gives them (Keras's ``loss``; None for plain numbers), for the chart's axis."""

    values: tuple[Printed, ...]
    said: str
    column: str | None = None


def read_printout(data: str | bytes, column: str | None = None) -> Printout:
    """The printed errors, what was read, and the column they came from.

    Plain numbers (``read_printed``) keep their printed digits. Anything else,
    a table or a training log, goes through ``gdcore.learner.logs.read_log`` (the same
    reader as Diagnose, with its rule for the column); its numbers' digits are
    their shortest spelling, which a trailing 0 printed does not survive.

    Parameters
    ----------
    data : str or bytes
        Numbers as printed, or a log (text or a file's bytes).
    column : str, optional
        The log's column to read (``read_log``'s); by default plain numbers
        first, then the log's rule.

    Returns
    -------
    Printout
        The values with their digits, ``said``, and ``column``: the log's
        name for them (None for plain numbers).

    Raises
    ------
    ValueError
        A sentence naming the bad value (``BeyondRange`` for one beyond float64),
        or ``LogError`` naming what in the log could not be read.

    Examples
    --------
    >>> found = read_printout("epoch,loss\\n0,0.50\\n1,0.25\\n")
    >>> [v.text for v in found.values], found.column, found.said.split(";")[0]
    (['0.5', '0.25'], 'loss', "read 2 values from column 'loss' of a comma-separated table")
    >>> read_printout("0.50 0.25").column is None
    True
    """
    text = data.decode("utf-8-sig", errors="replace") if isinstance(data, bytes) else data
    if column is None:
        try:
            values = read_printed(text)
        except BeyondRange:
            raise
        except ValueError:
            pass
        else:
            return Printout(values, f"read {len(values)} values as printed")
    for m in _HUGE.finditer(text):  # the log reader would read it as inf: refuse it instead
        if math.isinf(float(m.group())):
            printed(["0", m.group()])  # raises BeyondRange, naming it
    log = read_log(data, column)
    found = printed([repr(float(v)) for v in log.values])
    return Printout(found, f"{log.said} ({LOG_DIGITS})", log.column)


def read_errors(data: str | bytes, column: str | None = None) -> tuple[tuple[Printed, ...], str]:
    """The printed errors and a sentence saying what was read: ``read_printout`` without
    the column's name.

    >>> values, said = read_errors("epoch,loss\\n0,0.50\\n1,0.25\\n")
    >>> [v.text for v in values], said.split(";")[0]
    (['0.5', '0.25'], "read 2 values from column 'loss' of a comma-separated table")
    """
    found = read_printout(data, column)
    return found.values, found.said


__all__ = [
    "LARGEST",
    "LOG_DIGITS",
    "MAX_VALUES",
    "BeyondRange",
    "Printed",
    "Printout",
    "half_unit",
    "printed",
    "read_errors",
    "read_printed",
    "read_printout",
]
