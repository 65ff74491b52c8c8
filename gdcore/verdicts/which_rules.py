"""One verdict on a run or a curve: the rules that apply, chosen here.

``diagnosis`` holds the plain verdicts (a constant rate, no momentum) and the
curve rules; ``optimizer_verdict`` the verdicts for momentum, Nesterov, a schedule or a
warm-up; ``noise`` the trend of a learner's noisy log; the last two build on
the first. ``diagnose`` (a run on an image) and ``diagnose_curve`` (a curve
alone) pick the one that applies, so the dashboard, the command line and the
exercises judge alike, and no module needs another's choice (no import cycle).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..bowl.theory import Theory
from ..descent.optimizer import Optimizer
from .diagnosis import Diagnosis, check_curve, curve_rules_verdict, diagnose_plain
from .noise import Axis, diagnose_noisy
from .optimizer_verdict import diagnose_optimizer_run


def diagnose(
    errors: ArrayLike,
    lr: float,
    theory: Theory,
    w0: NDArray[np.float64],
    full_batch: bool = True,
    *,
    optimizer: Optimizer = Optimizer(),
) -> Diagnosis:
    """Judge a run on an image, using the image's theory.

    Parameters
    ----------
    errors : array_like, shape (T+1,)
        The run's errors at epochs 0..T (NaN after a blow-up).
    lr : float
        The (base) rate.
    theory : Theory
    w0 : ndarray, shape (3,)
        The starting weights.
    full_batch : bool
        Mini-batch runs are judged from the curve, with the theory as context.
    optimizer : Optimizer
        The run's optimizer, as ``engine.run_descent`` takes it: with momentum, a
        schedule or a warm-up the rules are ``optimizer_verdict.diagnose_optimizer_run``, else
        ``diagnosis.diagnose_plain``.

    Examples
    --------
    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> from gdcore.bowl.theory import theory
    >>> from gdcore.descent.engine import run_descent
    >>> t = pixel_table(np.eye(2) * 255, "unit")
    >>> bowl_theory = theory(quadratic(t))
    >>> diagnose(run_descent(t, [0.5], 50).errors[0], 0.5, bowl_theory, np.zeros(3)).verdict
    'good'
    """
    e = np.asarray(errors, dtype=np.float64)
    if not optimizer.plain:
        return diagnose_optimizer_run(e, lr, theory, w0, optimizer=optimizer, full_batch=full_batch)
    return diagnose_plain(e, lr, theory, w0, full_batch)


def diagnose_curve(
    errors: ArrayLike, lr: float | None = None, *, axis: Axis | None = None
) -> Diagnosis:
    """Judge a learning rate from its error curve alone (``diagnosis``' rules).

    Parameters
    ----------
    errors : array_like
        Error at epochs 0, 1, 2, ...; at least two values, none negative.
    lr : float, optional
        The rate used, to turn the verdict into a suggested next rate.
    axis : noise.Axis, optional
        What a learner's log counts (steps, the epoch of each value). Given, a
        noisy curve is judged by its trend (``noise.diagnose_noisy``); engine runs
        leave it out.

    Examples
    --------
    >>> print(diagnose_curve([2.0, 0.1, 5.0, 20]))
    too large: the error rose from 0.1 to 20 between epochs 1 and 3: overshoot.
    """
    e = check_curve(errors)
    if axis is not None:
        noisy = diagnose_noisy(e, lr, axis)
        if noisy is not None:
            return noisy
    return curve_rules_verdict(e, lr)


diagnose_run = diagnose
"""The name this function had before ``diagnose``: kept so that old code keeps working."""

__all__ = ["diagnose", "diagnose_curve", "diagnose_run"]
