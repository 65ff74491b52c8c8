"""What the bowl says about one rate: its edge, its side of the edge, the maths behind it."""

from __future__ import annotations

import numpy as np

import gdcore
from gdcore.bowl import landscape
from gdcore.bowl.theory import DIVERGES, OVERSHOOT, SMOOTH, STALLS
from gdcore.verdicts.diagnosis import edge, shown_edge
from ui.text.markup import error_number, times

LESSON_WORDS = {
    SMOOTH: "each step goes part of the way down and the error falls smoothly",
    OVERSHOOT: "each step jumps past the bottom of the valley, but lands lower: "
    "the weights zig-zag and still settle",
    STALLS: "each step jumps exactly across the valley: the weights bounce for ever",
    DIVERGES: "each step jumps past the bottom and lands higher up the other side: "
    "the error explodes",
}


def bowl_story(
    theory: gdcore.Theory, lr: float, reach: int | None, scale: str, fastest: float | None = None
) -> str:
    """What the bowl says about this rate, in the lesson's words (slope, step, valley).
    ``fastest``: the fastest rate from this start, shown nearby (the edge never reads below it)."""
    limit = shown_edge(theory.critical_lr, fastest)
    ratio = lr / theory.critical_lr
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
        f"{LESSON_WORDS[gdcore.behaviour(theory, lr)]}. {reach_text}",
        f"- Even the best weights leave an error of **{error_number(theory.error_star)}**: "
        "a flat plane cannot draw this image exactly"
        + (" (here it can: this image is a plane)." if theory.error_star < 1e-12 else "."),
    ]
    if scale == "raw":
        lines.append(
            "- On the **raw** scale x and y are pixel numbers in the tens or hundreds, so the "
            "bowl is very steep and only tiny rates survive. **Normalize**: the unit scale "
            "divides x, y and brightness into 0–1 and lets much larger steps settle."
        )
    return "\n".join(lines)


def maths(theory: gdcore.Theory, scale: str) -> str:
    """The exact theory behind ``bowl_story``, each symbol said in the lesson's words."""
    kappa = "∞" if theory.singular else f"{theory.condition_number:.4g}"
    return (
        f"- **λmax = {theory.lambda_max:.4g}** is the bowl's steepest curvature (how fast the slope "
        f"changes along its steepest direction). One step multiplies the distance to the "
        f"bottom along it by 1 − rate × λmax, so steps settle only while that stays above −1: "
        f"the edge rate is **2/λmax = {edge(theory.critical_lr):g}**.\n"
        f"- **λmin = {theory.lambda_min:.4g}** is its flattest curvature: the slowest direction, "
        "which sets how long the last stretch takes.\n"
        f"- **κ = λmax/λmin = {kappa}** says how stretched the valley is; the rate "
        f"**2/(λmin+λmax) = {theory.optimal_lr:.4g}** balances the two and still leaves "
        f"{theory.optimal_factor:.3f} of the distance after every epoch.\n"
        f"- **E\\* = {error_number(theory.error_star)}** is the lowest possible error, at "
        f"w* = ({theory.w_star[0]:.4g}, {theory.w_star[1]:.4g}, {theory.w_star[2]:.4g}).\n"
        "- The curvatures come from the inputs x and y only, not from the brightness: every "
        f"image of this size on the {scale} scale has the same edge rate."
    )


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
