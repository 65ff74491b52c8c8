"""Cached calls into gdcore, keyed by small parameters, never by big arrays.

Streamlit hashes big arrays from a sample, so two images that differ outside
it would share a cache entry. Every function here takes a small ``key`` that
names the image (a built-in's name and size, or the SHA-256 of uploaded bytes
and the working size) and receives the pixels as an unhashed ``_pixels``
argument. Caches are bounded in entries, age and memory. No function reads a
global or draws a widget.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass, field

import numpy as np
import streamlit as st

import gdcore
import gdcore.learner.check
import gdcore.learner.export
from gdcore.descent.engine import run_seconds
from gdcore.pixels.loading import LoadedImage
from ui import turns
from ui.params import SIZES

CACHE = {"max_entries": 64, "ttl": 3600}


@dataclass(frozen=True)
class ImageChoice:
    """The image a page works on: a cache key, a label, its pixels and notes."""

    key: tuple
    label: str
    pixels: np.ndarray = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


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


def builtin_choice(name: str, size: int) -> ImageChoice:
    return ImageChoice(
        ("builtin", name, size), f"{name} ({size}×{size})", builtin_pixels(name, size)
    )


@st.cache_data(**CACHE, max_size="50MB", show_spinner=False)
def bowl(key: tuple, scale: str, _pixels: np.ndarray) -> tuple[gdcore.Quadratic, gdcore.Theory]:
    table = gdcore.pixel_table(_pixels, scale)
    q = gdcore.quadratic(table)
    return q, gdcore.theory(q)


@turns.shared
@st.cache_data(**CACHE, max_size="300MB", show_spinner="Running gradient descent…")
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
    """Descent for every rate; ``batch`` 0 means full batch. A heavy run waits behind the
    light ones and lets them go first between its blocks (``ui.turns``)."""
    table = gdcore.pixel_table(_pixels, scale)
    q, _ = bowl(key, scale, _pixels)
    turns.heavy(run_seconds(table.n, len(lrs), epochs, batch or None))
    return gdcore.run_descent(
        table,
        list(lrs),
        epochs,
        init=init,
        seed=seed,
        batch_size=batch or None,
        bowl=q,
        between=turns.pause,
    )


def table_for(choice: ImageChoice, scale: str) -> gdcore.PixelTable:
    return gdcore.pixel_table(choice.pixels, scale)


def brightness_to_rgb(img: np.ndarray) -> np.ndarray:
    """Brightness to an 8-bit grey picture, clipped to 0-255 for display."""
    return np.clip(np.nan_to_num(img, nan=0.0), 0, 255).astype(np.uint8)


def residual_to_rgb(res: np.ndarray, span: float = 255.0) -> np.ndarray:
    """Signed residual to colour: blue where the model is too bright, orange where too dark."""
    r = np.clip(np.nan_to_num(res) / span, -1, 1)[..., None]
    white = np.array([255.0, 255.0, 255.0])
    pos, neg = np.array([230.0, 159.0, 0.0]), np.array([0.0, 114.0, 178.0])
    rgb = np.where(r >= 0, white + r * (pos - white), white - r * (neg - white))
    return rgb.astype(np.uint8)


def _judged_runs(key: tuple, scale: str, lrs: tuple[float, ...], epochs: int, _pixels: np.ndarray):
    """Errors-only runs from zero weights, each with its diagnosis (not cached itself)."""
    table = gdcore.pixel_table(_pixels, scale)
    q, th = bowl(key, scale, _pixels)
    turns.heavy(run_seconds(table.n, len(lrs), epochs))
    res = gdcore.run_descent(
        table, list(lrs), epochs, bowl=q, keep_weights=False, between=turns.pause
    )
    w0 = np.zeros(3)
    verdicts = []
    for i, lr in enumerate(lrs):
        verdicts.append(gdcore.diagnose_run(res.errors[i], lr, th, w0))
        turns.pause()
    blowups = [str(d) if d >= 0 else "" for d in res.diverged_epoch.tolist()]
    return res, q, verdicts, blowups


@dataclass(frozen=True)
class JudgedRuns:
    """Runs from zero weights with their verdicts: what Compare and the exercises show."""

    errors: np.ndarray  # (R, T+1)
    diverged_epoch: np.ndarray  # (R,), -1 for none
    final_errors: np.ndarray  # (R,), inf for a run that blew up
    diagnoses: tuple[gdcore.Diagnosis, ...]


@turns.shared
@st.cache_data(**CACHE, max_size="200MB", show_spinner="Running gradient descent…")
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
    """One row per rate: final error, verdict, epochs to get within 1% of E*, reason."""
    res, q, verdicts, blowups = _judged_runs(key, scale, lrs, epochs, _pixels)
    rows = []
    for lr, final, d, blown in zip(lrs, res.final_errors, verdicts, blowups, strict=True):
        turns.pause()
        reach = gdcore.epochs_to_target(q, lr, np.zeros(3))
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


def fit_batch(n: int, batch: int, epochs: int) -> tuple[int, int, list[str]]:
    """The dashboard's policy for a mini-batch run: (batch, epochs, notes said to the learner).

    A batch of at least ``n`` pixels is the whole image (0). Mini-batch runs
    touch every pixel every epoch, so pixels x epochs is capped by the engine's
    one rule (``gdcore.params.MINIBATCH_WORK``); the command line refuses such a
    run, the dashboard runs the epochs that fit and says so.
    """
    notes = []
    if batch >= n:
        notes.append(
            f"batch size {batch:,} is at least the image's {n:,} pixels, so each step uses the whole image"
        )
        batch = 0
    problem = gdcore.params.minibatch_work_problem(n, epochs) if batch else None
    if problem is not None:
        epochs = gdcore.params.minibatch_epochs(n)
        notes.append(f"{problem}, so this run stops at epoch {epochs:,}")
    return batch, epochs, notes


@dataclass(frozen=True)
class Curve:
    """A learner's log as read (``gdcore.learner.logs.Log``), where it came from, or why not.

    ``candidates`` are the columns to choose from when the reader could not decide.
    """

    log: gdcore.learner.logs.Log | None
    source: str
    problem: str | None = None
    candidates: tuple[str, ...] = ()


@st.cache_data(**CACHE, max_size="50MB", show_spinner=False)
def read_curve(sha: str, column: str, _typed: str, _file: bytes | None, run: int = 0) -> Curve:
    """Read a typed or uploaded log once per content, column and run (``sha`` names the content;
    ``run`` 0 is the last run of a file that holds several).

    A file that cannot be read is the answer, not a reason to fall back to the
    text box: the page then shows the problem and no verdict.
    """
    source = "the uploaded file" if _file is not None else "the text box"
    try:
        log = gdcore.learner.logs.read_log(
            _file if _file is not None else _typed, column or None, run or None
        )
    except gdcore.learner.logs.LogError as exc:
        what = "" if exc.candidates else " could not be read"  # read, but which curve?
        return Curve(None, source, f"{source.capitalize()}{what}: {exc}", exc.candidates)
    return Curve(log, source)


def curve_digest(typed: str, upload: bytes | None) -> str:
    """One key for what the learner gave: the file's bytes if any, else the typed text."""
    return digest(b"file:" + upload) if upload is not None else digest(b"text:" + typed.encode())


@dataclass(frozen=True)
class Checked:
    """A learner's printed errors checked against their setup, or why they could not be.

    ``said`` is what was read; ``candidates`` the columns to choose from when
    a log's rule could not decide.
    """

    result: gdcore.learner.check.Check | None
    said: str = ""
    problem: str | None = None
    candidates: tuple[str, ...] = ()


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
) -> Checked:
    """``gdcore.learner.check`` once per image, setup and content (``sha`` names the errors).

    An uploaded image (``_upload``, named by ``key``) is also tried as a learner's
    code reads it (``gdcore.learner.check.learner_pixels``), when the page uses it unaveraged.
    """
    try:
        values, said = gdcore.learner.check.read_errors(_errors)
    except gdcore.learner.logs.LogError as exc:
        return Checked(
            None, problem=f"The errors could not be read: {exc}", candidates=exc.candidates
        )
    except ValueError as exc:
        return Checked(None, problem=f"The errors could not be read: {exc}")
    setup = gdcore.learner.check.Setup(_pixels, scale, lr, init, seed)
    pil = gdcore.learner.check.learner_pixels(_upload) if _upload is not None else None
    others = {} if pil is None else {"PIL": pil}
    return Checked(gdcore.learner.check.check_readings(setup, values, others), said)


@st.cache_data(**CACHE, max_size="20MB", show_spinner=False)
def exact_curve(
    key: tuple, scale: str, lr: float, init: str, seed: int, epochs: int, _pixels: np.ndarray
) -> np.ndarray:
    """The errors a correct loop prints on this setup, epochs 0 to ``epochs``."""
    setup = gdcore.learner.check.Setup(_pixels, scale, lr, init, seed)
    return setup.curve(gdcore.learner.check.Loop(scale, lr), epochs + 1)


def example_errors(key: tuple, scale: str, lr: float, init: str, seed: int, _pixels) -> str:
    """Errors a loop without the ½ prints on this setup, to try the page with."""
    return gdcore.learner.check.example(gdcore.learner.check.Setup(_pixels, scale, lr, init, seed))


def export_image(choice: ImageChoice) -> gdcore.learner.export.Image:
    """How an exported script makes the image on screen: a built-in, or the upload's averaging."""
    kind, name, size = choice.key
    if kind == "builtin":
        return gdcore.learner.export.Image(name, size)
    note = "save your image as my_image.png in the folder you run this script from"
    if size > LARGEST_SIZE:
        return gdcore.learner.export.Image("my_image.png", max_side=size, file=True, note=note)
    return gdcore.learner.export.Image(
        "my_image.png", max_side=LARGEST_SIZE, then=size, file=True, note=note
    )


def run_script(choice: ImageChoice, scale: str, framework: str, **run: object) -> str:
    """The script of the run on screen (``gdcore.learner.export``); ``run`` holds its options
    by name and its ``optimizer``."""
    image = export_image(choice)
    command = (
        gdcore.learner.export.command_line(image, framework, scale=scale, **run)
        if choice.key[0] == "builtin"
        else ""
    )
    return gdcore.learner.export.script(
        image, framework, command, n=int(choice.pixels.size), scale=scale, **run
    )
