"""Widgets shared by several pages: charts drawn from cached specs, the share box, tables, quizzes.

The page run is ``ui.page_run``; the image picker ``ui.image``; the verdict ``ui.verdict``;
the prediction pictures ``ui.pictures``; the errors box ``ui.errors_input``.

Functions here draw widgets and return plain values; they compute nothing
themselves (that is gdcore's job, through ``ui.cached``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

import altair as alt
import pandas as pd
import streamlit as st

import gdcore
import gdcore.learner.findings
import gdcore.verdicts.suggest
from gdcore.bowl.fastest import Fastest
from gdcore.verdicts.diagnosis import shown_edge
from ui import charts, text, turns, urlstate
from ui.cached import chart_spec
from ui.controls import control
from ui.fields import Field
from ui.image import ImageChoice
from ui.loops import run_script
from ui.registry import BY_ID, Page
from ui.text import SLOPE_SIGNS, START_HERE, error_number, slope_sign_row


def _lazy(key: str | None) -> dict[str, Any]:
    """An expander's options: with a ``key``, it is drawn empty while closed (its contents are
    built and sent only once a click opens it, which reruns the page)."""
    return {"key": key, "on_change": "rerun"} if key else {}


def share_box(page: Page, written: dict[str, str], note: str = "", key: str | None = None) -> None:
    """A visible, copyable link that reopens exactly this run (built once opened, with ``key``)."""
    box = st.expander("Share this run", expanded=False, icon=":material/link:", **_lazy(key))
    if box.open is False:
        return
    link = urlstate.share_link(page, written)
    unlinked = urlstate.unlinked(page, written)
    with box:
        if unlinked:
            st.warning(
                "**This link does not reopen this run.**\n\n"
                + "\n".join(f"- {s}" for s in unlinked)
                + "\n\nTo share those values, send them as text or a file."
                + (f" {note}" if note else ""),
                icon=":material/link_off:",
            )
        else:
            st.caption(
                "Anyone opening this link sees the same run and verdict."
                + (f" {note}" if note else "")
            )
        st.code(link, language=None, wrap_lines=True)  # the whole link, never cut at 390 px


def theory_metrics(theory: gdcore.Theory, fast: Fastest | None, per_row: int = 4) -> None:
    """The bowl's numbers; ``fast`` is the fastest rate from the run's start."""
    boxes = st.columns(per_row) + (st.columns(per_row) if per_row < 4 else [])
    boxes[0].metric(
        "edge rate 2/λmax",
        shown_edge(theory.critical_lr, fast.lr if fast else None),
        help="Above it, full-batch descent diverges: every step overshoots by more than it gains.",
    )
    boxes[1].metric(
        "fastest from this start",
        f"{fast.lr:g}" if fast else "any",
        help=(
            f"Gets within 1% of E* in {fast.epochs:,} epochs from this start; no constant rate "
            f"does it in fewer. The best rate for any start, 2/(λmin+λmax) = {theory.optimal_lr:.4g}, "
            "shrinks the slowest direction fastest, but from one start it can lose."
            if fast
            else "The start is already within 1% of E*."
        ),
    )
    kappa = "∞" if theory.singular else f"{theory.condition_number:.4g}"
    boxes[2].metric("condition number κ", kappa, help="λmax/λmin: how stretched the bowl is.")
    boxes[3].metric(
        "lowest error E*", error_number(theory.error_star), help="The error at the best weights w*."
    )


def shown_epoch(field: Field, last: int) -> int:
    """The epoch ``epoch_slider`` will show for a run whose last epoch is ``last``: the one
    the learner picked, or ``last`` when it followed the end or is past it (read only)."""
    at = st.session_state.get(field.key, -1)
    if at < 0 or at > last or at == st.session_state.get(f"_end_{field.key}"):
        return last
    return int(at)


def epoch_slider(field: Field, label: str, last: int) -> int:
    """A slider over epochs 0..``last`` that follows the end of the run.

    It stays on the last epoch when the run changes (a new rate, more epochs)
    unless the learner moved it elsewhere, so a picture never shows a stale
    epoch 0 beside a run that went on.
    """
    end = f"_end_{field.key}"
    asked = st.session_state.get(field.key, -1)
    if asked > last and asked != st.session_state.get(end):  # a link's epoch past the end
        st.caption(
            f"`{field.url}={asked}` is past this run's last epoch: showing epoch {last:,} "
            f"({field.url} can be 0 to {last:,} here)."
        )
    at = shown_epoch(field, last)
    # Written on every run: a slider's bounds are part of its identity, so a new
    # ``last`` makes a new slider that would otherwise start at 0.
    st.session_state[field.key] = at
    st.session_state[end] = last
    value = control(
        st.slider, field, label, min_value=0, max_value=max(last, 1), disabled=last == 0
    )
    return min(int(value), last)


def number_table(df: pd.DataFrame) -> None:
    """Every number whole, sign and all, at six significant digits, as right-aligned text.

    The grid's number columns refuse numbers past 2**53 (which an exploding
    walk passes) and cut long ones on the left; text columns do neither.
    """
    right = {c: st.column_config.TextColumn(str(c), alignment="right") for c in df}
    st.dataframe(df.map(lambda v: f"{v:.6g}"), hide_index=True, column_config=right)


def short_number(value: float) -> str:
    """A metric's value: six digits, three once it is huge, so it fits its column."""
    return f"{value:.6g}" if abs(value) < 1e6 else f"{value:.3g}"


def quiz(items: Iterable[tuple[str, list[str], str, str, str]], key: str) -> None:
    """Questions with options; each answer hears whether it is right, and why."""
    for i, (question, options, correct, yes, no) in enumerate(items, start=1):
        answer = st.radio(question, options, index=None, key=f"{key}{i}")
        if answer == correct:
            st.success(yes)
        elif answer is not None:
            st.error(no)


def chart(built: alt.Chart, notes: Sequence[str] = ()) -> None:
    """Draw a chart, and under it one caption with what it leaves out (if anything)."""
    st.altair_chart(built, width="stretch")
    if notes:
        st.caption("Note: " + "; ".join(notes) + ".")


def draw(
    build: Callable[..., Any],
    *args: Any,
    notes: Sequence[str] = (),
    where: Any = None,
    slot: str | None = None,
    **kwargs: Any,
) -> None:
    """Draw the chart ``build(*args, **kwargs)`` returns, built once per content (``ui.cached.chart_spec``).

    A builder that returns ``(chart, notes)`` has its notes added after
    ``notes``; they go into one caption under the chart. ``where`` is the
    container to draw in (a column), Streamlit's main area by default. With a
    ``slot`` (and the builder's ``live=True``), a new run of the same shape is
    redrawn in place (``ui.specs.vega_lite``).
    """
    turns.pause()  # a run with heavy work lets waiting light runs go between its charts
    spec, *rest = chart_spec(build, *args, slot=slot, **kwargs)
    target = st if where is None else where
    target.vega_lite_chart(charts.fit_title(spec), width="stretch")
    said = [*notes, *(rest[0] if rest else ())]
    if said:
        target.caption("Note: " + "; ".join(said) + ".")


def check_finding(
    found: gdcore.learner.findings.Check, said: str, epochs: int | None = None
) -> None:
    """What ``gdcore.learner.check`` found, in words: the outcome, the evidence, the lines to fix."""
    evidence = text.literal(found.evidence)
    if found.outcome == "match":
        st.success(f"**Match.** {evidence}", icon=":material/check_circle:")
    elif found.outcome == "unexplained":
        st.error(f"**Unexplained from epoch {found.parted:,}.** {evidence}", icon=":material/help:")
    else:
        st.warning(f"**{text.literal(found.headline)}.** {evidence}", icon=":material/build:")
        for finding in found.findings:
            st.markdown(f"**{finding}**: {text.literal(finding.why)}. Write:")
            st.code(finding.line, language="python")
    if found.parted is not None:
        st.markdown(
            f"Your numbers part from the exact curve at **epoch {found.parted:,}**: printed "
            f"`{found.texts[found.parted]}`, exact {found.exact[found.parted]:.6g}."
        )
    st.text(f"Read: {said}.")  # a log's column names: text, not Markdown
    count = len(found.values)
    if epochs is not None and count != epochs + 1:
        if count == epochs:
            why = (
                f"one short of epochs 0 to {epochs:,}: a loop that records each error after "
                "the update prints that many"
            )
        else:
            why = f"they are read as epochs 0 to {count - 1:,}"
        st.caption(f"You gave {count:,} values for {epochs:,} epochs: {why}.")


def code_downloads(choice: ImageChoice, scale: str, key: str | None = None, **run: Any) -> None:
    """The run on screen as a script to download ("Get this run as code"), numpy or PyTorch.

    ``run`` holds the run's options by their names in ``gdcore.learner.export.OPTIONS``,
    and its ``optimizer`` (a ``gdcore.Optimizer``). With ``key``, the scripts are made once
    the box is opened.
    """
    box = st.expander("Get this run as code", icon=":material/code:", **_lazy(key))
    if box.open is False:
        return
    with box:
        st.caption(
            "A short Python script with the image, the pixel table and the loop written out; "
            "it needs only NumPy (or PyTorch). Run as it is, it prints this run's numbers, "
            "one row per epoch: `epoch,error,w0,w1,w2`."
        )
        columns = st.columns(2)
        for col, framework, label in zip(
            columns, ("numpy", "pytorch"), ("NumPy loop", "PyTorch (torch.optim.SGD)"), strict=True
        ):
            col.download_button(
                label,
                data=run_script(choice, scale, framework, **run),
                file_name=f"gradient_descent_{framework}.py",
                mime="text/x-python",
                key=f"code_{framework}",
                on_click="ignore",
                icon=":material/download:",
                width="stretch",
            )


def start_here() -> None:
    """The lesson's sections mapped to the pages, with a link to each."""
    for page_id, what in START_HERE.items():
        page = BY_ID[page_id]
        left, right = st.columns([1, 3])
        left.page_link(page.file, label=page.title, icon=page.icon)
        right.caption(what)


def slope_sign_table(slope: float) -> None:
    """The lesson's slope-sign table, with the row of ``slope`` highlighted."""
    df = pd.DataFrame(SLOPE_SIGNS, columns=["slope sign", "what it means", "what to try"])
    here = slope_sign_row(slope)
    st.dataframe(
        df.style.apply(
            lambda row: (
                # Dark text on the highlight in both themes (the dark theme's text is light).
                [
                    "background-color: #FFF3C4; color: #0B0D10; font-weight: 600"
                    if row.name == here
                    else ""
                ]
                * len(row)
            ),
            axis=1,
        ),
        hide_index=True,
        width="stretch",
    )
