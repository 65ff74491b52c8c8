"""The model, its error and its slopes.

``predicted brightness = w0 + w1*x + w2*y``, and the error is half the mean
squared difference, ``E(w) = 1/2 * mean((t - Xw)^2)``. With the half, the
slope of the error with respect to the weights is ``-X^T (t - Xw) / N``; for
the lesson's one-weight example (input 2, true 10, weight 1) that is -16.
"""

from __future__ import annotations

import math
from dataclasses import astuple, dataclass

import numpy as np
from numpy.typing import NDArray


def predict(X: NDArray[np.float64], w: NDArray[np.float64]) -> NDArray[np.float64]:
    """Predictions ``X @ w`` for rows ``[1, x, y]``."""
    return X @ w


def error(X: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64]) -> float:
    """Half the mean squared difference between ``t`` and the predictions."""
    return 0.5 * float(np.mean((t - X @ w) ** 2))


def slopes(
    X: NDArray[np.float64], t: NDArray[np.float64], w: NDArray[np.float64]
) -> NDArray[np.float64]:
    """``dE/dw`` for each weight: ``-X^T (t - Xw) / N``, shape (3,)."""
    return -(X.T @ (t - X @ w)) / len(t)


@dataclass(frozen=True)
class OneWeightStep:
    """Every number of one step of the lesson's one-weight example.

    The model is ``prediction = weight * input`` on a single example.
    """

    weight: float
    input: float
    true: float
    lr: float
    prediction: float
    difference: float
    squared_error: float
    error: float
    slope: float
    new_weight: float


def one_weight_step(
    weight: float, lr: float, input: float = 2.0, true: float = 10.0
) -> OneWeightStep:
    """One gradient-descent step of ``prediction = weight * input``.

    Examples
    --------
    >>> s = one_weight_step(1.0, 0.01)
    >>> s.slope, round(s.new_weight, 10)
    (-16.0, 1.16)
    """
    prediction = weight * input
    difference = true - prediction
    squared = difference * difference  # inf past the largest float, where ** would raise
    # d/dw of 1/2 * (true - w*input)^2 is -difference * input, written so the bottom gives 0, not -0
    slope = (prediction - true) * input
    return OneWeightStep(
        weight=weight,
        input=input,
        true=true,
        lr=lr,
        prediction=prediction,
        difference=difference,
        squared_error=squared,
        error=0.5 * squared,
        slope=slope,
        new_weight=weight - lr * slope,
    )


@dataclass(frozen=True)
class OneWeightWalk:
    """The steps of a one-weight walk, up to where its numbers stopped fitting in a float.

    ``steps[k]`` holds every number of step ``k``: its ``weight`` is the weight
    after ``k`` updates. ``overflow_step`` is the first step with a number past
    the largest float (about 1.8e308): the walk ends just before it. It is None
    when every step asked for fits.
    """

    steps: tuple[OneWeightStep, ...]
    overflow_step: int | None

    @property
    def last(self) -> OneWeightStep:
        return self.steps[-1]

    def __repr__(self) -> str:
        end = "fits" if self.overflow_step is None else f"overflows at step {self.overflow_step}"
        return f"OneWeightWalk({len(self.steps)} steps, last weight {self.last.weight:.6g}, {end})"


def one_weight_walk(
    weight: float, lr: float, steps: int, input: float = 2.0, true: float = 10.0
) -> OneWeightWalk:
    """Take ``steps`` gradient-descent steps of ``prediction = weight * input``.

    Parameters
    ----------
    weight : float
        The weight before the first step.
    lr : float
        The learning rate, > 0.
    steps : int
        Updates to take, >= 0; the walk holds ``steps + 1`` records (step 0 is the start).
    input, true : float
        The single example, the lesson's by default.

    Returns
    -------
    OneWeightWalk
        The records from step 0 on. A rate above ``one_weight_critical_lr`` makes
        every step overshoot by more than the last, until the numbers no longer
        fit in a float: the walk then stops and says at which step.

    Raises
    ------
    ValueError
        If the starting step's own numbers do not fit in a float.

    Examples
    --------
    >>> one_weight_walk(1.0, 0.01, 2)
    OneWeightWalk(3 steps, last weight 1.3136, fits)
    >>> one_weight_walk(1.0, 10.0, 100)  # 39 times further from 5 every step
    OneWeightWalk(97 steps, last weight -2.20934e+153, overflows at step 97)
    """
    records: list[OneWeightStep] = []
    for k in range(steps + 1):
        step = one_weight_step(weight, lr, input, true)
        if not all(math.isfinite(v) for v in astuple(step)):
            if k == 0:
                raise ValueError(f"weight {weight:g}: its error does not fit in a float.")
            return OneWeightWalk(tuple(records), k)
        records.append(step)
        weight = step.new_weight
    return OneWeightWalk(tuple(records), None)


def one_weight_curvature(input: float = 2.0) -> float:
    """The curvature of ``1/2 * (true - weight * input)^2`` in the weight: ``input^2``.

    >>> one_weight_curvature()
    4.0
    """
    return float(input) ** 2


def one_weight_critical_lr(input: float = 2.0) -> float:
    """The largest rate at which the one-weight walk still settles: 2 / curvature.

    Each step multiplies the distance to the best weight by ``1 - lr * input^2``,
    so the distance shrinks only while that factor lies between -1 and 1.

    >>> one_weight_critical_lr()
    0.5
    """
    return 2.0 / one_weight_curvature(input)
