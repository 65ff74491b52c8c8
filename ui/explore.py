"""Explore one learning rate: the entry page's sidebar, run, verdict, pictures and what opens on a click.

The first screen holds what a learner reads one rate by: the rate beside the curve, the
verdict in the lesson's words, the error chart, then its numbers and the pictures. What a
learner opens on purpose (the gallery, the lesson's map, why: the bowl's story, the maths,
the weights, the pixel table, the run as code, the share link) is built only once opened:
a lazy expander (``on_change="rerun"``) sends nothing while closed, so it costs neither the
server nor the browser on each rate change. The main area is a fragment (:func:`rerun_alone`):
a new rate, epoch or axis reruns it alone, not the sidebar and its page links; it is laid out
top to bottom but sends the error chart first (:func:`ready`). Where the time went before:
docs/performance.md ("In a browser").
"""

from __future__ import annotations

import contextlib
import functools
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import streamlit as st

import gdcore
import gdcore.pixels.table
from gdcore.descent.optimizer import Optimizer
from ui import (
    cached,
    charts,
    classroom,
    controls,
    edges,
    image,
    rate,
    text,
    turns,
    urlstate,
    verdict,
    widgets,
)
from ui.controls import control
from ui.image import ImageChoice
from ui.page_run import turn
from ui.pictures import picture_png, prediction_pictures
from ui.registry import Page

OPEN = {
    "gallery": "ex_open_gallery",
    "map": "ex_open_map",
    "maths": "ex_open_maths",
    "table": "ex_open_table",
    "code": "ex_open_code",
    "share": "ex_open_share",
    "bowl": "ex_open_bowl",
    "weights": "ex_open_weights",
}
"""The session-state keys of Explore's boxes that open on a click (``True``: open)."""
TABLE_ROWS = 8
"""Rows of the pixel table shown."""
CURVE_ALONE_S = 0.03
"""The new curve's head start: the rest of the main area is sent this long after the curve
(less the time its heavy work took; the run idles without the turn for what is left).
Streamlit sends what a run queued every 5 ms, and the browser lays out everything that came
together before Vega draws the chart; given this head start, it draws the curve first.
Measured in one run (docs/performance.md, "Fifth round"): a rate change to the new curve
1.44x the minimal app with no head start beyond the heavy work (about 8 ms), 1.35x with
15 ms, 1.22x with 30 ms; the rest of the page comes that much later."""
CURVE_TITLE = "Error over epochs"
"""The error chart's title. It names no rate: the chart is redrawn in place as the rate
changes (``ui.specs``), and the card above it and the rate box name the rate; its line's
label (what a screen reader reads) begins with it, "rate 0.5 (good): …"."""


@dataclass(frozen=True)
class Setup:
    """What the sidebar chose: the image and how to run on it."""

    choice: ImageChoice
    scale: str
    epochs: int
    init: str
    seed: int
    batch: int
    optimizer: Optimizer
    problems: tuple[str, ...]


@dataclass(frozen=True)
class Run:
    """One rate's run on the chosen image, with the bowl and the verdict."""

    setup: Setup
    lr: float
    table: gdcore.PixelTable
    bowl: gdcore.Quadratic
    theory: gdcore.Theory
    epochs: int
    batch: int
    notes: tuple[str, ...]
    result: gdcore.DescentResult
    diag: gdcore.Diagnosis

    @property
    def errors(self) -> np.ndarray:
        return self.result.errors[0]

    @property
    def weights(self) -> np.ndarray:
        return self.result.weights[0]


@contextlib.contextmanager
def lazy(label: str, key: str, icon: str) -> Iterator[bool]:
    """An expander whose contents are built only while it is open: ``with lazy(...) as
    shown: if shown: ...``. Opening or closing it reruns the page (or the fragment it is in)."""
    box = st.expander(label, icon=icon, key=key, on_change="rerun")
    with box:
        yield bool(box.open)


def sidebar(page: Page) -> Setup:
    """The image, the run's settings, the lesson's map and the gallery, in the sidebar."""
    field = page.field
    choice = image.picker()
    with st.sidebar:
        with st.expander(
            "Run settings: epochs, start, batch, momentum",
            expanded=controls.any_set(page),
        ):
            epochs = control(st.number_input, field("epochs"), "Epochs", step=50)
            init = control(st.radio, field("init"), "Starting weights", horizontal=True)
            batch = control(st.number_input, field("batch"), "Batch size (0 = the whole image)")
            seed = control(st.number_input, field("seed"), "Seed")
            st.caption(text.HEAVY_BALL)
            optimizer, problems = controls.advanced_controls(page)
        with lazy("Start here: the lesson, page by page", OPEN["map"], ":material/map:") as shown:
            if shown:
                widgets.start_here()
        with lazy(
            "Image gallery: pick a built-in image", OPEN["gallery"], ":material/photo_library:"
        ) as shown:
            if shown:
                image.thumbnails()
    scale = str(st.session_state[field("scale").key])
    return Setup(
        choice, scale, int(epochs), init, int(seed), int(batch), optimizer, tuple(problems)
    )


def rerun_alone(body: Callable[..., None]) -> Callable[..., None]:
    """Make ``body(page, ...)`` a fragment: its own widgets rerun it alone. Inside the page's
    run it runs in the page's turn; rerunning alone, it takes its own turn and puts the
    classroom link's locked values back first, as the page's run does."""

    @st.fragment
    @functools.wraps(body)
    def area(page: Page, *args: Any) -> None:
        if turns.TURNS.holding():  # drawn by the page's run
            body(page, *args)
            return
        with turn():
            classroom.impose(page)
            body(page, *args)

    return area


def rate_now(page: Page, setup: Setup) -> float:
    """The rate in the box, read before the box is drawn (:func:`rate_row` draws it after the
    curve, and shows this same value); first, a full rerun if a button here changed the
    sidebar's scale: the sidebar must show the scale the run uses."""
    if st.session_state.get(page.field("scale").key) != setup.scale:
        st.rerun()
    field = page.field("lr")
    # The box shows its key's value, or its minimum when the key is unset: set it, so the
    # box drawn later shows the rate read here.
    return float(st.session_state.setdefault(field.key, field.default))


def rate_row(page: Page, run: Run) -> None:
    """The rate beside the curve: a log slider and the typed box (``ui.rate``), showing the
    rate ``run`` ran at."""
    shown = rate.rate_control(page.field("lr"))
    if shown != run.lr:  # cannot happen while rate_now sets the key; never show two rates
        st.rerun()  # (the whole page: a fragment's own rerun is refused inside a page run)


def run_at(setup: Setup, lr: float) -> Run:
    """Run ``lr`` on the sidebar's image and settings, and judge the curve."""
    choice, optimizer = setup.choice, setup.optimizer
    table = image.table_for(choice, setup.scale)
    bowl, theory = cached.bowl(choice.key, table.scale, choice.pixels)
    batch, epochs, notes = controls.fit_batch(table.n, setup.batch, setup.epochs)
    key, how = (choice.key, table.scale), (setup.init, setup.seed, batch)
    if optimizer.plain:
        result = cached.descend(*key, (lr,), epochs, *how, choice.pixels)
        full = batch == 0
        diag = gdcore.diagnose_run(
            result.errors[0], lr, theory, result.weights[0, 0], full_batch=full
        )
    else:
        result, diag = cached.judged_run(*key, lr, epochs, *how, optimizer, choice.pixels)
    return Run(setup, lr, table, bowl, theory, epochs, batch, tuple(notes), result, diag)


def curve(page: Page, run: Run) -> None:
    """The error chart: the first thing a rate change sends (see :func:`ready`)."""
    widgets.draw(
        charts.error_view,
        [f"rate {run.lr:g}"],
        run.errors[None, :],
        run.result.diverged_epoch,
        log=charts.AXES[st.session_state[page.field("axis").key]],
        error_star=run.theory.error_star,
        title=CURVE_TITLE,
        verdicts=[run.diag.verdict],
        notes=list(run.notes),
        slot="explore-errors",
        live=True,
    )


@dataclass(frozen=True)
class Picture:
    """The pictures at epoch ``at``, made ahead by :func:`ready`: the prediction and its PNG."""

    at: int
    prediction: np.ndarray
    png: bytes


def ready(page: Page, run: Run) -> Picture:
    """The heavy work of what follows the curve, done before any of it is sent: the weights
    chart's spec when its box is open (into the cache that drawing it reads) and the
    pictures, returned for :func:`pictures` to draw.

    The browser lays out everything that reaches it together before Vega draws the chart: this
    work, then an idle wait up to ``CURVE_ALONE_S`` after the curve was sent, keep the rest of
    the page apart from the curve, so a new curve is drawn without waiting for every element
    below it (docs/performance.md, "Fourth round" and "Fifth round").
    """
    sent = time.monotonic()
    turns.pause()  # heavy work: waiting light runs go first
    if st.session_state.get(OPEN["weights"]):
        cached.chart_spec(*_weights_chart(run), slot="explore-weights", live=True)
    at = widgets.shown_epoch(page.field("at"), int(run.result.last_epoch[0]))
    prediction = run.table.predicted_brightness(run.weights[at])
    made = Picture(at, prediction, picture_png(run.setup.choice.pixels, prediction))
    turns.TURNS.idle(CURVE_ALONE_S - (time.monotonic() - sent))  # the curve's head start
    return made


def verdict_card(run: Run) -> None:
    """The verdict in the lesson's words, above the curve (and any settings it cannot use)."""
    for problem in run.setup.problems:
        st.warning(problem, icon=":material/block:")
    lesson = gdcore.lesson_line(run.diag.verdict, run.errors, run.theory.error_star)
    verdict.card(run.diag, run.lr, lesson)


def below_curve(page: Page, run: Run) -> None:
    """Under the curve: the verdict's numbers, the advice, the axis."""
    verdict.numbers(run.diag)
    verdict.rate_advice(
        page.field("lr"),
        page.field("scale"),
        run.diag.suggested_lr,
        run.lr,
        run.table.scale,
        run.bowl,
        run.weights[0],
        run.epochs,
        run.setup.optimizer.plain,
    )
    control(st.radio, page.field("axis"), "Error axis", horizontal=True)


def _weights_chart(run: Run) -> tuple[Any, ...]:
    """The weights chart's builder and arguments (:func:`weights` draws it, :func:`ready`
    builds its spec ahead)."""
    return charts.weights_chart, np.arange(len(run.errors)), run.weights, run.theory.w_star


def weights(run: Run) -> None:
    """With momentum or a schedule, the rate each epoch used; then the three weights."""
    optimizer = run.setup.optimizer
    if not optimizer.plain:
        widgets.draw(
            charts.rate_chart,
            edges.rates_used(run.lr, run.epochs, optimizer),
            edges.edges(run.theory, optimizer),
            "The rate each epoch stepped with",
        )
    with lazy("How the three weights moved", OPEN["weights"], ":material/show_chart:") as shown:
        if shown:
            widgets.draw(*_weights_chart(run), slot="explore-weights", live=True)


def pictures(page: Page, run: Run, made: Picture | None = None) -> int:
    """The image, the prediction and the residual at an epoch the learner picks (``made``
    ahead by :func:`ready` when it is that epoch's); that epoch, or -1 when it follows the
    run's end."""
    choice, table, errors = run.setup.choice, run.table, run.errors
    last = int(run.result.last_epoch[0])
    at = widgets.epoch_slider(page.field("at"), "Show the prediction at epoch", last)
    weights = run.weights[at]
    if made is not None and made.at == at:
        prediction_pictures(choice, made.prediction, at, made.png)
    else:
        prediction_pictures(choice, table.predicted_brightness(weights), at)
    st.caption(
        f"{choice.label} · {table.n:,} pixels · at epoch {at}: w0 = {weights[0]:.4g}, "
        f"w1 = {weights[1]:.4g}, w2 = {weights[2]:.4g}, error = {errors[at]:.4g}"
    )
    return -1 if at == last else at


def pixel_table(run: Run) -> None:
    """The first rows of the pixel table the run learns from, on a click."""
    table = run.table
    with lazy(
        "The pixel table: the rows the model learns from", OPEN["table"], ":material/table:"
    ) as shown:
        if shown:
            st.dataframe(
                pd.DataFrame(table.head(TABLE_ROWS), columns=list(gdcore.pixels.table.COLUMNS)),
                hide_index=True,
                width="stretch",
            )
            st.caption(
                f"First {TABLE_ROWS} of {table.n:,} rows on the {table.scale} scale: each row is "
                "one pixel, `[1, x, y] → brightness`."
            )


def take_away(page: Page, run: Run, at: int) -> None:
    """Publish the run to the address bar; the run as code and the share link, on a click."""
    written = urlstate.publish(page, at=at)
    setup = run.setup
    options = dict(
        lr=run.lr,
        epochs=run.epochs,
        init=setup.init,
        seed=setup.seed,
        batch_size=run.batch or None,
    )
    widgets.code_downloads(
        setup.choice, run.table.scale, key=OPEN["code"], optimizer=setup.optimizer, **options
    )
    upload = setup.choice.key[0] == "upload"
    note = "An uploaded image is not part of the link." if upload else ""
    widgets.share_box(page, written, note, key=OPEN["share"])
