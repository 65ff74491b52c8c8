"""The walk downhill: one weight down its profile, two on a map of their valley, the heavy ball."""

from __future__ import annotations

import numpy as np
import streamlit as st

import gdcore
from gdcore.bowl import landscape
from gdcore.bowl.landscape import WEIGHT_NAMES
from gdcore.descent.optimizer import Optimizer
from ui import charts, text, widgets


def walk_beside(
    bowl: gdcore.Quadratic,
    theory: gdcore.Theory,
    first: int,
    second: int,
    speed: float,
    at: int,
    beta: float,
) -> None:
    """Two maps of the same valley: plain steps, and the heavy ball at the same rate."""
    names = WEIGHT_NAMES[first], WEIGHT_NAMES[second]
    plain = landscape.walk(bowl, [first, second], speed, at)
    heavy = landscape.walk(bowl, [first, second], speed, at, optimizer=Optimizer(beta))
    if plain is None or heavy is None:
        st.info(f"{names[0]} and {names[1]} cannot change the prediction: there is no valley here.")
        return
    lo = np.minimum(plain.lo, heavy.lo)
    hi = np.maximum(plain.hi, heavy.hi)
    cells = landscape.excess_cells(bowl, first, second, lo, hi)
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
    st.markdown(
        text.walk_beside_story(bowl, first, second, speed, beta, plain.lr, plain.critical_lr)
    )


def _flat(names: str, theory: gdcore.Theory) -> None:
    """Weights that cannot change the prediction: no downhill to walk."""
    st.info(
        f"{names} cannot change the prediction for this image, so the error is flat that way and "
        f"there is no downhill to walk. {theory.explanation}",
        icon=":material/info:",
    )


def _off_note(walk: landscape.Walk, where: str) -> None:
    """How many steps left the picture (too far out, or blown up)."""
    if walk.off:
        st.caption(
            f"{walk.off} of the {walk.steps} steps are off this {where} (too far out, or blown up)."
        )


def one_weight(
    bowl: gdcore.Quadratic, theory: gdcore.Theory, i: int, speed: float, at: int
) -> None:
    """Walk one weight down its profile of the bowl, the others at their best values."""
    name = WEIGHT_NAMES[i]
    walk = landscape.walk(bowl, [i], speed, at)
    if walk is None:
        return _flat(name, theory)
    values, errors = landscape.profile(bowl, i, walk.lo[0], walk.hi[0])
    curve, path = charts.bowl_frames(values, errors, walk)
    widgets.draw(charts.bowl_chart, curve, path, name)
    factor = walk.factor
    st.markdown(
        text.walk_rate(walk.lr, speed, walk.critical_lr, factor, f"{name}'s")
        + f" Every step multiplies the distance to the bottom by **{factor:.3f}**: "
        f"{landscape.step_kind(factor)}."
    )
    st.caption(text.picture_edge_note(walk.critical_lr, theory.critical_lr, name, walk.lr))
    _off_note(walk, "picture")


def two_weights(
    bowl: gdcore.Quadratic, theory: gdcore.Theory, first: int, second: int, speed: float, at: int
) -> None:
    """Walk two weights on a contour map of their valley, the third at its best value."""
    names = WEIGHT_NAMES[first], WEIGHT_NAMES[second]
    walk = landscape.walk(bowl, [first, second], speed, at)
    if walk is None:
        return _flat(" and ".join(names), theory)
    cells = landscape.excess_cells(bowl, first, second, walk.lo, walk.hi)
    grid, path = charts.contour_frames(cells, walk)
    widgets.draw(charts.contour_chart, grid, path, *names)
    kappa = landscape.slice_condition(bowl, [first, second])
    st.markdown(
        text.walk_rate(walk.lr, speed, walk.critical_lr, walk.factor, "this map's")
        + f" The valley is **{text.times(kappa)}** steeper across than along: "
        + landscape.valley_shape(kappa, walk.factor)
    )
    st.caption(
        text.picture_edge_note(walk.critical_lr, theory.critical_lr, " and ".join(names), walk.lr)
    )
    _off_note(walk, "map")
