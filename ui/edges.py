"""Where the rate gets too large, drawn: the edge rates over a run's charts and the sweep's map.

With momentum the edge moves right (the heavy ball's is 2(1+β)/λmax); a schedule
changes the rate every epoch, so the rates it uses are drawn beside the edges.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

import gdcore
import gdcore.verdicts.knobs
from gdcore.descent.optimizer import Optimizer
from gdcore.verdicts.diagnosis import edge
from gdcore.verdicts.knobs import beta_text


def rates_used(lr: float, epochs: int, knob: Optimizer) -> np.ndarray:
    """``lr_k`` of every epoch 0 … T−1 (``gdcore.Optimizer.rates``)."""
    return knob.rates(lr, epochs)


def edges(th: gdcore.Theory, knob: Optimizer) -> list[tuple[str, float]]:
    """The edge rates to draw: the plain one, and the one with this momentum."""
    out = [(f"edge rate, plain: {edge(th.critical_lr):g}", th.critical_lr)]
    if knob.momentum > 0:
        wide = th.critical_lr_for(knob)
        name = "Nesterov's edge" if knob.nesterov else "edge rate"
        out.append((f"{name} with β {beta_text(knob.momentum)}: {edge(wide):g}", wide))
    return out


def map_frames(
    th: gdcore.Theory, emap: gdcore.verdicts.knobs.EpochMap, nesterov: bool
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The edge-rate line over β and the theory's best pair, for ``charts.momentum_map_chart``."""
    betas = np.linspace(0.0, float(emap.momenta[-1]), 60)
    line = pd.DataFrame(
        {
            "momentum": betas,
            "lr": [th.critical_lr_for(Optimizer(float(b), nesterov and b > 0)) for b in betas],
        }
    )
    line = line[(line["lr"] >= emap.rates[0]) & (line["lr"] <= emap.rates[-1] * 1.1)]
    marks = pd.DataFrame(
        {
            "lr": [th.optimal_momentum_lr],
            "momentum": [th.optimal_momentum],
            "label": [
                f"best pair: rate {th.optimal_momentum_lr:.3g}, β {round(th.optimal_momentum, 3):g}"
            ],
        }
    )
    return line, marks
