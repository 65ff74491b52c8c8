"""What a chart of curves draws: thinned series, the error axis (log or linear) and its top.

Honest charts: a log axis never receives zero, negative or non-finite values
(Vega-Lite silently breaks the whole axis on one of them), so ``for_log``
filters them and the caller says how many were hidden. Series are thinned to
about ``MAX_POINTS`` for drawing, keeping each stretch's lowest and highest
value (``keep_shape``); tables and CSV keep every epoch. A run that blows up
climbs to 1e150, which would flatten every other curve, so the error axis
stops at ``VIEW_CAP`` times the largest starting error (``view_cap``) and a
curve that climbs past it is drawn up to that edge, where a mark says at which
epoch it left (``into_view``): the rise is the picture of a rate too large.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

MAX_POINTS = 1200
"""A line keeps at most about this many points: the widest chart's plot is about 1,000
pixels, and ``keep_shape`` keeps each stretch's lowest and highest value, so a picture
drawn from them cannot be told from one drawn from every epoch (Compare at its caps sent
24 runs × 2,000 points)."""


def thin(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread epochs, first and last included."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def keep_shape(values: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most about ``max_points`` values that keep the curve's shape.

    The series is cut into ``max_points // 2`` runs of epochs and each run keeps
    its lowest and its highest value, so a spike or a dip between evenly spread
    epochs is never thinned away; the first and last values always stay, and so
    does the last finite value (where a run blew up).

    >>> keep_shape(np.array([1.0, 1, 9, 1, 1, 1, 1, 1]), 4).tolist()
    [0, 2, 4, 7]
    """
    count = len(values)
    if count <= max_points:
        return np.arange(count)
    curve = np.asarray(values, dtype=float)
    finite = np.isfinite(curve)
    low = np.where(finite, curve, np.inf)
    high = np.where(finite, curve, -np.inf)
    edges = np.unique(np.linspace(0, count, max(max_points // 2, 1) + 1).astype(int))
    starts, sizes = edges[:-1], np.diff(edges)  # every stretch has at least one epoch
    # Each stretch's lowest and highest, all stretches at once (a Python loop over the
    # stretches took 20 ms per run at 20,000 epochs): the first epoch of each stretch
    # that equals its stretch's extreme is the one np.argmin / np.argmax would pick.
    keep = [np.array([0, count - 1])]
    some = np.add.reduceat(finite, starts) > 0
    for side, reduce in ((low, np.minimum), (high, np.maximum)):
        extreme = np.repeat(reduce.reduceat(side, starts), sizes)
        hits = np.flatnonzero(side == extreme)
        keep.append(hits[np.searchsorted(hits, starts[some])])
    if finite.any():
        keep.append(np.flatnonzero(finite)[-1:])
    return np.unique(np.concatenate(keep))


def for_log(df: pd.DataFrame, column: str) -> tuple[pd.DataFrame, int]:
    """Rows whose ``column`` is finite and > 0, and how many were dropped."""
    column_values = df[column].to_numpy(dtype=float)
    ok = np.isfinite(column_values) & (column_values > 0)
    return df[ok], int((~ok).sum())


AUTO_LOG_SPAN = 30.0
"""With the "auto" axis, drawn errors spanning more than this (highest over lowest) get a
log axis: on a linear one most of the values would be squashed into its bottom strip."""


AXES = {"auto": None, "linear": False, "log": True}
"""The error axis choices (``ui.fields.AXIS``) as ``error_view``'s ``log``."""


def auto_log(errors: np.ndarray, cap: float) -> tuple[bool, str]:
    """Whether the "auto" axis is a log one for these errors, and the note that says so.

    The span is taken over what a chart draws: finite values above 0, up to ``cap``.
    """
    drawn = errors[np.isfinite(errors) & (errors > 0) & (errors <= cap)]
    if drawn.size < 2 or drawn.max() <= AUTO_LOG_SPAN * drawn.min():
        return False, ""
    span = drawn.max() / drawn.min()
    said = f"{span:,.0f}×" if span < 1e6 else f"about 10^{np.log10(span):.0f} times"
    return True, (
        f"log axis chosen automatically: the error drawn spans {said} (lowest {drawn.min():.3g}, "
        f"highest {drawn.max():.3g}), which a linear axis would squash into its bottom strip; "
        "pick 'linear' to see it anyway"
    )


def axis_choice(log: bool | None, curves: list[np.ndarray], cap: float) -> tuple[bool, list[str]]:
    """``log`` as given, or for ``None`` ("auto") the choice of ``auto_log`` with its note."""
    if log is not None:
        return log, []
    values = np.concatenate([np.ravel(c) for c in curves]) if curves else np.zeros(0)
    chosen, why = auto_log(values, cap)
    return chosen, [why] if why else []


VIEW_CAP = 10.0
"""The error axis stops at this many times the largest starting error (``view_cap``)."""


def view_cap(errors: np.ndarray) -> float:
    """Top of the error axis: ``VIEW_CAP`` times the largest starting error."""
    start = float(np.nanmax(np.abs(errors[:, 0])))
    return VIEW_CAP * (start if start > 0 else 1.0)


def curves_frame(
    labels: Sequence[str], errors: np.ndarray, images: Sequence[str] | None = None
) -> pd.DataFrame:
    """Long table ``run, epoch, error`` from (R, T+1) errors, thinned per run keeping its shape.

    ``images`` (one name per run) adds ``image`` and ``rate`` columns, so runs
    on several images are told apart by line style and rates by colour.
    """
    parts = []
    for r, label in enumerate(labels):
        idx = keep_shape(errors[r])
        part = pd.DataFrame({"run": label, "epoch": idx, "error": errors[r, idx]})
        if images is not None:
            part = part.assign(image=images[r], rate=label.removeprefix(f"{images[r]} · "))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def named_curves(curves: dict[str, np.ndarray]) -> tuple[pd.DataFrame, float]:
    """Curves of different lengths, each thinned keeping its shape, as one frame, and the
    top of the view: ``VIEW_CAP`` times the largest finite start."""
    df = pd.concat(
        [
            pd.DataFrame({"run": label, "epoch": idx, "error": v[idx]})
            for label, v in curves.items()
            for idx in [keep_shape(v)]
        ],
        ignore_index=True,
    )
    starts = np.array([abs(v[0]) for v in curves.values() if v.size and np.isfinite(v[0])])
    return df, VIEW_CAP * (float(starts.max()) if starts.size and starts.max() > 0 else 1.0)


def into_view(data: pd.DataFrame, cap: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Curves drawn up to the top edge of a view that stops at ``cap``, and where each left it.

    A run that climbs over ``cap`` and never comes back is drawn up to the
    edge (its ``shown`` value is ``cap`` at the first epoch above it) and
    stops there; a run that only spikes over it is drawn along the edge for
    those epochs. The real value stays in ``error`` for tooltips and tables.
    Returns the rows to draw and one row per run that left: run, epoch,
    error, shown and a label saying where it left the chart.
    """
    keep, left = [], []
    for _, run in data.groupby("run", sort=False):
        run = run.sort_values("epoch")
        above = run["error"].to_numpy() > cap
        if not above.any():
            keep.append(run)
            continue
        first = int(np.argmax(above))
        if not (~above[first:]).any():  # it never comes back: stop at the edge
            run = run.iloc[: first + 1]
        run = run.assign(shown=np.minimum(run["shown"].to_numpy(), cap))
        keep.append(run)
        row = run.iloc[first]
        left.append(
            {
                "run": row["run"],
                "epoch": int(row["epoch"]),
                "error": float(row["error"]),
                "shown": cap,
                "label": f"↑ off the chart at epoch {int(row['epoch'])}",
            }
        )
    return pd.concat(keep, ignore_index=True), pd.DataFrame(left)
