"""Spinners for slow work only: a light run starts none.

Streamlit's spinner starts a thread on every call, to show itself after half a second,
even when the answer is cached: 2 ms of each rate change on Explore, more on a busy
machine (py-spy), for a spinner that light runs never show. ``when_slow`` shows one only
around a call the engine's estimate (``gdcore.descent.engine.run_seconds``) calls slow.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
import streamlit as st

import gdcore  # noqa: F401  (the whole engine first: tests/test_layers.py)
from gdcore.descent.engine import run_seconds
from gdcore.descent.optimizer import Optimizer

R = TypeVar("R")
SLOW_S = 0.3
"""A call estimated at more CPU seconds than this shows its spinner."""


def when_slow(
    text: str, seconds: Callable[..., float]
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Show ``text`` in a spinner around a call whose ``seconds(*args)`` is over ``SLOW_S``."""

    def wrap(fn: Callable[..., R]) -> Callable[..., R]:
        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> R:
            if seconds(*args, **kwargs) <= SLOW_S:
                return fn(*args, **kwargs)
            with st.spinner(text):
                return fn(*args, **kwargs)

        return call

    return wrap


def descent_seconds(
    key: tuple,
    scale: str,
    lrs: tuple[float, ...],
    epochs: int,
    init: str,
    seed: int,
    batch: int,
    _pixels: np.ndarray,
) -> float:
    """The estimate of ``ui.cached.descend``'s run (its arguments)."""
    return run_seconds(_pixels.size, len(lrs), epochs, batch or None)


def run_seconds_of(
    key: tuple,
    scale: str,
    lr: float,
    epochs: int,
    init: str,
    seed: int,
    batch: int,
    optimizer: Optimizer,
    _pixels: np.ndarray,
) -> float:
    """The estimate of ``ui.cached.judged_run``'s run (its arguments)."""
    return run_seconds(_pixels.size, 1, epochs, batch or None, optimizer.momentum)
