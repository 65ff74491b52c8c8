"""Batch noise told from a trend: a noisy curve is judged by its trend, as TensorBoard shows it.

A loss logged per step (a mini-batch of 32 images) scatters around its trend: one batch is
easier than the next. The lesson's "jumps, spikes" are a climb of the *trend*, not that
scatter, so a curve with more values than epochs, or whose values zig-zag, is judged here:

1. The trend: the mean of each epoch's values when the log says which epoch each value
   belongs to (``Axis.epochs``, at least ``diagnosis.MIN_SHAPE_POINTS`` epochs); otherwise an exponential moving average (EMA), debiased
   like TensorBoard's smoothing slider, whose weight keeps about ``WINDOW_SHARE`` of the
   values in its window (between ``MIN_WEIGHT`` and ``MAX_WEIGHT``; the sentence states it).
2. The noise: how far one value strays from the next, beyond the trend: the robust
   standard deviation ``1.4826 × median |Δ − median Δ| / √2`` of the point-to-point
   changes Δ, shown as "±x around the trend".
3. Any NaN or infinite value: **too large**. The trend climbing above its lowest value so
   far by more than the curve rules allow (``diagnosis.RISE_TOLERANCE`` and
   ``NOISE_SHARE``) *and* by more than ``NOISE_BAND`` times the noise: **too large**; so is
   a trend whose last quarter all stays that far up.
4. A trend that fell by less than ``diagnosis.MIN_DROP`` of its start, or by less than the
   noise (and twice the scatter of its first and last values): **too small**. A trend whose last quarter still removed over
   ``diagnosis.STILL_FALLING`` of its fall: **too small**. Otherwise **good**: it falls with
   batch noise.

A curve is *scattered* (judged here although the log did not say it counts steps) when it
has at least ``MIN_POINTS`` values and its direction changes between at least
``TURN_SHARE`` of consecutive changes: a falling or a diverging curve without noise turns
almost never; independent noise around a flat trend turns two times in three.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .diagnosis import (
    BIG_STEP,
    GOOD,
    MIN_DROP,
    MIN_SHAPE_POINTS,
    NOISE_SHARE,
    RISE_TOLERANCE,
    SMALL_STEP,
    STILL_FALLING,
    TAIL_SHARE,
    TOO_LARGE,
    TOO_SMALL,
    Diagnosis,
    _fmt,
    _pct,
    _suggest,
)

MIN_POINTS = 20
"""Fewer values than this are too few to tell scatter from a trend."""
TURN_SHARE = 1 / 3
"""A curve whose direction changes between at least a third of its steps is scattered."""
WINDOW_SHARE = 0.05
"""The EMA's window (``1 / (1 − weight)`` values) is about 5% of the curve..."""
MIN_WEIGHT, MAX_WEIGHT = 0.6, 0.99
"""...with a weight between TensorBoard's default smoothing 0.6 and 0.99."""
NOISE_BAND = 1.0
"""A climb or a fall of the trend counts only when larger than 1× the noise."""
MAD_SIGMA = 1.4826
"""A median absolute deviation times this is a standard deviation for normal noise."""


@dataclass(frozen=True, eq=False)
class Axis:
    """What a log says its values are counted in.

    ``unit`` is ``"step"`` when each value is one logged (mini-batch) step and
    ``"epoch"`` otherwise; ``epochs`` the epoch of each value, when the log
    names it and has more values than epochs; ``at`` the log's own step (or
    epoch) number of each value, for the sentences.
    """

    unit: str = "epoch"
    epochs: NDArray[np.float64] | None = field(default=None, repr=False)
    at: NDArray[np.float64] | None = field(default=None, repr=False)


@dataclass(frozen=True, eq=False)
class Trend:
    """A noisy curve's trend and noise.

    ``x`` are the trend's positions on the raw values' axis (value indices, or
    the log's ``Axis.at``); ``values`` the trend there; ``labels`` what the
    sentences call each trend value (an epoch, or a step number); ``unit`` the
    word for them; ``noise`` the scatter's standard deviation; ``how`` the
    smoothing in words; ``count`` the raw values it summarises; ``sizes`` how many
    values each trend value averages (an EMA's effective count): its own scatter is
    ``noise / √size``.
    """

    x: NDArray[np.float64] = field(repr=False)
    values: NDArray[np.float64] = field(repr=False)
    labels: NDArray[np.float64] = field(repr=False)
    unit: str
    noise: float
    how: str
    count: int
    sizes: NDArray[np.float64] | None = field(default=None, repr=False)


def ema_weight(n: int) -> float:
    """The EMA weight for ``n`` values: a window of about ``WINDOW_SHARE`` of them, 2 digits.

    >>> ema_weight(100), ema_weight(400), ema_weight(100_000)
    (0.8, 0.95, 0.99)
    """
    window = max(1.0, WINDOW_SHARE * n)
    return round(min(MAX_WEIGHT, max(MIN_WEIGHT, 1 - 1 / window)), 2)


def ema(values: NDArray[np.float64], weight: float) -> NDArray[np.float64]:
    """TensorBoard's smoothing: an EMA, debiased so that its start is the first value.

    >>> ema(np.array([1.0, 0.0, 0.0]), 0.5).round(4).tolist()
    [1.0, 0.3333, 0.1429]
    """
    out = np.empty(values.size)
    last, norm = 0.0, 0.0
    for k, v in enumerate(values):
        last = weight * last + (1 - weight) * v
        norm = weight * norm + (1 - weight)
        out[k] = last / norm
    return out


def noise_level(values: NDArray[np.float64]) -> float:
    """The scatter's standard deviation from point-to-point changes, robust to the trend.

    >>> rng = np.random.default_rng(0)
    >>> round(noise_level(np.linspace(5, 1, 10_000) + rng.normal(0, 0.1, 10_000)), 2)
    0.1
    """
    d = np.diff(values)
    if d.size == 0:
        return 0.0
    return float(MAD_SIGMA * np.median(np.abs(d - np.median(d))) / math.sqrt(2))


def scattered(values: NDArray[np.float64]) -> bool:
    """Whether a curve zig-zags: ``MIN_POINTS`` values or more, turning at ``TURN_SHARE``.

    >>> scattered(np.linspace(2, 1, 50)), scattered(1 + 0.1 * (-1.0) ** np.arange(50))
    (False, True)
    """
    if values.size < MIN_POINTS or not np.isfinite(values).all():
        return False
    d = np.sign(np.diff(values))
    d = d[d != 0]
    if d.size < 2:
        return False
    return bool(np.mean(d[1:] != d[:-1]) >= TURN_SHARE)


def trend_of(values: NDArray[np.float64], axis: Axis) -> Trend | None:
    """The trend a noisy curve is judged by, or None for a curve judged as it is.

    Per-epoch means when ``axis.epochs`` gives more values than epochs; an EMA
    when the log counts steps or the curve is ``scattered``; the values
    themselves (no noise) for a clean curve counted in steps.
    """
    e = np.asarray(values, dtype=np.float64)
    at = np.arange(e.size, dtype=float) if axis.at is None else np.asarray(axis.at, float)
    finite = np.isfinite(e).all()
    if axis.epochs is not None and finite:
        ep = np.asarray(axis.epochs, dtype=float)
        groups, first, which = np.unique(ep, return_index=True, return_inverse=True)
        if groups.size < e.size and groups.size >= MIN_SHAPE_POINTS:
            order = np.argsort(first)  # epochs in the order logged
            sizes = np.bincount(which, minlength=groups.size).astype(float)[order]
            means = np.bincount(which, weights=e, minlength=groups.size)[order] / sizes
            xs = np.bincount(which, weights=at, minlength=groups.size)[order] / sizes
            groups = groups[order]
            return Trend(
                xs,
                means,
                groups,
                "epoch",
                noise_level(e),
                f"the mean of each epoch's {e.size / groups.size:,.0f} values",
                e.size,
                sizes,
            )
    if not finite or not (axis.unit == "step" or scattered(e)):
        return None
    # Steps without their numbers (Hugging Face prints none) are counted as logged.
    unit = "logged step" if axis.unit == "step" and axis.at is None else axis.unit
    if not scattered(e):  # counted in steps but clean: the values are their own trend
        return Trend(at, e, at, unit, 0.0, "", e.size)
    w = ema_weight(e.size)
    return Trend(
        at,
        ema(e, w),
        at,
        unit,
        noise_level(e),
        f"an exponential moving average, weight {w:g}, as TensorBoard smooths",
        e.size,
        ema_sizes(e.size, w),
    )


def ema_sizes(n: int, weight: float) -> NDArray[np.float64]:
    """The effective count of values behind each of an EMA's first ``n`` values.

    ``(Σ w_i)² / Σ w_i²`` for its weights: 1 at the start, ``(1 + w) / (1 − w)`` far on.

    >>> ema_sizes(3, 0.5).round(3).tolist()
    [1.0, 1.8, 2.333]
    """
    k = np.arange(n)
    total = (1 - weight ** (k + 1)) / (1 - weight)
    squares = (1 - weight ** (2 * (k + 1))) / (1 - weight**2)
    return np.asarray(total**2 / squares, dtype=np.float64)


def trend_rules() -> str:
    """How a noisy curve is judged, as Markdown, with the thresholds in force."""
    return (
        "Your log counts steps, or its values zig-zag, so the verdict reads its **trend**: "
        "the mean of each epoch when the log names the epochs, else an exponential moving "
        "average (TensorBoard's smoothing, its weight in the reason). The noise is how far one "
        "value strays from the next around the trend (the ± in the reason). A rise of the trend "
        f"counts as an overshoot only when it is also larger than {NOISE_BAND:g}× that noise; a "
        "fall smaller than the noise is no fall. The rules below then apply to the trend:"
    )


def _at(t: Trend, k: int) -> str:
    v = t.labels[k]
    return f"{t.unit} {v:,.0f}" if float(v).is_integer() else f"{t.unit} {v:g}"


def diagnose_noisy(errors: NDArray[np.float64], lr: float | None, axis: Axis) -> Diagnosis | None:
    """Judge a noisy curve by its trend (the module's rules), or None to judge it as it is.

    Parameters
    ----------
    errors : ndarray
        The values, in the order logged; checked (``diagnosis.check_curve``).
    lr : float, optional
        The rate used, to turn the verdict into a suggested next rate.
    axis : Axis
        What the values are counted in.

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> steps = 2.0 * np.exp(-np.arange(400) / 60) + 0.5 + rng.normal(0, 0.08, 400)
    >>> print(diagnose_noisy(steps, None, Axis("step", at=np.arange(400.0))))  # doctest: +NORMALIZE_WHITESPACE
    good: it falls with batch noise (±0.075 around the trend): the trend (an exponential
    moving average, weight 0.95, as TensorBoard smooths) fell from 2.53 to 0.507 (80%) and
    flattened: the last 100 of 399 steps removed only 0% of the fall.
    """
    e = np.asarray(errors, dtype=np.float64)
    bad = np.flatnonzero(~np.isfinite(e))
    if bad.size:
        if axis.unit != "step":
            return None  # the curve rules say it at the epoch
        k = int(bad[0])
        if axis.at is not None:
            where = f"step {axis.at[k]:,.0f}"
        else:
            where = f"logged value {k + 1:,}"
            where += f" (epoch {axis.epochs[k]:g})" if axis.epochs is not None else ""
        what = "NaN" if np.isnan(e[k]) else "too large to represent"
        return _suggest(TOO_LARGE, f"the error became {what} at {where}.", lr, 1 / BIG_STEP)
    t = trend_of(e, axis)
    if t is None:
        return None
    v, sd = t.values, t.noise
    band = f"±{sd:.2g} around the trend"
    trend = f"the trend ({t.how})" if t.how else "the error"
    low = np.minimum.accumulate(v)
    rise, fallen = v[1:] - low[:-1], v[0] - low[:-1]
    # A trend value averaging few values scatters more (an EMA's start): a climb counts
    # only beyond twice the scatter of the difference it is, and beyond the noise itself.
    size = t.sizes if t.sizes is not None else np.ones(v.size)
    where_low = np.maximum.accumulate(np.where(v == low, np.arange(v.size), 0))
    spread = 2 * sd * np.sqrt(1 / size[where_low[:-1]] + 1 / size[1:])
    climbed = np.flatnonzero(
        (rise > RISE_TOLERANCE * low[:-1])
        & (rise > NOISE_SHARE * fallen)
        & (rise > NOISE_BAND * sd)
        & (rise > spread)
    )
    noise = f", more than the batch noise ({band})" if sd > 0 else ""
    if climbed.size:
        first = int(climbed[0]) + 1
        i = int(np.argmin(v[:first]))
        j = first + int(np.argmax(v[first:]))
        return _suggest(
            TOO_LARGE,
            f"{trend} rose from {_fmt(v[i])} at {_at(t, i)} to {_fmt(v[j])} at {_at(t, j)}"
            f"{noise}: overshoot.",
            lr,
            1 / SMALL_STEP if v[j] - v[i] < v[i] else 1 / BIG_STEP,
        )
    n = v.size - 1
    tail = max(1, round(TAIL_SHARE * n))
    i = int(np.argmin(v))
    up = v[-tail:] - v[i]
    if i < v.size - tail and ((up > RISE_TOLERANCE * v[i]) & (up > NOISE_BAND * sd)).all():
        return _suggest(
            TOO_LARGE,
            f"{trend} climbed back from {_fmt(v[i])} at {_at(t, i)} to {_fmt(v[-1])} at "
            f"{_at(t, n)} and stayed up{noise}: overshoot.",
            lr,
            1 / SMALL_STEP,
        )
    start, end = v[0], v[-1]
    counted = f"{n:,} {t.unit}" + ("" if n == 1 else "s")
    if start == 0:
        return Diagnosis(GOOD, "the error is 0 from the start: nothing is left to learn.", lr)
    drop = (start - end) / start
    # A fall counts beyond the noise, and beyond twice the scatter of the two trend values
    # it compares (an EMA's start is one value, as noisy as any).
    floor = max(NOISE_BAND * sd, 2 * sd * math.sqrt(1 / size[0] + 1 / size[-1]))
    if drop < MIN_DROP or start - end <= floor:
        moved = f"fell only {_pct(drop, 1)}" if drop > 0 else "did not fall"
        within = f", within the batch noise ({band})" if start - end <= floor else ""
        return _suggest(
            TOO_SMALL,
            f"{trend} {moved} in {counted}{within}: the steps are too tiny.",
            lr,
            BIG_STEP,
        )
    if v.size < MIN_SHAPE_POINTS:
        return Diagnosis(
            GOOD,
            f"{trend} fell from {_fmt(start)} to {_fmt(end)} ({_pct(drop)}) without rising beyond "
            f"the noise (only {v.size} trend values: too few to see it flatten).",
            lr,
        )
    share = (low[-1 - tail] - low[-1]) / (start - end)
    if share > STILL_FALLING:
        return _suggest(
            TOO_SMALL,
            f"{trend} is still falling steadily: the last {tail:,} of {counted} removed "
            f"{_pct(share)} of its fall (a larger rate, or more epochs, would get further).",
            lr,
            SMALL_STEP,
        )
    with_noise = f"it falls with batch noise ({band}): " if sd > 0 else ""
    return Diagnosis(
        GOOD,
        f"{with_noise}{trend} fell from {_fmt(start)} to {_fmt(end)} ({_pct(drop)}) and "
        f"flattened: the last {tail:,} of {counted} removed only {_pct(share)} of the fall.",
        lr,
    )


__all__ = [
    "trend_rules",
    "Axis",
    "Trend",
    "diagnose_noisy",
    "ema",
    "ema_weight",
    "noise_level",
    "scattered",
    "trend_of",
]
