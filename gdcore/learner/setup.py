"""The learner's setup and the curves their loop prints: as written, or with a mistake.

A ``Setup`` is what the learner says their project did (image, scale, rate,
starting weights, optimizer, epochs run); a ``Loop`` is one way the loop may have
been written (the textbook loop, or it with some mistakes). A variant loop is not
run pixel by pixel: it is the engine's closed form on a changed bowl (a table on
another scale, a bowl without the intercept direction) at a changed rate, or with
momentum and schedules the eigen-direction recurrence (``descent.directions``),
then the printed numbers changed (doubled, one epoch late).
"""

from __future__ import annotations

import io
import math
import re
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..descent.directions import direction_paths
from ..descent.engine import closed_form, initial_weights
from ..descent.optimizer import Optimizer
from ..params import EPOCHS, INIT, LR, SCALE, Param
from ..pixels.loading import MAX_PIXELS
from ..pixels.quadratic import Quadratic, quadratic
from ..pixels.table import pixel_table


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
        opt = self.optimizer
        if opt.plain:
            return closed_form(q, rates, epochs, w, False)[0]
        if (total, epochs + 1) not in self._factors:
            self._factors[(total, epochs + 1)] = factors(opt, total, epochs + 1)
        m = self._factors[(total, epochs + 1)].copy()  # one more: a schedule one epoch ahead
        if loop.warm_zero:
            early = np.arange(len(m)) < opt.warmup
            m[early] *= np.arange(len(m))[early] / (np.arange(len(m))[early] + 1.0)
        m = m[1:] if loop.ahead else m[:-1]
        nesterov = opt.nesterov != loop.flip
        if loop.damped:
            rates = rates * (1.0 - opt.momentum)  # buf/(1-β) is PyTorch's: the rate (1-β) lr
        if loop.inside:
            excess = _rate_in_buffer(q, rates, m, w, opt.momentum, nesterov)
        else:
            stepper = replace(opt, nesterov=nesterov)  # the schedule is ``m``'s
            excess = direction_paths(q, rates, epochs, w, stepper, False, factors=m)[0]
        errors = q.error_star + excess.sum(axis=2)
        errors[:, 0] = q.error(w)
        return errors

    def curve(self, loop: Loop, count: int) -> NDArray[np.float64]:
        """The first ``count`` printed errors of ``loop``."""
        raw = self.curves(loop, [loop.rate], count, self.total(count))[0]
        return as_printed(raw, loop, count)


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


def as_printed(raw: NDArray[np.float64], loop: Loop, count: int) -> NDArray[np.float64]:
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


__all__ = [
    "BRIGHT_255",
    "PLAIN",
    "RAN",
    "READINGS",
    "START",
    "Loop",
    "Setup",
    "Start",
    "as_printed",
    "factors",
    "learner_pixels",
    "said",
    "varies",
]
