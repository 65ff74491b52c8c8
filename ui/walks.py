"""The walk downhill on a map of the valley: plain steps, and beside them the heavy ball."""

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
    a: int,
    b: int,
    speed: float,
    at: int,
    beta: float,
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
    st.markdown(text.walk_beside_story(bowl, a, b, speed, beta, plain.lr, plain.critical_lr))
