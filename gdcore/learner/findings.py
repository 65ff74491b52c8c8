"""What a check finds: the mistakes learners make, and the check's outcome with its evidence.

Each mistake is named with its reason, in the lesson's words and the setup's numbers,
and the line to write instead; the outcome's evidence is one sentence.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from .setup import BRIGHT_255, Loop, Setup

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
SAME_RATE = 1e-6
"""Two rates within this relative difference are the same rate (2 x, N x)."""


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
    if same_rate(ratio, 2.0):
        reason = (
            f"the steps are 2× your rate {lr:g}: the slopes of the mean squared error "
            "without ½ (the 2 of the square is left in)"
        )
        why = "the slope of ½·mean squared error has no factor 2"
        return Finding(mistake, value, reason, SLOPE_LINE, why)
    if same_rate(ratio, n) or same_rate(ratio, 2.0 * n):
        two = same_rate(ratio, 2.0 * n)
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


def same_rate(a: float, b: float) -> bool:
    """Whether rate ``a`` is rate ``b``, within ``SAME_RATE`` of ``b`` (2 x, N x)."""
    return abs(a - b) <= SAME_RATE * abs(b)


def count_mistakes(setup: Setup, loop: Loop) -> int:
    """How many findings ``findings_of`` names for ``loop``, without writing them."""
    rate = loop.rate != 0.0 and not same_rate(abs(loop.rate), setup.lr)
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


def findings_of(setup: Setup, loop: Loop) -> list[Finding]:
    """The findings that turn the textbook loop into ``loop``, in ``MISTAKES`` order."""
    out = []
    if loop.rate == 0.0:
        out.append(_finding("no-change", setup))
    if loop.mse:
        out.append(_finding("reports-mse", setup))
    if loop.rate != 0.0 and not same_rate(abs(loop.rate), setup.lr):
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
    return sorted(out, key=lambda finding: order[finding.mistake])


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
        what = "; ".join(finding.reason for finding in self.findings)
        other = f" These fit as well: {' or '.join(self.also)}." if self.also else ""
        return (
            f"{what[:1].upper()}{what[1:]}. All {n} values agree with that loop {digits} "
            f"(epoch {k}: printed {self.texts[k]}, that loop "
            f"{self.explained[k]:.6g}, the exact curve {self.exact[k]:.6g}).{other}"
        )

    def __str__(self) -> str:
        return f"{self.headline}\n{self.evidence}"


__all__ = [
    "MAX_MISTAKES",
    "MISTAKES",
    "SAME_RATE",
    "SCALE_LINES",
    "SLOPE_LINE",
    "UPDATE_LINE",
    "Check",
    "Finding",
    "count_mistakes",
    "findings_of",
    "same_rate",
]
