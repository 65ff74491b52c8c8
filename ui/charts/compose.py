"""Charts put together without Altair's copies: layers and properties set directly.

The builders make every chart fresh and use it once, so the deep copies and
schema checks of ``alt.layer`` and ``.properties`` buy nothing here;
tests/test_specs.py holds every page's charts equal to Altair's own.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

import altair as alt

LAYER_ONLY = ("params", "height", "width", "view")
"""What ``alt.layer`` moves or merges across layers; ``layer`` leaves a chart with any of them
to Altair."""


def layer(*charts: alt.Chart, resolve_colour: bool = False, **props: Any) -> alt.LayerChart:
    """``alt.layer(*charts).properties(**props)``, without Altair's copies.

    ``alt.layer`` deep-copies every layer twice to merge selection parameters,
    and ``.properties`` checks each value against the schema: 20-25% of a
    page's first run, for layers that are built fresh, have no parameters and
    are used once. This makes the same chart directly (a test holds the two
    specs equal) and leaves any layer with parameters or its own size to
    ``alt.layer``. ``resolve_colour`` gives each layer its own colour scale.
    """
    if resolve_colour:
        props["resolve"] = alt.Resolve(scale=alt.ScaleResolveMap(color="independent"))
    if any(c._get(k) is not alt.Undefined for c in charts for k in LAYER_ONLY):
        # Layers of plain charts make a LayerChart (alt.layer may also return a FacetChart).
        return cast(alt.LayerChart, alt.layer(*charts).properties(**props))
    return Layers(layer=list(charts), **props)


class Layers(alt.LayerChart):
    """A ``LayerChart`` of layers with nothing to merge (``layer``), made as it is.

    ``alt.LayerChart.__init__`` merges the layers' data and parameters, deep-copying
    every layer, and ``to_dict`` makes the chart anew to copy it, so that work came back
    on every spec: 3 ms of each of Explore's two charts on a rate change. Here it is
    skipped, by ``layer`` and by the copy alike; the spec is the same (tests/test_specs.py).
    """

    def __init__(self, *args: Any, **kwds: Any) -> None:
        super(alt.LayerChart, self).__init__(*args, **kwds)


ChartT = TypeVar("ChartT", bound=alt.TopLevelMixin)


def with_props(chart: ChartT, **props: Any) -> ChartT:
    """``chart.properties(**props)`` for a chart built fresh and used once: set in place.

    Altair's ``.properties`` copies the whole chart and checks each value against the
    schema first: a third of building Explore's error chart, on every rate change. The
    builders here make each chart anew and return it, so nothing else holds it; a test
    holds every page's charts equal to Altair's ``.properties``.
    """
    for key, value in props.items():
        setattr(chart, key, value)
    return chart
