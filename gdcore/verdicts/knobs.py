"""Old home of the verdicts on a run with an optimizer: the names it held, kept while ui/ moves on.

``optimizer_verdict`` judges the run, ``optimizer_words`` writes its numbers and
``momentum_map`` reads the bowl over rate × β. Import from those; this module only
re-exports, under the old names too (``diagnose_knobs``, ``knobs``).
"""

from .momentum_map import (
    BEST_GRID,
    MAP_LIMIT,
    NICE_MOMENTA,
    EpochMap,
    best_rate_for,
    epoch_map,
    root_factors,
    settling_beta,
)
from .optimizer_verdict import diagnose_optimizer_run
from .optimizer_verdict import diagnose_optimizer_run as diagnose_knobs
from .optimizer_words import BARELY, beta_text, momentum_words, near_one
from .optimizer_words import momentum_words as knobs

__all__ = [
    "BARELY",
    "BEST_GRID",
    "MAP_LIMIT",
    "NICE_MOMENTA",
    "EpochMap",
    "beta_text",
    "best_rate_for",
    "diagnose_knobs",
    "diagnose_optimizer_run",
    "epoch_map",
    "knobs",
    "momentum_words",
    "near_one",
    "root_factors",
    "settling_beta",
]
