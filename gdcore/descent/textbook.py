"""Gradient descent exactly as a learner writes it: the reference.

Predict, measure the error, compute each weight's slope, step each weight
against its slope, repeat. It touches every pixel every epoch, which is why it
is slow; the fast engine in ``engine.py`` is tested against it, never the other
way round. Both share the stopping rules of ``runs.py``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from .batches import epoch_orders
from .optimizer import Optimizer
from .runs import DescentResult, finish


def descend(
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    lr: float,
    epochs: int,
    w_init: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Full-batch descent for one rate: errors (epochs+1,), weights (epochs+1, 3)."""
    w = np.zeros(3) if w_init is None else np.array(w_init, dtype=np.float64)
    errors, weights = [], []
    with np.errstate(all="ignore"):  # a diverging run overflows on purpose
        for epoch in range(epochs + 1):
            predicted = X @ w  # 1. predict
            difference = t - predicted
            errors.append(0.5 * np.mean(difference**2))  # 2. error
            weights.append(w.copy())
            if epoch == epochs or not np.isfinite(errors[-1]):
                break
            slope = -(X.T @ difference) / len(t)  # 3. slope of each weight
            w = w - lr * slope  # 4. new weight = old weight - rate x slope
    return _pad(errors, weights, epochs)


@dataclass(frozen=True)
class EpochDetail:
    """Every number of one full-batch epoch, from the weights before its step.

    The per-pixel arrays hold the first ``rows`` pixels only; ``error``,
    ``slopes`` and ``new_weights`` are over all ``n`` pixels. ``shares[i, j]``
    is pixel ``i``'s ``-difference * input_j``: slope ``j`` is their mean.
    """

    epoch: int
    lr: float
    n: int
    weights: NDArray[np.float64]  # (3,), before the step
    inputs: NDArray[np.float64]  # (rows, 3): 1, x, y
    targets: NDArray[np.float64]  # (rows,)
    predicted: NDArray[np.float64]  # (rows,)
    difference: NDArray[np.float64]  # (rows,)
    shares: NDArray[np.float64]  # (rows, 3)
    error: float
    slopes: NDArray[np.float64]  # (3,)
    new_weights: NDArray[np.float64]  # (3,)


def epoch_detail(
    X: NDArray[np.float64], t: NDArray[np.float64], lr: float, epoch: int, rows: int = 6
) -> EpochDetail:
    """The numbers of epoch ``epoch`` of ``descend`` from zero weights, shown step by step.

    Parameters
    ----------
    X : ndarray, shape (N, 3)
        Rows ``[1, x, y]``.
    t : ndarray, shape (N,)
        The brightness of each pixel.
    lr : float
        The learning rate, > 0.
    epoch : int
        Which epoch, from 1: epoch 1 steps from zero weights.
    rows : int
        How many pixels the per-pixel arrays keep.

    Returns
    -------
    EpochDetail
        ``weights`` equals ``descend(X, t, lr, epoch)[1][epoch - 1]`` and
        ``new_weights`` its ``[epoch]`` (a diverging rate gives inf and nan).

    Raises
    ------
    ValueError
        If ``epoch`` is below 1.

    Examples
    --------
    >>> X, t = np.array([[1.0, 0.0, 2.0], [1.0, 1.0, 0.0]]), np.array([4.0, 2.0])
    >>> d = epoch_detail(X, t, 0.5, 1)
    >>> d.error, d.slopes.tolist(), d.new_weights.tolist()
    (5.0, [-3.0, -1.0, -4.0], [1.5, 0.5, 2.0])
    """
    if epoch < 1:
        raise ValueError(f"epoch: must be a whole number >= 1, got {epoch}.")
    w = np.zeros(3)
    with np.errstate(all="ignore"):  # a diverging rate overflows on purpose
        for _ in range(epoch):
            before = w
            predicted = X @ w  # 1. predict
            difference = t - predicted
            err = 0.5 * np.mean(difference**2)  # 2. error
            slope = -(X.T @ difference) / len(t)  # 3. slope of each weight
            w = w - lr * slope  # 4. new weight = old weight - rate x slope
        shares = -difference[:rows, None] * X[:rows] + 0.0  # + 0.0: a zero input gives 0, not -0
    return EpochDetail(
        epoch=epoch,
        lr=lr,
        n=len(t),
        weights=before,
        inputs=X[:rows],
        targets=t[:rows],
        predicted=predicted[:rows],
        difference=difference[:rows],
        shares=shares,
        error=float(err),
        slopes=slope,
        new_weights=w,
    )


def descend_minibatch(
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    lr: float,
    epochs: int,
    batch_size: int,
    seed: int = 0,
    w_init: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mini-batch descent: one step per batch, error on the whole image per epoch."""
    w = np.zeros(3) if w_init is None else np.array(w_init, dtype=np.float64)
    errors = [0.5 * np.mean((t - X @ w) ** 2)]
    weights = [w.copy()]
    with np.errstate(all="ignore"):
        for order in epoch_orders(len(t), epochs, seed):
            for start in range(0, len(t), batch_size):
                rows = order[start : start + batch_size]
                Xb, tb = X[rows], t[rows]
                slope = -(Xb.T @ (tb - Xb @ w)) / len(rows)
                w = w - lr * slope
            errors.append(0.5 * np.mean((t - X @ w) ** 2))
            weights.append(w.copy())
            if not np.isfinite(errors[-1]):
                break
    return _pad(errors, weights, epochs)


def lr_at(lr: float, k: int, epochs: int, schedule: str = "constant", warmup: int = 0) -> float:
    """The rate of epoch ``k`` (0 … epochs-1), written out from the schedule's formula.

    A second, plain reading of the convention that ``schedules.rate_factors``
    computes for all epochs at once; the tests hold the two equal.

    >>> [lr_at(1.0, k, 4, "step:2:0.5") for k in range(4)]
    [1.0, 1.0, 0.5, 0.5]
    """
    kind, *args = schedule.split(":")
    if kind == "constant":
        rate = lr
    elif kind == "step":
        every, factor = int(args[0]), float(args[1])
        rate = lr * factor ** (k // every)
    elif kind == "exp":
        rate = lr * float(args[0]) ** k
    elif kind == "inverse":
        rate = lr / (1 + k / float(args[0]))
    elif kind == "cosine":
        rate = lr * 0.5 * (1 + math.cos(math.pi * k / epochs))
    else:
        raise ValueError(f"schedule: unknown {schedule!r}")
    if k < warmup:
        rate = rate * (k + 1) / warmup  # warm-up: a growing share of the rate
    return rate


def descend_sgd(
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    lr: float,
    epochs: int,
    optimizer: Optimizer = Optimizer(),
    batch_size: int | None = None,
    seed: int = 0,
    w_init: NDArray[np.float64] | None = None,
    dtype: type = np.float64,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Descent with momentum and a schedule, as ``torch.optim.SGD`` (``dampening=0``) does it.

    Full batch (``batch_size`` None) or one step per shuffled batch; the rate
    changes once per epoch. Errors (epochs+1,) on the whole image, weights (epochs+1, 3).
    The recurrence is written out here on purpose, as the reference the step
    maps of ``optimizer.step_map`` are held to.

    ``dtype=np.longdouble`` runs the loop with 64-bit mantissas: a schedule that
    lets a run grow a million-fold and then shrink back leaves float64's rounding
    at the peak (1e-16 of it) in the final numbers, which a more exact reference
    must not carry. The result is float64 either way.
    """
    momentum, nesterov = optimizer.momentum, optimizer.nesterov
    schedule, warmup = optimizer.schedule, optimizer.warmup
    X, t = X.astype(dtype), t.astype(dtype)
    w: NDArray[Any] = np.zeros(3, dtype) if w_init is None else np.array(w_init, dtype=dtype)
    n = len(t)
    size = n if batch_size is None else min(batch_size, n)
    buf = None  # the momentum buffer: nothing before the first step
    errors = [0.5 * np.mean((t - X @ w) ** 2)]
    weights = [w.copy()]
    with np.errstate(all="ignore"):  # a diverging run overflows on purpose
        # Full batch: every pixel, one step an epoch, no shuffle needed.
        orders = epoch_orders(n, epochs, seed) if size < n else [np.arange(n)] * epochs
        for epoch, order in enumerate(orders):
            rate = dtype(lr_at(lr, epoch, epochs, schedule, warmup))
            for start in range(0, n, size):
                rows = order[start : start + size]
                Xb, tb = (X, t) if size == n else (X[rows], t[rows])  # the table itself: no copy
                slope = -(Xb.T @ (tb - Xb @ w)) / len(rows)  # 1-3. predict, error, slope
                if momentum > 0:
                    beta = dtype(momentum)
                    buf = slope if buf is None else beta * buf + slope
                    step = slope + beta * buf if nesterov else buf
                else:
                    step = slope
                w = w - rate * step  # 4. new weight = old weight - rate x step
            errors.append(0.5 * np.mean((t - X @ w) ** 2))
            weights.append(w.copy())
            if not np.isfinite(errors[-1]):
                break
        # Back to float64: a wide number beyond its range becomes inf, as a blow-up should.
        return _pad([float(e) for e in errors], [w.astype(np.float64) for w in weights], epochs)


def _pad(
    errors: list, weights: list, epochs: int
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    e = np.full(epochs + 1, np.nan)
    W = np.full((epochs + 1, 3), np.nan)
    e[: len(errors)] = errors
    W[: len(weights)] = weights
    return e, W


def textbook_run(
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    lrs: Sequence[float] | NDArray[np.float64],
    epochs: int,
    w_init: NDArray[np.float64] | None = None,
    batch_size: int | None = None,
    seed: int = 0,
    early_stop_tol: float | None = None,
    optimizer: Optimizer = Optimizer(),
    dtype: type = np.float64,
) -> DescentResult:
    """Run the reference loop for several rates, with the engine's stopping rules.

    Momentum, Nesterov, a schedule or a warm-up go through ``descend_sgd``
    (``dtype``: see there).
    """
    runs = []
    for lr in lrs:
        if not optimizer.plain:
            runs.append(descend_sgd(X, t, lr, epochs, optimizer, batch_size, seed, w_init, dtype))
        elif batch_size is None or batch_size >= len(t):
            runs.append(descend(X, t, lr, epochs, w_init))
        else:
            runs.append(descend_minibatch(X, t, lr, epochs, batch_size, seed, w_init))
    errors = np.array([r[0] for r in runs])
    weights = np.array([r[1] for r in runs])
    return finish(np.asarray(lrs, dtype=np.float64), errors, weights, early_stop_tol)
