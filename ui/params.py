"""Every page's URL parameters, in one place: the dashboard's link contract.

Each page lists the parameters it reads and writes (see ``ui.state``); the
classroom-link maker reads the same lists. The README's table mirrors this file.
"""

from __future__ import annotations

import gdcore
from gdcore.landscape import WEIGHT_NAMES
from ui.state import (
    Param,
    choice,
    flag,
    image_list,
    number,
    rate_list,
    show_flag,
    show_number,
    whole,
)

SIZES = [8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512]
UPLOAD = "upload"
DEFAULT_IMAGE = "scene"
MAX_EPOCHS = 20_000
COMPARE_RATES, COMPARE_IMAGES = 8, 3
SWEEP_POINTS = 200
WALK_EPOCHS = 500
WALK_PAIRS = {"w1,w2": (1, 2), "w0,w1": (0, 1), "w0,w2": (0, 2)}
STEP_MAX = 500
LESSON_CURVE = "2.0, 0.1, 5.0, 20"
EXERCISES = {
    "predict": "Predict, then run",
    "largest": "The largest rate that converges",
    "fastest": "The fastest rate",
    "read": "Read a curve",
    "scaling": "Raw against unit coordinates",
    "sign": "The slope's sign",
}
RATE = number(1e-12, 1e6, "a learning rate")


def _size(raw: str) -> int:
    v = whole(SIZES[0], SIZES[-1])(raw)
    if v not in SIZES:
        raise ValueError(f"must be one of {', '.join(map(str, SIZES))}")
    return v


def _curve(raw: str) -> str:
    try:
        gdcore.diagnosis.check_curve(gdcore.parse_numbers(raw))
    except ValueError as exc:
        raise ValueError(str(exc).removeprefix("errors: ").rstrip(".")) from None
    return raw


IMAGE = [
    Param("image", "image", DEFAULT_IMAGE, choice([*gdcore.BUILTINS, UPLOAD])),
    Param("size", "size", 64, _size, str),
    Param("scale", "scale", "unit", choice(gdcore.SCALES)),
]
EXPLORE = [
    *IMAGE,
    Param("lr", "ex_lr", 0.5, RATE, show_number),
    Param("epochs", "ex_epochs", 200, whole(1, MAX_EPOCHS)),
    Param("init", "ex_init", "zero", choice(["zero", "random"])),
    Param("seed", "ex_seed", 0, whole(0, 1_000_000)),
    Param("batch", "ex_batch", 0, whole(0, 10**7)),
    Param("log", "ex_log", False, flag, show_flag, "off"),
    Param("at", "ex_at", -1, whole(-1, MAX_EPOCHS), str, "the last epoch"),
]
COMPARE = [
    *IMAGE,
    Param(
        "rates",
        "cmp_rates",
        "",
        rate_list(1e-12, 1e6, COMPARE_RATES),
        str,
        "the theory's three rates",
    ),
    Param("also", "cmp_also", [], image_list(COMPARE_IMAGES - 1), ",".join, "no other images"),
    Param("epochs", "cmp_epochs", 300, whole(1, MAX_EPOCHS)),
    Param("log", "cmp_log", True, flag, show_flag, "on"),
]
SWEEP = [
    *IMAGE,
    Param("from", "sw_from", None, RATE, show_number, "the range from theory"),
    Param("to", "sw_to", None, RATE, show_number, "the range from theory"),
    Param("points", "sw_points", 30, whole(2, SWEEP_POINTS)),
    Param("epochs", "sw_epochs", 300, whole(1, MAX_EPOCHS)),
]
WALK = [
    *IMAGE,
    Param("weight", "wk_weight", "w1", choice(WEIGHT_NAMES)),
    Param("pair", "wk_pair", "w1,w2", choice(WALK_PAIRS)),
    Param("speed", "wk_speed", 0.8, number(0.001, 3.0, "a multiple of the critical rate")),
    Param("epochs", "wk_epochs", 30, whole(1, WALK_EPOCHS)),
    Param("at", "wk_at", -1, whole(-1, WALK_EPOCHS), str, "the last epoch"),
]
STEP = [
    *IMAGE,
    Param("w", "st_w", 1.0, number(-1e6, 1e6, "a weight"), show_number),
    Param("lr", "st_lr", 0.01, number(1e-9, 10.0, "a learning rate"), show_number),
    Param("steps", "st_steps", 0, whole(0, STEP_MAX)),
    Param("lr3", "st_lr3", 0.5, number(1e-9, 1e6, "a learning rate"), show_number),
    Param("epoch3", "st_epoch3", 1, whole(1, 5)),
]
DIAGNOSE = [
    Param("errors", "dg_errors", LESSON_CURVE, _curve),
    Param("lr", "dg_lr", None, RATE, show_number, "no rate"),
    Param("log", "dg_log", False, flag, show_flag, "off"),
]
EXERCISE = [*IMAGE, Param("exercise", "xr_exercise", "predict", choice(EXERCISES))]

PAGES = {
    # label: (page file, URL path, parameters)
    "Explore one rate": ("streamlit_app.py", "", EXPLORE),
    "Compare learning rates": (
        "pages/2_Compare_learning_rates.py",
        "Compare_learning_rates",
        COMPARE,
    ),
    "Learning-rate sweep": ("pages/3_Learning_rate_sweep.py", "Learning_rate_sweep", SWEEP),
    "Walk downhill": ("pages/4_Walk_downhill.py", "Walk_downhill", WALK),
    "Step by step": ("pages/5_Step_by_step.py", "Step_by_step", STEP),
    "Diagnose your curve": ("pages/6_Diagnose_your_curve.py", "Diagnose_your_curve", DIAGNOSE),
    "Exercises": ("pages/7_Exercises.py", "Exercises", EXERCISE),
}
