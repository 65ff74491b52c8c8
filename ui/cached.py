"""The engine's results, cached by small keys: every ``st.cache_data`` of the dashboard.

Streamlit hashes big arrays from a sample, so two images that differ outside
it would share a cache entry. Every function here takes a small ``key`` that
names the image (a built-in's name and size, or the SHA-256 of uploaded bytes,
``ui.keys``, and the working size) and receives the pixels as an unhashed ``_pixels``
argument; a chart's spec is keyed by a digest of its builder's arguments
(``ui.specs``). Caches are bounded in entries, age and memory. No function
reads a global or draws a widget.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any, TypedDict

import numpy as np
import streamlit as st

import gdcore
from gdcore.bowl import forecast
from gdcore.descent.engine import run_seconds
from gdcore.descent.optimizer import Optimizer
from gdcore.learner.check import check_readings
from gdcore.learner.export import script
from gdcore.learner.printed_errors import read_printout
from gdcore.learner.script_images import Image
from gdcore.learner.setup import PLAIN, Loop, Setup, learner_pixels
from gdcore.pixels.loading import LoadedImage
from gdcore.verdicts.momentum_map import EpochMap, epoch_map
from gdcore.verdicts.optimizer_verdict import diagnose_optimizer_run
from ui import specs, spinner, turns
from ui.fields import SIZES
from ui.results import Checked, Curve, JudgedRuns
from ui.rules import Run


class CacheLimits(TypedDict):
    """The limits every ``st.cache_data`` here shares (entries, seconds kept)."""

    max_entries: int
    ttl: int


CACHE: CacheLimits = {"max_entries": 64, "ttl": 3600}
RUNNING = "Running gradient descent…"


@st.cache_data(**CACHE, max_size="100MB", show_spinner=False)
def builtin_pixels(name: str, size: int) -> np.ndarray:
    return gdcore.builtin_image(name, size)


@st.cache_data(max_entries=32, ttl=3600, max_size="10MB", show_spinner=False)
def builtin_png(name: str, size: int) -> bytes:
    """A built-in image as PNG bytes, encoded once (the gallery and the page icon; Streamlit
    would encode an array again on every run)."""
    from PIL import Image

    out = io.BytesIO()
    Image.fromarray(builtin_pixels(name, size).astype("uint8")).save(out, "PNG")
    return out.getvalue()


LARGEST_SIZE = max(SIZES)
"""An upload is decoded once at this working size; the smaller ones are averaged from it."""


@st.cache_data(max_entries=16, ttl=3600, max_size="50MB", show_spinner=False)
def _upload_decoded(sha: str, _data: bytes) -> LoadedImage | str:
    """Decode an upload once, at the largest working size; a refusal is kept as its sentence.

    Every working size is derived from this copy (at most 512 x 512 floats,
    2 MB), so moving the size slider never decodes the file again, and a file
    that is refused is refused once.
    """
    try:
        return gdcore.load_image(_data, max_side=LARGEST_SIZE)
    except gdcore.ImageError as exc:
        return str(exc)


@st.cache_data(**CACHE, max_size="100MB", show_spinner=False)
def upload_pixels(sha: str, max_side: int, _data: bytes) -> LoadedImage:
    """An upload at one working size, averaged down from its decoded copy; raises ImageError."""
    if max_side > LARGEST_SIZE:
        return gdcore.load_image(_data, max_side=max_side)
    decoded = _upload_decoded(sha, _data)
    if isinstance(decoded, str):
        raise gdcore.ImageError(decoded)
    return decoded.downsampled(max_side)


@st.cache_data(**CACHE, max_size="50MB", show_spinner=False)
def bowl(key: tuple, scale: str, _pixels: np.ndarray) -> tuple[gdcore.Quadratic, gdcore.Theory]:
    table = gdcore.pixel_table(_pixels, scale)
    error_bowl = gdcore.quadratic(table)
    return error_bowl, gdcore.theory(error_bowl)


@spinner.when_slow(RUNNING, spinner.descent_seconds)
@turns.shared
@st.cache_data(**CACHE, max_size="300MB", show_spinner=False)
def descend(
    key: tuple,
    scale: str,
    lrs: tuple[float, ...],
    epochs: int,
    init: str,
    seed: int,
    batch: int,
    _pixels: np.ndarray,
) -> gdcore.DescentResult:
    """Descent for every rate; ``batch`` 0 means full batch."""
    return _descent(key, scale, lrs, epochs, init, seed, batch, _pixels, Optimizer())


def _descent(
    key: tuple,
    scale: str,
    lrs: tuple[float, ...],
    epochs: int,
    init: str,
    seed: int,
    batch: int,
    pixels: np.ndarray,
    optimizer: Optimizer,
) -> gdcore.DescentResult:
    """A run with its weights (not cached itself). A heavy run waits behind the light ones
    and lets them go first between its blocks (``ui.turns``)."""
    table = gdcore.pixel_table(pixels, scale)
    error_bowl, _ = bowl(key, scale, pixels)
    turns.heavy(run_seconds(table.n, len(lrs), epochs, batch or None, optimizer.momentum))
    return gdcore.run_descent(
        table,
        list(lrs),
        epochs,
        init=init,
        seed=seed,
        batch_size=batch or None,
        bowl=error_bowl,
        between=turns.pause,
        optimizer=optimizer,
    )


def _judged_runs(
    key: tuple, scale: str, lrs: tuple[float, ...], epochs: int, _pixels: np.ndarray
) -> tuple[gdcore.DescentResult, gdcore.Quadratic, list[gdcore.Diagnosis], list[str]]:
    """Errors-only runs from zero weights, each with its diagnosis (not cached itself)."""
    table = gdcore.pixel_table(_pixels, scale)
    error_bowl, theory = bowl(key, scale, _pixels)
    turns.heavy(run_seconds(table.n, len(lrs), epochs))
    res = gdcore.run_descent(
        table, list(lrs), epochs, bowl=error_bowl, keep_weights=False, between=turns.pause
    )
    w0 = np.zeros(3)
    verdicts = []
    for i, lr in enumerate(lrs):
        verdicts.append(gdcore.diagnose_run(res.errors[i], lr, theory, w0))
        turns.pause()
    blowups = [str(d) if d >= 0 else "" for d in res.diverged_epoch.tolist()]
    return res, error_bowl, verdicts, blowups


@turns.shared
@st.cache_data(**CACHE, max_size="200MB", show_spinner=RUNNING)
def compare_runs(
    key: tuple, scale: str, lrs: tuple[float, ...], epochs: int, _pixels: np.ndarray
) -> JudgedRuns:
    """Errors, blow-up epochs, final errors and a diagnosis per rate, for one image.

    Only what the pages show is cached (no weights), so a rerun copies little
    even at the caps.
    """
    res, _, verdicts, _ = _judged_runs(key, scale, lrs, epochs, _pixels)
    return JudgedRuns(res.errors, res.diverged_epoch, res.final_errors, tuple(verdicts))


@turns.shared
@st.cache_data(**CACHE, max_size="20MB", show_spinner="Running the sweep…")
def sweep_rows(
    key: tuple, scale: str, lrs: tuple[float, ...], epochs: int, _pixels: np.ndarray
) -> list[dict]:
    """One row per rate: final error, verdict, epochs to settle within 1% of E*, reason."""
    res, error_bowl, verdicts, blowups = _judged_runs(key, scale, lrs, epochs, _pixels)
    rows = []
    for lr, final, d, blown in zip(lrs, res.final_errors, verdicts, blowups, strict=True):
        turns.pause()
        reach = gdcore.epochs_to_target(error_bowl, lr, np.zeros(3))
        rows.append(
            {
                "lr": lr,
                "final_error": float(final),
                "verdict": d.verdict,
                "epochs_to_1pct": float(reach) if reach is not None else np.inf,
                "diverged_epoch": blown,
                "reason": d.reason,
            }
        )
    return rows


@st.cache_data(**CACHE, max_size="50MB", show_spinner=False)
def read_curve(sha: str, column: str, _typed: str, _file: bytes | None, run: int = 0) -> Curve:
    """Read a typed or uploaded log once per content, column and run (``sha`` names the content;
    ``run`` 0 is the last run of a file that holds several).

    A file that cannot be read is the answer, not a reason to fall back to the
    text box: the page then shows the problem and no verdict.
    """
    source = "the uploaded file" if _file is not None else "the text box"
    try:
        log = gdcore.read_log(_file if _file is not None else _typed, column or None, run or None)
    except gdcore.LogError as exc:
        what = "" if exc.candidates else " could not be read"  # read, but which curve?
        return Curve(None, source, f"{source.capitalize()}{what}: {exc}", exc.candidates)
    return Curve(log, source)


@st.cache_data(**CACHE, max_size="50MB", show_spinner="Checking your numbers…")
def checked(
    key: tuple,
    scale: str,
    lr: float,
    init: str,
    seed: int,
    sha: str,
    _pixels: np.ndarray,
    _errors: str | bytes,
    _upload: bytes | None = None,
    optimizer: gdcore.Optimizer = PLAIN,
    epochs: int | None = None,
) -> Checked:
    """``gdcore.learner.check`` once per image, setup and content (``sha`` names the errors).

    An uploaded image (``_upload``, named by ``key``) is also tried as a learner's
    code reads it (``gdcore.learner.setup.learner_pixels``), when the page uses it unaveraged.
    ``optimizer`` is the loop's (momentum, Nesterov, schedule, warm-up), ``epochs`` the
    epochs it ran (None: as many as the values).
    """
    try:
        printout = read_printout(_errors)
    except gdcore.LogError as exc:
        return Checked(
            None, problem=f"The errors could not be read: {exc}", candidates=exc.candidates
        )
    except ValueError as exc:
        return Checked(None, problem=f"The errors could not be read: {exc}")
    setup = Setup(_pixels, scale, lr, init, seed, optimizer, epochs)
    pil = learner_pixels(_upload) if _upload is not None else None
    others = {} if pil is None else {"PIL": pil}
    found = check_readings(setup, printout.values, others)
    return Checked(found, printout.said, column=printout.column)


@st.cache_data(**CACHE, max_size="20MB", show_spinner=False)
def exact_curve(
    key: tuple,
    scale: str,
    lr: float,
    init: str,
    seed: int,
    epochs: int,
    _pixels: np.ndarray,
    optimizer: gdcore.Optimizer = PLAIN,
) -> np.ndarray:
    """The errors a correct loop prints on this setup, epochs 0 to ``epochs``."""
    setup = Setup(_pixels, scale, lr, init, seed, optimizer, epochs)
    return setup.curve(Loop(scale, lr), epochs + 1)


@st.cache_data(**CACHE, max_size="40MB", show_spinner=False)
def upload_script(
    key: tuple,
    scale: str,
    framework: str,
    run: tuple,
    optimizer: gdcore.Optimizer,
    _pixels: np.ndarray,
) -> str:
    """The script of a run on an upload: its pixel table as the run uses it, written out."""
    image = Image("your image", file=True, pixels=_pixels)
    return script(
        image, framework, "", n=int(_pixels.size), scale=scale, optimizer=optimizer, **dict(run)
    )


@spinner.when_slow(RUNNING, spinner.run_seconds_of)
@turns.shared
@st.cache_data(**CACHE, max_size="200MB", show_spinner=False)
def judged_run(
    key: tuple,
    scale: str,
    lr: float,
    epochs: int,
    init: str,
    seed: int,
    batch: int,
    optimizer: Optimizer,
    _pixels: np.ndarray,
) -> tuple[gdcore.DescentResult, gdcore.Diagnosis]:
    """One run with its optimizer, and its verdict (``gdcore.verdicts.optimizer_verdict``)."""
    _, theory = bowl(key, scale, _pixels)
    res = _descent(key, scale, (lr,), epochs, init, seed, batch, _pixels, optimizer)
    verdict = diagnose_optimizer_run(
        res.errors[0], lr, theory, res.weights[0, 0], full_batch=batch == 0, optimizer=optimizer
    )
    return res, verdict


@st.cache_data(**CACHE, max_size="100MB", show_spinner=RUNNING)
def table_runs(
    key: tuple, scale: str, runs: tuple[Run, ...], epochs: int, _pixels: np.ndarray
) -> tuple[np.ndarray, np.ndarray, tuple[gdcore.Diagnosis, ...]]:
    """Compare's runs with their own settings, from zero weights: errors, blow-ups, verdicts."""
    table = gdcore.pixel_table(_pixels, scale)
    error_bowl, theory = bowl(key, scale, _pixels)
    errors, blown, said = [], [], []
    for r in runs:
        res = gdcore.run_descent(
            table, [r.lr], epochs, bowl=error_bowl, keep_weights=False, optimizer=r.optimizer
        )
        errors.append(res.errors[0])
        blown.append(int(res.diverged_epoch[0]))
        said.append(
            diagnose_optimizer_run(res.errors[0], r.lr, theory, np.zeros(3), optimizer=r.optimizer)
        )
    return np.array(errors), np.array(blown), tuple(said)


MAP_RATES, MAP_MOMENTA = 36, 20
"""The sweep's map: rates (log-spaced) × momenta (0 to ``MAP_TOP``)."""
MAP_TOP = 0.95
MAP_CEILING = 0.995
"""The map reaches β* + 0.01 when the best pair's β* is above ``MAP_TOP``, up to this."""


@st.cache_data(**CACHE, max_size="20MB", show_spinner="Counting epochs over rate × momentum…")
def momentum_map(
    key: tuple, scale: str, epochs: int, nesterov: bool, _pixels: np.ndarray
) -> EpochMap:
    """The sweep's map: the exact settling epoch (within 1% of E* for good) over rate × β,
    counted up to ``epochs``.

    Rates are log-spaced from a hundredth of the plain edge rate to past the edge at the
    top β; momenta run evenly from 0 to ``MAP_TOP`` (or just past β*).
    """
    error_bowl, theory = bowl(key, scale, _pixels)
    # The theory's best β* is always on the map: a stretched bowl wants β* near 1.
    beta_top = max(MAP_TOP, min(MAP_CEILING, float(theory.optimal_momentum) + 0.01))
    top = theory.critical_lr_for(Optimizer(beta_top, nesterov))
    rates = np.geomspace(
        min(theory.critical_lr, top) * 1e-2, max(theory.critical_lr, top) * 1.2, MAP_RATES
    )
    momenta = np.linspace(0.0, beta_top, MAP_MOMENTA)
    return epoch_map(error_bowl, rates, momenta, np.zeros(3), nesterov, limit=epochs)


@st.cache_data(**CACHE, max_size="50MB", show_spinner=False)
def directions(
    key: tuple,
    scale: str,
    lr: float,
    epochs: int,
    init: str,
    seed: int,
    optimizer: Optimizer,
    _pixels: np.ndarray,
) -> forecast.Milestones:
    """Each eigen-direction's curve of a full-batch run (``gdcore.bowl.forecast.milestones``)."""
    error_bowl, _ = bowl(key, scale, _pixels)
    w0 = gdcore.initial_weights(init, seed)
    return forecast.milestones(error_bowl, lr, epochs, w0, optimizer=optimizer)


@st.cache_data(max_entries=512, ttl=3600, max_size="100MB", show_spinner=False)
def _spec(
    key: str, _build: Callable[..., Any], _args: tuple, _kwargs: dict, slot: str | None
) -> tuple:
    with specs.checking():
        out = _build(*_args, **_kwargs)
        chart, *rest = out if isinstance(out, tuple) else (out,)
        return (specs.vega_lite(chart, slot), *rest)


def chart_spec(
    build: Callable[..., Any], *args: Any, slot: str | None = None, **kwargs: Any
) -> tuple:
    """``(spec, *other outputs)`` of a chart builder, from the cache when the same run was drawn.

    ``build`` returns an ``alt.Chart`` or a tuple whose first item is one
    (``error_view`` returns the chart and its notes); the key is ``ui.specs.digest``.
    A ``slot`` names the chart's place, for a chart redrawn in place (``ui.specs``).
    """
    return _spec(specs.digest(build, args, kwargs), build, args, kwargs, slot)
