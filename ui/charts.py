"""Chart builders: each returns an ``alt.Chart`` and draws nothing.

Honest charts: a log axis never receives zero, negative or non-finite values
(Vega-Lite silently breaks the whole axis on one of them), so ``for_log``
filters them and the caller says how many were hidden. Series are thinned to
about ``MAX_POINTS`` for drawing, keeping each stretch's lowest and highest
value (``keep_shape``); tables and CSV keep every epoch. A run that blows up
climbs to 1e150, which would flatten every other curve, so the error axis
stops at ``VIEW_CAP`` times the largest starting error (``view_cap``) and a
curve that climbs past it is drawn up to that edge, where a mark says at which
epoch it left (``into_view``): the rise is the picture of a rate too large.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from typing import TYPE_CHECKING, Any, TypeVar, cast

import altair as alt
import numpy as np
import pandas as pd
from altair.utils.schemapi import UndefinedType

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from gdcore.bowl.landscape import Cells, Walk
from gdcore.verdicts.diagnosis import shown_edge

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

MAX_POINTS = 1200
"""A line keeps at most about this many points: the widest chart's plot is about 1,000
pixels, and ``keep_shape`` keeps each stretch's lowest and highest value, so a picture
drawn from them cannot be told from one drawn from every epoch (Compare at its caps sent
24 runs × 2,000 points)."""
VIEW_CAP = 10.0
FEW_POINTS = 60  # series this short get a dot on every value
PADDING = {"top": 14, "left": 5, "right": 5, "bottom": 5}  # room for the title inside Streamlit
VERDICT_COLOURS = {"too small": "#0072B2", "good": "#009E73", "too large": "#D55E00"}
"""Okabe-Ito colours, safe for colour-blind readers; verdicts are also in words. As large text
and as lines they keep 3:1 on the light and the dark background."""
VERDICT_INK = {"too small": "#FFFFFF", "good": "#000000", "too large": "#000000"}
"""Text on a verdict-coloured cell: 5.2:1 or more on each, whatever the theme around it."""
VERDICT_SHAPES = ["triangle-down", "circle", "triangle-up"]
ERROR_TITLE = "error (½·mean squared)"
"""The y axis of the engine's own error; a learner's numbers are named by ``quantity_title``."""
TYPED_TITLE = "your values"
"""The y axis of numbers typed without a name: what they measure is the learner's to say."""
NAME_CHARS = 40
"""A name from a log is cut to this many characters on an axis."""


def quantity_title(*names: str | None) -> str:
    """The y axis of a learner's own numbers: the name their log gives them (Keras's
    ``loss``, Lightning's ``train_loss``…), never the engine's ``ERROR_TITLE``; plain
    numbers without a name are ``TYPED_TITLE``.

    >>> quantity_title("loss", "val_loss"), quantity_title(None), quantity_title("loss", "loss")
    ('loss, val_loss', 'your values', 'loss')
    """
    shown = [n if len(n) <= NAME_CHARS else n[: NAME_CHARS - 1] + "…" for n in names if n]
    return ", ".join(dict.fromkeys(shown)) or TYPED_TITLE


WEIGHTS = ["w0 (intercept)", "w1 (x slope)", "w2 (y slope)"]
WEIGHT_COLOURS = ["#0072B2", "#E69F00", "#CC79A7"]
GREY = "#808080"
"""Rules and labels drawn on every theme: 3.9:1 on white, 4.6:1 on the dark background."""


def legend() -> alt.Legend:
    """The legend of a chart of runs: below the plot, one entry a line, labels never cut, so
    a narrow screen (390 px) neither cuts a label ("the loop that explains them") nor puts a
    label drawn in the plot over the legend."""
    return alt.Legend(orient="bottom", direction="vertical", labelLimit=0, titleLimit=0)


LEGEND_ROW = 22
"""Pixels of one legend line below a plot, added to the chart's height."""
TITLE_CHARS = 44
"""A chart title longer than this is broken into lines at spaces (``fit_title``): Vega-Lite
never wraps a title, and at 390 px a longer one is cut."""


def fit_title(spec: dict[str, Any], chars: int = TITLE_CHARS) -> dict[str, Any]:
    """The spec with a long title broken into lines of at most ``chars`` characters (a word
    longer than that gets a line of its own); the spec given is not changed.

    >>> fit_title({"title": "Your training curve (the one judged) and your validation curve"})
    {'title': {'text': ['Your training curve (the one judged) and', 'your validation curve']}}
    >>> fit_title({"title": "Short"})
    {'title': 'Short'}
    """
    title = spec.get("title")
    body = title.get("text") if isinstance(title, dict) else title
    if not isinstance(body, str) or len(body) <= chars:
        return spec
    lines: list[str] = []
    for word in body.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    wrapped = {**title, "text": lines} if isinstance(title, dict) else {"text": lines}
    return {**spec, "title": wrapped}


LAYER_ONLY = ("params", "height", "width", "view")
"""What ``alt.layer`` moves or merges across layers; ``layer`` leaves a chart with any of them
to Altair."""


def layer(*charts: alt.Chart, resolve_colour: bool = False, **props: Any) -> alt.LayerChart:
    """``alt.layer(*charts).properties(**props)``, without Altair's copies.

    ``alt.layer`` deep-copies every layer twice to merge selection parameters,
    and ``.properties`` checks each value against the schema: 20-25% of a
    page's first run, for layers that are built fresh, have no parameters and
    are used once. This makes the same chart directly (a test holds the two
    specs equal) and leaves any layer with parameters or its own size to
    ``alt.layer``. ``resolve_colour`` gives each layer its own colour scale.
    """
    if resolve_colour:
        props["resolve"] = alt.Resolve(scale=alt.ScaleResolveMap(color="independent"))
    if any(c._get(k) is not alt.Undefined for c in charts for k in LAYER_ONLY):
        # Layers of plain charts make a LayerChart (alt.layer may also return a FacetChart).
        return cast(alt.LayerChart, alt.layer(*charts).properties(**props))
    chart = alt.LayerChart.__new__(alt.LayerChart)
    super(alt.LayerChart, chart).__init__(layer=list(charts), **props)
    return chart


ChartT = TypeVar("ChartT", bound=alt.TopLevelMixin)


def with_props(chart: ChartT, **props: Any) -> ChartT:
    """``chart.properties(**props)`` for a chart built fresh and used once: set in place.

    Altair's ``.properties`` copies the whole chart and checks each value against the
    schema first: a third of building Explore's error chart, on every rate change. The
    builders here make each chart anew and return it, so nothing else holds it; a test
    holds every page's charts equal to Altair's ``.properties``.
    """
    for key, value in props.items():
        setattr(chart, key, value)
    return chart


def thin(n: int, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ``max_points`` evenly spread epochs, first and last included."""
    if n <= max_points:
        return np.arange(n)
    return np.unique(np.linspace(0, n - 1, max_points).round().astype(int))


def keep_shape(values: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most about ``max_points`` values that keep the curve's shape.

    The series is cut into ``max_points // 2`` runs of epochs and each run keeps
    its lowest and its highest value, so a spike or a dip between evenly spread
    epochs is never thinned away; the first and last values always stay, and so
    does the last finite value (where a run blew up).

    >>> keep_shape(np.array([1.0, 1, 9, 1, 1, 1, 1, 1]), 4).tolist()
    [0, 2, 4, 7]
    """
    n = len(values)
    if n <= max_points:
        return np.arange(n)
    v = np.asarray(values, dtype=float)
    finite = np.isfinite(v)
    low = np.where(finite, v, np.inf)
    high = np.where(finite, v, -np.inf)
    edges = np.unique(np.linspace(0, n, max(max_points // 2, 1) + 1).astype(int))
    starts, sizes = edges[:-1], np.diff(edges)  # every stretch has at least one epoch
    # Each stretch's lowest and highest, all stretches at once (a Python loop over the
    # stretches took 20 ms per run at 20,000 epochs): the first epoch of each stretch
    # that equals its stretch's extreme is the one np.argmin / np.argmax would pick.
    keep = [np.array([0, n - 1])]
    some = np.add.reduceat(finite, starts) > 0
    for side, reduce in ((low, np.minimum), (high, np.maximum)):
        extreme = np.repeat(reduce.reduceat(side, starts), sizes)
        hits = np.flatnonzero(side == extreme)
        keep.append(hits[np.searchsorted(hits, starts[some])])
    if finite.any():
        keep.append(np.flatnonzero(finite)[-1:])
    return np.unique(np.concatenate(keep))


def for_log(df: pd.DataFrame, column: str) -> tuple[pd.DataFrame, int]:
    """Rows whose ``column`` is finite and > 0, and how many were dropped."""
    v = df[column].to_numpy(dtype=float)
    ok = np.isfinite(v) & (v > 0)
    return df[ok], int((~ok).sum())


AUTO_LOG_SPAN = 30.0
"""With the "auto" axis, drawn errors spanning more than this (highest over lowest) get a
log axis: on a linear one most of the values would be squashed into its bottom strip."""
AXES = {"auto": None, "linear": False, "log": True}
"""The error axis choices (``ui.params.AXIS``) as ``error_view``'s ``log``."""


def auto_log(errors: np.ndarray, cap: float) -> tuple[bool, str]:
    """Whether the "auto" axis is a log one for these errors, and the note that says so.

    The span is taken over what a chart draws: finite values above 0, up to ``cap``.
    """
    v = errors[np.isfinite(errors) & (errors > 0) & (errors <= cap)]
    if v.size < 2 or v.max() <= AUTO_LOG_SPAN * v.min():
        return False, ""
    span = v.max() / v.min()
    said = f"{span:,.0f}×" if span < 1e6 else f"about 10^{np.log10(span):.0f} times"
    return True, (
        f"log axis chosen automatically: the error drawn spans {said} (lowest {v.min():.3g}, "
        f"highest {v.max():.3g}), which a linear axis would squash into its bottom strip; "
        "pick 'linear' to see it anyway"
    )


def _axis(log: bool | None, curves: list[np.ndarray], cap: float) -> tuple[bool, list[str]]:
    """``log`` as given, or for ``None`` ("auto") the choice of ``auto_log`` with its note."""
    if log is not None:
        return log, []
    values = np.concatenate([np.ravel(c) for c in curves]) if curves else np.zeros(0)
    chosen, why = auto_log(values, cap)
    return chosen, [why] if why else []


def view_cap(errors: np.ndarray) -> float:
    """Top of the error axis: ``VIEW_CAP`` times the largest starting error."""
    start = float(np.nanmax(np.abs(errors[:, 0])))
    return VIEW_CAP * (start if start > 0 else 1.0)


def curves_frame(
    labels: Sequence[str], errors: np.ndarray, images: Sequence[str] | None = None
) -> pd.DataFrame:
    """Long table ``run, epoch, error`` from (R, T+1) errors, thinned per run keeping its shape.

    ``images`` (one name per run) adds ``image`` and ``rate`` columns, so runs
    on several images are told apart by line style and rates by colour.
    """
    parts = []
    for r, label in enumerate(labels):
        idx = keep_shape(errors[r])
        part = pd.DataFrame({"run": label, "epoch": idx, "error": errors[r, idx]})
        if images is not None:
            part = part.assign(image=images[r], rate=label.removeprefix(f"{images[r]} · "))
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def into_view(data: pd.DataFrame, cap: float) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Curves drawn up to the top edge of a view that stops at ``cap``, and where each left it.

    A run that climbs over ``cap`` and never comes back is drawn up to the
    edge (its ``shown`` value is ``cap`` at the first epoch above it) and
    stops there; a run that only spikes over it is drawn along the edge for
    those epochs. The real value stays in ``error`` for tooltips and tables.
    Returns the rows to draw and one row per run that left: run, epoch,
    error, shown and a label saying where it left the chart.
    """
    keep, left = [], []
    for _, run in data.groupby("run", sort=False):
        run = run.sort_values("epoch")
        above = run["error"].to_numpy() > cap
        if not above.any():
            keep.append(run)
            continue
        first = int(np.argmax(above))
        if not (~above[first:]).any():  # it never comes back: stop at the edge
            run = run.iloc[: first + 1]
        run = run.assign(shown=np.minimum(run["shown"].to_numpy(), cap))
        keep.append(run)
        row = run.iloc[first]
        left.append(
            {
                "run": row["run"],
                "epoch": int(row["epoch"]),
                "error": float(row["error"]),
                "shown": cap,
                "label": f"↑ off the chart at epoch {int(row['epoch'])}",
            }
        )
    return pd.concat(keep, ignore_index=True), pd.DataFrame(left)


RUN_DASHES = [[1, 0], [8, 4], [2, 3], [12, 3, 2, 3], [4, 4], [1, 4], [16, 4], [6, 2, 2, 2]]
"""Line dashes for runs that share a verdict's colour: solid first, then one pattern each."""


def run_styles(verdicts: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """Each run's colour (its verdict's) and dash (solid for the first run of a verdict, then
    the next pattern), so a line never wears another verdict's colour.

    >>> run_styles(["too small", "good", "good"])[1]
    [[1, 0], [1, 0], [8, 4]]
    """
    seen: dict[str, int] = {}
    dashes = []
    for v in verdicts:
        dashes.append(RUN_DASHES[seen.get(v, 0) % len(RUN_DASHES)])
        seen[v] = seen.get(v, 0) + 1
    return [VERDICT_COLOURS[v] for v in verdicts], dashes


def error_curves(
    df: pd.DataFrame,
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
    data = df[np.isfinite(df["error"].to_numpy(dtype=float))]
    if log:
        data, _ = for_log(data, "error")
    data = data.assign(shown=data["error"])
    domain: list[float] | UndefinedType = alt.Undefined
    leaving = None
    if y_cap is not None and len(data) and data["error"].max() > y_cap:
        data, leaving = into_view(data, y_cap)
        low = float(data["shown"].min())
        if error_star is not None and (error_star > 0 or not log):
            low = min(low, error_star)  # the E* line stays inside the view
        domain = [min(low, y_cap / 10), y_cap] if log else [min(0.0, low), y_cap]
    scale = alt.Scale(type="log", domain=domain) if log else alt.Scale(zero=False, domain=domain)
    y = alt.Y("shown:Q", title=y_title + (", log scale" if log else ""), scale=scale)
    # The whole run stays on the x axis, even where a run left the view early.
    span = [0, int(df["epoch"].max())] if len(df) else alt.Undefined
    x = alt.X(
        "epoch:Q",
        title=x_title,
        axis=alt.Axis(tickMinStep=1, format="d"),
        scale=alt.Scale(domain=span, nice=False),
    )
    many = data["run"].nunique() > 1
    styled = "image" in data and data["image"].nunique() > 1
    colour = (
        alt.Color(
            "rate:N" if styled else "run:N",
            title="rate" if styled else colour_title,
            scale=alt.Scale(scheme="dark2"),  # 8 colours: at most 8 rates are compared
            legend=legend(),
        )
        if many
        else alt.ColorValue("#0072B2")
    )
    dash = alt.StrokeDash("image:N", title="image", legend=legend()) if styled else alt.Undefined
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
    few = bool(len(data)) and bool(data.groupby("run")["epoch"].count().max() <= FEW_POINTS)
    lines = (
        alt.Chart(data)
        .mark_line(strokeWidth=2, point=few, clip=True)
        .encode(
            x=x,
            y=y,
            color=colour,
            strokeDash=dash,
            detail=alt.Detail("run:N"),
            tooltip=[
                alt.Tooltip("run:N", title=colour_title),
                alt.Tooltip("epoch:Q", title=x_title),
                alt.Tooltip("error:Q", format=".6g"),
            ],
        )
    )
    layers = [lines]
    if error_star is not None and (error_star > 0 or not log):
        star = pd.DataFrame(
            {"error": [error_star], "label": [f"lowest possible error E* = {error_star:.4g}"]}
        )
        layers.append(
            alt.Chart(star).mark_rule(strokeDash=[6, 4], color=GREY).encode(y=alt.Y("error:Q"))
        )
        layers.append(
            alt.Chart(star)
            .mark_text(align="left", dx=4, dy=-7, color=GREY)
            .encode(y=alt.Y("error:Q"), x=alt.XValue(0), text=alt.Text("label:N"))
        )
    if leaving is not None and len(leaving):
        if diverged is not None and len(diverged):
            blown = dict(zip(diverged["run"], diverged["label"], strict=True))
            leaving["label"] = [
                f"{lab}\n{blown[run]}" if run in blown else lab
                for run, lab in zip(leaving["run"], leaving["label"], strict=True)
            ]
            diverged = diverged[~diverged["run"].isin(leaving["run"])]
        top = alt.Y("shown:Q", scale=scale)
        layers.append(
            alt.Chart(leaving)
            .mark_point(shape="triangle-up", size=150, filled=True, color="#D55E00")
            .encode(
                x=alt.X("epoch:Q"),
                y=top,
                tooltip=[
                    alt.Tooltip("run:N", title=colour_title),
                    alt.Tooltip("epoch:Q", title=x_title),
                    alt.Tooltip("error:Q", format=".4g", title="error (above the chart)"),
                    alt.Tooltip("label:N"),
                ],
            )
        )
        # One label for the chart: labels of runs leaving close together print over each other.
        texts = leaving.sort_values("epoch").head(1).assign(runs=len(leaving))
        if len(leaving) > 1:
            texts["label"] = (
                f"↑ {len(leaving)} runs off the chart, from epoch {texts['epoch'].iloc[0]}"
            )
        # Written towards the middle of the plot, so it stays inside it on a narrow screen.
        right = len(df) and texts["epoch"].iloc[0] > 0.5 * float(df["epoch"].max())
        layers.append(
            alt.Chart(texts)
            .mark_text(
                align="right" if right else "left",
                dx=-9 if right else 9,
                dy=10,
                color="#D55E00",
                fontWeight="bold",
                lineBreak="\n",
            )
            .encode(x=alt.X("epoch:Q"), y=top, text=alt.Text("label:N"))
        )
    if diverged is not None and len(diverged):
        marks = for_log(diverged, "error")[0] if log else diverged
        if domain is not alt.Undefined:
            marks = marks[marks["error"] <= y_cap]
        layers.append(
            alt.Chart(marks)
            .mark_point(shape="cross", size=160, color="#D55E00", strokeWidth=3)
            .encode(x=alt.X("epoch:Q"), y=alt.Y("error:Q"), tooltip=[alt.Tooltip("label:N")])
        )
        late = len(marks) and marks["epoch"].min() > 0.5 * float(df["epoch"].max())
        layers.append(  # written towards the plot's middle, never pushing the plot aside
            alt.Chart(marks)
            .mark_text(
                align="right" if late else "left",
                dx=-8 if late else 8,
                dy=-10,
                color="#D55E00",
                fontWeight="bold",
            )
            .encode(x=alt.X("epoch:Q"), y=alt.Y("error:Q"), text=alt.Text("label:N"))
        )
    said: dict[str, Any] = {"description": description} if description else {}
    if many:  # the legend sits below the plot: the chart grows by it, the plot keeps its size
        height += LEGEND_ROW * (data["run"].nunique() + 1)
    return layer(*layers, padding=PADDING, title=title, height=height, **said)


def weights_chart(epochs: np.ndarray, weights: np.ndarray, w_star: np.ndarray) -> alt.LayerChart:
    """The three weights over epochs, with their best values as dashed rules."""
    idx = thin(len(epochs))
    df = pd.DataFrame(
        {
            "epoch": np.tile(epochs[idx], 3),
            "weight": np.repeat(WEIGHTS, len(idx)),
            "value": np.concatenate([weights[idx, i] for i in range(3)]),
        }
    )
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
        )
    )
    best = pd.DataFrame({"weight": WEIGHTS, "value": w_star})
    rules = alt.Chart(best).mark_rule(strokeDash=[4, 4]).encode(y=alt.Y("value:Q"), color=colour)
    title = "Weights over epochs (dashed: best values w*)"
    told = [
        f"{name}: {_g(v[0])} at epoch {int(epochs[0])}, {_g(v[last])} at epoch {int(epochs[last])}"
        f" (best value {_g(best)})"
        for name, v, best in zip(WEIGHTS, weights.T, w_star, strict=True)
        for last in [_last_finite(v)]
    ]
    return layer(
        lines,
        rules,
        padding=PADDING,
        title=title,
        height=260,
        description=f"{title}. " + "; ".join(told) + ".",
    )


def sweep_chart(
    df: pd.DataFrame,
    y: str,
    y_title: str,
    critical_lr: float,
    fastest_lr: float | None,
    suggested_lr: float | None = None,
    description: str = "",
) -> alt.LayerChart:
    """A per-rate quantity against the rate on log axes, coloured by verdict.

    ``df`` has columns lr, verdict and ``y``; rows that a log axis cannot show
    must be filtered by the caller (see ``for_log``). ``description`` is the
    chart's text alternative; the numbers of the points and lines are added.
    """
    domain = list(VERDICT_COLOURS)
    colour = alt.Color(
        "verdict:N",
        scale=alt.Scale(domain=domain, range=list(VERDICT_COLOURS.values())),
        title="verdict",
    )
    shape = alt.Shape(
        "verdict:N", scale=alt.Scale(domain=domain, range=VERDICT_SHAPES), legend=None
    )
    x = alt.X("lr:Q", scale=alt.Scale(type="log"), title="learning rate (log scale)")
    y_enc = alt.Y(f"{y}:Q", scale=alt.Scale(type="log"), title=y_title)
    line = alt.Chart(df).mark_line(color="#aaa", strokeWidth=1).encode(x=x, y=y_enc)
    points = (
        alt.Chart(df)
        .mark_point(filled=True, size=70)
        .encode(
            x=x,
            y=y_enc,
            color=colour,
            shape=shape,
            tooltip=[
                alt.Tooltip("lr:Q", format=".4g"),
                alt.Tooltip(f"{y}:Q", format=".4g"),
                alt.Tooltip("verdict:N"),
            ],
        )
    )
    marks = [
        (f"edge rate = {shown_edge(critical_lr, fastest_lr)}", critical_lr, "#D55E00", [6, 3]),
    ]
    if fastest_lr is not None:
        marks.append((f"fastest from this start = {fastest_lr:g}", fastest_lr, "#009E73", [2, 2]))
    if suggested_lr is not None:
        marks.append((f"suggested = {suggested_lr:.4g}", suggested_lr, GREY, [1, 0]))
    rules_df = pd.DataFrame({"line": [m[0] for m in marks], "lr": [m[1] for m in marks]})
    rules = (
        alt.Chart(rules_df)
        .mark_rule(strokeWidth=2)
        .encode(
            x=alt.X("lr:Q"),
            color=alt.Color(
                "line:N",
                scale=alt.Scale(domain=[m[0] for m in marks], range=[m[2] for m in marks]),
                title="vertical lines",
            ),
            strokeDash=alt.StrokeDash(
                "line:N",
                scale=alt.Scale(domain=[m[0] for m in marks], range=[m[3] for m in marks]),
                legend=None,
            ),
            tooltip=[alt.Tooltip("line:N")],
        )
    )
    said = [description] if description else []
    if len(df):
        low, high = df[y].idxmin(), df[y].idxmax()
        said.append(
            f"{count(len(df), 'rate')} drawn, from {_g(df['lr'].min())} to {_g(df['lr'].max())} on a "
            "log axis: "
            + ", ".join(f"{int((df['verdict'] == v).sum())} {v}" for v in VERDICT_COLOURS)
            + f"; {y_title} lowest {_g(df[y][low])} at rate {_g(df['lr'][low])}, highest "
            f"{_g(df[y][high])} at rate {_g(df['lr'][high])}"
        )
    said.append("vertical lines: " + ", ".join(m[0] for m in marks))
    return layer(
        line,
        points,
        rules,
        resolve_colour=True,
        padding=PADDING,
        height=320,
        description=". ".join(said) + ".",
    )


SWEEP_PANELS = (
    (
        "final_error",
        "final error (½·mean squared, log scale)",
        "Error after {epochs:,} epochs",
        "their error blew up (or is exactly 0)",
    ),
    (
        "epochs_to_1pct",
        "epochs to settle within 1% of E* (log scale)",
        "Epochs to settle within 1% of E* (exact, from theory)",
        "they never get there (they diverge), or start there",
    ),
)
"""The sweep's charts: column, y title, title and why a rate can be missing from it."""


def sweep_panel(
    table: pd.DataFrame,
    column: str,
    epochs: int,
    critical_lr: float,
    fastest_lr: float | None,
    suggested_lr: float | None = None,
    start_error: float | None = None,
) -> tuple[alt.LayerChart, list[str]]:
    """One of the sweep's charts (``column`` of ``SWEEP_PANELS``), and notes on what it leaves
    out or holds down.

    ``table`` has one row per rate: lr, verdict and the columns of ``SWEEP_PANELS``.
    With ``start_error``, final errors above ``VIEW_CAP`` times it are drawn on the
    top edge (as a run's curve is), so a rate just past the critical rate that has
    not yet blown up does not stretch the axis over a dozen decades.
    """
    _, y_title, title, why = next(p for p in SWEEP_PANELS if p[0] == column)
    shown, hidden = for_log(table, column)
    notes = [f"{count(hidden, 'rate')} not drawn: {why}"] if hidden else []
    if column == "final_error" and start_error:
        cap = VIEW_CAP * start_error
        above = shown[column] > cap
        if above.any():
            shown = shown.assign(**{column: np.minimum(shown[column], cap)})
            notes.append(
                f"{count(int(above.sum()), 'rate')} ended over {VIEW_CAP:g}× the starting "
                f"error: drawn on the top edge (the table has {'its' if above.sum() == 1 else 'their'} values)"
            )
    title = title.format(epochs=epochs)
    said = title + "".join(f". {n}" for n in notes)
    chart = sweep_chart(shown, column, y_title, critical_lr, fastest_lr, suggested_lr, said)
    return with_props(chart, title=title), notes


def sweep_panels(
    table: pd.DataFrame,
    epochs: int,
    critical_lr: float,
    fastest_lr: float | None,
    suggested_lr: float | None = None,
    start_error: float | None = None,
) -> list[tuple[alt.LayerChart, str]]:
    """Both of the sweep's charts (``sweep_panel``), each with its notes as one sentence."""
    panels = []
    for column, *_ in SWEEP_PANELS:
        chart, notes = sweep_panel(
            table, column, epochs, critical_lr, fastest_lr, suggested_lr, start_error
        )
        panels.append((chart, "; ".join(notes) + "." if notes else ""))
    return panels


def count(n: int, thing: str) -> str:
    """``1 rate``, ``3 rates``: a number with its noun, plural right."""
    return f"{n:,} {thing}{'' if n == 1 else 's'}"


def verdict_style(df: pd.DataFrame, formats: dict) -> Styler:
    """``df`` for ``st.dataframe``: its ``verdict`` cells on each verdict's colour, in bold,
    and ``formats`` (column -> format string or function) applied.

    The cell carries its own background, so the words stay legible in the light
    and the dark theme (a verdict colour as text on white or black is not)."""
    return df.style.apply(
        lambda col: [
            f"background-color: {VERDICT_COLOURS[v]}; color: {VERDICT_INK[v]}; font-weight: 600"
            for v in col
        ],
        subset=["verdict"],
    ).format(formats)


def bowl_frames(
    values: np.ndarray, errors: np.ndarray, walk: Walk
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables of ``bowl_chart``: the parabola (value, error) and the steps in view."""
    curve = pd.DataFrame({"value": values, "error": errors})
    path = pd.DataFrame({"epoch": walk.epochs, "value": walk.points[:, 0], "error": walk.errors})
    return curve, path


def contour_frames(cells: Cells, walk: Walk) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The tables of ``contour_chart``: cells above E* (a log colour scale takes no 0)
    and the steps in view."""
    grid = pd.DataFrame(asdict(cells))
    path = pd.DataFrame({"epoch": walk.epochs, "x": walk.points[:, 0], "y": walk.points[:, 1]})
    return grid[grid["excess"] > 0], path


def bowl_chart(curve: pd.DataFrame, path: pd.DataFrame, weight: str) -> alt.LayerChart:
    """The error along one weight (a parabola) with the steps of descent on it.

    ``curve`` has value, error; ``path`` has epoch, value, error.
    """
    y = alt.Y("error:Q", title=ERROR_TITLE, scale=alt.Scale(zero=False))
    line = (
        alt.Chart(curve)
        .mark_line(color=GREY)
        .encode(x=alt.X("value:Q", title=f"{weight} (the other weights at their best values)"), y=y)
    )
    steps = (
        alt.Chart(path)
        .mark_line(color="#D55E00", strokeDash=[3, 3])
        .encode(x=alt.X("value:Q"), y=alt.Y("error:Q"), order=alt.Order("epoch:Q"))
    )
    dots = (
        alt.Chart(path)
        .mark_circle(size=70, opacity=1)
        .encode(
            x=alt.X("value:Q"),
            y=alt.Y("error:Q"),
            color=alt.Color("epoch:Q", scale=alt.Scale(scheme="viridis"), title="epoch"),
            tooltip=[
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("value:Q", format=".5g"),
                alt.Tooltip("error:Q", format=".5g"),
            ],
        )
    )
    title = f"Walking down the bowl along {weight}"
    bottom = curve["error"].idxmin()
    said = [
        f"{title}. The error along {weight} is a parabola, lowest {_g(curve['error'][bottom])} "
        f"at {weight} = {_g(curve['value'][bottom])}"
    ]
    if len(path):
        first, last = path.iloc[0], path.iloc[-1]
        said.append(
            f"the steps go from {weight} = {_g(first['value'])} (error {_g(first['error'])}) at "
            f"epoch {int(first['epoch'])} to {_g(last['value'])} (error {_g(last['error'])}) at "
            f"epoch {int(last['epoch'])}"
        )
    return layer(
        line,
        steps,
        dots,
        padding=PADDING,
        title=title,
        height=340,
        description="; ".join(said) + ".",
    )


def contour_chart(grid: pd.DataFrame, path: pd.DataFrame, wx: str, wy: str) -> alt.LayerChart:
    """Error over two weights as colour bands, with the descent path on top.

    ``grid`` has x, x2, y, y2 (cell edges) and excess (E - E*, > 0 for the log
    colour scale); ``path`` has epoch, x, y.
    """
    heat = (
        alt.Chart(grid)
        .mark_rect()
        .encode(
            x=alt.X("x:Q", title=wx),
            x2=alt.X2("x2:Q"),
            y=alt.Y("y:Q", title=wy),
            y2=alt.Y2("y2:Q"),
            color=alt.Color(
                "excess:Q",
                scale=alt.Scale(type="log", scheme="blues", reverse=True),
                title="E − E* (log)",
            ),
            tooltip=[
                alt.Tooltip("x:Q", format=".4g"),
                alt.Tooltip("y:Q", format=".4g"),
                alt.Tooltip("excess:Q", format=".3g"),
            ],
        )
    )
    steps = (
        alt.Chart(path)
        .mark_line(color="#D55E00", strokeWidth=2)
        .encode(x=alt.X("x:Q"), y=alt.Y("y:Q"), order=alt.Order("epoch:Q"))
    )
    dots = (
        alt.Chart(path)
        .mark_circle(color="#D55E00", size=45, opacity=1)
        .encode(
            x=alt.X("x:Q"),
            y=alt.Y("y:Q"),
            tooltip=[
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("x:Q", format=".5g"),
                alt.Tooltip("y:Q", format=".5g"),
            ],
        )
    )
    title = f"Error over {wx} and {wy}, with the path"
    said = [f"{title}. Colour bands of E − E*, darker is lower"]
    if len(grid):
        low = grid["excess"].idxmin()
        said.append(f"lowest near {wx} = {_g(grid['x'][low])}, {wy} = {_g(grid['y'][low])}")
    if len(path):
        first, last = path.iloc[0], path.iloc[-1]
        said.append(
            f"the path goes from ({_g(first['x'])}, {_g(first['y'])}) at epoch "
            f"{int(first['epoch'])} to ({_g(last['x'])}, {_g(last['y'])}) at epoch "
            f"{int(last['epoch'])}"
        )
    return layer(
        heat,
        steps,
        dots,
        padding=PADDING,
        title=title,
        height=380,
        description="; ".join(said) + ".",
    )


def simple_curve(
    values: np.ndarray, title: str, log: bool = False, x_title: str = "epoch", height: int = 320
) -> alt.LayerChart:
    """One error curve from plain values (a learner's own numbers)."""
    df = pd.DataFrame({"run": "your curve", "epoch": np.arange(len(values)), "error": values})
    said = describe_runs(title, ["the curve"], np.asarray(values, dtype=float)[None, :], x_title)
    return error_curves(df, log=log, title=title, x_title=x_title, height=height, description=said)


def blowup_marks(
    labels: Sequence[str], errors: np.ndarray, diverged: np.ndarray
) -> pd.DataFrame | None:
    """One cross per run that blew up, on its last computable error."""
    rows = [
        {
            "run": label,
            "epoch": int(d) - 1,
            "error": float(errors[r, int(d) - 1]),
            "label": f"numbers overflow at epoch {int(d)}",
        }
        for r, (label, d) in enumerate(zip(labels, diverged, strict=True))
        if d > 0
    ]
    return pd.DataFrame(rows) if rows else None


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
) -> tuple[alt.LayerChart, list[str]]:
    """The error curves of (R, T+1) runs, and notes saying what the chart leaves out.

    Every page that draws runs uses this, so the same rules hold everywhere: a
    blow-up is marked, the axis stops at ``view_cap``, and nothing is hidden
    without a note. ``log=None`` is the "auto" axis (``auto_log``). The chart's text alternative tells each run's numbers (and
    its verdict, given ``verdicts``), the notes and E*.
    """
    cap = view_cap(errors)
    log, notes = _axis(log, [errors], cap)  # None is "auto": the data decide, the note says so
    df = curves_frame(labels, errors, images)
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
    said = describe_runs(title, labels, errors, "epoch", verdicts, error_star, cap)
    said += "".join(f" Note: {n}." for n in notes)
    return with_props(chart, description=said), notes


DESCRIBED_RUNS = 8
"""A chart's text alternative tells this many runs one by one, then how many more."""


def _g(v: float) -> str:
    return f"{v:.4g}"


def _last_finite(v: np.ndarray) -> int:
    ok = np.flatnonzero(np.isfinite(v))
    return int(ok[-1]) if ok.size else 0


def describe_runs(
    title: str,
    labels: Sequence[str],
    errors: np.ndarray,
    x_title: str = "epoch",
    verdicts: Sequence[str] | None = None,
    error_star: float | None = None,
    cap: float | None = None,
) -> str:
    """The text alternative of a chart of runs: each run's numbers, as the chart shows them.

    >>> describe_runs("Error", ["rate 0.1"], np.array([[4.0, 2.0, 1.0]]), verdicts=["good"])
    'Error. 1 line, error against epoch 0 to 2. rate 0.1 (good): 4 at epoch 0 to 1 at epoch 2.'
    """
    last_x = errors.shape[1] - 1
    said = [f"{title}. {count(len(labels), 'line')}, error against {x_title} 0 to {last_x:,}."]
    for i, label in enumerate(labels[:DESCRIBED_RUNS]):
        e = errors[i]
        end = _last_finite(e)
        run = f"{label}" + (f" ({verdicts[i]})" if verdicts is not None else "")
        run += f": {_g(e[0])} at {x_title} 0 to {_g(e[end])} at {x_title} {end:,}"
        if end < last_x:
            run += f", then the numbers overflow at {x_title} {end + 1:,}"
        if cap is not None and (e[: end + 1] > cap).any():
            run += f", off the top of the chart from {x_title} {int(np.argmax(e > cap)):,}"
        said.append(run + ".")
    if len(labels) > DESCRIBED_RUNS:
        said.append(
            f"And {count(len(labels) - DESCRIBED_RUNS, 'more line')}; the tables have them."
        )
    if error_star is not None:
        said.append(f"Lowest possible error E* = {_g(error_star)}.")
    return " ".join(said)


def training_and_validation(
    training: np.ndarray,
    validation: np.ndarray,
    names: tuple[str, str],
    *,
    log: bool | None = False,
    title: str = "Your training and validation curves",
    y_title: str = ERROR_TITLE,
) -> tuple[alt.LayerChart, list[str]]:
    """A learner's training curve with its validation curve beside it, and notes.

    Each curve is drawn against its own count of values, epoch 0 first (as the
    verdict counts), under ``error_view``'s rules: thinned keeping each curve's
    shape, the axis stopped at ``VIEW_CAP`` times the larger start, and nothing
    hidden without a note.
    """
    curves = {
        f"training: {names[0]}": np.asarray(training, dtype=float),
        f"validation: {names[1]}": np.asarray(validation, dtype=float),
    }
    df, cap = _named_curves(curves)
    log, notes = _axis(log, list(curves.values()), cap)
    chart = error_curves(df, log=log, title=title, y_cap=cap, colour_title="curve", y_title=y_title)
    if log:
        hidden = sum(int((~(np.isfinite(v) & (v > 0))).sum()) for v in curves.values())
        if hidden:
            notes.append(f"{count(hidden, 'value')} not drawn on the log axis (NaN, infinite or 0)")
    if len(curves) == 2 and len(training) != len(validation):
        notes.append(
            f"the validation curve has {len(validation):,} values and the training curve "
            f"{len(training):,}: each is drawn against its own count, so they line up only "
            "where both were logged at the same epochs"
        )
    if any(np.nan_to_num(v, nan=-1.0, posinf=np.inf).max() > cap for v in curves.values()):
        notes.append(
            f"a curve climbs past the top of this chart (over {VIEW_CAP:g}× the larger start)"
        )
    said = "; ".join(
        f"{label}: {v.size:,} values from {_g(v[0])} to {_g(v[-1])}" for label, v in curves.items()
    )
    return with_props(chart, description=f"{title}. {said}."), notes


def _named_curves(curves: dict[str, np.ndarray]) -> tuple[pd.DataFrame, float]:
    """Curves of different lengths, each thinned keeping its shape, as one frame, and the
    top of the view: ``VIEW_CAP`` times the largest finite start."""
    df = pd.concat(
        [
            pd.DataFrame({"run": label, "epoch": idx, "error": v[idx]})
            for label, v in curves.items()
            for idx in [keep_shape(v)]
        ],
        ignore_index=True,
    )
    starts = np.array([abs(v[0]) for v in curves.values() if v.size and np.isfinite(v[0])])
    return df, VIEW_CAP * (float(starts.max()) if starts.size and starts.max() > 0 else 1.0)


def check_chart(
    values: np.ndarray,
    exact: np.ndarray,
    explained: np.ndarray | None = None,
    parted: int | None = None,
    *,
    log: bool | None = False,
    title: str = "Your numbers over the exact curve",
    y_title: str = ERROR_TITLE,
) -> tuple[alt.LayerChart, list[str]]:
    """A learner's printed errors over the exact curve of their setup, and notes.

    With ``explained``, the curve of the loop whose mistakes explain the numbers
    is drawn too; ``parted`` marks the first epoch where the numbers leave the
    exact curve. Drawn under ``error_view``'s rules (thinned keeping the shape,
    the axis stopped at ``VIEW_CAP`` times the larger start, notes for anything
    left out).
    """
    curves = {"your numbers": np.asarray(values, dtype=float)}
    curves["the exact curve"] = np.asarray(exact, dtype=float)
    if explained is not None:
        curves["the loop that explains them"] = np.asarray(explained, dtype=float)
    df, cap = _named_curves(curves)
    marks = None
    v = curves["your numbers"]
    if parted is not None and parted < len(v) and np.isfinite(v[parted]):
        marks = pd.DataFrame(
            [
                {
                    "run": "your numbers",
                    "epoch": parted,
                    "error": float(v[parted]),
                    "label": f"parts from the exact curve at epoch {parted:,}",
                }
            ]
        )
    log, notes = _axis(log, list(curves.values()), cap)
    chart = error_curves(
        df, log=log, title=title, y_cap=cap, colour_title="curve", diverged=marks, y_title=y_title
    )
    hidden = sum(
        int((~(np.isfinite(c) & ((c > 0) if log else True))).sum()) for c in curves.values()
    )
    if hidden:
        where = "on the log axis (NaN, infinite or 0)" if log else "(NaN or infinite: a blow-up)"
        notes.append(f"{count(hidden, 'value')} not drawn {where}")
    if any(np.nan_to_num(c, nan=-1.0, posinf=np.inf).max() > cap for c in curves.values()):
        notes.append(
            f"a curve climbs past the top of this chart (over {VIEW_CAP:g}× the larger start)"
        )
    said = "; ".join(
        f"{label}: {c.size:,} values from {_g(c[0])} to {_g(c[-1])}" for label, c in curves.items()
    )
    return with_props(chart, description=f"{title}. {said}."), notes


def rate_chart(rates: np.ndarray, edges: Sequence[tuple[str, float]], title: str) -> alt.LayerChart:
    """The rate each epoch actually stepped with (``lr_k``, epochs 0 … T−1), and the edge rates.

    ``edges`` are ``(label, rate)`` pairs drawn as dashed lines (the plain edge
    rate, and the wider one that momentum gives). A log axis is used when the
    rates and the edges span more than ``AUTO_LOG_SPAN`` times (a decaying schedule, a tiny rate).
    """
    idx = keep_shape(rates)
    df = pd.DataFrame({"epoch": idx, "rate": rates[idx]})
    drawn = np.concatenate([rates, [e[1] for e in edges]])
    positive = drawn[np.isfinite(drawn) & (drawn > 0)]
    log = bool(positive.size) and positive.max() / positive.min() > AUTO_LOG_SPAN
    scale = alt.Scale(type="log") if log else alt.Scale(zero=False)
    y = alt.Y("rate:Q", title="rate used" + (", log scale" if log else ""), scale=scale)
    x = alt.X(
        "epoch:Q",
        title="epoch",
        axis=alt.Axis(tickMinStep=1, format="d"),
        scale=alt.Scale(domain=[0, max(len(rates), 1)], nice=False),
    )
    line = (
        alt.Chart(df)
        .mark_line(strokeWidth=2, color="#0072B2", point=len(df) <= FEW_POINTS)
        .encode(
            x=x,
            y=y,
            tooltip=[alt.Tooltip("epoch:Q"), alt.Tooltip("rate:Q", format=".4g")],
        )
    )
    marks = pd.DataFrame({"line": [e[0] for e in edges], "rate": [e[1] for e in edges]})
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[6, 3], strokeWidth=2)
        .encode(
            y=alt.Y("rate:Q"),
            color=alt.Color(
                "line:N",
                scale=alt.Scale(
                    domain=list(marks["line"]), range=["#D55E00", "#CC79A7"][: len(marks)]
                ),
                title="dashed lines",
            ),
            tooltip=[alt.Tooltip("line:N"), alt.Tooltip("rate:Q", format=".4g")],
        )
    )
    said = (
        f"{title}. The rate runs from {_g(rates[0])} at epoch 0 to {_g(rates[-1])} at epoch "
        f"{len(rates) - 1:,}, highest {_g(rates.max())}, lowest {_g(rates.min())}"
        + ("; log axis" if log else "")
        + "".join(f"; {label}: {_g(r)}" for label, r in edges)
        + "."
    )
    return layer(line, rules, padding=PADDING, title=title, height=180, description=said)


def momentum_map_chart(
    rates: np.ndarray,
    momenta: np.ndarray,
    epochs: np.ndarray,
    limit: int,
    boundary: pd.DataFrame,
    marks: pd.DataFrame,
) -> alt.LayerChart:
    """The epoch each run settles within 1% of E* (enters the band for good: ``gdcore.bowl.settling``)
    over rate (x, log) × momentum β (y), as coloured cells.

    ``epochs`` is (len(momenta), len(rates)): a count, ``inf`` (never settles)
    or ``nan`` (more than ``limit``). ``boundary`` has lr and momentum along the
    edge rate 2(1+β)/λmax; ``marks`` has lr, momentum and label (the theory's
    best pair, this run).
    """
    lr_edges = np.sqrt(rates[1:] * rates[:-1])
    lr_lo = np.concatenate([[rates[0] ** 2 / lr_edges[0]], lr_edges])
    lr_hi = np.concatenate([lr_edges, [rates[-1] ** 2 / lr_edges[-1]]])
    b_edges = (momenta[1:] + momenta[:-1]) / 2
    b_lo = np.concatenate([[momenta[0] - (b_edges[0] - momenta[0])], b_edges])
    b_hi = np.concatenate([b_edges, [momenta[-1] + (momenta[-1] - b_edges[-1])]])
    i, j = np.meshgrid(np.arange(len(momenta)), np.arange(len(rates)), indexing="ij")
    e = epochs.ravel()
    cells = pd.DataFrame(
        {
            "lr": rates[j.ravel()],
            "momentum": momenta[i.ravel()],
            "x": lr_lo[j.ravel()],
            "x2": lr_hi[j.ravel()],
            "y": b_lo[i.ravel()],
            "y2": b_hi[i.ravel()],
            "epochs": np.where(np.isfinite(e), e, np.nan),
            "reads": [
                f"{int(v):,} epochs"
                if np.isfinite(v)
                else "never settles"
                if np.isinf(v)
                else f"more than {limit:,} epochs"
                for v in e
            ],
        }
    )
    counted = cells[cells["epochs"].notna()]
    other = cells[cells["epochs"].isna()]
    x = alt.X("x:Q", scale=alt.Scale(type="log", nice=False), title="learning rate (log scale)")
    y = alt.Y(
        "y:Q",
        scale=alt.Scale(domain=[float(b_lo[0]), float(b_hi[-1])], nice=False),
        title="momentum β",
    )
    tip = [
        alt.Tooltip("lr:Q", format=".4g", title="rate"),
        alt.Tooltip("momentum:Q", format=".3g", title="β"),
        alt.Tooltip("reads:N", title="settles within 1% of E* after"),
    ]
    heat = (
        alt.Chart(counted)
        .mark_rect()
        .encode(
            x=x,
            x2=alt.X2("x2:Q"),
            y=y,
            y2=alt.Y2("y2:Q"),
            color=alt.Color(
                "epochs:Q",
                scale=alt.Scale(type="log", scheme="viridis", reverse=True),
                title="epochs to 1% (log)",
            ),
            tooltip=tip,
        )
    )
    grey = (
        alt.Chart(other)
        .mark_rect()
        .encode(
            x=x,
            x2=alt.X2("x2:Q"),
            y=y,
            y2=alt.Y2("y2:Q"),
            color=alt.Color(
                "reads:N",
                scale=alt.Scale(
                    domain=["never settles", f"more than {limit:,} epochs"],
                    range=["#E8E8E8", "#B0B0B0"],
                ),
                title="no count",
                legend=alt.Legend(orient="bottom"),
            ),
            tooltip=tip,
        )
    )
    edge_line = (
        alt.Chart(boundary)
        .mark_line(color="#D55E00", strokeWidth=3, strokeDash=[6, 3])
        .encode(x=alt.X("lr:Q"), y=alt.Y("momentum:Q"), order=alt.Order("momentum:Q"))
    )
    points = (
        alt.Chart(marks)
        .mark_point(shape="diamond", size=220, filled=True, color="#D55E00", stroke="white")
        .encode(
            x=alt.X("lr:Q"),
            y=alt.Y("momentum:Q"),
            tooltip=[
                alt.Tooltip("label:N"),
                alt.Tooltip("lr:Q", format=".4g"),
                alt.Tooltip("momentum:Q", format=".3g"),
            ],
        )
    )
    labels = (
        alt.Chart(marks)
        .mark_text(align="right", dx=-12, dy=-10, color="#D55E00", fontWeight="bold")
        .encode(x=alt.X("lr:Q"), y=alt.Y("momentum:Q"), text=alt.Text("label:N"))
    )
    title = "Epochs to settle within 1% of E*, over rate × momentum"
    fastest = counted.loc[counted["epochs"].idxmin()] if len(counted) else None
    said = [
        f"{title}. {count(len(rates), 'rate')} from {_g(rates[0])} to {_g(rates[-1])} (log axis) "
        f"× {count(len(momenta), 'momentum')} from {_g(momenta[0])} to {_g(momenta[-1])}",
        f"{len(counted)} cells counted, {int(np.isinf(e).sum())} never settle, "
        f"{int(np.isnan(e).sum())} need more than {limit:,} epochs",
        "dashed line: the edge rate 2(1+β)/λmax, right of it nothing settles",
    ]
    if fastest is not None:
        said.append(
            f"fewest epochs: {int(fastest['epochs']):,} at rate {_g(fastest['lr'])} with "
            f"β = {_g(fastest['momentum'])}"
        )
    said += [
        f"{lab} at rate {_g(r)}, β = {_g(b)}"
        for lab, r, b in zip(marks["label"], marks["lr"], marks["momentum"], strict=True)
    ]
    return layer(
        heat,
        grey,
        edge_line,
        points,
        labels,
        resolve_colour=True,
        padding=PADDING,
        title=title,
        height=460,
        description="; ".join(said) + ".",
    )


def walk_chart(
    grid: pd.DataFrame, path: pd.DataFrame, wx: str, wy: str, title: str
) -> alt.LayerChart:
    """``contour_chart`` under its own title: the plain walk and the heavy ball side by side."""
    chart = contour_chart(grid, path, wx, wy)
    return with_props(chart, title=title, description=f"{title}. {chart.description}")


DIRECTION_NAMES = ("flattest", "middle", "steepest")
"""The bowl's eigen-directions, smallest curvature first (``gdcore.bowl.forecast.Milestones``)."""
DIRECTION_FLOOR = 1e-12
"""A direction's share below this fraction of the starting excess is not drawn (and the
chart's text says so): it is rounding dust beside the error, and would squash the axis."""


def directions_chart(excess: np.ndarray, curvatures: np.ndarray, title: str) -> alt.Chart:
    """Each eigen-direction's share of the excess error E − E*, epoch by epoch, on a log axis.

    ``excess`` is (3, T+1), one row per direction, flattest first; rows that are
    0 from the start (a direction the start does not need) are left out, and so
    are values a log axis cannot draw (0, NaN after a blow-up).
    """
    frames = []
    for name, row, lam in zip(DIRECTION_NAMES, excess, curvatures, strict=True):
        if not (np.isfinite(row[0]) and row[0] > 0):
            continue
        idx = keep_shape(row)
        frames.append(
            pd.DataFrame(
                {
                    "direction": name,
                    "curvature": float(lam),
                    "epoch": idx,
                    "excess": row[idx],
                }
            )
        )
    df = (
        pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame({"direction": [], "epoch": [], "excess": []})
    )
    start = float(np.nansum(np.where(np.isfinite(excess[:, 0]), excess[:, 0], 0.0)))
    floor = DIRECTION_FLOOR * start  # below this a share is rounding dust beside the error
    df = df[np.isfinite(df["excess"].to_numpy(dtype=float)) & (df["excess"] > floor)]
    lines = (
        alt.Chart(df)
        .mark_line(strokeWidth=2, clip=True)
        .encode(
            x=alt.X("epoch:Q", title="epoch", axis=alt.Axis(tickMinStep=1, format="d")),
            y=alt.Y("excess:Q", scale=alt.Scale(type="log"), title="its share of E − E* (log)"),
            color=alt.Color(
                "direction:N",
                scale=alt.Scale(domain=list(DIRECTION_NAMES), range=WEIGHT_COLOURS),
                title=None,
                legend=alt.Legend(orient="top", direction="horizontal"),
            ),
            tooltip=[
                alt.Tooltip("direction:N"),
                alt.Tooltip("curvature:Q", format=".4g"),
                alt.Tooltip("epoch:Q"),
                alt.Tooltip("excess:Q", format=".3g"),
            ],
        )
    )
    said = [
        f"{title}. One line per direction of the bowl, log axis, shares below "
        f"{DIRECTION_FLOOR:g} of the start left out"
    ]
    for name, part in df.groupby("direction", sort=False):
        first, last = part.iloc[0], part.iloc[-1]
        said.append(
            f"{name} (curvature {_g(first['curvature'])}): {_g(first['excess'])} at epoch {int(first['epoch'])} to "
            f"{_g(last['excess'])} at epoch {int(last['epoch'])}"
        )
    return with_props(
        lines, padding=PADDING, title=title, height=300, description="; ".join(said) + "."
    )


NOISY_OPACITY = 0.45
"""The raw values of a noisy log are drawn this faint under their trend line."""


def noisy_curve(
    x: np.ndarray,
    values: np.ndarray,
    trend_x: np.ndarray,
    trend: np.ndarray,
    *,
    unit: str,
    how: str,
    noise: float,
    verdict: str,
    log: bool | None = False,
    title: str = "Your curve and its trend",
    y_title: str = ERROR_TITLE,
) -> tuple[alt.LayerChart, list[str]]:
    """A noisy log as TensorBoard shows it: the raw values faint, the trend (judged) a line.

    ``x``/``values`` are the logged values at their steps; ``trend_x``/``trend`` the trend
    the verdict read (``gdcore.verdicts.noise.Trend``), coloured with the verdict.
    The axis stops at ``VIEW_CAP`` times the trend's start, and the notes say what is left out.
    """
    v = np.asarray(values, dtype=float)
    t = np.asarray(trend, dtype=float)
    cap = VIEW_CAP * (abs(float(t[0])) if t.size and np.isfinite(t[0]) and t[0] else 1.0)
    log, notes = _axis(log, [v, t], cap)
    keep = keep_shape(v)
    raw = pd.DataFrame({"x": np.asarray(x, dtype=float)[keep], "error": v[keep]})
    line = pd.DataFrame({"x": np.asarray(trend_x, dtype=float), "error": t})
    line = line.iloc[keep_shape(t)]
    ok_raw = np.isfinite(raw["error"]) & (raw["error"] <= cap)
    ok_line = np.isfinite(line["error"]) & (line["error"] <= cap)
    if log:
        ok_raw &= raw["error"] > 0
        ok_line &= line["error"] > 0
    hidden = int((~ok_raw).sum())
    if hidden:
        notes.append(
            f"{count(hidden, 'drawn value')} left out (NaN, infinite"
            + (", 0" if log else "")
            + f" or over {VIEW_CAP:g}× the trend's start)"
        )
    y = alt.Y(
        "error:Q", title=y_title, scale=alt.Scale(type="log" if log else "linear", zero=False)
    )
    xs = alt.X("x:Q", title=unit, axis=alt.Axis(format="~s"))
    colour = VERDICT_COLOURS.get(verdict, GREY)
    points = (
        alt.Chart(raw[ok_raw])
        .mark_circle(size=12, opacity=NOISY_OPACITY, color=GREY)
        .encode(
            xs, y, tooltip=[alt.Tooltip("x:Q", title=unit), alt.Tooltip("error:Q", format=".4g")]
        )
    )
    trend_line = (
        alt.Chart(line[ok_line])
        .mark_line(strokeWidth=3, color=colour)
        .encode(
            xs, y, tooltip=[alt.Tooltip("x:Q", title=unit), alt.Tooltip("error:Q", format=".4g")]
        )
    )
    said = (
        f"{title}. {v.size:,} logged values drawn as faint dots, from {_g(v[0])} to {_g(v[-1])}; "
        f"the trend ({how or 'the values themselves'}, {verdict}) as a line, from {_g(t[0])} to "
        f"{_g(t[-1])}; batch noise ±{noise:.2g} around it."
    )
    said += "".join(f" Note: {n}." for n in notes)
    chart = layer(points, trend_line, title=title, height=320, padding=PADDING, description=said)
    return chart, notes
