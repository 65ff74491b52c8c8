"""Sentences the pages show, made from the engine's numbers (never typed-in numbers).

Each function returns Markdown built from its arguments only, so a page and a
test can compare the words with the numbers they came from.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

import gdcore
from gdcore.bowl import landscape
from gdcore.bowl.theory import DIVERGES, OVERSHOOT, SMOOTH, STALLS
from gdcore.descent.textbook import EpochDetail
from gdcore.verdicts.diagnosis import edge, shown_edge

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def literal(raw: str) -> str:
    """Text that came from a user (a link, a typed box, a file) made inert for Markdown.

    Every character Markdown or HTML could act on is escaped with a backslash, so
    ``[Login](//ev.il)`` or ``![](x.png)`` shows as typed and never becomes a link
    or fetches an image. Non-printable characters become ``?``.

    >>> print(literal("[Login](//ev.il)"))
    \\[Login\\]\\(//ev\\.il\\)
    """
    clean = "".join(c if c.isprintable() else "?" for c in raw)
    return _MARKDOWN.sub(r"\\\1", clean)


def quoted(raw: str, most: int = 40) -> str:
    """Text from a link or a file, made safe to show inside backticks: printable, short."""
    clean = "".join(c if c.isprintable() and c != "`" else "?" for c in raw)
    return clean if len(clean) <= most else clean[:most] + "…"


LESSON_WORDS = {
    SMOOTH: "each step goes part of the way down and the error falls smoothly",
    OVERSHOOT: "each step jumps past the bottom of the valley, but lands lower: "
    "the weights zig-zag and still settle",
    STALLS: "each step jumps exactly across the valley: the weights bounce for ever",
    DIVERGES: "each step jumps past the bottom and lands higher up the other side: "
    "the error explodes",
}


def bowl_story(
    th: gdcore.Theory, lr: float, reach: int | None, scale: str, fastest: float | None = None
) -> str:
    """What the bowl says about this rate, in the lesson's words (slope, step, valley).
    ``fastest``: the fastest rate from this start, shown nearby (the edge never reads below it)."""
    limit = shown_edge(th.critical_lr, fastest)
    ratio = lr / th.critical_lr
    where = "below" if ratio < 1 else "exactly at" if np.isclose(ratio, 1, rtol=1e-12) else "above"
    reach_text = (
        f"It settles within 1% of the lowest error at epoch **{reach:,}**."
        if reach is not None
        else "It never settles within 1% of the lowest error."
    )
    lines = [
        "- The error over the three weights is a **bowl**: each step goes downhill, against "
        "the slope, by the learning rate × the slope.",
        f"- Steps get too long at a rate of **{limit}**: above it every step overshoots the "
        "bottom by more than it gains, and the error explodes.",
        f"- Your rate **{lr:g}** is {where} that edge ({times(ratio)}): "
        f"{LESSON_WORDS[gdcore.behaviour(th, lr)]}. {reach_text}",
        f"- Even the best weights leave an error of **{error_number(th.error_star)}**: "
        "a flat plane cannot draw this image exactly"
        + (" (here it can: this image is a plane)." if th.error_star < 1e-12 else "."),
    ]
    if scale == "raw":
        lines.append(
            "- On the **raw** scale x and y are pixel numbers in the tens or hundreds, so the "
            "bowl is very steep and only tiny rates survive. **Normalize**: the unit scale "
            "divides x, y and brightness into 0–1 and lets much larger steps settle."
        )
    return "\n".join(lines)


def times(r: float) -> str:
    """A ratio as a learner reads it: ``0.582×``, ``3.82×``, ``1,630×`` (never ``1.63e+03×``)."""
    if r >= 1000:
        return f"{r:,.0f}×"
    return f"{r:.3g}×"


def error_number(v: float) -> str:
    """An error as a learner reads it: 0 when it is rounding dust, else 4 digits."""
    return "0" if abs(v) < 1e-12 else f"{v:.4g}"


def maths(th: gdcore.Theory, scale: str) -> str:
    """The exact theory behind ``bowl_story``, each symbol said in the lesson's words."""
    kappa = "∞" if th.singular else f"{th.condition_number:.4g}"
    return (
        f"- **λmax = {th.lambda_max:.4g}** is the bowl's steepest curvature (how fast the slope "
        f"changes along its steepest direction). One step multiplies the distance to the "
        f"bottom along it by 1 − rate × λmax, so steps settle only while that stays above −1: "
        f"the edge rate is **2/λmax = {edge(th.critical_lr):g}**.\n"
        f"- **λmin = {th.lambda_min:.4g}** is its flattest curvature: the slowest direction, "
        "which sets how long the last stretch takes.\n"
        f"- **κ = λmax/λmin = {kappa}** says how stretched the valley is; the rate "
        f"**2/(λmin+λmax) = {th.optimal_lr:.4g}** balances the two and still leaves "
        f"{th.optimal_factor:.3f} of the distance after every epoch.\n"
        f"- **E\\* = {error_number(th.error_star)}** is the lowest possible error, at "
        f"w* = ({th.w_star[0]:.4g}, {th.w_star[1]:.4g}, {th.w_star[2]:.4g}).\n"
        "- The curvatures come from the inputs x and y only, not from the brightness: every "
        f"image of this size on the {scale} scale has the same edge rate."
    )


def epoch_bullets(ep: EpochDetail, lr: float) -> str:
    """One epoch of the three-weight loop in numbers: error, slopes, updates."""
    w, g, new = ep.weights, ep.slopes, ep.new_weights
    return (
        f"- **Error** = ½ · mean(difference²) over all {ep.n:,} pixels = **{ep.error:.6g}**\n"
        f"- **Slopes**: w0: mean(−difference) = **{g[0]:.6g}**; w1: mean(−difference × x) = "
        f"**{g[1]:.6g}**; w2: mean(−difference × y) = **{g[2]:.6g}**\n"
        f"- **Updates** (rate {lr:g}): w0 → {w[0]:.6g} − {lr:g} × ({g[0]:.6g}) = "
        f"**{new[0]:.6g}**; w1 → **{new[1]:.6g}**; w2 → **{new[2]:.6g}**"
    )


def step_quiz() -> tuple[tuple[str, list[str], str, str, str], ...]:
    """The lesson's checkpoint questions: question, options, the right one, then what a
    right and a wrong answer hear. The feedback's numbers come from the engine."""
    lesson = gdcore.diagnose_curve([2.0, 0.1, 5.0, 20.0])
    s5 = gdcore.one_weight_step(5.0, 0.01)
    s1 = gdcore.one_weight_step(1.0, 0.01)
    return (
        (
            "1. The slope is negative. Should the weight go up or down?",
            ["up", "down"],
            "up",
            "Right: a negative slope means the error falls as the weight rises, so step up. "
            f"The minus in the update does it: 1 − 0.01 × ({s1.slope:g}) = {s1.new_weight:g}.",
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
            f"Right: the slope is {s5.slope:g}, so the new weight is 5 − rate × 0 = "
            f"{s5.new_weight:g}. This is the bottom.",
            f"Not quite: with slope {s5.slope:g} the update changes nothing; the weight stays "
            f"at {s5.new_weight:g}.",
        ),
    )


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


def walk_rate(lr: float, speed: float, picture_edge: float, factor: float, where: str) -> str:
    """Walk's rate as a share of its picture's edge, and on which side of that edge it is.

    ``factor`` is the step factor across the picture's steepest direction (``Walk.factor``):
    below -1 the rate is above the edge, at -1 exactly on it, otherwise below it. The side
    is said in words after the rate, never as a parenthesis about the other side.
    """
    kind = landscape.step_kind(factor)
    side = (
        "above it: every step overshoots by more than it gains"
        if kind is landscape.Step.DIVERGE
        else "exactly on it: every step lands as far out on the other side"
        if kind is landscape.Step.BOUNCE
        else "below it, so the steps can settle"
    )
    return f"Rate **{lr:.4g}** = {speed:g} × {where} edge rate {edge(picture_edge):g}, {side}."


def picture_edge_note(picture_edge: float, image_edge: float, names: str, lr: float) -> str:
    """One sentence: why a picture's edge (one weight, or a two-weight map) differs from the
    image's edge (all three weights learning, as on Explore).

    Only the weights in ``names`` learn in the picture, so its edge is ``2 / lambda_max`` of
    their block of the bowl; no block is steeper than the whole bowl, so the picture's edge
    is never below the image's. When the two are equal the steepest direction of the whole
    bowl moves only these weights.
    """
    shown = edge(image_edge)
    if np.isclose(picture_edge, image_edge, rtol=1e-6):
        return (
            f"This picture's edge is the image's edge {shown:g}: the bowl's steepest direction "
            f"moves only {names}."
        )
    verb = "learns" if " " not in names else "learn"
    blown = f", so at {lr:.4g} all three weights together would blow up" if lr > image_edge else ""
    ratio = picture_edge / image_edge
    larger = "only slightly larger" if ratio < 1.01 else f"{times(ratio)} larger"
    return (
        f"The image's edge rate is {shown:g} (all three weights learning, as on Explore); this "
        f"picture's is {larger} because here only {names} {verb}, and the bowl is less steep "
        f"along {names} alone than along its steepest direction, which moves all three weights "
        f"at once{blown}."
    )
