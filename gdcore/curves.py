"""A learner's own error values, typed in or exported as CSV from their code."""

from __future__ import annotations

import csv
import io
import re

import numpy as np
from numpy.typing import NDArray

MAX_VALUES = 1_000_000
ERROR_COLUMNS = ("error", "loss", "mse", "err", "cost")
_SEPARATORS = re.compile(r"[\s,;]+")


def parse_numbers(text: str) -> NDArray[np.float64]:
    """Numbers separated by commas, semicolons, spaces or new lines.

    ``nan`` and ``inf`` are accepted (a blown-up run prints them).

    Examples
    --------
    >>> parse_numbers("2.0, 0.1\\n5.0 20").tolist()
    [2.0, 0.1, 5.0, 20.0]
    """
    tokens = [tok for tok in _SEPARATORS.split(text.strip()) if tok]
    if len(tokens) > MAX_VALUES:
        raise ValueError(f"errors: at most {MAX_VALUES:,} values, got {len(tokens):,}.")
    values = []
    for i, tok in enumerate(tokens):
        try:
            values.append(float(tok))
        except ValueError:
            shown = tok if len(tok) <= 20 else tok[:20] + "..."
            raise ValueError(f"errors: value {i + 1} is not a number: {shown!r}.") from None
    return np.array(values, dtype=np.float64)


def read_curve_csv(data: bytes) -> NDArray[np.float64]:
    """The error column of a CSV file.

    The column is the first one named error, loss, mse, err or cost (any case);
    without such a header, the last column. A header row is optional.
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValueError("CSV: the file is not UTF-8 text.") from None
    rows = [r for r in csv.reader(io.StringIO(text)) if any(c.strip() for c in r)]
    if not rows:
        raise ValueError("CSV: the file has no rows.")
    header = [c.strip().lower() for c in rows[0]]
    col = next((header.index(n) for n in ERROR_COLUMNS if n in header), None)
    body = rows[1:] if col is not None or not _is_number(rows[0][-1]) else rows
    if col is None:
        col = len(rows[0]) - 1
    cells = []
    for line, r in enumerate(body, start=len(rows) - len(body) + 1):
        if col >= len(r):
            raise ValueError(f"CSV: row {line} has no column {col + 1}.")
        cells.append(r[col])
    return parse_numbers(" ".join(c.strip() or "?" for c in cells))


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
