"""What reading a training log gives, and the one error it raises.

``Log`` is the curve and what was read; ``Column`` one column as read; ``LogError``
the sentence for a log that cannot be read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ..verdicts.noise import Axis

MAX_VALUES = 1_000_000
"""Values in one curve, at most (a million epochs or logged steps)."""
MAX_BYTES = 24 * MAX_VALUES
"""Bytes of a log, at most: checked before anything is parsed. A million values at up to
24 characters each (what the dashboard's text box holds); a Keras CSV of a million epochs."""


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
class Column:
    """One column as read: its values, which cells held one, and the first that was no number."""

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


def counted(n: int, thing: str = "cell") -> str:
    """``1 cell``, ``1,200 cells``."""
    return f"{n:,} {thing}" + ("" if n == 1 else "s")


__all__ = ["MAX_BYTES", "MAX_VALUES", "Column", "Log", "LogError", "counted"]
