"""One verdict on a run on an image: the plain rules or the knobs' rules, chosen here.

``diagnosis`` holds the plain verdicts (a constant rate, no momentum) and the
curve rules; ``knobs`` the verdicts for momentum, Nesterov, a schedule or a
warm-up, built on them. ``diagnose`` picks the one that applies, so the
dashboard, the command line and the exercises judge a run the same way, and
neither of the two modules needs the other's choice (no import cycle).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..bowl.theory import Theory
from ..descent.optimizer import Optimizer
from .diagnosis import Diagnosis, diagnose_plain
from .knobs import diagnose_knobs


def diagnose(
    errors: ArrayLike,
    lr: float,
    th: Theory,
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
    th : Theory
    w0 : ndarray, shape (3,)
        The starting weights.
    full_batch : bool
        Mini-batch runs are judged from the curve, with the theory as context.
    optimizer : Optimizer
        The run's knobs, as ``engine.run_descent`` takes them: with momentum, a
        schedule or a warm-up the rules are ``knobs.diagnose_knobs``, else
        ``diagnosis.diagnose_plain``.

    Examples
    --------
    >>> from gdcore.pixels.table import pixel_table
    >>> from gdcore.pixels.quadratic import quadratic
    >>> from gdcore.bowl.theory import theory
    >>> from gdcore.descent.engine import run_descent
    >>> t = pixel_table(np.eye(2) * 255, "unit")
    >>> th = theory(quadratic(t))
    >>> diagnose(run_descent(t, [0.5], 50).errors[0], 0.5, th, np.zeros(3)).verdict
    'good'
    """
    e = np.asarray(errors, dtype=np.float64)
    if not optimizer.plain:
        return diagnose_knobs(e, lr, th, w0, optimizer=optimizer, full_batch=full_batch)
    return diagnose_plain(e, lr, th, w0, full_batch)


diagnose_run = diagnose
"""The name this function had before ``diagnose``: kept so that old code keeps working."""

__all__ = ["diagnose", "diagnose_run"]
