"""Walk downhill: the lesson's bowl, with the steps of descent drawn on it."""

import numpy as np
import pandas as pd
import streamlit as st

from gdcore.landscape import WEIGHT_NAMES, error_along, error_grid, slice_critical_lr, slice_descent
from ui import charts, data, state, widgets
from ui.params import WALK as PARAMS
from ui.params import WALK_EPOCHS as MAX_EPOCHS
from ui.params import WALK_PAIRS as PAIRS

VIEW = 4.0  # the view spans this many times the start's distance from w*

widgets.page_setup("Walk downhill", "walk", PARAMS)
choice = widgets.image_picker()
scale = st.session_state["scale"]
bowl, th = data.bowl(choice.key, scale, choice.pixels)


def _speed(v: float) -> None:
    st.session_state["wk_speed"] = v


with st.sidebar:
    st.markdown("#### The walk")
    speed = state.widget(
        st.number_input,
        "speed",
        "Rate, as a multiple of the critical rate",
        0.001,
        3.0,
        key="wk_speed",
        format="%.3g",
        step=0.05,
        help="Each picture has its own critical rate 2/λmax; 1 is the edge of divergence.",
    )
    for label, v in [("Timid steps: 0.1×", 0.1), ("Zig-zag: 0.9×", 0.9), ("Too far: 1.05×", 1.05)]:
        state.widget(
            st.button,
            "speed",
            label,
            on_click=_speed,
            args=(v,),
            key=f"wk_quick_{v}",
            width="stretch",
        )
    epochs = state.widget(
        st.number_input, "epochs", "Epochs", 1, MAX_EPOCHS, key="wk_epochs", step=5
    )
    if st.session_state["wk_at"] < 0 or st.session_state["wk_at"] > epochs:
        st.session_state["wk_at"] = int(epochs)
    at = state.widget(st.slider, "at", "Show the steps up to epoch", 0, int(epochs), key="wk_at")

st.title(":material/landscape: Walk downhill")
state.show_notes("walk")
st.caption(
    "The error is a bowl. Here only the chosen weights learn, starting from 0 as in the lesson; "
    "the others stay at their best values, so every step lands exactly on the picture."
)


def _window(
    centre: np.ndarray, start: np.ndarray, path: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The part of weight space to draw: the start, the bottom and the path, within reach."""
    reach = VIEW * max(float(np.abs(start - centre).max()), 1e-9)
    finite = np.vstack([path[np.isfinite(path).all(axis=1)], start, centre])
    lo = np.maximum(np.minimum(finite.min(axis=0), centre - 0.1 * reach), centre - reach)
    hi = np.minimum(np.maximum(finite.max(axis=0), centre + 0.1 * reach), centre + reach)
    pad = 0.08 * (hi - lo)
    return lo - pad, hi + pad


def _flat(names: str) -> None:
    st.info(
        f"{names} cannot change the prediction for this image, so the error is flat that way and "
        f"there is no downhill to walk. {th.explanation}",
        icon=":material/info:",
    )


def one_weight(i: int, shown: np.ndarray) -> None:
    name = WEIGHT_NAMES[i]
    crit = slice_critical_lr(bowl, [i])
    if not np.isfinite(crit):
        return _flat(name)
    lr = speed * crit
    w, e = slice_descent(bowl, [i], lr, int(epochs), np.zeros(3))
    ok = np.isfinite(e[shown])
    (lo,), (hi,) = _window(bowl.w_star[[i]], np.zeros(1), w[shown][ok][:, [i]])
    values = np.linspace(lo, hi, 200)
    curve = pd.DataFrame({"value": values, "error": error_along(bowl, i, values)})
    path = pd.DataFrame({"epoch": shown[ok], "value": w[shown][ok, i], "error": e[shown][ok]})
    inside = (path["value"] >= lo) & (path["value"] <= hi)
    st.altair_chart(charts.bowl_chart(curve, path[inside], name), width="stretch")
    factor = 1 - lr * bowl.hessian[i, i]
    if factor == 0:
        kind = "the weight lands on the bottom in one step"
    elif 0 < factor < 1:
        kind = "the steps shrink without crossing the bottom"
    elif -1 < factor < 0:
        kind = "each step jumps across the bottom and lands closer"
    elif factor < -1:
        kind = "each step jumps across and lands further out: it diverges"
    else:
        kind = "each step lands exactly as far out on the other side"
    st.markdown(
        f"Rate **{lr:.4g}** = {speed:g} × the critical rate 2/H = {crit:.4g} for {name} alone. "
        f"Every step multiplies the distance to the bottom by **1 − rate × curvature = {factor:.3f}**: {kind}."
    )
    off = int((~inside).sum()) + int((~ok).sum())
    if off:
        st.caption(
            f"{off} of the {len(shown)} steps are off this picture (too far out, or blown up)."
        )


def two_weights(a: int, b: int, shown: np.ndarray) -> None:
    crit2 = slice_critical_lr(bowl, [a, b])
    if not np.isfinite(crit2):
        return _flat(f"{WEIGHT_NAMES[a]} and {WEIGHT_NAMES[b]}")
    lr2 = speed * crit2
    w2, e2 = slice_descent(bowl, [a, b], lr2, int(epochs), np.zeros(3))
    ok2 = np.isfinite(e2[shown])
    pts = w2[shown][ok2][:, [a, b]]
    lo2, hi2 = _window(bowl.w_star[[a, b]], np.zeros(2), pts)
    n = 60
    xs, ys = np.linspace(lo2[0], hi2[0], n), np.linspace(lo2[1], hi2[1], n)
    grid = error_grid(bowl, a, b, xs, ys) - bowl.error_star
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    gx, gy = np.meshgrid(xs, ys)
    cells = pd.DataFrame(
        {
            "x": (gx - dx / 2).ravel(),
            "x2": (gx + dx / 2).ravel(),
            "y": (gy - dy / 2).ravel(),
            "y2": (gy + dy / 2).ravel(),
            "excess": grid.ravel(),
        }
    )
    cells = cells[cells["excess"] > 0]
    path2 = pd.DataFrame({"epoch": shown[ok2], "x": pts[:, 0], "y": pts[:, 1]})
    inside2 = path2["x"].between(lo2[0], hi2[0]) & path2["y"].between(lo2[1], hi2[1])
    st.altair_chart(
        charts.contour_chart(cells, path2[inside2], WEIGHT_NAMES[a], WEIGHT_NAMES[b]),
        width="stretch",
    )
    lam = np.linalg.eigvalsh(bowl.hessian[np.ix_([a, b], [a, b])])
    kappa = lam[1] / lam[0] if lam[0] > 0 else np.inf
    shape = (
        "a round bowl, so the path heads straight for the bottom."
        if kappa < 1.5
        else "a stretched valley, so the path zig-zags across it while creeping along it."
    )
    st.markdown(
        f"Rate **{lr2:.4g}** = {speed:g} × this map's critical rate {crit2:.4g}. The valley is "
        f"**{kappa:.3g}×** steeper across than along (κ of these two weights): {shape}"
    )
    off2 = int((~inside2).sum()) + int((~ok2).sum())
    if off2:
        st.caption(f"{off2} of the {len(shown)} steps are off this map (too far out, or blown up).")


shown = np.arange(at + 1)
left, right = st.columns(2, gap="large")
with left:
    name = state.widget(
        st.radio, "weight", "One weight", WEIGHT_NAMES, key="wk_weight", horizontal=True
    )
    one_weight(WEIGHT_NAMES.index(name), shown)
with right:
    pair = state.widget(
        st.radio, "pair", "Two weights", list(PAIRS), key="wk_pair", horizontal=True
    )
    two_weights(*PAIRS[pair], shown)

st.caption(
    "Darker means lower error (colour is E − E*, on a log scale). "
    "Try the three quick buttons, and the standard scale: it makes the bowl round."
)
written = state.publish(PARAMS[:-1])
if at != epochs:
    written["at"] = str(at)
    st.query_params["at"] = written["at"]
elif "at" in st.query_params:
    del st.query_params["at"]
widgets.share_box("Walk_downhill", written)
