"""The search for the fewest mistakes that explain a learner's printed errors.

Every way of writing the loop (``loop_shapes``) is tried at the rates the numbers
allow: the learner's rate, 2 x, N x, negative, and the rates whose first step lands
on the printed first error. Candidates are compared on a few values first, then on
more; only those that agree run to the end.
"""

from __future__ import annotations

import math
from dataclasses import replace
from itertools import combinations, product

import numpy as np
from numpy.typing import NDArray

from ..params import SCALES
from ..pixels.quadratic import Quadratic
from .agreement import Precision, agreement
from .findings import MAX_MISTAKES, Check, count_mistakes, findings_of, same_rate
from .printed_errors import Printed
from .setup import BRIGHT_255, Loop, Setup, as_printed, factors, varies

RATE_DIGITS = 6
"""A rate solved from the numbers is also tried rounded to 1 ... 6 significant digits:
a learner types rates such as 0.02."""
MIN_RATE = 1e-12
"""The smallest rate a finding names: the dashboard's smallest (``ui.rules.RATE``). A
rate solved from the numbers below it is no rate the learner typed."""
PEEK = 10
"""Candidates are first compared on this many values, then on ``FIRST_LOOK``."""
FIRST_LOOK = 200
"""Candidates are then compared on this many values; only those that agree run to the end."""


def _rates(setup: Setup, raw: NDArray[np.float64] | None) -> list[float]:
    """The rates tried: yours, 2 x, N x, 2N x, each also negative, then ``raw``'s roots
    (each rounded to 1 ... ``RATE_DIGITS`` digits too); none below ``MIN_RATE``."""
    lr, n = setup.lr, setup.n
    out = [m * s * lr for m in (1.0, 2.0, n, 2.0 * n) for s in (1.0, -1.0)]
    for root in raw if raw is not None else ():
        if math.isfinite(root) and abs(root) >= MIN_RATE:
            out += [float(f"{root:.{d}g}") for d in range(1, RATE_DIGITS + 1)] + [float(root)]
    seen: list[float] = []
    for r in out:
        if r != 0.0 and math.isfinite(r) and all(r != s for s in seen):
            seen.append(r)
    return seen


def _first_step(setup: Setup, loop: Loop) -> float:
    """How many rates long the first step of ``loop`` is, per unit of its rate (0: none).

    The first momentum buffer is the slope, so the first step is ``lr m_0`` slopes
    (Nesterov: ``(1 + β) lr m_0``; a moving average: ``(1 - β) lr m_0``).
    """
    opt = setup.optimizer
    if opt.plain:
        return 1.0
    m = factors(opt, 2, 2)
    if loop.warm_zero and opt.warmup > 0:
        m = m * np.array([0.0, 1.0 / 2.0])
    first = float(m[1] if loop.ahead else m[0])
    if opt.nesterov != loop.flip:
        first *= 1.0 + opt.momentum
    if loop.damped:
        first *= 1.0 - opt.momentum
    return first


def _solve_rates(q: Quadratic, w: NDArray[np.float64], target: float) -> NDArray[np.float64]:
    """The rates whose first step from ``w`` lands at error ``target``.

    ``E(w - r g) = E(w) - r g·g + r²/2 gᵀHg``: a quadratic in ``r``. When no
    rate reaches ``target`` exactly (rounding), the rate nearest to it.
    """
    g = q.slopes(w) if q.hessian[0, 0] else np.array([0.0, *q.slopes(w)[1:]])
    a, b = 0.5 * float(g @ q.hessian @ g), -float(g @ g)
    c = float(q.error(w)) - target
    with np.errstate(all="ignore"):  # a target near float's end overflows: no rate then
        disc2 = float(b * b - 4 * a * c)
    if not (a > 0 and math.isfinite(c) and math.isfinite(disc2)):
        return np.empty(0)
    disc = math.sqrt(max(disc2, 0.0))
    return np.array([(-b - disc) / (2 * a), (-b + disc) / (2 * a)])


def loop_shapes(setup: Setup) -> list[Loop]:
    """Every way of writing the loop ``check`` tries, rate left at 0, in the search's order:
    the setup's scale first, then the others (and the brightness left in 0-255 beside the
    unit scale); with the column of ones, then without; each printed four ways (½ or not,
    before or after the update); each with the conventions of momentum and schedules that
    the setup's optimizer makes possible, alone and together."""
    opt = setup.optimizer
    scales = [setup.scale, *(s for s in SCALES if s != setup.scale)]
    if setup.scale == "unit":
        scales.insert(1, BRIGHT_255)
    flags = {
        "damped": opt.momentum > 0 and not opt.nesterov,
        "inside": opt.momentum > 0 and varies(opt),
        "flip": opt.momentum > 0,
        "ahead": varies(opt),
        "warm_zero": opt.warmup > 0,
    }
    usable = [name for name, ok in flags.items() if ok]
    conventions = [
        {name: name in chosen for name in usable}
        for size in range(len(usable) + 1)
        for chosen in combinations(usable, size)
    ]
    out = []
    for scale, intercept in product(scales, (True, False)):
        for conv in conventions:
            if conv.get("damped") and (conv.get("flip") or conv.get("inside")):
                continue  # a moving average is tried on plain momentum only
            out.append(Loop(scale, 0.0, intercept, **conv))
    return out


PRINTS = tuple(product((False, True), (False, True)))
"""How a loop prints its errors: (``mse``, ``late``), the four ways."""


def _least(setup: Setup, loop: Loop) -> int:
    """The fewest mistakes any rate of ``loop``'s shape can make: those besides the rate."""
    return count_mistakes(setup, replace(loop, rate=setup.lr))


def fewest_mistakes(setup: Setup, values: tuple[Printed, ...], precision: Precision) -> Check:
    """``check_loop`` at one precision."""
    if precision.per_pixel:
        precision = replace(precision, blown=precision.blown / setup.n, per_pixel=False)
    count = len(values)
    total = setup.total(count)
    v = np.array([p.value for p in values])
    half = np.array([p.half_unit for p in values])
    texts = tuple(p.text for p in values)
    exact = setup.curve(Loop(setup.scale, setup.lr), count)
    ok = agreement(exact, v, half, precision)[0]
    if ok.all():
        return Check("match", (), None, texts, v, exact, precision=precision.name)
    parted = int(np.argmin(ok))
    fits: list[tuple[int, Loop, NDArray[np.float64]]] = []
    look = min(count, FIRST_LOOK)
    fewest = MAX_MISTAKES
    for dynamics in loop_shapes(setup):
        shapes = [replace(dynamics, mse=mse, late=late) for mse, late in PRINTS]
        shapes = [s for s in shapes if _least(setup, s) <= fewest]
        if not shapes:
            continue  # cannot explain the numbers with as few mistakes as a fit found
        q, w = setup.bowl(dynamics.scale, dynamics.intercept), setup.start(dynamics.intercept)
        first = _first_step(setup, dynamics)
        rates: dict[Loop, list[float]] = {}
        for shape in shapes:
            target = v[0 if shape.late else 1] / (2.0 if shape.mse else 1.0)
            roots = _solve_rates(q, w, target) / first if first else None
            rates[shape] = _rates(setup, roots)
            if shape.conventions() == 0:
                rates[shape].append(0.0)  # the weights never change
        every = sorted({r for rs in rates.values() for r in rs}, key=abs)
        peek = min(look, PEEK)
        raw = setup.curves(dynamics, every, peek, total)
        alive = []
        for shape in shapes:
            for r in rates[shape]:
                loop = replace(shape, rate=r)
                n_mistakes = count_mistakes(setup, loop)
                if n_mistakes == 0 or n_mistakes > fewest:
                    continue
                curve = as_printed(raw[every.index(r)], loop, peek)
                if agreement(curve, v[:peek], half[:peek], precision).all():
                    alive.append(loop)
        if not alive:
            continue
        every = sorted({loop.rate for loop in alive}, key=abs)
        raw = setup.curves(dynamics, every, look, total)
        for loop in alive:
            n_mistakes = count_mistakes(setup, loop)
            if n_mistakes > fewest:
                continue
            curve = as_printed(raw[every.index(loop.rate)], loop, look)
            if not agreement(curve, v[:look], half[:look], precision).all():
                continue
            if count > look:
                curve = setup.curve(loop, count)
                if not agreement(curve, v, half, precision).all():
                    continue
            fits.append((n_mistakes, loop, curve))
            fewest = min(fewest, n_mistakes)
    if any(loop.rate == 0.0 for _, loop, _ in fits):
        # Values that never change fit any rate too small to show: no such rate is named.
        fits = [fit for fit in fits if fit[1].rate == 0.0 or same_rate(abs(fit[1].rate), setup.lr)]
    if not fits:
        return Check("unexplained", (), parted, texts, v, exact)
    fewest = min(fit[0] for fit in fits)
    # Ties: a loop with the rate you gave before one with another rate (a moving average
    # or a schedule one epoch ahead with an exponential decay is exactly another rate).
    best = sorted(
        (fit for fit in fits if fit[0] == fewest), key=lambda fit: fit[1].rate != setup.lr
    )
    _, loop, curve = best[0]
    findings = tuple(findings_of(setup, loop))
    kinds = {tuple(finding.mistake for finding in findings)}
    also = []
    for _, other, _ in best[1:]:
        found = findings_of(setup, other)
        kind = tuple(finding.mistake for finding in found)
        if kind not in kinds:
            kinds.add(kind)
            also.append(", ".join(map(str, found)))
    return Check("explained", findings, parted, texts, v, exact, curve, tuple(also), precision.name)


__all__ = [
    "FIRST_LOOK",
    "MIN_RATE",
    "PEEK",
    "PRINTS",
    "RATE_DIGITS",
    "fewest_mistakes",
    "loop_shapes",
]
