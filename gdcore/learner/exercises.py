"""Exercises: a learner's answer checked by the engine's theory and diagnosis.

Each check returns ``Feedback``: right or not, and a sentence that explains the
answer with the learner's own numbers. Tolerances are named constants.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..bowl.fastest import fastest_rate
from ..bowl.forecast import momentum_epochs_to_target
from ..bowl.settling import SETTLES
from ..bowl.theory import Theory, epoch_error_exceeds, epochs_to_target
from ..descent.optimizer import Optimizer
from ..descent.runs import BLOWUP_ERROR
from ..pixels.quadratic import Quadratic
from ..verdicts.diagnosis import LESSON, Diagnosis, curve_rules_verdict, edge
from ..verdicts.optimizer_words import beta_text

LARGEST_TOLERANCE = 0.05
"""'The largest rate that converges' is right within 5% below 2/lambda_max."""
FASTEST_TOLERANCE = 1.25
"""'The fastest rate' is right if it needs at most 25% more epochs than the fastest (or 2 more)."""
SCALING_CHOICES = ("much larger", "about the same", "much smaller")
SCALING_FACTOR = 3.0
"""A change of the critical rate by more than 3x counts as 'much'."""
SIGN_CHOICES = ("increase the weight", "decrease the weight")


@dataclass(frozen=True)
class Feedback:
    correct: bool
    message: str


PROGRESS_NOTE = (
    "Every attempt is kept, in order: its answers, its result and when it was checked "
    "(UTC), so a first wrong answer stays beside the right one that followed."
)
"""What the progress record keeps, said wherever it is shown or downloaded."""


def add_attempt(
    progress: dict[str, dict[str, Any]],
    name: str,
    title: str,
    feedback: Feedback,
    answer: Any,
    image: str,
    scale: str,
    when: datetime | None = None,
) -> dict[str, Any]:
    """Append one checked attempt to a learner's progress, keeping every earlier one.

    Parameters
    ----------
    progress : dict
        The learner's progress, one entry per exercise; changed in place.
    name, title : str
        The exercise's key and its title as shown.
    feedback : Feedback
        The check's result for this attempt.
    answer : object
        The learner's answers, as given (JSON-serialisable).
    image, scale : str
        The image and scale the attempt was checked on.
    when : datetime, optional
        When it was checked; now (UTC) if not given.

    Returns
    -------
    dict
        The exercise's entry: ``attempts`` is the list of every attempt in order, each
        with its number, time, answer, result, message, image and scale; ``solved`` is
        whether any attempt was right.

    Examples
    --------
    >>> p = {}
    >>> t = datetime(2026, 1, 1, tzinfo=UTC)
    >>> _ = add_attempt(p, "sign", "Sign", Feedback(False, "no"), "up", "plane", "unit", t)
    >>> e = add_attempt(p, "sign", "Sign", Feedback(True, "yes"), "down", "plane", "unit", t)
    >>> [(a["attempt"], a["answer"], a["result"]) for a in e["attempts"]], e["solved"]
    ([(1, 'up', 'wrong'), (2, 'down', 'right')], True)
    """
    entry = progress.setdefault(name, {"exercise": title, "attempts": [], "solved": False})
    stamp = (when or datetime.now(UTC)).astimezone(UTC)
    entry["attempts"].append(
        {
            "attempt": len(entry["attempts"]) + 1,
            "time": stamp.isoformat(timespec="seconds"),
            "answer": answer,
            "result": "right" if feedback.correct else "wrong",
            "message": feedback.message,
            "image": image,
            "scale": scale,
        }
    )
    entry["solved"] = entry["solved"] or feedback.correct
    return entry


def check_prediction(
    predicted: str, actual: Diagnosis, lr: float, seen: str | None = None
) -> Feedback:
    """A learner's verdict for a rate, against the engine's diagnosis of its run.

    ``seen`` is the run's curve in the lesson's words (``diagnosis.lesson_line``): the
    reason then opens with what the learner's word means and what the curve did, and
    the numbers follow.
    """
    if seen is None:
        if predicted == actual.verdict:
            return Feedback(True, f"Rate {lr:g}: {actual.verdict}, as you said: {actual.reason}")
        return Feedback(
            False, f"Rate {lr:g}: you said {predicted}, but it is {actual.verdict}: {actual.reason}"
        )
    numbers = f"In numbers: {actual.reason[:1].upper()}{actual.reason[1:]}"
    if predicted == actual.verdict:
        return Feedback(
            True, f"Rate {lr:g}: {actual.verdict}, as you said. On the chart: {seen} {numbers}"
        )
    return Feedback(
        False,
        f"Rate {lr:g}: you said {predicted} ({LESSON[predicted]}), but it is {actual.verdict}. "
        f"On the chart: {seen} {numbers}",
    )


def check_largest_rate(
    answer: float, theory: Theory, bowl: Quadratic, w0: NDArray[np.float64]
) -> Feedback:
    """The largest rate that still converges: just below the edge rate 2/lambda_max."""
    crit = theory.critical_lr
    shown = f"{edge(crit):g}"
    if answer > crit:
        boom = epoch_error_exceeds(bowl, answer, w0, BLOWUP_ERROR)
        when = f" it blows up at epoch {boom:,}" if boom else " the error grows without end"
        return Feedback(
            False,
            f"{answer:g} is {answer / crit:.3g}× the edge rate {shown}: every step lands higher up "
            f"the bowl than the last, so it diverges:{when}.",
        )
    if answer >= (1 - LARGEST_TOLERANCE) * crit:
        return Feedback(
            True,
            f"{answer:g} converges and is within {LARGEST_TOLERANCE:.0%} of the edge rate {shown}, "
            "the largest rate whose steps still settle; any larger and it would diverge.",
        )
    return Feedback(
        False,
        f"{answer:g} converges, but so does every rate up to the edge rate {shown}, "
        f"{crit / answer:.3g}× larger. Raise the rate until the error starts to jump instead "
        "of settling.",
    )


def check_fastest_rate(
    answer: float, theory: Theory, bowl: Quadratic, w0: NDArray[np.float64]
) -> Feedback:
    """The rate that settles within 1% of E* from ``w0`` in the fewest epochs (``fastest_rate``;
    without momentum the first epoch in the band is the settling epoch: ``bowl.settling``)."""
    fast = fastest_rate(bowl, w0)
    k_fast = fast.epochs if fast else 0
    k = epochs_to_target(bowl, answer, w0)
    if k is None:
        return Feedback(
            False,
            f"{answer:g} never gets there: it is above the edge rate {edge(theory.critical_lr):g}, "
            "so every step lands higher up the bowl.",
        )
    fastest = f"the fastest rate from this start, {fast.lr:g}, needs {k_fast:,}" if fast else ""
    if k <= max(FASTEST_TOLERANCE * k_fast, k_fast + 2):
        return Feedback(
            True,
            f"{answer:g} settles within 1% of E* in {k:,} epochs; {fastest}."
            if fast and k != k_fast
            else f"{answer:g} settles within 1% of E* in {k:,} epochs: no rate does it in fewer.",
        )
    side = "too timid" if fast is None or answer < fast.lr else "so large that the weights zig-zag"
    return Feedback(
        False,
        f"{answer:g} needs {k:,} epochs, {k / max(k_fast, 1):.3g}× the fewest: it is {side}; "
        f"{fastest}.",
    )


def predict_order(seed: int) -> list[int]:
    """The order the three theory rates are asked in: shuffled, reproducible from ``seed``."""
    return [int(i) for i in np.random.default_rng(seed).permutation(3)]


def read_curves(errors: NDArray[np.float64]) -> list[tuple[str, NDArray[np.float64]]]:
    """The curves of "Read a curve": the lesson's four numbers, then three runs of the image.

    ``errors`` holds the runs of ``three_rates`` (too small, good, too large),
    shown in the order too large, too small, good, each cut where it blew up.
    """
    curves = [("the lesson's exercise", np.array([2.0, 0.1, 5.0, 20.0]))]
    for name, i in zip("BCD", (2, 0, 1), strict=True):
        curves.append((f"curve {name}", errors[i][np.isfinite(errors[i])]))
    return curves


def check_curve_reading(values: ArrayLike, answer: str) -> Feedback:
    """Naming the cause of an error curve, checked by the curve diagnosis."""
    d = curve_rules_verdict(values)
    if answer == d.verdict:
        return Feedback(True, f"Right, {d.verdict}: {d.reason}")
    return Feedback(False, f"Not {answer}: it is {d.verdict}. {d.reason[0].upper()}{d.reason[1:]}")


def check_scaling(answer: str, raw: Theory, unit: Theory) -> Feedback:
    """What happens to the critical rate when raw coordinates become unit ones."""
    ratio = unit.critical_lr / raw.critical_lr
    if ratio > SCALING_FACTOR:
        truth = "much larger"
    elif ratio < 1 / SCALING_FACTOR:
        truth = "much smaller"
    else:
        truth = "about the same"
    facts = (
        f"raw: edge rate {edge(raw.critical_lr):g}; unit: edge rate "
        f"{edge(unit.critical_lr):g} ({ratio:,.0f}× the raw one). Pixel positions up to "
        "hundreds make the slopes of w1 and w2 huge, so only tiny steps survive; dividing x and "
        "y into 0–1 (normalizing the inputs) lets the steps grow."
    )
    return Feedback(answer == truth, ("Right: " if answer == truth else f"Not {answer}: ") + facts)


def slope_question(seed: int) -> tuple[float, float]:
    """A weight and a slope for the sign checkpoint, reproducible from ``seed``."""
    rng = np.random.default_rng(seed)
    weight = float(np.round(rng.uniform(-5, 5), 2))
    slope = float(np.round(rng.choice([-1, 1]) * rng.uniform(0.5, 20), 2))
    return weight, slope


def check_slope_sign(weight: float, slope: float, lr: float, answer: str) -> Feedback:
    """Increase or decrease the weight, given the slope's sign?"""
    truth = SIGN_CHOICES[0] if slope < 0 else SIGN_CHOICES[1]
    new = weight - lr * slope
    why = (
        f"the slope {slope:g} is {'negative' if slope < 0 else 'positive'}, so the error "
        f"{'falls' if slope < 0 else 'rises'} as the weight rises: new weight = {weight:g} − {lr:g} × ({slope:g}) = {new:.4g}."
    )
    return Feedback(answer == truth, ("Right: " if answer == truth else "Not quite: ") + why)


MOMENTUM_RATE = 1.5
"""The momentum exercise's rate: this many times the plain edge rate 2/lambda_max."""


def check_momentum(answer: float, theory: Theory, w0: NDArray[np.float64]) -> Feedback:
    """A momentum β that makes ``MOMENTUM_RATE`` × the plain edge rate settle.

    With momentum β the edge rate is ``2(1+β)/lambda_max``, so the rate settles
    exactly when ``β > MOMENTUM_RATE - 1``; the epoch from which it stays within 1%
    of E* is counted exactly (``forecast.momentum_epochs_to_target``: settling, not the
    first touch) and said beside the best pair.

    >>> bowl_theory = theory(quadratic(pixel_table(np.eye(2) * 255, "unit")))
    >>> check_momentum(0.3, bowl_theory, np.zeros(3)).correct, check_momentum(0.7, bowl_theory, np.zeros(3)).correct
    (False, True)
    """
    if not 0.0 <= answer < 1.0:
        return Feedback(False, f"A momentum β must be from 0 to below 1, got {beta_text(answer)}.")
    b = beta_text(answer)
    lr = MOMENTUM_RATE * theory.critical_lr
    heavy = Optimizer(float(answer))
    wide = theory.critical_lr_for(heavy)
    need = MOMENTUM_RATE - 1.0
    if lr >= wide:
        return Feedback(
            False,
            f"With β = {b} the heavy ball keeps {b} of its last step, which widens "
            f"the edge rate from {edge(theory.critical_lr):g} to {edge(wide):g}: still below "
            f"the rate {lr:.4g}, so every swing lands higher up the bowl and the error explodes. "
            f"The heavy ball's edge passes this rate once β is above {need:g}.",
        )
    k = momentum_epochs_to_target(theory.bowl, lr, w0, heavy)
    when = (
        f"it {SETTLES} at epoch {k:,}"
        if k is not None
        else "it settles, though more slowly than can be counted here"
    )
    return Feedback(
        True,
        f"With β = {b} the edge rate widens from {edge(theory.critical_lr):g} to "
        f"{edge(wide):g}, above the rate {lr:.4g}: the heavy ball swings past the bottom "
        f"but each swing is smaller, and {when}. (Any β above {need:g} works; the theory's best "
        f"pair is rate {theory.optimal_momentum_lr:.4g} with β = {theory.optimal_momentum:.4g}.)",
    )
