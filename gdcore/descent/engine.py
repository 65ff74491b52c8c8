"""The fast engine: full-batch descent for many rates in closed form.

On the bowl ``E(w) = E* + 1/2 (w - w*)^T H (w - w*)`` one full-batch step is
``w - w* -> (I - lr H)(w - w*)``. In the eigenbasis of ``H`` (eigenvalues
``lambda_i``, coordinates ``d_i`` of ``w0 - w*``) the k-th epoch is therefore

    d_i(k) = (1 - lr lambda_i)^k d_i(0)
    E(k)   = E* + 1/2 sum_i lambda_i d_i(k)^2
    w(k)   = w0 - Q [(1 - (1 - lr lambda_i)^k) d_i(0)]

so after the one pass that builds the bowl, a run costs a few operations per
rate and epoch, whatever the image size. Powers use ``log1p``/``expm1`` so a
factor close to 1 loses nothing. The textbook loop in ``textbook.py`` is the
reference; tests hold the two equal.

Momentum, Nesterov and schedules (one ``Optimizer``: PyTorch's ``torch.optim.SGD``
with ``dampening=0`` and ``LambdaLR``; see ``optimizer`` and ``directions``) go
through the same ``run_descent``: full batch applies the optimizer's step map to
each eigen-direction of the bowl (cost independent of the image once the bowl is
built), mini-batch composes 7 x 7 step maps of ``[w, 1, buf]``. A plain run
(momentum 0, constant rate, no warm-up) takes the closed form above, as before.

>>> from gdcore.pixels.table import pixel_table
>>> t = pixel_table(np.array([[0.0, 255.0]]), "unit")
>>> opt = Optimizer(0.5, schedule="exp:0.99", warmup=5)
>>> r = run_descent(t, [0.5, 2.5], 50, optimizer=opt)
>>> r.diverged_epoch.tolist(), r.final_errors.round(6).tolist()
([-1, -1], [0.0, 0.0])
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..params import BATCH_SIZE, EARLY_STOP, EPOCHS, INIT, RATES, SEED
from ..pixels.quadratic import Quadratic, quadratic
from ..pixels.table import PixelTable
from .batches import minibatch_weights
from .directions import direction_paths
from .optimizer import Optimizer
from .runs import DescentResult, finish

INIT_SCALE = 0.01
"""Standard deviation of the seeded 'random' initial weights."""


def initial_weights(init: str | ArrayLike = "zero", seed: int = 0) -> NDArray[np.float64]:
    """Starting weights: ``"zero"``, ``"random"`` (seeded, small) or three numbers."""
    if isinstance(init, str):
        if INIT.check(init) == "zero":
            return np.zeros(3)
        return np.random.default_rng(SEED.check(seed)).normal(0.0, INIT_SCALE, 3)
    w = np.asarray(init, dtype=np.float64)
    if w.shape != (3,) or not np.isfinite(w).all():
        raise ValueError(f"init: must be zero, random or three finite numbers, got {init!r}.")
    return w


def check_rates(lrs: ArrayLike) -> NDArray[np.float64]:
    """Validate learning rates by ``params.RATES``: 1 to 256 numbers, each finite and > 0."""
    return np.array(RATES.check(np.atleast_1d(np.asarray(lrs, dtype=np.float64)).tolist()))


def check_epochs(epochs: int) -> int:
    """Validate the number of epochs by ``params.EPOCHS``: a whole number from 1 to 100,000."""
    return int(EPOCHS.check(epochs))


BLOCK_ELEMENTS = 1 << 18
"""Rates x epochs computed at once by the closed form: its temporaries stay near 2 MB each
however many rates a sweep asks for (200 rates x 20,000 epochs took 128 MB at once)."""


def closed_form(
    q: Quadratic,
    lrs: NDArray[np.float64],
    epochs: int,
    w0: NDArray[np.float64],
    keep_weights: bool = True,
    between: Callable[[], object] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Raw errors (R, T+1) and weights (R, T+1, 3) of full-batch descent.

    With ``keep_weights=False`` the weights are left out (shape (R, T+1, 0)),
    which saves most of the work when only the errors are wanted. Rates are
    taken in blocks of about ``BLOCK_ELEMENTS`` rate-epochs (each rate's run is
    independent of the others); ``between`` is called after each block.
    """
    R = len(lrs)
    errors = np.empty((R, epochs + 1))
    weights = np.empty((R, epochs + 1, 3 if keep_weights else 0))
    step = max(1, BLOCK_ELEMENTS // (epochs + 1))
    for lo in range(0, R, step):
        hi = min(R, lo + step)
        errors[lo:hi], weights[lo:hi] = _closed_form_block(q, lrs[lo:hi], epochs, w0, keep_weights)
        if between is not None and hi < R:
            between()
    return errors, weights


def _closed_form_block(
    q: Quadratic,
    lrs: NDArray[np.float64],
    epochs: int,
    w0: NDArray[np.float64],
    keep_weights: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``closed_form`` for a few rates at once."""
    lam, Q = q.eigenvalues, q.eigenvectors
    d0 = Q.T @ (w0 - q.w_star)
    R = len(lrs)
    k = np.arange(1, epochs + 1, dtype=np.float64)
    errors = np.empty((R, epochs + 1))
    weights = np.empty((R, epochs + 1, 3 if keep_weights else 0))
    errors[:, 0] = q.error(w0)
    weights[:, 0] = w0[: weights.shape[2]]
    errors[:, 1:] = q.error_star
    moved = np.zeros(
        (R, epochs, 3) if keep_weights else (0, 0, 3)
    )  # (1 - factor^k) d_i(0), one column per direction
    with np.errstate(all="ignore"):  # diverging rates overflow on purpose
        for i in range(3):
            if lam[i] == 0.0 or d0[i] == 0.0:
                continue  # a flat or already-settled direction never moves
            u = lrs * lam[i]  # the factor per epoch is 1 - u
            shrinking = u < 1.0
            log_abs = np.where(shrinking, np.log1p(-np.minimum(u, 1.0)), np.log(np.abs(u - 1.0)))
            ku = np.multiply.outer(log_abs, k)
            power = np.exp(ku)  # |1 - u|^k
            if keep_weights:
                np.expm1(ku, out=ku)
                ku *= -1.0  # 1 - (1 - u)^k, exact when the factor is near 1
                flips = ~shrinking
                if flips.any():  # a negative factor: the sign alternates every epoch
                    signed = power[flips]
                    signed[:, 0::2] *= -1.0
                    ku[flips] = 1.0 - signed
                ku *= d0[i]
                moved[:, :, i] = ku
            # Scale before squaring: d0² alone can underflow (a start 1e-243 from w*).
            power *= abs(d0[i]) * math.sqrt(0.5 * lam[i])
            np.square(power, out=power)  # the sign no longer matters
            errors[:, 1:] += power
        if keep_weights:
            weights[:, 1:] = w0 - (moved.reshape(-1, 3) @ Q.T).reshape(R, epochs, 3)
    return errors, weights


SECONDS_PER = {"rate-epoch": 2e-7, "pixel-epoch": 2e-8, "batch-epoch": 1.5e-7}
"""CPU seconds per unit of work, measured on this project's 2-core machine (``run_seconds``)."""


def run_seconds(
    n: int, rates: int, epochs: int, batch_size: int | None = None, momentum: float = 0.0
) -> float:
    """A rough estimate of the CPU seconds ``run_descent`` takes, from its parameters alone.

    Full batch: ``rates x epochs`` steps on the bowl (the pass that builds the bowl is
    not counted). Mini-batch: every epoch touches all ``n`` pixels once, and composes one
    small map per batch and rate (momentum's maps are 7 x 7, about twice the work;
    more rates share much of it). Only the order of magnitude matters: it decides
    whether a run is heavy, so that others go first (``ui.turns``).

    Parameters
    ----------
    n : int
        Pixels in the table.
    rates : int
        Learning rates run at once.
    epochs : int
    batch_size : int, optional
        ``None`` (or at least ``n``) is full batch.
    momentum : float

    Returns
    -------
    float
        Estimated seconds.

    Examples
    --------
    >>> round(run_seconds(64 * 64, 200, 20_000), 3)  # the sweep at its caps
    0.8
    >>> round(run_seconds(512 * 512, 1, 15, batch_size=1), 2)  # mini-batch at the work cap
    0.67
    """
    if batch_size is None or batch_size >= n:
        return rates * epochs * SECONDS_PER["rate-epoch"]
    batches = -(-n // batch_size)
    per_batch = (0.75 + 0.25 * rates) * (2.0 if momentum > 0 else 1.0)
    return epochs * (
        n * SECONDS_PER["pixel-epoch"] + batches * per_batch * SECONDS_PER["batch-epoch"]
    )


def run_descent(
    table: PixelTable,
    lrs: ArrayLike,
    epochs: int,
    *,
    init: str | ArrayLike = "zero",
    seed: int = 0,
    batch_size: int | None = None,
    early_stop_tol: float | None = None,
    bowl: Quadratic | None = None,
    keep_weights: bool = True,
    optimizer: Optimizer = Optimizer(),
    between: Callable[[], object] | None = None,
) -> DescentResult:
    """Gradient descent on a pixel table for many learning rates at once.

    Parameters
    ----------
    table : PixelTable
    lrs : array_like of float
        1 to ``MAX_RATES`` learning rates, each finite and > 0.
    epochs : int
        Number of updates T, from 1 to ``MAX_EPOCHS``; epoch 0 is the start.
    init : "zero", "random" or three numbers
        Starting weights; ``"random"`` draws small normal values from ``seed``.
    seed : int
        Seed for random starting weights and for the batch shuffles.
    batch_size : int, optional
        Pixels per step; ``None`` (or at least the number of pixels) is full batch.
    early_stop_tol : float, optional
        Stop a run once the error improves by no more than this fraction.
    bowl : Quadratic, optional
        The table's bowl, if already computed.
    keep_weights : bool
        ``False`` skips the weights (full batch only): ``weights`` then has
        shape (R, T+1, 0). Sweeps that need only errors run about twice as fast.
    optimizer : Optimizer
        Momentum β, Nesterov, schedule and warm-up, as ``torch.optim.SGD(momentum=β,
        dampening=0, nesterov=...)`` with ``LambdaLR`` (``descent.optimizer``).
    between : callable, optional
        Called with no arguments between parts of a long run (blocks of rates in
        the closed form, blocks of batches in mini-batch descent), so that a caller
        can let other work go first; an exception it raises ends the run.

    Returns
    -------
    DescentResult
        Errors (R, T+1) and weights (R, T+1, 3), with blow-up and stop epochs.

    Examples
    --------
    >>> from gdcore.pixels.table import pixel_table
    >>> t = pixel_table(np.array([[0.0, 255.0]]), "unit")
    >>> run_descent(t, [0.5], 2).errors.round(4).tolist()
    [[0.25, 0.0781, 0.0488]]
    """
    rates = check_rates(lrs)
    epochs = check_epochs(epochs)
    w0 = initial_weights(init, seed)
    if early_stop_tol is not None:
        EARLY_STOP.check(early_stop_tol)
    q = bowl if bowl is not None else quadratic(table)
    if batch_size is not None:
        batch_size = BATCH_SIZE.check(batch_size)
        if batch_size >= table.n:
            batch_size = None
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer: must be an Optimizer, got {type(optimizer).__name__}.")
    if batch_size is None and optimizer.plain:
        errors, weights = closed_form(q, rates, epochs, w0, keep_weights, between)
    elif batch_size is None:
        excess, moved = direction_paths(q, rates, epochs, w0, optimizer, keep_weights)
        errors = q.error_star + excess.sum(axis=2)
        errors[:, 0] = q.error(w0)
        weights = w0 - moved @ q.eigenvectors.T if keep_weights else moved
    else:
        weights = minibatch_weights(
            table.design_matrix(),
            table.target_vector(),
            rates,
            epochs,
            int(batch_size),
            seed,
            w0,
            optimizer,
            between,
        )
        errors = q.error(weights)
    return finish(rates, errors, weights, early_stop_tol)
