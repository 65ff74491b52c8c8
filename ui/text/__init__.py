"""Sentences the pages show, made from the engine's numbers (never typed-in numbers).

Each function returns Markdown built from its arguments only, so a page and a
test can compare the words with the numbers they came from. By subject: text
from a user made inert and numbers as a learner reads them (``markup``), what the
bowl says about one rate (``one_rate``), the lesson's own steps (``lesson``), the
sweep (``sweep``), momentum and schedules (``heavy_ball``).
"""

from ui.text.heavy_ball import (
    HEAVY_BALL,
    directions_story,
    map_story,
    momentum_maths,
    momentum_story,
    walk_beside_story,
)
from ui.text.lesson import SLOPE_SIGNS, START_HERE, epoch_bullets, slope_sign_row, step_quiz
from ui.text.markup import error_number, literal, quoted, times
from ui.text.one_rate import LESSON_WORDS, bowl_story, maths, picture_edge_note, walk_rate
from ui.text.sweep import SWEEP_WORDS, sweep_story

__all__ = [
    "HEAVY_BALL",
    "LESSON_WORDS",
    "SLOPE_SIGNS",
    "START_HERE",
    "SWEEP_WORDS",
    "bowl_story",
    "directions_story",
    "epoch_bullets",
    "error_number",
    "literal",
    "map_story",
    "maths",
    "momentum_maths",
    "momentum_story",
    "picture_edge_note",
    "quoted",
    "slope_sign_row",
    "step_quiz",
    "sweep_story",
    "times",
    "walk_beside_story",
    "walk_rate",
]
