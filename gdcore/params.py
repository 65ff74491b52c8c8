"""Every parameter of the engine, declared once: name, rule, default, help.

In the manner of scikit-learn's parameter constraints, a rule is data: a range
(``Range``), a set of choices (``Choice``), a yes/no (``Flag``) or a list of
values under one rule (``ListOf``). Everything that checks a value reads the
declaration: the engine's checks, the command line's argument types, the
dashboard's URL parsing and its widget bounds. So a bad value gets one sentence
everywhere, naming the parameter, what is allowed and what was given:

>>> EPOCHS.check(0)
Traceback (most recent call last):
...
ValueError: epochs: must be a whole number from 1 to 100,000, got 0.
>>> LR.parse("fast")
Traceback (most recent call last):
...
ValueError: lr: must be a number > 0, got 'fast'.

Where two surfaces need different limits (the dashboard caps epochs lower than
the engine), the narrower one is a new declaration with its own name made by
``Param.narrowed``, never a second hand-written bound. The built-in image
names are declared beside the images (``gdcore.pixels.images.IMAGE``), since the
choices are that module's table.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

_WHOLE = re.compile(r"[+-]?\d{1,18}")
_SHOWN = 40  # characters of a bad value quoted back in a message


def fmt(v: float) -> str:
    """A bound as a reader expects it: ``100,000`` for whole numbers, ``1e-12`` otherwise."""
    if float(v).is_integer() and abs(v) < 1e12:
        return f"{int(v):,}"
    return f"{v:g}"


def given(value: Any) -> str:
    """The value a user gave, quoted back: short, printable."""
    if isinstance(value, str):
        clean = "".join(c if c.isprintable() else "?" for c in value)
        return repr(clean if len(clean) <= _SHOWN else clean[:_SHOWN] + "…")
    if isinstance(value, float):
        return f"{value:g}"
    return repr(value)


@dataclass(frozen=True)
class Range:
    """A number, optionally whole, between bounds (``None`` means unbounded).

    ``lo_open`` makes the lower bound strict (``> 0`` for a learning rate).
    Non-finite numbers are never allowed.
    """

    lo: float | None = None
    hi: float | None = None
    integer: bool = False
    lo_open: bool = False
    hi_open: bool = False

    def allowed(self) -> str:
        kind = "a whole number" if self.integer else "a number"
        closed = not (self.lo_open or self.hi_open)
        if self.lo is not None and self.hi is not None and closed:
            return f"{kind} from {fmt(self.lo)} to {fmt(self.hi)}"
        parts = []
        if self.lo is not None:
            parts.append(f"{'>' if self.lo_open else '>='} {fmt(self.lo)}")
        if self.hi is not None:
            parts.append(f"{'<' if self.hi_open else '<='} {fmt(self.hi)}")
        return f"{kind} {' and '.join(parts)}".strip()

    def convert(self, value: Any) -> float | int | None:
        """The value as a number of the right kind, or None if it is not one."""
        if isinstance(value, bool):
            return None
        if isinstance(value, str):
            text = value.strip()
            if self.integer:
                return int(text) if _WHOLE.fullmatch(text) else None
            try:
                value = float(text)
            except ValueError:
                return None
        if self.integer:
            if isinstance(value, float) and value.is_integer():
                return int(value)
            return int(value) if _is_int(value) else None
        try:
            v = float(value)
        except (TypeError, ValueError):
            return None
        return v

    def accepts(self, v: Any) -> bool:
        if not math.isfinite(v):
            return False
        if self.lo is not None and (v <= self.lo if self.lo_open else v < self.lo):
            return False
        return self.hi is None or (v < self.hi if self.hi_open else v <= self.hi)

    def show(self, v: Any) -> str:
        return str(int(v)) if self.integer else repr(float(v))


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of options (strings or numbers), matched by their text."""

    options: tuple[Any, ...]

    def allowed(self) -> str:
        return "one of " + ", ".join(map(str, self.options))

    def convert(self, value: Any) -> Any:
        for option in self.options:
            if value == option or (isinstance(value, str) and value == str(option)):
                return option
        return None

    def accepts(self, v: Any) -> bool:
        return True

    def show(self, v: Any) -> str:
        return str(v)


@dataclass(frozen=True)
class Flag:
    """Yes or no; written ``1`` or ``0`` in a link."""

    def allowed(self) -> str:
        return "0 or 1"

    def convert(self, value: Any) -> bool | None:
        if isinstance(value, bool):
            return value
        return {"0": False, "1": True}.get(value) if isinstance(value, str) else None

    def accepts(self, v: Any) -> bool:
        return True

    def show(self, v: Any) -> str:
        return "1" if v else "0"


@dataclass(frozen=True)
class ListOf:
    """``least`` to ``most`` values, each under ``rule``; text separates them by commas."""

    rule: Range | Choice
    least: int = 1
    most: int = 256

    def allowed(self) -> str:
        many = f"{self.least} to {self.most}" if self.least != self.most else f"{self.most}"
        return f"{many} values separated by commas, each {self.rule.allowed()}"

    def convert(self, value: Any) -> tuple[Any, ...] | None:
        if isinstance(value, str):
            value = [v for v in re.split(r"[,\s;]+", value.strip()) if v]
        try:
            items = list(value)
        except TypeError:
            return None
        out = []
        for item in items:
            v = self.rule.convert(item)
            if v is None or not self.rule.accepts(v):
                return None
            out.append(v)
        return tuple(out)

    def accepts(self, v: Any) -> bool:
        return self.least <= len(v) <= self.most

    def what_was_given(self, value: Any) -> str:
        """Name the culprit: the count, or the first value outside the rule."""
        items = (
            [v for v in re.split(r"[,\s;]+", value.strip()) if v]
            if isinstance(value, str)
            else value
        )
        try:
            items = list(items)
        except TypeError:
            return given(value)
        for i, item in enumerate(items):
            v = self.rule.convert(item)
            if v is None or not self.rule.accepts(v):
                return f"{given(item)} (value {i + 1})"
        return f"{len(items)} values"

    def show(self, v: Sequence[Any]) -> str:
        """Every value with all its digits, so that ``convert(show(v)) == v``.

        >>> RATES.show((0.123456789, 1e-12, 2.0))
        '0.123456789, 1e-12, 2'
        """
        if isinstance(self.rule, Range) and not self.rule.integer:
            return ", ".join(shortest(float(x)) for x in v)
        return ",".join(map(str, v))


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule written as text: ``constant``, ``step:EVERY:FACTOR``,
    ``exp:FACTOR``, ``inverse:TAU`` or ``cosine`` (``gdcore.descent.schedules`` has the formulas).

    The value is the text in one canonical spelling (``step:10:0.5``), so it can be
    a link, a cache key and a widget's value alike; ``schedule_parts`` splits it.

    >>> SCHEDULE.check(" step:10:0.50 ")
    'step:10:0.5'
    >>> SCHEDULE.check("exp:1.5")
    Traceback (most recent call last):
    ...
    ValueError: schedule: must be constant, step:EVERY:FACTOR, exp:FACTOR, inverse:TAU or cosine (EVERY a whole number >= 1, FACTOR a number > 0 and <= 1, TAU a number > 0), got 'exp:1.5' (FACTOR must be a number > 0 and <= 1, got '1.5').
    """

    def allowed(self) -> str:
        return (
            "constant, step:EVERY:FACTOR, exp:FACTOR, inverse:TAU or cosine (EVERY a whole "
            "number >= 1, FACTOR a number > 0 and <= 1, TAU a number > 0)"
        )

    def convert(self, value: Any) -> str | None:
        parts = schedule_parts(value)
        if isinstance(parts, str):
            return None
        kind, numbers = parts
        return ":".join([kind, *(shortest(v) for v in numbers)])

    def accepts(self, v: Any) -> bool:
        return True

    def what_was_given(self, value: Any) -> str:
        parts = schedule_parts(value)
        return given(value) + (f" ({parts})" if isinstance(parts, str) and parts else "")

    def show(self, v: Any) -> str:
        return str(v)


_SCHEDULE_ARGS = {"constant": (), "cosine": (), "step": ("EVERY", "FACTOR"), "exp": ("FACTOR",)}
_SCHEDULE_ARGS["inverse"] = ("TAU",)


def schedule_parts(value: Any) -> tuple[str, tuple[float, ...]] | str:
    """``(kind, numbers)`` of a schedule's text, or what is wrong with it ('' if unclear).

    >>> schedule_parts("step:10:0.5"), schedule_parts("inverse:0")
    (('step', (10, 0.5)), "TAU must be a number > 0, got '0'")
    """
    if not isinstance(value, str):
        return ""
    kind, *args = value.strip().split(":")
    names = _SCHEDULE_ARGS.get(kind.strip())
    if names is None:
        return f"unknown schedule {kind.strip()!r}" if kind.strip() else ""
    if len(args) != len(names):
        return f"{kind} takes {':'.join([kind, *names])}"
    numbers: list[float] = []
    for name, text in zip(names, args, strict=True):
        rule = {
            "EVERY": Range(1, None, integer=True),
            "FACTOR": Range(0, 1, lo_open=True),
            "TAU": Range(0, None, lo_open=True),
        }[name]
        v = rule.convert(text)
        if v is None or not rule.accepts(v):
            return f"{name} must be {rule.allowed()}, got {given(text.strip())}"
        numbers.append(v)
    return kind.strip(), tuple(numbers)


def shortest(v: float) -> str:
    """A number as the shortest text that reads back as exactly ``v`` (``repr``, without ``.0``).

    Links, schedules and lists of rates write numbers this way, so a value
    survives being written and read again.

    >>> shortest(10.0), shortest(0.5), shortest(1e-05), shortest(0.9999999999999999)
    ('10', '0.5', '1e-05', '0.9999999999999999')
    """
    text = repr(v)
    return text[:-2] if text.endswith(".0") else text


Rule = Range | Choice | Flag | ListOf | Schedule


@dataclass(frozen=True)
class Param:
    """One parameter: its name, rule, default and a line of help."""

    name: str
    rule: Rule
    default: Any
    help: str

    def problem(self, value: Any) -> str | None:
        """What is wrong with ``value`` (``must be …, got …``), or None if it is allowed."""
        v = self.rule.convert(value)
        if v is None or not self.rule.accepts(v):
            shown = (
                self.rule.what_was_given(value)
                if isinstance(self.rule, ListOf | Schedule)
                else given(value)
            )
            return f"must be {self.rule.allowed()}, got {shown}"
        return None

    def check(self, value: Any) -> Any:
        """The value in its proper type; ``ValueError`` naming the parameter if not allowed."""
        problem = self.problem(value)
        if problem is not None:
            raise ValueError(f"{self.name}: {problem}.")
        return self.rule.convert(value)

    parse = check  # text from a command line or a link goes through the same rule

    def show(self, value: Any) -> str:
        """The value as text for a link; ``parse(show(v)) == v``."""
        return self.rule.show(value)

    def narrowed(self, name: str | None = None, **bounds: Any) -> Param:
        """The same parameter with tighter bounds, e.g. the dashboard's epoch cap."""
        return replace(self, name=name or self.name, rule=replace(self.rule, **bounds))

    def __repr__(self) -> str:
        return f"Param({self.name!r}: {self.rule.allowed()}; default {self.default!r})"


def _is_int(value: Any) -> bool:
    try:
        return int(value) == value and not isinstance(value, float)
    except (TypeError, ValueError, OverflowError):
        return False


# --- The engine's parameters ------------------------------------------------

SCALES = ("raw", "unit", "standard")
MAX_EPOCHS = 100_000
MAX_RATES = 256

LR = Param(
    "lr",
    Range(0, None, lo_open=True),
    None,
    "the learning rate: how far each step goes against the slope",
)
RATES = Param(
    "lr",
    ListOf(Range(0, None, lo_open=True), 1, MAX_RATES),
    None,
    "learning rates, run side by side",
)
EPOCHS = Param(
    "epochs",
    Range(1, MAX_EPOCHS, integer=True),
    200,
    "how many steps to take; epoch 0 is the start",
)
BATCH_SIZE = Param(
    "batch_size",
    Range(1, None, integer=True),
    None,
    "pixels per step; none (or at least the number of pixels) uses the whole image",
)
SEED = Param(
    "seed",
    Range(0, 2**32 - 1, integer=True),
    0,
    "seed for random starting weights and the shuffled batches",
)
INIT = Param(
    "init",
    Choice(("zero", "random")),
    "zero",
    "starting weights: zero, as in the lesson, or small random values from the seed",
)
SCALE = Param(
    "scale",
    Choice(SCALES),
    "unit",
    "raw pixel numbers, each column divided into 0–1 (unit), or standardized",
)
SIZE = Param("size", Range(2, 1024, integer=True), 64, "side of a built-in image, in pixels")
MAX_SIDE = Param(
    "max_side",
    Range(1, None, integer=True),
    None,
    "average an image file down so that no side is longer than this",
)
EARLY_STOP = Param(
    "early_stop_tol",
    Range(0, None),
    None,
    "stop a run once an epoch improves the error by no more than this fraction",
)

MOMENTUM = Param(
    "momentum",
    Range(0, 1, hi_open=True),
    0.0,
    "momentum β: each step keeps β of the last step and adds the new slope (0 is plain descent)",
)
NESTEROV = Param(
    "nesterov",
    Flag(),
    False,
    "Nesterov's momentum: take the slope's step plus β times the new momentum (needs β > 0)",
)
SCHEDULE = Param(
    "schedule",
    Schedule(),
    "constant",
    "how the rate changes from epoch to epoch: constant, step:EVERY:FACTOR, exp:FACTOR, "
    "inverse:TAU or cosine",
)
WARMUP = Param(
    "warmup",
    Range(0, None, integer=True),
    0,
    "warm-up epochs W: the rate of epoch k < W is multiplied by (k+1)/W (0: no warm-up)",
)

ENGINE = (
    LR,
    RATES,
    EPOCHS,
    BATCH_SIZE,
    SEED,
    INIT,
    SCALE,
    SIZE,
    MAX_SIDE,
    EARLY_STOP,
    MOMENTUM,
    NESTEROV,
    SCHEDULE,
    WARMUP,
)
"""The engine's parameters; ``gdcore.pixels.images.IMAGE`` is declared beside the images."""

MINIBATCH_WORK = 4_000_000
"""Mini-batch runs touch every pixel every epoch: pixels × epochs is capped at this;
one epoch is always allowed. At the cap a run takes about 3 s for one rate with
batches of one pixel (more for many rates at once). Full-batch runs have no such
cap: after one pass to build the bowl, their cost does not depend on the image."""


def minibatch_epochs(n: int) -> int:
    """The most epochs a mini-batch run on ``n`` pixels may take: ``MINIBATCH_WORK // n``, at least 1.

    >>> minibatch_epochs(64 * 64), minibatch_epochs(4096 * 4096)
    (976, 1)
    """
    return max(1, MINIBATCH_WORK // n)


def minibatch_work_problem(n: int, epochs: int) -> str | None:
    """What is wrong with a mini-batch run of ``epochs`` on ``n`` pixels; None within the cap.

    The sentence gives the estimate (pixels x epochs), the cap and how many
    epochs fit, for the command line and the dashboard alike.

    >>> print(minibatch_work_problem(64 * 64, 976))
    None
    >>> print(minibatch_work_problem(512 * 512, 100_000))
    a mini-batch run touches every pixel every epoch: 262,144 pixels × 100,000 epochs = 26,214,400,000, over the cap of 4,000,000; at most 15 epochs fit on this image
    """
    fit = minibatch_epochs(n)
    if epochs <= fit:
        return None
    return (
        f"a mini-batch run touches every pixel every epoch: {n:,} pixels × {epochs:,} epochs "
        f"= {n * epochs:,}, over the cap of {MINIBATCH_WORK:,}; at most {fit:,} "
        f"{'epoch fits' if fit == 1 else 'epochs fit'} on this image"
    )


def nesterov_problem(momentum: float, nesterov: bool) -> str | None:
    """The rule between two parameters: Nesterov's step needs a momentum β > 0.

    >>> print(nesterov_problem(0.0, True))
    nesterov: needs a momentum > 0 (Nesterov's step looks ahead along the momentum), got momentum 0
    >>> print(nesterov_problem(0.9, True))
    None
    """
    if nesterov and not momentum > 0:
        return (
            "nesterov: needs a momentum > 0 (Nesterov's step looks ahead along the momentum), "
            f"got momentum {fmt(momentum)}"
        )
    return None
