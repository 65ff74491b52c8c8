"""Compare's runs drawn once each, under labels that tell every two runs apart.

A run given twice (``?rates=0.5,0.5``, ``?runs=0.5;0.5``, an image listed twice)
is drawn once, and the page says what it left out. Two runs that differ only past
the sixth digit (``0.5`` and ``0.50000001``) are different runs: each label gets
as many digits as it needs to differ from every other label.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import TypeVar

T = TypeVar("T", bound=Hashable)

LEAST_DIGITS = 6
"""Significant digits a label starts with (what ``:g`` writes)."""
MOST_DIGITS = 17
"""Significant digits that tell any two different float64 numbers apart."""


def once(items: Sequence[T]) -> tuple[list[T], dict[T, int]]:
    """``items`` with each repeat left out (first one kept, order kept), and how often
    each repeated item was given.

    >>> once([0.5, 0.1, 0.5, 0.5])
    ([0.5, 0.1], {0.5: 3})
    """
    seen: dict[T, int] = {}
    for it in items:
        seen[it] = seen.get(it, 0) + 1
    return list(seen), {it: n for it, n in seen.items() if n > 1}


def distinct_digits(items: Sequence[T], label: Callable[[T, int], str]) -> list[int]:
    """For each item, the fewest significant digits (at least ``LEAST_DIGITS``) at which
    ``label(item, digits)`` differs from the label of every other item.

    Equal items get equal labels; different items always get different ones.

    >>> distinct_digits([0.5, 0.50000001, 0.0126123456], lambda v, d: f"{v:.{d}g}")
    [8, 8, 6]
    """
    out = []
    for it in items:
        others = [o for o in items if o != it]
        digits = next(
            (
                d
                for d in range(LEAST_DIGITS, MOST_DIGITS)
                if all(label(o, d) != label(it, d) for o in others)
            ),
            MOST_DIGITS,
        )
        out.append(digits)
    texts = {label(it, d) for it, d in zip(items, out, strict=True)}
    if len(texts) < len(set(items)):  # two items stopped at different digits and met
        out = [MOST_DIGITS] * len(items)
    return out


def times_given(n: int) -> str:
    """``twice``, ``3 times``."""
    return "twice" if n == 2 else f"{n} times"
