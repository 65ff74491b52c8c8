"""Built-in images, and loading every kind of user file correctly."""

import io

import numpy as np
import pytest
from PIL import Image

from gdcore import BUILTINS, ImageError, builtin_image, load_image, pixel_table, quadratic
from gdcore.pixels.loading import downsample


def _bytes(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def test_at_least_six_builtins_with_descriptions():
    assert len(BUILTINS) >= 6
    for b in BUILTINS.values():
        img = builtin_image(b.name, 32)
        assert img.shape == (32, 32) and img.min() >= 0 and img.max() <= 255
        assert b.description and img.std() > 0
        np.testing.assert_array_equal(img, builtin_image(b.name, 32))  # deterministic


def test_plane_is_fit_exactly_and_checkerboard_badly():
    plane = quadratic(pixel_table(builtin_image("plane", 50), "raw"))
    assert plane.error_star < 1e-20
    board = pixel_table(builtin_image("checkerboard", 48), "raw")
    q = quadratic(board)
    assert q.error_star > 0.9 * 0.5 * board.targets.var()


@pytest.mark.parametrize(
    ("name", "size"), [("nope", 8), ("plane", 1), ("plane", 5000), ("plane", 3.5)]
)
def test_builtin_rejects_bad_arguments(name, size):
    with pytest.raises(ValueError, match="image|size"):
        builtin_image(name, size)


def _rgb():
    arr = np.zeros((4, 6, 3), dtype=np.uint8)
    arr[..., 0], arr[..., 1], arr[..., 2] = 200, 100, 50
    arr[0, 0] = [255, 255, 255]
    return arr


@pytest.mark.parametrize("fmt", ["PNG", "BMP", "TIFF", "WEBP"])
def test_lossless_formats_give_601_brightness(fmt):
    kw = {"lossless": True} if fmt == "WEBP" else {}
    loaded = load_image(_bytes(Image.fromarray(_rgb()), fmt, **kw))
    assert loaded.pixels.shape == (4, 6)
    assert loaded.pixels[1, 1] == pytest.approx(0.299 * 200 + 0.587 * 100 + 0.114 * 50)
    assert loaded.pixels[0, 0] == pytest.approx(255.0)


def test_jpeg_and_cmyk_jpeg():
    rgb = Image.fromarray(np.full((8, 8, 3), 128, dtype=np.uint8))
    assert load_image(_bytes(rgb, "JPEG", quality=95)).pixels.mean() == pytest.approx(128, abs=2)
    cmyk = Image.new("CMYK", (8, 8), (0, 0, 0, 128))
    assert load_image(_bytes(cmyk, "JPEG")).pixels.mean() == pytest.approx(127, abs=3)


def test_grayscale_and_palette():
    gray = Image.fromarray(np.array([[0, 128, 255]], dtype=np.uint8))
    np.testing.assert_array_equal(load_image(_bytes(gray, "PNG")).pixels, [[0, 128, 255]])
    pal = gray.convert("P")
    np.testing.assert_allclose(load_image(_bytes(pal, "PNG")).pixels, [[0, 128, 255]], atol=1)


def test_sixteen_bit_grayscale_is_rescaled_not_clipped():
    arr = np.array([[0, 1000, 32768, 65535]], dtype=np.uint16)
    loaded = load_image(_bytes(Image.fromarray(arr), "PNG"))
    np.testing.assert_allclose(loaded.pixels, arr.astype(float) * 255 / 65535)
    assert any("16-bit" in n for n in loaded.notes)


def test_alpha_is_composited_onto_white():
    arr = np.zeros((1, 3, 4), dtype=np.uint8)
    arr[0, :, 3] = [255, 0, 128]  # black pixels: opaque, transparent, half
    loaded = load_image(_bytes(Image.fromarray(arr, "RGBA"), "PNG"))
    np.testing.assert_allclose(loaded.pixels, [[0, 255, 255 * (1 - 128 / 255)]])
    assert any("white" in n for n in loaded.notes)


def test_animated_gif_uses_first_frame():
    frames = [Image.new("L", (4, 4), v) for v in (30, 200, 90)]
    buf = io.BytesIO()
    frames[0].save(buf, "GIF", save_all=True, append_images=frames[1:])
    loaded = load_image(buf.getvalue())
    np.testing.assert_allclose(loaded.pixels, 30, atol=1)
    assert "first frame of 3" in " ".join(loaded.notes)


def test_exif_orientation_is_applied():
    arr = np.zeros((2, 4), dtype=np.uint8)
    arr[0, 0] = 255  # bright top-left corner, wide image
    img = Image.fromarray(arr)
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90 degrees clockwise to display
    loaded = load_image(_bytes(img, "JPEG", exif=exif.tobytes(), quality=100))
    assert loaded.pixels.shape == (4, 2)
    assert loaded.pixels[0, 1] > 200  # the corner moved to the top right
    assert any("EXIF" in n for n in loaded.notes)


def test_downsampling_averages_areas():
    img = np.kron(np.array([[0.0, 100.0], [200.0, 50.0]]), np.ones((4, 4)))
    np.testing.assert_allclose(downsample(img, 2), [[0, 100], [200, 50]], atol=1e-4)
    loaded = load_image(_bytes(Image.fromarray(img.astype(np.uint8)), "PNG"), max_side=4)
    assert loaded.pixels.shape == (4, 4) and "downsampled from 8x8 to 4x4" in loaded.notes
    assert loaded.pixels.mean() == pytest.approx(img.mean(), abs=0.01)


def test_path_and_bytes_agree(tmp_path):
    data = _bytes(Image.fromarray(_rgb()), "PNG")
    path = tmp_path / "x.png"
    path.write_bytes(data)
    np.testing.assert_array_equal(load_image(path).pixels, load_image(data).pixels)


_PEAK_RSS = """
import resource, sys
from pathlib import Path
import gdcore
data = Path(sys.argv[2]).read_bytes()
if sys.argv[1] == "load":
    try:
        gdcore.load_image(data)
    except gdcore.ImageError as exc:
        print(exc, file=sys.stderr)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def test_too_many_pixels_are_refused_without_decoding(tmp_path):
    """Peak memory of a real process (RSS) for a small file of 5000 x 5000 pixels.

    Below Pillow's own bomb limit, so only the header check stands between the
    file and a decode of 25 MB of pixels and 200 MB of brightness.
    """
    import subprocess
    import sys

    path = tmp_path / "big.png"
    Image.new("L", (5000, 5000)).save(path)
    assert path.stat().st_size < 100_000

    def peak_kb(mode: str) -> tuple[int, str]:
        # Started from a small shell's fork: an exec straight from pytest would report at
        # least pytest's own peak (see tests/test_image_memory.py).
        proc = subprocess.run(
            [
                "/bin/sh",
                "-c",
                '"$@"; exit $?',
                "sh",
                sys.executable,
                "-c",
                _PEAK_RSS,
                mode,
                str(path),
            ],
            capture_output=True,
            text=True,
        )
        assert proc.returncode == 0, proc.stderr
        return int(proc.stdout), proc.stderr

    baseline, _ = peak_kb("read-only")
    loaded, message = peak_kb("load")
    assert "5000x5000 is 25,000,000 pixels; at most 16,777,216" in message
    assert loaded - baseline < 15_000, f"refusing it took {loaded - baseline:,} kB more"


def test_too_many_pixels_below_pillows_own_limit():
    data = _bytes(Image.new("L", (4200, 4200)), "PNG")
    with pytest.raises(ImageError, match="4200x4200 is 17,640,000 pixels; at most 16,777,216"):
        load_image(data)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "the file is empty"),
        (b"just some text, not an image", "not an image that can be read"),
        (b"\x89PNG\r\n\x1a\n", "not an image|damaged"),
    ],
)
def test_bad_files_get_sentences(data, match):
    with pytest.raises(ImageError, match=match):
        load_image(data)


def test_truncated_image():
    data = _bytes(
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), dtype=np.uint8)), "PNG"
    )
    with pytest.raises(ImageError, match="damaged or truncated|not an image"):
        load_image(data[: len(data) // 2])


def test_unsupported_format_is_named():
    data = _bytes(Image.new("RGB", (16, 16)), "ICO")
    with pytest.raises(ImageError, match="format ICO is not supported"):
        load_image(data)


def test_missing_file():
    with pytest.raises(ImageError, match="cannot read the file"):
        load_image("/nonexistent/picture.png")


def test_exif_half_turn_keeps_the_size_but_is_noted():
    arr = np.zeros((2, 4), dtype=np.uint8)
    arr[0, 0] = 255
    exif = Image.Exif()
    exif[0x0112] = 3  # rotate 180 degrees to display
    loaded = load_image(_bytes(Image.fromarray(arr), "PNG", exif=exif.tobytes()))
    assert loaded.pixels.shape == (2, 4) and loaded.pixels[1, 3] == 255
    assert "rotated by its EXIF orientation" in loaded.notes


# Float and 32-bit images: stretched from their own range (issue case 1).


@pytest.mark.parametrize(
    ("arr", "note"),
    [
        (
            np.linspace(0, 1, 12, dtype=np.float32).reshape(3, 4),
            "32-bit float image stretched from its range 0–1 to 0–255",
        ),
        (
            np.linspace(0, 930, 12).astype(np.int32).reshape(3, 4),
            "32-bit integer image stretched from its range 0–930 to 0–255",
        ),
        (
            np.linspace(-5, 300, 12, dtype=np.float32).reshape(3, 4),
            "32-bit float image stretched from its range -5–300 to 0–255",
        ),
    ],
)
def test_float_and_32_bit_images_are_stretched_from_their_own_range(arr, note):
    loaded = load_image(_bytes(Image.fromarray(arr), "TIFF"))
    a = arr.astype(np.float64)
    np.testing.assert_allclose(loaded.pixels, (a - a.min()) * 255 / (a.max() - a.min()), atol=1e-9)
    assert loaded.notes == [note]  # and never called 16-bit


def test_sixteen_bit_tiff_is_rescaled_from_its_full_range():
    arr = np.array([[0, 930, 32768, 65535]], dtype=np.uint16)
    loaded = load_image(_bytes(Image.fromarray(arr), "TIFF"))
    np.testing.assert_allclose(loaded.pixels, arr.astype(float) * 255 / 65535)
    assert loaded.notes == ["16-bit grayscale rescaled to 0-255"]


def test_a_constant_float_image_is_black_with_a_note_and_no_division_by_zero():
    loaded = load_image(_bytes(Image.fromarray(np.full((3, 4), 0.5, np.float32)), "TIFF"))
    np.testing.assert_array_equal(loaded.pixels, np.zeros((3, 4)))
    assert loaded.notes == ["32-bit float image has the one value 0.5 everywhere: shown as 0"]


def test_the_stretch_uses_the_whole_image_range_before_averaging():
    arr = np.zeros((8, 8), np.float32)
    arr[0, 0] = 1.0  # one bright pixel: 1/16 of its 4x4 block after averaging
    loaded = load_image(_bytes(Image.fromarray(arr), "TIFF"), max_side=2)
    np.testing.assert_allclose(loaded.pixels, [[255 / 16, 0], [0, 0]], atol=1e-9)
    assert "32-bit float image stretched from its range 0–1 to 0–255" in loaded.notes


def test_values_that_are_not_finite_are_refused():
    arr = np.array([[0.0, np.nan], [np.inf, 1.0]], np.float32)
    with pytest.raises(ImageError, match="not finite numbers"):
        load_image(_bytes(Image.fromarray(arr), "TIFF"), max_side=1)


# Decoded reduced, in strips: the same brightness as whole-image floats (issue case 2).


def _whole_image_brightness(img: Image.Image) -> np.ndarray:
    """Brightness as it was computed before strips: the whole image in floats at once."""
    if img.mode.startswith("I;16"):
        return np.asarray(img, dtype=np.float64) * 255 / 65535
    if img.mode in ("I", "F"):
        a = np.asarray(img, dtype=np.float64)
        return (a - a.min()) * 255 / (a.max() - a.min())
    if img.mode in ("RGBA", "LA") or "transparency" in img.info:
        rgba = np.asarray(img.convert("RGBA"), dtype=np.float64)
        alpha = rgba[..., 3:4] / 255
        return np.clip((rgba[..., :3] * alpha + 255 * (1 - alpha)) @ [0.299, 0.587, 0.114], 0, 255)
    if img.mode in ("1", "L"):
        return np.asarray(img.convert("L"), dtype=np.float64)
    return np.clip(np.asarray(img.convert("RGB"), dtype=np.float64) @ [0.299, 0.587, 0.114], 0, 255)


def _random_image(mode: str, rng: np.random.Generator) -> tuple[Image.Image, str]:
    h, w = 72, 96
    bytes_ = rng.integers(0, 256, (h, w, 4), dtype=np.uint8)
    if mode == "P+transparency":
        return Image.fromarray(bytes_[..., 0]).convert("P"), "PNG"
    if mode == "I;16":
        return Image.fromarray(rng.integers(0, 65536, (h, w), dtype=np.uint16)), "PNG"
    if mode == "F":
        return Image.fromarray(rng.normal(3, 2, (h, w)).astype(np.float32)), "TIFF"
    if mode == "I":
        return Image.fromarray(rng.integers(-500, 90_000, (h, w), dtype=np.int32)), "TIFF"
    if mode == "1":
        return Image.fromarray(bytes_[..., 0] > 127), "PNG"
    bands = len(Image.new(mode, (1, 1)).getbands())
    img = Image.fromarray(bytes_[..., :bands].squeeze(), None if bands > 1 else "L")
    return (
        (Image.frombytes(mode, (w, h), img.tobytes()), "TIFF")
        if mode == "CMYK"
        else (
            img.convert(mode),
            "PNG",
        )
    )


@pytest.mark.parametrize(
    "mode", ["RGBA", "LA", "P", "P+transparency", "RGB", "L", "1", "CMYK", "I;16", "F", "I"]
)
def test_strips_and_blocks_give_the_whole_image_brightness_averaged(mode, monkeypatch):
    from gdcore.pixels import loading

    monkeypatch.setattr(loading, "STRIP_PIXELS", 500)  # many strips, the last one short
    img, fmt = _random_image(mode, np.random.default_rng(0))
    kw = {"transparency": 3} if mode == "P+transparency" else {}
    data = _bytes(img if mode != "P" else img.quantize(200), fmt, **kw)
    whole = _whole_image_brightness(Image.open(io.BytesIO(data)))
    blocks = whole.reshape(18, 4, 24, 4).mean(axis=(1, 3))  # 96x72 averaged to 24x18
    loaded = load_image(data, max_side=24)
    np.testing.assert_allclose(loaded.pixels, blocks, atol=1e-9)
    assert "downsampled from 96x72 to 24x18" in loaded.notes


def test_a_jpeg_is_decoded_reduced_and_agrees_with_a_whole_decode():
    y, x = np.mgrid[0:600, 0:800]
    rgb = np.dstack([x * 255 / 800, y * 255 / 600, (x + y) * 255 / 1400]).astype(np.uint8)
    data = _bytes(Image.fromarray(rgb), "JPEG", quality=90)
    whole = _whole_image_brightness(Image.open(io.BytesIO(data)))
    loaded = load_image(data, max_side=64)
    assert loaded.pixels.shape == (48, 64) and "downsampled from 800x600 to 64x48" in loaded.notes
    np.testing.assert_allclose(loaded.pixels, downsample(whole, 64), atol=1.5)


def test_a_partial_edge_block_averages_what_it_has():
    img = np.zeros((5, 9), np.uint8)
    img[:, 8] = 200  # the last column is a block of its own, one pixel wide
    loaded = load_image(_bytes(Image.fromarray(img), "PNG"), max_side=4)
    assert loaded.pixels.shape == (2, 4)
    assert loaded.pixels.mean() == pytest.approx(img.mean(), abs=2)


@pytest.mark.parametrize("orientation", range(1, 9))
def test_every_exif_orientation_matches_pillows_exif_transpose(orientation):
    from PIL import ImageOps

    arr = np.random.default_rng(orientation).integers(0, 256, (4, 6), dtype=np.uint8)
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = _bytes(Image.fromarray(arr), "PNG", exif=exif.tobytes())
    expected = np.asarray(ImageOps.exif_transpose(Image.open(io.BytesIO(data))), dtype=float)
    loaded = load_image(data)
    np.testing.assert_array_equal(loaded.pixels, expected)
    assert loaded.original_size == (expected.shape[1], expected.shape[0])


def test_the_decoded_size_is_capped_in_bytes_by_mode(monkeypatch):
    from gdcore.pixels import loading

    monkeypatch.setattr(loading, "MAX_DECODED_BYTES", 100 * 100 * 4 - 1)
    with pytest.raises(
        ImageError,
        match=r"100x100 in mode RGBA takes 40,000 bytes decoded \(4 a pixel\); at most 39,999",
    ):
        load_image(_bytes(Image.new("RGBA", (100, 100)), "PNG"))
    load_image(_bytes(Image.new("L", (100, 100)), "PNG"))  # 1 byte a pixel
    load_image(_bytes(Image.new("I;16", (100, 100)), "PNG"))  # 2 bytes a pixel
    # An RGB JPEG is decoded straight to brightness, at 1 byte a pixel.
    load_image(_bytes(Image.new("RGB", (100, 100)), "JPEG"))


def test_a_large_rgba_image_is_refused_by_its_decoded_bytes():
    data = _bytes(Image.new("RGBA", (4096, 4096), (10, 200, 30, 128)), "PNG")
    assert len(data) < 100_000
    with pytest.raises(ImageError, match="4096x4096 in mode RGBA takes 67,108,864 bytes decoded"):
        load_image(data, max_side=64)


# The file's size is checked before it is read (issue case 3).


def test_a_file_larger_than_the_limit_is_refused_by_its_size(monkeypatch):
    from gdcore.pixels import loading

    monkeypatch.setattr(loading, "MAX_FILE_BYTES", 1000)
    data = _bytes(
        Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64), np.uint8)), "PNG"
    )
    with pytest.raises(
        ImageError, match=f"the file is {len(data):,} bytes; at most 1,000 are read"
    ):
        load_image(data)


def test_a_path_that_is_not_a_regular_file_is_never_opened(tmp_path):
    """A FIFO would block ``open`` until a writer came; run it where a hang cannot stall pytest."""
    import os
    import subprocess
    import sys

    fifo = tmp_path / "pipe.png"
    os.mkfifo(fifo)
    code = "import sys, gdcore\ntry: gdcore.load_image(sys.argv[1])\nexcept gdcore.ImageError as e: print(e)"
    proc = subprocess.run(
        [sys.executable, "-c", code, str(fifo)], capture_output=True, text=True, timeout=60
    )
    assert "the path is not a regular file" in proc.stdout, proc.stderr
    with pytest.raises(ImageError, match="the path is not a regular file"):
        load_image(tmp_path)


# PNG text chunks that expand without bound (issue case 4).


def _png_with_chunks(*chunks: tuple[bytes, bytes], after_pixels: bool = False) -> bytes:
    import struct
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    png = _bytes(Image.new("L", (4, 4), 9), "PNG")
    at = png.index(b"IEND") - 4 if after_pixels else 33  # before IEND, or right after IHDR
    return png[:at] + b"".join(chunk(k, b) for k, b in chunks) + png[at:]


@pytest.mark.parametrize("after_pixels", [False, True])
def test_a_ztxt_decompression_bomb_is_named(after_pixels):
    import zlib

    from PIL import PngImagePlugin

    zeros = zlib.compress(bytes(PngImagePlugin.MAX_TEXT_CHUNK + 1), 9)
    data = _png_with_chunks((b"zTXt", b"Comment\0\0" + zeros), after_pixels=after_pixels)
    assert len(data) < 5_000
    with pytest.raises(
        ImageError,
        match=r"a text or colour-profile chunk in the file expands past 1,048,576 bytes when "
        r"decompressed \(a decompression bomb\)\.$",
    ):
        load_image(data)


def test_many_text_chunks_expanding_past_pillows_total_are_named():
    import zlib

    from PIL import PngImagePlugin

    body = b"Comment\0\0" + zlib.compress(bytes(PngImagePlugin.MAX_TEXT_CHUNK - 100), 9)
    count = PngImagePlugin.MAX_TEXT_MEMORY // (PngImagePlugin.MAX_TEXT_CHUNK - 100) + 1
    data = _png_with_chunks(*[(b"zTXt", body)] * count)
    with pytest.raises(
        ImageError, match=r"text chunks in the file expand past 67,108,864 bytes in all"
    ):
        load_image(data)
