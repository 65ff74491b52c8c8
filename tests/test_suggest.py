"""Suggestion rules of the sweep: hand-made records, and a brute-force choice over a real sweep."""

import numpy as np
import pytest

from gdcore import builtin_image, epochs_to_target, pixel_table, quadratic, theory
from gdcore.verdicts.suggest import SUGGESTIONS, Suggestion, fewest_epochs, sweep_range

INF, NAN = np.inf, np.nan


@pytest.mark.parametrize(
    "lrs, counts, want",
    [
        ([0.1, 0.2, 0.4, 0.8], [90, 40, 12, INF], Suggestion(0.4, 2)),
        ([0.1, 0.2, 0.4, 0.8], [90, 40, 40, INF], Suggestion(0.2, 1)),  # a tie: the smaller rate
        ([0.8, 0.4, 0.2, 0.1], [INF, 40, 40, 90], Suggestion(0.2, 2)),  # order does not matter
        ([0.1, 0.2, 0.4], [NAN, 50, -INF], Suggestion(0.2, 1)),  # non-finite never chosen
        ([0.1, 0.2], [0, 3], Suggestion(0.1, 0)),  # already there: zero epochs
        ([0.5], [7], Suggestion(0.5, 0)),
    ],
)
def test_fewest_epochs_on_hand_made_records(lrs, counts, want):
    assert fewest_epochs(lrs, counts) == want
    assert fewest_epochs(np.array(lrs), np.array(counts, dtype=float)) == want


@pytest.mark.parametrize("counts", [[INF, INF], [NAN, INF], [NAN, NAN]])
def test_no_suggestion_when_no_rate_gets_there(counts):
    assert fewest_epochs([0.1, 0.2], counts) is None


def test_mismatched_record_is_refused():
    with pytest.raises(ValueError, match=r"same length; got shapes \(3,\) and \(2,\)"):
        fewest_epochs([0.1, 0.2, 0.3], [1, 2])


def _brute_force(lrs, counts):
    best = None
    for i, (lr, n) in enumerate(zip(lrs, counts, strict=True)):
        if np.isfinite(n) and (best is None or (n, lr) < (counts[best], lrs[best])):
            best = i
    return best


@pytest.mark.parametrize(
    "image, scale", [("scene", "unit"), ("stripes", "raw"), ("noise", "standard")]
)
def test_fewest_epochs_on_a_real_sweep(image, scale):
    q = quadratic(pixel_table(builtin_image(image, 16), scale))
    lo, hi = sweep_range(theory(q).critical_lr)
    lrs = np.geomspace(lo, hi, 40)
    counts = np.array([epochs_to_target(q, lr, np.zeros(3)) for lr in lrs], dtype=float)
    counts[np.isnan(counts)] = INF  # None: never gets there
    assert np.isinf(counts).any() and np.isfinite(counts).any()  # the sweep reaches both sides
    got = fewest_epochs(lrs, counts)
    best = _brute_force(lrs, counts)
    assert got == Suggestion(float(lrs[best]), best)


def test_sweep_range_from_theory():
    assert sweep_range(1.307) == (0.00013, 3.9)
    assert sweep_range(0.0008596) == (8.6e-08, 0.0026)


@pytest.mark.parametrize("name", list(SUGGESTIONS))
def test_every_rule_shares_the_signature(name):
    rule = SUGGESTIONS[name]
    lrs, counts = np.array([0.3, 0.1, 0.2]), np.array([5.0, INF, 5.0])
    got = rule(lrs, counts)
    assert isinstance(got, Suggestion) and got.lr == lrs[got.index]
    assert np.isfinite(counts[got.index])
    assert rule(lrs, np.full(3, INF)) is None
