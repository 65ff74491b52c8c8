"""Explore's "why": what the bowl says about the rate and the maths behind it, each one click away.

The verdict above the curve says what the curve does, in the lesson's words; these boxes say why,
from the bowl (its edge rate, the rate's side of the edge, the epochs it needs). Like every box on
Explore that a learner opens on purpose, they are built only once opened (``ui.explore.lazy``).
"""

from __future__ import annotations

import streamlit as st

import gdcore
from ui import cached, charts, text, widgets
from ui.explore import OPEN, Run, lazy

BOWL_LABEL = "Why? What the bowl says about your rate"
"""The box with the bowl's story for the rate (its edge, its side of the edge, its epochs)."""


def bowl_words(run: Run) -> None:
    """Why the curve looks as it does: what the bowl says about the rate, in the lesson's
    words, and the maths behind it, each one click away (the verdict above the curve says
    what the curve does)."""
    theory, optimizer, scale = run.theory, run.setup.optimizer, run.table.scale
    with lazy(BOWL_LABEL, OPEN["bowl"], ":material/landscape:") as shown:
        if shown:
            _bowl_story(run)
    with lazy("The maths behind this", OPEN["maths"], ":material/function:") as shown:
        if shown:
            widgets.theory_metrics(theory, gdcore.fastest_rate(run.bowl, run.weights[0]), per_row=2)
            st.markdown(text.maths(theory, scale))
            if not optimizer.plain:
                st.markdown(text.momentum_maths(theory, optimizer))
    if theory.singular:
        st.info(theory.explanation)


def _bowl_story(run: Run) -> None:
    """Inside :func:`bowl_words`' box: the bowl's story for this rate (with momentum or a
    schedule on the whole image, each direction of the bowl too)."""
    theory, lr, optimizer, scale = run.theory, run.lr, run.setup.optimizer, run.table.scale
    start = run.weights[0]
    if optimizer.plain:
        fast = gdcore.fastest_rate(run.bowl, start)
        reach = gdcore.epochs_to_target(run.bowl, lr, start)
        st.markdown(text.bowl_story(theory, lr, reach, scale, fast.lr if fast else None))
    else:
        st.markdown(text.momentum_story(theory, lr, optimizer, run.epochs))
    if not optimizer.plain and run.batch == 0:
        setup = run.setup
        st.markdown("**Each direction of the bowl**")
        milestones = cached.directions(
            setup.choice.key,
            scale,
            lr,
            run.epochs,
            setup.init,
            setup.seed,
            optimizer,
            setup.choice.pixels,
        )
        widgets.draw(
            charts.directions_chart,
            milestones.excess,
            milestones.eigenvalues,
            "The error along each direction",
        )
        st.markdown(text.directions_story(milestones, lr, optimizer))
