"""Charts as the browser receives them: Vega-Lite specs, built once per content.

Building an Altair chart and turning it into a Vega-Lite spec is most of a
page run (it was 60-115 ms of Explore's). The builders in ``ui.charts`` are
pure: the same arguments give the same chart. So ``ui.cached.chart_spec`` keys
each chart by ``digest``, of its builder's name and the full bytes of its arguments
(never a sample, unlike Streamlit's own hashing of big arrays), and keeps the
finished spec, its data already in Arrow: a rerun, or another learner on the
same run, gets it without building anything.
"""

from __future__ import annotations

import contextlib
import hashlib
import pickle
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import altair as alt
import pandas as pd
import pyarrow as pa
from altair.utils import schemapi
from streamlit import dataframe_util

DEFAULT_VIEW = {"continuousWidth": 300, "continuousHeight": 300}
"""What Altair's default theme adds; Streamlit sizes charts itself and drops it too."""
VALIDATE = False
"""Altair checks a spec against the Vega-Lite JSON schema on the way out (that took 40% of the
sweep page's first run), and in its debug mode, on by default, each part as it is made
(another 10-15%; ``.properties()`` checks its values always, so ``ui.charts.layer`` sets them
directly). The builders are pure code, so tests/test_a11y.py checks every chart of every page
against the schema instead, and the app skips both."""


def arrow_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as the Arrow bytes Streamlit sends, converted in this thread.

    Streamlit's own conversion lets pyarrow convert the columns of a frame of over a
    hundred rows per column on a pool of threads it starts and joins for that one frame:
    for a chart's few hundred rows that is most of the conversion, and on a busy machine
    the new threads wait for a core (5 ms of Explore's rate change, measured with py-spy).
    The bytes are the same; a frame pyarrow cannot take as it is goes Streamlit's way,
    which mends its column types first.
    """
    try:
        table = pa.Table.from_pandas(frame, nthreads=1)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, ValueError):
        return dataframe_util.convert_anything_to_arrow_bytes(frame)
    return dataframe_util.convert_arrow_table_to_arrow_bytes(table)


def vega_lite(chart: alt.TopLevelMixin, slot: str | None = None) -> dict[str, Any]:
    """The chart's Vega-Lite spec with every table as a named Arrow dataset.

    This is what ``st.altair_chart`` sends (a test holds the two equal), made
    without touching Altair's global data transformer or theme, so it is safe
    in any thread. The chart's tables are replaced by their names in place.

    Each table is named by its content, as Altair names it, so a new run is a new
    spec and the browser builds the chart anew. With a ``slot`` (a chart's place on
    its page), the tables are named ``slot-0``, ``slot-1``… in order instead: a new
    run of the same shape is then the same spec with new data, and the browser
    redraws the chart in place (the description too must stay the same for that:
    the builders' ``live`` option).
    """
    datasets: dict[str, bytes] = {}
    names: dict[str, str] = {}
    for view in [chart, *getattr(chart, "layer", [])]:
        data = getattr(view, "data", alt.Undefined)
        if isinstance(data, pd.DataFrame):
            arrow = arrow_bytes(data)
            name = "data-" + hashlib.blake2b(arrow, digest_size=16).hexdigest()
            if slot is not None:  # one table drawn by two layers keeps one name
                name = names.setdefault(name, f"{slot}-{len(names)}")
            datasets[name] = arrow
            view.data = alt.NamedData(name)
    spec = chart.to_dict(validate=VALIDATE)
    view_config = spec.get("config", {}).get("view")
    if view_config is not None:
        for k, v in DEFAULT_VIEW.items():
            if view_config.get(k) == v:
                del view_config[k]
        if not view_config:
            del spec["config"]["view"]
        if not spec["config"]:
            del spec["config"]
    if datasets:
        spec["datasets"] = datasets
    return spec


def digest(build: Callable[..., Any], args: Sequence[Any], kwargs: Mapping[str, Any]) -> str:
    """A key for ``build(*args, **kwargs)``: the builder's name and every byte of its arguments.

    Equal pickles mean equal arguments, so a pure builder gives the same chart;
    two pickles of equal arguments that differ only cost a rebuild.
    """
    name = f"{build.__module__}.{build.__qualname__}"
    blob = pickle.dumps((name, tuple(args), sorted(kwargs.items())), protocol=5)
    return hashlib.blake2b(blob, digest_size=32).hexdigest()


def checking() -> contextlib.AbstractContextManager[None]:
    """Altair's part-by-part checks, on while a chart is built only if ``VALIDATE``."""
    return schemapi.debug_mode(VALIDATE)
