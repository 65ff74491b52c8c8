"""Full-batch descent with momentum and schedules, one eigen-direction of the bowl at a time.

In the eigenbasis of ``H`` the slope along direction ``i`` is ``lambda_i d_i``
(``d = Q^T (w - w*)``), so the three directions never mix. One epoch of the
optimizer is then a 2 x 2 linear map of ``(d, buf)`` per direction and rate,
``optimizer.step_map`` (PyTorch's SGD, ``dampening=0``; ``buf`` is 0 before
the first step); this module only applies it. A schedule makes the map change
from epoch to epoch. For a few rates the epochs are
taken in blocks (the maps' products inside every block at once, then the state
from block to block); for many, one epoch at a time, vectorised over rates and
directions. Either way a few operations on 3R numbers per epoch, whatever the
image size. Without momentum each epoch multiplies ``d_i``
by ``1 - lr_k lambda_i``, and the products are summed as logarithms, all epochs
at once. The distance moved (``d_0 - d_k``) is carried beside ``d`` so that the
weights near the start keep their digits (``w_k = w_0 - Q (d_0 - d_k)``).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from ..pixels.quadratic import Quadratic
from .optimizer import Optimizer, step_map

BLOCK_RATES = 8
"""Up to this many rates, momentum runs by blocks of epochs (8x quicker for one rate:
Python loops 2 sqrt(T) times); beyond, epoch by epoch (the arrays stay small)."""


def direction_paths(
    q: Quadratic,
    lrs: NDArray[np.float64],
    epochs: int,
    w0: NDArray[np.float64],
    optimizer: Optimizer = Optimizer(),
    keep_moved: bool = True,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Excess error per direction and distance moved, for every rate and epoch.

    Parameters
    ----------
    q : Quadratic
    lrs : ndarray, shape (R,)
        Base rates.
    epochs : int
        T; epoch ``k`` steps with ``lr_k = lr m_k`` (``Optimizer.factors``).
    w0 : ndarray, shape (3,)
    optimizer : Optimizer
        Momentum, Nesterov, schedule and warm-up.
    keep_moved : bool
        ``False`` leaves out the distance moved (shape (R, T+1, 0)).

    Returns
    -------
    excess : ndarray, shape (R, T+1, 3)
        ``1/2 lambda_i d_i(k)^2``: ``E(k) = E* + excess.sum(-1)``; ``inf``/NaN once a run overflows.
    moved : ndarray, shape (R, T+1, 3)
        ``d_0 - d(k)`` in the eigenbasis.
    """
    lam = q.eigenvalues
    d0 = q.eigenvectors.T @ (w0 - q.w_star)
    factors = optimizer.factors(epochs)
    with np.errstate(all="ignore"):  # diverging rates overflow on purpose
        if optimizer.momentum == 0.0:
            return _plain(lam, d0, lrs, factors, keep_moved)
        how = _momentum_blocks if len(lrs) <= BLOCK_RATES else _momentum_loop
        return how(lam, d0, lrs, factors, optimizer, keep_moved)


def _plain(
    lam: NDArray[np.float64],
    d0: NDArray[np.float64],
    lrs: NDArray[np.float64],
    factors: NDArray[np.float64],
    keep_moved: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``d_i(k) = d_i(0) prod_{j<k} (1 - lr m_j lambda_i)``, as a sum of logarithms."""
    R, T = len(lrs), len(factors)
    excess = np.zeros((R, T + 1, 3))
    moved = np.zeros((R, T + 1, 3 if keep_moved else 0))
    excess[:, 0] = 0.5 * lam * d0 * d0
    for i in range(3):
        if lam[i] == 0.0 or d0[i] == 0.0:
            continue  # a flat or already-settled direction never moves
        u = np.multiply.outer(lrs * lam[i], factors)  # the factor of epoch k is 1 - u
        flips = u > 1.0
        log_abs = np.where(flips, np.log(np.abs(u - 1.0)), np.log1p(-np.minimum(u, 1.0)))
        S = np.cumsum(log_abs, axis=1)  # log |prod of factors|
        # Scale before squaring: d0² alone can underflow (a start 1e-243 from w*).
        size = np.exp(S + np.log(abs(d0[i]) * np.sqrt(0.5 * lam[i])))
        excess[:, 1:, i] = size * size
        if keep_moved:
            negative = np.cumsum(flips, axis=1) % 2 == 1  # an odd number of negative factors
            # 1 - prod: -expm1(S) keeps its digits when the product is near 1.
            gone = np.where(negative, 1.0 + np.exp(S), -np.expm1(S))
            moved[:, 1:, i] = gone * d0[i]
    return excess, moved


def _momentum_blocks(
    lam: NDArray[np.float64],
    d0: NDArray[np.float64],
    lrs: NDArray[np.float64],
    factors: NDArray[np.float64],
    optimizer: Optimizer,
    keep_moved: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The step maps of every rate, direction and epoch applied by blocks.

    One epoch maps ``(d_k, buf_{k-1})`` to ``(d_{k+1}, buf_k)`` by
    ``A_k = I + G_k`` (``optimizer.step_map`` at ``r = lr_k``). The epochs are cut
    into blocks of about sqrt(T): the products of the maps inside every block
    are built for all blocks at once, then the state is carried from block to
    block, so Python loops about 2 sqrt(T) times instead of T. The products are
    kept minus the identity (``P - I``), so the distance moved, ``-(P - I) s``,
    keeps its digits when the steps are tiny.
    """
    R, T, m = len(lrs), len(factors), len(lam)
    # Extended precision (64-bit mantissa): a schedule may let a run grow a
    # million-fold before it shrinks back, and what is left then is the small
    # difference of large numbers; float64 would keep 1e-16 of the peak in it.
    wide = np.longdouble
    B = max(1, math.isqrt(T - 1) + 1)  # epochs per block
    nb = -(-T // B)  # blocks
    padded = np.zeros(nb * B, wide)  # past the end: rate 0, never read
    padded[:T] = factors
    rate = (lrs.astype(wide)[:, None] * padded[None, :]).reshape(R, nb, B)
    lam_w = lam.astype(wide)
    # Q = P - I inside each block, one entry array per matrix entry: (R, nb, m).
    q00, q01, q10, q11 = (np.zeros((R, nb, m), wide) for _ in range(4))
    row0 = np.empty((2, B, R, nb, m), wide)  # q00, q01 after each epoch of the block
    for j in range(B):
        G = step_map(lam_w, rate[:, :, j, None], optimizer, minus_identity=True)  # A - I
        g00, g01, g10, g11 = G[..., 0, 0], G[..., 0, 1], G[..., 1, 0], G[..., 1, 1]
        # Q' = A Q + (A - I), with A = I + G
        q00, q01, q10, q11 = (
            q00 + g00 * q00 + g01 * q10 + g00,
            q01 + g00 * q01 + g01 * q11 + g01,
            q10 + g10 * q00 + g11 * q10 + g10,
            q11 + g10 * q01 + g11 * q11 + g11,
        )
        row0[0, j], row0[1, j] = q00, q01
    # Carry the state (d, buf) and the distance moved from block to block.
    d_start = np.empty((nb, R, m), wide)
    buf_start = np.empty((nb, R, m), wide)
    moved_start = np.empty((nb, R, m), wide)
    d = np.tile(d0.astype(wide), (R, 1))
    buf = np.zeros((R, m), wide)
    moved = np.zeros((R, m), wide)
    for blk in range(nb):
        d_start[blk], buf_start[blk], moved_start[blk] = d, buf, moved
        change = q00[:, blk] * d + q01[:, blk] * buf
        d, buf = d + change, buf + q10[:, blk] * d + q11[:, blk] * buf
        moved = moved - change
    # Every epoch from its block's start: (B, R, nb, m) -> (R, nb * B, m).
    change = row0[0] * d_start.transpose(1, 0, 2) + row0[1] * buf_start.transpose(1, 0, 2)
    d_all = np.empty((R, T + 1, m))
    d_all[:, 0] = d0
    d_all[:, 1:] = (
        (d_start.transpose(1, 0, 2) + change).transpose(1, 2, 0, 3).reshape(R, -1, m)[:, :T]
    )
    d_all *= np.sqrt(0.5 * lam)  # scale before squaring, as in _plain
    excess = d_all * d_all
    if not keep_moved:
        return excess, np.zeros((R, T + 1, 0))
    moved_all = np.zeros((R, T + 1, m))
    moved_all[:, 1:] = (
        (moved_start.transpose(1, 0, 2) - change).transpose(1, 2, 0, 3).reshape(R, -1, m)[:, :T]
    )
    return excess, moved_all


def _momentum_loop(
    lam: NDArray[np.float64],
    d0: NDArray[np.float64],
    lrs: NDArray[np.float64],
    factors: NDArray[np.float64],
    optimizer: Optimizer,
    keep_moved: bool,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The step maps applied one epoch at a time, every rate and direction at once: quicker
    than ``_momentum_blocks`` for many rates (its arrays stay small and in cache).

    The rate scales only the offset's row of the map (``optimizer.step_map``), so
    the maps are built once at the base rates and that row is scaled by ``m_k``."""
    R, T = len(lrs), len(factors)
    d_all = np.empty((T + 1, R, 3))
    moved_all = np.zeros((T + 1, R, 3) if keep_moved else (1, 1, 3))
    # Extended precision (64-bit mantissa): a schedule may let a run grow a
    # million-fold before it shrinks back, and what is left then is the small
    # difference of large numbers; float64 would keep 1e-16 of the peak in it.
    wide = np.longdouble
    lam_w, lr_w = lam.astype(wide), lrs.astype(wide)[:, None]
    G = step_map(lam_w, lr_w, optimizer, minus_identity=True)
    g00, g01 = G[..., 0, 0].copy(), G[..., 0, 1].copy()  # the offset's change, at the base rates
    A = step_map(lam_w, lr_w, optimizer)  # the buffer's row: the map itself
    a10, a11 = A[..., 1, 0].copy(), A[..., 1, 1].copy()
    d = np.tile(d0.astype(wide), (R, 1))
    d_all[0] = d
    moved = np.zeros((R, 3), wide)
    buf = np.zeros((R, 3), wide)
    change = np.empty((R, 3), wide)
    part = np.empty((R, 3), wide)
    m = factors.astype(wide)
    scheduled = bool((factors != 1.0).any())  # a constant rate: m_k = 1, nothing to scale
    for k in range(T):
        np.multiply(g00, d, out=change)
        np.multiply(g01, buf, out=part)
        change += part
        if scheduled:
            change *= m[k]
        np.multiply(a11, buf, out=buf)
        np.multiply(a10, d, out=part)
        buf += part
        d += change
        d_all[k + 1] = d
        if keep_moved:
            moved -= change
            moved_all[k + 1] = moved
    d_all = d_all.transpose(1, 0, 2)
    d_all *= np.sqrt(0.5 * lam)  # scale before squaring, as in _plain
    excess = d_all * d_all
    if not keep_moved:
        return excess, np.zeros((R, T + 1, 0))
    return excess, moved_all.transpose(1, 0, 2)


__all__ = ["direction_paths"]
