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

from dataclasses import replace

from .log_bytes import ANSI, decode_log, text_lines
from .log_columns import choose_curve, one_run
from .log_lines import read_printed_lines
from .log_numbers import plain_numbers
from .log_record import Log, LogError
from .log_tables import read_table


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
    text, note = decode_log(data)
    text = ANSI.sub("", text)  # a terminal's colours, saved with a notebook's output
    lines = [line if line[:1] != "#" else "" for line in text_lines(text)]  # comments
    if not any(lines):
        raise LogError("the log is empty: give at least two error values.")
    found = read_table(lines) or read_printed_lines(lines)
    if found is None:
        if column is not None:
            raise LogError(f"no column {column!r}: the log is plain numbers, with no columns.")
        if run not in (None, 1):
            raise LogError(f"no run {run}: the log is plain numbers, one run.")
        log = plain_numbers(lines)
        return replace(log, said=log.said + note)
    columns, how, at, restarts = found
    columns, runs, k = one_run(columns, at, restarts, run)
    log = choose_curve(columns, how, column, lines)
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


# Log and LogError live in log_record; they are named here too because they are what read_log
# returns and raises, the reader's public API (and gdcore's: ``gdcore.Log``, ``gdcore.LogError``).
__all__ = ["Log", "LogError", "read_log"]
