"""Mini-batch descent: shuffled batches, the same for every rate.

Each epoch draws a fresh order of the pixels from one seeded generator, cuts
it into batches of ``batch_size`` (the last may be smaller) and takes one step
per batch. Every rate sees the same batches, so rates are compared fairly.

The fast version uses the fact that one step on batch ``j`` is an affine map
of the weights, ``w -> (I - lr H_j) w + lr b_j``, with ``H_j`` and ``b_j``
from the batch's 4 x 4 moment matrix. An epoch is the product of those maps;
products are formed pairwise (a tree), all rates at once, so the cost per epoch
is one pass over the shuffled pixels plus small matrix products.

With momentum (PyTorch's SGD, ``dampening=0``) the state is ``[w, 1, buf]``
and one step is a 7 x 7 map of it (``optimizer.step_map``); the buffer carries
from batch to batch and from epoch to epoch, as in PyTorch. A schedule's rate
``lr_k`` is the same for every batch of epoch ``k`` (one ``scheduler.step()``
per epoch).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from numpy.typing import NDArray

from .optimizer import Optimizer, step_map

CHUNK_BATCHES = 4096
"""Batches composed at once; bounds memory at about R x 4096 x 128 bytes (with
momentum's 7 x 7 maps, fewer batches at once for the same memory)."""


def epoch_orders(n: int, epochs: int, seed: int) -> Iterator[NDArray[np.int64]]:
    """The shuffled order of the ``n`` rows for each epoch, from ``seed``."""
    rng = np.random.default_rng(seed)
    for _ in range(epochs):
        yield rng.permutation(n)


def _moments(Z: NDArray[np.float64], batch_size: int) -> NDArray[np.float64]:
    """Per-batch mean of ``z z^T`` for rows ``z = [1, x, y, t]``: (n_batches, 4, 4)."""
    n = len(Z)
    full = n // batch_size
    parts = []
    if full:
        B = Z[: full * batch_size].reshape(full, batch_size, 4)
        parts.append(np.matmul(B.transpose(0, 2, 1), B) / batch_size)  # 8x faster than einsum
    if n % batch_size:
        tail = Z[full * batch_size :]
        parts.append((tail.T @ tail / len(tail))[None])
    return np.concatenate(parts)


def _step_maps(
    M: NDArray[np.float64], lrs: NDArray[np.float64], optimizer: Optimizer
) -> NDArray[np.float64]:
    """Augmented step maps for every rate and batch: (R, n_batches, 4, 4), or 7 x 7 with momentum.

    The slope of ``x = [w, 1]`` on batch ``j`` is ``G x`` with ``G = [[H_j, -b_j], [0, 0]]``
    (the batch's moment matrix with its last column negated and its last row zeroed);
    ``optimizer.step_map`` makes one step of it on ``[x, buf]``. The buffer's
    last entry (the constant's) stays 0 and is left out; without momentum the
    buffer plays no part in the step and is left out entirely.
    """
    G = M.copy()
    G[:, :3, 3] *= -1.0
    G[:, 3, :] = 0.0
    if optimizer.momentum == 0.0:
        return step_map(G, lrs[:, None], optimizer, matrix=True, velocity=False)
    return step_map(G, lrs[:, None], optimizer, matrix=True)[..., :7, :7]


def _compose(A: NDArray[np.float64]) -> NDArray[np.float64]:
    """Product ``A[:, -1] @ ... @ A[:, 0]`` for each rate, by pairwise halving."""
    while A.shape[1] > 1:
        carry = A[:, -1:] if A.shape[1] % 2 else None
        if carry is not None:
            A = A[:, :-1]
        A = A[:, 1::2] @ A[:, 0::2]
        if carry is not None:
            A = np.concatenate([A, carry], axis=1)
    return A[:, 0]


def minibatch_weights(
    X: NDArray[np.float64],
    t: NDArray[np.float64],
    lrs: NDArray[np.float64],
    epochs: int,
    batch_size: int,
    seed: int,
    w0: NDArray[np.float64],
    optimizer: Optimizer = Optimizer(),
    between: Callable[[], object] | None = None,
) -> NDArray[np.float64]:
    """Weights after every epoch of mini-batch descent: (R, epochs + 1, 3).

    ``optimizer`` gives the momentum, Nesterov and the rate of every epoch, as
    PyTorch's SGD with ``dampening=0`` and ``LambdaLR`` (one step per epoch);
    ``between`` is called after each chunk of batches (``run_descent``'s ``between``).
    """
    factors = None if optimizer.constant_rate else optimizer.factors(epochs)
    Z = np.column_stack([X, t])
    R = len(lrs)
    out = np.full((R, epochs + 1, 3), np.nan)
    # The augmented state per rate: [w, 1], or [w, 1, buf] with momentum (buf starts at 0).
    w = np.tile(np.append(w0, 1.0), (R, 1))
    if optimizer.momentum > 0.0:
        w = np.tile(np.concatenate([w0, [1.0], np.zeros(3)]), (R, 1))
    chunk = CHUNK_BATCHES * 16 // w.shape[1] ** 2  # the same memory for 7 x 7 maps as 4 x 4
    out[:, 0] = w0
    alive = np.ones(R, dtype=bool)
    rows = chunk * batch_size  # pixels per chunk: whole batches, so only the last is partial
    with np.errstate(all="ignore"):  # a diverging rate overflows on purpose
        for e, order in enumerate(epoch_orders(len(t), epochs, seed), start=1):
            rates = lrs[alive] if factors is None else lrs[alive] * factors[e - 1]
            for start in range(0, len(order), rows):
                # The moments of this chunk's batches only: memory stays near R x chunk x 128
                # bytes (a whole epoch of batches of one pixel at 512 x 512 was 33 MB per copy).
                part = _moments(np.take(Z, order[start : start + rows], axis=0), batch_size)
                P = _compose(_step_maps(part, rates, optimizer))
                w[alive] = np.einsum("rij,rj->ri", P, w[alive])
                if between is not None:
                    between()
            out[:, e] = w[:, :3]
            alive &= np.isfinite(w).all(axis=1)
            if not alive.any():
                break
    return out
