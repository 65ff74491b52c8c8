"""What the learner waits for, in a real browser: Explore beside the smallest app doing the same.

``python -m bench.browser`` starts two servers, Explore (``streamlit_app.py``) and
``bench/minimal_app.py`` (one number input, one Altair line of the same descent), opens
Debian's Chromium through Playwright at 1280 × 800 and, alternating the two apps (the
order swaps every repetition, after one warm-up round that is not counted), times

1. **first load**: from navigation to the error chart drawn, in a fresh browser context
   (empty cache, a new session), so the frontend's files are fetched each time, as on a
   first visit;
2. **rate change**: from the Enter key in the learning-rate box to the chart of the new rate
   drawn (a rate no repetition used before, so no cached run answers it); ``--changes`` of
   them per visit (8 by default, each counted: with one per visit, 15 rounds swung ±30%
   between two runs of the same code);
3. **whole page**: from the same Enter key to the page's last change (the last change to
   its document, noted by a ``MutationObserver``, before it stays still through the run's end
   and :func:`settle`'s wait). Explore sends the new curve ahead of the rest of its page
   (``ui.explore.CURVE_ALONE_S``): this is what that head start costs the rest.

"Drawn" is read in the chart's SVG, as Vega draws it: the minimal app's title names the
rate; Explore's chart is redrawn in place, and its line's label (its ``aria-label``, which
Vega sets with the line's path) begins with the rate, "rate 0.5 (good): …". (Until
5 Dec 2026 it was the chart box's ``aria-label``, which Streamlit changes before the chart
is drawn again; both apps' times then came out too soon.)

All three are read in the page (``performance.now()``: navigation start, the key press, a
``MutationObserver`` noting when each chart first appears), not through Playwright's polling.
The ratios (Explore's median ÷ the minimal app's median) come from one run, so both apps met
the same machine; the load average before and after is saved with them, because on a shared
machine the absolute times say more about the neighbours than about the app.

Results go to ``bench/browser_results.json`` under a label (``--label``); ``python -m
bench.browser table`` prints docs/performance.md's table from it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import statistics
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bench import server

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "browser_results.json"
CHROMIUM, ARGS = server.CHROMIUM, server.CHROMIUM_ARGS
VIEWPORT = {"width": 1280, "height": 800}
APPS = {"explore": "streamlit_app.py", "minimal": "bench/minimal_app.py"}
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
FAILED = "[data-testid='stException']"
TIMEOUT_MS = 120_000
FIRST_RATE = 0.5  # both apps' default
MEASURES = ("first_load", "rate_change", "whole_page")
TITLE = "Error over epochs at rate {:g}"  # the minimal app's error chart's title
LINE = "rate {:g} ("  # the start of the label of Explore's error line (its run's numbers)

# Installed in every page before its own scripts: notes when each chart (by the start of its
# text alternative) is first drawn, and when Enter was last pressed, on the page's clock.
WATCH = """
window.__charts = {};
window.__enter = null;
document.addEventListener('keydown', e => { if (e.key === 'Enter') window.__enter = performance.now(); }, true);
const note = () => {
  const drawn = document.querySelectorAll(
    "[data-testid='stVegaLiteChart'] .role-title-text, [data-testid='stVegaLiteChart'] svg [aria-label]");
  for (const el of drawn) {
    const said = el.classList.contains('role-title-text') ? el.textContent : el.getAttribute('aria-label');
    if (said && !(said in window.__charts)) window.__charts[said] = performance.now();
  }
};
new MutationObserver(note).observe(document, {subtree: true, childList: true, characterData: true,
                                              attributes: true, attributeFilter: ['aria-label']});
window.__changed = null;
new MutationObserver(() => { window.__changed = performance.now(); })
  .observe(document, {subtree: true, childList: true, characterData: true, attributes: true});
"""
# The time the chart of ``rate`` was first drawn: a chart whose drawn title names it (the
# title, then nothing or more words: "rate 0.3" must not match "rate 0.35"), or one of whose
# lines is labelled for it ("rate 0.3 (good): …", what Vega draws as the line's aria-label).
SEEN = r"""([title, line]) => {
  for (const [said, t] of Object.entries(window.__charts)) {
    const rest = said.slice(title.length);
    if ((said.startsWith(title) && !/^(\d|\.\d|e)/.test(rest)) || said.startsWith(line)) return t;
  }
  return null;
}"""


@contextlib.contextmanager
def serve(app: str) -> Iterator[str]:
    """``streamlit run app`` on a free port until the block ends; yields its base URL."""
    try:
        with server.serve(app) as running:
            yield running.base
    except server.ServerDidNotStart as exc:
        raise SystemExit(str(exc)) from exc


def chart_time(page: Any, rate: float) -> float:
    """Wait for the error chart of ``rate``; the page-clock time (ms) it was first drawn.

    An exception shown instead ends the benchmark with its text."""
    names = [TITLE.format(rate), LINE.format(rate)]
    page.wait_for_function(
        f"({SEEN})({json.dumps(names)}) !== null || document.querySelector({json.dumps(FAILED)})",
        timeout=TIMEOUT_MS,
    )
    if page.locator(FAILED).count():
        raise SystemExit(
            f"{page.url} showed an exception: {page.locator(FAILED).first.inner_text()}"
        )
    return float(page.evaluate(SEEN, names))


def settle(page: Any) -> None:
    """Wait for the run to end: the script state idle, twice, a moment apart (a busy machine
    can show idle before a run has begun)."""
    for _ in range(2):
        page.wait_for_selector(DONE, timeout=TIMEOUT_MS)
        page.wait_for_timeout(300)
    page.wait_for_selector(DONE, timeout=TIMEOUT_MS)


def one_visit(browser: Any, base: str, new_rate: float, changes: int = 1) -> dict[str, list[float]]:
    """A fresh visitor: first load to the chart, then ``changes`` rate changes, each to the
    new chart (s); the rates are ``new_rate``, then steps of 0.0001 above it."""
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(WATCH)
        page = context.new_page()
        page.goto(base + "/", timeout=TIMEOUT_MS)
        first = chart_time(page, FIRST_RATE)  # navigation starts the page's clock at 0
        times, whole = [], []
        settle(page)
        for j in range(changes):
            rate = round(new_rate + 0.0001 * j, 4)
            box = page.get_by_role("spinbutton", name="Learning rate", exact=True)
            box.fill(f"{rate:g}")
            box.press("Enter")
            drawn = chart_time(page, rate)
            settle(page)  # the run's end and a still page: then its last change is known
            enter, changed = page.evaluate("[window.__enter, window.__changed]")
            times.append((drawn - enter) / 1000)
            whole.append((max(drawn, changed) - enter) / 1000)
        if page.locator(FAILED).count():
            raise SystemExit(
                f"{base} showed an exception: {page.locator(FAILED).first.inner_text()}"
            )
        return {"first_load": [first / 1000], "rate_change": times, "whole_page": whole}
    finally:
        context.close()


def measure(
    repeats: int, warmup: int, apps: dict[str, str] = APPS, changes: int = 1
) -> dict[str, Any]:
    """Both apps, alternating, ``warmup`` rounds uncounted, then ``repeats`` counted rounds;
    each round one visit per app, with ``changes`` rate changes counted per visit."""
    from playwright.sync_api import sync_playwright

    times: dict[str, dict[str, list[float]]] = {
        app: {what: [] for what in MEASURES} for app in APPS
    }
    load_before = os.getloadavg()
    with contextlib.ExitStack() as stack:
        bases = {app: stack.enter_context(serve(path)) for app, path in apps.items()}
        pw = stack.enter_context(sync_playwright())
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        stack.callback(browser.close)
        for k in range(warmup + repeats):
            order = list(APPS) if k % 2 == 0 else list(reversed(APPS))
            rate = round(0.3 + 0.001 * k, 3)  # new every round: never a cached run
            for app in order:
                got = one_visit(browser, bases[app], rate, changes)
                if k >= warmup:
                    for what, s in got.items():
                        times[app][what].extend(s)
    load_after = os.getloadavg()
    med = {app: {w: statistics.median(v) for w, v in t.items()} for app, t in times.items()}
    return {
        "repeats": repeats,
        "warmup": warmup,
        "changes_per_visit": changes,
        "load_average_1min": [round(load_before[0], 2), round(load_after[0], 2)],
        "cores": os.cpu_count(),
        "apps": apps,
        "seconds": times,
        "median_s": med,
        "ratio": {w: med["explore"][w] / med["minimal"][w] for w in MEASURES},
    }


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def table(saved: dict[str, Any]) -> str:
    """docs/performance.md's table: one row per saved run, in the order they were saved."""

    def ms(s: float) -> str:
        return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.2f} s"

    rows = [
        "| run | first load: Explore | minimal | ratio | rate change: Explore | minimal | ratio "
        "| whole page: Explore | minimal | ratio | load average (1 min, before–after) |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for label, r in saved.items():
        e, m = r["median_s"]["explore"], r["median_s"]["minimal"]
        la = r["load_average_1min"]
        cells = [
            f"{ms(e[w])} | {ms(m[w])} | {r['ratio'][w]:.2f}×"
            if w in r["ratio"]
            else "— | — | —"  # saved before it was measured
            for w in MEASURES
        ]
        rows.append(
            f"| {label} | {' | '.join(cells)} | {la[0]:g}–{la[1]:g} on {r['cores']} cores |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.browser", description=__doc__.split("\n")[0])
    ap.add_argument("action", nargs="?", choices=["run", "table"], default="run")
    ap.add_argument("--repeats", type=int, default=7, help="counted rounds (medians)")
    ap.add_argument("--warmup", type=int, default=1, help="uncounted first rounds")
    ap.add_argument(
        "--changes",
        type=int,
        default=8,
        help="rate changes per visit, each counted (one per visit swings ±30%% between runs)",
    )
    ap.add_argument("--label", help="the run's row in the table (default: the commit)")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument(
        "--explore",
        default=APPS["explore"],
        help="another main script in Explore's place (a trial)",
    )
    args = ap.parse_args(argv)
    if args.action == "table":
        print(table(json.loads(args.out.read_text())))
        return 0
    result = measure(args.repeats, args.warmup, {**APPS, "explore": args.explore}, args.changes)
    result["commit"] = commit()
    result["date"] = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    saved = json.loads(args.out.read_text()) if args.out.exists() else {}
    saved[args.label or result["commit"]] = result
    args.out.write_text(json.dumps(saved, indent=1) + "\n")
    print(table(saved))
    return 0


if __name__ == "__main__":
    sys.exit(main())
