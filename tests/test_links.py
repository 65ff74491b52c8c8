"""One link, one run: every parameter of every page, opened four ways, gives one run.

Each control of each page (``ui.registry.PAGES``) gets values its link rule
allows, at the edges of its range and with many digits. Each value is opened
as a link (``?lr=…``), as a teacher's locked link (made by the link maker,
``ui.classroom.link``), with the control hidden (``&hide=lr``) and typed into
the widget of a page opened plainly; the four must show the same run (charts'
data, verdicts, metrics, tables, messages) and publish the same link, and
that published link, opened again, must give the same run once more.
"""

from __future__ import annotations

import json
import urllib.parse

import pytest
from helpers import chart_datasets, no_exception, open_page
from streamlit.testing.v1 import AppTest

from gdcore.params import Choice, Flag, ListOf, Range, Schedule
from ui import classroom
from ui.controls import bounds
from ui.fields import UPLOAD, Field
from ui.registry import PAGES

TEXT_VALUES = {
    # Text rules: values with commas, spaces and digits a short form would lose.
    ("compare", "rates"): ["0.1, 0.2", "0.123456789,1e-12"],
    ("compare", "runs"): ["1.2345678 momentum=0.9999999; 0.33333333 momentum=0.123456789"],
    ("diagnose", "errors"): ["1.5, 1.25, 1.125, 1.0625"],
    ("diagnose", "column"): ["loss"],
    ("check", "errors"): ["0.1,0.2,0.3"],
    ("check", "init"): ["0.1,0.2,0.3"],
}
MANY_DIGITS = {
    "momentum": ["0.9995", "0.123456789"],
    "lr": ["0.33333333"],
    "speed": ["0.123456789"],
    "w": ["-1.2345678"],
    "schedule": ["exp:0.123456789"],
}
NO_WIDGET = {
    ("compare", "runs"): "a data editor, which AppTest cannot type into",
    ("diagnose", "column"): "drawn only for a log with several curves",
    ("step", "steps"): "set by the Step buttons, which stop at the rule's 500",
}


def link_values(page_id: str, f: Field) -> list[str]:
    """Values the field's link rule allows, other than the default: the edges, many digits."""
    rule = f.param.rule
    if (page_id, f.url) in TEXT_VALUES:
        return TEXT_VALUES[page_id, f.url]
    out: list[str] = []
    if isinstance(rule, Range):
        out = [f.param.show(v) for v in bounds(rule)[::-1] if v is not None and v != f.default]
    elif isinstance(rule, Choice):
        out = [str(next(o for o in rule.options[::-1] if o not in (f.default, UPLOAD)))]
    elif isinstance(rule, Flag):
        out = ["1"]
    elif isinstance(rule, ListOf) and isinstance(rule.rule, Choice):
        out = [",".join(map(str, rule.rule.options[-rule.most :]))]
    elif isinstance(rule, Schedule):
        out = ["step:10:0.5"]
    assert out, f"{page_id}: no value for {f.url} ({rule})"
    return out + MANY_DIGITS.get(f.url, [])


def cases():
    for page in PAGES:
        for f in page.fields:
            for value in link_values(page.id, f):
                yield pytest.param(page.id, f, value, id=f"{page.id}-{f.url}={value}")


def run_of(at: AppTest) -> dict:
    """What a run shows in the main area (the sidebar holds controls), and every note
    about a link value wherever it is drawn; not the classroom banner, not the controls."""
    no_exception(at)
    main = at.main
    charts = main.get("vega_lite_chart")
    return {
        "charts": json.dumps(
            [json.loads(c.proto.spec) for c in charts]
            + [chart_datasets(at, i) for i in range(len(charts))],
            default=repr,
        ),
        "markdown": [m.value for m in main.markdown],
        "captions": [c.value for c in main.caption if not c.value.startswith("`")],
        "notes": [c.value for c in at.caption if c.value.startswith("`")],
        "metrics": [(m.label, m.value) for m in main.metric],
        "errors": [e.value for e in main.error],
        "warnings": [w.value for w in at.warning],
        "info": [i.value for i in main.info if "Classroom link" not in i.value],
        # tables the page shows; a data editor (editing_mode > 0) is a control
        "tables": [d.value.to_csv() for d in main.dataframe if not d.proto.editing_mode],
    }


def published(at: AppTest) -> dict[str, str]:
    """The link the page wrote into the address bar, without the classroom's part."""
    return {k: v for k, v in at.query_params.items() if k not in classroom.KINDS}


def taught(page_id: str, url: str, value: str) -> dict[str, str]:
    """The query of the link a teacher's link maker writes with ``url`` locked at ``value``."""
    made = classroom.link("http://h/p", {url: value}, [url], [])
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(made).query))


def widget(at: AppTest, key: str):
    for kind in (
        "number_input",
        "slider",
        "select_slider",
        "text_input",
        "text_area",
        "radio",
        "selectbox",
        "checkbox",
        "multiselect",
    ):
        try:
            return getattr(at, kind)(key=key)
        except KeyError:
            continue
    return None


@pytest.mark.parametrize(("page_id", "f", "value"), list(cases()))
def test_one_link_one_run_through_link_lock_hide_and_widget(page_id, f, value):
    assert f.param.problem(value) is None, "the case must be a value the link rule allows"
    by_link = open_page(page_id, **{f.url: value})
    run = run_of(by_link)
    link = published(by_link)
    if f.url in link:
        assert f.param.check(link[f.url]) == f.param.check(value), "the link changed the value"
    else:  # a control narrower than the rule here (an epoch past the run's end) says so
        said = [n for n in run["notes"] + run["warnings"] if f"`{f.url}={value}`" in n]
        assert said, f"{f.url}={value} was dropped from the address bar without a note"
        assert f"{f.url} can be " in said[0], said[0]

    ways = {
        "locked by the link maker": open_page(page_id, **taught(page_id, f.url, value)),
        "hidden": open_page(page_id, **{f.url: value}, hide=f.url),
        "the published link reopened": open_page(page_id, **link),
    }
    if (page_id, f.url) not in NO_WIDGET:
        typed = open_page(page_id)
        w = widget(typed, f.key)
        assert w is not None, f"no widget with key {f.key}"
        held = f.from_url(value)
        if type(w).__name__ in ("NumberInput", "Slider"):
            inside = w.min <= held <= w.max
            assert inside or f.url not in link, f"the widget holds {w.min} to {w.max}, not {value}"
        else:
            inside = True
        if inside:  # a value the widget cannot hold was said in a note above
            ways["typed into the widget"] = w.set_value(held).run()
    for way, at in ways.items():
        shown = run_of(at)
        if way == "the published link reopened" and f.url not in link:
            # the note about the value left out stays with the link that had it
            run = {**run, "notes": [c for c in run["notes"] if f"`{f.url}=" not in c]}
        assert shown == run, f"{way}: another run than the link's"
        assert published(at) == link, f"{way}: another link than the link's"


def _narrowed_page():
    import streamlit as st

    from gdcore.params import Param, Range
    from ui.controls import control
    from ui.fields import Field

    field = Field("n", "n", Param("n", Range(0, 10, integer=True), 0, ""))
    st.session_state.setdefault("n", 8)
    if st.query_params.get("hide"):
        st.session_state["_class"] = {"lock": {}, "hide": ["n"]}
    got = control(st.number_input, field, "n", max_value=5)
    st.write(f"ran with {got}")


@pytest.mark.parametrize("hide", ["", "1"])
def test_a_control_narrower_than_its_rule_says_so_drawn_or_hidden(hide):
    at = AppTest.from_function(_narrowed_page)
    at.query_params["hide"] = hide
    at.run()
    no_exception(at)
    assert at.markdown[-1].value == "ran with 5"
    assert at.caption[0].value == (
        "`n=8` is outside what this control holds here (0 to 5); using `5`."
    )
