"""Learning-rate schedules: the rate of every epoch, ``lr_k = lr * m_k``.

A schedule (declared once as ``params.SCHEDULE``) and a warm-up give each
epoch ``k = 0 … T-1`` a multiplier ``m_k`` of the base rate ``lr``, in the
convention of PyTorch's ``LambdaLR`` (one ``scheduler.step()`` per epoch):

- ``constant``: 1;
- ``step:EVERY:FACTOR``: ``FACTOR ** (k // EVERY)``;
- ``exp:FACTOR``: ``FACTOR ** k``;
- ``inverse:TAU``: ``1 / (1 + k / TAU)``;
- ``cosine``: ``(1 + cos(pi k / T)) / 2``;
- a warm-up of ``W`` epochs multiplies ``m_k`` by ``(k + 1) / W`` for ``k < W``.

In a mini-batch run every batch of epoch ``k`` steps with ``lr_k``. Because
every schedule multiplies the base rate, one array of multipliers serves
every rate of a sweep at once. The textbook loop (``textbook.lr_at``) writes
the same formulas out one epoch at a time; tests hold the two equal.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ..params import EPOCHS, SCHEDULE, WARMUP, schedule_parts


def rate_factors(
    schedule: str = "constant", epochs: int = 1, warmup: int = 0
) -> NDArray[np.float64]:
    """The multipliers ``m_k`` of the base rate for epochs ``k = 0 … epochs-1``.

    Parameters
    ----------
    schedule : str
        A schedule by ``params.SCHEDULE`` (checked here: a bad one raises ``ValueError``).
    epochs : int
        The number of updates T (``cosine`` reaches 0 at ``k = T``).
    warmup : int
        Warm-up epochs W >= 0.

    Returns
    -------
    ndarray, shape (epochs,)
        Every value in (0, 1], or 0 where it is below the smallest float
        (``exp:0.01`` after 162 epochs, ``inverse:5e-324`` after one).

    Examples
    --------
    >>> rate_factors("step:2:0.5", 5).tolist()
    [1.0, 1.0, 0.5, 0.5, 0.25]
    >>> rate_factors("cosine", 4, warmup=2).round(4).tolist()
    [0.5, 0.8536, 0.5, 0.1464]
    """
    kind, args = _parts(SCHEDULE.check(schedule))
    T = int(EPOCHS.check(epochs))
    W = int(WARMUP.check(warmup))
    k = np.arange(T, dtype=np.float64)
    if kind == "constant":
        m = np.ones(T)
    elif kind == "step":
        every, factor = args
        m = factor ** np.floor_divide(k, every)
    elif kind == "exp":
        m = args[0] ** k
    elif kind == "inverse":
        m = args[0] / (args[0] + k)  # 1/(1 + k/TAU), without k/TAU overflowing for a tiny TAU
    else:  # cosine
        m = 0.5 * (1.0 + np.cos(np.pi * k / T))
    if W > 0:
        early = k < W
        m[early] *= (k[early] + 1.0) / W
    return m


def is_constant(schedule: str = "constant", warmup: int = 0) -> bool:
    """True when every epoch steps with the base rate itself (no schedule, no warm-up).

    A warm-up of 1 epoch multiplies epoch 0 by 1/1: it changes nothing.

    >>> is_constant("constant", 1), is_constant("exp:1"), is_constant("cosine")
    (True, False, False)
    """
    return SCHEDULE.check(schedule) == "constant" and int(WARMUP.check(warmup)) <= 1


def describe(schedule: str = "constant", warmup: int = 0) -> str:
    """The schedule in the lesson's words, for notes and reasons: a noun phrase, so that
    "with …, the rate stays above" and "… leaves a last rate of" both read.

    >>> describe("step:100:0.5", 10)
    'a warm-up over 10 epochs, then a rate that halves (× 0.5) every 100 epochs'
    >>> describe("step:1:0.9"), describe("inverse:20")
    ('a rate multiplied by 0.9 every epoch', 'a rate falling as 1/(1 + k/20) at epoch k')
    """
    checked = SCHEDULE.check(schedule)
    kind, args = _parts(checked)
    shown = checked.split(":")[1:]  # each number as the schedule's text writes it, exactly
    if kind == "constant":
        text = "a constant rate"
    elif kind == "step":
        every = "every epoch" if args[0] == 1 else f"every {int(args[0]):,} epochs"
        verb = "that halves (× 0.5)" if args[1] == 0.5 else f"multiplied by {shown[1]}"
        text = f"a rate {verb} {every}"
    elif kind == "exp":
        text = f"a rate multiplied by {shown[0]} every epoch"
    elif kind == "inverse":
        text = f"a rate falling as 1/(1 + k/{shown[0]}) at epoch k"
    else:
        text = "a rate falling along half a cosine to 0"
    W = int(WARMUP.check(warmup))
    if W > 1:
        text = f"a warm-up over {W:,} epochs, then " + text
    return text


def _parts(schedule: str) -> tuple[str, tuple[float, ...]]:
    parts = schedule_parts(schedule)
    assert not isinstance(parts, str)  # checked by SCHEDULE already
    return parts


__all__ = ["describe", "is_constant", "rate_factors"]
