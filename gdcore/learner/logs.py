"""A training log read into one error curve, or refused with a reason.

One reader for the page and the command line. It takes what learners have:
numbers typed or pasted; CSV, TSV and semicolon tables (decimal commas, a
UTF-8 BOM, CRLF); Keras and fastai ``CSVLogger`` files, Lightning's sparse
``metrics.csv``, W&B exports; printed lines such as ``Epoch 3/10 … - loss:
0.5321 - val_loss: 0.61``, ``epoch 3: loss 0.53``, ``Epoch 1: loss=0.52`` or Hugging Face's
``{'loss': 0.52, 'epoch': 1.0}``. Lines that start with ``#`` are comments.

The curve is chosen by rule, and the choice is always said (``Log.said``):

1. A column named with ``--column`` (or the page's select box) is used as is.
2. An index (a column named epoch, step, …, or an unnamed column of whole
   numbers rising by a constant step) is never the curve.
3. W&B's ``__MIN`` and ``__MAX`` columns are summaries, never chosen by the rule.
4. The training loss comes before the validation loss; the validation loss is
   used only when there is no training loss, and then the sentence says so.
5. Metrics that are not errors (accuracy, learning rate, time) are never chosen.
6. When the rule cannot decide (two unnamed curves, two training losses), the
   reader refuses and names the candidates (``LogError.candidates``).

pandas' own ``sep=None`` sniffing reads only the first line and takes
``0;2,5`` for two comma-separated cells, so the separator is chosen here, as
the one that splits every line into the same number of cells with the most
columns of numbers; pandas then parses the table with it.
"""

from __future__ import annotations

import csv
import functools
import io
import math
import re
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from ..verdicts.noise import Axis

MAX_VALUES = 1_000_000
"""Values in one curve, at most (a million epochs or logged steps)."""
MAX_BYTES = 24 * MAX_VALUES
"""Bytes of a log, at most: checked before anything is parsed. A million values at up to
24 characters each (what the dashboard's text box holds); a Keras CSV of a million epochs."""
SNIFF_LINES = 200
"""Lines from the start and from the end that choose the separator."""
SEPARATORS = {"\t": "tab", ";": "semicolon", ",": "comma", "|": "bar", " ": "space"}
"""Separators tried, in the order that breaks a tie (" " stands for any run of spaces)."""
MISSING = frozenset({"", "na", "n/a", "none", "null", "#na#", "-"})
"""Cells that mean "nothing logged here" (Lightning's sparse rows): skipped, and counted."""
NA_CELLS = sorted({w for m in MISSING - {""} for w in (m, m.upper(), m.title())} | {""})
"""``MISSING`` as pandas' ``na_values``: pandas parses the columns without them at C speed."""
NAN_WORDS = frozenset({"nan", "-nan", "+nan"})
"""Cells that mean the error was NaN: kept, since a NaN error is a run that blew up."""
INDEX_NAMES = frozenset(
    {"epoch", "epochs", "step", "steps", "global_step", "iteration", "iter", "it", "batch"}
    | {"index", "idx", "round", "update", "updates", "n", "i", "t", "unnamed: 0", "wall_time"}
)
LOSS_WORDS = ("loss", "error", "err", "mse", "cost", "rmse", "mae", "nll")
VALIDATION_WORDS = ("val", "valid", "validation", "eval", "test", "dev")
METRIC_WORDS = frozenset(
    ("acc", "accuracy", "lr", "learning", "rate", "time", "runtime", "second", "seconds", "f1")
    + ("precision", "recall", "auc", "momentum", "score", "top1", "top5", "grad", "norm")
    + ("perplexity", "flos")
)
"""Words of metrics that are no error (a name with a loss word is an error whatever else it has)."""
PLAIN_LOSSES = frozenset({"loss", "error", "err", "mse", "cost", "train_loss", "training_loss"})
"""Names that are the training loss itself, chosen over e.g. ``out1_loss`` beside them."""
_EXACT = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}
"""Correctly rounded, as float() reads it: pandas 2.2's default C parser read 10000.2 one
unit in the last place off (found by the lowest-version run); pandas 3's default is exact
(300,000 values of every magnitude checked against float()) and deprecates the argument."""
ALL = "all"
"""The column name that reads a headerless table's numbers in reading order, as typed."""

_NUM = r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|[+-]?(?:nan|inf(?:inity)?)\b"
_PAIR = re.compile(
    rf"(?<![\w./-])['\"]?(?!(?:nan|inf|infinity)\b)([A-Za-z_][\w./-]*)['\"]?\s*(?:[:=]\s*|\s+)"
    rf"['\"]?({_NUM})['\"]?(?![\w.])",  # transformers 5 quotes its values: 'loss': '2.777'
    re.I,
)
_DECIMAL_COMMA = re.compile(r"^[+-]?\d*,\d+(?:[eE][+-]?\d+)?$")
_DECIMAL_COMMA_IN = re.compile(r"(?<![\d,])\d+,\d+(?![\d,])")
_DECIMAL_POINT = re.compile(r"^[+-]?\d*\.\d+(?:[eE][+-]?\d+)?$")
_FLAT = re.compile(r"[\s,;]+")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?(?:[eE][+-]?\d+)?$")
"""A number with thousands separators: ``12,000.0``, ``1,234,567``."""
_GROUPED_LINE = re.compile(r"^[+-]?\d{1,3}(?:(?:,\d{3}){2,}(?:\.\d+)?|(?:,\d{3})+\.\d+),?$")
"""A line that is one number with thousands separators beyond doubt: two groups, or a point."""
_NAMED = re.compile(r"['\"]?([A-Za-z_][\w./-]*)['\"]?\s*[:=]")
"""A name printed before a value: ``'loss':``, ``loss=``."""
_ONE_COMMA = re.compile(r"^[+-]?\d+,\d+$")
"""``1,5`` or ``1,500``: a decimal comma, a thousands mark or two values."""
_PROGRESS = re.compile(r"(?<![\w/.])(?<!epoch )(?<!epoch)(\d+)/(\d+)(?![\w/.])", re.I)
"""A progress counter, ``3/8`` (a batch of an epoch), not ``Epoch 3/10``."""
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
"""A terminal's colour or cursor code: Keras prints its bar in bold and colour."""
_EPOCH_IN = re.compile(r"\bepoch\s*(\d+)", re.I)
_TUTORIAL = re.compile(r"^\[\s*(\d+),\s*(\d+)\]")
"""PyTorch's tutorial prints ``[epoch, batch] loss: …``."""
_INDEX_STEPS = frozenset({"step", "steps", "global_step", "iteration", "iter", "it", "batch"})
_INDEX_STEPS |= frozenset({"update", "updates", "trainer/global_step"})
"""Index names that count steps (mini-batches), not epochs."""
_WORDS = re.compile(r"[a-z]+")


class LogError(ValueError):
    """A log that cannot be read, or whose curve the rule cannot choose.

    The message is one sentence for the user. ``candidates`` are the columns
    the learner can choose from when the rule could not decide.
    """

    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates


@dataclass(frozen=True, eq=False)  # arrays inside: compare the fields, not the records
class Log:
    """One curve read from a log, and what was read.

    ``values`` are the chosen column's values in order (empty cells skipped);
    ``column`` is its name (None for plain numbers); ``others`` the columns
    left; ``validation`` the validation curve beside it, if there is one;
    ``candidates`` the columns that could be the curve (for a chooser);
    ``said`` one line saying all of it; ``axis`` what the values are counted in
    (steps or epochs, the epoch of each value: the noise-aware verdict reads it);
    ``runs`` the line where each run starts when the file holds more than one
    (appended or resumed), and ``run`` the one read (1-based).
    """

    values: NDArray[np.float64] = field(repr=False)
    column: str | None
    others: tuple[str, ...]
    said: str
    validation: NDArray[np.float64] | None = field(default=None, repr=False)
    validation_column: str | None = None
    candidates: tuple[str, ...] = ()
    axis: Axis = field(default_factory=Axis)
    runs: tuple[int, ...] = ()
    run: int = 1


@dataclass(frozen=True)
class _Column:
    name: str
    values: NDArray[np.float64]  # NaN where missing too; ``present`` tells them apart
    present: NDArray[np.bool_]
    bad: str | None = None  # the first cell that is not a number, as "line N: 'x'"
    numbers: bool = True
    thousands: bool = False  # some cells were written with thousands separators: 12,000.0

    def curve(self) -> NDArray[np.float64]:
        if self.bad is not None:
            raise LogError(f"column {self.name!r}: {self.bad} is not a number.")
        return self.values[self.present]


def read_log(data: bytes | str, column: str | None = None, run: int | None = None) -> Log:
    """Read one error curve from a training log.

    Parameters
    ----------
    data : bytes or str
        The log: a file's bytes or typed text, at most ``MAX_BYTES``.
    column : str, optional
        The column to use, by name (or ``column 2`` in a table without a
        header, or ``all`` for its numbers in reading order). By default the
        rule in this module's docstring chooses.
    run : int, optional
        The run to read (1 for the first) when the file holds several, appended
        or resumed; by default the last.

    Returns
    -------
    Log
        The values, the column, the others, the validation curve and ``said``.

    Raises
    ------
    LogError
        A sentence naming what could not be read, or the candidate columns.

    Examples
    --------
    >>> log = read_log(b"epoch;loss;val_loss\\r\\n0;2,0;2,1\\r\\n1;0,5;0,7\\r\\n")
    >>> log.values.tolist(), log.validation.tolist()
    ([2.0, 0.5], [2.1, 0.7])
    >>> print(log.said)
    read 2 values from column 'loss' of a semicolon-separated table with decimal commas; also found: epoch, val_loss
    >>> print(read_log("Epoch 1: loss=0.52\\nEpoch 2: loss=0.31").said)
    read 2 values of 'loss' from 2 printed lines; also found: Epoch
    """
    text, note = _decode(data)
    text = _ANSI.sub("", text)  # a terminal's colours, saved with a notebook's output
    lines = [line if line[:1] != "#" else "" for line in _lines(text)]  # comments
    if not any(lines):
        raise LogError("the log is empty: give at least two error values.")
    found = _table(lines) or _printed(lines)
    if found is None:
        if column is not None:
            raise LogError(f"no column {column!r}: the log is plain numbers, with no columns.")
        if run not in (None, 1):
            raise LogError(f"no run {run}: the log is plain numbers, one run.")
        log = _plain(lines)
        return replace(log, said=log.said + note)
    columns, how, at, restarts = found
    columns, runs, k = _runs(columns, at, restarts, run)
    log = _choose(columns, how, column, lines)
    said = log.said
    if len(runs) > 1:
        starts = ", ".join(f"{r:,}" for r in runs[:-1]) + f" and {runs[-1]:,}"
        said += (
            f"; the file holds {len(runs)} runs, starting at lines {starts} (the epoch or step "
            f"counts again, or the header repeats): judged run {k} of {len(runs)}"
            + (" (the last)" if run is None else "")
            + "; choose a run to judge another"
        )
    return replace(log, said=said + note, runs=runs if len(runs) > 1 else (), run=k)


def _runs(
    columns: list[_Column], at: list[int], restarts: set[int], run: int | None
) -> tuple[list[_Column], tuple[int, ...], int]:
    """The rows of one run, when the epoch (or step) counts down again or a header repeats.

    Returns the columns cut to the run, the line where each run starts and the run's number.
    """
    starts = set(restarts)
    index = [c for c in columns if c.numbers and _role(c.name) == "index"]
    epochs = [c for c in index if _tail(c.name).startswith("epoch")]
    ahead = np.zeros(len(at), dtype=bool)  # rows where the epoch moved on
    if epochs:
        e = np.where(epochs[0].present, epochs[0].values, np.nan)
        e = pd.Series(e).ffill().to_numpy()
        ahead[1:] = e[1:] > e[:-1]
    for c in index:  # an epoch or a step counting back: a resumed run repeats a stretch
        rows = np.flatnonzero(c.present & np.isfinite(c.values))
        back = rows[1:][np.diff(c.values[rows]) < 0]
        # a batch counter starts again each epoch ("[2,  4] loss: …"): no new run then
        starts |= {int(r) for r in back if any(c is x for x in epochs) or not ahead[r]}
    bounds = sorted(starts - {0})
    if not bounds:
        if run not in (None, 1):
            raise LogError(f"no run {run}: the log holds one run.")
        return columns, (at[0] if at else 1,), 1
    edges = [0, *bounds, len(at)]
    lines = tuple(at[b] for b in edges[:-1])
    k = len(lines) if run is None else run
    if not 1 <= k <= len(lines):
        raise LogError(f"no run {run}: the log holds {len(lines)} runs (1 to {len(lines)}).")
    a, b = edges[k - 1], edges[k]
    cut = [replace(c, values=c.values[a:b], present=c.present[a:b]) for c in columns]
    return cut, lines, k


def _decode(data: bytes | str) -> tuple[str, str]:
    """The text, and a note when it had to be guessed (UTF-16 without a byte-order mark)."""
    size = len(data.encode("utf-8", "replace")) if isinstance(data, str) else len(data)
    if size > MAX_BYTES:
        raise LogError(f"the log is {size:,} bytes; at most {MAX_BYTES:,} are read.")
    if isinstance(data, str):
        if "\x00" in data:
            _nul(data.encode("utf-8", "replace"))
        return data.removeprefix("\ufeff"), ""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):  # Excel's "Unicode text"
        text = _utf16(data, "utf-16")
        if text:
            return text.removeprefix("\ufeff"), ""
    if b"\x00" in data:
        # UTF-16 without a byte-order mark (PowerShell's Out-File, some editors): every
        # other byte of ASCII text is NUL. Read so, and said; any other NUL is refused.
        for name, zeros in (("utf-16-le", data[1::2]), ("utf-16-be", data[0::2])):
            if len(data) % 2 == 0 and zeros.count(0) >= 0.9 * len(zeros):
                text = _utf16(data, name)
                if text:
                    return text, " (read as UTF-16 text without a byte-order mark)"
        _nul(data)
    try:
        return data.decode("utf-8-sig"), ""
    except UnicodeDecodeError as exc:
        raise LogError(f"the log is not UTF-8 text (byte {exc.start + 1} is not).") from None


def _utf16(data: bytes, codec: str) -> str:
    """UTF-16 text if it decodes to mostly ASCII and holds no NUL, else ``""``."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return ""
    ok = "\x00" not in text and sum(c.isascii() for c in text) >= 0.9 * len(text)
    return text if ok else ""


def _nul(data: bytes) -> None:
    k = data.index(0)
    line = data[:k].count(b"\n") + 1
    raise LogError(
        f"the log holds {_cells(data.count(0), 'NUL byte')} (the first is byte {k + 1:,}, on "
        f"line {line:,}), which no text log has: it is binary, or was "
        "cut off while it was written; save it as UTF-8 text."
    )


def _lines(text: str) -> list[str]:
    """The lines as a terminal showed them: CRLF is one break, a lone CR overwrote the line.

    A text with CRs and no LF at all is old Mac line ends: each CR is a break.
    """
    text = text.replace("\r\n", "\n")
    if "\r" not in text:
        return [line.strip() for line in text.split("\n")]
    if "\n" not in text:
        return [line.strip() for line in text.split("\r")]
    return [line.split("\r")[-1].strip() for line in text.split("\n")]


def _plain(lines: list[str]) -> Log:
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
    values = _numbers(tokens, "," if comma else ".")
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
    said = f"read {_cells(len(tokens), 'value')} typed as plain numbers{how}"
    return Log(values.values, None, (), said)


def _grouped_word(text: str) -> str:
    """The first whitespace-free word holding ``d,ddd`` (``""`` if none).

    Found by the digits, then widened to the word's ends: ``\\S*\\d,\\d{3}\\S*`` as one
    pattern backtracks over every start of a long comma-only paste (quadratic: a paste of
    8,000 values took 35 s).

    >>> _grouped_word("a 12,000.0,7 b"), _grouped_word("0.5,0.5")
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
    if spaced and all(_THOUSANDS.match(t) for t in inner):
        if any("." in t or t.count(",") > 1 for t in inner):
            return True
        raise LogError(
            f"{inner[0]!r} could be one number with a thousands separator or a decimal comma, "
            "or two values: write it with a point (1500.0 or 1.5), or separate values "
            "with semicolons when commas are decimal marks."
        )
    unclear = [t for t in inner if _ONE_COMMA.match(t)] if spaced else []
    split = [t for t in _FLAT.split(text) if re.match(r"^[+-]?0\d", t)]  # 12,000 -> 12 and 000
    grouped = _grouped_word(text)
    if unclear or (split and grouped):
        shown = (unclear or [grouped])[0][:30]
        raise LogError(
            f"a comma in {shown!r} could separate two values or mark thousands (or decimals): "
            "separate the values with spaces or new lines, and write each without "
            "thousands separators (12000.0 7200.0)."
        )
    return False


def _numbers(
    cells: list[str], decimal: str, name: str = "", lines: list[int] | None = None
) -> _Column:
    """Cells to floats: missing cells and ``nan`` told apart, the first bad cell named.

    ``lines`` are the cells' line numbers in the log, for the message.
    """
    if decimal == ",":
        cells = [c.replace(",", ".") for c in cells]
    try:  # Python's own float: nan, inf, 1e-05; every cell a number is the common case
        values = np.array(cells, dtype=float)
        return _Column(name, values, np.ones(values.size, dtype=bool))
    except ValueError:
        pass
    text = pd.Series(cells, dtype=object).astype(str).str.strip()
    grouped = text.str.match(_THOUSANDS.pattern) & (decimal == ".")
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
    return _Column(name, values, present, bad, numbers, thousands)


def _float_or_nan(cell: str) -> float:
    try:
        return float(cell)
    except ValueError:
        return math.nan


def _split(line: str, sep: str) -> list[str]:
    if sep == " ":
        return line.split()
    return next(csv.reader([line], delimiter=sep, skipinitialspace=True), [])


def _is_number(cell: str, decimal: str) -> bool:
    c = cell.strip().lower()
    if c in NAN_WORDS:
        return True
    if decimal == ",":
        c = c.replace(",", ".")
    elif _THOUSANDS.match(c):
        c = c.replace(",", "")
    try:
        float(c)
    except ValueError:
        return False
    return True


def _table(lines: list[str]) -> tuple[list[_Column], str, list[int], set[int]] | None:
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
                ragged = f"line {sample[k] + 1} has {_cells(len(cells[k]))} where the header has {width}."
            continue
        commas = any(_DECIMAL_COMMA.match(x) for row in cells for x in row)
        points = any(_DECIMAL_POINT.match(x) for row in cells for x in row)
        decimal = "," if sep != "," and commas and not points else "."
        header = _names(cells[0]) and not any(_is_number(c, decimal) for c in cells[0])
        body = cells[1:] if header else cells
        if not header and (width < 2 or not all(_is_number(c, decimal) for r in body for c in r)):
            continue  # a line of numbers and words is a printed log, not a table
        numeric = sum(
            any(_is_number(r[j], decimal) for r in body)
            and all(_is_number(r[j], decimal) or r[j].lower() in MISSING for r in body)
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
            columns.append(_Column(name, values, ~np.isnan(values)))
        else:  # words in the column: "nan" (kept), "#na#" (skipped) or text (time, names)
            text = cells.astype(object).where(cells.notna(), "").astype(str).tolist()
            columns.append(_numbers(text, decimal, name, numbers))
    how = f"of a {SEPARATORS[sep]}-separated table" if width > 1 else "of a one-column table"
    how += " with decimal commas" if decimal == "," else ""
    how += "" if header else " without a header"
    how += " with thousands separators" if any(c.thousands for c in columns) else ""
    return columns, how, numbers, restarts


def _cells(n: int, thing: str = "cell") -> str:
    return f"{n:,} {thing}" + ("" if n == 1 else "s")


def _names(cells: list[str]) -> bool:
    """Whether a line's cells can be column names: each has a letter and no other separator.

    ``2.0,`` is no name, ``epoch,loss`` split on tabs is two names misread as one, and
    ``loss: 0.5`` is a printed value.
    """
    return all(
        re.search("[A-Za-z]", c) and not re.search("[,;\t|]", c) and not _PAIR.search(c)
        for c in cells
        if c
    )  # "{'loss': 0.93" is a printed value, not a name


def _name(raw: object, j: int, header: bool) -> str:
    text = str(raw).strip()
    return (
        text if header and text and not text.lower().startswith("unnamed:") else f"column {j + 1}"
    )


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


def _printed(lines: list[str]) -> tuple[list[_Column], str, list[int], set[int]] | None:
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
        found = _PAIR.findall(line)
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
            index = [k for k in names if _role(k) == "index"]
            key = index[0] if index and index[0].lower().startswith("epoch") else None
            named = any(_role(k) not in ("index", "other") for k in names)
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
        columns.append(_numbers(cells, ".", k))
    how = f"from {_cells(printed, 'printed line')}"
    if partial:
        how += (
            f" ({_cells(partial, 'partial progress line')} left out: each bar's final line counts)"
        )
    return columns, how, at, set()


@functools.lru_cache(maxsize=4096)
def _role(name: str) -> str:
    """index, summary, validation, loss, metric or other, from a column's name alone."""
    low = re.split(r"\s+-\s+", name.strip().lower())[-1]  # W&B's "run-name - loss"
    if low.endswith(("__min", "__max")):
        return "summary"
    if low.split("/")[-1].lstrip("_") in INDEX_NAMES or low in INDEX_NAMES:
        return "index"
    words = set(_WORDS.findall(low)) | set(re.findall("[a-z]+[0-9]+", low))  # top1
    if any(w in LOSS_WORDS or w.endswith("loss") for w in words):
        return "validation" if words & set(VALIDATION_WORDS) else "loss"
    if words & METRIC_WORDS:
        return "metric"
    return "other"


def _counts(c: _Column) -> bool:
    """Whole numbers rising by one constant step: a counter (epoch, step), not a curve."""
    v = c.values[c.present]
    if v.size < 2 or not np.all(np.isfinite(v)) or np.any(v != np.round(v)):
        return False
    steps = np.diff(np.unique(v))
    return bool(np.all(np.diff(v) >= 0) and steps.size and np.all(steps == steps[0]))


def _choose(columns: list[_Column], how: str, column: str | None, lines: list[str]) -> Log:
    unnamed = all(c.name.startswith("column ") for c in columns)
    roles = {c.name: _role(c.name) for c in columns}
    for c in columns:
        if roles[c.name] == "other" and c.numbers and _counts(c):
            roles[c.name] = "index"
    usable = [c for c in columns if c.numbers and roles[c.name] != "index" and c.present.any()]
    train = [c for c in usable if roles[c.name] == "loss"]
    curves = [c for c in train if c.present.sum() > 1]
    train = curves or train  # one value beside curves is a summary (a trainer's final train_loss)
    valid = [c for c in usable if roles[c.name] == "validation"]
    plain = [c for c in usable if roles[c.name] == "other"]
    candidates = tuple(c.name for c in (train or valid or plain))
    if unnamed and len(candidates) > 1:
        candidates += (ALL,)
    note = ""
    if column is not None:
        if unnamed and column.strip().lower() == ALL:
            return replace(_plain(lines), candidates=candidates)
        chosen = _find(columns, column)
        if not chosen.numbers:
            raise LogError(f"column {chosen.name!r} holds no numbers.", candidates)
    elif len(train) > 1:
        best = [c for c in train if _tail(c.name) in PLAIN_LOSSES]
        best = best or [c for c in train if _tail(c.name).endswith("epoch")]
        if len(best) != 1:
            raise _ambiguous("training losses", train, candidates)
        chosen = best[0]
    elif train:
        chosen = train[0]
    elif valid:
        if len(valid) > 1:
            raise _ambiguous("validation losses", valid, candidates)
        chosen, note = valid[0], " (no training loss was found)"
    elif len(plain) == 1:
        chosen = plain[0]
    elif plain:
        raise _ambiguous("unnamed curves", plain, candidates)
    else:
        what = ", ".join(repr(c.name) for c in columns)
        raise LogError(
            f"no column holds an error: found {what} (counters, metrics or summaries).",
            tuple(c.name for c in columns if c.numbers),
        )
    values = chosen.curve()
    if values.size > MAX_VALUES:
        raise LogError(f"at most {MAX_VALUES:,} values, got {values.size:,}.")
    val = None
    if roles[chosen.name] != "validation":
        beside = [c for c in valid if c is not chosen] if len(valid) == 1 else []
        val = beside[0] if beside else None
    if val is not None and val.bad is not None:  # judged without it, and said
        note += f" (validation {val.name!r} not drawn: {val.bad} is not a number)"
        val = None
    skipped = int((~chosen.present).sum())
    said = f"read {_cells(values.size, 'value')}"
    said += f" from {_shown(chosen.name)} " if "table" in how else f" of {chosen.name!r} "
    said += how + note
    said += f" ({_cells(skipped, 'empty cell')} skipped)" if skipped else ""
    others = tuple(c.name for c in columns if c is not chosen)
    order = ("loss", "validation", "other", "summary")  # a metric is no error: not offered
    choices = tuple(
        c.name
        for role in order
        for c in columns
        if c.numbers and roles[c.name] == role and c.present.any()
    )
    choices += (ALL,) if unnamed and len(choices) > 1 else ()
    said += f"; also found: {', '.join(others)}" if others else ""
    axis = _axis(columns, roles, chosen)
    if axis.unit == "step":
        per = "" if axis.epochs is None else f" over {len(np.unique(axis.epochs)):,} epochs"
        said += f"; the log counts steps ({_cells(values.size, 'value')}{per})"
    return Log(
        values,
        chosen.name,
        others,
        said,
        val.curve() if val is not None else None,
        val.name if val is not None else None,
        choices if len(choices) > 1 else (),
        axis,
    )


def _axis(columns: list[_Column], roles: dict[str, str], chosen: _Column) -> Axis:
    """What the chosen values are counted in, from the index columns beside them.

    Steps when a step column (step, global_step, iteration, …) stands beside the values
    and no epoch column gives one value an epoch, or when epochs repeat (several values an
    epoch) or are fractions (Hugging Face's ``'epoch': 0.25``: the epoch is rounded up).
    """
    rows = chosen.present
    index = [c for c in columns if roles[c.name] == "index" and c.numbers and c is not chosen]
    index = [c for c in index if c.present[rows].all() and np.isfinite(c.values[rows]).all()]
    kind = {c.name: _tail(c.name).split("/")[-1].lstrip("_") for c in index}
    steps = [c for c in index if kind[c.name] in _INDEX_STEPS]
    epochs = [c for c in index if kind[c.name].startswith("epoch")]
    ep = epochs[0].values[rows] if epochs else None
    at = steps[0].values[rows] if steps else None
    if ep is not None:
        if np.any(ep != np.round(ep)):
            ep = np.ceil(ep)
        elif np.unique(ep).size == ep.size:
            return Axis("epoch", None, ep)  # one value an epoch: the step column is beside
    if ep is not None and np.unique(ep).size < ep.size:
        return Axis("step", ep, at)
    return Axis("step" if at is not None else "epoch", None, at)


def _shown(name: str) -> str:
    """``column 'loss'``, or ``column 2`` for a table without a header."""
    return name if name.startswith("column ") else f"column {name!r}"


def _tail(name: str) -> str:
    return re.split(r"\s+-\s+", name.strip().lower())[-1]


def _find(columns: list[_Column], column: str) -> _Column:
    want = column.strip()
    if want.isdigit():
        want = f"column {want}"
    for match in (lambda c: c.name == want, lambda c: c.name.lower() == want.lower()):
        found = [c for c in columns if match(c)]
        if found:
            return found[0]
    names = ", ".join(repr(c.name) for c in columns)
    raise LogError(
        f"no column {column!r}; the columns are {names}.", tuple(c.name for c in columns)
    )


def _ambiguous(what: str, among: list[_Column], candidates: tuple[str, ...]) -> LogError:
    names = ", ".join(repr(c.name) for c in among[:10]) + (", …" if len(among) > 10 else "")
    return LogError(
        f"the log has {len(among)} {what} and the rule cannot choose among them: {names}.",
        candidates,
    )


__all__ = ["ALL", "MAX_BYTES", "MAX_VALUES", "Log", "LogError", "read_log"]
