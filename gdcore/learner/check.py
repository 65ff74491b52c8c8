"""Check a learner's loop: their printed errors against the exact curve of their setup.

The learner says what their project did (image, scale, rate, starting weights)
and gives the errors their code printed, epoch 0 first. The engine computes the
exact curve for that setup, and:

- **match** when every printed value agrees with it to the digits printed:
  within half a unit of its last printed digit (``0.5321`` may be off by
  0.00005), or within the rounding any correct loop makes (``RTOL`` relative,
  ``FLOOR`` of the starting error, as ``gdcore.descent.testing`` asks of the engine);
- otherwise it tries the mistakes learners make, each a small variant of the
  textbook loop (``MISTAKES``), alone and together (up to ``MAX_MISTAKES``), and
  names the fewest that explain every value;
- otherwise **unexplained K**: K is the first epoch where the values depart
  from the exact curve.

A variant loop is not run pixel by pixel: on the bowl
``E(w) = E* + 1/2 (w - w*)^T H (w - w*)`` each variant is the engine's closed
form on a changed bowl (a table on another scale, a bowl without the intercept
direction) at a changed rate (``2 x``, ``N x``, negative for ascent), then the
printed numbers changed (doubled, one epoch late). So a check costs the same on
any image, and the tests hold each variant equal to its loop written out.

With momentum, Nesterov, a schedule or a warm-up (an ``Optimizer``, PyTorch's
conventions as the engine runs them) the variants are the engine's
eigen-direction recurrence (``descent.directions``) on the same bowls, and
the conventions learners write instead are tried too: a moving-average
momentum (the rate times 1 - β), the rate inside the momentum (Keras's
recurrence), Nesterov's step or not, the schedule one epoch ahead, a warm-up
from 0.

A printed ``inf`` or ``nan`` agrees with a loop that blew up (past
``runs.BLOWUP_ERROR``: past overflow the digits say nothing); a printed
number agrees only with a number near it, however large. So a named finding
reproduces every printed value to its digits (``test_check`` holds it under
hypothesis); values that never change are ``no-change``, never a rate too
small to show; a number beyond float64 (``1e309``) is refused.

A loop computing in float32 (PyTorch's default) cannot agree to every digit it
prints. When nothing fits in float64 and the printed digits could be a
float32's, the search runs again at float32's rounding (``SINGLE``), and the
evidence says so.
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, field, replace
from itertools import combinations, product
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..descent.directions import direction_paths
from ..descent.engine import closed_form, initial_weights
from ..descent.optimizer import Optimizer
from ..descent.runs import BLOWUP_ERROR
from ..descent.testing import FLOOR, RTOL
from ..params import EPOCHS, INIT, LR, SCALE, SCALES, Param
from ..pixels.loading import MAX_PIXELS
from ..pixels.quadratic import Quadratic, quadratic
from ..pixels.table import pixel_table
from .logs import read_log

MISTAKES = (
    "no-change",
    "reports-mse",
    "other-rate",
    "ascent",
    "other-scale",
    "brightness-255",
    "no-intercept",
    "after-update",
    "moving-average",
    "rate-in-buffer",
    "nesterov",
    "no-nesterov",
    "schedule-ahead",
    "warmup-from-0",
)
"""The mistakes ``check`` knows, in the order they are named. The last six are
conventions of momentum and schedules, tried only when the setup has them."""
MAX_MISTAKES = 3
"""Explanations combine at most this many mistakes (the ½ left out of the error and
the slopes, printed after the update, is three)."""
RATE_DIGITS = 6
"""A rate solved from the numbers is also tried rounded to 1 ... 6 significant digits:
a learner types rates such as 0.02."""
SAME_RATE = 1e-6
"""Two rates within this relative difference are the same rate (2 x, N x)."""
MAX_VALUES = 100_001
"""At most this many printed errors: epochs 0 to ``params.MAX_EPOCHS``."""
MIN_RATE = 1e-12
"""The smallest rate a finding names: the dashboard's smallest (``ui.params.RATE``). A
rate solved from the numbers below it is no rate the learner typed."""
LARGEST = float(np.finfo(np.float64).max)
"""The largest float64 (about 1.8e308): a loop cannot print a finite number above it."""

_TOKEN = re.compile(r"[+-]?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?")
_HUGE = re.compile(r"(?<![\w.])\d*\.?\d+[eE]\+?\d{3,}")
"""A number whose exponent has three digits or more: maybe beyond float64's range."""
_SEPARATORS = re.compile(r"[\s,;\[\]]+")
_WRAPPER = re.compile(r"\b(?:np\.float(?:64|32|16)|numpy\.float(?:64|32)|tensor)\(([^()]*)\)")
"""``np.float64(0.25)`` and ``tensor(0.25)``, as numpy 2 and PyTorch print a list of errors."""


# --- The learner's starting weights -----------------------------------------


@dataclass(frozen=True)
class Start:
    """Starting weights: ``zero``, ``random`` (seeded, as the engine draws them) or three numbers."""

    def allowed(self) -> str:
        return "zero, random or three numbers separated by commas (w0, w1, w2)"

    def convert(self, value: Any) -> str | tuple[float, ...] | None:
        if isinstance(value, str) and INIT.problem(value.strip()) is None:
            return value.strip()
        items = re.split(r"[,\s;]+", value.strip()) if isinstance(value, str) else value
        try:
            numbers = tuple(float(v) for v in items if v != "")
        except (TypeError, ValueError):
            return None
        if len(numbers) != 3 or not all(math.isfinite(v) for v in numbers):
            return None
        return numbers

    def accepts(self, v: Any) -> bool:
        return True

    def show(self, v: Any) -> str:
        return v if isinstance(v, str) else ",".join(repr(float(x)) for x in v)


START = Param(
    "init",
    Start(),  # type: ignore[arg-type]
    "zero",
    "the starting weights your loop used: zero, random (from the seed) or w0,w1,w2",
)


RAN = Param(
    "epochs",
    EPOCHS.rule,
    None,
    "the epochs your loop ran (default: one fewer than the values printed; a cosine "
    "schedule reaches 0 there)",
)


# --- The printed values ------------------------------------------------------


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
    gdcore.learner.check.BeyondRange: errors: value 2, 1e309, is beyond the range of a float (at most 1.8e+308): no loop prints it; a loop whose error overflows prints inf.
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


# --- Variant loops -------------------------------------------------------------


def varies(optimizer: Optimizer) -> bool:
    """True when the rate changes from epoch to epoch (a schedule or a warm-up)."""
    return not optimizer.constant_rate


def factors(optimizer: Optimizer, total: int, count: int) -> NDArray[np.float64]:
    """The rate multipliers of the first ``count`` epochs of a ``total``-epoch run.

    Past ``total`` the schedule's formula goes on (cosine climbs back); a
    ``cosine`` needs ``total`` (it reaches 0 there), the others do not.

    >>> factors(Optimizer(schedule="cosine"), 2, 4).round(3).tolist()
    [1.0, 0.5, 0.0, 0.5]
    """
    total = max(1, int(total))
    if not optimizer.schedule.startswith("cosine"):
        return optimizer.factors(max(count, 1))[:count]
    m = optimizer.factors(total)
    if count > total:
        k = np.arange(total, count, dtype=np.float64)
        m = np.concatenate([m, 0.5 * (1.0 + np.cos(np.pi * k / total))])
    return m[:count]


def said(optimizer: Optimizer) -> str:
    """The optimizer in words, for the evidence ('' for the lesson's loop).

    >>> said(Optimizer(0.9, schedule="exp:0.99"))
    'momentum β 0.9; a rate multiplied by 0.99 every epoch'
    """
    parts = []
    if optimizer.momentum:
        nesterov = ", Nesterov" if optimizer.nesterov else ""
        parts.append(f"momentum β {optimizer.momentum!r}{nesterov}")
    if varies(optimizer):
        parts.append(optimizer.describe())
    return "; ".join(parts)


PLAIN = Optimizer()


@dataclass(frozen=True)
class Loop:
    """One way the loop was written: the textbook loop, or it with some mistakes.

    ``rate`` is the effective rate of ``w = w - rate * slope`` (negative: the
    update adds the slope; 0: the weights never change); ``mse`` prints the mean
    squared error without ½; ``late`` records each error after the update.
    ``scale`` is a scale of ``params.SCALES``, or ``BRIGHT_255`` (x and y in 0-1,
    brightness left in 0-255). With momentum or a schedule: ``damped`` keeps a
    moving average (``buf = β buf + (1-β) slope``), ``inside`` puts the rate in
    the buffer (``buf = β buf + lr slope; w = w - buf``), ``flip`` takes
    Nesterov's step where plain momentum was said (or the reverse), ``ahead``
    steps each epoch with the next epoch's rate, ``warm_zero`` warms up from 0
    (``k / W``, not ``(k + 1) / W``).
    """

    scale: str
    rate: float
    intercept: bool = True
    mse: bool = False
    late: bool = False
    damped: bool = False
    inside: bool = False
    flip: bool = False
    ahead: bool = False
    warm_zero: bool = False

    def conventions(self) -> int:
        """How many momentum and schedule conventions differ from PyTorch's."""
        return self.damped + self.inside + self.flip + self.ahead + self.warm_zero


BRIGHT_255 = "unit-255"
"""The unit table with its brightness left in 0-255: every error 255² times the unit one."""


@dataclass(frozen=True)
class Finding:
    """One mistake that explains the numbers: its name, the rate or scale it names,
    the reason in words, and the loop line to write instead with why."""

    mistake: str
    value: float | str | None = None
    reason: str = ""
    line: str = ""
    why: str = ""

    def __str__(self) -> str:
        if self.mistake == "other-rate":
            return f"other-rate={self.value:.6g}"
        if self.mistake == "other-scale":
            return f"other-scale={self.value}"
        return self.mistake


SLOPE_LINE = "slope = -(X.T @ difference) / len(t)"
UPDATE_LINE = "w = w - lr * slope"
SCALE_LINES = {
    "raw": "x, y, t = cols, rows, pixels  # pixel indices and brightness 0-255",
    "unit": "x, y, t = cols / (W - 1), rows / (H - 1), pixels / 255  # each in 0-1",
    "standard": "x, y, t = [(v - v.mean()) / v.std() for v in (cols, rows, pixels)]",
}


def _finding(mistake: str, setup: Setup, value: float | str | None = None) -> Finding:
    """A mistake with its reason and fix, in the lesson's words and the setup's numbers."""
    lr, n = setup.lr, setup.n
    if mistake == "reports-mse":
        return Finding(
            mistake,
            None,
            "every value is twice the error: the mean squared error printed without its ½",
            "error = 0.5 * np.mean(difference**2)",
            "print the error with its ½, the error whose slopes the loop follows",
        )
    if mistake == "ascent":
        return Finding(
            mistake,
            None,
            "the error climbs as a loop climbs that adds the slope: each step goes uphill",
            UPDATE_LINE,
            "minus: the slope points uphill, so each step goes against it, downhill",
        )
    if mistake == "other-scale":
        return Finding(
            mistake,
            value,
            f"the numbers belong to the {value} scale of the pixel table, not the "
            f"{setup.scale} scale you gave",
            SCALE_LINES[setup.scale],
            f"build the table on the {setup.scale} scale (or check again with --scale {value})",
        )
    if mistake == "no-intercept":
        return Finding(
            mistake,
            None,
            "the numbers follow a table without the column of ones, so w0 never learns",
            "X = np.column_stack([np.ones(len(t)), x, y])",
            "each row is [1, x, y]: the column of ones lets w0 learn the brightness level",
        )
    if mistake == "no-change":
        return Finding(
            mistake,
            None,
            "the weights never change: every value is the starting error, as a loop prints "
            "whose update is lost (an integer weight array rounds each step away, or the new "
            "weights are never assigned to w)",
            "w = np.zeros(3)  # floats; then each epoch: w = w - lr * slope",
            "weights kept as floats, and the update assigned back to w, move with every step",
        )
    if mistake == "brightness-255":
        return Finding(
            mistake,
            None,
            "the brightness is left in 0-255 while x and y are in 0-1: the errors are "
            f"{255**2:,} (255²) times the unit scale's",
            "t = pixels / 255  # brightness in 0-1, like x and y",
            "on the unit scale every column of the table, the brightness too, is in 0-1",
        )
    if mistake == "moving-average":
        return Finding(
            mistake,
            None,
            f"the momentum is a moving average (buf = β·buf + (1−β)·slope): each step is "
            f"{1 - setup.optimizer.momentum:.6g} (1−β) of PyTorch's SGD, which adds the whole slope",
            "buf = beta * buf + slope",
            "PyTorch's SGD (dampening=0) keeps β of the last step and adds the whole new slope",
        )
    if mistake == "rate-in-buffer":
        return Finding(
            mistake,
            None,
            "the rate is inside the momentum (buf = β·buf + lr·slope; w = w − buf, as Keras "
            "writes it): an old step keeps its old rate when the schedule changes the rate",
            "buf = beta * buf + slope; w = w - lr * buf",
            "PyTorch's SGD multiplies the whole momentum by this epoch's rate",
        )
    if mistake in ("nesterov", "no-nesterov"):
        said_n = mistake == "no-nesterov"
        return Finding(
            mistake,
            None,
            (
                "the steps follow plain momentum (step = buf), not Nesterov's that you gave"
                if said_n
                else "the steps follow Nesterov's momentum (step = slope + β·buf), not the "
                "plain momentum you gave"
            ),
            "w = w - lr * (slope + beta * buf)" if said_n else "w = w - lr * buf",
            "Nesterov's step adds β of the new momentum to the slope"
            if said_n
            else "plain momentum steps along the momentum itself (or check again with --nesterov)",
        )
    if mistake == "schedule-ahead":
        return Finding(
            mistake,
            None,
            "each epoch steps with the next epoch's rate: the schedule moves on before the "
            "update (scheduler.step() before optimizer.step())",
            "optimizer.step(); scheduler.step()  # the schedule moves on after the update",
            "epoch k steps with the rate of epoch k; the schedule moves on at the epoch's end",
        )
    if mistake == "warmup-from-0":
        w = setup.optimizer.warmup
        return Finding(
            mistake,
            None,
            f"the warm-up starts from rate 0: epoch k < {w} steps with k/{w} of the rate (as "
            f"Hugging Face's schedules do), not (k+1)/{w}",
            f"lr_k = lr * min(1, (k + 1) / {w})  # epoch 0 already steps",
            "the engine's warm-up (and check's) gives epoch k the fraction (k+1)/W",
        )
    if mistake == "after-update":
        return Finding(
            mistake,
            None,
            "each value is the error one epoch later: it was recorded after the update",
            "errors.append(error)  # before: w = w - lr * slope",
            "record the error of the weights the epoch starts with, then update",
        )
    assert mistake == "other-rate" and isinstance(value, float)
    ratio = value / lr
    if _same(ratio, 2.0):
        reason = (
            f"the steps are 2× your rate {lr:g}: the slopes of the mean squared error "
            "without ½ (the 2 of the square is left in)"
        )
        why = "the slope of ½·mean squared error has no factor 2"
        return Finding(mistake, value, reason, SLOPE_LINE, why)
    if _same(ratio, n) or _same(ratio, 2.0 * n):
        two = _same(ratio, 2.0 * n)
        reason = (
            f"the steps are {ratio:,.0f}× your rate {lr:g}: the slopes "
            + ("of the mean squared error without ½, and " if two else "")
            + f"summed over the {n:,} pixels instead of averaged"
        )
        why = "divide by the number of pixels: each slope is an average over the pixels"
        if two:
            why += ", and the slope of ½·mean squared error has no factor 2"
        return Finding(mistake, value, reason, SLOPE_LINE, why)
    return Finding(
        mistake,
        value,
        f"the steps follow a rate of {value:.6g}, not your {lr:g}",
        f"{UPDATE_LINE}  # lr = {lr:g}",
        "step with the rate you meant",
    )


def _same(a: float, b: float) -> bool:
    return abs(a - b) <= SAME_RATE * abs(b)


@dataclass(frozen=True)
class Check:
    """What ``check`` found: a match, the mistakes that explain the numbers, or neither.

    ``exact`` is the exact curve at the printed epochs; ``explained`` the curve
    the explaining loop prints (None for a match or unexplained); ``parted``
    the first epoch where the printed values depart from the exact curve (None
    for a match); ``also`` other sets of mistakes that fit the numbers as well.
    """

    outcome: str  # "match", "explained" or "unexplained"
    findings: tuple[Finding, ...]
    parted: int | None
    texts: tuple[str, ...] = field(repr=False)
    values: NDArray[np.float64] = field(repr=False)
    exact: NDArray[np.float64] = field(repr=False)
    explained: NDArray[np.float64] | None = field(repr=False, default=None)
    also: tuple[str, ...] = ()
    precision: str = "float64"
    reading: str = ""
    optimizer_said: str = ""

    @property
    def headline(self) -> str:
        """The first line: ``match``, the findings separated by commas, or ``unexplained K``."""
        if self.outcome == "match":
            return "match"
        if self.outcome == "unexplained":
            return f"unexplained {self.parted}"
        return ", ".join(map(str, self.findings))

    @property
    def evidence(self) -> str:
        """The evidence in one sentence (and how the image was read, when not as gdcore reads it)."""
        said = self._evidence()
        if self.optimizer_said:
            said += f" The loop was checked with {self.optimizer_said}."
        if self.reading:
            said += f" The image was read as {self.reading}."
        return said

    def _evidence(self) -> str:
        n = len(self.values)
        digits = "to the digits printed"
        if self.precision != "float64":
            digits = (
                f"in single precision ({self.precision}, as PyTorch computes by default: "
                "to about 3 digits), not to every digit printed"
            )
        if self.outcome == "match":
            return (
                f"All {n} values agree with the exact curve {digits} "
                f"(epoch {n - 1}: printed {self.texts[-1]}, exact {self.exact[-1]:.10g})."
            )
        k = self.parted if self.parted is not None else 0
        if self.outcome == "unexplained":
            return (
                f"From epoch {k} the values depart from the exact curve (printed "
                f"{self.texts[k]}, exact {self.exact[k]:.6g}), and no known mistake explains them."
            )
        assert self.explained is not None
        what = "; ".join(f.reason for f in self.findings)
        other = f" These fit as well: {' or '.join(self.also)}." if self.also else ""
        return (
            f"{what[:1].upper()}{what[1:]}. All {n} values agree with that loop {digits} "
            f"(epoch {k}: printed {self.texts[k]}, that loop "
            f"{self.explained[k]:.6g}, the exact curve {self.exact[k]:.6g}).{other}"
        )

    def __str__(self) -> str:
        return f"{self.headline}\n{self.evidence}"


class Setup:
    """The learner's setup: the bowls of their image, the rate, the starting weights and
    the optimizer (``gdcore.descent.optimizer.Optimizer``); ``epochs`` the epochs their loop ran (None: one fewer
    than the values printed), which a cosine schedule needs."""

    def __init__(
        self,
        pixels: ArrayLike,
        scale: str,
        lr: float,
        init: str | ArrayLike = "zero",
        seed: int = 0,
        optimizer: Optimizer = PLAIN,
        epochs: int | None = None,
    ) -> None:
        self.pixels = np.asarray(pixels, dtype=np.float64)
        self.scale = SCALE.check(scale)
        self.lr = float(LR.check(lr))
        self.w0 = initial_weights(START.check(init) if isinstance(init, str) else init, seed)
        self.n = int(self.pixels.size)
        self.optimizer = optimizer
        self.epochs = epochs
        self._bowls: dict[tuple[str, bool], Quadratic] = {}
        self._factors: dict[tuple[int, int], NDArray[np.float64]] = {}

    def total(self, count: int) -> int:
        """The epochs the loop ran, for ``count`` values: as said, else ``count - 1``."""
        return self.epochs if self.epochs is not None else max(1, count - 1)

    def bowl(self, scale: str, intercept: bool = True) -> Quadratic:
        """The bowl of the table on ``scale``; without the intercept, w0 is held at 0."""
        key = (scale, intercept)
        if key not in self._bowls:
            if scale == BRIGHT_255:
                q = _brightness_255(self.bowl("unit", True))
            else:
                q = quadratic(pixel_table(self.pixels, scale))
            self._bowls[key] = q if intercept else _without_intercept(q)
        return self._bowls[key]

    def start(self, intercept: bool) -> NDArray[np.float64]:
        """The starting weights; a loop without the column of ones has no w0 (0)."""
        return self.w0 if intercept else np.array([0.0, self.w0[1], self.w0[2]])

    def curves(self, loop: Loop, rates: ArrayLike, epochs: int, total: int) -> NDArray:
        """Errors (R, epochs + 1) of full-batch descent as ``loop`` does it, at each rate.

        ``loop``'s own rate is not used: ``rates`` are (negative: ascent; 0: no change).
        ``total`` is the number of epochs the loop ran (for a cosine schedule).
        """
        with np.errstate(all="ignore"):  # a diverging loop overflows, as the learner's does
            return self._curves(loop, np.asarray(rates, dtype=np.float64), epochs, total)

    def _curves(
        self, loop: Loop, rates: NDArray[np.float64], epochs: int, total: int
    ) -> NDArray[np.float64]:
        q, w = self.bowl(loop.scale, loop.intercept), self.start(loop.intercept)
        k = self.optimizer
        if k.plain:
            return closed_form(q, rates, epochs, w, False)[0]
        if (total, epochs + 1) not in self._factors:
            self._factors[(total, epochs + 1)] = factors(k, total, epochs + 1)
        m = self._factors[(total, epochs + 1)].copy()  # one more: a schedule one epoch ahead
        if loop.warm_zero:
            early = np.arange(len(m)) < k.warmup
            m[early] *= np.arange(len(m))[early] / (np.arange(len(m))[early] + 1.0)
        m = m[1:] if loop.ahead else m[:-1]
        nesterov = k.nesterov != loop.flip
        if loop.damped:
            rates = rates * (1.0 - k.momentum)  # buf/(1-β) is PyTorch's: the rate (1-β) lr
        if loop.inside:
            excess = _rate_in_buffer(q, rates, m, w, k.momentum, nesterov)
        else:
            stepper = replace(k, nesterov=nesterov)  # the schedule is ``m``'s
            excess = direction_paths(q, rates, epochs, w, stepper, False, factors=m)[0]
        errors = q.error_star + excess.sum(axis=2)
        errors[:, 0] = q.error(w)
        return errors

    def curve(self, loop: Loop, count: int) -> NDArray[np.float64]:
        """The first ``count`` printed errors of ``loop``."""
        raw = self.curves(loop, [loop.rate], count, self.total(count))[0]
        return _as_printed(raw, loop, count)


def _brightness_255(q: Quadratic) -> Quadratic:
    """The unit bowl with the brightness times 255: the same slopes' shape, ``w*`` 255 times,
    ``E*`` 255² times (the least-squares fit is linear in the brightness)."""
    return replace(q, b=255.0 * q.b, w_star=255.0 * q.w_star, error_star=255.0**2 * q.error_star)


def _rate_in_buffer(
    q: Quadratic,
    rates: NDArray[np.float64],
    factors: NDArray[np.float64],
    w0: NDArray[np.float64],
    beta: float,
    nesterov: bool,
) -> NDArray[np.float64]:
    """Excess error per direction (R, T+1, 3) of momentum with the rate inside the buffer.

    Not PyTorch's recurrence (``gdcore.descent.directions``) but the mistaken one
    a learner writes, as Keras's SGD does: per eigen-direction ``i``,
    ``v_k = β v_{k-1} + lr_k λ_i d_k``, ``d_{k+1} = d_k - v_k`` (Nesterov:
    ``d_{k+1} = d_k - β v_k - lr_k λ_i d_k``). With a constant rate it is PyTorch's.
    """
    lam = q.eigenvalues
    d = np.tile(q.eigenvectors.T @ (w0 - q.w_star), (len(rates), 1))
    v = np.zeros_like(d)
    out = np.empty((len(rates), len(factors) + 1, 3))
    out[:, 0] = d
    with np.errstate(all="ignore"):  # a diverging loop overflows, as the learner's does
        for k, m in enumerate(factors):
            step = (rates * m)[:, None] * lam * d
            v = beta * v + step
            d = d - (beta * v + step if nesterov else v)
            out[:, k + 1] = d
        out *= np.sqrt(0.5 * lam)
        return out * out


def _as_printed(raw: NDArray[np.float64], loop: Loop, count: int) -> NDArray[np.float64]:
    """What a loop prints from its errors at epochs 0..count: doubled, one epoch late."""
    out = raw[1 : count + 1] if loop.late else raw[:count]
    with np.errstate(over="ignore"):  # a blown-up run doubled is still blown up
        return 2.0 * out if loop.mse else out


def _without_intercept(q: Quadratic) -> Quadratic:
    """The bowl of a loop whose table has no column of ones: w0 stays 0, w1 and w2 learn.

    Its lowest point is the best (w1, w2) with w0 = 0, and its error there is
    the full bowl's error at that point, so the excess of any weights with
    w0 = 0 is unchanged.
    """
    H = q.hessian.copy()
    H[0, :] = 0.0
    H[:, 0] = 0.0
    sub = q.hessian[1:, 1:]
    v = np.linalg.lstsq(sub, q.b[1:], rcond=None)[0]
    w_star = np.array([0.0, v[0], v[1]])
    lam, Q = np.linalg.eigh(H)
    lam = np.where(lam < 1e-12 * max(lam[-1], 0.0), 0.0, lam)
    e_star = float(q.error(w_star))
    return Quadratic(H, np.array([0.0, *q.b[1:]]), w_star, e_star, lam, Q, q.n)


# --- The check -----------------------------------------------------------------

PEEK = 10
"""Candidates are first compared on this many values, then on ``FIRST_LOOK``."""
FIRST_LOOK = 200
"""Candidates are then compared on this many values; only those that agree run to the end."""


@dataclass(frozen=True)
class Precision:
    """How closely a correct loop computing in one float type follows the exact curve.

    ``rtol`` is its rounding, relative, and ``floor`` as a fraction of the
    starting error (an exact fit's error near 0 is all rounding); ``blown`` the error above which its
    numbers overflow (then any blown-up value agrees with any other), divided by
    the number of pixels when ``per_pixel`` (the sum of the squares overflows first).
    """

    name: str
    rtol: float
    floor: float
    blown: float
    per_pixel: bool = False


SINGLE_DIGITS = 9
"""float32 holds 6 to 9 significant digits: a value printed with more is a float64's,
unless it is exactly a float32 value (``repr(float(x))`` of a float32 ``x``)."""
DOUBLE = Precision("float64", RTOL, FLOOR, BLOWUP_ERROR)
"""NumPy's default: a correct loop agrees to ``testing.RTOL`` (the engine's own test)."""
SINGLE = Precision("float32", 1e-3, 1e-9, 1e37, per_pixel=True)
"""PyTorch's default: a correct float32 loop that converges stays within 1.5e-4 relative
of the exact curve (measured on every built-in image at 16, 64 and 128 pixels, every
scale, rates from 0.3 to 0.9 of the critical rate, 300 epochs); 1e-3 leaves a margin.
A diverging float32 loop can leave the exact curve far sooner (its rounding starts
directions the exact run never moves in), and is then unexplained. Its
squares' sum overflows near 3.4e38, so errors above 1e37 / N count as blown up. Tried only when
nothing explains the numbers in float64, and then said."""


def agreement(
    candidates: NDArray[np.float64],
    values: NDArray[np.float64],
    half: NDArray[np.float64],
    precision: Precision = DOUBLE,
) -> NDArray[np.bool_]:
    """Which printed values each candidate curve explains: (R, count) booleans.

    A value agrees when it is within half a unit of its last printed digit of
    the candidate's value, or within a correct loop's rounding (``rtol``
    relative, ``FLOOR`` of the candidate's starting error). A printed ``inf`` or
    ``nan`` agrees with a candidate past ``precision.blown`` (a loop summing
    the pixels' squares overflows before the mean does); a printed number
    agrees only with a number near it, however large: the digits it shows are
    what any loop said to print it must reproduce.

    >>> agreement(np.array([1.0, 1.75e300, np.inf]), np.array([1.0, 1e300, np.inf]),
    ...           np.array([0.5, 5e299, 0.0])).tolist()
    [[True, False, True]]
    """
    c = np.atleast_2d(candidates)
    with np.errstate(all="ignore"):
        blown_c = ~(c <= precision.blown)
        overflowed = ~np.isfinite(values)
        start = np.abs(np.where(blown_c[:, :1], 0.0, c[:, :1]))
        tol = np.maximum(half, precision.rtol * np.abs(c)) + precision.floor * start
        close = np.isfinite(c) & (np.abs(c - values) <= tol)
    return np.where(overflowed, blown_c, close)


def _rates(setup: Setup, raw: NDArray[np.float64] | None) -> list[float]:
    """The rates tried: yours, 2 x, N x, 2N x, each also negative, then ``raw``'s roots
    (each rounded to 1 ... ``RATE_DIGITS`` digits too); none below ``MIN_RATE``."""
    lr, n = setup.lr, setup.n
    out = [m * s * lr for m in (1.0, 2.0, n, 2.0 * n) for s in (1.0, -1.0)]
    for root in raw if raw is not None else ():
        if math.isfinite(root) and abs(root) >= MIN_RATE:
            out += [float(f"{root:.{d}g}") for d in range(1, RATE_DIGITS + 1)] + [float(root)]
    seen: list[float] = []
    for r in out:
        if r != 0.0 and math.isfinite(r) and all(r != s for s in seen):
            seen.append(r)
    return seen


def _first_step(setup: Setup, loop: Loop) -> float:
    """How many rates long the first step of ``loop`` is, per unit of its rate (0: none).

    The first momentum buffer is the slope, so the first step is ``lr m_0`` slopes
    (Nesterov: ``(1 + β) lr m_0``; a moving average: ``(1 - β) lr m_0``).
    """
    k = setup.optimizer
    if k.plain:
        return 1.0
    m = factors(k, 2, 2)
    if loop.warm_zero and k.warmup > 0:
        m = m * np.array([0.0, 1.0 / 2.0])
    first = float(m[1] if loop.ahead else m[0])
    if k.nesterov != loop.flip:
        first *= 1.0 + k.momentum
    if loop.damped:
        first *= 1.0 - k.momentum
    return first


def _solve_rates(q: Quadratic, w: NDArray[np.float64], target: float) -> NDArray[np.float64]:
    """The rates whose first step from ``w`` lands at error ``target``.

    ``E(w - r g) = E(w) - r g·g + r²/2 gᵀHg``: a quadratic in ``r``. When no
    rate reaches ``target`` exactly (rounding), the rate nearest to it.
    """
    g = q.slopes(w) if q.hessian[0, 0] else np.array([0.0, *q.slopes(w)[1:]])
    a, b = 0.5 * float(g @ q.hessian @ g), -float(g @ g)
    c = float(q.error(w)) - target
    with np.errstate(all="ignore"):  # a target near float's end overflows: no rate then
        disc2 = float(b * b - 4 * a * c)
    if not (a > 0 and math.isfinite(c) and math.isfinite(disc2)):
        return np.empty(0)
    disc = math.sqrt(max(disc2, 0.0))
    return np.array([(-b - disc) / (2 * a), (-b + disc) / (2 * a)])


def _count(setup: Setup, loop: Loop) -> int:
    """How many findings ``_mistakes`` names for ``loop``, without writing them."""
    rate = loop.rate != 0.0 and not _same(abs(loop.rate), setup.lr)
    scale = loop.scale != setup.scale
    return (
        (loop.rate == 0.0)
        + loop.mse
        + rate
        + (loop.rate < 0)
        + scale
        + (not loop.intercept)
        + loop.late
        + loop.conventions()
    )


def _mistakes(setup: Setup, loop: Loop) -> list[Finding]:
    """The findings that turn the textbook loop into ``loop``, in ``MISTAKES`` order."""
    out = []
    if loop.rate == 0.0:
        out.append(_finding("no-change", setup))
    if loop.mse:
        out.append(_finding("reports-mse", setup))
    if loop.rate != 0.0 and not _same(abs(loop.rate), setup.lr):
        out.append(_finding("other-rate", setup, abs(loop.rate)))
    if loop.rate < 0:
        out.append(_finding("ascent", setup))
    if loop.scale == BRIGHT_255:
        out.append(_finding("brightness-255", setup))
    elif loop.scale != setup.scale:
        out.append(_finding("other-scale", setup, loop.scale))
    if not loop.intercept:
        out.append(_finding("no-intercept", setup))
    if loop.late:
        out.append(_finding("after-update", setup))
    if loop.damped:
        out.append(_finding("moving-average", setup))
    if loop.inside:
        out.append(_finding("rate-in-buffer", setup))
    if loop.flip:
        out.append(_finding("no-nesterov" if setup.optimizer.nesterov else "nesterov", setup))
    if loop.ahead:
        out.append(_finding("schedule-ahead", setup))
    if loop.warm_zero:
        out.append(_finding("warmup-from-0", setup))
    order = {m: i for i, m in enumerate(MISTAKES)}
    return sorted(out, key=lambda f: order[f.mistake])


def _shapes(setup: Setup) -> list[Loop]:
    """Every way of writing the loop ``check`` tries, rate left at 0, in the search's order:
    the setup's scale first, then the others (and the brightness left in 0-255 beside the
    unit scale); with the column of ones, then without; each printed four ways (½ or not,
    before or after the update); each with the conventions of momentum and schedules that
    the setup's knobs make possible, alone and together."""
    k = setup.optimizer
    scales = [setup.scale, *(s for s in SCALES if s != setup.scale)]
    if setup.scale == "unit":
        scales.insert(1, BRIGHT_255)
    flags = {
        "damped": k.momentum > 0 and not k.nesterov,
        "inside": k.momentum > 0 and varies(k),
        "flip": k.momentum > 0,
        "ahead": varies(k),
        "warm_zero": k.warmup > 0,
    }
    usable = [name for name, ok in flags.items() if ok]
    conventions = [
        {name: name in chosen for name in usable}
        for size in range(len(usable) + 1)
        for chosen in combinations(usable, size)
    ]
    out = []
    for scale, intercept in product(scales, (True, False)):
        for conv in conventions:
            if conv.get("damped") and (conv.get("flip") or conv.get("inside")):
                continue  # a moving average is tried on plain momentum only
            out.append(Loop(scale, 0.0, intercept, **conv))
    return out


PRINTS = tuple(product((False, True), (False, True)))
"""How a loop prints its errors: (``mse``, ``late``), the four ways."""


def _least(setup: Setup, loop: Loop) -> int:
    """The fewest mistakes any rate of ``loop``'s shape can make: those besides the rate."""
    return _count(setup, replace(loop, rate=setup.lr))


def check_loop(setup: Setup, values: tuple[Printed, ...]) -> Check:
    """Check a learner's printed errors (epoch 0 first) against their setup.

    Parameters
    ----------
    setup : Setup
        The image, scale, rate and starting weights the learner's loop used.
    values : tuple of Printed
        The errors as printed (``read_printed``), with their digits.

    Returns
    -------
    Check
        ``match``; or the fewest mistakes (``MISTAKES``, at most
        ``MAX_MISTAKES``) whose variant loop prints every value; or
        ``unexplained`` with the first epoch where the values depart.

    Examples
    --------
    >>> s = Setup(np.array([[0.0, 255.0]]), "unit", 0.5)
    >>> check_loop(s, read_printed("0.25 0.0781 0.0488")).headline
    'match'
    >>> check_loop(s, read_printed("0.5 0.1563 0.0977")).headline
    'reports-mse'
    """
    return check_readings(setup, values, {})


def could_be_single(values: tuple[Printed, ...]) -> bool:
    """False when a value printed with more digits than float32 holds is no float32 number.

    Such a value came from a float64 loop, which gets no single-precision leeway.

    >>> could_be_single(read_printed("0.1 0.25")), could_be_single(read_printed("0.1 0.123456789012"))
    (True, False)
    >>> could_be_single(read_printed(repr(float(np.float32(0.123456789012))) + " 0.5"))
    True
    """
    for p in values:
        digits = re.sub(r"[eE].*$", "", p.text).replace(".", "").lstrip("+-").lstrip("0")
        if len(digits) > SINGLE_DIGITS and float(np.float32(p.value)) != p.value:
            return False  # nan and inf are float32 values too
    return True


def _search(setup: Setup, values: tuple[Printed, ...], precision: Precision) -> Check:
    """``check_loop`` at one precision."""
    if precision.per_pixel:
        precision = replace(precision, blown=precision.blown / setup.n, per_pixel=False)
    count = len(values)
    total = setup.total(count)
    v = np.array([p.value for p in values])
    half = np.array([p.half_unit for p in values])
    texts = tuple(p.text for p in values)
    exact = setup.curve(Loop(setup.scale, setup.lr), count)
    ok = agreement(exact, v, half, precision)[0]
    if ok.all():
        return Check("match", (), None, texts, v, exact, precision=precision.name)
    parted = int(np.argmin(ok))
    fits: list[tuple[int, Loop, NDArray[np.float64]]] = []
    look = min(count, FIRST_LOOK)
    fewest = MAX_MISTAKES
    for dynamics in _shapes(setup):
        shapes = [replace(dynamics, mse=mse, late=late) for mse, late in PRINTS]
        shapes = [s for s in shapes if _least(setup, s) <= fewest]
        if not shapes:
            continue  # cannot explain the numbers with as few mistakes as a fit found
        q, w = setup.bowl(dynamics.scale, dynamics.intercept), setup.start(dynamics.intercept)
        first = _first_step(setup, dynamics)
        rates: dict[Loop, list[float]] = {}
        for shape in shapes:
            target = v[0 if shape.late else 1] / (2.0 if shape.mse else 1.0)
            roots = _solve_rates(q, w, target) / first if first else None
            rates[shape] = _rates(setup, roots)
            if shape.conventions() == 0:
                rates[shape].append(0.0)  # the weights never change
        every = sorted({r for rs in rates.values() for r in rs}, key=abs)
        peek = min(look, PEEK)
        raw = setup.curves(dynamics, every, peek, total)
        alive = []
        for shape in shapes:
            for r in rates[shape]:
                loop = replace(shape, rate=r)
                n_mistakes = _count(setup, loop)
                if n_mistakes == 0 or n_mistakes > fewest:
                    continue
                curve = _as_printed(raw[every.index(r)], loop, peek)
                if agreement(curve, v[:peek], half[:peek], precision).all():
                    alive.append(loop)
        if not alive:
            continue
        every = sorted({loop.rate for loop in alive}, key=abs)
        raw = setup.curves(dynamics, every, look, total)
        for loop in alive:
            n_mistakes = _count(setup, loop)
            if n_mistakes > fewest:
                continue
            curve = _as_printed(raw[every.index(loop.rate)], loop, look)
            if not agreement(curve, v[:look], half[:look], precision).all():
                continue
            if count > look:
                curve = setup.curve(loop, count)
                if not agreement(curve, v, half, precision).all():
                    continue
            fits.append((n_mistakes, loop, curve))
            fewest = min(fewest, n_mistakes)
    if any(loop.rate == 0.0 for _, loop, _ in fits):
        # Values that never change fit any rate too small to show: no such rate is named.
        fits = [f for f in fits if f[1].rate == 0.0 or _same(abs(f[1].rate), setup.lr)]
    if not fits:
        return Check("unexplained", (), parted, texts, v, exact)
    fewest = min(f[0] for f in fits)
    # Ties: a loop with the rate you gave before one with another rate (a moving average
    # or a schedule one epoch ahead with an exponential decay is exactly another rate).
    best = sorted((f for f in fits if f[0] == fewest), key=lambda f: f[1].rate != setup.lr)
    _, loop, curve = best[0]
    findings = tuple(_mistakes(setup, loop))
    kinds = {tuple(f.mistake for f in findings)}
    also = []
    for _, other, _ in best[1:]:
        found = _mistakes(setup, other)
        kind = tuple(f.mistake for f in found)
        if kind not in kinds:
            kinds.add(kind)
            also.append(", ".join(map(str, found)))
    return Check("explained", findings, parted, texts, v, exact, curve, tuple(also), precision.name)


READINGS = {"PIL": "PIL's convert('L') reads it: whole numbers 0-255"}
"""How a learner's own code reads an image file, beside gdcore's exact brightness."""


def learner_pixels(source: str | bytes) -> NDArray[np.float64] | None:
    """The image as a learner's code usually reads it: ``Image.open(f).convert("L")``.

    PIL rounds the brightness to whole numbers, where ``gdcore.load_image``
    keeps its fraction, so a learner's loop on a colour photo parts from the
    exact curve from epoch 0. None when PIL cannot read it so.
    """
    from PIL import Image

    try:
        with Image.open(io.BytesIO(source) if isinstance(source, bytes) else source) as img:
            if img.width * img.height > MAX_PIXELS:
                return None
            return np.asarray(img.convert("L"), dtype=np.float64)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None


def check_readings(
    setup: Setup, values: tuple[Printed, ...], others: dict[str, NDArray[np.float64]]
) -> Check:
    """``check_loop`` on the image as gdcore reads it and on each other reading of the same
    size (``READINGS``), every reading in float64 before any in float32; the reading that
    explains the numbers is said."""
    setups = {"": setup}
    for name, pixels in others.items():
        if pixels.shape == setup.pixels.shape and not np.array_equal(pixels, setup.pixels):
            setups[READINGS[name]] = Setup(
                pixels,
                setup.scale,
                setup.lr,
                setup.w0,
                optimizer=setup.optimizer,
                epochs=setup.epochs,
            )
    first = None
    for precision in (DOUBLE, SINGLE) if could_be_single(values) else (DOUBLE,):
        for reading, each in setups.items():  # every reading in float64 before any in float32
            found = _search(each, values, precision)
            if found.outcome != "unexplained":
                return replace(found, reading=reading, optimizer_said=said(setup.optimizer))
            first = first or found
    assert first is not None
    return replace(first, optimizer_said=said(setup.optimizer))


def check(
    pixels: ArrayLike,
    scale: str,
    lr: float,
    errors: str | tuple[Printed, ...],
    init: str | ArrayLike = "zero",
    seed: int = 0,
    optimizer: Optimizer = PLAIN,
    epochs: int | None = None,
) -> Check:
    """Check printed errors (text, or ``read_printed``'s values) against a setup.

    >>> print(check(np.array([[0.0, 255.0]]), "unit", 0.5, "0.25, 0.0781, 0.0488"))
    match
    All 3 values agree with the exact curve to the digits printed (epoch 2: printed 0.0488, exact 0.048828125).
    """
    values = read_printed(errors) if isinstance(errors, str) else errors
    return check_loop(Setup(pixels, scale, lr, init, seed, optimizer, epochs), values)


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


def example(setup: Setup, count: int = 30) -> str:
    """What a loop that left the ½ out of the error and the slopes prints, for a first look."""
    curve = setup.curve(Loop(setup.scale, 2.0 * setup.lr, mse=True), count)
    return ", ".join(f"{v:.6g}" for v in curve)
