"""What a rate change costs the server besides the work itself: threads, copies, collector passes.

Each was found with py-spy on Explore's rate change (docs/performance.md, "In a browser"):
pyarrow's thread pool for a chart's few hundred rows, Streamlit's spinner thread for a cached
light run, Altair remaking a layered chart to copy it, and full passes of Python's collector
over the imports. These tests hold what replaced them to the same results.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import altair as alt
import numpy as np
import pandas as pd
import pytest
from streamlit import dataframe_util

import gdcore
from ui import charts, specs, spinner

FRAMES = {
    "numbers": pd.DataFrame({"epoch": np.arange(300), "error": np.linspace(1, 0, 300)}),
    "text": pd.DataFrame({"run": ["rate 0.5"] * 300, "epoch": np.arange(300)}),
    "categories": pd.DataFrame({"said": pd.Categorical(["a", "b"] * 150)}),
    "filtered": pd.DataFrame({"v": np.arange(400.0)}).query("v % 3 == 0"),  # its own index
    "nan": pd.DataFrame({"v": [1.0, np.nan, np.inf]}),
}


@pytest.mark.parametrize("name", FRAMES)
def test_a_frame_is_sent_as_the_bytes_streamlit_makes_of_it(name):
    frame = FRAMES[name]
    assert specs.arrow_bytes(frame) == dataframe_util.convert_anything_to_arrow_bytes(frame)


def test_a_frame_pyarrow_refuses_goes_streamlits_way():
    mixed = pd.DataFrame({"v": [1, "two", 3.0]})  # object column of mixed types
    assert specs.arrow_bytes(mixed) == dataframe_util.convert_anything_to_arrow_bytes(mixed)


def test_layers_made_directly_give_altairs_spec_and_are_not_remade_to_be_copied(monkeypatch):
    frame = pd.DataFrame({"x": [0, 1, 2], "y": [3.0, 2.0, 1.0]})
    line = alt.Chart(frame).mark_line().encode(x="x:Q", y="y:Q")
    rule = alt.Chart(pd.DataFrame({"y": [1.5]})).mark_rule().encode(y="y:Q")
    ours = charts.layer(line, rule, title="t", height=100)
    assert isinstance(ours, charts.Layers)
    theirs = alt.layer(line.copy(), rule.copy()).properties(title="t", height=100)
    expected = theirs.to_dict(validate=False)
    merged = []
    real = alt.LayerChart.__init__
    monkeypatch.setattr(
        alt.LayerChart, "__init__", lambda self, *a, **k: merged.append(1) or real(self, *a, **k)
    )
    assert ours.to_dict(validate=False) == expected
    assert ours.copy(deep=False).to_dict(validate=False) == ours.to_dict(validate=False)
    assert merged == []  # Altair's own init (the merge and its deep copies) never ran for ours


def test_a_spinner_is_shown_only_around_a_run_estimated_slow(monkeypatch):
    shown = []

    class Spinner:
        def __init__(self, text):
            shown.append(text)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(spinner.st, "spinner", Spinner)
    calls = []

    def descend(key, scale, lrs, epochs, init, seed, batch, _pixels):  # ui.cached.descend's
        calls.append(epochs)
        return 7

    run = spinner.when_slow("Running…", spinner.descent_seconds)(descend)
    light = np.zeros((64, 64))  # Explore's default image: 200 epochs take milliseconds
    assert run(("k",), "unit", (0.5,), 200, "zero", 0, 0, light) == 7 and shown == []
    heavy = gdcore.descent.engine.run_seconds(512 * 512, 1, 20_000, 1)
    assert heavy > spinner.SLOW_S
    assert run(("k",), "unit", (0.5,), 20_000, "zero", 0, 1, np.zeros((512, 512))) == 7
    assert shown == ["Running…"] and calls == [200, 20_000]


def test_the_apps_imports_are_frozen_once_out_of_the_collectors_passes():
    code = textwrap.dedent(
        """
        import gc
        assert gc.get_freeze_count() == 0
        import ui.page_run
        from ui import memory
        frozen = gc.get_freeze_count()
        assert frozen > 100_000, frozen  # Streamlit, Altair, pandas and the engine
        assert memory.freeze_imports() == frozen  # once: later objects stay collectable
        print("ok")
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd="."
    )
    assert out.stdout.strip().endswith("ok"), out.stderr[-2000:]


def test_a_new_rate_sends_its_curve_first_then_the_rests_heavy_work_then_the_rest(monkeypatch):
    """Explore's main area sends the error chart before any other of its elements, and builds
    the (open) weights chart's spec and the pictures' PNG, then idles without the turn for
    what is left of the curve's head start, before sending any of those (explore.ready): the
    browser then draws the curve alone (docs/performance.md, "Fourth round", "Fifth round")."""
    from helpers import open_boxes, open_page
    from streamlit.runtime.forward_msg_queue import ForwardMsgQueue

    import ui.explore

    timeline: list[tuple[str, str]] = []
    enqueue, chart_spec, png = (
        ForwardMsgQueue.enqueue,
        ui.explore.cached.chart_spec,
        ui.explore.picture_png,
    )

    def sent(self, msg):  # every element the fragment (the main area) sends, in order
        delta = msg.delta if msg.WhichOneof("type") == "delta" else None
        if delta is not None and delta.fragment_id and delta.WhichOneof("type") == "new_element":
            kind = delta.new_element.WhichOneof("type")
            said = str(getattr(delta.new_element, kind))
            name = next((n for n in ("explore-errors", "explore-weights") if n in said), kind)
            timeline.append(("sent", name))
        return enqueue(self, msg)

    def spec(build, *args, **kwargs):
        timeline.append(("built", build.__name__))
        return chart_spec(build, *args, **kwargs)

    def made(image, prediction):
        timeline.append(("built", "png"))
        return png(image, prediction)

    monkeypatch.setattr(ForwardMsgQueue, "enqueue", sent)
    monkeypatch.setattr(ui.explore.cached, "chart_spec", spec)
    idle = ui.explore.turns.TURNS.idle

    def idled(seconds):
        timeline.append(("idle", f"{seconds:.6f}"))
        return idle(seconds)

    monkeypatch.setattr(ui.explore, "picture_png", made)
    monkeypatch.setattr(ui.explore.turns.TURNS, "idle", idled)
    at = open_boxes(open_page("explore"), "weights")
    timeline.clear()
    at.number_input(key="ex_lr").set_value(0.3123).run()
    assert not at.exception
    sends = [name for what, name in timeline if what == "sent"]
    assert sends[0] == "explore-errors" and {"explore-weights", "imgs"} <= set(sends), sends
    # The rest (the rate row, the weights, the pictures…; the chart's own note may go with it)
    rest = [("sent", n) for n in ("slider", "number_input", "explore-weights", "imgs")]
    first_rest = min(timeline.index(r) for r in rest)
    assert timeline.index(("built", "weights_chart")) < first_rest
    assert timeline.index(("built", "png")) < first_rest
    (waited,) = [(i, float(s)) for i, (what, s) in enumerate(timeline) if what == "idle"]
    assert timeline.index(("built", "png")) < waited[0] < first_rest
    assert waited[1] < ui.explore.CURVE_ALONE_S  # the heavy work counted as head start
    # The rate the box shows is the rate the curve was drawn for.
    assert at.number_input(key="ex_lr").value == 0.3123
    import pyarrow as pa

    chart = at.get("vega_lite_chart")[0].proto
    said = set()
    for d in chart.datasets:
        frame = pa.ipc.open_stream(d.data.data).read_all().to_pandas()
        said |= set(frame["said"]) if "said" in frame else set()
    assert said and all(s.startswith("rate 0.3123 (") for s in said), said
