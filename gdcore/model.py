"""The model, its error and its slopes.

``predicted brightness = w0 + w1*x + w2*y``, and the error is half the mean
squared difference, ``E(w) = 1/2 * mean((t - Xw)^2)``. With the half, the
slope of the error with respect to the weights is ``-X^T (t - Xw) / N``; for
the lesson's one-weight example (input 2, true 10, weight 1) that is -16.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    squared = difference**2
    slope = -difference * input  # d/dw of 1/2 * (true - w*input)^2
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
