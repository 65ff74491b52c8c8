"""Compare learning rates: several rates, optionally several images, one chart."""

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
from gdcore.params import ListOf
from gdcore.verdicts.diagnosis import edge
from ui import cached, charts, image, repeats, run_table, text, urlstate, widgets
from ui.controls import control
from ui.fields import Run
from ui.page_run import page_run

with page_run("compare") as page:
    choice = image.picker()
    scale = st.session_state["scale"]
    _, theory = cached.bowl(choice.key, scale, choice.pixels)
    auto = gdcore.three_rates(theory)
    rates_rule = page.field("rates").param
    assert isinstance(rates_rule.rule, ListOf)

    with st.sidebar:
        st.markdown("#### Runs")
        typed = control(
            st.text_input,
            page.field("rates"),
            f"Learning rates (up to {rates_rule.rule.most}, commas between)",
            placeholder=", ".join(f"{r:g}" for r in auto),
        )
        also = control(st.multiselect, page.field("also"), "Also run on these built-in images")
        epochs = control(st.number_input, page.field("epochs"), "Epochs", step=50)
        extra = run_table.edit(page.field("runs"), theory)

    rates = list(auto)
    if typed.strip():
        problem = rates_rule.problem(typed)
        if problem is None:
            rates = list(rates_rule.check(typed))
        else:
            st.error(
                f"The rates could not be used ({text.literal(problem)}) — showing the theory's "
                "three rates instead.",
                icon=":material/block:",
            )
    else:
        st.caption(
            f"Rates chosen from this image's bowl: {auto[0]:g} (a hundredth of the best rate for any start), "
            f"{auto[1]:g} (half the edge rate) and {auto[2]:g} (1.5× the edge rate "
            f"{edge(theory.critical_lr):g}, above which every step overshoots by more than it gains)."
        )

    # A run given twice is drawn once (two columns of one name break the table); runs
    # that differ past the sixth digit keep labels with the digits that tell them apart.
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
    labels, curves, diverged, rows, names = [], [], [], [], []
    for img in images:
        runs = cached.compare_runs(img.key, scale, tuple(rates), epochs, img.pixels)
        short = img.label.split(" (")[0]
        for i, run in enumerate(plain):
            lr = run.lr
            said = f"{lr:.{digits[run]}g}"
            labels.append(f"{short} · {said}" if len(images) > 1 else f"rate {said}")
            names.append(short)
            curves.append(runs.errors[i])
            diverged.append(runs.diverged_epoch[i])
            d, div = runs.diagnoses[i], int(runs.diverged_epoch[i])
            rows.append(
                {
                    "image": short,
                    "run": labels[-1],
                    "rate": lr,
                    "final error": float(runs.final_errors[i]),
                    "verdict": d.verdict,
                    "reason": d.reason,
                    "diverged at": str(div) if div >= 0 else "",
                }
            )

    if extra:
        optimizer_errors, optimizer_blown, optimizer_said = cached.table_runs(
            choice.key, scale, tuple(extra), epochs, choice.pixels
        )
        short = choice.label.split(" (")[0]
        for run, e, div, d in zip(
            extra, optimizer_errors, optimizer_blown, optimizer_said, strict=True
        ):
            said = run.label(digits[run])
            labels.append(f"{short} · {said}" if len(images) > 1 else said)
            names.append(short)
            curves.append(e)
            diverged.append(div)
            rows.append(
                {
                    "image": short,
                    "run": labels[-1],
                    "rate": run.lr,
                    "final error": float(e[-1]) if np.isfinite(e[-1]) else np.inf,
                    "verdict": d.verdict,
                    "reason": d.reason,
                    "diverged at": str(div) if div >= 0 else "",
                }
            )
    errors = np.array(curves)
    axis = control(st.radio, page.field("axis"), "Error axis", horizontal=True)
    one_image = len(images) == 1
    apart = "the dashed E* line is left out: each image has its own lowest error"
    widgets.draw(
        charts.error_view,
        labels,
        errors,
        np.array(diverged),
        log=charts.AXES[axis],
        error_star=theory.error_star if one_image else None,
        title="Error over epochs, one line per run",
        unit="points",
        images=names,
        verdicts=[row["verdict"] for row in rows],
        notes=[] if one_image else [apart],
    )

    st.subheader("Verdicts")
    st.dataframe(
        charts.verdict_style(pd.DataFrame(rows), {"rate": "{:g}", "final error": "{:.6g}"}),
        hide_index=True,
        width="stretch",
        column_config={"reason": st.column_config.TextColumn(width="large")},
    )

    st.subheader("The error table")
    table = pd.DataFrame(errors.T, columns=labels)
    table.insert(0, "epoch", np.arange(errors.shape[1]))
    st.dataframe(table, hide_index=True, width="stretch", height=260)
    st.download_button(
        "⬇ Download the error table (CSV)",
        lambda: table.to_csv(index=False).encode(),  # built when clicked, not on every run
        file_name="errors.csv",
        mime="text/csv",
        key="cmp_download",
    )
    st.caption(
        f"Every epoch of every run: {errors.shape[1]:,} rows × {len(labels)} runs. "
        "Empty cells: the run had blown up."
    )
    widgets.share_box(page, urlstate.publish(page))
