"""The charts' fast paths (ui/charts/compose.py: layer, with_props) send exactly what Altair's own
layering and ``.properties`` send."""

from __future__ import annotations

import importlib
import json
import pkgutil
import re

import altair as alt
import pytest
import streamlit as st
from helpers import PAGE_IDS, no_exception, open_page, specs

from ui import charts


def altairs_layer(*layers, resolve_colour=False, **props):
    """The reference: Altair's ``alt.layer`` and ``.properties``, copies and checks included."""
    chart = alt.layer(*layers)
    if resolve_colour:
        chart = chart.resolve_scale(color="independent")
    return chart.properties(**props)


def altairs_properties(chart, **props):
    """The reference for ``charts.with_props``: Altair's copy, checked."""
    return chart.properties(**props)


def patch_everywhere(monkeypatch, name: str, reference) -> None:
    """Put ``reference`` in place of ``name`` in every charts module that uses it (each imports
    it from ui/charts/compose.py under its own name)."""
    modules = [charts] + [
        importlib.import_module(f"ui.charts.{m.name}")
        for m in pkgutil.iter_modules(charts.__path__)
    ]
    users = [m for m in modules if hasattr(m, name)]
    assert len(users) > 2, users  # the package, compose and the builders
    for module in users:
        monkeypatch.setattr(module, name, reference)


def pushed_down(spec: dict) -> dict:
    """A layered spec with data shared by all layers written in each layer, as ours writes it
    (Altair lifts data that every layer shares to the top; Vega-Lite reads both the same)."""
    spec = json.loads(json.dumps(spec))
    if "layer" in spec and "data" in spec:
        data = spec.pop("data")
        for sub in spec["layer"]:
            sub.setdefault("data", data)
    return spec


def unnamed(spec: dict) -> str:
    """A spec as text with Altair's numbered view names (``view_3``, from a counter that every
    chart with a parameter advances) written as ``view``."""
    return re.sub(r"view_\d+", "view", json.dumps(spec, sort_keys=True))


@pytest.mark.parametrize("name", PAGE_IDS)
def test_every_chart_of_every_page_is_the_chart_altair_makes(name, monkeypatch):
    ours = specs(open_page(name))
    st.cache_data.clear()  # the specs are cached by the builder's arguments: build again
    patch_everywhere(monkeypatch, "layer", altairs_layer)
    patch_everywhere(monkeypatch, "with_props", altairs_properties)
    at = open_page(name)
    no_exception(at)
    reference = specs(at)
    assert len(ours) == len(reference)
    assert any("layer" in s for s in ours) or name == "exercises"
    for mine, theirs in zip(ours, reference, strict=True):
        assert pushed_down(mine) == pushed_down(theirs)


def test_a_layer_with_its_own_size_or_parameters_is_left_to_altair():
    base = alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().encode(x="x:Q")
    sized = base.properties(height=100)
    chosen = base.add_params(alt.selection_point())
    for odd in (sized, chosen):
        assert unnamed(charts.layer(base, odd).to_dict()) == unnamed(alt.layer(base, odd).to_dict())
    assert "height" not in charts.layer(base, sized).to_dict()["layer"][1]  # Altair lifted it


def test_with_props_sets_what_properties_sets_and_checks_nothing_else():
    base = alt.Chart(alt.Data(values=[{"x": 1}])).mark_point().encode(x="x:Q")
    reference = base.copy(deep=True).properties(title="t", description="d", height=120)
    ours = charts.with_props(base, title="t", description="d", height=120)
    assert ours is base  # in place: the builders' charts are fresh and used once
    assert unnamed(ours.to_dict()) == unnamed(reference.to_dict())
    assert ours.to_dict()["description"] == "d" and ours.to_dict()["height"] == 120
