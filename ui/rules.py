"""The rules the dashboard adds to the engine's: a typed curve, a column name, Compare's runs.

Each follows ``gdcore.params``' rules (``allowed``, ``convert``, ``accepts``,
``what_was_given``, ``show``), so a ``Param`` holds it like any other; the dashboard's
rate and warm-up are the engine's narrowed to what a page keeps quick.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gdcore
import gdcore.learner.log_record
import gdcore.learner.logs
import gdcore.verdicts.diagnosis
from gdcore.descent.optimizer import Optimizer
from gdcore.params import LR, SCHEDULE, WARMUP

DASHBOARD_MAX_EPOCHS = 20_000
"""The most epochs a page runs (the engine takes 100,000): 20,000 keep a page quick."""

RATE = LR.narrowed(lo=1e-12, hi=1e6, lo_open=False)
"""A learning rate typed into the dashboard: the engine's rule with finite bounds."""


DASHBOARD_WARMUP = WARMUP.narrowed(hi=DASHBOARD_MAX_EPOCHS)


@dataclass(frozen=True)
class CurveText:
    """Errors typed or pasted: numbers, a table or printed lines (``gdcore.learner.logs``).

    A log whose column the rule cannot choose is accepted: the page asks for the column.
    """

    def allowed(self) -> str:
        return (
            "at least two numbers >= 0, separated by commas, spaces or new lines, "
            "or a training log (a CSV, TSV or semicolon table, or printed lines with loss: values)"
        )

    def convert(self, value: Any) -> str | None:
        try:
            gdcore.verdicts.diagnosis.check_curve(gdcore.learner.logs.read_log(str(value)).values)
        except gdcore.learner.log_record.LogError as exc:
            return str(value) if exc.candidates else None
        except ValueError:
            return None
        return str(value)

    def accepts(self, v: Any) -> bool:
        return True

    def show(self, v: Any) -> str:
        return str(v)


@dataclass(frozen=True)
class ColumnName:
    """The column of a log to judge, by name; empty: the one the rule chooses."""

    most: int = 100

    def allowed(self) -> str:
        return f"a column name of at most {self.most} printable characters"

    def convert(self, value: Any) -> str | None:
        text = str(value)
        return text if len(text) <= self.most and text.isprintable() else None

    def accepts(self, v: Any) -> bool:
        return True

    def show(self, v: Any) -> str:
        return str(v)


@dataclass(frozen=True)
class Run:
    """One run of Compare's table: a rate and its optimizer (``gdcore.Optimizer``)."""

    lr: float
    optimizer: Optimizer = Optimizer()

    def label(self, digits: int = 6) -> str:
        """``rate 1.2``, ``rate 1.2, β 0.9``, ``rate 1.2, Nesterov β 0.9, exp:0.99, warm-up 5``
        (numbers with ``digits`` significant digits)."""
        opt = self.optimizer
        parts = [f"rate {self.lr:.{digits}g}"]
        if opt.momentum:
            parts.append(f"{'Nesterov ' if opt.nesterov else ''}β {opt.momentum:.{digits}g}")
        if opt.schedule != SCHEDULE.default:
            parts.append(opt.schedule)
        if opt.warmup:
            parts.append(f"warm-up {opt.warmup}")
        return ", ".join(parts)

    @property
    def text(self) -> str:
        """The run as a link writes it: the rate, then ``Optimizer.text``."""
        return f"{RATE.show(self.lr)} {self.optimizer.text}".strip()


@dataclass(frozen=True)
class RunList:
    """Runs written as text, one per ``;``: a rate, then the optimizer as ``Optimizer.text``
    writes it (``momentum=B``, ``nesterov``, ``schedule=SPEC``, ``warmup=W``), each by its
    ``gdcore.params`` rule; the dashboard's warm-up is capped at its epoch cap.

    >>> RunList().convert("1.2 momentum=0.9; 0.5 schedule=exp:0.99 warmup=5")
    (Run(lr=1.2, optimizer=Optimizer(momentum=0.9)), Run(lr=0.5, optimizer=Optimizer(schedule='exp:0.99', warmup=5)))
    """

    most: int = 8

    def allowed(self) -> str:
        return (
            f"up to {self.most} runs separated by ;, each a rate ({RATE.rule.allowed()}) "
            "then any of momentum=B, nesterov, schedule=SPEC, warmup=W"
        )

    def row_problem(self, text: str) -> str | Run:
        """The run written in ``text``, or what is wrong with it."""
        first, _, rest = text.strip().partition(" ")
        problem = RATE.problem(first)
        if problem is not None:
            return f"rate {problem}"
        opt = Optimizer.problem(rest)
        if isinstance(opt, str):
            return opt.removeprefix("optimizer: ")
        problem = DASHBOARD_WARMUP.problem(opt.warmup)
        if problem is not None:
            return f"warmup {problem}"
        return Run(float(RATE.check(first)), opt)

    def convert(self, value: Any) -> tuple[Run, ...] | None:
        if isinstance(value, tuple):
            return value if all(isinstance(r, Run) for r in value) else None
        rows = [r.strip() for r in str(value).split(";") if r.strip()]
        runs = [self.row_problem(r) for r in rows]
        if any(isinstance(r, str) for r in runs):
            return None
        return tuple(r for r in runs if isinstance(r, Run))

    def accepts(self, v: Any) -> bool:
        return len(v) <= self.most

    def what_was_given(self, value: Any) -> str:
        rows = [r.strip() for r in str(value).split(";") if r.strip()]
        for i, row in enumerate(rows):
            said = self.row_problem(row)
            if isinstance(said, str):
                return f"run {i + 1}: {said}"
        return f"{len(rows)} runs"

    def show(self, v: Any) -> str:
        """The runs as link text, every number with all its digits (``convert(show(v)) == v``).

        >>> RunList().show(RunList().convert("1.2345678 momentum=0.9999999; 0.33333333"))
        '1.2345678 momentum=0.9999999; 0.33333333'
        """
        return "; ".join(r.text for r in v)
