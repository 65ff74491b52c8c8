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


def test_side_by_side_holds_each_picture_pixel_for_pixel() -> None:
    # A non-square image, a prediction partly far out of range (framed and hatched) and
    # partly not a number: each of the three pictures is found whole in the one picture,
    # at its place, as its own colouring draws it, with white everywhere else.
    image = gdcore.builtin_image("scene", 64)[:, :48]
    prediction = image * 3 - 200
    prediction[:5, :5] = np.nan
    residual = image - prediction
    framed = pictures.prediction_to_rgb(prediction)
    one = pictures.side_by_side(image, prediction, residual)
    h, w = image.shape
    f = (framed.shape[0] - h) // 2
    gap = round(64 / 8)
    assert f >= 1 and one.shape == (h + 2 * f, 3 * (w + 2 * f) + 2 * gap, 3)
    at = [0, w + 2 * f + gap, 2 * (w + 2 * f + gap)]
    grey = pictures.brightness_to_rgb(image)
    assert np.array_equal(one[f : f + h, at[0] + f : at[0] + f + w], np.stack([grey] * 3, axis=2))
    assert np.array_equal(one[:, at[1] : at[1] + w + 2 * f], framed)
    right = one[f : f + h, at[2] + f : at[2] + f + w]
    assert np.array_equal(right, pictures.residual_to_rgb(residual))
    white = np.ones(one.shape[:2], bool)
    white[f : f + h, at[0] + f : at[0] + f + w] = False
    white[:, at[1] : at[1] + w + 2 * f] = False
    white[f : f + h, at[2] + f : at[2] + f + w] = False
    assert (one[white] == 255).all()
