"""Charts of runs: each run's error over epochs, and the weights over epochs.

``error_view`` draws every chart of runs on every page, so one set of rules holds.

``error_curves`` assembles one from its parts: ``drawn`` (the rows in view and the
y scale), ``run_colours`` (verdict colours and dashes), ``run_lines``, and the marks of
``ui.charts.marks`` (E*, runs leaving the view, overflows).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.schemapi import UndefinedType

from ui.charts.compose import layer, with_props
from ui.charts.frames import VIEW_CAP, axis_choice, curves_frame, for_log, into_view, thin, view_cap
from ui.charts.marks import (
    blowup_marks,
    leaving_layers,
    overflow_layers,
    shows_star,
    star_layers,
)
from ui.charts.style import (
    ERROR_TITLE,
    FEW_POINTS,
    LEGEND_ROW,
    PADDING,
    VERDICT_COLOURS,
    WEIGHT_COLOURS,
    WEIGHTS,
    legend,
    run_styles,
)
from ui.charts.words import (
    LINES_TOLD,
    count,
    describe_runs,
    four_digits,
    last_finite,
    told_run,
)


@dataclass(frozen=True)
class Drawn:
    """What a chart of runs draws: the rows in view, the runs that leave its top, its y scale.

    ``data`` has run, epoch, error and ``shown`` (the error, held at the view's top where a
    run climbs over it); ``leaving`` has one row per run that leaves (``into_view``), or is
    None; ``capped`` says whether the view stops at ``y_cap``.
    """

    data: pd.DataFrame
    leaving: pd.DataFrame | None
    scale: alt.Scale
    capped: bool


def drawn(df: pd.DataFrame, log: bool, y_cap: float | None, error_star: float | None) -> Drawn:
    """The rows of ``df`` a chart draws, and its y scale.

    Only finite errors are drawn, and on a log axis only those above 0. When a run
    climbs over ``y_cap`` the view stops there (``into_view``) and reaches down to the
    lowest value drawn (and to E*, so its line stays inside the view).
    """
    data = df[np.isfinite(df["error"].to_numpy(dtype=float))]
    if log:
        data, _ = for_log(data, "error")
    data = data.assign(shown=data["error"])
    domain: list[float] | UndefinedType = alt.Undefined
    leaving = None
    if y_cap is not None and len(data) and data["error"].max() > y_cap:
        data, leaving = into_view(data, y_cap)
        low = float(data["shown"].min())
        if error_star is not None and shows_star(error_star, log):
            low = min(low, error_star)  # the E* line stays inside the view
        domain = [min(low, y_cap / 10), y_cap] if log else [min(0.0, low), y_cap]
    scale = alt.Scale(type="log", domain=domain) if log else alt.Scale(zero=False, domain=domain)
    return Drawn(data, leaving, scale, domain is not alt.Undefined)


def run_colours(
    df: pd.DataFrame, data: pd.DataFrame, colour_title: str, verdicts: Sequence[str] | None
) -> tuple[Any, Any]:
    """The colour and dash encodings of the lines of ``data`` (the runs of ``df`` in view).

    One run is blue and solid. Runs on several images are coloured by rate and
    dashed by image. Runs with ``verdicts`` (one per run of ``df``, in order of
    first appearance) wear their verdict's colour, told apart by dashes
    (``run_styles``); other runs get one colour each.
    """
    many = data["run"].nunique() > 1
    styled = "image" in data and data["image"].nunique() > 1
    colour: Any = (
        alt.Color(
            "rate:N" if styled else "run:N",
            title="rate" if styled else colour_title,
            scale=alt.Scale(scheme="dark2"),  # 8 colours: at most 8 rates are compared
            legend=legend(),
        )
        if many
        else alt.ColorValue("#0072B2")
    )
    dash: Any = (
        alt.StrokeDash("image:N", title="image", legend=legend()) if styled else alt.Undefined
    )
    runs = list(dict.fromkeys(df["run"]))
    if (
        many
        and not styled
        and verdicts is not None
        and len(verdicts) == len(runs)
        and set(verdicts) <= set(VERDICT_COLOURS)
    ):
        colours, dashes = run_styles(verdicts)
        named = f"{colour_title} (colour: verdict)"
        colour = alt.Color(
            "run:N",
            title=named,
            sort=runs,
            scale=alt.Scale(domain=runs, range=colours),
            legend=legend(),
        )
        dash = alt.StrokeDash(
            "run:N",
            title=named,
            sort=runs,
            scale=alt.Scale(domain=runs, range=dashes),
            legend=legend(),
        )
    return colour, dash


def run_lines(
    view: Drawn,
    df: pd.DataFrame,
    log: bool,
    colours: tuple[Any, Any],
    titles: tuple[str, str, str],
) -> alt.Chart:
    """One line per run in ``view``, over the whole span of epochs of ``df``.

    ``colours`` are ``run_colours``'s encodings; ``titles`` the x axis's, the y
    axis's and the runs'. Short series get a dot on every value.
    """
    x_title, y_title, colour_title = titles
    y = alt.Y("shown:Q", title=y_title + (", log scale" if log else ""), scale=view.scale)
    # The whole run stays on the x axis, even where a run left the view early.
    span = [0, int(df["epoch"].max())] if len(df) else alt.Undefined
    x = alt.X(
        "epoch:Q",
        title=x_title,
        axis=alt.Axis(tickMinStep=1, format="d"),
        scale=alt.Scale(domain=span, nice=False),
    )
    data = view.data
    few = bool(len(data)) and bool(data.groupby("run")["epoch"].count().max() <= FEW_POINTS)
    told = {"description": alt.Description("said:N")} if "said" in data else {}
    return (
        alt.Chart(data)
        .mark_line(strokeWidth=2, point=few, clip=True)
        .encode(
            x=x,
            y=y,
            color=colours[0],
            strokeDash=colours[1],
            detail=alt.Detail("run:N"),
            tooltip=[
                alt.Tooltip("run:N", title=colour_title),
                alt.Tooltip("epoch:Q", title=x_title),
                alt.Tooltip("error:Q", format=".6g"),
            ],
            **told,
        )
    )


def error_curves(
    df: pd.DataFrame,
    *,
    log: bool = False,
    error_star: float | None = None,
    diverged: pd.DataFrame | None = None,
    title: str = "Error over epochs",
    colour_title: str = "run",
    y_cap: float | None = None,
    x_title: str = "epoch",
    height: int = 320,
    description: str | None = None,
    verdicts: Sequence[str] | None = None,
    y_title: str = ERROR_TITLE,
) -> alt.LayerChart:
    """Error against epoch, one line per run, optional E* rule and blow-up marks.

    ``df`` has columns run, epoch, error (only finite values are drawn, and on a
    log axis only values > 0); ``diverged`` has run, epoch, error and label.
    ``description`` is the chart's text alternative (``describe_runs``).
    ``verdicts`` (one per run, in order of first appearance) colour each line
    with its verdict's colour, as the verdict tables and cards do; runs that
    share a verdict differ by their dashes (``run_styles``). ``y_title`` names what is
    drawn: the engine's error, or a learner's own quantity by its name (``quantity_title``).
    """
    view = drawn(df, log, y_cap, error_star)
    colours = run_colours(df, view.data, colour_title, verdicts)
    layers = [run_lines(view, df, log, colours, (x_title, y_title, colour_title))]
    layers += star_layers(error_star, log)
    last_epoch = float(df["epoch"].max())  # NaN for no rows: no label is then "late"
    if view.leaving is not None and len(view.leaving):
        marks, diverged = leaving_layers(
            view.leaving, diverged, view.scale, colour_title, x_title, last_epoch
        )
        layers += marks
    if diverged is not None and len(diverged):
        layers += overflow_layers(diverged, log, y_cap if view.capped else None, last_epoch)
    said: dict[str, Any] = {"description": description} if description else {}
    runs = view.data["run"].nunique()
    if runs > 1:  # the legend sits below the plot: the chart grows by it, the plot keeps its size
        height += LEGEND_ROW * (runs + 1)
    return layer(*layers, padding=PADDING, title=title, height=height, **said)


def simple_curve(
    values: np.ndarray, title: str, log: bool = False, x_title: str = "epoch", height: int = 320
) -> alt.LayerChart:
    """One error curve from plain values (a learner's own numbers)."""
    df = pd.DataFrame({"run": "your curve", "epoch": np.arange(len(values)), "error": values})
    said = describe_runs(title, ["the curve"], np.asarray(values, dtype=float)[None, :], x_title)
    return error_curves(df, log=log, title=title, x_title=x_title, height=height, description=said)


def error_view(
    labels: Sequence[str],
    errors: np.ndarray,
    diverged: np.ndarray | None = None,
    *,
    log: bool | None = False,
    error_star: float | None = None,
    title: str = "Error over epochs",
    unit: str = "epochs",
    height: int = 320,
    images: list[str] | None = None,
    verdicts: Sequence[str] | None = None,
    y_title: str = ERROR_TITLE,
    live: bool = False,
) -> tuple[alt.LayerChart, list[str]]:
    """The error curves of (R, T+1) runs, and notes saying what the chart leaves out.

    Every page that draws runs uses this, so the same rules hold everywhere: a
    blow-up is marked, the axis stops at ``view_cap``, and nothing is hidden
    without a note. ``log=None`` is the "auto" axis (``auto_log``). The chart's text alternative tells each run's numbers (and
    its verdict, given ``verdicts``), the notes and E*.

    ``live``: the chart is redrawn in place as its runs change (``ui.specs``), so its
    description says only what stays (the epochs, E*), and each line carries its run's
    numbers and the notes as its own label, which the browser updates with the line.
    """
    cap = view_cap(errors)
    log, notes = axis_choice(
        log, [errors], cap
    )  # None is "auto": the data decide, the note says so
    v = errors.ravel()
    if log:
        hidden = int((~(np.isfinite(v) & (v > 0))).sum())
        if hidden:
            notes.append(
                f"{count(hidden, unit.rstrip('s'))} not drawn on the log axis "
                "(NaN after a blow-up, or an error of exactly 0)"
            )
    above = np.flatnonzero(np.nan_to_num(errors.max(axis=0), nan=-1.0) > cap)
    if above.size:
        notes.append(
            f"from epoch {above[0]} the error climbs past the top of this chart (over "
            f"{VIEW_CAP:g}× the largest start); the tables keep every value"
        )
    noted = "".join(f" Note: {n}." for n in notes)
    df = curves_frame(labels, errors, images)
    if live:  # each line's own label: its run's numbers, and the notes
        words = [
            told_run(label, errors[i], "epoch", verdicts[i] if verdicts else None, cap) + noted
            for i, label in enumerate(labels)
        ]
        df = df.assign(said=pd.Categorical(df["run"].map(dict(zip(labels, words, strict=True)))))
    marks = blowup_marks(labels, errors, diverged) if diverged is not None else None
    chart = error_curves(
        df,
        log=log,
        error_star=error_star,
        diverged=marks,
        title=title,
        y_cap=cap,
        height=height,
        verdicts=verdicts,
        y_title=y_title,
    )
    said = describe_runs(title, labels, errors, "epoch", verdicts, error_star, cap, live)
    return with_props(chart, description=said if live else said + noted), notes


def weights_chart(
    epochs: np.ndarray, weights: np.ndarray, w_star: np.ndarray, live: bool = False
) -> alt.LayerChart:
    """The three weights over epochs, with their best values as dashed rules.

    ``live``: redrawn in place as the run changes (``ui.specs``): each weight's numbers
    are its line's own label, and the description keeps what stays (the best values)."""
    idx = thin(len(epochs))
    title = "Weights over epochs (dashed: best values w*)"
    told = [
        f"{name}: {four_digits(v[0])} at epoch {int(epochs[0])}, {four_digits(v[last])} at epoch {int(epochs[last])}"
        f" (best value {four_digits(best)})"
        for name, v, best in zip(WEIGHTS, weights.T, w_star, strict=True)
        for last in [last_finite(v)]
    ]
    df = pd.DataFrame(
        {
            "epoch": np.tile(epochs[idx], 3),
            "weight": np.repeat(WEIGHTS, len(idx)),
            "value": np.concatenate([weights[idx, i] for i in range(3)]),
        }
    )
    if live:
        df["said"] = pd.Categorical(np.repeat([f"{t}." for t in told], len(idx)))
    df = df[np.isfinite(df["value"])]
    colour = alt.Color(
        "weight:N", scale=alt.Scale(domain=WEIGHTS, range=WEIGHT_COLOURS), title="weight"
    )
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=2)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("value:Q", title="weight value"),
            color=colour,
            tooltip=[
                alt.Tooltip("weight:N"),
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("value:Q", format=".6g"),
            ],
            **({"description": alt.Description("said:N")} if live else {}),
        )
    )
    best = pd.DataFrame({"weight": WEIGHTS, "value": w_star})
    rules = alt.Chart(best).mark_rule(strokeDash=[4, 4]).encode(y=alt.Y("value:Q"), color=colour)
    if live:
        stays = ", ".join(f"{n} {four_digits(b)}" for n, b in zip(WEIGHTS, w_star, strict=True))
        said = (
            f"{title}. 3 lines, weight value against epoch {int(epochs[0])} to "
            f"{int(epochs[-1])}; best values {stays}. {LINES_TOLD}"
        )
    else:
        said = f"{title}. " + "; ".join(told) + "."
    return layer(lines, rules, padding=PADDING, title=title, height=260, description=said)
