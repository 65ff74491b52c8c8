"""Built-in images, and loading every kind of user file correctly."""

import io

import numpy as np
import pytest
from PIL import Image

from gdcore import BUILTINS, ImageError, builtin_image, load_image, pixel_table, quadratic
from gdcore.loading import downsample


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
        proc = subprocess.run(
            [sys.executable, "-c", _PEAK_RSS, mode, str(path)], capture_output=True, text=True
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
