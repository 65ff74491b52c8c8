"""Spinners for slow work only: a light run starts none.

Streamlit's spinner starts a thread on every call, to show itself after half a second,
even when the answer is cached: 2 ms of each rate change on Explore, more on a busy
machine (py-spy), for a spinner that light runs never show. ``when_slow`` shows one only
around a call the engine's estimate (``gdcore.descent.engine.run_seconds``) calls slow.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

import streamlit as st

import gdcore  # noqa: F401  (the whole engine first: tests/test_layers.py)
from gdcore.descent.engine import run_seconds
from gdcore.descent.optimizer import Optimizer

R = TypeVar("R")
SLOW_S = 0.3
"""A call estimated at more CPU seconds than this shows its spinner."""


def when_slow(
    text: str, seconds: Callable[[Mapping[str, Any]], float]
) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """Show ``text`` in a spinner around a call whose estimate, ``seconds`` of its arguments
    by name, is over ``SLOW_S``."""

    def wrap(fn: Callable[..., R]) -> Callable[..., R]:
        signature = inspect.signature(fn)

        @functools.wraps(fn)
        def call(*args: Any, **kwargs: Any) -> R:
            if seconds(signature.bind(*args, **kwargs).arguments) <= SLOW_S:
                return fn(*args, **kwargs)
            with st.spinner(text):
                return fn(*args, **kwargs)

        return call

    return wrap


def descent_seconds(given: Mapping[str, Any]) -> float:
    """The estimate of a run of ``ui.cached.descend`` (its rates, plain steps)."""
    return run_seconds(
        given["_pixels"].size, len(given["lrs"]), given["epochs"], given["batch"] or None
    )


def run_seconds_of(given: Mapping[str, Any]) -> float:
    """The estimate of a run of ``ui.cached.judged_run`` (one rate, its optimizer)."""
    optimizer: Optimizer = given["optimizer"]
    return run_seconds(
        given["_pixels"].size, 1, given["epochs"], given["batch"] or None, optimizer.momentum
    )
