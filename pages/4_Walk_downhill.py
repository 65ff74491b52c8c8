"""Walk downhill: the lesson's bowl, with the steps of descent drawn on it."""

import streamlit as st

import gdcore  # noqa: F401  (the whole engine before any of its modules: see tests/test_layers.py)
from gdcore.bowl import landscape
from gdcore.bowl.landscape import WEIGHT_NAMES
from ui import cached, charts, controls, image, text, urlstate, walks, widgets
from ui.controls import action, control
from ui.fields import WALK_PAIRS
from ui.page_run import page_run

QUICK = (("Timid steps: 0.1×", 0.1), ("Zig-zag: 0.9×", 0.9), ("Too far: 1.05×", 1.05))

with page_run("walk") as page:
    choice = image.picker()
    bowl, theory = cached.bowl(choice.key, st.session_state["scale"], choice.pixels)
    with st.sidebar:
        beta = float(
            control(
                st.number_input,
                page.field("momentum"),
                "Momentum β of a heavy ball (0 = none)",
                step=0.1,
                format=controls.BETA_FORMAT,
            )
        )
        action(
            st.button,
            page.field("momentum"),
            "Heavy ball: β = 0.9",
            set_to=0.9,
            key="wk_heavy",
            width="stretch",
        )
        epochs = int(control(st.number_input, page.field("epochs"), "Epochs", step=5))
        at = widgets.epoch_slider(page.field("at"), "Show the steps up to epoch", epochs)

    # The rate beside the pictures: a multiple of each picture's own edge rate.
    rate_column, *quick = st.columns([3, 1, 1, 1], vertical_alignment="bottom")
    speed = float(
        control(
            rate_column.number_input,
            page.field("speed"),
            "Rate, as a multiple of the edge rate",
            format="%.3g",
            step=0.05,
        )
    )
    for col, (label, v) in zip(quick, QUICK, strict=True):
        action(
            col.button, page.field("speed"), label, set_to=v, key=f"wk_quick_{v}", width="stretch"
        )

    def flat(names: str) -> None:
        st.info(
            f"{names} cannot change the prediction for this image, so the error is flat that way and "
            f"there is no downhill to walk. {theory.explanation}",
            icon=":material/info:",
        )

    def off_note(walk: landscape.Walk, where: str) -> None:
        if walk.off:
            st.caption(
                f"{walk.off} of the {walk.steps} steps are off this {where} (too far out, or blown up)."
            )

    def one_weight(i: int) -> None:
        name = WEIGHT_NAMES[i]
        walk = landscape.walk(bowl, [i], speed, at)
        if walk is None:
            return flat(name)
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
        off_note(walk, "picture")

    def two_weights(a: int, b: int) -> None:
        names = WEIGHT_NAMES[a], WEIGHT_NAMES[b]
        walk = landscape.walk(bowl, [a, b], speed, at)
        if walk is None:
            return flat(" and ".join(names))
        cells = landscape.excess_cells(bowl, a, b, walk.lo, walk.hi)
        grid, path = charts.contour_frames(cells, walk)
        widgets.draw(charts.contour_chart, grid, path, *names)
        kappa = landscape.slice_condition(bowl, [a, b])
        st.markdown(
            text.walk_rate(walk.lr, speed, walk.critical_lr, walk.factor, "this map's")
            + f" The valley is **{text.times(kappa)}** steeper across than along: "
            + landscape.valley_shape(kappa, walk.factor)
        )
        st.caption(
            text.picture_edge_note(
                walk.critical_lr, theory.critical_lr, " and ".join(names), walk.lr
            )
        )
        off_note(walk, "map")

    left, right = st.columns(2, gap="large")
    with left:
        name = control(st.radio, page.field("weight"), "One weight", horizontal=True)
        one_weight(WEIGHT_NAMES.index(name))
    with right:
        pair = control(st.radio, page.field("pair"), "Two weights", horizontal=True)
        two_weights(*WALK_PAIRS[pair])

    if beta > 0:
        st.subheader("The heavy ball beside plain steps")
        walks.walk_beside(bowl, theory, *WALK_PAIRS[pair], speed, at, beta)

    st.caption(
        "The error is a bowl. Here only the chosen weights learn, starting from 0 as in the lesson; "
        "the others stay at their best values, so every step lands exactly on the picture."
    )
    st.caption(
        "Darker means lower error (colour is E − E*, on a log scale). "
        "Try the three quick buttons, and the standard scale: it makes the bowl round."
    )
    written = urlstate.publish(page, at=-1 if at == epochs else at)
    widgets.share_box(page, written)
