"""gdcore follows the data's path: no module imports from a later stage, lazy imports included.

The stages, first to last: the parameter declaration; the image and its pixel table; descent;
the bowl (what theory tells before a run, which reads descent's step map); verdicts; the
learner's own work; the command line. A module may import from its own stage or an earlier one.
"""

import ast
from pathlib import Path

import pytest

GDCORE = Path(__file__).resolve().parent.parent / "gdcore"
STAGES = ["params", "pixels", "descent", "bowl", "verdicts", "learner", "cli"]
ROOT_MODULES = {"params": "params", "_version": "params", "cli": "cli", "__main__": "cli"}


def stage_of(dotted: str) -> str:
    """The stage of a module named ``gdcore.x.y`` (or ``gdcore.x``)."""
    parts = dotted.split(".")[1:]
    return parts[0] if parts[0] in STAGES[1:-1] else ROOT_MODULES[parts[0]]


def imports(path: Path, root: Path = GDCORE) -> list[tuple[int, str]]:
    """Every gdcore module that ``path`` imports, anywhere in its body, as dotted names."""
    package = ".".join(("gdcore", *path.relative_to(root).with_suffix("").parts[:-1]))
    found = []
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            if not target.startswith("gdcore"):
                continue
            if target in ("gdcore", *(f"gdcore.{s}" for s in STAGES)) or not node.module:
                # "from . import x" / "from gdcore.bowl import theory": the names are modules
                found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.startswith("gdcore")]
    return found


MODULES = sorted(p for p in GDCORE.rglob("*.py") if p.name != "__init__.py" or p.parent != GDCORE)


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(GDCORE).as_posix())
def test_no_module_imports_from_a_later_stage(path):
    here = stage_of(".".join(("gdcore", *path.relative_to(GDCORE).with_suffix("").parts)))
    for line, target in imports(path):
        there = stage_of(target)
        assert STAGES.index(there) <= STAGES.index(here), (
            f"{path.relative_to(GDCORE)}:{line} imports {target} ({there}) from stage {here}"
        )


def test_the_stages_are_the_packages_on_disk():
    packages = {p.parent.name for p in GDCORE.glob("*/__init__.py")}
    assert packages == set(STAGES[1:-1])
    loose = {p.stem for p in GDCORE.glob("*.py")} - {"__init__"}
    assert loose == set(ROOT_MODULES)


def test_the_checker_sees_a_lazy_upward_import(tmp_path):
    """The test above can fail: a function-level import from a later stage is found."""
    module = tmp_path / "pixels" / "table.py"
    module.parent.mkdir(parents=True)
    module.write_text(
        "def f():\n    from ..verdicts.diagnosis import edge\n    from . import images\n"
    )
    assert imports(module, root=tmp_path) == [
        (2, "gdcore.verdicts.diagnosis"),
        (3, "gdcore.pixels.images"),
    ]
    assert stage_of("gdcore.verdicts.diagnosis") == "verdicts"


def module_name(path: Path, root: Path = GDCORE) -> str:
    """``gdcore/bowl/theory.py`` -> ``gdcore.bowl.theory``; a package's ``__init__`` is the package."""
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(("gdcore", *(parts[:-1] if parts[-1] == "__init__" else parts)))


def import_graph(root: Path = GDCORE) -> dict[str, set[str]]:
    """Module -> the gdcore modules it imports, lazy imports included.

    A name that is not a module (``from gdcore import diagnose_run``) stands for the
    module it comes from; the parent packages Python loads on the way are left out
    (they are one docstring each, and ``gdcore/__init__`` only re-exports).
    """
    paths = sorted(root.rglob("*.py"))
    names = {module_name(p, root) for p in paths}
    graph: dict[str, set[str]] = {}
    for path in paths:
        here = module_name(path, root)
        targets = set()
        for _, target in imports(path, root):
            while target not in names and "." in target:
                target = target.rsplit(".", 1)[0]
            if target != here:
                targets.add(target)
        graph[here] = targets
    return graph


def cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as a path that ends where it starts, or ``None``."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt) :] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        path.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (found := visit(node)):
            return found
    return None


def test_gdcore_has_no_import_cycle():
    graph = import_graph()
    # the graph is real
    assert "gdcore.verdicts.optimizer_verdict" in graph["gdcore.verdicts.which_rules"]
    found = cycle(graph)
    assert found is None, "import cycle: " + " -> ".join(found or [])


def test_the_cycle_check_sees_a_lazy_cycle(tmp_path):
    """The test above can fail: two modules that import each other, one lazily, are a cycle."""
    (tmp_path / "verdicts").mkdir()
    (tmp_path / "verdicts" / "__init__.py").write_text('"""Verdicts."""\n')
    (tmp_path / "verdicts" / "diagnosis.py").write_text(
        "def judge():\n    from .optimizer_verdict import words\n    return words\n"
    )
    (tmp_path / "verdicts" / "optimizer_verdict.py").write_text("from .diagnosis import judge\n")
    graph = import_graph(tmp_path)
    assert graph["gdcore.verdicts.diagnosis"] == {"gdcore.verdicts.optimizer_verdict"}
    assert cycle(graph) == [
        "gdcore.verdicts.diagnosis",
        "gdcore.verdicts.optimizer_verdict",
        "gdcore.verdicts.diagnosis",
    ]


APP = Path(__file__).resolve().parent.parent
OUTSIDE = sorted([*APP.glob("ui/**/*.py"), *APP.glob("pages/*.py"), APP / "streamlit_app.py"])


@pytest.mark.parametrize("path", OUTSIDE, ids=lambda p: p.relative_to(APP).as_posix())
def test_the_app_imports_the_whole_engine_before_any_of_its_modules(path):
    """Sessions' scripts run in threads and import at once on a fresh server. A thread that
    imports ``gdcore.pixels.table`` first holds that module's lock while it waits for the
    package, which another thread is importing and which needs that module: Python raises
    ``_DeadlockError`` and other sessions see a half-made ``gdcore`` ("module 'gdcore' has
    no attribute 'pixels'", seen through HAProxy in tests/test_deploy.py). Importing
    ``gdcore`` itself first takes one lock and holds nothing while it waits."""
    top = [
        n
        for n in ast.parse(path.read_text()).body
        if isinstance(n, ast.Import | ast.ImportFrom)
        and any(
            (a.name if isinstance(n, ast.Import) else n.module or "").startswith("gdcore")
            for a in n.names
        )
    ]
    if top:
        first = top[0]
        assert isinstance(first, ast.Import) and [a.name for a in first.names] == ["gdcore"], (
            f"{path.name}:{first.lineno} imports a gdcore module before `import gdcore`"
        )


MAX_LINES = 600
"""No gdcore module grows past this many lines (issue 23: one idea a module, read in one sitting).
Most are under 400; the longest today are cli.py, verdicts/diagnosis.py and params.py."""


def long_modules(root: Path = GDCORE, limit: int = MAX_LINES) -> dict[str, int]:
    """Every module under ``root`` longer than ``limit`` lines, with its length."""
    sizes = {
        p.relative_to(root).as_posix(): len(p.read_text().splitlines()) for p in root.rglob("*.py")
    }
    return {name: n for name, n in sorted(sizes.items()) if n > limit}


def test_every_gdcore_module_is_short():
    assert long_modules() == {}, f"split these by idea (at most {MAX_LINES} lines each)"


def test_the_size_check_sees_a_long_module(tmp_path):
    """The test above can fail: a module one line over the limit is named, one at it is not."""
    (tmp_path / "learner").mkdir()
    (tmp_path / "learner" / "long.py").write_text("x = 1\n" * (MAX_LINES + 1))
    (tmp_path / "learner" / "full.py").write_text("x = 1\n" * MAX_LINES)
    assert long_modules(tmp_path) == {"learner/long.py": MAX_LINES + 1}


def _engine_names(path: Path) -> set[str]:
    """Every ``gdcore.x.y`` a file names: ``from gdcore.x import y`` and ``gdcore.x.y`` in code."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("gdcore"):
            names |= {f"{node.module}.{a.name}" for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names if a.name.startswith("gdcore")}
        elif isinstance(node, ast.Attribute):
            parts, inner = [], node
            while isinstance(inner, ast.Attribute):
                parts.append(inner.attr)
                inner = inner.value
            if isinstance(inner, ast.Name) and inner.id == "gdcore":
                names.add(".".join(["gdcore", *reversed(parts)]))
    return names


def resolve(dotted: str) -> object:
    """The object a dotted engine name stands for, importing modules on the way."""
    import importlib

    parts = dotted.split(".")
    found: object = importlib.import_module(parts[0])
    for i, part in enumerate(parts[1:], start=2):
        try:
            found = getattr(found, part)
        except AttributeError:
            found = importlib.import_module(".".join(parts[:i]))
    return found


CALLERS = sorted(
    [
        *APP.glob("ui/**/*.py"),
        *APP.glob("pages/*.py"),
        APP / "streamlit_app.py",
        *APP.glob("bench/*.py"),
    ]
)


def defined_in(module: object) -> set[str]:
    """The names a module defines at its top level (functions, classes, assignments)."""
    import types

    assert isinstance(module, types.ModuleType)
    names = set()
    for node in ast.parse(Path(str(module.__file__)).read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def not_at_home(dotted: str) -> bool:
    """A name taken from a module that neither defines it nor lists it in ``__all__``: a
    name that moved, reached through its old module's imports."""
    import types

    if isinstance(resolve(dotted), types.ModuleType):
        return False
    module_name, _, name = dotted.rpartition(".")
    module = resolve(module_name)
    if not isinstance(module, types.ModuleType):
        return False  # an attribute of a class: its home is the class's module
    return name not in getattr(module, "__all__", ()) and name not in defined_in(module)


@pytest.mark.parametrize("path", CALLERS, ids=lambda p: p.relative_to(APP).as_posix())
def test_every_engine_name_the_app_uses_is_there_at_its_home(path):
    """Modules split, names moved: what ui/, pages and bench/ import from gdcore resolves, from
    the module that defines it or names it in ``__all__`` (its public API), never through an
    old module's imports."""
    missing, moved = [], []
    for name in sorted(_engine_names(path)):
        try:
            if not_at_home(name):
                moved.append(name)
        except (AttributeError, ImportError):
            missing.append(name)
    assert missing == [], f"{path.name} uses engine names that are gone: {missing}"
    assert moved == [], f"{path.name} takes names from modules that only import them: {moved}"


def test_the_name_check_sees_a_name_that_is_gone_or_away_from_home(tmp_path):
    """The test above can fail: a name that is gone, or taken from a module that only imports
    it, is found; a name in ``__all__`` or defined where it is taken from is at home."""
    page = tmp_path / "page.py"
    page.write_text(
        "import gdcore.learner.check\n"
        "from gdcore.learner.check import Setup\n"
        "x: gdcore.learner.check.Check = gdcore.learner.check.no_such_name()\n"
    )
    names = _engine_names(page)
    assert "gdcore.learner.check.no_such_name" in names
    assert "gdcore.learner.check.Setup" in names
    with pytest.raises((AttributeError, ImportError)):
        resolve("gdcore.learner.check.no_such_name")
    with pytest.raises((AttributeError, ImportError)):
        resolve("gdcore.learner.no_such_module.Check")
    assert not_at_home("gdcore.learner.check.Setup")  # imported there, defined in setup
    assert not not_at_home("gdcore.learner.setup.Setup")
    assert not not_at_home("gdcore.learner.logs.LogError")  # in logs' __all__
    assert not not_at_home("gdcore.learner.setup.PLAIN")  # an assignment
    assert not not_at_home("gdcore.learner.check")  # a module


UI_MODULES = sorted(APP.glob("ui/**/*.py"))
PAGES = sorted([APP / "streamlit_app.py", *APP.glob("pages/*.py")])
MOST_UI_LINES, MOST_PAGE_LINES = 400, 120
"""A ui module is read in one sitting; a page reads like the lesson (issue 23)."""


@pytest.mark.parametrize("path", UI_MODULES, ids=lambda p: p.relative_to(APP).as_posix())
def test_every_ui_module_is_read_in_one_sitting(path):
    lines = len(path.read_text().splitlines())
    assert lines <= MOST_UI_LINES, f"{path.relative_to(APP)} has {lines} lines"


def page_imports(source: str) -> list[str]:
    """The top of every module a page imports (``import numpy as np`` -> ``numpy``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            found.append("." if node.level else (node.module or "").split(".")[0])
    return found


@pytest.mark.parametrize("path", PAGES, ids=lambda p: p.name)
def test_every_page_reads_like_the_lesson(path):
    """Short, and nothing but Streamlit and ui: what a page computes has a name in ui."""
    source = path.read_text()
    lines = len(source.splitlines())
    assert lines <= MOST_PAGE_LINES, f"{path.name} has {lines} lines"
    others = set(page_imports(source)) - {"streamlit", "ui"}
    assert not others, f"{path.name} imports {sorted(others)}"


def test_the_page_check_sees_what_a_page_imports():
    """The test above can fail: lazy, dotted and relative imports are all found."""
    source = "import numpy as np\nfrom ui import text\ndef f():\n    from gdcore.bowl import x\n"
    assert page_imports(source) == ["numpy", "ui", "gdcore"]
    assert page_imports("from . import y\nimport streamlit as st") == [".", "streamlit"]
    assert PAGES and UI_MODULES  # the globs are real
