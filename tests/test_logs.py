"""Real training logs read right, or refused with a reason (gdcore.learner.logs, the CLI, the page)."""

import io
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from helpers import cards, chart_datasets, no_exception, open_page, verdict_text
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from gdcore import diagnose_curve
from gdcore.cli import main
from gdcore.learner.log_record import MAX_BYTES, MAX_VALUES, LogError
from gdcore.learner.logs import read_log

LOGS = Path(__file__).parent / "data" / "logs"
GOOD = [0.9312, 0.612, 0.4507, 0.3621, 0.3105, 0.2811, 0.265, 0.2559, 0.2507, 0.2478]
GOOD_VAL = [0.9011, 0.6402, 0.5013, 0.4322, 0.399, 0.3811, 0.3744, 0.3712, 0.3705, 0.3709]
# file: (values it must give, the column, the validation values, what the sentence says)
FILES = {
    "keras_csvlogger.csv": (GOOD, "loss", GOOD_VAL, "from column 'loss' of a comma-separated"),
    "fastai_csvlogger.csv": (
        GOOD[:5],
        "train_loss",
        GOOD_VAL[:5],
        "also found: epoch, valid_loss, time",
    ),
    "lightning_metrics.csv": (GOOD[:4], "train_loss", GOOD_VAL[:4], "(4 empty cells skipped)"),
    "wandb_export.csv": (
        [1, 0.62, 0.95, 1.8, 4.1, 9.7],
        "apricot-sky-3 - loss",
        None,
        "also found: Step, apricot-sky-3 - loss__MIN, apricot-sky-3 - loss__MAX",
    ),
    "excel_semicolon_decimal_comma.csv": (
        [2.31, 2.298, 2.287, 2.276, 2.265, 2.255],
        "loss",
        None,
        "semicolon-separated table with decimal commas",
    ),
    "tab_separated.tsv": (GOOD[:5], "loss", None, "tab-separated table; also found: epoch"),
    "headerless.csv": (
        GOOD[:5],
        "column 2",
        None,
        "from column 2 of a comma-separated table without a header",
    ),
    "one_per_line.txt": (GOOD[:5], None, None, "read 5 values typed as plain numbers"),
    "keras_fit.txt": (GOOD[:5], "loss", GOOD_VAL[:5], "of 'loss' from 5 printed lines"),
    "keras_fit_terminal.txt": (GOOD[:3], "loss", GOOD_VAL[:3], "from 3 printed lines"),
    "printed_one_line.txt": ([0.5321, 0.441, 0.3902], "loss", [0.61, 0.55, 0.52], "printed lines"),
    "printed_epoch_colon.txt": (GOOD[:5], "loss", None, "also found: epoch"),
    "printed_equals.txt": (GOOD[:5], "loss", None, "also found: Epoch"),
    # Hugging Face's Trainer: eval lines merged by epoch, the final train_loss a summary.
    "huggingface_trainer.txt": (GOOD[:5], "loss", [0.6402, 0.4322], "from 8 printed lines"),
}


def _cli(*argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err, stdin=io.StringIO(stdin))
    return code, out.getvalue(), err.getvalue()


@pytest.mark.parametrize("name", FILES)
def test_each_real_log_gives_its_values_and_says_what_it_read(name):
    values, column, validation, said = FILES[name]
    log = read_log((LOGS / name).read_bytes())
    np.testing.assert_array_equal(log.values, values)
    assert log.column == column
    if validation is None:
        assert log.validation is None
    else:
        np.testing.assert_array_equal(log.validation, validation)
    assert said in log.said and log.said.startswith(f"read {len(values)} values")


@pytest.mark.parametrize("name", FILES)
def test_each_real_log_gets_the_verdict_of_its_numbers_typed_by_hand(name):
    values = FILES[name][0]
    typed = " ".join(str(v) for v in values)
    by_hand = diagnose_curve(values)
    log = read_log((LOGS / name).read_bytes())
    assert diagnose_curve(log.values) == by_hand
    code, out, _ = _cli("diagnose", "--file", str(LOGS / name))
    typed_code, typed_out, _ = _cli("diagnose", *typed.split())
    assert code == typed_code == 0
    assert typed_out.splitlines()[:2] == [by_hand.verdict, by_hand.reason]
    if log.axis.unit == "step":  # W&B's Step column: the same verdict, said in steps
        steps = diagnose_curve(log.values, axis=log.axis)
        assert out.splitlines()[:2] == [by_hand.verdict, steps.reason]
        assert "step" in steps.reason and "epoch" not in steps.reason
    else:
        assert out.splitlines()[:2] == [by_hand.verdict, by_hand.reason]
    assert out.splitlines()[-1] == log.said


# --- The misreadings the issue found, each now read right ---------------------------------


def test_the_issues_misreadings_are_read_right():
    # A TSV was read as [0, 0.9, 1, 0.5, ...]; epoch;loss with decimal commas as [0, 0, 1, 0].
    assert read_log(b"epoch\tloss\n0\t0.9\n1\t0.5\n2\t0.4\n").values.tolist() == [0.9, 0.5, 0.4]
    assert read_log(b"epoch;loss\n0;0,9\n1;0,5\n").values.tolist() == [0.9, 0.5]
    # Headerless epoch,loss rows through `diagnose -` were "too large: rose from 0 to 3".
    rows = "".join(f"{i},{v}\n" for i, v in enumerate(GOOD))
    code, out, _ = _cli("diagnose", "-", stdin=rows)
    assert code == 0 and out.splitlines()[0] == "good"
    assert out.splitlines()[-1].endswith("also found: column 1")
    # A W&B export never silently uses __MAX; a train/val file uses the training loss.
    wandb = read_log((LOGS / "wandb_export.csv").read_bytes())
    assert wandb.column == "apricot-sky-3 - loss" and wandb.values.max() == 9.7
    assert read_log(b"epoch,val_loss,loss\n0,3,2\n1,2,1\n").values.tolist() == [2, 1]
    # Pasted printed lines and a pasted Keras file are read, not refused.
    assert read_log("Epoch 1: loss=0.52\nEpoch 2: loss=0.31").values.tolist() == [0.52, 0.31]
    pasted = (LOGS / "keras_csvlogger.csv").read_text()
    assert read_log(pasted).values.tolist() == GOOD


def test_comment_lines_are_not_data():
    log = read_log(b"# run 3, lr 0.01\nepoch,loss\n0,0.9\n# resumed\n1,0.5\n")
    assert log.values.tolist() == [0.9, 0.5] and log.column == "loss"


def test_metrics_are_never_the_curve_nor_offered():
    log = read_log(
        b"epoch,accuracy,lr,loss,grad_norm,time\n0,0.5,0.1,0.9,3,1.5\n1,0.7,0.1,0.5,2,1.4\n"
    )
    assert log.column == "loss" and log.candidates == ()
    hf = read_log((LOGS / "huggingface_trainer.txt").read_text())
    assert hf.candidates == ("loss", "train_loss", "eval_loss")


def test_a_bad_validation_cell_leaves_the_validation_curve_out_and_says_why():
    log = read_log(b"epoch,loss,val_loss\n0,1,1\n1,0.5,oops\n2,0.4,0.5\n")
    assert log.values.tolist() == [1, 0.5, 0.4] and log.validation is None
    assert "(validation 'val_loss' not drawn: line 3 ('oops') is not a number)" in log.said


def test_only_a_validation_loss_is_used_and_said():
    log = read_log(b"epoch,val_loss\n0,0.9\n1,0.5\n")
    assert log.values.tolist() == [0.9, 0.5] and "(no training loss was found)" in log.said


def test_an_index_column_is_never_the_curve_whatever_its_name():
    log = read_log(b"value,loss\n10,0.9\n11,0.5\n12,0.4\n")  # 10, 11, 12: a counter
    assert log.values.tolist() == [0.9, 0.5, 0.4]
    log = read_log(b"n,x\n0,3.5\n5,2.5\n10,2.25\n")  # a counter by 5, and an unknown name
    assert log.column == "x" and log.values.tolist() == [3.5, 2.5, 2.25]


def test_nan_is_kept_and_an_empty_cell_is_skipped_and_counted():
    log = read_log(b"epoch,loss\n0,1.0\n1,nan\n2,\n")
    assert np.isnan(log.values[1]) and log.values.size == 2
    assert "(1 empty cell skipped)" in log.said
    assert diagnose_curve(log.values).verdict == "too large"


def test_lightning_step_and_epoch_losses_prefer_the_epoch_one():
    data = (
        b"epoch,step,train_loss_step,train_loss_epoch\n0,9,1.2,\n0,9,,1.0\n1,19,0.7,\n1,19,,0.6\n"
    )
    log = read_log(data)
    assert log.column == "train_loss_epoch" and log.values.tolist() == [1.0, 0.6]
    assert log.candidates[:2] == ("train_loss_step", "train_loss_epoch")


def test_printed_lines_merge_train_and_validation_by_epoch_and_keep_per_batch_lines():
    log = read_log(
        "epoch 1: loss 0.9\nepoch 1: val_loss 1.0\nepoch 2: loss 0.5\nepoch 2: val_loss 0.7"
    )
    assert log.values.tolist() == [0.9, 0.5] and log.validation.tolist() == [1.0, 0.7]
    batches = read_log(
        "epoch 1 batch 1 loss 0.9\nepoch 1 batch 2 loss 0.8\nepoch 2 batch 1 loss 0.5"
    )
    assert batches.values.tolist() == [0.9, 0.8, 0.5]
    noisy = read_log("Train on 60000 samples\nEpoch 1 - loss: 0.9\nEpoch 2 - loss: 0.5\n")
    assert noisy.values.tolist() == [0.9, 0.5] and "on" not in noisy.others


def test_plain_numbers_keep_their_old_reading():
    assert read_log(" 2.0, 0.1;5\n20 nan").values[:4].tolist() == [2.0, 0.1, 5.0, 20.0]
    assert read_log("10\n9.99, 9.98 9.97\n9.96\n").values.tolist() == [10, 9.99, 9.98, 9.97, 9.96]
    assert read_log("2,0; 0,1; 5,0; 20").values.tolist() == [2.0, 0.1, 5.0, 20.0]
    assert "with decimal commas" in read_log("2,0; 0,1; 5,0; 20").said
    assert read_log(b"\xef\xbb\xbfa,b\n1,4\n2,3\n").values.tolist() == [4, 3]
    utf16 = "epoch\tloss\r\n0\t0.9\r\n1\t0.5\r\n".encode("utf-16")
    assert read_log(utf16).values.tolist() == [0.9, 0.5]


# --- Refused, with a reason --------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "the log is empty"),
        (b"\xff\xfe\x00", "1 NUL byte \\(the first is byte 3"),
        (b"\xff\xfe not utf-8", "not UTF-8"),
        (b"1, x", "value 2 is not a number: 'x'"),
        (b"epoch,loss\n0,1\n1\n", "line 3 has 1 cell where the header has 2"),
        (b"epoch,loss\n0,1\n1,oops\n2,0.5\n", "column 'loss': line 3 \\('oops'\\) is not a number"),
        (b"epoch,accuracy\n0,0.5\n1,0.7\n", "no column holds an error"),
    ],
)
def test_unreadable_logs_are_one_sentence(data, match):
    with pytest.raises(LogError, match=match):
        read_log(data)


def test_two_unnamed_curves_are_refused_naming_the_candidates_and_all_chooses():
    data = (LOGS / "two_unnamed_curves.csv").read_bytes()
    with pytest.raises(LogError, match="2 unnamed curves") as info:
        read_log(data)
    assert info.value.candidates == ("column 1", "column 2", "all")
    assert read_log(data, "column 2").values.tolist() == [0.9011, 0.6402, 0.5013]
    assert read_log(data, "1").values.tolist() == [0.9312, 0.612, 0.4507]
    assert read_log(data, "all").values.tolist() == [0.9312, 0.9011, 0.612, 0.6402, 0.4507, 0.5013]
    two_losses = b"epoch,out1_loss,out2_loss\n0,1,2\n1,0.5,1\n"
    with pytest.raises(LogError, match="2 training losses") as info:
        read_log(two_losses)
    assert info.value.candidates == ("out1_loss", "out2_loss")


def test_a_column_by_name_or_a_missing_one():
    data = (LOGS / "keras_csvlogger.csv").read_bytes()
    log = read_log(data, "VAL_LOSS")
    assert log.column == "val_loss" and log.values.tolist() == GOOD_VAL and log.validation is None
    assert log.candidates == ("loss", "val_loss")
    with pytest.raises(
        LogError, match="no column 'lr'; the columns are 'epoch', 'loss', 'val_loss'"
    ):
        read_log(data, "lr")
    with pytest.raises(LogError, match="holds no numbers"):
        read_log((LOGS / "fastai_csvlogger.csv").read_bytes(), "time")


def test_the_limits_are_checked_before_parsing():
    with pytest.raises(LogError, match=f"at most {MAX_BYTES:,} are read"):
        read_log(b" " * (MAX_BYTES + 1))
    with pytest.raises(LogError, match=f"at most {MAX_VALUES:,} values"):
        read_log("1 " * (MAX_VALUES + 1))
    with pytest.raises(LogError, match=f"at most {MAX_VALUES:,} values, got {MAX_VALUES + 1:,}"):
        read_log("loss\n" + "1\n" * (MAX_VALUES + 1))


# --- Property tests: a random curve written every way is read back exactly ----------------

curves = st.lists(
    st.floats(1e-6, 1e6, allow_nan=False).map(lambda v: float(f"{v:.6g}")), min_size=2, max_size=40
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=curves,
    sep=st.sampled_from([",", ";", "\t", " "]),
    comma=st.booleans(),
    header=st.booleans(),
    extras=st.lists(st.sampled_from(["epoch", "val_loss", "accuracy", "time"]), unique=True),
    crlf=st.booleans(),
    bom=st.booleans(),
    data=st.data(),
)
def test_a_random_curve_in_any_table_is_read_back(
    values, sep, comma, header, extras, crlf, bom, data
):
    comma = comma and sep != ","
    if not header:  # without names only a counter may stand beside the curve
        extras = ["epoch"] if "epoch" in extras else []
        assume(extras or sep != " ")  # one headerless column: plain numbers, any spacing
        assume(not all(v == round(v) for v in values))  # whole numbers rising by one: a counter
        # One headerless column never shows its separator, so "1,0 / 0,5" is a two-column
        # table or two decimal commas: the reader must say its guess or refuse, not read back.
        assume(extras or not comma)
    names = data.draw(st.permutations(["loss", *extras]))

    def cell(name, i, v):
        text = {
            "loss": repr(v),
            "epoch": str(i),
            "val_loss": repr(v * 1.5),
            "accuracy": repr(1 / (1 + v)),
            "time": f"00:{i % 60:02d}",
        }[name]
        return text.replace(".", ",") if comma else text

    lines = [sep.join(names)] if header else []
    lines += [sep.join(cell(n, i, v) for n in names) for i, v in enumerate(values)]
    text = ("\r\n" if crlf else "\n").join(lines) + "\n"
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode()
    log = read_log(raw)
    assert log.values.tolist() == values, log.said
    if header and "val_loss" in extras:
        np.testing.assert_array_equal(log.validation, [float(repr(v * 1.5)) for v in values])


@settings(max_examples=60, deadline=None)
@given(values=curves, style=st.sampled_from(["keras", "colon", "equals"]))
def test_a_random_curve_in_printed_lines_is_read_back(values, style):
    n = len(values)
    line = {
        "keras": "Epoch {e}/{n}\n8/8 [====] - 0s 2ms/step - loss: {v!r} - val_loss: {w!r}",
        "colon": "epoch {e}: loss {v!r}",
        "equals": "Epoch {e}: loss={v!r}, lr=0.01",
    }[style]
    text = "\n".join(line.format(e=i + 1, n=n, v=v, w=v * 2) for i, v in enumerate(values))
    assert read_log(text).values.tolist() == values


# --- Command line ------------------------------------------------------------------------


def test_cli_reads_a_file_and_says_what_it_read():
    code, out, err = _cli("diagnose", "--file", str(LOGS / "keras_csvlogger.csv"), "--lr", "0.01")
    lines = out.splitlines()
    assert code == 0 and err == "" and lines[0] == "good"
    assert lines[-1] == (
        "read 10 values from column 'loss' of a comma-separated table; also found: epoch, val_loss"
    )


def test_cli_reads_the_same_formats_from_stdin_in_a_real_process():
    data = (LOGS / "excel_semicolon_decimal_comma.csv").read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "gdcore", "diagnose", "-"],
        input=data,
        capture_output=True,
        timeout=60,
    )
    lines = proc.stdout.decode().splitlines()
    assert proc.returncode == 0 and lines[0] == "too small"
    assert "semicolon-separated table with decimal commas" in lines[-1]


def test_cli_ambiguous_exits_2_with_the_candidates_and_the_flag():
    code, out, err = _cli("diagnose", "--file", str(LOGS / "two_unnamed_curves.csv"))
    assert code == 2 and out == "" and len(err.splitlines()) == 1
    assert "'column 1', 'column 2'" in err and "--column NAME" in err and "all" in err
    code, out, _ = _cli("diagnose", "--file", str(LOGS / "two_unnamed_curves.csv"), "--column", "2")
    assert code == 0 and out.splitlines()[-1].startswith("read 3 values from column 2")


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["diagnose"], "give error values, - (a log on stdin) or --file PATH"),
        (["diagnose", "1", "2", "--file", "x.csv"], "one of them"),
        (["diagnose", "--file", "/no/such/log.csv"], "--file: '/no/such/log.csv' is not a file"),
        (["diagnose", "--file", "/"], "is not a file"),
        (["diagnose", "1", "2", "--column", "loss"], "no column 'loss': the log is plain numbers"),
        (
            ["diagnose", "loss: 0.9, 0.5"],
            "give at least two numbers, got 1: read 1 value of 'loss' from 1 printed line",
        ),
    ],
)
def test_cli_bad_log_input_is_one_line_and_status_2(argv, needle):
    code, out, err = _cli(*argv)
    assert code == 2 and out == "" and needle in err and len(err.splitlines()) == 1


def test_cli_refuses_a_huge_file_from_its_size_without_reading_it(tmp_path):
    big = tmp_path / "huge.csv"
    with big.open("wb") as fh:
        fh.truncate(3 * 1024**3)  # sparse: 3 GB that nobody could read in a test
    code, _, err = _cli("diagnose", "--file", str(big))
    assert code == 2 and "the file is 3,221,225,472 bytes" in err


# --- The page ----------------------------------------------------------------------------


def test_page_upload_shows_what_was_read_the_validation_curve_and_a_column_choice():
    at = open_page("diagnose")
    data = (LOGS / "keras_csvlogger.csv").read_bytes()
    at.file_uploader[0].upload("training.log", data, "text/plain").run()
    no_exception(at)
    assert at.text[0].value.startswith("From the uploaded file: read 10 values from column 'loss'")
    assert "GOOD" in verdict_text(at)
    drawn = {}
    for ds in chart_datasets(at, 0):
        for run, err in zip(ds.get("run", []), ds.get("error", []), strict=True):
            drawn.setdefault(run, []).append(err)
    assert drawn["training: loss"] == GOOD and drawn["validation: val_loss"] == GOOD_VAL
    box = at.selectbox(key="dg_column")
    assert box.options == ["chosen by the rule", "loss", "val_loss"]
    box.set_value("val_loss").run()
    no_exception(at)
    assert "from column 'val_loss'" in at.text[0].value
    assert f"{GOOD_VAL[0]:.3g}" in verdict_text(at)


def test_page_two_unnamed_curves_ask_for_the_column_then_judge_it():
    at = open_page("diagnose")
    at.file_uploader[0].upload(
        "log.csv", (LOGS / "two_unnamed_curves.csv").read_bytes(), "text/csv"
    )
    at.run()
    no_exception(at)
    assert "2 unnamed curves" in at.error[0].value and "Choose one in" in at.error[0].value
    assert not cards(at)
    at.selectbox(key="dg_column").set_value("column 2").run()
    no_exception(at)
    assert not at.error and "read 3 values from column 2" in at.text[0].value
    assert "GOOD" in verdict_text(at)


def test_page_a_pasted_printed_log_is_judged_like_its_numbers():
    at = open_page("diagnose")
    at.text_area(key="dg_errors").input((LOGS / "keras_fit.txt").read_text()).run()
    no_exception(at)
    assert "of 'loss' from 5 printed lines" in at.text[0].value
    assert diagnose_curve(GOOD[:5]).verdict.upper() in verdict_text(at)


def test_page_column_names_from_a_file_stay_text():
    at = open_page("diagnose")
    data = b"epoch,[loss](//ev.il),**val_loss**\n0,1,2\n1,0.5,1.5\n"
    at.file_uploader[0].upload("x.csv", data, "text/csv").run()
    no_exception(at)
    assert "[loss](//ev.il)" in at.text[0].value  # st.text: shown as written, never Markdown
    assert not any("](//ev.il)" in m.value for m in at.markdown)


def test_page_a_new_log_lets_the_rule_choose_again():
    at = open_page("diagnose")
    at.file_uploader[0].upload("a.csv", (LOGS / "keras_csvlogger.csv").read_bytes(), "text/csv")
    at.run()
    at.selectbox(key="dg_column").set_value("val_loss").run()
    assert "from column 'val_loss'" in at.text[0].value
    at.file_uploader[0].upload("b.csv", (LOGS / "fastai_csvlogger.csv").read_bytes(), "text/csv")
    at.run()
    no_exception(at)
    assert not at.error and "from column 'train_loss'" in at.text[0].value


def test_page_a_link_with_a_pasted_log_and_its_column():
    text = (LOGS / "keras_csvlogger.csv").read_text()
    at = open_page("diagnose", errors=text, column="val_loss")
    no_exception(at)
    assert not at.warning
    assert "From the text box: read 10 values from column 'val_loss'" in at.text[0].value
    assert at.selectbox(key="dg_column").value == "val_loss"


def test_cli_stdin_is_read_as_bytes_like_a_file():
    proc = subprocess.run(
        [sys.executable, "-m", "gdcore", "diagnose", "-"],
        input="epoch\tloss\r\n0\t0.9\r\n1\t0.5\r\n".encode("utf-16"),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().splitlines()[-1].startswith("read 2 values from column 'loss'")
    proc = subprocess.run(
        [sys.executable, "-m", "gdcore", "diagnose", "-"], input=b"\x80\x81", capture_output=True
    )
    assert proc.returncode == 2 and proc.stderr.decode().strip() == (
        "gdcore: error: stdin: the log is not UTF-8 text (byte 1 is not)."
    )


def test_the_validation_chart_carries_both_curves_and_says_what_it_cannot_line_up():
    import altair as alt

    from ui import charts

    alt.data_transformers.disable_max_rows()
    train, val = np.array([1.0, 0.5, 0.0, 0.2]), np.array([1.2, 0.9])
    chart, notes = charts.training_and_validation(train, val, ("loss", "val_loss"), log=True)
    data = chart.to_dict()
    rows = [r for ds in data["datasets"].values() for r in ds]
    drawn = {(r["run"], r["epoch"]): r["error"] for r in rows}
    assert drawn[("training: loss", 1)] == 0.5 and drawn[("validation: val_loss", 1)] == 0.9
    assert ("training: loss", 2) not in drawn  # 0 on a log axis: left out, and said
    assert notes[0] == "1 value not drawn on the log axis (NaN, infinite or 0)"
    assert notes[1].startswith("the validation curve has 2 values and the training curve 4")
    _, notes = charts.training_and_validation(train, np.array([1.0, 40.0, 0.3, 0.2]), ("a", "b"))
    assert notes == ["a curve climbs past the top of this chart (over 10× the larger start)"]


def test_a_validation_chart_says_the_nan_it_leaves_out_on_a_linear_axis_too():
    """A log whose loss turned NaN (a blow-up) draws only its finite values; the note says how
    many were left out, on either axis, as Check's chart of printed errors does."""
    from ui import charts

    train, val = np.array([1.0, 0.5, np.nan, np.nan, np.nan]), np.array([1.2, 0.9, 0.8, 0.7, 0.6])
    _, notes = charts.training_and_validation(train, val, ("loss", "val_loss"), log=False)
    assert notes == ["3 values not drawn (NaN or infinite: a blow-up)"]
    _, same = charts.check_chart(train, val, log=False)
    assert same == notes
    _, notes = charts.training_and_validation(train, val, ("loss", "val_loss"), log=True)
    assert notes == ["3 values not drawn on the log axis (NaN, infinite or 0)"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    values=curves,
    others=st.lists(
        st.sampled_from(
            ["step", "val_loss", "lr", "loss__MAX", "loss__MIN", "accuracy", "value", "out2_loss"]
        ),
        unique=True,
    ),
    sep=st.sampled_from([",", ";", "\t"]),
    data=st.data(),
)
def test_the_curve_read_is_the_training_loss_or_a_refusal_never_another_column(
    values, others, sep, data
):
    rng = np.random.default_rng(len(values))
    columns = {"loss": values, **{n: list(rng.random(len(values)) + 2) for n in others}}
    if "step" in columns:
        columns["step"] = [float(10 * i) for i in range(len(values))]
    names = data.draw(st.permutations(list(columns)))
    text = sep.join(names) + "\n"
    text += "".join(sep.join(repr(columns[n][i]) for n in names) + "\n" for i in range(len(values)))
    try:
        log = read_log(text)
    except LogError as exc:  # refused: then the candidates name the real curve
        assert "loss" in exc.candidates, str(exc)
        return
    assert log.column == "loss" and log.values.tolist() == values, log.said


@pytest.mark.parametrize(
    "text",
    [
        "loss,val_loss\n1.5,1.6\n10000.2,15000.3\n",  # every cell a number
        "epoch,step,train_loss,val_loss\n0,0,1.5,\n0,0,,1.6\n1,1,10000.2,\n1,1,,15000.3\n",
    ],
)
def test_numbers_are_read_as_python_reads_them(text):
    """pandas 2.2 (the floor) read 10000.2 one unit in the last place off; the curve must
    be the numbers written, to the last bit (found by the lowest-version run)."""
    log = read_log(text)
    assert list(log.values) == [1.5, float("10000.2")]


@settings(max_examples=300)
@given(st.text(alphabet="0123456789,. \n\t\x0b\xa0\u2003;e-", max_size=40))
def test_the_grouped_word_is_the_one_pattern_finds(text):
    """``grouped_word`` finds what ``\\S*\\d,\\d{3}\\S*`` finds, without its backtracking
    (quadratic on a comma-only paste: 8,000 values took 35 s)."""
    import re

    from gdcore.learner.log_numbers import grouped_word

    old = re.search(r"\S*\d,\d{3}\S*", text)
    assert grouped_word(text) == (old.group() if old else "")


def test_a_long_comma_only_paste_is_read():
    """20,000 values joined by bare commas: read as 20,000 plain numbers."""
    log = read_log(",".join(["0.5", "0.25"] * 10_000).encode())
    assert log.values.size == 20_000 and log.values[:2].tolist() == [0.5, 0.25]
