"""What an image file costs in memory, measured as the peak RSS of a real process.

Each measurement runs ``gdcore.load_image`` in a fresh Python and compares its
peak resident memory (``ru_maxrss``) with a process that does the same except
decode: imports, Pillow's plugins, reading the bytes. Files are made here, at
the limits that ``gdcore.pixels.loading`` accepts.

Linux hands a process's peak down through ``exec``: a Python started straight
from pytest reports at least pytest's own peak, so a test that once held a big
array would see every child "use" the same and nothing could fail. The child is
therefore started by a shell that forks it, whose own peak is a megabyte or two
(``CLEAN_START``), and ``test_the_measurement_sees_what_a_child_uses`` keeps
that true.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import save
from PIL import Image

import gdcore
from gdcore.pixels.loading import MAX_DECODED_BYTES

ROOT = Path(__file__).resolve().parents[1]
MB = 2**20
# ru_maxrss is in kilobytes on Linux (in bytes on macOS), and the files made here need a
# file system with sparse files.
pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="peak RSS measured on Linux")

_PEAK_RSS = """
import resource, sys
from pathlib import Path
import gdcore
from PIL import Image
Image.init()
how, side, *paths = sys.argv[1:]
for path in paths:
    source = Path(path).read_bytes() if how == "bytes" else path
    if side != "baseline":
        try:
            print(repr(gdcore.load_image(source, int(side))))
        except gdcore.ImageError as exc:
            print(exc)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024)
"""


CLEAN_START = ["/bin/sh", "-c", '"$@"; exit $?', "sh"]
"""Runs a command in a forked child of a small shell (not an exec of the shell itself)."""


def _peak(how: str, side: str, *paths: Path, script: str = _PEAK_RSS) -> tuple[int, list[str]]:
    """Peak RSS in bytes of a process loading ``paths`` at ``side``, and what it printed."""
    proc = subprocess.run(
        [*CLEAN_START, sys.executable, "-c", script, how, side, *map(str, paths)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    *lines, peak = proc.stdout.splitlines()
    return int(peak), lines


def _above_baseline(how: str, side: int, *paths: Path) -> tuple[float, list[str]]:
    baseline, _ = _peak(how, "baseline", *paths)
    loaded, lines = _peak(how, str(side), *paths)
    return (loaded - baseline) / MB, lines


def test_the_measurement_sees_what_a_child_uses():
    parent_peak = np.ones(50_000_000)  # pytest itself peaks at 400 MB or more
    parent_peak[::512] = 2.0
    del parent_peak
    allocating = _PEAK_RSS.replace(
        "print(resource", "import numpy\nheld = numpy.ones(100 * 2**17)\nprint(resource"
    )
    baseline, _ = _peak("path", "baseline")
    loaded, _ = _peak("path", "baseline", script=allocating)
    assert 90 < (loaded - baseline) / MB < 110, (baseline, loaded)  # 100 MB of floats


def _widest(tmp_path: Path) -> dict[str, Path]:
    """The widest file of each kind that is accepted: at MAX_PIXELS or at MAX_DECODED_BYTES."""
    side4 = int((MAX_DECODED_BYTES / 4) ** 0.5)  # 4 bytes a pixel: colour, alpha, float
    side1 = 4096  # 1 or 2 bytes a pixel: MAX_PIXELS decides
    ramp = (np.add.outer(np.arange(side4), np.arange(side4)) % 256).astype(np.uint8)
    makers = {
        "rgba.png": lambda p: Image.fromarray(np.dstack([ramp, ramp, ramp, 255 - ramp])).save(p),
        "palette+transparency.png": lambda p: Image.new("P", (side1, side1), 3).save(
            p, transparency=3
        ),
        "16-bit.png": lambda p: Image.new("I;16", (side1, side1), 1000).save(p),
        "float.tif": lambda p: Image.fromarray((ramp / 255).astype(np.float32)).save(p),
        "cmyk.jpg": lambda p: Image.new("CMYK", (side4, side4), (10, 60, 120, 30)).save(p),
        "rgb.jpg": lambda p: Image.new("RGB", (side1, side1), (10, 60, 120)).save(p),
        "rgba.webp": lambda p: Image.fromarray(np.dstack([ramp, ramp, ramp, 255 - ramp])).save(
            p, lossless=True, method=0
        ),
        "animated.gif": lambda p: Image.new("L", (side1, side1), 5).save(
            p, save_all=True, append_images=[Image.new("L", (side1, side1), 200)]
        ),
    }
    paths = {}
    for name, make in makers.items():
        paths[name] = tmp_path / name
        make(paths[name])
    return paths


def test_every_accepted_kind_at_its_limit_stays_within_300_mb(tmp_path):
    """Before: a 4096 x 4096 RGBA PNG alone took 1.6 GB above the baseline, at any size."""
    paths = _widest(tmp_path)
    above, lines = _above_baseline("path", 64, *paths.values())
    assert all(line.startswith("LoadedImage(") for line in lines), lines  # all accepted
    assert above < 300, f"the widest accepted files took {above:.0f} MB above the baseline"


def test_the_testers_rgba_png_is_refused_from_its_header_for_nothing(tmp_path):
    path = tmp_path / "rgba4096.png"
    Image.new("RGBA", (4096, 4096), (10, 200, 30, 128)).save(path)
    assert path.stat().st_size < 100_000
    above, lines = _above_baseline("bytes", 64, path)
    assert "4096x4096 in mode RGBA takes 67,108,864 bytes decoded" in lines[0]
    assert above < 15, f"refusing it took {above:.1f} MB above the baseline"


def _phone_photo(path: Path) -> None:
    """12 megapixels of gradients and sensor-like noise, saved as a quality-90 JPEG."""
    rng = np.random.default_rng(12)
    y, x = np.mgrid[0:3000, 0:4000]
    base = np.dstack([x / 4000 * 255, y / 3000 * 255, (x + y) / 7000 * 255])
    noisy = base + rng.normal(0, 12, base.shape)
    Image.fromarray(np.clip(noisy, 0, 255).astype(np.uint8)).save(path, quality=90)


def test_a_12_megapixel_phone_jpeg_stays_within_50_mb(tmp_path):
    """Before: 585 MB above the baseline. Uploads arrive as bytes, decoded at 512 and shown at 64."""
    path = tmp_path / "phone.jpg"
    _phone_photo(path)
    for side in (512, 64):
        above, lines = _above_baseline("bytes", side, path)
        assert lines[0].startswith("LoadedImage(JPEG"), lines
        assert above < 50, f"at {side}: {above:.1f} MB above the baseline"


def test_a_3_gb_file_is_refused_by_its_size_without_reading_it(tmp_path):
    """Before: 3.1 GB of memory and 9 s, read whole before the header was looked at."""
    path = tmp_path / "huge.png"
    with open(path, "wb") as fh:
        fh.write(b"\x89PNG\r\n\x1a\n")
        fh.truncate(3 * 2**30)  # sparse: no disk used
    above, lines = _above_baseline("path", 64, path)
    assert lines == [
        "image: the file is 3,221,225,472 bytes; at most 134,217,728 are read "
        "(checked before reading it)."
    ]
    assert above < 15, f"refusing it took {above:.1f} MB above the baseline"


def test_an_upload_is_decoded_once_for_every_working_size(monkeypatch):
    from ui import cached, keys
    from ui.fields import SIZES

    decoded = []
    real = gdcore.load_image

    def counting(source, max_side=None):
        decoded.append(max_side)
        return real(source, max_side=max_side)

    monkeypatch.setattr(gdcore, "load_image", counting)
    ramp = np.add.outer(np.arange(768) * 0.2, np.arange(1024) * 0.1).astype(np.uint8)
    upload = save(Image.fromarray(ramp), "PNG")
    sha = keys.digest(upload)
    for size in SIZES:
        got = cached.upload_pixels(sha, size, upload)
        direct = real(upload, max_side=size)
        assert got.notes == direct.notes == [f"downsampled from 1024x768 to {size}x{size * 3 // 4}"]
        # Where the size divides 1024 both are exact means of whole blocks; elsewhere two
        # averagings in a row treat each first block as even, within a step of the ramp.
        exact = 1024 % size == 0
        np.testing.assert_allclose(got.pixels, direct.pixels, atol=1e-9 if exact else 1.0)
    assert decoded == [max(SIZES)]


def test_a_refused_upload_is_refused_once(monkeypatch):
    from ui import cached, keys

    decoded = []
    real = gdcore.load_image
    monkeypatch.setattr(gdcore, "load_image", lambda *a, **k: decoded.append(1) or real(*a, **k))
    bad = b"GIF89a and then nothing an image needs"
    for size in (8, 64, 512, 64):
        with pytest.raises(gdcore.ImageError, match="not an image"):
            cached.upload_pixels(keys.digest(bad), size, bad)
    assert len(decoded) == 1
