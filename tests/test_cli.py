"""The command line contract, including every error path."""

import csv
import io
import json
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from gdcore import builtin_image, pixel_table, quadratic, run_descent, theory
from gdcore.cli import main


def _run(*argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


def test_images_lists_name_and_description():
    code, out, _ = _run("images")
    lines = out.strip().splitlines()
    assert code == 0 and len(lines) >= 6
    assert lines[0].split("\t")[0] == "plane" and "exactly" in lines[0]


def test_run_csv_has_every_rate_and_epoch():
    code, out, _ = _run(
        "run",
        "--image",
        "scene",
        "--lr",
        "0.1",
        "--lr",
        "0.30000000000000004",
        "--epochs",
        "5",
        "--size",
        "16",
    )
    rows = list(csv.reader(io.StringIO(out)))
    assert code == 0 and rows[0] == ["lr", "epoch", "error", "w0", "w1", "w2"]
    assert len(rows) == 1 + 2 * 6
    assert rows[1][:2] == ["0.1", "0"] and rows[7][:2] == ["0.30000000000000004", "0"]
    ref = run_descent(pixel_table(builtin_image("scene", 16), "unit"), [0.1], 5)
    np.testing.assert_array_equal([float(r[2]) for r in rows[1:7]], ref.errors[0])


def test_run_summary_and_file_image(tmp_path):
    path = tmp_path / "pic.png"
    Image.fromarray(builtin_image("spot", 40).astype(np.uint8)).save(path)
    code, out, _ = _run(
        "run",
        "--image",
        str(path),
        "--lr",
        "0.001",
        "--lr",
        "1",
        "--lr",
        "5",
        "--epochs",
        "200",
        "--summary",
        "--max-side",
        "20",
    )
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and [r["verdict"] for r in rows] == ["too small", "good", "too large"]
    assert rows[2]["diverged_epoch"].isdigit() and rows[2]["final_error"] == "inf"
    assert rows[0]["diverged_epoch"] == "" and rows[1]["reason"]


def test_theory_json():
    code, out, _ = _run("theory", "--image", "scene", "--scale", "standard", "--size", "16")
    d = json.loads(out)
    th = theory(quadratic(pixel_table(builtin_image("scene", 16), "standard")))
    assert code == 0
    for key in [
        "lambda_min",
        "lambda_max",
        "condition_number",
        "critical_lr",
        "optimal_lr",
        "error_star",
    ]:
        assert d[key] == pytest.approx(getattr(th, key))
    assert len(d["w_star"]) == 3


def test_diagnose_arguments_and_stdin():
    code, out, _ = _run("diagnose", "2.0", "0.1", "5.0", "20")
    assert code == 0 and out.splitlines()[0] == "too large"
    assert "rose from 0.1 to 20" in out.splitlines()[1]
    code, out, _ = _run("diagnose", "-", stdin="10\n9.99, 9.98 9.97\n9.96\n")
    assert code == 0 and out.splitlines()[0] == "too small"


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["run", "--image", "nope", "--lr", "1", "--epochs", "3"], "neither a built-in image"),
        (
            ["run", "--image", "/etc/passwd", "--lr", "1", "--epochs", "3"],
            "not an image that can be read",
        ),
        (
            ["run", "--image", "plane", "--lr", "0", "--epochs", "3"],
            "--lr: must be a number > 0, got '0'",
        ),
        (
            ["run", "--image", "plane", "--lr", "-1", "--epochs", "3"],
            "--lr: must be a number > 0, got '-1'",
        ),
        (
            ["run", "--image", "plane", "--lr", "nan", "--epochs", "3"],
            "--lr: must be a number > 0, got 'nan'",
        ),
        (
            ["run", "--image", "plane", "--lr", "inf", "--epochs", "3"],
            "--lr: must be a number > 0, got 'inf'",
        ),
        (
            ["run", "--image", "plane", "--lr", "fast", "--epochs", "3"],
            "--lr: must be a number > 0, got 'fast'",
        ),
        (
            ["run", "--image", "plane", "--lr", "1", "--epochs", "0"],
            "--epochs: must be a whole number from 1 to 100,000, got '0'",
        ),
        (
            ["run", "--image", "plane", "--lr", "1", "--epochs", "100001"],
            "--epochs: must be a whole number from 1 to 100,000, got '100001'",
        ),
        (
            ["run", "--image", "plane", "--lr", "1", "--epochs", "2.5"],
            "--epochs: must be a whole number from 1 to 100,000, got '2.5'",
        ),
        (
            ["run", "--image", "plane", "--lr", "1", "--epochs", "3", "--batch-size", "0"],
            "--batch-size: must be a whole number >= 1, got '0'",
        ),
        (
            ["run", "--image", "plane", "--lr", "1", "--epochs", "3", "--scale", "log"],
            "--scale: must be one of raw, unit, standard, got 'log'",
        ),
        (
            ["run", "--image", "plane", "--lr", "1", "--epochs", "3", "--seed", "-1"],
            "--seed: must be a whole number from 0 to 4,294,967,295, got '-1'",
        ),
        (
            ["theory", "--image", "plane", "--size", "1"],
            "--size: must be a whole number from 2 to 1,024, got '1'",
        ),
        (["diagnose", "1"], "at least two numbers, got 1"),
        (["diagnose", "1", "two"], "value 2 is not a number: 'two'"),
        (["diagnose", "1", "-3"], "cannot be negative"),
        (["run", "--lr", "1"], "required: --image, --epochs"),
        ([], "required: command"),
        (["fly"], "invalid choice: 'fly'"),
    ],
)
def test_bad_input_gets_short_message_and_status_2(argv, needle):
    code, out, err = _run(*argv)
    assert code == 2 and out == ""
    assert needle in err and err.startswith("gdcore: error: ")
    assert len(err.strip().splitlines()) <= 3 and "Traceback" not in err


@pytest.mark.parametrize(
    ("content", "needle"),
    [
        (b"", "the file is empty"),
        (b"hello", "not an image"),
        (b"GIF89a\x01", "not an image|damaged"),
    ],
)
def test_bad_image_files(tmp_path, content, needle):
    import re

    path = tmp_path / "bad.png"
    path.write_bytes(content)
    code, _, err = _run("theory", "--image", str(path))
    assert code == 2 and re.search(needle, err)


def test_module_entry_point_runs_in_a_subprocess():
    proc = subprocess.run(
        [sys.executable, "-m", "gdcore", "run", "--image", "plane", "--lr", "-2", "--epochs", "3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert (
        proc.stderr.strip()
        == "gdcore: error: argument --lr: must be a number > 0, got '-2' (see: python -m gdcore run --help)"
    )
