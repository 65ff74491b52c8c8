"""A log as a table: the separator chosen here, then the table parsed by pandas with it.

The separator is the one that splits every sampled line into the same cells with the
most columns of numbers.

pandas' own ``sep=None`` sniffing reads only the first line and takes ``0;2,5`` for two
comma-separated cells, hence the choice here.
"""

from __future__ import annotations

import csv
import io
import re

import numpy as np
import pandas as pd

from .log_lines import PAIR
from .log_numbers import MISSING, column_of_cells, is_number
from .log_record import Column, LogError, counted

SNIFF_LINES = 200
"""Lines from the start and from the end that choose the separator."""
SEPARATORS = {"\t": "tab", ";": "semicolon", ",": "comma", "|": "bar", " ": "space"}
"""Separators tried, in the order that breaks a tie (" " stands for any run of spaces)."""
NA_CELLS = sorted({w for m in MISSING - {""} for w in (m, m.upper(), m.title())} | {""})
"""``MISSING`` as pandas' ``na_values``: pandas parses the columns without them at C speed."""
_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
"""Correctly rounded, as float() reads it: pandas 2.2's default C parser read 10000.2 one
unit in the last place off (found by the lowest-version run); pandas 3's default is exact
(300,000 values of every magnitude checked against float()) and deprecates the argument."""

_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_GROUPED_LINE = re.compile(r"^[+-]?\d{1,3}(?:(?:,\d{3}){2,}(?:\.\d+)?|(?:,\d{3})+\.\d+),?$")
"""A line that is one number with thousands separators beyond doubt: two groups, or a point."""


def _split(line: str, sep: str) -> list[str]:
    if sep == " ":
        return line.split()
    return next(csv.reader([line], delimiter=sep, skipinitialspace=True), [])


def read_table(lines: list[str]) -> tuple[list[Column], str, list[int], set[int]] | None:
    """A table: every line the same number of cells, under a header of names or none.

    The separator is the one that gives every sampled line the same number of
    cells and the most columns of numbers (ties go to the first in
    ``SEPARATORS``). Commas are decimal marks when they are not the separator
    and no number has a decimal point. Without a header, every cell must be a
    number and there must be two columns and two lines; otherwise it is no table.
    A line repeating the header (two files appended) starts another run.

    Returns the columns, how the table was read, each row's line number and the rows
    that follow a repeated header.
    """
    rows = [i for i, line in enumerate(lines) if line]
    head = lines[rows[0]] if rows else ""
    again = [i for i in rows[1:] if lines[i] == head and re.search("[A-Za-z]", head)]
    rows = [i for i in rows if i not in set(again)] if again else rows
    if len(rows) < 2:
        return None  # one line is numbers typed in a row, not a table
    sample = sorted(set(rows[:SNIFF_LINES] + rows[-SNIFF_LINES:]))
    best: tuple[int, str, str, bool] | None = None
    ragged: str | None = None  # a header of names, and lines that do not fit it
    grouped = any(_GROUPED_LINE.match(lines[i]) for i in sample)
    for sep in SEPARATORS:
        if sep == "," and grouped:
            continue  # 1,234,567 on a line is one number with thousands separators
        cells = [[x.strip() for x in _split(lines[i], sep)] for i in sample]
        width = len(cells[0])
        if any(len(c) != width for c in cells):
            same = sum(len(c) == width for c in cells)
            if ragged is None and width >= 2 and 2 * same > len(cells) and _names(cells[0]):
                k = next(j for j, c in enumerate(cells) if len(c) != width)
                ragged = f"line {sample[k] + 1} has {counted(len(cells[k]))} where the header has {width}."
            continue
        commas = any(_DECIMAL_COMMA.match(x) for row in cells for x in row)
        points = any(_DECIMAL_POINT.match(x) for row in cells for x in row)
        decimal = "," if sep != "," and commas and not points else "."
        header = _names(cells[0]) and not any(is_number(c, decimal) for c in cells[0])
        body = cells[1:] if header else cells
        if not header and (width < 2 or not all(is_number(c, decimal) for r in body for c in r)):
            continue  # a line of numbers and words is a printed log, not a table
        numeric = sum(
            any(is_number(r[j], decimal) for r in body)
            and all(is_number(r[j], decimal) or r[j].lower() in MISSING for r in body)
            for j in range(width)
        )
        if numeric and (best is None or numeric > best[0]):
            best = (numeric, sep, decimal, header)
    if best is None and ragged is not None:
        raise LogError(ragged)
    if best is None:
        return None
    _, sep, decimal, header = best
    data_rows = rows[1:] if header else rows
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(lines[i] for i in rows)),
            sep=r"\s+" if sep == " " else sep,
            header=0 if header else None,
            decimal=decimal,
            keep_default_na=False,
            na_values=NA_CELLS,
            skipinitialspace=True,
            index_col=False,
            engine="c",
            **_EXACT,
        )
    except (pd.errors.ParserError, ValueError) as exc:
        detail = str(exc).strip().rstrip(".")
        raise LogError(f"the table's lines do not all have the same cells ({detail}).") from None
    width = frame.shape[1]
    for i in data_rows:  # a short line: its missing cells would read as empty ones
        line = lines[i]
        if (line.count(sep) < width - 1 and '"' not in line) if sep != " " else False:
            raise LogError(f"line {i + 1} has fewer cells than the table's {width} columns.")
    if sep == " " and frame.isna().to_numpy().any():  # spaces cannot leave a cell empty
        short = data_rows[int(np.argmax(frame.isna().to_numpy().any(axis=1)))] + 1
        raise LogError(f"line {short} has fewer cells than the table's {width} columns.")
    numbers = [i + 1 for i in data_rows]
    restarts = set()
    for a in again:
        later = [k for k, i in enumerate(data_rows) if i > a]
        restarts |= {later[0]} if later else set()
    names = [_name(c, j, header) for j, c in enumerate(frame.columns)]
    columns = []
    for c, name in zip(frame.columns, names, strict=True):
        cells = frame[c]
        if pd.api.types.is_numeric_dtype(cells.dtype) and not pd.api.types.is_bool_dtype(cells):
            values = cells.to_numpy(dtype=float)  # parsed by pandas: NaN is an empty cell
            columns.append(Column(name, values, ~np.isnan(values)))
        else:  # words in the column: "nan" (kept), "#na#" (skipped) or text (time, names)
            text = cells.astype(object).where(cells.notna(), "").astype(str).tolist()
            columns.append(column_of_cells(text, decimal, name, numbers))
    how = f"of a {SEPARATORS[sep]}-separated table" if width > 1 else "of a one-column table"
    how += " with decimal commas" if decimal == "," else ""
    how += "" if header else " without a header"
    how += " with thousands separators" if any(c.thousands for c in columns) else ""
    return columns, how, numbers, restarts


def _names(cells: list[str]) -> bool:
    """Whether a line's cells can be column names: each has a letter and no other separator.

    ``2.0,`` is no name, ``epoch,loss`` split on tabs is two names misread as one, and
    ``loss: 0.5`` is a printed value.
    """
    return all(
        re.search("[A-Za-z]", c) and not re.search("[,;\t|]", c) and not PAIR.search(c)
        for c in cells
        if c
    )  # "{'loss': 0.93" is a printed value, not a name


def _name(raw: object, j: int, header: bool) -> str:
    text = str(raw).strip()
    return (
        text if header and text and not text.lower().startswith("unnamed:") else f"column {j + 1}"
    )


__all__ = ["NA_CELLS", "SEPARATORS", "SNIFF_LINES", "read_table"]
