"""Widgets shared by several pages: navigation, image picker, verdict, share box.

Functions here draw widgets and return plain values; they compute nothing
themselves (that is gdcore's job, through ``ui.cached``).
"""

from __future__ import annotations

import contextlib
import hashlib
import html
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

import gdcore
import gdcore.learner.check
import gdcore.verdicts.suggest
from gdcore.bowl.fastest import Fastest
from gdcore.verdicts.diagnosis import shown_edge
from ui import charts, text, turns, urlstate
from ui.cached import builtin_png, chart_spec, digest, upload_pixels
from ui.charts import VERDICT_COLOURS
from ui.controls import action, control
from ui.fields import IMAGE, UPLOAD, Field
from ui.image import ImageChoice, builtin_choice
from ui.loops import run_script
from ui.pictures import brightness_to_rgb, prediction_to_rgb, residual_to_rgb
from ui.registry import BY_ID, PAGES, Page
from ui.text import SLOPE_SIGNS, START_HERE, error_number, slope_sign_row

IMAGE_FIELD, SIZE_FIELD, SCALE_FIELD = IMAGE
SCALE_HELP = {
    "raw": "pixel indices and brightness 0–255, as first written",
    "unit": "x, y and brightness each divided into 0–1",
    "standard": "x, y and brightness shifted and scaled to mean 0, spread 1",
}
VERDICT_MARK = {"too small": "▼", "good": "✓", "too large": "▲"}
DARK_BUTTON_CSS = """<style>@media (prefers-color-scheme: dark) {
[data-testid="stBaseButton-primary"] { color: #0B0D10; } }</style>"""
"""The dark theme's primary colour is light (#56B4E9, 7:1 as slider text on the sidebar), and
Streamlit writes white on primary buttons (2.3:1): dark text there (8:1). The theme follows the
browser's colour scheme, so does this rule."""


@contextlib.contextmanager
def page_run(page_id: str) -> Iterator[Page]:
    """Every page's body runs as ``with page_run(id) as page:``: in this process's turn
    (``ui.turns``: this browser's place in line; a newer run of the session replaces this
    one while it waits), starting with :func:`page_setup`."""
    ctx = get_script_run_ctx(suppress_warning=True)
    session = ctx.session_id if ctx is not None else ""
    with turns.turn(_browser(session), session, ctx.yield_check if ctx is not None else None):
        try:
            page = page_setup(page_id)
        except turns.RunStopped:
            _say_stopped()
            st.stop()  # no page to run the body with
        try:
            yield page
        except turns.RunStopped:
            _say_stopped()


def _say_stopped() -> None:
    st.error(turns.HUNG_MESSAGE.format(turns.HANG_S), icon=":material/timer_off:")


def _browser(session: str) -> str:
    """Who is asking, for taking turns: the browser (its tabs share Streamlit's XSRF cookie,
    whose token is the same under a fresh mask each time it is set), else the session."""
    try:
        raw = st.context.cookies.get("_streamlit_xsrf") or ""
    except Exception:  # no cookies outside a browser session (tests)
        raw = ""
    parts = raw.strip('"').split("|")
    if len(parts) == 4 and parts[0] == "2":
        try:
            mask, masked = bytes.fromhex(parts[1]), bytes.fromhex(parts[2])
        except ValueError:
            mask = masked = b""
        if len(mask) == 4 and masked:
            token = bytes(b ^ mask[i % 4] for i, b in enumerate(masked))
            return "browser:" + hashlib.sha256(token).hexdigest()[:16]
    return "session:" + session


def page_setup(page_id: str) -> Page:
    """Page config, URL restore, navigation, title and link notes; call first on every page."""
    page = BY_ID[page_id]
    st.set_page_config(
        page_title=f"{page.title} · Learning-rate explorer",
        page_icon=builtin_png(IMAGE_FIELD.default, 32),
        layout="wide",
    )
    urlstate.restore(page)
    st.html(DARK_BUTTON_CSS)
    with st.sidebar:
        st.markdown("### :material/trending_down: Learning-rate explorer")
        # The links carry nothing: arriving at a page restores the session's settings.
        for p in PAGES:
            st.page_link(p.file, label=p.title, icon=p.icon)
        st.divider()
    st.title(f"{page.icon} {page.title}")
    urlstate.show_notes(page)
    return page


def image_picker(sizes_label: str = "Working size (pixels per side)") -> ImageChoice:
    """Built-in image or upload, working size and scale, in the sidebar."""
    with st.sidebar:
        st.markdown("#### Image")
        name = control(
            st.selectbox,
            IMAGE_FIELD,
            "Image",
            format_func=lambda n: "your own image (upload)" if n == UPLOAD else n,
            label_visibility="collapsed",
        )
        if name != UPLOAD:
            st.caption(gdcore.BUILTINS[name].description)
        size = control(st.select_slider, SIZE_FIELD, sizes_label)
        scale = control(
            st.radio,
            SCALE_FIELD,
            "Scale of the pixel table",
            horizontal=True,
            help="; ".join(f"**{k}**: {v}" for k, v in SCALE_HELP.items()),
        )
        st.caption(f"**{scale}**: {SCALE_HELP[scale]}")
        if name != UPLOAD:
            return builtin_choice(name, size)
        choice = _upload_choice(size)
        if choice.notes:
            st.caption("Image adjusted: " + "; ".join(choice.notes) + ".")
    return choice


def _upload_choice(size: int) -> ImageChoice:
    file = st.file_uploader(
        "Your image (PNG, JPEG, WebP, BMP, GIF, TIFF)",
        # No type=: Streamlit checks it on the file name only, and a name it does
        # not expect raises inside the session. The content decides instead.
        key="upload_file",
        help="Turned into brightness; large images are averaged down to the working size.",
    )
    if file is not None:
        data = file.getvalue()
        sha = digest(data)
        try:
            loaded = upload_pixels(sha, size, data)
        except gdcore.ImageError as exc:
            st.error(f"**{_safe_name(file.name)}** cannot be used: {exc}", icon=":material/block:")
        else:
            st.session_state["_upload"] = (sha, data, _safe_name(file.name))
            return ImageChoice(
                ("upload", sha, size), _safe_name(file.name), loaded.pixels, tuple(loaded.notes)
            )
    last = st.session_state.get("_upload")
    if last is not None:
        sha, data, fname = last
        loaded = upload_pixels(sha, size, data)
        return ImageChoice(
            ("upload", sha, size),
            fname,
            loaded.pixels,
            (*loaded.notes, "showing your last good upload"),
        )
    st.info(
        "Choose an image file above. Until then, the built-in scene is shown.",
        icon=":material/upload:",
    )
    return builtin_choice(IMAGE_FIELD.default, size)


def verdict_card(d: gdcore.Diagnosis, lr: float | None = None, lesson: str | None = None) -> None:
    """The verdict in words, symbol and colour: the headline and, first, the curve in the
    lesson's words (``gdcore.lesson_line``). Without ``lesson`` the reason follows here;
    with it, the reason's numbers go after the chart (``verdict_numbers``)."""
    colour = VERDICT_COLOURS[d.verdict]
    rate = f" &nbsp;·&nbsp; rate {lr:.4g}" if lr is not None else ""
    first = lesson if lesson is not None else d.reason[:1].upper() + d.reason[1:]
    st.markdown(
        f"""<div data-testid="verdict-card" style="border-left: 8px solid {colour};
        padding: 0.6rem 1rem; background: {colour}14; border-radius: 4px; margin-bottom: 0.6rem;">
        <div style="font-size: 1.5rem; font-weight: 700;"><span style="color: {colour};">
        {VERDICT_MARK[d.verdict]} {d.verdict.upper()}</span><span style="font-size: 0.95rem;
        font-weight: 400;">{rate}</span></div>
        <div style="font-size: 1.0rem; margin-top: 0.2rem;">{html.escape(first)}</div>
        </div>""",
        unsafe_allow_html=True,
    )


def rate_advice(
    lr_field: Field,
    scale_field: Field,
    suggested: float | None,
    lr: float,
    scale: str,
    bowl: gdcore.Quadratic,
    w0: np.ndarray,
    epochs: int,
    plain: bool = True,
) -> None:
    """The advice buttons beside a verdict: the suggested rate and, on the raw scale,
    normalizing. When the suggested rate cannot finish within the run's epochs on the raw
    scale, normalizing comes first and the rate says how many epochs it needs (plain steps
    only: with momentum or a schedule the rate's button is left as it is)."""
    shown = float(f"{suggested:.6g}") if suggested is not None else None
    offer = shown is not None and not np.isclose(shown, lr, rtol=1e-3)
    advice = (
        gdcore.verdicts.suggest.rate_advice(bowl, shown, w0, epochs, scale)
        if offer and shown is not None and plain
        else None
    )
    first = advice is not None and advice.normalize_first

    def normalize() -> None:
        if scale == "raw":  # the lesson's fix for a steep bowl, beside the verdict
            label = (
                "Normalize the inputs first: use the unit scale"
                if first
                else ("Normalize: use the unit scale")
            )
            action(
                st.button,
                scale_field,
                label,
                set_to="unit",
                type="primary" if first else "secondary",
                key="ex_unit",
            )

    if first:
        normalize()
    if offer and shown is not None:
        action(
            st.button,
            lr_field,
            advice.rate_label() if advice else f"Try the suggested rate {shown:g}",
            set_to=shown,
            type="secondary" if first else "primary",
            key="ex_use_suggestion",
        )
    if not first:
        normalize()


def verdict_numbers(d: gdcore.Diagnosis) -> None:
    """The verdict's second line, after the chart: the numbers behind it (E*, edges, epochs)."""
    st.markdown(
        f"""<div data-testid="verdict-numbers" style="font-size: 0.95rem;">
        <b>In numbers:</b> {html.escape(d.reason[:1].upper() + d.reason[1:])}</div>""",
        unsafe_allow_html=True,
    )


def share_box(page: Page, written: dict[str, str], note: str = "") -> None:
    """A visible, copyable link that reopens exactly this run."""
    link = urlstate.share_link(page, written)
    unlinked = urlstate.unlinked(page, written)
    with st.expander("Share this run", expanded=False, icon=":material/link:"):
        if unlinked:
            st.warning(
                "**This link does not reopen this run.**\n\n"
                + "\n".join(f"- {s}" for s in unlinked)
                + "\n\nTo share those values, send them as text or a file."
                + (f" {note}" if note else ""),
                icon=":material/link_off:",
            )
        else:
            st.caption(
                "Anyone opening this link sees the same run and verdict."
                + (f" {note}" if note else "")
            )
        st.code(link, language=None, wrap_lines=True)  # the whole link, never cut at 390 px


def theory_metrics(th: gdcore.Theory, fast: Fastest | None, per_row: int = 4) -> None:
    """The bowl's numbers; ``fast`` is the fastest rate from the run's start."""
    c = st.columns(per_row) + (st.columns(per_row) if per_row < 4 else [])
    c[0].metric(
        "edge rate 2/λmax",
        shown_edge(th.critical_lr, fast.lr if fast else None),
        help="Above it, full-batch descent diverges: every step overshoots by more than it gains.",
    )
    c[1].metric(
        "fastest from this start",
        f"{fast.lr:g}" if fast else "any",
        help=(
            f"Gets within 1% of E* in {fast.epochs:,} epochs from this start; no constant rate "
            f"does it in fewer. The best rate for any start, 2/(λmin+λmax) = {th.optimal_lr:.4g}, "
            "shrinks the slowest direction fastest, but from one start it can lose."
            if fast
            else "The start is already within 1% of E*."
        ),
    )
    kappa = "∞" if th.singular else f"{th.condition_number:.4g}"
    c[2].metric("condition number κ", kappa, help="λmax/λmin: how stretched the bowl is.")
    c[3].metric(
        "lowest error E*", error_number(th.error_star), help="The error at the best weights w*."
    )


def thumbnails() -> None:
    """A gallery of the built-in images; a click picks one."""
    names = list(gdcore.BUILTINS)
    cols = st.columns(len(names))
    for col, name in zip(cols, names, strict=True):
        with col:
            st.image(
                builtin_png(name, 64),
                caption=name,
                width="stretch",
                output_format="PNG",  # the bytes as they are ("auto" re-encodes a JPEG each run)
                alt=f"{name}: {gdcore.BUILTINS[name].description}",
            )
            action(
                st.button,
                IMAGE_FIELD,
                "Use",
                key=f"thumb_{name}",
                on_click=_pick,
                args=(name,),
                width="stretch",
            )


def _safe_name(name: str, most: int = 60) -> str:
    """A file name to show (never a path), as a Markdown code span: nothing in it is live.

    The name is kept as written, underscores, brackets and backticks included;
    characters that cannot be printed become ``?`` and a name longer than
    ``most`` keeps its start and its end. The fence is one backtick longer than
    any run of backticks in the name, so the name cannot close it.

    >>> print(_safe_name("my_photo <b>`1`</b>.png"))
    ``my_photo <b>`1`</b>.png``
    """
    clean = "".join(ch if ch.isprintable() else "?" for ch in name).strip()
    if not clean:
        return "your image"
    if len(clean) > most:
        clean = clean[: most * 2 // 3] + "…" + clean[-(most - most * 2 // 3 - 1) :]
    ticks = "".join(ch if ch == "`" else " " for ch in clean).split()
    fence = "`" * (max(map(len, ticks), default=0) + 1)
    # A space between fence and name when the name starts or ends with a backtick;
    # Markdown removes one such space from each end.
    pad = " " if "`" in (clean[0], clean[-1]) else ""
    return f"{fence}{pad}{clean}{pad}{fence}"


def _pick(name: str) -> None:
    st.session_state["image"] = name


def epoch_slider(field: Field, label: str, last: int) -> int:
    """A slider over epochs 0..``last`` that follows the end of the run.

    It stays on the last epoch when the run changes (a new rate, more epochs)
    unless the learner moved it elsewhere, so a picture never shows a stale
    epoch 0 beside a run that went on.
    """
    end = f"_end_{field.key}"
    at = st.session_state.get(field.key, -1)
    if at > last and at != st.session_state.get(end):  # a link's epoch past this run's end
        st.caption(
            f"`{field.url}={at}` is past this run's last epoch: showing epoch {last:,} "
            f"({field.url} can be 0 to {last:,} here)."
        )
    if at < 0 or at > last or at == st.session_state.get(end):
        at = last
    # Written on every run: a slider's bounds are part of its identity, so a new
    # ``last`` makes a new slider that would otherwise start at 0.
    st.session_state[field.key] = at
    st.session_state[end] = last
    value = control(
        st.slider, field, label, min_value=0, max_value=max(last, 1), disabled=last == 0
    )
    return min(int(value), last)


def prediction_pictures(choice: ImageChoice, prediction: np.ndarray, at: int) -> None:
    """The image, the model's prediction at an epoch, and the residual, side by side."""
    c1, c2, c3 = st.columns(3)
    residual = choice.pixels - prediction
    alts = picture_texts(choice, prediction, residual, at)
    # PNG: every pixel as computed, encoded once ("auto" makes a lossy JPEG, re-encoded).
    look: dict[str, Any] = {"width": "stretch", "output_format": "PNG"}
    # Each picture of 512 x 512 pixels takes a while to encode: a run with heavy work lets
    # the light runs that wait go first between them (ui.turns).
    turns.pause()
    c1.image(brightness_to_rgb(choice.pixels), caption="your image", alt=alts[0], **look)
    turns.pause()
    c2.image(prediction_to_rgb(prediction), caption=f"prediction, epoch {at}", alt=alts[1], **look)
    turns.pause()
    c3.image(
        residual_to_rgb(residual),
        caption="residual: orange = too dark, blue = too bright, white = right",
        alt=alts[2],
        **look,
    )
    out = ~(np.isfinite(prediction) & (prediction >= -0.5) & (prediction <= 255.5))
    if out.any():
        st.caption(clipped_text(prediction, at, float(out.mean())))


OUT_OF_RANGE_NAME = "purple"
"""The hatching colour of ``ui.pictures.OUT_OF_RANGE_RGB`` in words."""


def clipped_text(prediction: np.ndarray, at: int, share: float) -> str:
    """Why the prediction picture shows black or white: how much of it is outside 0-255."""
    finite = prediction[np.isfinite(prediction)]
    span = (
        f"runs from {finite.min():.3g} to {finite.max():.3g}"
        if finite.size
        else "is not a number anywhere"
    )
    pct = f"{100 * share:.0f}%" if share >= 0.01 else "under 1%"
    hatch = f"hatched in {OUT_OF_RANGE_NAME} stripes"
    if share < 0.5:
        return (
            f"At epoch {at} the predicted brightness {span}: the {pct} of pixels outside "
            f"0–255 are drawn black (below 0) or white (above 255), {hatch}."
        )
    return (
        f"At epoch {at} the predicted brightness {span}: {pct} of the pixels are outside "
        f"0–255, so the picture is mostly clipped to black and white, {hatch}."
    )


def picture_texts(
    choice: ImageChoice, prediction: np.ndarray, residual: np.ndarray, at: int
) -> tuple[str, str, str]:
    """The text alternatives of the three pictures: what each shows, with its numbers."""

    def span(v: np.ndarray) -> str:
        finite = v[np.isfinite(v)]
        if not finite.size:
            return "no finite values (the run blew up)"
        return f"from {finite.min():.4g} to {finite.max():.4g}"

    px = choice.pixels
    side = f"{px.shape[1]}×{px.shape[0]}"
    finite = residual[np.isfinite(residual)]
    mean_abs = f", on average {np.abs(finite).mean():.4g} away" if finite.size else ""
    return (
        f"Your image, {choice.label}: {side} pixels, brightness {span(px)}.",
        f"The model's prediction at epoch {at}: a flat ramp of brightness {span(prediction)} "
        f"(drawn clipped to 0–255 in a grey frame; pixels outside it {OUT_OF_RANGE_NAME} "
        "hatched).",
        f"The residual at epoch {at}, image minus prediction: {span(residual)}{mean_abs}; orange "
        "where the prediction is too dark, blue where it is too bright, white where it is right.",
    )


def number_table(df: pd.DataFrame) -> None:
    """Every number whole, sign and all, at six significant digits, as right-aligned text.

    The grid's number columns refuse numbers past 2**53 (which an exploding
    walk passes) and cut long ones on the left; text columns do neither.
    """
    right = {c: st.column_config.TextColumn(str(c), alignment="right") for c in df}
    st.dataframe(df.map(lambda v: f"{v:.6g}"), hide_index=True, column_config=right)


def short_number(v: float) -> str:
    """A metric's value: six digits, three once it is huge, so it fits its column."""
    return f"{v:.6g}" if abs(v) < 1e6 else f"{v:.3g}"


def quiz(items: Iterable[tuple[str, list[str], str, str, str]], key: str) -> None:
    """Questions with options; each answer hears whether it is right, and why."""
    for i, (question, options, correct, yes, no) in enumerate(items, start=1):
        answer = st.radio(question, options, index=None, key=f"{key}{i}")
        if answer == correct:
            st.success(yes)
        elif answer is not None:
            st.error(no)


def chart(built: alt.Chart, notes: Sequence[str] = ()) -> None:
    """Draw a chart, and under it one caption with what it leaves out (if anything)."""
    st.altair_chart(built, width="stretch")
    if notes:
        st.caption("Note: " + "; ".join(notes) + ".")


def draw(
    build: Callable[..., Any],
    *args: Any,
    notes: Sequence[str] = (),
    where: Any = None,
    **kwargs: Any,
) -> None:
    """Draw the chart ``build(*args, **kwargs)`` returns, built once per content (``ui.cached.chart_spec``).

    A builder that returns ``(chart, notes)`` has its notes added after
    ``notes``; they go into one caption under the chart. ``where`` is the
    container to draw in (a column), Streamlit's main area by default.
    """
    turns.pause()  # a run with heavy work lets waiting light runs go between its charts
    spec, *rest = chart_spec(build, *args, **kwargs)
    target = st if where is None else where
    target.vega_lite_chart(charts.fit_title(spec), width="stretch")
    said = [*notes, *(rest[0] if rest else ())]
    if said:
        target.caption("Note: " + "; ".join(said) + ".")


def check_finding(found: gdcore.learner.check.Check, said: str, epochs: int | None = None) -> None:
    """What ``gdcore.learner.check`` found, in words: the outcome, the evidence, the lines to fix."""
    evidence = text.literal(found.evidence)
    if found.outcome == "match":
        st.success(f"**Match.** {evidence}", icon=":material/check_circle:")
    elif found.outcome == "unexplained":
        st.error(f"**Unexplained from epoch {found.parted:,}.** {evidence}", icon=":material/help:")
    else:
        st.warning(f"**{text.literal(found.headline)}.** {evidence}", icon=":material/build:")
        for f in found.findings:
            st.markdown(f"**{f}**: {text.literal(f.why)}. Write:")
            st.code(f.line, language="python")
    if found.parted is not None:
        st.markdown(
            f"Your numbers part from the exact curve at **epoch {found.parted:,}**: printed "
            f"`{found.texts[found.parted]}`, exact {found.exact[found.parted]:.6g}."
        )
    st.text(f"Read: {said}.")  # a log's column names: text, not Markdown
    n = len(found.values)
    if epochs is not None and n != epochs + 1:
        if n == epochs:
            why = (
                f"one short of epochs 0 to {epochs:,}: a loop that records each error after "
                "the update prints that many"
            )
        else:
            why = f"they are read as epochs 0 to {n - 1:,}"
        st.caption(f"You gave {n:,} values for {epochs:,} epochs: {why}.")


def upload_bytes(choice: ImageChoice) -> bytes | None:
    """The bytes of the uploaded image ``choice`` shows, or None for a built-in image."""
    last = st.session_state.get("_upload")
    if choice.key[0] != "upload" or last is None or last[0] != choice.key[1]:
        return None
    return last[1]


def code_downloads(choice: ImageChoice, scale: str, **run: Any) -> None:
    """The run on screen as a script to download ("Get this run as code"), numpy or PyTorch.

    ``run`` holds the run's options by their names in ``gdcore.learner.export.OPTIONS``,
    and its ``optimizer`` (a ``gdcore.Optimizer``).
    """
    with st.expander("Get this run as code", icon=":material/code:"):
        st.caption(
            "A short Python script with the image, the pixel table and the loop written out; "
            "it needs only NumPy (or PyTorch). Run as it is, it prints this run's numbers, "
            "one row per epoch: `epoch,error,w0,w1,w2`."
        )
        columns = st.columns(2)
        for col, framework, label in zip(
            columns, ("numpy", "pytorch"), ("NumPy loop", "PyTorch (torch.optim.SGD)"), strict=True
        ):
            col.download_button(
                label,
                data=run_script(choice, scale, framework, **run),
                file_name=f"gradient_descent_{framework}.py",
                mime="text/x-python",
                key=f"code_{framework}",
                on_click="ignore",
                icon=":material/download:",
                width="stretch",
            )


def start_here() -> None:
    """The lesson's sections mapped to the pages, with a link to each."""
    for page_id, what in START_HERE.items():
        page = BY_ID[page_id]
        c1, c2 = st.columns([1, 3])
        c1.page_link(page.file, label=page.title, icon=page.icon)
        c2.caption(what)


def slope_sign_table(slope: float) -> None:
    """The lesson's slope-sign table, with the row of ``slope`` highlighted."""
    df = pd.DataFrame(SLOPE_SIGNS, columns=["slope sign", "what it means", "what to try"])
    here = slope_sign_row(slope)
    st.dataframe(
        df.style.apply(
            lambda row: (
                # Dark text on the highlight in both themes (the dark theme's text is light).
                [
                    "background-color: #FFF3C4; color: #0B0D10; font-weight: 600"
                    if row.name == here
                    else ""
                ]
                * len(row)
            ),
            axis=1,
        ),
        hide_index=True,
        width="stretch",
    )
