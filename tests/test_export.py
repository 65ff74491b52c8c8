"""Any run as code: the exported script, run as it is, prints the numbers of ``run``."""

import atexit
import csv
import functools
import io
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
import pytest

from gdcore import Optimizer, builtin_image, pixel_table, run_descent
from gdcore.cli import main
from gdcore.descent.runs import finish
from gdcore.descent.testing import assert_runs_equal
from gdcore.learner.export import OPTIONS, script
from gdcore.learner.script_images import RECIPES, TORCH_RECIPES, Image
from gdcore.pixels.images import BUILTINS, MAX_SIZE, MIN_SIZE


def _cli(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def _result(lr, rows):
    """A run's CSV rows (epoch, error, w0, w1, w2) as a DescentResult, by gdcore's rules."""
    a = np.array([[float(v) for v in r] for r in rows])
    assert (a[:, 0] == np.arange(len(a))).all()
    return finish(np.array([lr]), a[None, :, 1].copy(), a[None, :, 2:].copy())


def _distribution_files(name, seen):
    """The top-level files and folders of distribution ``name`` and of everything it
    requires (extras left out), as installed for this interpreter."""
    from importlib import metadata

    key = re.sub(r"[-_.]+", "-", name).lower()
    if key in seen:
        return set()
    seen.add(key)
    try:
        dist = metadata.distribution(name)
    except metadata.PackageNotFoundError:  # a requirement for another platform
        return set()
    tops = {
        Path(dist.locate_file(f.parts[0]))
        for f in dist.files or ()
        if f.parts[0] != ".." and not f.parts[0].endswith(".pth")
    }
    for req in dist.requires or ():
        if "extra ==" not in req:
            tops |= _distribution_files(re.match(r"[A-Za-z0-9._-]+", req).group(0), seen)
    return tops


@functools.cache
def bare_python(*distributions):
    """A fresh venv that has only ``distributions`` (and what they require), linked from
    this interpreter's: no gdcore, no Streamlit, nothing of the project."""
    import venv

    home = Path(tempfile.mkdtemp(prefix="bare-venv-"))
    atexit.register(shutil.rmtree, home, True)
    venv.create(home / "venv", with_pip=False)
    python = home / "venv" / "bin" / "python"
    linked = home / "linked"
    linked.mkdir()
    seen: set[str] = set()
    for name in distributions:
        for top in _distribution_files(name, seen):
            (linked / top.name).symlink_to(top)
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
        env=_clean_env(),
        cwd=home,
    ).stdout.strip()
    Path(site, "only.pth").write_text(f"{linked}\n")
    for module, there in [
        ("gdcore", False),
        ("streamlit", False),
        *[(d, True) for d in distributions],
    ]:
        found = subprocess.run(
            [python, "-c", f"import {module}"], cwd=home, env=_clean_env(), capture_output=True
        )
        assert (found.returncode == 0) == there, (module, found.stderr)
    return python


def _clean_env():
    return {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}


def run_script(text, tmp_path):
    """Run the script from an empty folder, in a venv with only what it imports: NumPy,
    or torch (and NumPy for a mini-batch's shuffles, NumPy's generator)."""
    imports = tuple(n for n in ("numpy", "torch") if f"\nimport {n}" in text)
    python = bare_python(*imports)
    folder = Path(tempfile.mkdtemp(dir=tmp_path, prefix="empty-"))
    path = folder / "exported.py"
    path.write_text(text)
    done = subprocess.run(
        [python, path.name], cwd=folder, env=_clean_env(), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    said = done.stderr
    if "numpy" not in imports:  # torch without NumPy says so once when imported, and works
        said = re.sub(
            r".*UserWarning: Failed to initialize NumPy: No module named 'numpy'.*\n.*\n", "", said
        )
    assert said == ""
    rows = list(csv.reader(io.StringIO(done.stdout)))
    assert rows[0] == ["epoch", "error", "w0", "w1", "w2"]
    return rows[1:]


def exported_equals_run(argv, tmp_path, framework="numpy"):
    code, text, err = _cli("export", *argv, "--framework", framework)
    assert code == 0, err
    code, out, err = _cli("run", *argv)
    assert code == 0, err
    ran = list(csv.reader(io.StringIO(out)))[1:]
    lr = float(ran[0][0])
    expected = _result(lr, [r[1:] for r in ran])
    got = _result(lr, run_script(text, tmp_path))
    assert_runs_equal(got, expected)
    return text, expected


CASES = {
    # name: arguments of both run and export
    "unit": ["--image", "scene", "--size", "16", "--lr", "0.5", "--epochs", "60"],
    "raw": ["--image", "plane", "--size", "8", "--scale", "raw", "--lr", "1e-4", "--epochs", "40"],
    "standard": [
        "--image",
        "noise",
        "--size",
        "12",
        "--scale",
        "standard",
        "--lr",
        "0.3",
        "--epochs",
        "30",
    ],
    "blows up": ["--image", "diagonal", "--size", "16", "--lr", "9", "--epochs", "300"],
    "mini-batch": [
        "--image",
        "stripes",
        "--size",
        "12",
        "--lr",
        "0.2",
        "--epochs",
        "15",
        "--batch-size",
        "10",
        "--seed",
        "5",
    ],
    "mini-batch blows up": [
        "--image",
        "spot",
        "--size",
        "8",
        "--lr",
        "40",
        "--epochs",
        "60",
        "--batch-size",
        "7",
        "--seed",
        "1",
    ],
    "batch of the whole image": [
        "--image",
        "checkerboard",
        "--size",
        "8",
        "--lr",
        "0.4",
        "--epochs",
        "20",
        "--batch-size",
        "64",
    ],
    "momentum": [
        "--image",
        "scene",
        "--size",
        "12",
        "--lr",
        "1.2",
        "--epochs",
        "40",
        "--momentum",
        "0.9",
    ],
    "nesterov, step schedule": [
        "--image",
        "spot",
        "--size",
        "10",
        "--lr",
        "0.8",
        "--epochs",
        "40",
        "--momentum",
        "0.5",
        "--nesterov",
        "--schedule",
        "step:10:0.5",
    ],
    "cosine, warm-up": [
        "--image",
        "diagonal",
        "--size",
        "10",
        "--lr",
        "1.5",
        "--epochs",
        "30",
        "--schedule",
        "cosine",
        "--warmup",
        "5",
    ],
    "inverse": [
        "--image",
        "noise",
        "--size",
        "10",
        "--lr",
        "0.9",
        "--epochs",
        "30",
        "--schedule",
        "inverse:20",
    ],
    "mini-batch, momentum, exp": [
        "--image",
        "stripes",
        "--size",
        "10",
        "--lr",
        "0.1",
        "--epochs",
        "12",
        "--batch-size",
        "9",
        "--seed",
        "2",
        "--momentum",
        "0.8",
        "--schedule",
        "exp:0.95",
        "--warmup",
        "3",
    ],
    "momentum blows up": [
        "--image",
        "scene",
        "--size",
        "10",
        "--lr",
        "5",
        "--epochs",
        "200",
        "--momentum",
        "0.3",
        "--nesterov",
    ],
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_numpy_script_prints_the_run(case, tmp_path):
    text, expected = exported_equals_run(CASES[case], tmp_path)
    assert ("blows up" in case) == bool((expected.diverged_epoch >= 0).all())
    assert ("batch_size" in text) == (case.startswith("mini-batch"))
    assert ("momentum" in text) == ("momentum" in case or "nesterov" in case)
    assert ("def factor" in text) == any(
        k in case for k in ("schedule", "cosine", "inverse", "exp")
    )
    assert "import torch" not in text


@pytest.mark.parametrize("case", list(CASES))
def test_the_pytorch_script_prints_the_run(case, tmp_path):
    pytest.importorskip("torch")
    text, _ = exported_equals_run(CASES[case], tmp_path, "pytorch")
    assert "torch.optim.SGD([w], lr=lr" in text and "loss.backward()" in text
    assert ("LambdaLR" in text) == ("def factor" in text)


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
def test_an_image_file_is_written_out_as_its_pixel_table(framework, tmp_path):
    if framework == "pytorch":
        pytest.importorskip("torch")
    from PIL import Image as PILImage

    rng = np.random.default_rng(0)
    path = tmp_path / "my photo.png"
    PILImage.fromarray(rng.integers(0, 256, (30, 40)).astype(np.uint8)).save(path)
    argv = ["--image", str(path), "--max-side", "20", "--lr", "0.5", "--epochs", "25"]
    text, _ = exported_equals_run(argv, tmp_path, framework)  # run without the file
    assert 'PIXELS = """' in text and ".reshape(15, 20)" in text
    imports = [ln for ln in text.splitlines() if ln.startswith(("import ", "from "))]
    assert imports == (["import numpy as np"] if framework == "numpy" else ["import torch"])


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_the_scripts_image_code_draws_gdcores_image(name):
    """Each image's code in a script is the same arithmetic as gdcore's: equal to the bit."""
    text = script(Image(name, 8), lr=0.5, epochs=1)
    start = text.index("def make_image(size):")
    code = text[start : text.index("pixels = make_image", start)]
    space = {"np": np}
    exec(code, space)
    for size in (MIN_SIZE, 2, 3, 7, 8, 16, 33, 64, 100, MAX_SIZE):
        drawn = space["make_image"](size)
        assert drawn.dtype == np.float64 and drawn.shape == (size, size)
        assert np.array_equal(drawn, builtin_image(name, size)), (name, size)
    assert set(RECIPES) == set(BUILTINS)  # a new built-in image needs its code here


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_the_pytorch_scripts_image_code_draws_gdcores_image(name):
    """In PyTorch, the same images to rounding (exp, cos and linspace are torch's); noise,
    NumPy's generator, is written out as its pixel table."""
    torch = pytest.importorskip("torch")
    text = script(Image(name, 8), "pytorch", lr=0.5, epochs=1)
    if name == "noise":
        assert "def make_image" not in text and 'PIXELS = """' in text
        return
    start = text.index("def make_image(size):")
    code = text[start : text.index("pixels = make_image", start)]
    space = {"torch": torch}
    previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)  # as the script sets it
    try:
        exec(code, space)
        for size in (MIN_SIZE, 2, 3, 7, 8, 16, 33, 64, 100, MAX_SIZE):
            drawn = space["make_image"](size)
            assert drawn.dtype == torch.float64 and tuple(drawn.shape) == (size, size)
            np.testing.assert_allclose(drawn.numpy(), builtin_image(name, size), rtol=1e-13)
    finally:
        torch.set_default_dtype(previous)
    assert set(TORCH_RECIPES) == set(BUILTINS) - {"noise"}


def test_a_script_never_imports_gdcore():
    for framework in ("numpy", "pytorch"):
        for name in BUILTINS:
            text = script(Image(name, 8), framework, lr=0.5, epochs=1)
            imports = [ln for ln in text.splitlines() if ln.startswith(("import ", "from "))]
            assert imports == (["import numpy as np"] if framework == "numpy" else ["import torch"])


def test_an_image_too_large_to_write_out_is_refused(tmp_path):
    from PIL import Image as PILImage

    path = tmp_path / "big.png"
    PILImage.fromarray(np.zeros((600, 513), np.uint8)).save(path)
    argv = ["export", "--image", str(path), "--lr", "0.5", "--epochs", "3"]
    code, out, err = _cli(*argv)
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "at most 262,144 pixels; this image has 600 x 513 = 307,800" in err, err
    assert "--max-side 512 or less" in err
    code, out, err = _cli(*argv, "--max-side", "512")
    assert code == 0 and ".reshape(512, 438)" in out, err


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
def test_random_starting_weights_are_the_engines(framework, tmp_path):
    if framework == "pytorch":
        pytest.importorskip("torch")
    pixels = builtin_image("scene", 10)
    for batch in (None, 9):
        text = script(
            Image("scene", 10),
            framework,
            lr=0.4,
            epochs=12,
            init="random",
            seed=11,
            batch_size=batch,
        )
        got = _result(0.4, run_script(text, tmp_path))
        table = pixel_table(pixels, "unit")
        expected = run_descent(table, [0.4], 12, init="random", seed=11, batch_size=batch)
        assert_runs_equal(got, expected)


def test_an_upload_is_averaged_as_the_dashboard_does(tmp_path):
    from PIL import Image as PILImage

    from gdcore import load_image

    path = tmp_path / "up.png"
    PILImage.fromarray(np.random.default_rng(2).integers(0, 256, (50, 70)).astype(np.uint8)).save(
        path
    )
    data = path.read_bytes()
    pixels = load_image(data, max_side=512).downsampled(16).pixels  # ui.cached.upload_pixels
    assert not np.array_equal(pixels, np.round(pixels))  # averaged: fractions, written exactly
    text = script(Image(str(path), max_side=512, file=True, pixels=pixels), lr=0.5, epochs=10)
    got = _result(0.5, run_script(text, tmp_path))
    assert_runs_equal(got, run_descent(pixel_table(pixels, "unit"), [0.5], 10))


def test_export_takes_every_option_of_run():
    from gdcore.cli import _build_parser

    def flags(command):
        sub = next(a for a in _build_parser()._actions if a.dest == "command")
        return {f for a in sub.choices[command]._actions for f in a.option_strings}

    run, export = flags("run"), flags("export")
    assert run - {"--summary"} <= export, run - export
    assert export - run <= {"--init", "--framework"}
    names = {o.param.name for o in OPTIONS}
    assert names >= {"lr", "epochs", "batch_size", "seed", "momentum", "nesterov", "schedule"}


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--image", "scene", "--epochs", "3"], "the following arguments are required: --lr"),
        (["--image", "scene", "--lr", "0.1", "--epochs", "3", "--lr", "0.2"], ""),
        (
            ["--image", "scene", "--lr", "0.1", "--epochs", "3", "--framework", "jax"],
            "argument --framework: must be one of numpy, pytorch, got 'jax'",
        ),
        (["--image", "scene", "--lr", "0", "--epochs", "3"], "argument --lr: must be a number > 0"),
        (["--image", "nope", "--lr", "0.1", "--epochs", "3"], "image: 'nope' is neither"),
        (["--image", "scene", "--lr", "0.1", "--epochs", "3", "--init", "ones"], "argument --init"),
        (
            ["--image", "scene", "--lr", "0.1", "--epochs", "3", "--nesterov"],
            "nesterov: needs a momentum > 0",
        ),
        (
            ["--image", "scene", "--lr", "0.1", "--epochs", "3", "--schedule", "exp:2"],
            "argument --schedule",
        ),
    ],
)
def test_bad_input_is_one_line_and_status_2(argv, message):
    code, out, err = _cli("export", *argv)
    if not message:  # a second rate replaces the first, as argparse does: one rate
        assert code == 0 and "lr = 0.2" in out
        return
    assert code == 2 and out == "" and err.count("\n") == 1
    assert message in err, err


@pytest.fixture
def downloads(monkeypatch):
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
    from streamlit.testing.v1 import app_test as app_test_module

    files = {}

    class Recording(MemoryMediaFileStorage):
        def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
            files[filename] = path_or_data
            return super().load_and_get_id(path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(app_test_module, "MemoryMediaFileStorage", Recording)
    return files


@pytest.mark.parametrize("framework", ["numpy", "pytorch"])
def test_explore_gives_the_run_on_screen_as_code(framework, downloads, tmp_path):
    if framework == "pytorch":
        pytest.importorskip("torch")
    from helpers import no_exception, open_boxes, open_page

    query = dict(image="noise", size="16", lr="0.7", epochs="50", init="random", seed="3")
    optimizer_fields = dict(momentum="0.5", nesterov="1", schedule="step:10:0.5", warmup="4")
    at = open_page("explore", batch="40", **query, **optimizer_fields)
    no_exception(at)
    assert not at.get("download_button")  # the scripts are made once "Get this run as code" opens
    open_boxes(at, "code")
    labels = [b.proto.label for b in at.get("download_button")]
    assert "NumPy loop" in labels and "PyTorch (torch.optim.SGD)" in labels
    text = downloads[f"gradient_descent_{framework}.py"]
    text = text.decode() if isinstance(text, bytes) else text
    got = _result(0.7, run_script(text, tmp_path))
    table = pixel_table(builtin_image("noise", 16), "unit")
    expected = run_descent(
        table,
        [0.7],
        50,
        init="random",
        seed=3,
        batch_size=40,
        optimizer=Optimizer(0.5, True, "step:10:0.5", 4),
    )
    assert "def factor" in text and "momentum = 0.5" in text
    assert_runs_equal(got, expected)


def test_explore_gives_an_upload_as_code_with_the_same_pixels(downloads, tmp_path):
    from helpers import no_exception, open_boxes, open_page
    from PIL import Image as PILImage

    from gdcore import load_image

    pixels = np.random.default_rng(4).integers(0, 256, (40, 60)).astype(np.uint8)
    buf = io.BytesIO()
    PILImage.fromarray(pixels).save(buf, "PNG")
    at = open_page("explore", image="upload", size="16", epochs="30")
    at.file_uploader(key="upload_file").upload("photo.png", buf.getvalue(), "image/png").run()
    open_boxes(at, "code")
    no_exception(at)
    text = downloads["gradient_descent_numpy.py"]
    text = text.decode() if isinstance(text, bytes) else text
    got = _result(0.5, run_script(text, tmp_path))
    shown = load_image(buf.getvalue(), max_side=512).downsampled(16).pixels
    assert 'PIXELS = """' in text and ".reshape(11, 16)" in text and shown.shape == (11, 16)
    assert_runs_equal(got, run_descent(pixel_table(shown, "unit"), [0.5], 30))


def test_a_file_name_with_quotes_backslashes_and_a_new_line_still_makes_a_script(tmp_path):
    from PIL import Image as PILImage

    path = tmp_path / 'we"""ird\\name\n.png'
    PILImage.fromarray(np.arange(48, dtype=np.uint8).reshape(6, 8)).save(path, "PNG")
    exported_equals_run(["--image", str(path), "--lr", "0.5", "--epochs", "10"], tmp_path)


@pytest.mark.parametrize(
    "name",
    [
        'my "best" photo.png',
        "it's\\here.png",  # a backslash and an apostrophe: a file name on Linux
        'we"""ird\\name\n.png',  # quotes that would end a docstring, a new line
        "caf\udce9.png",  # the byte 0xE9, not UTF-8 (Python keeps it as U+DCE9)
    ],
)
def test_made_by_keeps_every_character_of_the_path(tmp_path, name):
    """The script's "Made by:" line, read by bash, is the export command with the exact
    path (it turned quotes and backslashes into ?); the script is still valid Python with
    its docstring first, and compiles without a warning."""
    import ast
    import warnings

    from PIL import Image as PILImage

    path = tmp_path / name
    PILImage.fromarray(np.arange(48, dtype=np.uint8).reshape(6, 8)).save(path, "PNG")
    code, text, err = _cli("export", "--image", str(path), "--lr", "0.5", "--epochs", "10")
    assert code == 0, err
    made = [ln for ln in text.splitlines() if ln.startswith("# Made by: ")]
    assert len(made) == 1 and made[0].isprintable()
    words = subprocess.run(
        ["bash", "-c", 'printf "%s\\0" ' + made[0].removeprefix("# Made by: ")],
        capture_output=True,
        check=True,
    ).stdout.split(b"\0")[:-1]
    assert [os.fsdecode(w) for w in words] == [
        *("python", "-m", "gdcore", "export", "--image", str(path.resolve())),
        *("--scale", "unit", "--lr", "0.5", "--epochs", "10"),
        *("--framework", "numpy"),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tree = ast.parse(text)
        compile(text, "exported.py", "exec")
    assert ast.get_docstring(tree).startswith("Gradient descent on ")


from test_browser import browser, server, tab  # noqa: E402, F401 (the browser tests' fixtures)


@pytest.mark.browser
def test_in_a_browser_the_download_is_the_run_on_screen(tmp_path, tab):  # noqa: F811
    tab.open("explore", "image=stripes&size=16&lr=0.9&epochs=40&momentum=0.3")
    tab.main.get_by_text("Get this run as code").click()
    with tab.page.expect_download() as info:
        tab.main.get_by_text("NumPy loop").click()
    assert info.value.suggested_filename == "gradient_descent_numpy.py"
    got = _result(0.9, run_script(Path(info.value.path()).read_text(), tmp_path))
    table = pixel_table(builtin_image("stripes", 16), "unit")
    assert_runs_equal(got, run_descent(table, [0.9], 40, optimizer=Optimizer(0.3)))
    assert not tab.errors, tab.errors
