"""How every chart looks: verdict colours and shapes, axis titles, legends and long titles.

Each colour is chosen once here, for colour-blind readers and both themes, and
every chart and verdict table reads it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import altair as alt
import pandas as pd

if TYPE_CHECKING:
    from pandas.io.formats.style import Styler

FEW_POINTS = 60  # series this short get a dot on every value
PADDING = {"top": 14, "left": 5, "right": 5, "bottom": 5}  # room for the title inside Streamlit
VERDICT_COLOURS = {"too small": "#0072B2", "good": "#009E73", "too large": "#D55E00"}
"""Okabe-Ito colours, safe for colour-blind readers; verdicts are also in words. As large text
and as lines they keep 3:1 on the light and the dark background."""
VERDICT_INK = {"too small": "#FFFFFF", "good": "#000000", "too large": "#000000"}
"""Text on a verdict-coloured cell: 5.2:1 or more on each, whatever the theme around it."""
VERDICT_SHAPES = ["triangle-down", "circle", "triangle-up"]
WEIGHTS = ["w0 (intercept)", "w1 (x slope)", "w2 (y slope)"]
WEIGHT_COLOURS = ["#0072B2", "#E69F00", "#CC79A7"]
GREY = "#808080"
"""Rules and labels drawn on every theme: 3.9:1 on white, 4.6:1 on the dark background."""
RUN_DASHES = [[1, 0], [8, 4], [2, 3], [12, 3, 2, 3], [4, 4], [1, 4], [16, 4], [6, 2, 2, 2]]
"""Line dashes for runs that share a verdict's colour: solid first, then one pattern each."""
ERROR_TITLE = "error (½·mean squared)"
"""The y axis of the engine's own error; a learner's numbers are named by ``quantity_title``."""
TYPED_TITLE = "your values"
"""The y axis of numbers typed without a name: what they measure is the learner's to say."""
NAME_CHARS = 40
"""A name from a log is cut to this many characters on an axis."""
LEGEND_ROW = 22
"""Pixels of one legend line below a plot, added to the chart's height."""
TITLE_CHARS = 44
"""A chart title longer than this is broken into lines at spaces (``fit_title``): Vega-Lite
never wraps a title, and at 390 px a longer one is cut."""


def quantity_title(*names: str | None) -> str:
    """The y axis of a learner's own numbers: the name their log gives them (Keras's
    ``loss``, Lightning's ``train_loss``…), never the engine's ``ERROR_TITLE``; plain
    numbers without a name are ``TYPED_TITLE``.

    >>> quantity_title("loss", "val_loss"), quantity_title(None), quantity_title("loss", "loss")
    ('loss, val_loss', 'your values', 'loss')
    """
    shown = [n if len(n) <= NAME_CHARS else n[: NAME_CHARS - 1] + "…" for n in names if n]
    return ", ".join(dict.fromkeys(shown)) or TYPED_TITLE


def legend() -> alt.Legend:
    """The legend of a chart of runs: below the plot, one entry a line, labels never cut, so
    a narrow screen (390 px) neither cuts a label ("the loop that explains them") nor puts a
    label drawn in the plot over the legend."""
    return alt.Legend(orient="bottom", direction="vertical", labelLimit=0, titleLimit=0)


def fit_title(spec: dict[str, Any], chars: int = TITLE_CHARS) -> dict[str, Any]:
    """The spec with a long title broken into lines of at most ``chars`` characters (a word
    longer than that gets a line of its own); the spec given is not changed.

    >>> fit_title({"title": "Your training curve (the one judged) and your validation curve"})
    {'title': {'text': ['Your training curve (the one judged) and', 'your validation curve']}}
    >>> fit_title({"title": "Short"})
    {'title': 'Short'}
    """
    title = spec.get("title")
    body = title.get("text") if isinstance(title, dict) else title
    if not isinstance(body, str) or len(body) <= chars:
        return spec
    lines: list[str] = []
    for word in body.split():
        if lines and len(lines[-1]) + 1 + len(word) <= chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    wrapped = {**title, "text": lines} if isinstance(title, dict) else {"text": lines}
    return {**spec, "title": wrapped}


def run_styles(verdicts: Sequence[str]) -> tuple[list[str], list[list[int]]]:
    """Each run's colour (its verdict's) and dash (solid for the first run of a verdict, then
    the next pattern), so a line never wears another verdict's colour.

    >>> run_styles(["too small", "good", "good"])[1]
    [[1, 0], [1, 0], [8, 4]]
    """
    seen: dict[str, int] = {}
    dashes = []
    for v in verdicts:
        dashes.append(RUN_DASHES[seen.get(v, 0) % len(RUN_DASHES)])
        seen[v] = seen.get(v, 0) + 1
    return [VERDICT_COLOURS[v] for v in verdicts], dashes


def verdict_style(df: pd.DataFrame, formats: dict) -> Styler:
    """``df`` for ``st.dataframe``: its ``verdict`` cells on each verdict's colour, in bold,
    and ``formats`` (column -> format string or function) applied.

    The cell carries its own background, so the words stay legible in the light
    and the dark theme (a verdict colour as text on white or black is not)."""
    return df.style.apply(
        lambda col: [
            f"background-color: {VERDICT_COLOURS[v]}; color: {VERDICT_INK[v]}; font-weight: 600"
            for v in col
        ],
        subset=["verdict"],
    ).format(formats)
