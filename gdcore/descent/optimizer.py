"""The optimizer, defined once: momentum β, Nesterov, a schedule and a warm-up, and the step they take.

``Optimizer`` is one immutable value holding the four settings beside the
learning rate, each checked by its declaration in ``gdcore.params``
(``MOMENTUM``, ``NESTEROV``, ``SCHEDULE``, ``WARMUP``) and the rule between
two of them (Nesterov needs β > 0). It is written as one line of text, the
same tokens in a link's run list, on the command line and in its ``repr``:

>>> opt = Optimizer(0.9, nesterov=True, schedule="step:100:0.50", warmup=5)
>>> opt
Optimizer(momentum=0.9, nesterov=True, schedule='step:100:0.5', warmup=5)
>>> opt.text
'momentum=0.9 nesterov schedule=step:100:0.5 warmup=5'
>>> Optimizer.parse(opt.text) == opt, opt.argv()[:2]
(True, ['--momentum', '0.9'])
>>> Optimizer(1.0)
Traceback (most recent call last):
...
ValueError: momentum: must be a number >= 0 and < 1, got 1.

``step_map`` is the only place where the optimizer's step is written: PyTorch's
``torch.optim.SGD`` with ``dampening=0``. With the slope ``g = G x`` of an
offset ``x`` (``G`` a curvature: one eigenvalue ``lambda`` of the bowl per
direction, or a batch's matrix) and the momentum buffer ``buf`` (0 before the
first step), one epoch at rate ``r`` is

    buf' = beta buf + g
    x'   = x - r buf'                 (heavy ball, PyTorch's default)
    x'   = x - r (g + beta buf')      (Nesterov, as torch does: ``nesterov=True``)

a linear map of ``(x, buf)``. Every fast way of running it (the blocks and the
epoch-by-epoch loop of ``directions``, the mini-batch maps of ``batches``, the
forecasts and the rate × β map) applies that map; the textbook loop
(``textbook.descend_sgd``) writes the recurrence out as the reference the tests
hold them to.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..params import MOMENTUM, NESTEROV, SCHEDULE, WARMUP, Param, given, nesterov_problem
from .schedules import describe, is_constant, rate_factors

OPTIMIZER_FIELDS: tuple[Param, ...] = (MOMENTUM, NESTEROV, SCHEDULE, WARMUP)
"""The optimizer's parameters, in the order of its fields and of its text."""

_SPELLING = "momentum=B, nesterov, schedule=SPEC, warmup=W"


@dataclass(frozen=True)
class Optimizer:
    """Momentum, Nesterov, schedule and warm-up: how each epoch steps, beside the rate.

    Parameters
    ----------
    momentum : float
        β in [0, 1) (``params.MOMENTUM``): each step keeps β of the last and adds the new slope.
    nesterov : bool
        Nesterov's step (``params.NESTEROV``); needs β > 0.
    schedule : str
        The rate's schedule (``params.SCHEDULE``), kept in its canonical spelling.
    warmup : int
        Warm-up epochs W >= 0 (``params.WARMUP``).

    Raises
    ------
    ValueError
        Naming the parameter, what is allowed and what was given.

    Examples
    --------
    >>> Optimizer(), Optimizer().plain, Optimizer(schedule="cosine").plain
    (Optimizer(), True, False)
    >>> Optimizer(nesterov=True)
    Traceback (most recent call last):
    ...
    ValueError: nesterov: needs a momentum > 0 (Nesterov's step looks ahead along the momentum), got momentum 0.
    """

    momentum: float = MOMENTUM.default
    nesterov: bool = NESTEROV.default
    schedule: str = SCHEDULE.default
    warmup: int = WARMUP.default

    def __post_init__(self) -> None:
        for param in OPTIMIZER_FIELDS:
            value = getattr(self, param.name)
            if param is NESTEROV and isinstance(value, np.bool_):
                value = bool(value)
            object.__setattr__(self, param.name, param.check(value))
        problem = nesterov_problem(self.momentum, self.nesterov)
        if problem is not None:
            raise ValueError(f"{problem}.")

    @property
    def plain(self) -> bool:
        """No momentum and a constant rate: plain gradient descent."""
        return self.momentum == 0.0 and self.constant_rate

    @property
    def constant_rate(self) -> bool:
        """Every epoch steps with the base rate itself (``schedules.is_constant``)."""
        return is_constant(self.schedule, self.warmup)

    def factors(self, epochs: int) -> NDArray[np.float64]:
        """The multipliers ``m_k`` of the base rate, epochs ``0 … epochs-1`` (``schedules.rate_factors``).

        >>> Optimizer(schedule="step:2:0.5", warmup=2).factors(5).tolist()
        [0.5, 1.0, 0.5, 0.5, 0.25]
        """
        return rate_factors(self.schedule, epochs, self.warmup)

    def rates(self, lr: float, epochs: int) -> NDArray[np.float64]:
        """The rate ``lr_k = lr m_k`` of every epoch ``0 … epochs-1``."""
        return lr * self.factors(epochs)

    def describe(self) -> str:
        """The schedule and warm-up in the lesson's words (``schedules.describe``)."""
        return describe(self.schedule, self.warmup)

    def changed(self) -> dict[str, Any]:
        """The fields that differ from their defaults, by name, in the order of ``OPTIMIZER_FIELDS``."""
        return {
            p.name: getattr(self, p.name)
            for p in OPTIMIZER_FIELDS
            if getattr(self, p.name) != p.default
        }

    def query(self) -> dict[str, str]:
        """The link's parameters: every field that is not its default, written by its ``Param``.

        >>> Optimizer(0.9999999999999999, True).query()
        {'momentum': '0.9999999999999999', 'nesterov': '1'}
        """
        return {name: _param(name).show(v) for name, v in self.changed().items()}

    @property
    def text(self) -> str:
        """The optimizer as one line, ``momentum=0.9 nesterov schedule=exp:0.99 warmup=5``.

        Only fields that are not their defaults are written (``''`` for plain
        descent); β keeps every digit that tells it apart (``repr``), so
        ``Optimizer.parse(opt.text) == opt`` always.
        """
        return " ".join(
            name if name == NESTEROV.name else f"{name}={shown}"
            for name, shown in self.query().items()
        )

    def argv(self) -> list[str]:
        """The command line's options for this optimizer (``gdcore run``, ``export``...).

        >>> Optimizer(0.5, schedule="cosine").argv()
        ['--momentum', '0.5', '--schedule', 'cosine']
        """
        out: list[str] = []
        for name, shown in self.query().items():
            out += ["--" + name] if name == NESTEROV.name else ["--" + name, shown]
        return out

    def __str__(self) -> str:
        return self.text or "plain"

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={v!r}" for name, v in self.changed().items())
        return f"Optimizer({inner})"

    @classmethod
    def problem(cls, text: str) -> str | Optimizer:
        """The optimizer written in ``text`` (``Optimizer.text``'s tokens), or what is wrong with it."""
        values: dict[str, Any] = {}
        for token in str(text).split():
            name, eq, value = token.partition("=")
            if token == "plain":
                continue
            if name == NESTEROV.name and not eq:
                value = "1"
            elif name not in {p.name for p in OPTIMIZER_FIELDS} or not value:
                return f"optimizer: unknown setting {given(token)} ({_SPELLING})"
            problem = _param(name).problem(value)
            if problem is not None:
                return f"{name}: {problem}"
            values[name] = _param(name).check(value)
        try:
            return cls(**values)
        except ValueError as e:
            return str(e).rstrip(".")

    @classmethod
    def parse(cls, text: str) -> Optimizer:
        """The optimizer written in ``text``; ``ValueError`` naming what is wrong.

        >>> Optimizer.parse("momentum=0.9 nesterov"), Optimizer.parse("plain")
        (Optimizer(momentum=0.9, nesterov=True), Optimizer())
        >>> Optimizer.parse("momentum=0.9 speed=3")
        Traceback (most recent call last):
        ...
        ValueError: optimizer: unknown setting 'speed=3' (momentum=B, nesterov, schedule=SPEC, warmup=W).
        """
        said = cls.problem(text)
        if isinstance(said, str):
            raise ValueError(f"{said}.")
        return said


def _param(name: str) -> Param:
    return next(p for p in OPTIMIZER_FIELDS if p.name == name)


def step_map(
    curvature: ArrayLike,
    rate: ArrayLike,
    optimizer: Optimizer,
    *,
    matrix: bool = False,
    minus_identity: bool = False,
    velocity: bool = True,
) -> NDArray[Any]:
    """One epoch's linear map of ``(offset, buf)``: the optimizer's step, written once.

    With the slope ``g = G x`` (module notes), one epoch at rate ``r`` maps
    ``(x, buf)`` to ``(x', buf')``. Nesterov and the heavy ball differ only in
    how the step weighs the slope and the old buffer: ``step = c_g g + c_b buf``
    with ``(c_g, c_b) = (1, beta)``, or ``(1 + beta, beta^2)`` for Nesterov.

    Parameters
    ----------
    curvature : array_like
        ``G``: curvatures ``lambda`` (any shape; one 2 x 2 map each), or with
        ``matrix=True`` matrices (..., n, n) (a batch's slope, as in ``batches``).
    rate : array_like
        The epoch's rate ``r``, broadcast against the curvatures (their leading
        shape with ``matrix=True``). The rate scales the offset's row only.
    optimizer : Optimizer
        β and Nesterov (its schedule is the caller's ``rate``).
    matrix : bool
        Curvatures are matrices: the map is (..., 2n, 2n) on ``[x, buf]``.
    minus_identity : bool
        Return the map minus the identity: the change one epoch makes, which
        keeps its digits when the rate is tiny (``1 - r lambda`` would not).
    velocity : bool
        ``False`` (only without momentum, where the buffer plays no part in the
        step) gives the map of the offset alone: (..., 1, 1) or (..., n, n).

    Returns
    -------
    ndarray, shape (..., 2, 2) or (..., 2n, 2n)
        In the dtype of ``curvature`` and ``rate`` (long double stays long double).

    Examples
    --------
    >>> step_map(2.0, 0.25, Optimizer(0.5)).tolist()
    [[0.5, -0.125], [2.0, 0.5]]
    >>> step_map(2.0, 0.25, Optimizer(0.5, nesterov=True)).tolist()
    [[0.25, -0.0625], [2.0, 0.5]]
    >>> step_map([[2.0]], 0.25, Optimizer(0.5), matrix=True).tolist()  # one direction as a matrix
    [[0.5, -0.125], [2.0, 0.5]]
    """
    G = np.asarray(curvature)
    r = np.asarray(rate)
    dtype = np.result_type(G, r, np.float64)
    G, r = G.astype(dtype, copy=False), r.astype(dtype, copy=False)
    beta = dtype.type(optimizer.momentum)
    one = dtype.type(1)
    c_g, c_b = (one + beta, beta * beta) if optimizer.nesterov else (one, beta)
    if not velocity and optimizer.momentum > 0:
        raise ValueError(f"step_map: with momentum the map needs the velocity, got {optimizer!r}.")
    if not matrix:
        G, r = np.broadcast_arrays(G, r)
        out = np.empty((*G.shape, 2, 2), dtype)
        out[..., 0, 0] = -(r * c_g) * G
        out[..., 0, 1] = -(r * c_b)
        out[..., 1, 0] = G
        out[..., 1, 1] = beta - one
        if not minus_identity:
            out[..., 0, 0] += one
            out[..., 1, 1] = beta
        return out if velocity else out[..., :1, :1]
    n = G.shape[-1]
    lead = np.broadcast_shapes(G.shape[:-2], r.shape)
    r = r[..., None, None]  # its own shape: the blocks that need no G stay small
    eye = np.eye(n, dtype=dtype)
    if not velocity:  # x' = x - r c_g G x: the offset's block alone
        offset = -(r * c_g) * G
        return offset if minus_identity else offset + eye
    out = np.empty((*lead, 2 * n, 2 * n), dtype)
    out[..., :n, :n] = -(r * c_g) * G
    if not minus_identity:
        out[..., :n, :n] += eye
    out[..., :n, n:] = -(r * c_b) * eye
    out[..., n:, :n] = G
    out[..., n:, n:] = (beta - one if minus_identity else beta) * eye  # β itself, not (β-1)+1
    return out


__all__ = ["OPTIMIZER_FIELDS", "Optimizer", "step_map"]
