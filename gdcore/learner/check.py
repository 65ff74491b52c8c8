"""Check a learner's loop: their printed errors against the exact curve of their setup.

The learner says what their project did (image, scale, rate, starting weights)
and gives the errors their code printed, epoch 0 first. The engine computes the
exact curve for that setup, and:

- **match** when every printed value agrees with it to the digits printed:
  within half a unit of its last printed digit (``0.5321`` may be off by
  0.00005), or within the rounding any correct loop makes (``RTOL`` relative,
  ``FLOOR`` of the starting error, as ``gdcore.descent.testing`` asks of the engine);
- otherwise it tries the mistakes learners make, each a small variant of the
  textbook loop (``MISTAKES``), alone and together (up to ``MAX_MISTAKES``), and
  names the fewest that explain every value;
- otherwise **unexplained K**: K is the first epoch where the values depart
  from the exact curve.

A variant loop is not run pixel by pixel: on the bowl
``E(w) = E* + 1/2 (w - w*)^T H (w - w*)`` each variant is the engine's closed
form on a changed bowl (a table on another scale, a bowl without the intercept
direction) at a changed rate (``2 x``, ``N x``, negative for ascent), then the
printed numbers changed (doubled, one epoch late). So a check costs the same on
any image, and the tests hold each variant equal to its loop written out.

With momentum, Nesterov, a schedule or a warm-up (an ``Optimizer``, PyTorch's
conventions as the engine runs them) the variants are the engine's
eigen-direction recurrence (``descent.directions``) on the same bowls, and
the conventions learners write instead are tried too: a moving-average
momentum (the rate times 1 - β), the rate inside the momentum (Keras's
recurrence), Nesterov's step or not, the schedule one epoch ahead, a warm-up
from 0.

A printed ``inf`` or ``nan`` agrees with a loop that blew up (past
``runs.BLOWUP_ERROR``: past overflow the digits say nothing); a printed
number agrees only with a number near it, however large. So a named finding
reproduces every printed value to its digits (``test_check`` holds it under
hypothesis); values that never change are ``no-change``, never a rate too
small to show; a number beyond float64 (``1e309``) is refused.

A loop computing in float32 (PyTorch's default) cannot agree to every digit it
prints. When nothing fits in float64 and the printed digits could be a
float32's, the search runs again at float32's rounding (``SINGLE``), and the
evidence says so.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..descent.optimizer import Optimizer
from .agreement import DOUBLE, SINGLE, could_be_single
from .findings import Check
from .printed_errors import Printed, read_printed
from .search import fewest_mistakes
from .setup import PLAIN, READINGS, Loop, Setup, said


def check_loop(setup: Setup, values: tuple[Printed, ...]) -> Check:
    """Check a learner's printed errors (epoch 0 first) against their setup.

    Parameters
    ----------
    setup : Setup
        The image, scale, rate and starting weights the learner's loop used.
    values : tuple of Printed
        The errors as printed (``read_printed``), with their digits.

    Returns
    -------
    Check
        ``match``; or the fewest mistakes (``MISTAKES``, at most
        ``MAX_MISTAKES``) whose variant loop prints every value; or
        ``unexplained`` with the first epoch where the values depart.

    Examples
    --------
    >>> s = Setup(np.array([[0.0, 255.0]]), "unit", 0.5)
    >>> check_loop(s, read_printed("0.25 0.0781 0.0488")).headline
    'match'
    >>> check_loop(s, read_printed("0.5 0.1563 0.0977")).headline
    'reports-mse'
    """
    return check_readings(setup, values, {})


def check_readings(
    setup: Setup, values: tuple[Printed, ...], others: dict[str, NDArray[np.float64]]
) -> Check:
    """``check_loop`` on the image as gdcore reads it and on each other reading of the same
    size (``READINGS``), every reading in float64 before any in float32; the reading that
    explains the numbers is said."""
    setups = {"": setup}
    for name, pixels in others.items():
        if pixels.shape == setup.pixels.shape and not np.array_equal(pixels, setup.pixels):
            setups[READINGS[name]] = Setup(
                pixels,
                setup.scale,
                setup.lr,
                setup.w0,
                optimizer=setup.optimizer,
                epochs=setup.epochs,
            )
    first = None
    for precision in (DOUBLE, SINGLE) if could_be_single(values) else (DOUBLE,):
        for reading, each in setups.items():  # every reading in float64 before any in float32
            found = fewest_mistakes(each, values, precision)
            if found.outcome != "unexplained":
                return replace(found, reading=reading, optimizer_said=said(setup.optimizer))
            first = first or found
    assert first is not None
    return replace(first, optimizer_said=said(setup.optimizer))


def check(
    pixels: ArrayLike,
    scale: str,
    lr: float,
    errors: str | tuple[Printed, ...],
    init: str | ArrayLike = "zero",
    seed: int = 0,
    optimizer: Optimizer = PLAIN,
    epochs: int | None = None,
) -> Check:
    """Check printed errors (text, or ``read_printed``'s values) against a setup.

    >>> print(check(np.array([[0.0, 255.0]]), "unit", 0.5, "0.25, 0.0781, 0.0488"))
    match
    All 3 values agree with the exact curve to the digits printed (epoch 2: printed 0.0488, exact 0.048828125).
    """
    values = read_printed(errors) if isinstance(errors, str) else errors
    return check_loop(Setup(pixels, scale, lr, init, seed, optimizer, epochs), values)


def example(setup: Setup, count: int = 30) -> str:
    """What a loop that left the ½ out of the error and the slopes prints, for a first look."""
    curve = setup.curve(Loop(setup.scale, 2.0 * setup.lr, mse=True), count)
    return ", ".join(f"{v:.6g}" for v in curve)


__all__ = [
    "check",
    "check_loop",
    "check_readings",
    "example",
]
