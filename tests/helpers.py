"""Helpers shared by the tests: pages in AppTest, chart data, test images.

Every page is opened through the registry (``ui.registry.PAGES``), as a shared
link opens it: a fresh session with the link's parameters.
"""

from __future__ import annotations

import io
import json
import struct
import zlib

import numpy as np
import pyarrow as pa
from PIL import Image
from streamlit.testing.v1 import AppTest

from ui.registry import BY_ID, PAGES

MAIN = "../streamlit_app.py"  # relative to this file, as AppTest resolves it
PAGE_IDS = [p.id for p in PAGES]


def open_page(page_id: str, **query: str) -> AppTest:
    """A fresh session opening a page by URL, as a shared link does."""
    at = AppTest.from_file(MAIN, default_timeout=60)
    if BY_ID[page_id].file != "streamlit_app.py":
        at.switch_page(BY_ID[page_id].file)
    for k, v in query.items():
        at.query_params[k] = v
    return at.run()


def open_boxes(at: AppTest, *names: str) -> AppTest:
    """Open Explore's boxes that are built only once opened (``ui.explore.OPEN``: "maths",
    "table", "code", "share"…), as a learner's click does, and rerun."""
    from ui.explore import OPEN

    for name in names:
        at.session_state[OPEN[name]] = True
    return at.run()


def schema_problem(spec: dict) -> object:
    """What the installed Altair's Vega-Lite schema (v5 or v6) finds wrong in ``spec``, or None.

    The app skips Altair's schema check for speed (``ui.specs.VALIDATE``); the tests make it."""
    from altair.utils.schemapi import validate_jsonschema
    from altair.vegalite.schema import core

    schema = core.load_schema()
    return validate_jsonschema(spec, schema, rootschema=schema, raise_error=False)


def specs(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]


def chart_data(at: AppTest, i: int = 0) -> dict[str, list]:
    """Every dataset that chart ``i`` really carries to the browser, as columns."""
    el = at.get("vega_lite_chart")[i]
    out: dict[str, list] = {}
    for ds in el.proto.datasets:
        table = pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_all()
        for name in table.column_names:
            out.setdefault(name, []).extend(table.column(name).to_pylist())
    return out


def chart_datasets(at: AppTest, i: int = 0) -> list[dict[str, list]]:
    """Each dataset of chart ``i`` on its own, as columns."""
    el = at.get("vega_lite_chart")[i]
    tables = [pa.ipc.open_stream(io.BytesIO(ds.data.data)).read_all() for ds in el.proto.datasets]
    return [{n: t.column(n).to_pylist() for n in t.column_names} for t in tables]


def verdict_text(at: AppTest) -> str:
    """The verdict card and, after the chart, its numbers (``verdict-numbers``), as one text."""
    found = cards(at)
    assert len(found) == 1
    numbers = [h.value for h in at.html if "verdict-numbers" in h.value]
    return "\n".join(found + numbers)


def cards(at: AppTest) -> list[str]:
    """The HTML of every verdict card on the page (``ui.verdict.card``, drawn with st.html)."""
    return [h.value for h in at.html if "verdict-card" in h.value]


def no_exception(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def all_text(at: AppTest) -> str:
    """Every caption, paragraph, error, info and warning on the page."""
    parts = [c.value for c in at.caption] + [m.value for m in at.markdown]
    parts += [h.value for h in at.html]
    parts += (
        [e.value for e in at.error] + [i.value for i in at.info] + [w.value for w in at.warning]
    )
    return "\n".join(parts)


def png(pixels: np.ndarray) -> bytes:
    """An 8-bit PNG of ``pixels``."""
    buf = io.BytesIO()
    Image.fromarray(np.asarray(pixels).astype(np.uint8)).save(buf, "PNG")
    return buf.getvalue()


def save(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, fmt, **kw)
    return buf.getvalue()


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A real PNG header claiming ``width`` x ``height`` pixels, with no pixel data."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IEND", b"")
