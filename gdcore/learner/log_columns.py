"""Which column of a log is the curve, chosen by rule and said.

A column's role comes from its name (index, loss, validation, metric); the training
loss comes before the validation loss (``logs`` has the whole rule). Here too: the run
read when the file holds several, and what the values are counted in (epochs or steps).
"""

from __future__ import annotations

import functools
import re
from dataclasses import replace

import numpy as np
import pandas as pd

from ..verdicts.noise import Axis
from .log_numbers import plain_numbers
from .log_record import MAX_VALUES, Column, Log, LogError, counted

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
ALL = "all"
"""The column name that reads a headerless table's numbers in reading order, as typed."""

_INDEX_STEPS = frozenset({"step", "steps", "global_step", "iteration", "iter", "it", "batch"})
_INDEX_STEPS |= frozenset({"update", "updates", "trainer/global_step"})
"""Index names that count steps (mini-batches), not epochs."""
_WORDS = re.compile(r"[a-z]+")


def one_run(
    columns: list[Column], at: list[int], restarts: set[int], run: int | None
) -> tuple[list[Column], tuple[int, ...], int]:
    """The rows of one run, when the epoch (or step) counts down again or a header repeats.

    Returns the columns cut to the run, the line where each run starts and the run's number.
    """
    starts = set(restarts)
    index = [c for c in columns if c.numbers and role(c.name) == "index"]
    epochs = [c for c in index if tail(c.name).startswith("epoch")]
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


@functools.lru_cache(maxsize=4096)
def role(name: str) -> str:
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


def _counts(c: Column) -> bool:
    """Whole numbers rising by one constant step: a counter (epoch, step), not a curve."""
    v = c.values[c.present]
    if v.size < 2 or not np.all(np.isfinite(v)) or np.any(v != np.round(v)):
        return False
    steps = np.diff(np.unique(v))
    return bool(np.all(np.diff(v) >= 0) and steps.size and np.all(steps == steps[0]))


def choose_curve(columns: list[Column], how: str, column: str | None, lines: list[str]) -> Log:
    """The curve among ``columns`` (``column`` if named, else by the rule in ``logs``), said.

    ``how`` says how the columns were read (a table, printed lines); ``lines`` are the
    log's lines, read again as plain numbers when ``column`` is ``ALL``.
    """
    unnamed = all(c.name.startswith("column ") for c in columns)
    roles = {c.name: role(c.name) for c in columns}
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
            return replace(plain_numbers(lines), candidates=candidates)
        chosen = _find(columns, column)
        if not chosen.numbers:
            raise LogError(f"column {chosen.name!r} holds no numbers.", candidates)
    elif len(train) > 1:
        best = [c for c in train if tail(c.name) in PLAIN_LOSSES]
        best = best or [c for c in train if tail(c.name).endswith("epoch")]
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
    said = f"read {counted(values.size, 'value')}"
    said += f" from {_shown(chosen.name)} " if "table" in how else f" of {chosen.name!r} "
    said += how + note
    said += f" ({counted(skipped, 'empty cell')} skipped)" if skipped else ""
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
        said += f"; the log counts steps ({counted(values.size, 'value')}{per})"
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


def _axis(columns: list[Column], roles: dict[str, str], chosen: Column) -> Axis:
    """What the chosen values are counted in, from the index columns beside them.

    Steps when a step column (step, global_step, iteration, …) stands beside the values
    and no epoch column gives one value an epoch, or when epochs repeat (several values an
    epoch) or are fractions (Hugging Face's ``'epoch': 0.25``: the epoch is rounded up).
    """
    rows = chosen.present
    index = [c for c in columns if roles[c.name] == "index" and c.numbers and c is not chosen]
    index = [c for c in index if c.present[rows].all() and np.isfinite(c.values[rows]).all()]
    kind = {c.name: tail(c.name).split("/")[-1].lstrip("_") for c in index}
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


def tail(name: str) -> str:
    """A column's name without W&B's run name before it, in lower case: ``run-3 - Loss`` -> ``loss``."""
    return re.split(r"\s+-\s+", name.strip().lower())[-1]


def _find(columns: list[Column], column: str) -> Column:
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


def _ambiguous(what: str, among: list[Column], candidates: tuple[str, ...]) -> LogError:
    names = ", ".join(repr(c.name) for c in among[:10]) + (", …" if len(among) > 10 else "")
    return LogError(
        f"the log has {len(among)} {what} and the rule cannot choose among them: {names}.",
        candidates,
    )


__all__ = [
    "ALL",
    "INDEX_NAMES",
    "LOSS_WORDS",
    "METRIC_WORDS",
    "PLAIN_LOSSES",
    "VALIDATION_WORDS",
    "choose_curve",
    "one_run",
    "role",
]
