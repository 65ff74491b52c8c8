"""Check my loop: the errors your project printed against the exact curve of its setup."""

import streamlit as st

from ui import cached, charts, controls, image, loops, rate, text, urlstate, widgets
from ui.controls import action, control
from ui.errors_input import errors_input
from ui.fields import CHECK_PREVIEW
from ui.page_run import page_run

with page_run("check") as page:
    choice = image.picker()
    scale = st.session_state["scale"]
    with st.sidebar:
        st.markdown("#### Your loop")
        init = control(
            st.text_input, page.field("init"), "Starting weights (zero, random or w0, w1, w2)"
        )
        epochs = control(
            st.number_input,
            page.field("epochs"),
            "Epochs it ran (optional)",
            placeholder="as many as printed",
        )
        with st.expander("Advanced"):
            seed = control(
                st.number_input, page.field("seed"), "Seed (for random starting weights)"
            )
        with st.expander("Momentum and schedule", expanded=controls.any_set(page)):
            st.caption(
                "As your loop used them, in PyTorch's conventions (`torch.optim.SGD` with "
                "`momentum`, `nesterov`, and `LambdaLR`). Other conventions are tried and named."
            )
            optimizer, optimizer_problems = controls.advanced_controls(page)
    ran = int(epochs) if epochs else None
    lr = rate.rate_control(page.field("lr"))

    st.caption("Paste the errors your loop printed: they are checked against the exact curve.")
    right, left = st.columns([3, 2], gap="large")  # the curve first, also on a phone
    init_problem = page.field("init").param.problem(init)
    start = "zero" if init_problem else init
    with left:
        action(
            st.button,
            page.field("errors"),
            "Try an example: a loop that left out the ½",
            set_to=loops.example_errors(
                choice.key, scale, lr, start, int(seed), choice.pixels, optimizer
            ),
            key="ck_example",
        )
        given = errors_input(
            page.field("errors"),
            "The errors your loop printed, epoch 0 first",
            160,
            "…or a file of them",
            "ck_file",
        )
    with right:
        for problem in optimizer_problems:
            st.error(problem, icon=":material/block:")
        if init_problem:
            st.error(
                f"Starting weights: {init_problem.split(', got')[0]}; using zero.",
                icon=":material/block:",
            )
        axis = st.session_state[page.field("axis").key]  # its radio sits under the chart
        if not given.text.strip():
            shown = int(epochs or CHECK_PREVIEW)
            exact = cached.exact_curve(
                choice.key, scale, lr, start, int(seed), shown, choice.pixels, optimizer
            )
            widgets.draw(
                charts.error_view,
                ["the exact curve"],
                exact[None, :],
                log=charts.AXES[axis],
                title=f"The exact curve of this setup, epochs 0 to {shown:,}",
            )
            st.info(
                "Paste your errors on the left (or try the example). A correct loop on this setup "
                f"prints, from epoch 0: {', '.join(f'{e:.6g}' for e in exact[:6])}, …",
                icon=":material/edit:",
            )
        else:
            found = cached.checked(
                choice.key,
                scale,
                lr,
                start,
                int(seed),
                given.sha,
                choice.pixels,
                given.text,
                image.upload_bytes(choice),
                optimizer,
                ran,
            )
            if found.problem is not None:
                st.error(text.literal(found.problem), icon=":material/block:")
            if found.result is not None:
                widgets.check_finding(found.result, found.said, epochs)
                check = found.result
                widgets.draw(
                    charts.check_chart,
                    check.values,
                    check.exact,
                    check.explained,
                    check.parted,
                    log=charts.AXES[axis],
                    name=found.column,
                    title=f"Your {len(check.values):,} values over the exact curve",
                )
        control(st.radio, page.field("axis"), "Error axis", horizontal=True)
    with left:
        widgets.share_box(
            page,
            urlstate.publish(page),
            "An uploaded file is not part of the link; paste it instead.",
        )
