"""The command line contract, including every error path."""

import ast
import csv
import io
import json
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

from gdcore import Optimizer, builtin_image, pixel_table, quadratic, run_descent, theory
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


# --- Output that cannot be written, or not in this encoding -----------------

GDCORE = [sys.executable, "-m", "gdcore"]
COMMANDS = {
    "csv": ["run", "--image", "scene", "--lr", "0.1", "--epochs", "50"],
    "summary": [
        "run",
        "--image",
        "scene",
        "--lr",
        "0.1",
        "--lr",
        "3",
        "--epochs",
        "50",
        "--summary",
    ],
    "images": ["images"],
    "theory": ["theory", "--image", "scene"],
    "diagnose": ["diagnose", "2", "0.1", "5", "20"],
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_full_disk_gets_one_line_and_status_1(command):
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            GDCORE + COMMANDS[command], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == "gdcore: error: cannot write the output: No space left on device\n"


@pytest.mark.parametrize("command", ["csv", "images"])
def test_a_closed_stdout_gets_one_line_and_status_1(command):
    proc = subprocess.run(
        ["sh", "-c", 'exec "$@" >&-', "sh", *GDCORE, *COMMANDS[command]],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr == "gdcore: error: cannot write the output: standard output is closed\n"


def test_a_reader_that_stops_early_is_no_error():
    proc = subprocess.Popen(
        GDCORE + ["run", "--image", "scene", "--lr", "0.1", "--epochs", "100000"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout.readline() == b"lr,epoch,error,w0,w1,w2\n"
    proc.stdout.close()  # as `| head -1` does
    assert proc.wait() == 0 and proc.stderr.read() == b""


def test_an_encoding_without_lambda_gets_backslash_escapes(tmp_path):
    """Reasons speak the lesson's words now (no λ); a learner's column name still may."""
    log = tmp_path / "log.csv"
    log.write_text("epoch,λ_loss\n0,1.0\n1,0.5\n2,0.3\n3,0.25\n4,0.24\n5,0.239\n", "utf-8")
    proc = subprocess.run(
        [*GDCORE, "diagnose", "--file", str(log)],
        capture_output=True,
        env={**os.environ, "PYTHONIOENCODING": "cp1252"},
        check=False,
    )
    assert proc.returncode == 0 and proc.stderr == b""
    lines = proc.stdout.decode("cp1252").splitlines()
    assert lines[0] == "good" and "column '\\u03bb_loss'" in lines[2]


# --- Memory: the summary keeps no weights, the CSV is written as it is made ----

_PEAK = """
import resource, subprocess, sys
stop = int(sys.argv[1])
proc = subprocess.Popen(sys.argv[2:], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
size = lines = 0
while block := proc.stdout.read(1 << 16):
    size, lines = size + len(block), lines + block.count(b"\\n")
    if stop and size >= stop:
        break
proc.stdout.close()
err = proc.stderr.read().decode()
proc.wait()
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
print(proc.returncode, lines, peak, repr(err))
"""


def _peak(argv, stop_after_bytes=0):
    """Exit status, lines read, peak resident memory in MB and stderr of a real run."""
    proc = subprocess.run(
        [sys.executable, "-c", _PEAK, str(stop_after_bytes), *GDCORE, *argv],
        capture_output=True,
        text=True,
        check=True,
    )
    code, lines, peak, err = proc.stdout.split(" ", 3)
    return int(code), int(lines), float(peak), ast.literal_eval(err)


RATES_256 = [a for i in range(256) for a in ("--lr", f"{10 ** (-4 + 5 * i / 255):.6g}")]


def test_summary_of_256_rates_by_100000_epochs_fits_in_300_mb():
    code, lines, peak, err = _peak(
        ["run", "--image", "scene", "--epochs", "100000", "--summary", *RATES_256]
    )
    assert code == 0 and err == "" and lines == 257
    assert peak <= 300, f"peak {peak:.0f} MB"


def test_full_csv_is_streamed_in_under_500_mb():
    """256 rates x 100,000 epochs is 25.6 million rows; the first ones come before the rest is made."""
    argv = ["run", "--image", "scene", "--epochs", "100000", *RATES_256]
    code, lines, peak, err = _peak(argv, stop_after_bytes=20_000_000)
    assert code == 0 and err == "" and lines > 200_000
    assert peak <= 500, f"peak {peak:.0f} MB"
    code, lines, peak, err = _peak(["run", "--image", "scene", "--epochs", "2000", *RATES_256])
    assert code == 0 and err == "" and lines == 1 + 256 * 2001
    assert peak <= 500, f"peak {peak:.0f} MB"


@pytest.mark.parametrize("batch", [[], ["--batch-size", "7"]])
@pytest.mark.parametrize("summary", [[], ["--summary"]])
def test_output_made_in_chunks_of_rates_is_the_same(monkeypatch, batch, summary):
    import gdcore.cli

    argv = ["run", "--image", "scene", "--size", "8", "--epochs", "6", *batch, *summary]
    for lr in ("0.001", "0.3", "1", "1.3", "5"):
        argv += ["--lr", lr]
    whole = _run(*argv)
    monkeypatch.setattr(gdcore.cli, "CHUNK_VALUES", 14)  # two rates of 7 epochs at a time
    assert _run(*argv) == whole and whole[0] == 0


# --- Tiny rates, and the one cap on mini-batch work ----------------------------


@pytest.mark.parametrize("lr", ["1e-13", "1e-200", "5e-324"])
def test_tiny_rates_are_too_small_on_the_command_line(lr):
    code, out, _ = _run("run", "--image", "scene", "--lr", lr, "--epochs", "3", "--summary")
    row = next(csv.DictReader(io.StringIO(out)))
    assert code == 0 and row["verdict"] == "too small"
    assert "epochs to get within 1% of the lowest error" in row["reason"]
    assert "critical" not in row["reason"]


def test_minibatch_work_is_capped_with_one_rule():
    from gdcore.params import MINIBATCH_WORK, minibatch_epochs, minibatch_work_problem

    small = ["run", "--image", "scene", "--lr", "0.1", "--batch-size", "1024", "--summary"]
    code, _, err = _run(*small, "--epochs", "977")  # 4,096 pixels × 977 = 4,001,792
    assert code == 2 and "at most 976 epochs fit" in err
    assert _run(*small, "--epochs", "976")[0] == 0
    argv = ["run", "--image", "scene", "--size", "512", "--lr", "0.1", "--batch-size", "1"]
    code, out, err = _run(*argv, "--epochs", "100000")
    assert code == 2 and out == ""
    assert err.startswith(
        "gdcore: error: epochs: a mini-batch run touches every pixel every epoch: "
        "262,144 pixels × 100,000 epochs = 26,214,400,000, over the cap of 4,000,000; "
        "at most 15 epochs fit on this image"
    )
    assert minibatch_epochs(512 * 512) == 15 == MINIBATCH_WORK // (512 * 512)
    assert minibatch_work_problem(512 * 512, 15) is None
    assert _run(*argv, "--epochs", "15", "--summary")[0] == 0
    assert _run(*argv, "--epochs", "16", "--summary")[0] == 2
    # Full batch costs the same on any image: no cap (a batch of all the pixels is full batch).
    full = ["run", "--image", "scene", "--size", "512", "--lr", "0.1", "--epochs", "100000"]
    assert _run(*full, "--summary")[0] == 0
    assert _run(*full, "--batch-size", str(512 * 512), "--summary")[0] == 0


def test_diagnose_a_huge_rate_suggests_no_infinite_rate():
    code, out, _ = _run("diagnose", "1", "0.9", "0.99", "--lr", "1e308")
    assert code == 0 and out.splitlines()[0] == "too small"
    assert "suggested next rate" not in out and "inf" not in out
    assert "no next rate is suggested: 1e+308 × 10 is not a finite rate > 0." in out


def test_diagnose_a_huge_finite_error_is_judged_by_its_value():
    code, out, _ = _run("diagnose", "1e308", "1")
    assert code == 0 and out.splitlines()[0] == "good"
    assert "fell from 1e+308 to 1 (100%)" in out and "represent" not in out


TINY = "under 5e-324 (the smallest float above 0)"


@pytest.mark.parametrize(
    ("schedule", "epochs", "clause"),
    [
        (
            "inverse:5e-324",
            20,
            f"a rate falling as 1/(1 + k/5e-324) at epoch k leaves a last rate {TINY}",
        ),
        ("exp:5e-324", 20, f"a rate multiplied by 5e-324 every epoch leaves a last rate {TINY}"),
        # 0.5 × 0.5^1099 is below the smallest float
        ("step:1:0.5", 1100, f"a rate that halves (× 0.5) every epoch leaves a last rate {TINY}"),
        (
            "step:10:0.5",
            200,
            f"a rate that halves (× 0.5) every 10 epochs leaves a last rate of {0.5 * 0.5**19:.3g}",
        ),
    ],
)
def test_a_schedule_that_shrinks_the_rate_to_nothing_is_said_without_warnings(
    schedule, epochs, clause
):
    """`run --schedule inverse:5e-324` printed numpy's overflow warnings on stderr, and the
    reason read "and the rate halves (× 0.5) every 10 epochs leaves a last rate of 0" (not a
    sentence, and the last rate was 0.5 × 0.5^1999, not 0)."""
    proc = subprocess.run(
        [*GDCORE, "run", "--image", "scene", "--lr", "0.5", "--epochs", str(epochs)]
        + ["--schedule", schedule, "--summary"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (proc.returncode, proc.stderr) == (0, "")
    row = next(csv.DictReader(io.StringIO(proc.stdout)))
    assert row["verdict"] == "too small"
    assert f" of the way down, and {clause}; the steps shrank too soon" in row["reason"]
    table = pixel_table(builtin_image("scene", 64), "unit")
    res = run_descent(table, [0.5], epochs, optimizer=Optimizer(schedule=schedule))
    assert float(row["final_error"]) == pytest.approx(res.final_errors[0], rel=1e-12)


def test_describe_writes_the_schedule_as_read():
    from gdcore.descent.schedules import describe, rate_factors

    assert describe("inverse:5e-324") == "a rate falling as 1/(1 + k/5e-324) at epoch k"
    assert describe("step:1:0.50000001") == "a rate multiplied by 0.50000001 every epoch"
    assert describe("step:10:0.5", 5) == (
        "a warm-up over 5 epochs, then a rate that halves (× 0.5) every 10 epochs"
    )
    # 1/(1 + k/TAU) at TAU = 5e-324: 1, then 5e-324 / 1, then 5e-324 / 2 (below the smallest
    # float, rounds to 0), with no overflow on the way.
    assert rate_factors("inverse:5e-324", 3).tolist() == [1.0, 5e-324, 0.0]
