"""Where the rate gets too large, drawn: the edge rates over a run's charts and the sweep's map.

With momentum the edge moves right (the heavy ball's is 2(1+β)/λmax); a schedule
changes the rate every epoch, so the rates it uses are drawn beside the edges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import gdcore
import gdcore.verdicts.momentum_map
from gdcore.descent.optimizer import Optimizer
from gdcore.verdicts.diagnosis import edge
from gdcore.verdicts.optimizer_words import beta_text


def rates_used(lr: float, epochs: int, optimizer: Optimizer) -> np.ndarray:
    """``lr_k`` of every epoch 0 … T−1 (``gdcore.Optimizer.rates``)."""
    return optimizer.rates(lr, epochs)


def edges(theory: gdcore.Theory, optimizer: Optimizer) -> list[tuple[str, float]]:
    """The edge rates to draw: the plain one, and the one with this momentum."""
    out = [(f"edge rate, plain: {edge(theory.critical_lr):g}", theory.critical_lr)]
    if optimizer.momentum > 0:
        wide = theory.critical_lr_for(optimizer)
        name = "Nesterov's edge" if optimizer.nesterov else "edge rate"
        out.append((f"{name} with β {beta_text(optimizer.momentum)}: {edge(wide):g}", wide))
    return out


def map_frames(
    theory: gdcore.Theory, emap: gdcore.verdicts.momentum_map.EpochMap, nesterov: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The edge-rate line over β and the theory's best pair, for ``charts.momentum_map_chart``."""
    betas = np.linspace(0.0, float(emap.momenta[-1]), 60)
    line = pd.DataFrame(
        {
            "momentum": betas,
            "lr": [theory.critical_lr_for(Optimizer(float(b), nesterov and b > 0)) for b in betas],
        }
    )
    line = line[(line["lr"] >= emap.rates[0]) & (line["lr"] <= emap.rates[-1] * 1.1)]
    marks = pd.DataFrame(
        {
            "lr": [theory.optimal_momentum_lr],
            "momentum": [theory.optimal_momentum],
            "label": [
                f"best pair: rate {theory.optimal_momentum_lr:.3g}, β {round(theory.optimal_momentum, 3):g}"
            ],
        }
    )
    return line, marks
