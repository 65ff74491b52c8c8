"""The image a page works on: picked in the sidebar (a built-in or an upload), its key, pixels and table."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import streamlit as st

import gdcore
from ui import cached, keys
from ui.controls import action, control
from ui.fields import IMAGE, UPLOAD

IMAGE_FIELD, SIZE_FIELD, SCALE_FIELD = IMAGE


@dataclass(frozen=True)
class ImageChoice:
    """The image a page works on: a cache key, a label, its pixels and notes."""

    key: tuple
    label: str
    pixels: np.ndarray = field(repr=False, compare=False)
    notes: tuple[str, ...] = ()


def builtin_choice(name: str, size: int) -> ImageChoice:
    """A built-in image at ``size`` × ``size`` pixels, keyed by its name and size."""
    return ImageChoice(
        ("builtin", name, size), f"{name} ({size}×{size})", cached.builtin_pixels(name, size)
    )


def table_for(choice: ImageChoice, scale: str) -> gdcore.PixelTable:
    """The pixel table ``[1, x, y]`` → brightness of the chosen image, inputs on ``scale``."""
    return gdcore.pixel_table(choice.pixels, scale)


SCALE_HELP = {
    "raw": "pixel indices and brightness 0–255, as first written",
    "unit": "x, y and brightness each divided into 0–1",
    "standard": "x, y and brightness shifted and scaled to mean 0, spread 1",
}


def picker(sizes_label: str = "Working size (pixels per side)") -> ImageChoice:
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


def picked_bowl() -> tuple[ImageChoice, str, gdcore.Quadratic, gdcore.Theory]:
    """The picked image (``picker``), the scale chosen beside it, and the image's bowl on that
    scale with its theory (``cached.bowl``): what a page about one image starts from."""
    choice = picker()
    scale = st.session_state["scale"]
    bowl, theory = cached.bowl(choice.key, scale, choice.pixels)
    return choice, scale, bowl, theory


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
        sha = keys.digest(data)
        try:
            loaded = cached.upload_pixels(sha, size, data)
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
        loaded = cached.upload_pixels(sha, size, data)
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


def thumbnails() -> None:
    """A gallery of the built-in images; a click picks one."""
    names = list(gdcore.BUILTINS)
    cols = st.columns(len(names))
    for col, name in zip(cols, names, strict=True):
        with col:
            st.image(
                cached.builtin_png(name, 64),
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


def upload_bytes(choice: ImageChoice) -> bytes | None:
    """The bytes of the uploaded image ``choice`` shows, or None for a built-in image."""
    last = st.session_state.get("_upload")
    if choice.key[0] != "upload" or last is None or last[0] != choice.key[1]:
        return None
    return last[1]
