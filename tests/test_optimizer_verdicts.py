"""Every number the verdict on a run with an optimizer says is the run's own.

Runs with momentum, Nesterov, schedules and warm-ups, across rates below and above the
edges, on two images: each sentence of ``diagnose_optimizer_run`` is read back with a pattern and
held to a second source: the engine's errors, the textbook loop's rate of every epoch
(``lr_at``), the settling definition read off the run, and the theory's exact counts.
"""

import re

import numpy as np
import pytest

import gdcore
from gdcore.bowl.forecast import direction_factors, momentum_epochs_to_target
from gdcore.bowl.settling import run_first_touch, run_settling
from gdcore.descent.optimizer import Optimizer
from gdcore.descent.textbook import lr_at
from gdcore.verdicts.diagnosis import GOOD, TOO_LARGE
from gdcore.verdicts.optimizer_verdict import diagnose_optimizer_run
from gdcore.verdicts.optimizer_words import beta_text, near_one

W0 = np.zeros(3)
EPOCHS = 300
OPTIMIZERS = [
    dict(momentum=0.5),
    dict(momentum=0.9),
    dict(momentum=0.99),
    dict(momentum=0.9999999),
    dict(momentum=0.9999999999999999),
    dict(momentum=0.5, nesterov=True),
    dict(momentum=0.9, nesterov=True),
    dict(schedule="exp:0.98"),
    dict(schedule="step:40:0.5"),
    dict(schedule="step:20:0.5", warmup=10),
    dict(schedule="cosine", warmup=30),
    dict(momentum=0.9, schedule="inverse:20", warmup=5),
    dict(momentum=0.5, nesterov=True, schedule="step:50:0.5"),
]
MULTIPLES = (0.05, 0.5, 1.3, 1.7, 3.0)
NUMBER = r"([\d,]+)"
SAID = {
    "settles": rf"settles within 1% of the lowest error E\* at epoch {NUMBER}",
    "first touch": rf"first touch at epoch {NUMBER}",
    "spike": rf"spikes to ([\d.e+]+)× its start at epoch {NUMBER} \(past 10× from epoch {NUMBER}\)",
    "start rate": r"the rate starts at ([\d.e+-]+)",
    "peak rate": rf"peaks at ([\d.e+-]+) at epoch {NUMBER}",
    "end rate": r"and ends at ([\d.e+-]+)",
    "last rate": r"leaves a last rate of ([\d.e+-]+)",
    "above edge": rf"it is above the edge ([\d.e+-]+) at epochs? {NUMBER}(?: to {NUMBER})?",
    "below from": rf"from epoch {NUMBER} on (?:the rate|it) is below",
    "plain ratio": r"the rate is ([\d.]+)× the plain edge rate",
    "passes start": rf"the error passes its start at epoch {NUMBER}",
    "passes 10x": rf"(?:passes 10× its start|and 10× it) at epoch {NUMBER}",
    "overflow": rf"the numbers overflow at epoch {NUMBER}",
    "needs": rf"it needs {NUMBER} epochs to get within 1% of the lowest error E\* and stay there",
    "other beta": rf"at this rate β = ([\d.]+) settles it soonest, at epoch {NUMBER}",
    "swing keeps": r"each swing keeps ([\d.]+) of the last",
    "momentum beta": r"momentum β = ([\d.e-]+)",
}


def _n(text):
    return int(text.replace(",", ""))


def _runs():
    for name in ("scene", "stripes"):
        table = gdcore.pixel_table(gdcore.builtin_image(name, 16), "unit")
        q = gdcore.quadratic(table)
        th = gdcore.theory(q)
        for kw in OPTIMIZERS:
            for m in MULTIPLES:
                yield table, q, th, m * th.critical_lr, kw


RUNS = list(_runs())
SEEN: dict[str, int] = dict.fromkeys(SAID, 0)
CASES_RUN: list[int] = []


@pytest.mark.parametrize("case", range(len(RUNS)))
def test_every_number_in_an_optimizer_verdict_is_the_runs_own(case):
    table, q, th, lr, kw = RUNS[case]
    kw = {"momentum": 0.0, "nesterov": False, "schedule": "constant", "warmup": 0, **kw}
    opt = Optimizer(**kw)
    res = gdcore.run_descent(table, [lr], EPOCHS, bowl=q, optimizer=opt)
    e = res.errors[0]
    d = diagnose_optimizer_run(e, lr, th, W0, optimizer=opt)
    r = d.reason
    rates = np.array([lr_at(lr, k, EPOCHS, kw["schedule"], kw["warmup"]) for k in range(EPOCHS)])
    widened = th.critical_lr_for(opt)
    found = {key: re.search(pattern, r) for key, pattern in SAID.items()}
    CASES_RUN.append(case)
    for key, hit in found.items():
        SEEN[key] += hit is not None
    if hit := found["settles"]:
        assert _n(hit[1]) == run_settling(e, q, W0), r
    if hit := found["first touch"]:
        assert _n(hit[1]) == run_first_touch(e, q, W0) < run_settling(e, q, W0), r
    if hit := found["spike"]:
        peak = int(np.argmax(np.nan_to_num(e, nan=np.inf)))
        assert (_n(hit[2]), hit[1]) == (peak, f"{e[peak] / e[0]:.3g}"), r
        assert _n(hit[3]) == int(np.flatnonzero(e > 10 * e[0])[0]), r
        assert d.verdict == TOO_LARGE and r.startswith("too large at the start, saved by")
    if hit := found["start rate"]:  # the rate of epoch 0, never the peak of a warm-up
        assert hit[1] == f"{rates[0]:.3g}", r
    if hit := found["peak rate"]:
        assert (hit[1], _n(hit[2])) == (f"{rates.max():.3g}", int(np.argmax(rates))), r
    if hit := found["last rate"]:
        assert hit[1] == f"{rates[-1]:.3g}", r
    if hit := found["end rate"]:
        assert hit[1] == f"{rates[-1]:.3g}", r
    if hit := found["above edge"]:
        edge_rate = th.critical_lr if "plain" in r[hit.end() : hit.end() + 20] else widened
        above = np.flatnonzero(rates > edge_rate)
        assert _n(hit[2]) == above[0] and _n(hit[3] or hit[2]) == above[-1], r
    if hit := found["below from"]:
        assert _n(hit[1]) == int(np.flatnonzero(rates > widened)[-1]) + 1, r
    if hit := found["plain ratio"]:
        assert float(hit[1]) == pytest.approx(rates.max() / th.critical_lr, rel=5e-3), r
    if hit := found["passes start"]:
        assert _n(hit[1]) == int(np.flatnonzero(np.nan_to_num(e, nan=np.inf)[1:] > e[0])[0]) + 1
    if hit := found["passes 10x"]:
        assert _n(hit[1]) == int(np.flatnonzero(np.nan_to_num(e, nan=np.inf) > 10 * e[0])[0])
    if hit := found["overflow"]:
        assert _n(hit[1]) == res.diverged_epoch[0], r
    if hit := found["needs"]:
        k = _n(hit[1])
        assert k > EPOCHS and k == momentum_epochs_to_target(q, lr, W0, opt)
    if hit := found["other beta"]:  # the β it proposes does settle this rate at that epoch
        beta, k = float(hit[1]), _n(hit[2])
        other = gdcore.run_descent(
            table, [lr], k + 50, bowl=q, optimizer=Optimizer(beta, kw["nesterov"])
        )
        assert run_settling(other.errors[0], q, W0) == k, r
    if hit := found["swing keeps"]:
        f = float(direction_factors(q, lr, opt).max())
        assert hit[1] == near_one(f) and float(hit[1]) < 1, r
    for hit in re.finditer(SAID["momentum beta"], r):  # β with the digits that tell it apart
        assert hit[1] == beta_text(kw["momentum"]) and float(hit[1]) == kw["momentum"], r
    # The verdict word and its sentence never contradict each other.
    if d.verdict == GOOD:
        assert "too large" not in r and "explodes" not in r and "grow" not in r, r
    if kw["momentum"] > 0.99999 and lr < widened and not kw["nesterov"]:
        # So close to 1 that it never settles: it swings, it is not "too small".
        assert d.verdict == TOO_LARGE and "swings through the bottom and barely damps" in r, r
    if kw["warmup"] > 1:
        assert f"the rate starts at {lr:.3g}" not in r, r


def test_every_kind_of_sentence_was_read():
    """The patterns above are not dead: each matched some verdict (run after the cases)."""
    if len(set(CASES_RUN)) < len(RUNS):
        pytest.skip("needs every case above in this process (run the whole file)")
    missing = [key for key, n in SEEN.items() if n == 0]
    assert not missing, missing
