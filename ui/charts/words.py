"""What a chart says in words: its numbers for the text alternative that screen readers read.

Every chart carries a description with the numbers it draws (tests/test_a11y.py
holds that); these are the words those descriptions share.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def count(n: int, thing: str) -> str:
    """``1 rate``, ``3 rates``: a number with its noun, plural right."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


def four_digits(v: float) -> str:
    """A number as a chart's words give it: four significant digits.

    >>> four_digits(0.123456), four_digits(1234567.0)
    ('0.1235', '1.235e+06')
    """
    return f"{v:.4g}"


def last_finite(v: np.ndarray) -> int:
    """Where a run was last computable: the index of its last finite value (0 if none)."""
    ok = np.flatnonzero(np.isfinite(v))
    return int(ok[-1]) if ok.size else 0


DESCRIBED_RUNS = 8
"""A chart's text alternative tells this many runs one by one, then how many more."""


def told_run(
    label: str,
    curve: np.ndarray,
    x_title: str = "epoch",
    verdict: str | None = None,
    cap: float | None = None,
) -> str:
    """One run's numbers as its chart draws them: where it starts and ends, where its
    numbers overflow, where it leaves the top of the view.

    >>> told_run("rate 0.1", np.array([4.0, 2.0, 1.0]), verdict="good")
    'rate 0.1 (good): 4 at epoch 0 to 1 at epoch 2.'
    """
    last_x = len(curve) - 1
    end = last_finite(curve)
    run = f"{label}" + (f" ({verdict})" if verdict is not None else "")
    run += f": {four_digits(curve[0])} at {x_title} 0 to {four_digits(curve[end])} at {x_title} {end:,}"
    if end < last_x:
        run += f", then the numbers overflow at {x_title} {end + 1:,}"
    if cap is not None and (curve[: end + 1] > cap).any():
        run += f", off the top of the chart from {x_title} {int(np.argmax(curve > cap)):,}"
    return run + "."


LINES_TOLD = "Each line's own label tells its run's numbers."
"""What a live chart's text alternative says instead of each run's numbers: a chart that
updates in place keeps one description (``ui.specs``), so the runs' words go on their lines."""


def describe_runs(
    title: str,
    labels: Sequence[str],
    errors: np.ndarray,
    x_title: str = "epoch",
    verdicts: Sequence[str] | None = None,
    error_star: float | None = None,
    cap: float | None = None,
    on_lines: bool = False,
) -> str:
    """The text alternative of a chart of runs: each run's numbers, as the chart shows them.

    ``on_lines``: the runs' numbers are on their lines (``told_run``), not here.

    >>> describe_runs("Error", ["rate 0.1"], np.array([[4.0, 2.0, 1.0]]), verdicts=["good"])
    'Error. 1 line, error against epoch 0 to 2. rate 0.1 (good): 4 at epoch 0 to 1 at epoch 2.'
    """
    last_x = errors.shape[1] - 1
    said = [f"{title}. {count(len(labels), 'line')}, error against {x_title} 0 to {last_x:,}."]
    if on_lines:
        said.append(LINES_TOLD)
    else:
        for i, label in enumerate(labels[:DESCRIBED_RUNS]):
            verdict = verdicts[i] if verdicts is not None else None
            said.append(told_run(label, errors[i], x_title, verdict, cap))
        if len(labels) > DESCRIBED_RUNS:
            said.append(
                f"And {count(len(labels) - DESCRIBED_RUNS, 'more line')}; the tables have them."
            )
    if error_star is not None:
        said.append(f"Lowest possible error E* = {four_digits(error_star)}.")
    return " ".join(said)
