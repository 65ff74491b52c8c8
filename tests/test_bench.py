"""The benchmark itself works (tiny sizes); its timings are never asserted."""

import json

import pytest

from bench.run import main
from gdcore.descent.testing import disagreement


def test_benchmark_smoke_run_checks_agreement_and_writes_results(tmp_path, capsys):
    out = tmp_path / "results.json"
    assert main(["--smoke", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert res["same_work"]["agree"]["textbook"] <= 1
    assert res["minibatch"]["agree"] <= 1
    for key in ("momentum_sweep", "schedule_sweep"):
        assert max(res[key]["agree"].values()) <= 1 and "engine" in res[key]["seconds"]
    assert set(res["big_sweep"]["seconds"]) >= {"engine", "floor", "textbook (extrapolated)"}
    assert "| work | way | time |" in capsys.readouterr().out


def test_disagreement_flags_a_real_difference():
    import numpy as np

    a = np.array([[1.0, 0.5, 0.25]])
    assert disagreement(a, a.copy()) == 0
    assert disagreement(a, a * (1 + 1e-6)) > 1
    assert disagreement(a, np.array([[1.0, 0.5, np.nan]])) == float("inf")


def test_performance_table_is_replaced_between_the_markers(tmp_path):
    from bench.run import END, START, write_docs

    doc = tmp_path / "performance.md"
    doc.write_text(f"# x\n{START}\nold\n{END}\nafter\n")
    write_docs("| new |", doc)
    assert doc.read_text() == f"# x\n{START}\n| new |\n{END}\nafter\n"


def test_the_benchmark_writes_its_table_into_docs_performance_not_the_readme():
    from bench.run import END, PERFORMANCE, ROOT, START

    assert PERFORMANCE == ROOT / "docs" / "performance.md"
    assert START in PERFORMANCE.read_text() and END in PERFORMANCE.read_text()
    assert START not in (ROOT / "README.md").read_text()


@pytest.mark.browser
def test_browser_benchmark_tiny_run_writes_both_ratios(tmp_path):
    """One counted round of each app in Chromium: the file's shape and its own arithmetic."""
    import statistics

    from bench.browser import APPS, MEASURES, main, table
    from tests.test_browser import _need_browser

    _need_browser()
    out = tmp_path / "browser_results.json"
    args = ["--repeats", "1", "--warmup", "0", "--changes", "2", "--label", "tiny"]
    assert main([*args, "--out", str(out)]) == 0
    saved = json.loads(out.read_text())
    r = saved["tiny"]
    assert set(r["seconds"]) == set(APPS) and r["repeats"] == 1 and len(r["load_average_1min"]) == 2
    for app in APPS:
        for what, count in (("first_load", 1), ("rate_change", 2), ("whole_page", 2)):
            got = r["seconds"][app][what]
            assert len(got) == count and all(0 < s < 120 for s in got)
            assert r["median_s"][app][what] == statistics.median(got)
        # the whole page is never drawn before its chart
        changes = zip(
            r["seconds"][app]["rate_change"], r["seconds"][app]["whole_page"], strict=True
        )
        assert all(chart <= whole for chart, whole in changes)
    for what in MEASURES:
        e, m = r["median_s"]["explore"][what], r["median_s"]["minimal"][what]
        assert r["ratio"][what] == pytest.approx(e / m)
    assert "| tiny |" in table(saved)


def test_performance_browser_table_is_the_saved_measurements():
    """docs/performance.md's browser table is `python -m bench.browser table`, and each saved ratio is
    its two medians' quotient, each median that of its saved times."""
    import statistics

    from bench.browser import RESULTS, ROOT, table

    saved = json.loads(RESULTS.read_text())
    assert saved
    for r in saved.values():
        for app, times in r["seconds"].items():
            for what, got in times.items():
                per_visit = r.get("changes_per_visit", 1) if what != "first_load" else 1
                assert len(got) == r["repeats"] * per_visit
                assert r["median_s"][app][what] == statistics.median(got)
        for what, q in r["ratio"].items():
            assert q == pytest.approx(
                r["median_s"]["explore"][what] / r["median_s"]["minimal"][what]
            )
    assert table(saved) in (ROOT / "docs" / "performance.md").read_text()


def test_minimal_app_runs_explores_default_descent():
    """bench/minimal_app.py computes the run Explore shows first: its image, size, scale,
    epochs, start and rate are Explore's defaults."""
    import ast
    from pathlib import Path

    from bench.browser import FIRST_RATE
    from ui import fields

    source = (Path(__file__).resolve().parent.parent / "bench" / "minimal_app.py").read_text()
    assign = next(
        node
        for node in ast.parse(source).body
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Tuple)
    )
    names = [t.id for t in assign.targets[0].elts]  # type: ignore[attr-defined]
    values = ast.literal_eval(assign.value)
    got = dict(zip(names, values, strict=True))
    defaults = {f.url: f.param.default for f in fields.EXPLORE}
    assert got == {
        "IMAGE": defaults["image"],
        "SIZE": defaults["size"],
        "SCALE": defaults["scale"],
        "EPOCHS": defaults["epochs"],
        "INIT": defaults["init"],
        "LR": defaults["lr"],
    }
    assert defaults["lr"] == FIRST_RATE  # the chart both first loads wait for
