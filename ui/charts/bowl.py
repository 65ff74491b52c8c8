"""Pictures of the bowl: the error along one weight, over two, and along its directions.

The steps of descent are drawn on them (the walk), and each direction's share of the
excess error over epochs.
"""

from __future__ import annotations

from dataclasses import asdict

import altair as alt
import numpy as np
import pandas as pd

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from gdcore.bowl.landscape import Cells, Walk
from ui.charts.compose import layer, with_props
from ui.charts.frames import keep_shape
from ui.charts.style import ERROR_TITLE, GREY, PADDING, WEIGHT_COLOURS
from ui.charts.words import four_digits


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
        f"{title}. The error along {weight} is a parabola, lowest {four_digits(curve['error'][bottom])} "
        f"at {weight} = {four_digits(curve['value'][bottom])}"
    ]
    if len(path):
        first, last = path.iloc[0], path.iloc[-1]
        said.append(
            f"the steps go from {weight} = {four_digits(first['value'])} (error {four_digits(first['error'])}) at "
            f"epoch {int(first['epoch'])} to {four_digits(last['value'])} (error {four_digits(last['error'])}) at "
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
        said.append(
            f"lowest near {wx} = {four_digits(grid['x'][low])}, {wy} = {four_digits(grid['y'][low])}"
        )
    if len(path):
        first, last = path.iloc[0], path.iloc[-1]
        said.append(
            f"the path goes from ({four_digits(first['x'])}, {four_digits(first['y'])}) at epoch "
            f"{int(first['epoch'])} to ({four_digits(last['x'])}, {four_digits(last['y'])}) at epoch "
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
            f"{name} (curvature {four_digits(first['curvature'])}): {four_digits(first['excess'])} at epoch {int(first['epoch'])} to "
            f"{four_digits(last['excess'])} at epoch {int(last['epoch'])}"
        )
    return with_props(
        lines, padding=PADDING, title=title, height=300, description="; ".join(said) + "."
    )
