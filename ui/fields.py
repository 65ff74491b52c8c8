"""Every control of the dashboard, declared once: URL name, widget key, rule.

A ``Field`` ties one URL parameter to one widget. Its rule, default and help
are a ``gdcore.params.Param``: the engine's own declaration where the engine
has the parameter (scale, seed, init), or a narrowed copy with a name of its
own where the dashboard allows less (``DASHBOARD_EPOCHS``: 20,000 epochs keep a
page quick; the engine takes 100,000). From the field come the URL parsing and
its note (``ui.urlstate``), the widget's bounds, options and help
(``ui.controls``) and the classroom lock (``ui.classroom``); the rules the dashboard
adds to the engine's are in ``ui.rules``. The pages' lists
are in ``ui.registry``; the URL table of docs/links.md mirrors this file.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import gdcore
import gdcore.learner.log_record
import gdcore.pixels.images
import gdcore.verdicts.diagnosis
from gdcore.bowl.landscape import WEIGHT_NAMES
from gdcore.learner.setup import START
from gdcore.params import (
    EPOCHS,
    INIT,
    MOMENTUM,
    NESTEROV,
    SCALE,
    SCHEDULE,
    SEED,
    Choice,
    ListOf,
    Param,
)
from gdcore.params import Range as R
from ui.rules import (
    DASHBOARD_MAX_EPOCHS,
    DASHBOARD_WARMUP,
    RATE,
    ColumnName,
    CurveText,
    RunList,
)

UPLOAD = "upload"
SIZES = (8, 16, 32, 48, 64, 96, 128, 192, 256, 384, 512)
COMPARE_RATES, COMPARE_IMAGES = 8, 3
SWEEP_POINTS = 200
WALK_EPOCHS = 500
WALK_PAIRS = {"w1,w2": (1, 2), "w0,w1": (0, 1), "w0,w2": (0, 2)}
STEP_MAX = 500
LESSON_CURVE = "2.0, 0.1, 5.0, 20"
MAX_TEXT_CHARS = 24 * gdcore.learner.log_record.MAX_VALUES
"""The errors box holds as many values as the reader takes, at up to 24 characters each
(a full-precision float and its separator)."""
EXERCISES = {
    "predict": "Predict, then run",
    "largest": "The largest rate that converges",
    "fastest": "The fastest rate",
    "read": "Read a curve",
    "scaling": "Raw against unit coordinates",
    "sign": "The slope's sign",
    "momentum": "A momentum that saves a large rate",
}

MAX_LINK_VALUE = 400
"""The most characters a link carries for one setting: a longer value in a link falls back
to the default with a note, and the share box and the link maker leave it out and say so."""

DASHBOARD_EPOCHS = EPOCHS.narrowed(hi=DASHBOARD_MAX_EPOCHS)


@dataclass(frozen=True)
class Field:
    """One URL parameter bound to one widget.

    ``form`` is what the widget holds: the value itself, the value as text
    (a text box of rates) or a list (a multiselect).
    """

    url: str
    key: str
    param: Param
    default_label: str | None = None  # how a note names the default, if not by its value
    form: str = "value"

    @property
    def default(self) -> Any:
        return self.param.default

    def problem(self, raw: str) -> str | None:
        """``must be …`` if ``raw`` breaks the rule, else None.

        The value itself is left out: a note quotes it as code, and text from a
        link is never shown as Markdown.
        """
        if self.param.problem(raw) is None:
            return None
        return f"must be {self.param.rule.allowed()}"

    def from_url(self, raw: str) -> Any:
        """The widget's value for a URL value; ``ValueError`` if it breaks the rule."""
        value = self.param.check(raw)
        if self.form == "text":
            return self.param.show(value)
        if self.form == "list":
            return list(value)
        return value

    def show(self, value: Any) -> str:
        """The widget's value as URL text."""
        if self.form == "text":
            return str(value)
        return self.param.show(value)

    def unfit(self, text: str) -> str | None:
        """Why ``text`` cannot stand in a link for this control, or None if a link reopens it.

        >>> EXPLORE[3].unfit("0.5"), EXPLORE[3].unfit("0" * 401)
        (None, 'it is 401 characters, and a link holds at most 400 per setting')
        """
        if len(text) > MAX_LINK_VALUE:
            return (
                f"it is {len(text):,} characters, and a link holds at most "
                f"{MAX_LINK_VALUE} per setting"
            )
        problem = self.problem(text)
        return None if problem is None else f"it {problem}"

    def describe_default(self) -> str:
        if self.default_label is not None:
            return self.default_label
        return self.param.show(self.default) if self.default is not None else "the default"


def _last_epoch(key: str, most: int, help: str) -> Field:
    """The epoch a picture shows (``at``): -1, the default, is the run's last."""
    return Field("at", key, Param("at", R(-1, most, integer=True), -1, help), "the last epoch")


IMAGE = (
    Field(
        "image",
        "image",
        Param(
            "image",
            Choice((*gdcore.BUILTINS, UPLOAD)),
            gdcore.pixels.images.IMAGE.default,
            "Built-in images are made by code; an upload stays in your session only.",
        ),
    ),
    Field(
        "size", "size", Param("size", Choice(SIZES), 64, "Pixels per side the image is used at.")
    ),
    Field("scale", "scale", SCALE),
)
AXIS = Param(
    "axis",
    Choice(("auto", "linear", "log")),
    "auto",
    "How the error axis is drawn. A log axis shows the slow last stretch and the blow-up; "
    "auto picks it when the error drawn spans more than 30× (a linear axis would squash "
    "most values into its bottom strip), and says so under the chart.",
)
EXPLORE = (
    *IMAGE,
    Field("lr", "ex_lr", Param("lr", RATE.rule, 0.5, RATE.help)),
    Field("epochs", "ex_epochs", Param("epochs", DASHBOARD_EPOCHS.rule, 200, EPOCHS.help)),
    Field("init", "ex_init", INIT),
    Field("seed", "ex_seed", SEED),
    Field(
        "batch",
        "ex_batch",
        Param(
            "batch",
            R(0, 10**7, integer=True),
            0,
            "Pixels per step; 0 uses the whole image. Batches are shuffled every epoch from the seed.",
        ),
    ),
    Field("momentum", "ex_momentum", MOMENTUM),
    Field("nesterov", "ex_nesterov", NESTEROV, "off"),
    Field("schedule", "ex_schedule", SCHEDULE),
    Field("warmup", "ex_warmup", DASHBOARD_WARMUP),
    Field("axis", "ex_axis", AXIS),
    _last_epoch("ex_at", DASHBOARD_MAX_EPOCHS, "The epoch the pictures show."),
)
COMPARE = (
    *IMAGE,
    Field(
        "rates",
        "cmp_rates",
        Param(
            "rates",
            ListOf(RATE.rule, 1, COMPARE_RATES),  # type: ignore[arg-type]
            "",
            "Leave empty for three rates chosen from the image's theory: too small, good, too large.",
        ),
        "the theory's three rates",
        form="text",
    ),
    Field(
        "also",
        "cmp_also",
        Param(
            "also",
            ListOf(Choice(tuple(gdcore.BUILTINS)), 1, COMPARE_IMAGES - 1),
            [],
            "The same rates on other images, at the same size and scale.",
        ),
        "no other images",
        form="list",
    ),
    Field(
        "runs",
        "cmp_runs",
        Param(
            "runs",
            RunList(COMPARE_RATES),  # type: ignore[arg-type]
            (),
            "Runs with their own momentum, Nesterov, schedule or warm-up, drawn beside the rates.",
        ),
        "no such runs",
    ),
    Field("epochs", "cmp_epochs", Param("epochs", DASHBOARD_EPOCHS.rule, 300, EPOCHS.help)),
    Field("axis", "cmp_axis", AXIS),
)
SWEEP = (
    *IMAGE,
    Field(
        "from",
        "sw_from",
        Param("from", RATE.rule, None, "The smallest rate."),
        "the range from theory",
    ),
    Field(
        "to", "sw_to", Param("to", RATE.rule, None, "The largest rate."), "the range from theory"
    ),
    Field(
        "points",
        "sw_points",
        Param("points", R(2, SWEEP_POINTS, integer=True), 30, "Rates, log-spaced."),
    ),
    Field("epochs", "sw_epochs", Param("epochs", DASHBOARD_EPOCHS.rule, 300, EPOCHS.help)),
)
WALK = (
    *IMAGE,
    Field(
        "weight",
        "wk_weight",
        Param("weight", Choice(WEIGHT_NAMES), "w1", "The one weight that learns."),
    ),
    Field(
        "pair",
        "wk_pair",
        Param("pair", Choice(tuple(WALK_PAIRS)), "w1,w2", "The two weights that learn."),
    ),
    Field(
        "speed",
        "wk_speed",
        Param(
            "speed",
            R(0.001, 3.0),
            0.8,
            "Each picture has its own edge rate; 1 is the edge, where steps stop settling.",
        ),
    ),
    Field("momentum", "wk_momentum", MOMENTUM),
    Field("epochs", "wk_epochs", Param("epochs", R(1, WALK_EPOCHS, integer=True), 30, EPOCHS.help)),
    _last_epoch("wk_at", WALK_EPOCHS, "The steps drawn, up to this epoch."),
)
STEP = (
    *IMAGE,
    Field("w", "st_w", Param("w", R(-1e6, 1e6), 1.0, "The weight before the first step.")),
    Field("lr", "st_lr", Param("lr", R(1e-9, 10.0), 0.01, RATE.help)),
    Field(
        "steps", "st_steps", Param("steps", R(0, STEP_MAX, integer=True), 0, "Steps taken so far.")
    ),
    Field("lr3", "st_lr3", Param("lr3", R(1e-9, 1e6), 0.5, RATE.help)),
    Field("epoch3", "st_epoch3", Param("epoch3", R(1, 5, integer=True), 1, "The epoch shown.")),
)
DIAGNOSE = (
    Field("errors", "dg_errors", Param("errors", CurveText(), LESSON_CURVE, "Epoch 0 first.")),  # type: ignore[arg-type]
    Field(
        "lr",
        "dg_lr",
        Param("lr", RATE.rule, None, "Turns the verdict into a concrete next rate."),
        "no rate",
    ),
    Field(
        "column",
        "dg_column",
        Param(
            "column",
            ColumnName(),  # type: ignore[arg-type]
            "",
            "A log with several curves: the one to judge. By default the rule chooses: "
            "the training loss before the validation loss, never an epoch or step counter.",
        ),
        "the rule's choice",
    ),
    Field("axis", "dg_axis", AXIS),
)
EXERCISE = (
    *IMAGE,
    Field("exercise", "xr_exercise", Param("exercise", Choice(tuple(EXERCISES)), "predict", "")),
)
CHECK_PREVIEW = 50
"""Epochs of the exact curve Check my loop shows before it has the learner's errors."""
CHECK = (
    *IMAGE,
    Field("lr", "ck_lr", Param("lr", RATE.rule, 0.5, "The rate your loop used.")),
    Field("init", "ck_init", START, form="text"),
    Field("seed", "ck_seed", Param("seed", SEED.rule, 0, "The seed of random starting weights.")),
    Field("momentum", "ck_momentum", MOMENTUM),
    Field("nesterov", "ck_nesterov", NESTEROV, "off"),
    Field("schedule", "ck_schedule", SCHEDULE),
    Field("warmup", "ck_warmup", DASHBOARD_WARMUP),
    Field(
        "epochs",
        "ck_epochs",
        Param("epochs", DASHBOARD_EPOCHS.rule, None, "How many epochs your loop ran."),
        "as many as the values",
    ),
    Field(
        "errors",
        "ck_errors",
        Param("errors", CurveText(), "", "The errors your loop printed, epoch 0 first."),  # type: ignore[arg-type]
        "none yet",
        form="text",
    ),
    Field("axis", "ck_axis", AXIS),
)
