"""Cells and typed numbers to floats, or a sentence naming the first that is not a number.

Decimal commas and thousands separators are read only where they cannot be misread;
a missing cell is told apart from ``nan`` (a run that blew up).
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from .log_record import MAX_VALUES, Column, Log, LogError, counted

MISSING = frozenset({"", "na", "n/a", "none", "null", "#na#", "-"})
"""Cells that mean "nothing logged here" (Lightning's sparse rows): skipped, and counted."""
NAN_WORDS = frozenset({"nan", "-nan", "+nan"})
"""Cells that mean the error was NaN: kept, since a NaN error is a run that blew up."""

_DECIMAL_COMMA_IN = re.compile(r"(?<![\d,])\d+,\d+(?![\d,])")
_FLAT = re.compile(r"[\s,;]+")
THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][+-]?\d+)?$")
"""A number with thousands separators: ``12,000.0``, ``1,234,567``."""
_NAMED = re.compile(r"['\"]?([A-Za-z_][\w./-]*)['\"]?\s*[:=]")
"""A name printed before a value: ``'loss':``, ``loss=``."""
_ONE_COMMA = re.compile(r"^[+-]?\d+,\d+$")
"""``1,5`` or ``1,500``: a decimal comma, a thousands mark or two values."""


def plain_numbers(lines: list[str]) -> Log:
    """Numbers typed or pasted: separated by commas, semicolons, spaces or new lines.

    Commas are decimal marks only where semicolons or tabs separate the values
    and no number has a decimal point (``2,0; 0,1; 5,0``); the sentence says so.
    """
    text = "\n".join(lines)
    comma = (";" in text or "\t" in text) and "." not in text
    comma = comma and _DECIMAL_COMMA_IN.search(text) is not None
    thousands = False
    if comma:
        tokens = [t for t in re.split(r"[\s;]+", text) if t]
    else:
        thousands = _thousands(text)
        tokens = [
            t for t in (re.split(r",\s+|[\s;]+", text) if thousands else _FLAT.split(text)) if t
        ]
        tokens = [t.replace(",", "") for t in tokens] if thousands else tokens
    if len(tokens) > MAX_VALUES:
        raise LogError(f"at most {MAX_VALUES:,} values, got {len(tokens):,}.")
    values = column_of_cells(tokens, "," if comma else ".")
    bad = np.flatnonzero(~values.present)
    if bad.size:
        shown = tokens[bad[0]] if len(tokens[bad[0]]) <= 20 else tokens[bad[0]][:20] + "..."
        named = list(dict.fromkeys(_NAMED.findall(text)))
        if named:  # printed names without numbers: say which were seen
            seen = ", ".join(repr(n) for n in named[:8]) + (", …" if len(named) > 8 else "")
            raise LogError(
                f"value {bad[0] + 1} is not a number: {shown!r}; the log names {seen}, but "
                "no name is followed by a number.",
                tuple(named[:8]),
            )
        raise LogError(f"value {bad[0] + 1} is not a number: {shown!r}.")
    how = " with decimal commas" if comma else " with thousands separators" if thousands else ""
    said = f"read {counted(len(tokens), 'value')} typed as plain numbers{how}"
    return Log(values.values, None, (), said)


def grouped_word(text: str) -> str:
    """The first whitespace-free word holding ``d,ddd`` (``""`` if none).

    Found by the digits, then widened to the word's ends: ``\\S*\\d,\\d{3}\\S*`` as one
    pattern backtracks over every start of a long comma-only paste (quadratic: a paste of
    8,000 values took 35 s).

    >>> grouped_word("a 12,000.0,7 b"), grouped_word("0.5,0.5")
    ('12,000.0,7', '')
    """
    hit = re.search(r"\d,\d{3}", text)
    if hit is None:
        return ""
    start, end = hit.start(), hit.end()
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return text[start:end]


def _thousands(text: str) -> bool:
    """Whether typed numbers carry thousands separators, read as such; refused when unsure.

    Read when every number with a comma inside is ``\\d{1,3}(,\\d{3})+(\\.\\d+)?`` and the
    values are apart by spaces, new lines or ", " (``12,000.0, 7,200.0``), and one of them
    has a point or two groups (``1,500`` alone could be 1.5 with a decimal comma).
    """
    if not re.search(r"\d,\d", text):
        return False
    tokens = [t for t in re.split(r",\s+|[\s;]+", text) if t]
    inner = [t for t in tokens if re.search(r"\d,\d", t)]
    spaced = len(tokens) > 1
    if spaced and all(THOUSANDS.match(t) for t in inner):
        if any("." in t or t.count(",") > 1 for t in inner):
            return True
        raise LogError(
            f"{inner[0]!r} could be one number with a thousands separator or a decimal comma, "
            "or two values: write it with a point (1500.0 or 1.5), or separate values "
            "with semicolons when commas are decimal marks."
        )
    unclear = [t for t in inner if _ONE_COMMA.match(t)] if spaced else []
    split = [t for t in _FLAT.split(text) if re.match(r"^[+-]?0\d", t)]  # 12,000 -> 12 and 000
    grouped = grouped_word(text)
    if unclear or (split and grouped):
        shown = (unclear or [grouped])[0][:30]
        raise LogError(
            f"a comma in {shown!r} could separate two values or mark thousands (or decimals): "
            "separate the values with spaces or new lines, and write each without "
            "thousands separators (12000.0 7200.0)."
        )
    return False


def column_of_cells(
    cells: list[str], decimal: str, name: str = "", lines: list[int] | None = None
) -> Column:
    """Cells to floats: missing cells and ``nan`` told apart, the first bad cell named.

    ``lines`` are the cells' line numbers in the log, for the message.
    """
    if decimal == ",":
        cells = [c.replace(",", ".") for c in cells]
    try:  # Python's own float: nan, inf, 1e-05; every cell a number is the common case
        values = np.array(cells, dtype=float)
        return Column(name, values, np.ones(values.size, dtype=bool))
    except ValueError:
        pass
    text = pd.Series(cells, dtype=object).astype(str).str.strip()
    grouped = text.str.match(THOUSANDS.pattern) & (decimal == ".")
    thousands = bool(grouped.any())
    if thousands:  # "12,000.0" in a quoted CSV cell: unambiguous, a comma is no decimal mark here
        text = text.where(~grouped, text.str.replace(",", "", regex=False))
    low = text.str.lower()
    missing, nan = low.isin(MISSING).to_numpy(), low.isin(NAN_WORDS).to_numpy()
    # Python's float, cell by cell: correctly rounded (pandas 2.2's to_numeric is not, and
    # read 10000.2 one unit in the last place off), and NaN where a cell is not a number.
    values = np.fromiter(
        (_float_or_nan(c) for c in text.where(~(missing | nan), "nan")), float, len(text)
    )
    failed = ~missing & ~nan & np.isnan(values)
    bad = None
    if failed.any():
        k = int(np.argmax(failed))
        where = f"line {lines[k]}" if lines is not None else f"value {k + 1}"
        bad = f"{where} ({str(cells[k])[:20]!r})"
    present = ~missing & ~failed
    numbers = bad is None or 2 * int(present.sum()) > len(values)  # a text column: time, names
    return Column(name, values, present, bad, numbers, thousands)


def _float_or_nan(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return math.nan


def is_number(cell: str, decimal: str) -> bool:
    """Whether a cell reads as a number (``nan`` too) with this decimal mark."""
    c = cell.strip().lower()
    if c in NAN_WORDS:
        return True
    if decimal == ",":
        c = c.replace(",", ".")
    elif THOUSANDS.match(c):
        c = c.replace(",", "")
    try:
        float(c)
    except ValueError:
        return False
    return True


__all__ = [
    "MISSING",
    "NAN_WORDS",
    "THOUSANDS",
    "column_of_cells",
    "grouped_word",
    "is_number",
    "plain_numbers",
]
