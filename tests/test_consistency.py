"""One story in every sentence (issue 10): the verdicts, the numbers shown beside them and
the rates a page offers agree, on every built-in image and scale."""

import numpy as np
import pytest

from gdcore import BUILTINS, builtin_image, pixel_table, quadratic, run_descent, theory
from gdcore.bowl.fastest import fastest_rate
from gdcore.bowl.theory import DIVERGES, behaviour, epochs_to_target, target_excess, three_rates
from gdcore.verdicts.diagnosis import GOOD, TOO_LARGE, TOO_SMALL, edge
from gdcore.verdicts.suggest import sweep_range
from gdcore.verdicts.which_rules import diagnose_run

EPOCHS = 300
CASES = [(name, scale) for name in BUILTINS for scale in ("unit", "standard", "raw")]


def _setup(name, scale):
    table = pixel_table(builtin_image(name, 32), scale)
    th = theory(quadratic(table))
    return table, th, np.zeros(3)


def _rates(th, w0):
    lo, hi = sweep_range(th.critical_lr)
    fast = fastest_rate(th.bowl, w0)
    return [*three_rates(th), *np.geomspace(lo, hi, 12), *([fast.lr] if fast else [])]


@pytest.mark.parametrize(("name", "scale"), CASES)
def test_every_verdict_agrees_with_its_own_numbers(name, scale):
    table, th, w0 = _setup(name, scale)
    rates = _rates(th, w0)
    runs = run_descent(table, rates, EPOCHS).errors
    fast = fastest_rate(th.bowl, w0)
    goal = th.error_star + target_excess(th.bowl, w0)
    for lr, errors in zip(rates, runs, strict=True):
        d = diagnose_run(errors, float(lr), th, w0)
        k = epochs_to_target(th.bowl, float(lr), w0)
        if d.verdict == GOOD:
            # a rate called good gets within 1% of E* in this run, or says how many more it needs
            assert k is not None
            assert (k <= EPOCHS and errors[k] <= goal * (1 + 1e-9)) or "this run has" in d.reason
        if fast is None:
            continue
        if d.verdict == TOO_SMALL:  # a larger rate would get there sooner, and it is named
            assert lr < fast.lr and f"{fast.lr:g}" in d.reason
        if d.verdict == TOO_LARGE:
            assert lr > fast.lr
        # "the fastest" is never beaten by a rate shown beside it
        assert k is None or k >= fast.epochs


@pytest.mark.parametrize(("name", "scale"), CASES)
def test_numbers_shown_work_when_typed_back(name, scale):
    table, th, w0 = _setup(name, scale)
    shown_edge = edge(th.critical_lr)  # as the pages show it
    assert behaviour(th, shown_edge) != DIVERGES  # at most the edge itself (2 when λmax = 1)
    if shown_edge < th.critical_lr:  # rounded down: it settles
        assert epochs_to_target(th.bowl, shown_edge, w0) is not None
    # the suggested rate, as Explore's button types it (six digits), is called good
    for lr in _rates(th, w0):
        d = diagnose_run(run_descent(table, [lr], EPOCHS).errors[0], float(lr), th, w0)
        if d.suggested_lr is not None:
            typed = float(f"{d.suggested_lr:.6g}")
            again = diagnose_run(run_descent(table, [typed], EPOCHS).errors[0], typed, th, w0)
            assert again.verdict == GOOD, (lr, d, again)
