"""What the cached engine calls give back: judged runs, a learner's curve read and checked."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import gdcore
import gdcore.learner.findings
import gdcore.learner.log_record


@dataclass(frozen=True)
class JudgedRuns:
    """Runs from zero weights with their verdicts: what Compare and the exercises show."""

    errors: np.ndarray  # (R, T+1)
    diverged_epoch: np.ndarray  # (R,), -1 for none
    final_errors: np.ndarray  # (R,), inf for a run that blew up
    diagnoses: tuple[gdcore.Diagnosis, ...]


@dataclass(frozen=True)
class Curve:
    """A learner's log as read (``gdcore.learner.log_record.Log``), where it came from, or why not.

    ``candidates`` are the columns to choose from when the reader could not decide.
    """

    log: gdcore.learner.log_record.Log | None
    source: str
    problem: str | None = None
    candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class Checked:
    """A learner's printed errors checked against their setup, or why they could not be.

    ``said`` is what was read; ``candidates`` the columns to choose from when
    a log's rule could not decide.
    """

    result: gdcore.learner.findings.Check | None
    said: str = ""
    problem: str | None = None
    candidates: tuple[str, ...] = ()
    column: str | None = None
    """The log's name for the values (Keras's ``loss``), drawn on the chart's axis; None for
    plain numbers (the lesson's error)."""
