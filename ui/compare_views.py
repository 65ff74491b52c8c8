"""Compare drawn: the rates asked for, each run once, one chart of every run, its verdicts and table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from gdcore.params import ListOf
from gdcore.verdicts.diagnosis import edge
from ui import cached, charts, image, repeats, text, widgets
from ui.fields import Field
from ui.image import ImageChoice
from ui.rules import Run


def three_rates(theory: gdcore.Theory) -> tuple[float, float, float]:
    """The lesson's three rates for this bowl: too small, good, too large."""
    return gdcore.three_rates(theory)


def most_rates(rates: Field) -> int:
    """How many rates the ``rates`` field takes."""
    rule = rates.param.rule
    assert isinstance(rule, ListOf)
    return rule.most


def rates_to_run(rates: Field, typed: str, theory: gdcore.Theory) -> list[float]:
    """The typed rates if they keep the field's rule, else the theory's three, said either way."""
    auto = three_rates(theory)
    if not typed.strip():
        st.caption(
            f"Rates chosen from this image's bowl: {auto[0]:g} (a hundredth of the best rate for any start), "
            f"{auto[1]:g} (half the edge rate) and {auto[2]:g} (1.5× the edge rate "
            f"{edge(theory.critical_lr):g}, above which every step overshoots by more than it gains)."
        )
        return list(auto)
    problem = rates.param.problem(typed)
    if problem is None:
        return list(rates.param.check(typed))
    st.error(
        f"The rates could not be used ({text.literal(problem)}) — showing the theory's "
        "three rates instead.",
        icon=":material/block:",
    )
    return list(auto)


@dataclass(frozen=True)
class Plan:
    """Every run to draw, each once: the images, the plain rates, the table's own runs, and
    the digits each run's label needs to differ from every other."""

    choice: ImageChoice
    images: list[ImageChoice]
    rates: list[float]
    plain: list[Run]
    extra: tuple[Run, ...]
    digits: dict[Run, int] = field(repr=False)


def runs_once(
    choice: ImageChoice, also: list[str], rates: list[float], extra: tuple[Run, ...]
) -> Plan:
    """Each image, rate and run once (two columns of one name break the table), with labels
    that tell runs apart past the sixth digit; an info box says what was left out."""
    first = choice.key[1]
    others, image_repeats = repeats.once(also)
    images = [choice] + [image.builtin_choice(n, choice.key[-1]) for n in others if n != first]
    rates, rate_repeats = repeats.once(rates)
    plain = [Run(lr) for lr in rates]
    once_extra, run_repeats = repeats.once(extra)
    as_rate = [r for r in once_extra if r in plain]
    extra = tuple(r for r in once_extra if r not in plain)
    every = plain + list(extra)
    digits = dict(zip(every, repeats.distinct_digits(every, Run.label), strict=True))
    left_out = (
        [f"rate {r.lr:.{digits[r]}g} (given {repeats.times_given(rate_repeats[r.lr])})"
         for r in plain if r.lr in rate_repeats]
        + [f"the run {r.label(digits[r])} (given {repeats.times_given(n)})"
           for r, n in run_repeats.items()]
        + [f"the run {r.label(digits[r])} of the table (the same as the rate above)"
           for r in as_rate]
        + [f"the image {n} (listed {repeats.times_given(k)})" for n, k in image_repeats.items()]
        + ([f"the image {first} among the others (it is the first image)"]
           if first in others else [])
    )  # fmt: skip
    if left_out:
        st.info(
            "Each run is drawn once; left out: " + text.literal("; ".join(left_out)) + ".",
            icon=":material/content_copy:",
        )
    return Plan(choice, images, rates, plain, extra, digits)


@dataclass(frozen=True)
class Runs:
    """Every run's label, image, error curve, blow-up epoch and table row, in drawing order."""

    labels: list[str]
    names: list[str]
    errors: np.ndarray
    diverged: np.ndarray
    rows: list[dict]


def _row(
    short: str, label: str, lr: float, final: float, verdict: gdcore.Diagnosis, div: int
) -> dict:
    return {
        "image": short,
        "run": label,
        "rate": lr,
        "final error": final,
        "verdict": verdict.verdict,
        "reason": verdict.reason,
        "diverged at": str(div) if div >= 0 else "",
    }


def run_all(plan: Plan, scale: str, epochs: int) -> Runs:
    """The plain rates on every image, then the table's runs on the first, each judged."""
    labels, curves, diverged, rows, names = [], [], [], [], []
    many = len(plan.images) > 1
    for img in plan.images:
        runs = cached.compare_runs(img.key, scale, tuple(plan.rates), epochs, img.pixels)
        short = img.label.split(" (")[0]
        for i, run in enumerate(plan.plain):
            said = f"{run.lr:.{plan.digits[run]}g}"
            labels.append(f"{short} · {said}" if many else f"rate {said}")
            names.append(short)
            curves.append(runs.errors[i])
            diverged.append(runs.diverged_epoch[i])
            verdict, div = runs.diagnoses[i], int(runs.diverged_epoch[i])
            rows.append(_row(short, labels[-1], run.lr, float(runs.final_errors[i]), verdict, div))
    if plan.extra:
        choice = plan.choice
        optimizer_errors, optimizer_blown, optimizer_said = cached.table_runs(
            choice.key, scale, tuple(plan.extra), epochs, choice.pixels
        )
        short = choice.label.split(" (")[0]
        for run, e, div, d in zip(
            plan.extra, optimizer_errors, optimizer_blown, optimizer_said, strict=True
        ):
            said = run.label(plan.digits[run])
            labels.append(f"{short} · {said}" if many else said)
            names.append(short)
            curves.append(e)
            diverged.append(div)
            final = float(e[-1]) if np.isfinite(e[-1]) else np.inf
            rows.append(_row(short, labels[-1], run.lr, final, d, div))
    return Runs(labels, names, np.array(curves), np.array(diverged), rows)


def chart(runs: Runs, axis: str, theory: gdcore.Theory, one_image: bool) -> None:
    """One chart of every run's error over epochs (E* dashed when there is one image)."""
    apart = "the dashed E* line is left out: each image has its own lowest error"
    widgets.draw(
        charts.error_view,
        runs.labels,
        runs.errors,
        runs.diverged,
        log=charts.AXES[axis],
        error_star=theory.error_star if one_image else None,
        title="Error over epochs, one line per run",
        unit="points",
        images=runs.names,
        verdicts=[row["verdict"] for row in runs.rows],
        notes=[] if one_image else [apart],
    )


def tables(runs: Runs) -> None:
    """The verdicts, one row per run; every epoch of every run, and that table as a CSV."""
    st.subheader("Verdicts")
    st.dataframe(
        charts.verdict_style(pd.DataFrame(runs.rows), {"rate": "{:g}", "final error": "{:.6g}"}),
        hide_index=True,
        width="stretch",
        column_config={"reason": st.column_config.TextColumn(width="large")},
    )
    st.subheader("The error table")
    errors = runs.errors
    table = pd.DataFrame(errors.T, columns=runs.labels)
    table.insert(0, "epoch", np.arange(errors.shape[1]))
    st.dataframe(table, hide_index=True, width="stretch", height=260)
    st.download_button(
        "⬇ Download the error table (CSV)",
        lambda: table.to_csv(index=False).encode(),  # built when clicked, not on every run
        file_name="errors.csv",
        mime="text/csv",
        key="cmp_download",
        on_click="ignore",  # no rerun: it would drop the file being downloaded
    )
    st.caption(
        f"Every epoch of every run: {errors.shape[1]:,} rows × {len(runs.labels)} runs. "
        "Empty cells: the run had blown up."
    )
