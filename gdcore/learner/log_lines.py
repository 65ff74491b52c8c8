"""Printed training lines read as records of ``name: value`` pairs, merged by epoch.

``Epoch 3/10 … - loss: 0.53``, ``epoch 3: loss 0.53``, Hugging Face's
``{'loss': 0.52, 'epoch': 1.0}``, PyTorch's tutorial's ``[2,  2000] loss: 1.234``;
a progress bar's partial lines are left out.
"""

from __future__ import annotations

import re

from .log_columns import role
from .log_numbers import column_of_cells
from .log_record import MAX_VALUES, Column, LogError, counted

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf(?:inity)?)\b"
PAIR = re.compile(
    rf"(?<![\w./-])['\"]?(?!(?:nan|inf|infinity)\b)([A-Za-z_][\w./-]*)['\"]?\s*(?:[:=]\s*|\s+)"
    rf"['\"]?({_NUM})['\"]?(?![\w.])",  # transformers 5 quotes its values: 'loss': '2.777'
    re.I,
)
_PROGRESS = re.compile(r"(?<![\w/.])(?<!epoch )(?<!epoch)(\d+)/(\d+)(?![\w/.])", re.I)
"""A progress counter, ``3/8`` (a batch of an epoch), not ``Epoch 3/10``."""
_EPOCH_IN = re.compile(r"\bepoch\s*(\d+)", re.I)
_TUTORIAL = re.compile(r"^\[\s*(\d+),\s*(\d+)\]")
"""PyTorch's tutorial prints ``[epoch, batch] loss: …``."""


def _final_progress(lines: list[str]) -> list[str]:
    """Lines with each progress bar's partial lines blanked: its final line stays.

    A captured Keras or tqdm bar whose ``\\r`` became new lines prints ``1/8 … loss: 0.9``,
    ``2/8 …`` up to ``8/8 …`` for one epoch: a line is partial when the next line with
    text counts on the same bar (the same total and epoch, not counting again from 0 or
    1; Keras draws ``16/16`` once more with the validation loss).
    """
    if not any("/" in line for line in lines):
        return lines  # no counter anywhere: the common case, a million plain lines at C speed
    out = list(lines)
    last: tuple[int, int, int, str] | None = None  # line, count, total, epoch of the last bar
    for i, line in enumerate(lines):
        if not line:
            continue
        m = _PROGRESS.search(line)
        if m is None:
            last = None
            continue
        k, n = int(m.group(1)), int(m.group(2))
        epoch = _EPOCH_IN.search(line)
        bar = (i, k, n, epoch.group(1) if epoch else "")
        # The same bar: same total, same epoch (tqdm writes "Epoch 3:"), and not counting
        # from the start again. Keras's count can step back by one (9/16, then 8/16).
        if last is not None and last[2:] == bar[2:] and not (k < last[1] and k <= 1):
            out[last[0]] = ""
        last = bar if k <= n else None
    return out


def read_printed_lines(lines: list[str]) -> tuple[list[Column], str, list[int], set[int]] | None:
    """Printed lines of ``name: value`` pairs: one record per line, merged by epoch.

    ``Epoch 3/10`` on a line of its own is the epoch of the lines after it (Keras).
    Lines that name no error or metric (``Train on 60000 samples``) are left
    out when other lines do. Records are merged by epoch when each epoch
    prints each name once (train and validation on separate lines).
    """
    records: list[tuple[tuple[str, ...], tuple[str, ...], bool, int]] = []  # ..., line
    shapes: dict[tuple[str, ...], tuple[str | None, bool, bool]] = {}
    epoch_key: str | None = None
    epoch = ""
    final = _final_progress(lines)
    partial = sum(1 for a, b in zip(lines, final, strict=True) if a != b)
    for number, line in enumerate(final, start=1):
        found = PAIR.findall(line)
        tutorial = line[:1] == "[" and found and _TUTORIAL.match(line)
        if tutorial:  # PyTorch's tutorial: "[2,  2000] loss: 1.234"
            found = [("epoch", tutorial.group(1)), ("batch", tutorial.group(2)), *found]
        if not found:
            continue
        pairs = dict(found)
        if len(pairs) < len(found):  # a name twice on a line: its first value, in order
            first = dict(reversed(found))
            pairs = {k: first[k] for k in pairs}
        names = tuple(pairs)
        shape = shapes.get(names)
        if shape is None:
            index = [k for k in names if role(k) == "index"]
            key = index[0] if index and index[0].lower().startswith("epoch") else None
            named = any(role(k) not in ("index", "other") for k in names)
            shape = shapes[names] = (key, len(index) == len(names), named)
        key, only_index, named = shape
        if key is not None:
            epoch_key, epoch = key, pairs[key]
        if only_index:
            continue  # "Epoch 3/10" on a line of its own: the epoch of what follows
        if epoch_key is not None and epoch_key not in pairs:
            names, values = (epoch_key, *names), (epoch, *pairs.values())
        else:
            values = tuple(pairs.values())
        records.append((names, values, named, number))
    if any(r[2] for r in records):
        records = [r for r in records if r[2]]
    if not records:
        return None
    printed = len(records)
    table = [(n, v) for n, v, _, _ in records]
    at = [r[3] for r in records]
    epochs = [v[n.index(epoch_key)] if epoch_key in n else None for n, v in table]
    if epoch_key is not None and None not in epochs and len(set(epochs)) < len(epochs):
        merged: dict[str | None, dict[str, str]] = {}
        starts: dict[str | None, int] = {}
        for (n, v), line_no in zip(table, at, strict=True):
            row = merged.setdefault(v[n.index(epoch_key)], {})
            starts.setdefault(v[n.index(epoch_key)], line_no)
            if any(k in row for k in n if k != epoch_key):
                break  # an epoch prints a name twice (per batch, or two runs): keep every line
            row.update(zip(n, v, strict=True))
        else:
            table = [(tuple(r), tuple(r.values())) for r in merged.values()]
            at = list(starts.values())
    if len(table) > MAX_VALUES:
        raise LogError(f"at most {MAX_VALUES:,} values, got {len(table):,} printed records.")
    keys = list(dict.fromkeys(k for n, _ in table for k in n))
    where = {n: {k: j for j, k in enumerate(n)} for n in {n for n, _ in table}}
    columns = []
    for k in keys:
        cells = [v[where[n][k]] if k in where[n] else "" for n, v in table]
        columns.append(column_of_cells(cells, ".", k))
    how = f"from {counted(printed, 'printed line')}"
    if partial:
        how += (
            f" ({counted(partial, 'partial progress line')} left out: each bar's final line counts)"
        )
    return columns, how, at, set()


__all__ = ["PAIR", "read_printed_lines"]
