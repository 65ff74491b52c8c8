"""Momentum and schedules in the lesson's words: the heavy ball, its edge, its map, its directions.

Momentum makes the ball heavy: each step keeps a share β of the last step and
adds the new slope. A schedule changes the rate from epoch to epoch. Every
number said is the run's; the symbols stay in "the maths behind this".
"""

from __future__ import annotations

import numpy as np

import gdcore
import gdcore.verdicts.momentum_map
from gdcore.bowl import forecast
from gdcore.descent.optimizer import Optimizer
from gdcore.verdicts.diagnosis import edge
from gdcore.verdicts.momentum_map import best_rate_for, root_factors
from gdcore.verdicts.optimizer_words import beta_text, momentum_words, near_one
from ui import charts
from ui.text.markup import times

HEAVY_BALL = (
    "Momentum makes the ball **heavy**: each step keeps part of its last step (the share β) "
    "and adds the new slope. It rolls on past the bottom and swings back, so it can take "
    "larger steps without blowing up, and in a long narrow valley it builds up speed along the floor."
)


def momentum_story(theory: gdcore.Theory, lr: float, optimizer: Optimizer, epochs: int) -> str:
    """What the bowl says about this rate with its optimizer, in the lesson's words.

    Every number is this run's: the edges compared as numbers (Nesterov's edge is
    lower than plain steps' and the heavy ball's), the rate of every epoch read off
    the schedule (a warm-up starts low, so the start is its first epoch's rate).
    """
    plain = theory.critical_lr
    wide = theory.critical_lr_for(optimizer)
    lines = [
        "- The error over the three weights is a **bowl**: each step goes downhill, against "
        "the slope, by the learning rate × the slope.",
    ]
    if optimizer.momentum > 0 and optimizer.nesterov:
        heavy = theory.critical_lr_for(Optimizer(optimizer.momentum))
        side = "lower" if wide < plain else "higher"
        lines.append(
            f"- With {momentum_words(optimizer)} the ball is **heavy** and looks "
            f"ahead: each step keeps {beta_text(optimizer.momentum)} of its last step and adds the "
            f"slope where that step leads. Plain steps get too long at a rate of "
            f"**{edge(plain):g}**; Nesterov's edge is **{edge(wide):g}**, {side} than that "
            f"(the look-ahead brakes early), and the heavy ball's without the look-ahead would "
            f"be {edge(heavy):g}."
        )
    elif optimizer.momentum > 0:
        lines.append(
            f"- With {momentum_words(optimizer)} the ball is **heavy**: each step keeps "
            f"{beta_text(optimizer.momentum)} of its last step and adds the new slope. Plain steps get "
            f"too long at a rate of **{edge(plain):g}**; the heavy ball's edge is "
            f"**{edge(wide):g}**."
        )
    else:
        lines.append(
            f"- Steps get too long at a rate of **{edge(plain):g}**: above it every step "
            "overshoots the bottom by more than it gains, and the error explodes."
        )
    if not optimizer.constant_rate:
        used = optimizer.rates(lr, epochs)
        above = int((used > wide).sum())
        top = int(np.argmax(used))
        start = (
            f"Your rate **{lr:g}** is the start"
            if used[0] == lr
            else f"Your rate **{lr:g}** is the base: the steps start at {used[0]:.3g} (epoch 0)"
        )
        peak = f", reach {used[top]:.3g} at epoch {top:,}" if used[top] > used[0] else ""
        lines.append(
            f"- The schedule: {optimizer.describe()}. {start}{peak} and use "
            f"{used[-1]:.3g} at the last epoch; {above:,} of {epochs:,} epochs are above the "
            "edge (the chart under the error curve shows every epoch's rate)."
        )
    else:
        lines.append(_where(lr, plain, wide, optimizer))
    lines.append(
        f"- Even the best weights leave an error of **{theory.error_star:.4g}**: a flat plane "
        "cannot draw most images exactly."
    )
    return "\n".join(lines)


def _where(lr: float, plain: float, wide: float, optimizer: Optimizer) -> str:
    """Where a constant rate sits beside the plain edge and the heavy ball's (or Nesterov's) edge."""
    if optimizer.momentum == 0:
        side = "below" if lr < plain else "above"
        return f"- Your rate **{lr:g}** is {side} that edge ({times(lr / plain)})."
    name = "Nesterov's edge" if optimizer.nesterov else "the heavy ball's edge"
    if lr < min(plain, wide):
        return (
            f"- Your rate **{lr:g}** is below both edges ({times(lr / plain)} the plain one): "
            "plain steps would settle too; the heavy ball builds up speed along the valley floor."
        )
    if lr < wide:
        return (
            f"- Your rate **{lr:g}** is {times(lr / plain)} the plain edge: plain steps would "
            f"overshoot by more than they gain and explode. It is {times(lr / wide)} {name}, "
            "so its swings shrink and it settles: momentum saves this rate."
        )
    if lr < plain:
        return (
            f"- Your rate **{lr:g}** is below the plain edge ({times(lr / plain)}) but "
            f"{times(lr / wide)} {name}: plain steps would settle, the look-ahead's swings grow "
            "and the error explodes."
        )
    return (
        f"- Your rate **{lr:g}** is above {name} too ({times(lr / wide)}): each "
        "swing carries it further up the other side, and the error explodes."
    )


def momentum_maths(theory: gdcore.Theory, optimizer: Optimizer) -> str:
    """The symbols behind ``momentum_story``: the recurrence, the edge with β and the best pair."""
    beta = optimizer.momentum
    wide = theory.critical_lr_for(optimizer)
    step = "(slope_k + β·buf_k)" if optimizer.nesterov else "buf_k"
    return (
        f"- PyTorch's SGD (dampening 0): **buf_k = β·buf_(k−1) + slope_k** (the first buf is "
        f"the slope), **w_(k+1) = w_k − rate_k × {step}**.\n"
        f"- Along the steepest direction (curvature λmax = {theory.lambda_max:.4g}) the heavy ball "
        f"settles while rate < **2(1+β)/λmax**"
        + (" ÷ (1+2β) with Nesterov" if optimizer.nesterov else "")
        + f": here **{edge(wide):g}** with β = {beta_text(beta)} (plain: 2/λmax = {edge(theory.critical_lr):g}).\n"
        f"- The best pair for this bowl: **β\\* = ((√κ−1)/(√κ+1))² = {theory.optimal_momentum:.4g}**, "
        f"**rate\\* = 4/(√λmax+√λmin)² = {theory.optimal_momentum_lr:.4g}**: every direction then "
        f"shrinks by **{theory.momentum_factor:.4f}** per epoch, against {theory.optimal_factor:.4f} "
        f"for the best plain rate (κ = {theory.condition_number:.4g}).\n"
        f"- For β = {beta_text(beta)} the rate whose slowest direction settles fastest is "
        f"**{best_rate_for(theory.bowl, optimizer):.4g}**."
    )


def _count(n: int) -> str:
    return f"{n:,} epoch" + ("" if n == 1 else "s")


def map_story(theory: gdcore.Theory, emap: gdcore.verdicts.momentum_map.EpochMap) -> str:
    """What the rate × momentum map shows, read off its own cells."""
    epochs = emap.epochs
    lines = [
        "- Each cell is one run from zero weights: a rate (across) with a momentum β (up), "
        "coloured by the exact epoch from which its error stays within 1% of the lowest "
        "error E* (with momentum it may touch that band sooner and swing out again). Light "
        f"grey: it never settles; darker grey: more than {emap.limit:,} epochs.",
        f"- The dashed line is the edge rate, **{edge(theory.critical_lr):g}** without momentum. "
        f"The heavier the ball, the further right it moves: at β = {emap.momenta[-1]:.3g} it is "
        f"**{edge(theory.critical_lr_for(Optimizer(float(emap.momenta[-1])))):g}**. Right of the line nothing "
        "settles.",
    ]
    plain = epochs[0][np.isfinite(epochs[0])]
    counted = np.isfinite(epochs)
    if counted.any():
        i, j = np.unravel_index(np.argmin(np.where(counted, epochs, np.inf)), epochs.shape)
        best = (
            f"without momentum the fewest is **{_count(int(plain.min()))}**"
            if plain.size
            else f"without momentum no rate here gets there within {emap.limit:,} epochs"
        )
        lines.append(
            f"- The quickest cell: rate **{emap.rates[j]:.3g}** with β = **{emap.momenta[i]:.3g}**, "
            f"**{_count(int(epochs[i, j]))}**; {best}."
        )
    else:
        lines.append(
            f"- No cell settles within 1% of E* in {emap.limit:,} epochs: give the runs more epochs, "
            "or normalize (the unit or standard scale makes the bowl rounder)."
        )
    lines.append(
        f"- The diamond is the theory's best pair, rate {theory.optimal_momentum_lr:.4g} with "
        f"β = {round(theory.optimal_momentum, 4):g}: the best for any start. From the zero weights a "
        "neighbouring cell can be a little quicker."
    )
    return "\n".join(lines)


def directions_story(milestones: forecast.Milestones, lr: float, optimizer: Optimizer) -> str:
    """Which direction of the bowl is slow, and why, in the lesson's words.

    A factor per epoch above 1 is a direction that grows, never "the slowest": with a
    schedule that can happen at the base rate while the run still settles, so the
    story then says which direction grows, and which one is left at the end.
    """
    names = charts.DIRECTION_NAMES
    slowest_factor = milestones.factors[milestones.slowest]
    constant = optimizer.constant_rate
    intro = (
        "The bowl has three directions, from flattest to steepest. Each line is one "
        "direction's share of the error above E*. "
    )
    if slowest_factor >= 1:
        grows = int(np.argmax(milestones.factors))
        end = milestones.excess[:, -1]
        left = (
            f" At the last epoch the **{names[int(np.argmax(end))]}** direction holds most of "
            "what is left above E*."
            if np.isfinite(end).all() and end.sum() > 0
            else ""
        )
        then = (
            "so the error explodes"
            if constant
            else "while the schedule keeps the rate that high; once it brings the rate below "
            "the edge, this direction shrinks again"
        )
        return (
            f"{intro}At the base rate {lr:g} the **{names[grows]}** direction grows: each epoch "
            f"multiplies its distance to the bottom by **{milestones.factors[grows]:.3f}** (above 1), "
            f"{then}.{left}"
        )
    base = "" if constant else f" at the base rate {lr:g}"
    how = f"each epoch keeps **{near_one(float(slowest_factor))}** of its distance to the bottom"
    kind = (
        "the heavy ball's swings set this pace, not the bowl"
        if optimizer.momentum > 0
        and not optimizer.nesterov
        and abs(slowest_factor - np.sqrt(optimizer.momentum)) < 1e-3
        else "the bowl is flattest there, so each step is short"
        if milestones.slowest == 0
        else "the bowl is steep there, so the steps swing across it"
    )
    heavy = (
        f" With {momentum_words(optimizer)} no direction can do better than √β = "
        f"{near_one(float(np.sqrt(optimizer.momentum)))} per epoch: the heavy ball trades a little "
        "speed on the flat side for steps that do not explode on the steep side."
        if optimizer.momentum > 0 and not optimizer.nesterov
        else ""
    )
    return (
        f"{intro}The slowest here is the **{names[milestones.slowest]}** direction{base}: {how} "
        f"({kind}).{heavy}"
    )


def walk_beside_story(
    bowl: gdcore.Quadratic,
    first: int,
    second: int,
    speed: float,
    beta: float,
    plain_lr: float,
    edge_plain: float,
) -> str:
    """What the two walks of one valley show: plain steps beside the heavy ball at the same rate.

    The valley is the bowl's block for weights ``first`` and ``second``; each walk's worst factor per
    epoch is read off that block's curvatures (``root_factors`` for the heavy ball).
    """
    edge_heavy = edge_plain * (1 + beta)
    sub = bowl.hessian[np.ix_([first, second], [first, second])]
    curvatures = np.linalg.eigvalsh(sub)
    worst_plain = float(np.abs(1 - plain_lr * curvatures).max())
    worst_heavy = float(root_factors(curvatures[curvatures > 0], plain_lr, Optimizer(beta)).max())
    rate_curvatures = plain_lr * curvatures[curvatures > 0]
    swings = bool(((1 + beta - rate_curvatures) ** 2 < 4 * beta).any())  # complex roots: it spirals
    how = (
        "it rolls past the bottom and swings back, spiralling in"
        if swings and worst_heavy < 1
        else (
            "its swings grow: it spirals out" if swings else "it is thrown further out every step"
        )
        if worst_heavy >= 1
        else "it rolls downhill without swinging across"
    )
    return (
        f"Both walks take the rate **{plain_lr:.4g}** ({speed:g} × this map's plain edge rate "
        f"{edge(edge_plain):g}). Plain steps multiply the distance to the bottom by up to "
        f"**{worst_plain:.3f}** per epoch"
        + (" (above 1: they explode)" if worst_plain > 1 else "")
        + f". The heavy ball keeps {beta:g} of its last step: {how}. Its edge rate is "
        f"**{edge(edge_heavy):g}**, and the distance to the bottom changes by up to "
        f"**{worst_heavy:.3f}** per epoch"
        + (" (above 1: it explodes)." if worst_heavy > 1 else ".")
        + (
            ""
            if worst_heavy >= 1 or abs(worst_heavy - worst_plain) < 5e-4
            else " So the heavy ball settles sooner than plain steps here."
            if worst_heavy < worst_plain
            else " So plain steps settle sooner here: the heavy ball swings for longer."
        )
    )
