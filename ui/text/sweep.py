"""What the sweep shows: each stretch of rates with one verdict, in one sentence."""

from __future__ import annotations

import pandas as pd

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from gdcore.verdicts.diagnosis import shown_edge

SWEEP_WORDS = {
    "too small": "**too small**: the error is still falling when the epochs run out",
    "good": "**good**: the error falls and flattens",
    "zig-zag": "**too large**: each step overshoots the bottom, the weights zig-zag across "
    "the valley and settle slowly",
    "explodes": "**too large**: above the edge rate {critical} every step overshoots "
    "by more than it gains, and the error explodes",
}


def sweep_story(table: pd.DataFrame, critical_lr: float) -> str:
    """What the sweep shows, read off its own table so the words match the verdicts.

    ``table`` has lr and verdict per rate, in increasing rate order; each stretch
    of rates with one verdict gets one sentence.
    """
    kinds = [
        "explodes"
        if v == "too large" and lr > critical_lr
        else "zig-zag"
        if v == "too large"
        else v
        for lr, v in zip(table["lr"], table["verdict"], strict=True)
    ]
    lines, start = [], 0
    for i in range(1, len(kinds) + 1):
        if i == len(kinds) or kinds[i] != kinds[start]:
            lo, hi = table["lr"].iloc[start], table["lr"].iloc[i - 1]
            span = f"{lo:.3g}" if i - 1 == start else f"{lo:.3g} to {hi:.3g}"
            words = SWEEP_WORDS[kinds[start]].format(critical=shown_edge(critical_lr))
            lines.append(f"- {span}: {words}.")
            start = i
    return "\n".join(lines)
