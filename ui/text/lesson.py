"""The lesson's own steps in words: one epoch in numbers, the checkpoints, the slope signs."""

from __future__ import annotations

import gdcore
from gdcore.descent.textbook import EpochDetail


def epoch_bullets(detail: EpochDetail, lr: float) -> str:
    """One epoch of the three-weight loop in numbers: error, slopes, updates."""
    weights, slopes, new = detail.weights, detail.slopes, detail.new_weights
    return (
        f"- **Error** = ½ · mean(difference²) over all {detail.n:,} pixels = **{detail.error:.6g}**\n"
        f"- **Slopes**: w0: mean(−difference) = **{slopes[0]:.6g}**; w1: mean(−difference × x) = "
        f"**{slopes[1]:.6g}**; w2: mean(−difference × y) = **{slopes[2]:.6g}**\n"
        f"- **Updates** (rate {lr:g}): w0 → {weights[0]:.6g} − {lr:g} × ({slopes[0]:.6g}) = "
        f"**{new[0]:.6g}**; w1 → **{new[1]:.6g}**; w2 → **{new[2]:.6g}**"
    )


def step_quiz() -> tuple[tuple[str, list[str], str, str, str], ...]:
    """The lesson's checkpoint questions: question, options, the right one, then what a
    right and a wrong answer hear. The feedback's numbers come from the engine."""
    lesson = gdcore.diagnose_curve([2.0, 0.1, 5.0, 20.0])
    at_five = gdcore.one_weight_step(5.0, 0.01)
    at_one = gdcore.one_weight_step(1.0, 0.01)
    return (
        (
            "1. The slope is negative. Should the weight go up or down?",
            ["up", "down"],
            "up",
            "Right: a negative slope means the error falls as the weight rises, so step up. "
            f"The minus in the update does it: 1 − 0.01 × ({at_one.slope:g}) = {at_one.new_weight:g}.",
            "Not quite: a negative slope means the error *falls* as the weight rises. "
            "Going down would climb the bowl.",
        ),
        (
            "2. Over four steps the error went 2.0 → 0.1 → 5.0 → 20. What happened?",
            ["the rate is too small", "the rate is too large", "the rate is good"],
            f"the rate is {lesson.verdict}",
            f"Right: {lesson.reason} Each step jumped past the bottom and landed higher up "
            "the other side.",
            f"Look again: {lesson.reason} A too-small rate crawls; it never climbs like this.",
        ),
        (
            "3. At weight 5 the slope is 0. What will a step do?",
            ["move up", "move down", "stay at 5"],
            "stay at 5",
            f"Right: the slope is {at_five.slope:g}, so the new weight is 5 − rate × 0 = "
            f"{at_five.new_weight:g}. This is the bottom.",
            f"Not quite: with slope {at_five.slope:g} the update changes nothing; the weight stays "
            f"at {at_five.new_weight:g}.",
        ),
    )


START_HERE = {
    # page id: where it sits in the lesson
    "step": "The slope and the update rule, one weight at a time: new weight = old weight − "
    "learning rate × slope (the lesson's example: input 2, true answer 10).",
    "walk": "Walking downhill on the bowl: small steps, zig-zags, and steps that overshoot.",
    "explore": "The gradient descent loop on a real image with three weights: predict, error, "
    "slopes, step, repeat, and the error curve it draws.",
    "compare": "The lesson's three learning rates side by side: too small, good, too large.",
    "sweep": "Many rates at once, to see where too small turns into good and good into too large.",
    "diagnose": "Your own error curve (or the lesson's 2.0 → 0.1 → 5.0 → 20): what went wrong.",
    "exercises": "The checkpoints: predict first, then let the engine check.",
    "check": "Your project's own loop: the errors it printed against the exact ones, and the "
    "line to fix when they part.",
}
"""The lesson's sections, in its order, with the page that continues each."""

SLOPE_SIGNS = (
    # the lesson's table: slope sign, what it means, what to try
    ("positive", "the error rises if you increase the weight", "decrease the weight"),
    ("negative", "the error falls if you increase the weight", "increase the weight"),
    ("zero", "flat: you may be at the bottom", "stop, or adjust carefully"),
)


def slope_sign_row(slope: float) -> int:
    """Which row of ``SLOPE_SIGNS`` a slope is on."""
    return 0 if slope > 0 else 1 if slope < 0 else 2
