"""``ui.pictures.png``: the bytes ``st.image`` would make of an array, kept once per content."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image
from streamlit.elements.lib import image_utils

import gdcore
from ui import pictures


def test_png_keeps_every_pixel_streamlit_would_send() -> None:
    rgb = pictures.brightness_to_rgb(gdcore.builtin_image("scene", 64))
    made = pictures.png(rgb)
    # Streamlit's own encoding of the same array (what st.image sent before): the same
    # picture, pixel for pixel, and the same kind of file.
    theirs = Image.open(io.BytesIO(image_utils._np_array_to_bytes(rgb, "PNG")))
    ours = Image.open(io.BytesIO(made))
    assert (ours.format, ours.mode, ours.size) == (theirs.format, theirs.mode, theirs.size)
    assert np.array_equal(np.asarray(ours), np.asarray(theirs))
    assert np.array_equal(np.asarray(ours), rgb)


def test_png_is_encoded_once_per_content_and_tells_contents_apart() -> None:
    rgb = pictures.residual_to_rgb(np.linspace(-300, 300, 48 * 40).reshape(48, 40))
    first = pictures.png(rgb)
    assert pictures.png(rgb.copy()) is first  # the same content: the kept bytes
    changed = rgb.copy()
    changed[47, 39, 2] ^= 1  # one byte, far from any sample
    other = pictures.png(changed)
    assert other != first
    assert np.array_equal(np.asarray(Image.open(io.BytesIO(other))), changed)
    # Same bytes in another shape are another picture.
    flat = pictures.png(rgb.reshape(40, 48, 3))
    assert np.asarray(Image.open(io.BytesIO(flat))).shape == (40, 48, 3)


def test_png_keeps_a_bounded_number_of_bytes(monkeypatch) -> None:
    monkeypatch.setattr(pictures, "PNG_KEPT_BYTES", 10_000)
    rng = np.random.default_rng(0)
    for _ in range(8):
        pictures.png((rng.random((32, 32, 3)) * 255).astype(np.uint8))  # ~3 KB each
    assert sum(map(len, pictures._pngs.values())) <= 10_000
