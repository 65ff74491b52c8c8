"""Compare's table of runs with their own settings (rate, momentum, Nesterov, schedule, warm-up).

The runs live in one URL field (``runs``); the table edits a copy and writes every
valid edit back. ``ui.repeats`` then draws each run once, under labels that tell
them apart.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

import gdcore  # the whole engine before any of its modules: see tests/test_layers.py
from gdcore.descent.optimizer import Optimizer
from ui import classroom
from ui.controls import BETA_FORMAT, BETA_MAX
from ui.fields import Field
from ui.rules import Run, RunList
from ui.text import literal


def edit(field: Field, theory: gdcore.Theory) -> tuple[Run, ...]:
    """Compare's table of runs with their own settings, kept in the URL through ``field``.

    The table edits a copy; every valid edit is written back to the field (and
    so to the link), a row that breaks a rule is left out with one sentence.
    A button adds the theory's best pair.
    """
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
    pair = Run(
        float(f"{theory.optimal_momentum_lr:.4g}"), Optimizer(round(theory.optimal_momentum, 4))
    )
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
