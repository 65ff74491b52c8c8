"""Momentum and schedules on the dashboard: the Advanced controls, cached runs, words.

Momentum makes the ball heavy: each step keeps a share β of the last step and
adds the new slope. A schedule changes the rate from epoch to epoch. The pages
read the controls here (declared once in ``ui.params``), run through the
cached functions in ``ui.cached`` and say
what the run did in the lesson's words; the symbols stay in "the maths behind
this". The verdicts are ``gdcore.verdicts.knobs.diagnose_knobs``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
import gdcore.verdicts.knobs
from gdcore.bowl import forecast, landscape
from gdcore.bowl.landscape import WEIGHT_NAMES
from gdcore.descent.optimizer import Optimizer
from gdcore.params import MOMENTUM, SCHEDULE, Range, nesterov_problem
from gdcore.verdicts.diagnosis import edge
from gdcore.verdicts.knobs import (
    best_rate_for,
    beta_text,
    knobs,
    near_one,
    root_factors,
)
from ui import charts, classroom, widgets
from ui.controls import bounds, control
from ui.params import Field, Run
from ui.text import literal, times

HEAVY_BALL = (
    "Momentum makes the ball **heavy**: each step keeps part of its last step (the share β) "
    "and adds the new slope. It rolls on past the bottom and swings back, so it can take "
    "larger steps without blowing up, and in a long narrow valley it builds up speed along the floor."
)
assert isinstance(MOMENTUM.rule, Range)
BETA_MAX = bounds(MOMENTUM.rule)[1]
"""The largest β a widget takes: the declaration's (below 1), as a link takes it."""
BETA_FORMAT = "%.16g"
"""β with the digits that tell it apart: 0.9995 and 0.9999999999999999 are not "1"."""


KNOB_URLS = ("momentum", "nesterov", "schedule", "warmup")


def any_set(f: dict[str, Field]) -> bool:
    """Whether a knob beside the rate is away from its default (the Advanced box then opens)."""
    return any(st.session_state.get(f[u].key, f[u].default) != f[u].default for u in KNOB_URLS)


def advanced_controls(f: dict[str, Field]) -> tuple[Optimizer, list[str]]:
    """Momentum, Nesterov, schedule and warm-up, drawn where the caller is (an expander).

    Returns the knobs to run with and the problems said to the learner: a
    schedule that breaks its rule runs as ``constant``, Nesterov without
    momentum runs without Nesterov, each with one sentence.
    """
    problems: list[str] = []
    beta = float(
        control(
            st.number_input,
            f["momentum"],
            "Momentum β (0 = plain descent)",
            step=0.05,
            format=BETA_FORMAT,
        )
    )
    nesterov = bool(control(st.checkbox, f["nesterov"], "Nesterov's momentum"))
    typed = str(control(st.text_input, f["schedule"], "Schedule", placeholder="constant"))
    warmup = int(control(st.number_input, f["warmup"], "Warm-up epochs (0 = none)", step=5))
    schedule = SCHEDULE.default
    if typed.strip():
        problem = SCHEDULE.problem(typed)
        if problem is None:
            schedule = SCHEDULE.check(typed)
        else:
            problems.append(f"The schedule {literal(problem)}; running with a constant rate.")
    rule = nesterov_problem(beta, nesterov)
    if rule is not None:
        problems.append(f"{literal(rule)}; running without Nesterov.")
        nesterov = False
    return Optimizer(beta, nesterov, schedule, warmup), problems


def map_frames(
    th: gdcore.Theory, emap: gdcore.verdicts.knobs.EpochMap, nesterov: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The edge-rate line over β and the theory's best pair, for ``charts.momentum_map_chart``."""
    betas = np.linspace(0.0, float(emap.momenta[-1]), 60)
    line = pd.DataFrame(
        {
            "momentum": betas,
            "lr": [th.critical_lr_for(Optimizer(float(b), nesterov and b > 0)) for b in betas],
        }
    )
    line = line[(line["lr"] >= emap.rates[0]) & (line["lr"] <= emap.rates[-1] * 1.1)]
    marks = pd.DataFrame(
        {
            "lr": [th.optimal_momentum_lr],
            "momentum": [th.optimal_momentum],
            "label": [
                f"best pair: rate {th.optimal_momentum_lr:.3g}, β {round(th.optimal_momentum, 3):g}"
            ],
        }
    )
    return line, marks


def rates_used(lr: float, epochs: int, knob: Optimizer) -> np.ndarray:
    """``lr_k`` of every epoch 0 … T−1 (``gdcore.Optimizer.rates``)."""
    return knob.rates(lr, epochs)


def edges(th: gdcore.Theory, knob: Optimizer) -> list[tuple[str, float]]:
    """The edge rates to draw: the plain one, and the one with this momentum."""
    out = [(f"edge rate, plain: {edge(th.critical_lr):g}", th.critical_lr)]
    if knob.momentum > 0:
        wide = th.critical_lr_for(knob)
        name = "Nesterov's edge" if knob.nesterov else "edge rate"
        out.append((f"{name} with β {beta_text(knob.momentum)}: {edge(wide):g}", wide))
    return out


def story(th: gdcore.Theory, lr: float, knob: Optimizer, epochs: int) -> str:
    """What the bowl says about this rate with its knobs, in the lesson's words.

    Every number is this run's: the edges compared as numbers (Nesterov's edge is
    lower than plain steps' and the heavy ball's), the rate of every epoch read off
    the schedule (a warm-up starts low, so the start is its first epoch's rate).
    """
    plain = th.critical_lr
    wide = th.critical_lr_for(knob)
    lines = [
        "- The error over the three weights is a **bowl**: each step goes downhill, against "
        "the slope, by the learning rate × the slope.",
    ]
    if knob.momentum > 0 and knob.nesterov:
        heavy = th.critical_lr_for(Optimizer(knob.momentum))
        side = "lower" if wide < plain else "higher"
        lines.append(
            f"- With {knobs(knob)} the ball is **heavy** and looks "
            f"ahead: each step keeps {beta_text(knob.momentum)} of its last step and adds the "
            f"slope where that step leads. Plain steps get too long at a rate of "
            f"**{edge(plain):g}**; Nesterov's edge is **{edge(wide):g}**, {side} than that "
            f"(the look-ahead brakes early), and the heavy ball's without the look-ahead would "
            f"be {edge(heavy):g}."
        )
    elif knob.momentum > 0:
        lines.append(
            f"- With {knobs(knob)} the ball is **heavy**: each step keeps "
            f"{beta_text(knob.momentum)} of its last step and adds the new slope. Plain steps get "
            f"too long at a rate of **{edge(plain):g}**; the heavy ball's edge is "
            f"**{edge(wide):g}**."
        )
    else:
        lines.append(
            f"- Steps get too long at a rate of **{edge(plain):g}**: above it every step "
            "overshoots the bottom by more than it gains, and the error explodes."
        )
    if not knob.constant_rate:
        used = rates_used(lr, epochs, knob)
        above = int((used > wide).sum())
        top = int(np.argmax(used))
        start = (
            f"Your rate **{lr:g}** is the start"
            if used[0] == lr
            else f"Your rate **{lr:g}** is the base: the steps start at {used[0]:.3g} (epoch 0)"
        )
        peak = f", reach {used[top]:.3g} at epoch {top:,}" if used[top] > used[0] else ""
        lines.append(
            f"- The schedule: {knob.describe()}. {start}{peak} and use "
            f"{used[-1]:.3g} at the last epoch; {above:,} of {epochs:,} epochs are above the "
            "edge (the chart under the error curve shows every epoch's rate)."
        )
    else:
        lines.append(_where(lr, plain, wide, knob))
    lines.append(
        f"- Even the best weights leave an error of **{th.error_star:.4g}**: a flat plane "
        "cannot draw most images exactly."
    )
    return "\n".join(lines)


def _where(lr: float, plain: float, wide: float, knob: Optimizer) -> str:
    """Where a constant rate sits beside the plain edge and the heavy ball's (or Nesterov's) edge."""
    if knob.momentum == 0:
        side = "below" if lr < plain else "above"
        return f"- Your rate **{lr:g}** is {side} that edge ({times(lr / plain)})."
    name = "Nesterov's edge" if knob.nesterov else "the heavy ball's edge"
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


def maths(th: gdcore.Theory, knob: Optimizer) -> str:
    """The symbols behind ``story``: the recurrence, the edge with β and the best pair."""
    b = knob.momentum
    wide = th.critical_lr_for(knob)
    step = "(slope_k + β·buf_k)" if knob.nesterov else "buf_k"
    return (
        f"- PyTorch's SGD (dampening 0): **buf_k = β·buf_(k−1) + slope_k** (the first buf is "
        f"the slope), **w_(k+1) = w_k − rate_k × {step}**.\n"
        f"- Along the steepest direction (curvature λmax = {th.lambda_max:.4g}) the heavy ball "
        f"settles while rate < **2(1+β)/λmax**"
        + (" ÷ (1+2β) with Nesterov" if knob.nesterov else "")
        + f": here **{edge(wide):g}** with β = {beta_text(b)} (plain: 2/λmax = {edge(th.critical_lr):g}).\n"
        f"- The best pair for this bowl: **β\\* = ((√κ−1)/(√κ+1))² = {th.optimal_momentum:.4g}**, "
        f"**rate\\* = 4/(√λmax+√λmin)² = {th.optimal_momentum_lr:.4g}**: every direction then "
        f"shrinks by **{th.momentum_factor:.4f}** per epoch, against {th.optimal_factor:.4f} "
        f"for the best plain rate (κ = {th.condition_number:.4g}).\n"
        f"- For β = {beta_text(b)} the rate whose slowest direction settles fastest is "
        f"**{best_rate_for(th.bowl, knob):.4g}**."
    )


def runs_editor(field: Field, th: gdcore.Theory) -> tuple[Run, ...]:
    """Compare's table of runs with their own settings, kept in the URL through ``field``.

    The table edits a copy; every valid edit is written back to the field (and
    so to the link), a row that breaks a rule is left out with one sentence.
    A button adds the theory's best pair.
    """
    from ui.params import RunList

    rule = field.param.rule
    assert isinstance(rule, RunList)
    runs: tuple[Run, ...] = st.session_state.get(field.key) or ()
    if classroom.hidden(field):
        return runs
    st.markdown("#### Runs with their own settings")
    st.caption(
        "Each row is one more run on the first image: a rate with its own momentum β "
        "(the heavy ball keeps that share of its last step), Nesterov, schedule and warm-up."
    )
    version = st.session_state.setdefault("_cmp_runs_version", 0)
    base = st.session_state.get("_cmp_runs_base")
    # The editor keeps its edits against the table it was given: that table is made
    # anew (with a new key) only when the runs changed elsewhere (the button, a link)
    # or the editor's state is gone (the learner left the page and came back).
    fresh = f"cmp_runs_editor_{version}" not in st.session_state
    if base is None or fresh or st.session_state.get("_cmp_runs_for") != rule.show(runs):
        base = pd.DataFrame(
            {
                "rate": [r.lr for r in runs],
                "momentum": [r.optimizer.momentum for r in runs],
                "nesterov": [r.optimizer.nesterov for r in runs],
                "schedule": [r.optimizer.schedule for r in runs],
                "warmup": [r.optimizer.warmup for r in runs],
            }
        ).astype(
            {"rate": float, "momentum": float, "nesterov": bool, "schedule": str, "warmup": int}
        )
        st.session_state["_cmp_runs_base"] = base
        st.session_state["_cmp_runs_for"] = rule.show(runs)
        version += 1
        st.session_state["_cmp_runs_version"] = version
    edited = st.data_editor(
        base,
        key=f"cmp_runs_editor_{version}",
        num_rows="dynamic",
        hide_index=True,
        width="stretch",
        disabled=classroom.locked(field),
        column_config={
            "rate": st.column_config.NumberColumn("rate", format="%.4g", required=True),
            "momentum": st.column_config.NumberColumn(
                "momentum β", min_value=0.0, max_value=BETA_MAX, format=BETA_FORMAT, default=0.0
            ),
            "nesterov": st.column_config.CheckboxColumn("Nesterov", default=False),
            "schedule": st.column_config.TextColumn("schedule", default="constant"),
            "warmup": st.column_config.NumberColumn("warm-up", min_value=0, step=1, default=0),
        },
    )
    rows, problems = [], []
    for i, row in enumerate(edited.itertuples(index=False), start=1):
        if row.rate is None or pd.isna(row.rate):
            continue
        text = f"{float(row.rate)!r}"
        if row.momentum and not pd.isna(row.momentum):
            text += f" momentum={float(row.momentum)!r}"
        if bool(row.nesterov):
            text += " nesterov"
        if (
            isinstance(row.schedule, str)
            and row.schedule.strip()
            and row.schedule.strip() != "constant"
        ):
            text += f" schedule={row.schedule.strip()}"
        if row.warmup and not pd.isna(row.warmup):
            text += f" warmup={int(row.warmup)}"
        said = rule.row_problem(text)
        if isinstance(said, str):
            problems.append(f"run {i}: {said}")
        else:
            rows.append(said)
    for p in problems:
        st.error(f"This row is left out: {literal(p)}.", icon=":material/block:")
    kept = tuple(rows[: rule.most])
    if len(rows) > rule.most:
        st.warning(f"Only the first {rule.most} runs of the table are drawn.")
    if rule.show(kept) != rule.show(runs):
        st.session_state[field.key] = kept
        st.session_state["_cmp_runs_for"] = rule.show(kept)
    pair = Run(float(f"{th.optimal_momentum_lr:.4g}"), Optimizer(round(th.optimal_momentum, 4)))
    st.button(
        f"Add the theory's best pair: rate {pair.lr:g} with momentum β = "
        f"{pair.optimizer.momentum:g}",
        key="cmp_best_pair",
        on_click=_add_run,
        args=(field.key, pair, rule.most),
        disabled=pair in kept or len(kept) >= rule.most or classroom.locked(field),
    )
    return kept


def _add_run(key: str, run: Run, most: int) -> None:
    runs = tuple(st.session_state.get(key) or ())
    if run not in runs and len(runs) < most:
        st.session_state[key] = (*runs, run)


def walk_beside(
    bowl: gdcore.Quadratic, th: gdcore.Theory, a: int, b: int, speed: float, at: int, beta: float
) -> None:
    """Two maps of the same valley: plain steps, and the heavy ball at the same rate."""
    names = WEIGHT_NAMES[a], WEIGHT_NAMES[b]
    plain = landscape.walk(bowl, [a, b], speed, at)
    heavy = landscape.walk(bowl, [a, b], speed, at, optimizer=Optimizer(beta))
    if plain is None or heavy is None:
        st.info(f"{names[0]} and {names[1]} cannot change the prediction: there is no valley here.")
        return
    lo = np.minimum(plain.lo, heavy.lo)
    hi = np.maximum(plain.hi, heavy.hi)
    cells = landscape.excess_cells(bowl, a, b, lo, hi)
    left, right = st.columns(2, gap="large")
    for col, w, title in (
        (left, plain, f"Plain steps at rate {plain.lr:.4g}"),
        (right, heavy, f"The heavy ball, β = {beta:g}, at the same rate"),
    ):
        grid, path = charts.contour_frames(cells, w)
        widgets.draw(charts.walk_chart, grid, path, *names, title, where=col)
        if w.off:
            col.caption(
                f"{w.off} of the {w.steps} steps are off this map (too far out, or blown up)."
            )
    edge_plain = plain.critical_lr
    edge_heavy = edge_plain * (1 + beta)
    sub = bowl.hessian[np.ix_([a, b], [a, b])]
    lam = np.linalg.eigvalsh(sub)
    worst_plain = float(np.abs(1 - plain.lr * lam).max())
    worst_heavy = float(root_factors(lam[lam > 0], plain.lr, Optimizer(beta)).max())
    u = plain.lr * lam[lam > 0]
    swings = bool(((1 + beta - u) ** 2 < 4 * beta).any())  # complex roots: it spirals
    how = (
        "it rolls past the bottom and swings back, spiralling in"
        if swings and worst_heavy < 1
        else (
            "its swings grow: it spirals out" if swings else "it is thrown further out every step"
        )
        if worst_heavy >= 1
        else "it rolls downhill without swinging across"
    )
    st.markdown(
        f"Both walks take the rate **{plain.lr:.4g}** ({speed:g} × this map's plain edge rate "
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


def _count(n: int) -> str:
    return f"{n:,} epoch" + ("" if n == 1 else "s")


def map_story(th: gdcore.Theory, emap: gdcore.verdicts.knobs.EpochMap) -> str:
    """What the rate × momentum map shows, read off its own cells."""
    e = emap.epochs
    lines = [
        "- Each cell is one run from zero weights: a rate (across) with a momentum β (up), "
        "coloured by the exact epoch from which its error stays within 1% of the lowest "
        "error E* (with momentum it may touch that band sooner and swing out again). Light "
        f"grey: it never settles; darker grey: more than {emap.limit:,} epochs.",
        f"- The dashed line is the edge rate, **{edge(th.critical_lr):g}** without momentum. "
        f"The heavier the ball, the further right it moves: at β = {emap.momenta[-1]:.3g} it is "
        f"**{edge(th.critical_lr_for(Optimizer(float(emap.momenta[-1])))):g}**. Right of the line nothing "
        "settles.",
    ]
    plain = e[0][np.isfinite(e[0])]
    counted = np.isfinite(e)
    if counted.any():
        i, j = np.unravel_index(np.argmin(np.where(counted, e, np.inf)), e.shape)
        best = (
            f"without momentum the fewest is **{_count(int(plain.min()))}**"
            if plain.size
            else f"without momentum no rate here gets there within {emap.limit:,} epochs"
        )
        lines.append(
            f"- The quickest cell: rate **{emap.rates[j]:.3g}** with β = **{emap.momenta[i]:.3g}**, "
            f"**{_count(int(e[i, j]))}**; {best}."
        )
    else:
        lines.append(
            f"- No cell settles within 1% of E* in {emap.limit:,} epochs: give the runs more epochs, "
            "or normalize (the unit or standard scale makes the bowl rounder)."
        )
    lines.append(
        f"- The diamond is the theory's best pair, rate {th.optimal_momentum_lr:.4g} with "
        f"β = {round(th.optimal_momentum, 4):g}: the best for any start. From the zero weights a "
        "neighbouring cell can be a little quicker."
    )
    return "\n".join(lines)


def directions_story(m: forecast.Milestones, lr: float, knob: Optimizer) -> str:
    """Which direction of the bowl is slow, and why, in the lesson's words.

    A factor per epoch above 1 is a direction that grows, never "the slowest": with a
    schedule that can happen at the base rate while the run still settles, so the
    story then says which direction grows, and which one is left at the end.
    """
    names = charts.DIRECTION_NAMES
    f = m.factors[m.slowest]
    constant = knob.constant_rate
    intro = (
        "The bowl has three directions, from flattest to steepest. Each line is one "
        "direction's share of the error above E*. "
    )
    if f >= 1:
        grows = int(np.argmax(m.factors))
        end = m.excess[:, -1]
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
            f"multiplies its distance to the bottom by **{m.factors[grows]:.3f}** (above 1), "
            f"{then}.{left}"
        )
    base = "" if constant else f" at the base rate {lr:g}"
    how = f"each epoch keeps **{near_one(float(f))}** of its distance to the bottom"
    kind = (
        "the heavy ball's swings set this pace, not the bowl"
        if knob.momentum > 0 and not knob.nesterov and abs(f - np.sqrt(knob.momentum)) < 1e-3
        else "the bowl is flattest there, so each step is short"
        if m.slowest == 0
        else "the bowl is steep there, so the steps swing across it"
    )
    heavy = (
        f" With {knobs(knob)} no direction can do better than √β = "
        f"{near_one(float(np.sqrt(knob.momentum)))} per epoch: the heavy ball trades a little "
        "speed on the flat side for steps that do not explode on the steep side."
        if knob.momentum > 0 and not knob.nesterov
        else ""
    )
    return (
        f"{intro}The slowest here is the **{names[m.slowest]}** direction{base}: {how} "
        f"({kind}).{heavy}"
    )
