"""The benchmark itself works (tiny sizes); its timings are never asserted."""

import json

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
