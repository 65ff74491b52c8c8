"""The page registry is the one list of pages, and the parameter rules are one set.

The registry and the ``pages/`` folder (which Streamlit reads itself) cannot
drift apart; every declared parameter answers a bad value with the same kind of
sentence in the engine, on the command line and in a link.
"""

import io
import re
from pathlib import Path

import numpy as np
import pytest
from helpers import open_page

import gdcore
from gdcore import params
from gdcore.cli import main
from gdcore.descent.optimizer import Optimizer
from ui.registry import PAGES

ROOT = Path(__file__).resolve().parent.parent


def test_the_registry_lists_exactly_the_page_files():
    files = {p.file for p in PAGES}
    on_disk = {"streamlit_app.py"} | {f"pages/{f.name}" for f in (ROOT / "pages").glob("*.py")}
    assert files == on_disk
    assert len({p.id for p in PAGES}) == len(PAGES)


@pytest.mark.parametrize("page", [p for p in PAGES if p.file != "streamlit_app.py"])
def test_url_paths_are_the_ones_streamlit_derives_from_the_file_names(page):
    # Streamlit drops the leading number and underscore of pages/N_Name.py.
    assert page.url_path == re.sub(r"^\d+_", "", Path(page.file).stem)


def test_no_page_lists_the_pages_itself():
    sources = [ROOT / p.file for p in PAGES] + list((ROOT / "ui").glob("*.py"))
    for path in sources:
        if path.name == "registry.py":
            continue
        text = path.read_text()
        assert "pages/2_" not in text and "Compare_learning_rates" not in text, path


def test_every_field_has_one_key_and_a_default_its_own_rule_accepts():
    for page in PAGES:
        urls = [f.url for f in page.fields]
        assert len(urls) == len(set(urls)), page.id
        for f in page.fields:
            if f.default not in (None, "", []):
                assert f.param.problem(f.param.show(f.default)) is None, (page.id, f.url)


# --- One walk over every declared engine parameter ---------------------------

BAD = {
    # parameter: (bad value, how the engine is called with it, the CLI arguments)
    "lr": ("-2", None, ["run", "--image", "plane", "--epochs", "3", "--lr"]),
    "epochs": ("0", None, ["run", "--image", "plane", "--lr", "0.1", "--epochs"]),
    "batch_size": (
        "0",
        None,
        ["run", "--image", "plane", "--lr", "0.1", "--epochs", "3", "--batch-size"],
    ),
    "seed": ("-1", None, ["run", "--image", "plane", "--lr", "0.1", "--epochs", "3", "--seed"]),
    "scale": ("log", None, ["theory", "--image", "plane", "--scale"]),
    "size": ("1", None, ["theory", "--image", "plane", "--size"]),
    "max_side": ("0", None, ["theory", "--image", "plane", "--max-side"]),
    "momentum": (
        "1",
        None,
        ["run", "--image", "plane", "--lr", "0.1", "--epochs", "3", "--momentum"],
    ),
    "schedule": (
        "fast",
        None,
        ["run", "--image", "plane", "--lr", "0.1", "--epochs", "3", "--schedule"],
    ),
    "warmup": ("-1", None, ["run", "--image", "plane", "--lr", "0.1", "--epochs", "3", "--warmup"]),
}


def _engine_call(name: str, value):
    table = gdcore.pixel_table(gdcore.builtin_image("plane", 4), "unit")
    calls = {
        "lr": lambda: gdcore.run_descent(table, [float(value)], 3),
        "lrs": lambda: gdcore.run_descent(table, [float(value)], 3),
        "epochs": lambda: gdcore.run_descent(table, [0.1], int(value)),
        "batch_size": lambda: gdcore.run_descent(table, [0.1], 3, batch_size=int(value)),
        "seed": lambda: gdcore.run_descent(table, [0.1], 3, init="random", seed=int(value)),
        "init": lambda: gdcore.run_descent(table, [0.1], 3, init=value),
        "scale": lambda: gdcore.pixel_table(np.ones((2, 2)), value),
        "size": lambda: gdcore.builtin_image("plane", int(value)),
        "max_side": lambda: gdcore.load_image(b"x" * 10, max_side=int(value)),
        "early_stop_tol": lambda: gdcore.run_descent(table, [0.1], 3, early_stop_tol=float(value)),
        "image": lambda: gdcore.builtin_image(value, 8),
        "momentum": lambda: gdcore.run_descent(table, [0.1], 3, optimizer=Optimizer(value)),
        "nesterov": lambda: gdcore.run_descent(table, [0.1], 3, optimizer=Optimizer(0.5, value)),
        "schedule": lambda: gdcore.run_descent(
            table, [0.1], 3, optimizer=Optimizer(schedule=value)
        ),
        "warmup": lambda: gdcore.run_descent(table, [0.1], 3, optimizer=Optimizer(warmup=value)),
    }
    return calls[name]()


DECLARED = [*params.ENGINE, gdcore.pixels.images.IMAGE]
BAD_VALUE = {
    "lr": "-2",
    "epochs": "0",
    "batch_size": "0",
    "seed": "-1",
    "init": "ones",
    "scale": "log",
    "size": "1",
    "max_side": "0",
    "early_stop_tol": "-1",
    "image": "nope",
    "momentum": "1",
    "nesterov": "2",
    "schedule": "fast",
    "warmup": "-1",
}


@pytest.mark.parametrize("param", DECLARED, ids=lambda p: p.name)
def test_the_engine_names_parameter_rule_and_value(param):
    if param is params.RATES:
        value, call = "-2", "lrs"
    else:
        value, call = BAD_VALUE[param.name], param.name
    # The engine takes rates as a list: a bad rate is named inside the list's rule.
    rule = (params.RATES if param.name == "lr" else param).rule
    with pytest.raises(ValueError) as info:
        _engine_call(call, value)
    message = str(info.value)
    assert message.startswith(f"{param.name}: must be {rule.allowed()}, got "), message
    assert value in message.split(", got ")[-1], message


@pytest.mark.parametrize("name", list(BAD))
def test_the_command_line_names_parameter_rule_and_value(name):
    value, _, argv = BAD[name]
    param = next(p for p in params.ENGINE if p.name == name)
    err = io.StringIO()
    code = main([*argv, value], out=io.StringIO(), err=err)
    message = err.getvalue()
    flag = "--" + name.replace("_", "-")
    assert code == 2, message
    assert f"argument {flag}: must be {param.rule.allowed()}, got {value!r}" in message


URL_CASES = [
    # (page, field URL name, a bad value): the dashboard's fields built on engine parameters
    ("explore", "lr", "-2"),
    ("explore", "epochs", "0"),
    ("explore", "seed", "-1"),
    ("explore", "init", "ones"),
    ("explore", "batch", "-1"),
    ("explore", "scale", "log"),
    ("explore", "size", "1"),
    ("explore", "image", "nope"),
    ("compare", "rates", "0.1,-2"),
    ("sweep", "points", "1"),
    ("walk", "speed", "9"),
    ("step", "steps", "501"),
    ("diagnose", "errors", "1"),
    ("exercises", "exercise", "fly"),
]


@pytest.mark.parametrize(("page", "url", "value"), URL_CASES)
def test_a_link_names_parameter_rule_and_value(page, url, value):
    from ui.registry import BY_ID

    field = BY_ID[page].field(url)
    at = open_page(page, **{url: value})
    assert not at.exception
    note = at.warning[0].value
    assert f"`{url}={value}`: must be {field.param.rule.allowed()}; using " in note


def test_the_benchmark_times_every_registered_page():
    from bench.run import CAPS

    assert set(CAPS) == {p.id for p in PAGES}


def test_the_links_doc_url_table_lists_every_control():
    from ui.fields import IMAGE

    text = (ROOT / "docs" / "links.md").read_text()
    section = text.split("| page | parameter | allowed (default) |", 1)[1].split("\n\n", 1)[0]
    blocks: dict[str, str] = {}
    label = ""
    for line in section.splitlines()[1:]:
        cells = [c.strip() for c in line.strip("|").split("|")]
        label = cells[0] or label
        blocks[label] = blocks.get(label, "") + cells[1]
    image_urls = {f.url for f in IMAGE}
    for page in PAGES:
        own = next(
            (v for k, v in blocks.items() if f"`/{page.url_path}`" in k),
            None,
        )
        assert own is not None, f"no rows for {page.id}"
        for f in page.fields:
            where = blocks["all image pages"] if f.url in image_urls else own
            assert f"`{f.url}`" in where, (page.id, f.url)


@pytest.mark.parametrize(
    ("page", "url"), [(p.id, f.url) for p in PAGES for f in p.fields], ids=lambda v: str(v)
)
def test_every_control_can_be_locked_and_hidden(page, url):
    at = open_page(page, lock=url)
    assert not at.exception, [e.value for e in at.exception]
    assert f"fixed: **{url}**" in at.info[0].value
    at = open_page(page, hide=url)
    assert not at.exception, [e.value for e in at.exception]
    assert f"hidden: **{url}**" in at.info[0].value


def test_start_here_maps_every_page_once():
    from ui.text import START_HERE

    assert set(START_HERE) == {p.id for p in PAGES}
