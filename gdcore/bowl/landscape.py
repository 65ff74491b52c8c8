"""Slices of the error bowl, for pictures of descent walking downhill.

The lesson draws the error against one weight. With three weights, a picture
needs the others held somewhere: here they stay at their best values ``w*``,
and only the chosen weights learn. Then the path lies exactly on the slice
that is drawn, and the slice is itself a bowl with its own curvature
``H[free, free]`` and its own critical rate ``2 / lambda_max`` of that block.

Around the slices, the geometry of a picture: the part of weight space to
draw (``view_window``), what one step does to the distance from the bottom
(``step_kind``), how stretched a two-weight valley is (``slice_condition``,
``valley_shape``) and the coloured cells of a map (``excess_cells``).
``walk`` puts them together for one walk, ready to draw.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from ..descent.optimizer import Optimizer, step_map
from ..descent.runs import BLOWUP_ERROR
from ..pixels.quadratic import Quadratic

WEIGHT_NAMES = ("w0", "w1", "w2")

VIEW = 4.0
"""A picture reaches at most this many times the start's distance from w*, either side of w*..."""
VIEW_MIN = 0.1
"""...and at least this share of that reach, so the bottom never sits on the edge."""
VIEW_PAD = 0.08
"""A margin of this share of the window on every side."""
EXACT = 1e-9
"""A step factor this close to 0 or -1 counts as exactly there (rounding of a typed rate)."""
ROUND = 1.5
"""A valley with kappa below this reads as a round bowl."""
PROFILE_POINTS = 200
"""Values along one weight for the drawn parabola."""
GRID_CELLS = 60
"""Cells per side of a two-weight map."""


def slice_critical_lr(bowl: Quadratic, free: Sequence[int]) -> float:
    """Critical rate ``2 / lambda_max`` of the bowl restricted to ``free`` weights."""
    idx = list(free)
    top = float(np.linalg.eigvalsh(bowl.hessian[np.ix_(idx, idx)])[-1])
    return 2.0 / top if top > 0 else float("inf")


def slice_descent(
    bowl: Quadratic,
    free: Sequence[int],
    lr: float,
    epochs: int,
    start: NDArray[np.float64],
    optimizer: Optimizer = Optimizer(),
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Descent in which only the ``free`` weights learn; the others stay at w*.

    Returns the weights (epochs+1, 3) and errors (epochs+1,), NaN from the
    epoch the run blows up (the rule of ``runs.py``). With the optimizer's
    momentum β the ball is heavy (its step map, ``optimizer.step_map``, on the
    slice's curvature: the Hessian's rows of the free weights), so it
    overshoots the bottom and spirals in. The rate is constant (a schedule is
    not walked here).

    Examples
    --------
    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> q = quadratic(pixel_table(np.array([[0.0, 255.0]]), "unit"))
    >>> w, e = slice_descent(q, [1], 0.5, 1, np.zeros(3))
    >>> w[1].round(4).tolist()
    [0.0, 0.25, 0.0]
    """
    mask = np.zeros(3, dtype=bool)
    mask[list(free)] = True
    w = np.where(mask, np.asarray(start, dtype=np.float64), bowl.w_star)
    weights = np.full((epochs + 1, 3), np.nan)
    errors = np.full(epochs + 1, np.nan)
    # The slope of x = w - w* is G x: the Hessian's rows of the free weights.
    A = step_map(np.where(mask[:, None], bowl.hessian, 0.0), lr, optimizer, matrix=True)
    state = np.concatenate([w - bowl.w_star, np.zeros(3)])  # (x, buf)
    with np.errstate(all="ignore"):
        for k in range(epochs + 1):
            e = float(bowl.error(w))
            if not np.isfinite(e) or e > BLOWUP_ERROR:
                break
            weights[k], errors[k] = w, e
            state = A @ state
            w = bowl.w_star + state[:3]
    return weights, errors


def error_along(bowl: Quadratic, i: int, values: NDArray[np.float64]) -> NDArray[np.float64]:
    """The error as weight ``i`` takes each of ``values``, the others at w*."""
    w = np.tile(bowl.w_star, (len(values), 1))
    w[:, i] = values
    return bowl.error(w)


def error_grid(
    bowl: Quadratic, i: int, j: int, xs: NDArray[np.float64], ys: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The error over weights ``i`` (columns, ``xs``) and ``j`` (rows, ``ys``)."""
    w = np.tile(bowl.w_star, (len(ys), len(xs), 1))
    w[:, :, i] = xs[None, :]
    w[:, :, j] = ys[:, None]
    return bowl.error(w)


def profile(
    bowl: Quadratic, i: int, lo: float, hi: float, n: int = PROFILE_POINTS
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``n`` evenly spaced values of weight ``i`` from ``lo`` to ``hi``, and the error at each."""
    values = np.linspace(lo, hi, n)
    return values, error_along(bowl, i, values)


def view_window(
    centre: NDArray[np.float64], start: NDArray[np.float64], path: NDArray[np.float64]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The box of weight space to draw: the start, the bottom and the path, within reach.

    Parameters
    ----------
    centre : ndarray of shape (d,)
        The bottom of the slice, ``w*`` of the free weights.
    start : ndarray of shape (d,)
        Where the walk starts.
    path : ndarray of shape (k, d)
        The steps; rows with a non-finite value are ignored.

    Returns
    -------
    lo, hi : ndarray of shape (d,)
        Corners of the box. It holds the start, the bottom and every step that
        stays within ``VIEW`` times the start's distance of the bottom (the
        largest of its coordinates); steps further out are left outside.

    Examples
    --------
    A start 1 from the bottom gives a reach of 4: a step out at 9 is cut off.

    >>> lo, hi = view_window(np.array([1.0]), np.array([0.0]), np.array([[0.5], [9.0]]))
    >>> lo.round(3).tolist(), hi.round(3).tolist()
    ([-0.4], [5.4])
    """
    reach = VIEW * max(float(np.abs(start - centre).max()), 1e-9)
    finite = np.vstack([path[np.isfinite(path).all(axis=1)], start, centre])
    lo = np.maximum(np.minimum(finite.min(axis=0), centre - VIEW_MIN * reach), centre - reach)
    hi = np.minimum(np.maximum(finite.max(axis=0), centre + VIEW_MIN * reach), centre + reach)
    pad = VIEW_PAD * (hi - lo)
    return lo - pad, hi + pad


class Step(StrEnum):
    """What one step of descent does to the distance from the bottom, in words."""

    ONE_STEP = "the weight lands on the bottom in one step"
    SHRINK = "the steps shrink without crossing the bottom"
    ZIGZAG = "each step jumps across the bottom and lands closer"
    BOUNCE = "each step lands exactly as far out on the other side"
    DIVERGE = "each step jumps across and lands further out: it diverges"
    STILL = "the steps never get closer to the bottom"


def step_factor(lr: float, curvature: float) -> float:
    """``1 - lr * curvature``: what every step multiplies the distance to the bottom by.

    Within ``EXACT`` of 0 or -1 it is set to exactly 0 or -1, so a rate typed
    as half or all of the critical rate ``2 / curvature`` reads as exact.

    >>> step_factor(0.5 * 2 / 3.0, 3.0), step_factor(2 / 3.0, 3.0)
    (0.0, -1.0)
    """
    factor = 1.0 - lr * curvature
    for exact in (0.0, -1.0):
        if abs(factor - exact) <= EXACT:
            return exact
    return factor


def step_kind(factor: float) -> Step:
    """Classify a step by its factor ``1 - lr * curvature`` (see ``step_factor``).

    >>> [step_kind(f).name for f in (0.0, 0.5, -0.5, -1.0, -1.5, 1.0)]
    ['ONE_STEP', 'SHRINK', 'ZIGZAG', 'BOUNCE', 'DIVERGE', 'STILL']
    """
    if abs(factor) <= EXACT:
        return Step.ONE_STEP
    if abs(factor + 1.0) <= EXACT:
        return Step.BOUNCE
    if 0.0 < factor < 1.0:
        return Step.SHRINK
    if -1.0 < factor < 0.0:
        return Step.ZIGZAG
    return Step.DIVERGE if factor < -1.0 else Step.STILL


def slice_condition(bowl: Quadratic, free: Sequence[int]) -> float:
    """Condition number ``lambda_max / lambda_min`` of the bowl restricted to ``free`` weights.

    How many times steeper the slice is across its valley than along it;
    ``inf`` when some direction of the slice is flat.
    """
    idx = list(free)
    lam = np.linalg.eigvalsh(bowl.hessian[np.ix_(idx, idx)])
    return float(lam[-1] / lam[0]) if lam[0] > 0 else float("inf")


def valley_shape(kappa: float, steep_factor: float) -> str:
    """The shape of a two-weight slice and what the path does in it, as a phrase.

    ``kappa`` is the slice's condition number, ``steep_factor`` the step factor
    across the valley, ``1 - lr * lambda_max``: below 0 the path crosses the
    valley at every step, at -1 it bounces for ever, below -1 it is thrown
    further out each time.

    >>> valley_shape(1.0, 0.5)
    'a round bowl, so the path heads straight for the bottom.'
    """
    shape = "a round bowl" if kappa < ROUND else "a stretched valley"
    kind = step_kind(steep_factor)
    if kind is Step.BOUNCE:
        return (
            f"{shape}, but every step lands as far out on the other side: the path never settles."
        )
    if kind is Step.DIVERGE:
        return (
            f"{shape}, but every step overshoots further than the last, so the path is thrown out."
        )
    if kappa < ROUND:
        return f"{shape}, so the path heads straight for the bottom."
    if steep_factor < 0:
        return f"{shape}, so the path zig-zags across it while creeping along it."
    return f"{shape}, so the path slides down its steep side, then creeps along the floor."


@dataclass(frozen=True, eq=False)
class Cells:
    """The cells of a two-weight map: edges and ``E - E*``, one entry per cell.

    Attributes
    ----------
    x, x2, y, y2 : ndarray of shape (n * n,)
        Left, right, bottom and top edges; cells are centred on a regular grid.
    excess : ndarray of shape (n * n,)
        The error at the cell's centre minus the lowest error ``E*``.
    """

    x: NDArray[np.float64]
    x2: NDArray[np.float64]
    y: NDArray[np.float64]
    y2: NDArray[np.float64]
    excess: NDArray[np.float64]


def excess_cells(
    bowl: Quadratic,
    i: int,
    j: int,
    lo: NDArray[np.float64],
    hi: NDArray[np.float64],
    n: int = GRID_CELLS,
) -> Cells:
    """An ``n`` x ``n`` map of ``E - E*`` over weights ``i`` (x) and ``j`` (y), the others at w*.

    Cell centres run from ``lo`` to ``hi``; the edges lie half a cell either side.
    """
    xs, ys = np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n)
    excess = error_grid(bowl, i, j, xs, ys) - bowl.error_star
    dx, dy = (xs[1] - xs[0]) / 2, (ys[1] - ys[0]) / 2
    gx, gy = (g.ravel() for g in np.meshgrid(xs, ys))
    return Cells(gx - dx, gx + dx, gy - dy, gy + dy, excess.ravel())


@dataclass(frozen=True, eq=False)
class Walk:
    """A walk on a slice, ready to draw: its rate, the steps in view and the view.

    Attributes
    ----------
    free : tuple of int
        The weights that learn.
    critical_lr, lr : float
        The slice's critical rate ``2 / lambda_max`` and the rate walked.
    epochs : ndarray of int, shape (k,)
        The epochs of the steps in view.
    points : ndarray of shape (k, len(free))
        The free weights at those epochs.
    errors : ndarray of shape (k,)
    lo, hi : ndarray of shape (len(free),)
        The view, from ``view_window``.
    steps : int
        Steps walked, epoch 0 included; those not in ``epochs`` are off the
        picture (too far out, or blown up).
    momentum : float
        β of the heavy ball (0: plain descent).
    """

    free: tuple[int, ...]
    critical_lr: float
    lr: float
    epochs: NDArray[np.int64]
    points: NDArray[np.float64]
    errors: NDArray[np.float64]
    lo: NDArray[np.float64]
    hi: NDArray[np.float64]
    steps: int
    momentum: float = 0.0

    @property
    def factor(self) -> float:
        """The step factor across the steepest direction, ``1 - lr * lambda_max``
        (``1 - lr * H[i, i]`` for one weight): see ``step_factor``."""
        return step_factor(self.lr, 2.0 / self.critical_lr)

    @property
    def off(self) -> int:
        """Steps not drawn: out of view, or after a blow-up."""
        return self.steps - len(self.epochs)


def walk(
    bowl: Quadratic,
    free: Sequence[int],
    speed: float,
    epochs: int,
    start: NDArray[np.float64] | None = None,
    optimizer: Optimizer = Optimizer(),
) -> Walk | None:
    """Walk ``epochs`` steps on a slice at ``speed`` times its critical rate.

    The walk starts at ``start`` (zero weights by default, as in the lesson).
    With the optimizer's momentum β the ball is heavy (``slice_descent``); ``speed`` stays a
    multiple of the plain critical rate, so a walk with and one without
    momentum take the same rate.
    Returns ``None`` when the slice is flat: the free weights cannot change the
    prediction, so there is no downhill to walk.

    Examples
    --------
    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> q = quadratic(pixel_table(np.array([[0.0, 255.0]]), "unit"))
    >>> w = walk(q, [1], 0.5, 3)
    >>> w.points[:, 0].round(4).tolist(), w.off
    ([0.0, 1.0, 1.0, 1.0], 0)
    """
    idx = list(free)
    critical = slice_critical_lr(bowl, idx)
    if not np.isfinite(critical):
        return None
    w0 = np.zeros(3) if start is None else np.asarray(start, dtype=np.float64)
    lr = speed * critical
    weights, errors = slice_descent(bowl, idx, lr, epochs, w0, optimizer)
    ok = np.isfinite(errors)
    pts = weights[ok][:, idx]
    lo, hi = view_window(bowl.w_star[idx], w0[idx], pts)
    inside = ((pts >= lo) & (pts <= hi)).all(axis=1)
    return Walk(
        tuple(idx),
        critical,
        lr,
        np.flatnonzero(ok)[inside],
        pts[inside],
        errors[ok][inside],
        lo,
        hi,
        epochs + 1,
        optimizer.momentum,
    )
