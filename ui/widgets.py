"""Widgets shared by several pages: navigation, image picker, verdict, share box.

Functions here draw widgets and return plain values; they compute nothing
themselves (that is gdcore's job, through ``ui.data``).
"""

from __future__ import annotations

import html

import streamlit as st
from PIL import Image

import gdcore
from ui import state
from ui.charts import VERDICT_COLOURS
from ui.data import ImageChoice, builtin_choice, builtin_pixels, digest, upload_pixels
from ui.params import DEFAULT_IMAGE, IMAGE, PAGES, SIZES, UPLOAD

ICONS = {
    "Explore one rate": ":material/search:",
    "Compare learning rates": ":material/stacked_line_chart:",
    "Learning-rate sweep": ":material/tune:",
    "Walk downhill": ":material/landscape:",
    "Step by step": ":material/calculate:",
    "Diagnose your curve": ":material/stethoscope:",
    "Exercises": ":material/school:",
}
SCALE_HELP = {
    "raw": "pixel indices and brightness 0–255, as first written",
    "unit": "x, y and brightness each divided into 0–1",
    "standard": "x, y and brightness shifted and scaled to mean 0, spread 1",
}
VERDICT_MARK = {"too small": "▼", "good": "✓", "too large": "▲"}


def page_setup(title: str, page: str, params: list[state.Param]) -> None:
    """Page config, navigation, and URL restore; call first on every page."""
    st.set_page_config(
        page_title=f"{title} · Learning-rate explorer",
        page_icon=Image.fromarray(builtin_pixels(DEFAULT_IMAGE, 32).astype("uint8")),  # no icon CDN
        layout="wide",
    )
    state.restore(page, params)
    with st.sidebar:
        st.markdown("### :material/trending_down: Learning-rate explorer")
        carry = {p.url: p.show(st.session_state[p.key]) for p in IMAGE if p.key in st.session_state}
        carry = {k: v for k, v in carry.items() if k != "image" or v != UPLOAD}
        for label, (path, _, _) in PAGES.items():
            st.page_link(path, label=label, icon=ICONS[label], query_params=carry or None)
        st.divider()


def image_picker(sizes_label: str = "Working size (pixels per side)") -> ImageChoice:
    """Built-in image or upload, working size and scale, in the sidebar."""
    with st.sidebar:
        st.markdown("#### Image")
        name = state.widget(
            st.selectbox,
            "image",
            "Image",
            [*gdcore.BUILTINS, UPLOAD],
            key="image",
            format_func=lambda n: "your own image (upload)" if n == UPLOAD else n,
            help="Built-in images are made by code; an upload stays in your session only.",
            label_visibility="collapsed",
        )
        if name != UPLOAD:
            st.caption(gdcore.BUILTINS[name].description)
        size = state.widget(st.select_slider, "size", sizes_label, SIZES, key="size")
        scale = state.widget(
            st.radio,
            "scale",
            "Scale of the pixel table",
            gdcore.SCALES,
            key="scale",
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
    return builtin_choice(DEFAULT_IMAGE, size)


def verdict_card(d: gdcore.Diagnosis, lr: float | None = None) -> None:
    """The verdict in words, symbol and colour, with its reason."""
    colour = VERDICT_COLOURS[d.verdict]
    rate = f" &nbsp;·&nbsp; rate {lr:.4g}" if lr is not None else ""
    st.markdown(
        f"""<div data-testid="verdict-card" style="border-left: 8px solid {colour};
        padding: 0.6rem 1rem; background: {colour}14; border-radius: 4px; margin-bottom: 0.6rem;">
        <div style="font-size: 1.5rem; font-weight: 700; color: {colour};">
        {VERDICT_MARK[d.verdict]} {d.verdict.upper()}<span style="font-size: 0.95rem;
        font-weight: 400; color: #444;">{rate}</span></div>
        <div style="font-size: 1.0rem; margin-top: 0.2rem;">{html.escape(d.reason[:1].upper() + d.reason[1:])}</div>
        </div>""",
        unsafe_allow_html=True,
    )


def share_box(page_path: str, written: dict[str, str], note: str = "") -> None:
    """A visible, copyable link that reopens exactly this run."""
    link = state.share_link(page_path, written)
    with st.expander("Share this run", expanded=False, icon=":material/link:"):
        st.caption(
            "Anyone opening this link sees the same run and verdict." + (f" {note}" if note else "")
        )
        st.code(link, language=None)


def theory_metrics(th: gdcore.Theory, per_row: int = 4) -> None:
    c = st.columns(per_row) + (st.columns(per_row) if per_row < 4 else [])
    c[0].metric(
        "critical rate 2/λmax",
        f"{th.critical_lr:.4g}",
        help="Above it, full-batch descent diverges.",
    )
    c[1].metric(
        "best rate 2/(λmin+λmax)", f"{th.optimal_lr:.4g}", help="The fastest constant rate."
    )
    kappa = "∞" if th.singular else f"{th.condition_number:.4g}"
    c[2].metric("condition number κ", kappa, help="λmax/λmin: how stretched the bowl is.")
    c[3].metric("lowest error E*", f"{th.error_star:.4g}", help="The error at the best weights w*.")


def thumbnails() -> None:
    """A gallery of the built-in images; a click picks one."""
    names = list(gdcore.BUILTINS)
    cols = st.columns(len(names))
    for col, name in zip(cols, names, strict=True):
        with col:
            st.image(builtin_pixels(name, 64).astype("uint8"), caption=name, width="stretch")
            st.button(
                "Use",
                key=f"thumb_{name}",
                on_click=_pick,
                args=(name,),
                width="stretch",
                disabled=state.locked("image"),
            )


def _safe_name(name: str) -> str:
    """A file name for display only (never a path): printable, short, no markup."""
    clean = "".join(ch for ch in name if ch.isprintable() and ch not in "`*_[]<>\\")
    return html.escape(clean[:60]) or "your image"


def _pick(name: str) -> None:
    st.session_state["image"] = name
