"""ui/ by responsibility (issue 23): the chart builders are a package by chart family, each module
small enough to read in one sitting and opening with one line that says its one idea."""

import ast
from pathlib import Path

import pytest

CHARTS = Path(__file__).resolve().parent.parent / "ui" / "charts"
MODULES = sorted(CHARTS.glob("*.py"))
MAX_LINES = 400


def test_the_charts_are_a_package_of_several_modules():
    assert not (CHARTS.parent / "charts.py").exists()  # ui.charts would be two things
    assert len(MODULES) > 5 and CHARTS / "__init__.py" in MODULES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_charts_module_is_at_most_400_lines(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MAX_LINES, f"ui/charts/{path.name} has {lines} lines (at most {MAX_LINES})"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_every_charts_module_opens_with_its_purpose_in_one_line(path):
    doc = ast.get_docstring(ast.parse(path.read_text()))
    assert doc, f"ui/charts/{path.name} has no module docstring"
    first = doc.splitlines()[0]
    assert first.endswith(".") and len(first) <= 100, (path.name, first)


def defined(path: Path) -> list[str]:
    """The public names a module defines at its top level (not the ones it imports)."""
    names = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        elif isinstance(node, ast.Assign):
            names += [t.id for t in node.targets if isinstance(t, ast.Name)]
    return [n for n in names if not n.startswith("_")]


def test_every_public_name_of_the_modules_is_in_the_package():
    """``from ui import charts; charts.x`` reaches every public builder, whatever module holds it."""
    import importlib

    from ui import charts

    found = 0
    for path in MODULES:
        if path.name == "__init__.py":
            continue
        module = importlib.import_module(f"ui.charts.{path.stem}")
        for name in defined(path):
            assert getattr(charts, name, None) is getattr(module, name), (
                f"charts.{name} ({path.name})"
            )
            assert name in charts.__all__, name
            found += 1
    assert found == len(charts.__all__) and {"error_view", "VIEW_CAP", "layer"} <= set(
        charts.__all__
    )
