"""The engine against the textbook loop, PyTorch and the one-pass floor; dashboard latency.

``python -m bench`` measures, in one run, and prints a Markdown table (the one
in docs/performance.md) and writes ``bench/results.json``:

1. the same work four ways (256 x 256 image, 8 rates, 1,000 epochs, full batch),
   after checking that every way gives the same errors (1e-9 relative);
2. a big sweep (1024 x 1024, 64 rates, 10,000 epochs): the engine and the
   floor measured, the textbook loop and PyTorch extrapolated from their cost
   per epoch;
3. mini-batch (256 x 256, batch 64, 8 rates, 20 epochs) against its textbook loop;
4. peak memory of the big sweep;
5. the script run of every dashboard page, with defaults and at the caps (AppTest);
6. momentum and schedule sweeps (1024 x 1024, 64 rates, 10,000 epochs): the
   first epochs checked equal every way (engine, textbook loop, PyTorch's
   ``torch.optim.SGD`` + ``LambdaLR`` vectorised over rates), then the engine
   measured and the loops extrapolated from their cost per epoch;
7. a learner's training log of 400,000 epochs read by ``gdcore.read_log`` as a Keras
   CSV, a Lightning sparse CSV, printed lines and plain numbers: time and peak memory.

Every time is a median of at least 5 runs. ``--smoke`` runs everything on
tiny sizes, to check that the benchmark itself works.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import platform
import statistics
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

import gdcore
from gdcore.descent.runs import DescentResult, finish
from gdcore.descent.testing import disagreement
from gdcore.descent.textbook import textbook_run

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LOOP_REPEATS = 5  # the slow loops (textbook, PyTorch) are timed this many times


def median_time(fn: Callable[[], object], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor_fn(pixels: np.ndarray, rates: int, epochs: int) -> Callable[[], None]:
    """One NumPy pass over the image plus filling the output array."""

    def run() -> None:
        pixels.sum()
        out = np.empty((rates, epochs + 1, 4))
        out.fill(0.0)

    return run


def torch_run(X: np.ndarray, t: np.ndarray, lrs: Sequence[float], epochs: int) -> DescentResult:
    """PyTorch autograd with torch.optim.SGD, float64, as a learner would write it."""
    import torch

    Xt, tt = torch.from_numpy(X), torch.from_numpy(t)
    errors = np.empty((len(lrs), epochs + 1))
    weights = np.empty((len(lrs), epochs + 1, 3))
    for r, lr in enumerate(lrs):
        w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
        opt = torch.optim.SGD([w], lr=float(lr))
        for k in range(epochs + 1):
            opt.zero_grad()
            loss = 0.5 * ((tt - Xt @ w) ** 2).mean()
            errors[r, k] = loss.item()
            weights[r, k] = w.detach().numpy()
            if k == epochs:
                break
            loss.backward()
            opt.step()
    with np.errstate(all="ignore"):
        return finish(np.asarray(lrs, dtype=float), errors, weights)


def torch_sgd_run(
    X: np.ndarray,
    t: np.ndarray,
    lrs: Sequence[float],
    epochs: int,
    optimizer: gdcore.Optimizer | None = None,
) -> DescentResult:
    """``torch.optim.SGD`` + ``LambdaLR`` for every rate at once, as a PyTorch user would.

    One parameter group per rate (each its own ``lr``), one forward pass for all of
    them (``X @ W`` with a column per rate), the losses summed so that each rate's
    weights get their own slopes, one optimizer and one scheduler step for all.
    """
    import torch

    optimizer = optimizer or gdcore.Optimizer()
    beta, nesterov = optimizer.momentum, optimizer.nesterov
    factors = optimizer.factors(epochs)
    Xt, tt = torch.from_numpy(X), torch.from_numpy(t)[:, None]
    ws = [torch.zeros(3, dtype=torch.float64, requires_grad=True) for _ in lrs]
    opt = torch.optim.SGD(
        [{"params": [w], "lr": float(lr)} for w, lr in zip(ws, lrs, strict=True)],
        momentum=beta,
        nesterov=nesterov,
        dampening=0,
    )
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda k: float(factors[min(k, epochs - 1)]))
    errors = np.empty((len(lrs), epochs + 1))
    weights = np.empty((len(lrs), epochs + 1, 3))
    for k in range(epochs + 1):
        opt.zero_grad()
        W = torch.stack(ws, dim=1)  # (3, R)
        losses = 0.5 * ((tt - Xt @ W) ** 2).mean(dim=0)
        errors[:, k] = losses.detach().numpy()
        weights[:, k] = W.detach().numpy().T
        if k == epochs:
            break
        losses.sum().backward()
        opt.step()
        sched.step()
    with np.errstate(all="ignore"):
        return finish(np.asarray(lrs, dtype=float), errors, weights)


def optim_sweep(
    size: int, rates: int, epochs: int, repeats: int, probe: int, optimizer: gdcore.Optimizer
) -> dict[str, Any]:
    """A sweep with momentum or a schedule: same numbers first, then the times.

    The first ``probe`` epochs of every rate are computed every way and must agree
    (the schedules used do not depend on the number of epochs, so these are the
    very first epochs of the timed sweep). The engine is timed on the whole sweep;
    the loops cost the same every epoch and are extrapolated.
    """
    from gdcore.bowl.theory import critical_lr

    pixels = gdcore.builtin_image("scene", size)
    table = gdcore.pixel_table(pixels, "unit")
    th = gdcore.theory(gdcore.quadratic(table))
    edge = critical_lr(th.lambda_max, optimizer)
    lrs = [float(m * edge) for m in np.geomspace(0.001, 1.2, rates)]
    X, t = table.design_matrix(), table.target_vector()
    changed = optimizer.changed()
    out: dict[str, Any] = {
        "size": size,
        "rates": rates,
        "epochs": epochs,
        "optimizer": changed,
        "agree": {},
    }
    fast = gdcore.run_descent(table, lrs, probe, optimizer=optimizer)
    out["agree"]["textbook"] = disagreement(
        fast.errors, textbook_run(X, t, lrs, probe, optimizer=optimizer).errors
    )
    if have_torch():
        out["agree"]["pytorch"] = disagreement(
            fast.errors, torch_sgd_run(X, t, lrs, probe, optimizer).errors
        )
    if max(out["agree"].values()) > 1:
        raise SystemExit(
            f"the implementations disagree ({changed}): {out['agree']}; no timing counts"
        )

    def engine():
        return gdcore.run_descent(
            gdcore.pixel_table(pixels, "unit"), lrs, epochs, optimizer=optimizer
        )

    out["seconds"] = {
        "engine": median_time(engine, repeats),
        "floor": median_time(floor_fn(pixels, rates, epochs), repeats),
    }
    per = median_time(lambda: textbook_run(X, t, lrs[:1], probe, optimizer=optimizer), LOOP_REPEATS)
    out["seconds"]["textbook (extrapolated)"] = per / (probe + 1) * rates * (epochs + 1)
    if have_torch():
        # All rates at once take seconds an epoch on a big image: time 2 epochs, 3 times.
        per = median_time(lambda: torch_sgd_run(X, t, lrs, 2, optimizer), 3)
        out["seconds"]["pytorch, all rates at once (extrapolated)"] = per / 3 * (epochs + 1)
    return out


MOMENTUM_OPTIMIZER = gdcore.Optimizer(0.9)
SCHEDULE_OPTIMIZER = gdcore.Optimizer(schedule="step:1000:0.5", warmup=500)


def have_torch() -> str | None:
    try:
        import torch
    except ImportError:
        return None
    return torch.__version__


def same_work(size: int, epochs: int, repeats: int) -> dict:
    pixels = gdcore.builtin_image("scene", size)
    table = gdcore.pixel_table(pixels, "unit")
    th = gdcore.theory(gdcore.quadratic(table))
    lrs = [float(m * th.critical_lr) for m in np.geomspace(0.001, 1.2, 8)]
    X, t = table.design_matrix(), table.target_vector()
    fast = gdcore.run_descent(table, lrs, epochs)
    slow = textbook_run(X, t, lrs, epochs)
    out: dict[str, Any] = {"size": size, "rates": len(lrs), "epochs": epochs, "agree": {}}
    out["agree"]["textbook"] = disagreement(fast.errors, slow.errors)
    torch_version = have_torch()
    if torch_version:
        out["agree"]["pytorch"] = disagreement(fast.errors, torch_run(X, t, lrs, epochs).errors)
    if max(out["agree"].values()) > 1:
        raise SystemExit(f"the implementations disagree: {out['agree']}; no timing counts")
    out["seconds"] = {
        "textbook": median_time(lambda: textbook_run(X, t, lrs, epochs), LOOP_REPEATS),
        "engine": median_time(
            lambda: gdcore.run_descent(gdcore.pixel_table(pixels, "unit"), lrs, epochs), repeats
        ),
        "floor": median_time(floor_fn(pixels, len(lrs), epochs), repeats),
    }
    if torch_version:
        out["seconds"]["pytorch"] = median_time(lambda: torch_run(X, t, lrs, epochs), LOOP_REPEATS)
    return out


def big_sweep(size: int, rates: int, epochs: int, repeats: int) -> dict:
    pixels = gdcore.builtin_image("scene", size)
    th = gdcore.theory(gdcore.quadratic(gdcore.pixel_table(pixels, "unit")))
    lrs = [float(m * th.critical_lr) for m in np.geomspace(0.001, 1.2, rates)]

    def engine():
        return gdcore.run_descent(gdcore.pixel_table(pixels, "unit"), lrs, epochs)

    out: dict[str, Any] = {"size": size, "rates": rates, "epochs": epochs, "seconds": {}}
    out["seconds"]["engine"] = median_time(engine, repeats)
    out["seconds"]["floor"] = median_time(floor_fn(pixels, rates, epochs), repeats)
    tracemalloc.start()
    engine()
    out["peak_mb"] = tracemalloc.get_traced_memory()[1] / 1e6
    tracemalloc.stop()
    # The loops cost the same every epoch: time a few, scale to the whole sweep.
    table = gdcore.pixel_table(pixels, "unit")
    X, t = table.design_matrix(), table.target_vector()
    probe = 10
    per = median_time(lambda: textbook_run(X, t, lrs[:1], probe), LOOP_REPEATS) / (probe + 1)
    out["seconds"]["textbook (extrapolated)"] = per * rates * (epochs + 1)
    if have_torch():
        per = median_time(lambda: torch_run(X, t, lrs[:1], probe), LOOP_REPEATS) / (probe + 1)
        out["seconds"]["pytorch (extrapolated)"] = per * rates * (epochs + 1)
    return out


def minibatch(size: int, batch: int, rates: int, epochs: int, repeats: int) -> dict:
    pixels = gdcore.builtin_image("scene", size)
    table = gdcore.pixel_table(pixels, "unit")
    th = gdcore.theory(gdcore.quadratic(table))
    lrs = [float(m * th.critical_lr) for m in np.geomspace(0.001, 0.5, rates)]
    X, t = table.design_matrix(), table.target_vector()
    fast = gdcore.run_descent(table, lrs, epochs, batch_size=batch, seed=1)
    slow = textbook_run(X, t, lrs, epochs, batch_size=batch, seed=1)
    agree = disagreement(fast.errors, slow.errors)
    if agree > 1:
        raise SystemExit(f"mini-batch engine and loop disagree ({agree:.3g}x tolerance)")
    return {
        "size": size,
        "batch": batch,
        "rates": rates,
        "epochs": epochs,
        "agree": agree,
        "seconds": {
            "textbook": median_time(
                lambda: textbook_run(X, t, lrs, epochs, batch_size=batch, seed=1), LOOP_REPEATS
            ),
            "engine": median_time(
                lambda: gdcore.run_descent(table, lrs, epochs, batch_size=batch, seed=1), repeats
            ),
        },
    }


CAPS = {
    # page id: the link that asks the most of it, within the dashboard's caps
    "explore": {"size": "512", "epochs": "20000"},
    "compare": {
        "size": "512",
        "epochs": "20000",
        "rates": "1e-4,1e-3,0.01,0.1,0.5,1,1.3,2",
        "also": "plane,noise",
    },
    "sweep": {"size": "512", "epochs": "20000", "points": "200"},
    "walk": {"size": "512", "epochs": "500"},
    "step": {"size": "512", "steps": "500"},
    "diagnose": {"errors": ",".join(["1"] * 5000)},
    "exercises": {"size": "512", "exercise": "read"},
    "check": {"size": "512", "epochs": "20000", "errors": ",".join(["1"] * 5000)},
}


def log_files(rows: int) -> dict[str, bytes]:
    """A falling training curve of ``rows`` epochs written as four kinds of log."""
    loss = np.round(0.25 + np.exp(-np.arange(rows) / (rows / 5)), 6)
    val = np.round(loss * 1.1, 6)
    return {
        "Keras CSV": (
            "epoch,loss,val_loss\n"
            + "".join(
                f"{i},{a:.6f},{b:.6f}\n" for i, (a, b) in enumerate(zip(loss, val, strict=True))
            )
        ).encode(),
        "Lightning sparse CSV": (
            "epoch,step,train_loss,val_loss\n"
            + "".join(
                f"{i},{i},{a:.6f},\n{i},{i},,{b:.6f}\n"
                for i, (a, b) in enumerate(zip(loss, val, strict=True))
            )
        ).encode(),
        "printed lines": "".join(
            f"Epoch {i + 1}/{rows} - loss: {a:.6f} - val_loss: {b:.6f}\n"
            for i, (a, b) in enumerate(zip(loss, val, strict=True))
        ).encode(),
        "plain numbers": ", ".join(f"{a:.6f}" for a in loss).encode(),
    }


def log_reading(rows: int, repeats: int) -> dict:
    """A learner's log read by ``gdcore.read_log``: time and peak traced memory per kind.

    Every kind is first checked to give the curve it was written from.
    """
    out = {}
    for kind, data in log_files(rows).items():
        values = gdcore.read_log(data).values
        expected = np.round(0.25 + np.exp(-np.arange(rows) / (rows / 5)), 6)
        if not np.array_equal(values, expected):
            raise SystemExit(f"reading a {kind} log gave other values")
        seconds = median_time(functools.partial(gdcore.read_log, data), repeats)
        tracemalloc.start()
        gdcore.read_log(data)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        out[kind] = {
            "rows": rows,
            "mb": len(data) / 1e6,
            "seconds": seconds,
            "peak_mb": peak / 2**20,
        }
    return out


def page_latency(repeats: int) -> dict:
    """Script-run time of every page: a session's first run with every cache empty (the median
    of ``repeats`` fresh sessions), then reruns of the last one."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from ui.registry import PAGES, Page

    # A server imports its modules once, at start; do that before timing.
    AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300).run()
    # A server also scans the installed packages for components once, at start (Runtime);
    # AppTest does it again in every new instance, about 200 ms here that no learner
    # waits for. The scan's answer is kept for the timed runs.
    from streamlit.components.v2 import manifest_scanner

    found = manifest_scanner.scan_component_manifests()
    manifest_scanner.scan_component_manifests = lambda max_workers=None: found
    out: dict[str, dict[str, Any]] = {}
    for page in PAGES:
        name = page.title
        out[name] = {}
        for label, query in (("defaults", {}), ("caps", CAPS[page.id])):

            def fresh(query: dict = query, page: Page = page) -> AppTest:
                """A new session on the page, every cache of the process empty."""
                st.cache_data.clear()
                at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
                if page.file != "streamlit_app.py":
                    at.switch_page(page.file)
                for k, v in query.items():
                    at.query_params[k] = v
                return at

            firsts = []
            for _ in range(repeats):
                at = fresh()
                start = time.perf_counter()
                at.run()
                firsts.append(time.perf_counter() - start)
                if at.exception:
                    raise SystemExit(f"{name} ({label}) raised: {at.exception[0].value}")
            rerun = median_time(at.run, repeats)
            out[name][label] = {"first": statistics.median(firsts), "rerun": rerun}
    return out


def machine() -> dict:
    cpu = platform.processor() or "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "pytorch": have_torch() or "not installed",
        "platform": platform.platform(),
    }


def fmt_s(s: float) -> str:
    if s < 1e-3:
        return f"{s * 1e6:,.0f} µs"
    return f"{s * 1e3:,.1f} ms" if s < 1 else f"{s:,.2f} s"


def ratio(x: float) -> str:
    return f"{x:,.0f}×" if x >= 10 else f"{x:.2g}×"


def table(res: dict) -> str:
    m = res["machine"]
    lines = [
        f"Measured on {m['cpu']}, {m['cores']} cores, Python {m['python']}, NumPy {m['numpy']}, "
        f"PyTorch {m['pytorch']}; medians of {res['repeats']} runs (the loops: at least 5).",
        "",
        "| work | way | time | vs engine | vs floor |",
        "|---|---|---:|---:|---:|",
    ]
    for key, title in (
        ("same_work", "same work"),
        ("big_sweep", "big sweep"),
        ("minibatch", "mini-batch"),
        ("momentum_sweep", "momentum sweep"),
        ("schedule_sweep", "schedule sweep"),
    ):
        if key not in res:
            continue
        r = res[key]
        what = f"{title}: {r['size']}², {r['rates']} rates, {r['epochs']:,} epochs" + (
            f", batch {r['batch']}" if "batch" in r else ""
        )
        what += "".join(f", {k} {v}" for k, v in r.get("optimizer", {}).items())
        eng = r["seconds"]["engine"]
        flo = r["seconds"].get("floor")
        for way, s in sorted(r["seconds"].items(), key=lambda kv: -kv[1]):
            lines.append(
                f"| {what} | {way} | {fmt_s(s)} | {ratio(s / eng)} | "
                + (f"{ratio(s / flo)} |" if flo else "– |")
            )
            what = ""
    lines.append(f"| big sweep | peak memory (engine) | {res['big_sweep']['peak_mb']:.0f} MB | | |")
    for kind, r in res.get("logs", {}).items():
        what = f"reading a log: {r['rows']:,} epochs as {kind} ({r['mb']:.1f} MB)"
        lines.append(f"| {what} | `read_log` | {fmt_s(r['seconds'])} | | |")
        lines.append(f"| | peak traced memory | {r['peak_mb']:.0f} MB | | |")
    lines += [
        "",
        "| page | defaults: first run | defaults: rerun | caps: first run | caps: rerun |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, r in res["pages"].items():
        lines.append(
            f"| {name} | {fmt_s(r['defaults']['first'])} | {fmt_s(r['defaults']['rerun'])} | "
            f"{fmt_s(r['caps']['first'])} | {fmt_s(r['caps']['rerun'])} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    p.add_argument("--smoke", action="store_true", help="tiny sizes: check the benchmark runs")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--out", type=Path, default=HERE / "results.json")
    p.add_argument(
        "--docs",
        "--readme",
        dest="docs",
        action="store_true",
        help="also put the table into docs/performance.md (--readme: its old name)",
    )
    args = p.parse_args(argv)
    rep = 3 if args.smoke else max(5, args.repeats)
    res = {"machine": machine(), "repeats": rep, "smoke": args.smoke}
    if args.smoke:
        res["same_work"] = same_work(16, 50, rep)
        res["big_sweep"] = big_sweep(32, 8, 200, rep)
        res["minibatch"] = minibatch(16, 8, 2, 3, rep)
        res["momentum_sweep"] = optim_sweep(32, 8, 200, rep, 5, MOMENTUM_OPTIMIZER)
        res["schedule_sweep"] = optim_sweep(32, 8, 200, rep, 5, SCHEDULE_OPTIMIZER)
        res["pages"] = {}
        res["logs"] = log_reading(2000, rep)
    else:
        res["same_work"] = same_work(256, 1000, rep)
        res["big_sweep"] = big_sweep(1024, 64, 10_000, rep)
        res["minibatch"] = minibatch(256, 64, 8, 20, rep)
        res["momentum_sweep"] = optim_sweep(1024, 64, 10_000, rep, 5, MOMENTUM_OPTIMIZER)
        res["schedule_sweep"] = optim_sweep(1024, 64, 10_000, rep, 5, SCHEDULE_OPTIMIZER)
        res["pages"] = page_latency(rep)
        res["logs"] = log_reading(400_000, rep)
    args.out.write_text(json.dumps(res, indent=2))
    print(table(res))
    if args.docs:
        write_docs(table(res))
    return 0


START, END = "<!-- bench:start -->", "<!-- bench:end -->"


PERFORMANCE = ROOT / "docs" / "performance.md"


def write_docs(text: str, path: Path = PERFORMANCE) -> None:
    """Replace the table between the benchmark markers of docs/performance.md."""
    doc = path.read_text()
    head, rest = doc.split(START, 1)
    _, tail = rest.split(END, 1)
    path.write_text(f"{head}{START}\n{text}\n{END}{tail}")
