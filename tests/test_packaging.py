"""The package and its tooling: what pip installs, and what the pins promise.

- requirements.txt and pyproject.toml's dependencies are one list;
- ruff's pre-commit hook, requirements-dev.txt and the lock name one ruff;
- the wheel holds the engine (``gdcore``) and its console script, nothing else,
  and installed in a fresh venv ``gdcore --version`` and ``gdcore images`` work;
- ``mypy`` and ``ruff`` pass.

The tests marked ``tooling`` need the development tools (pip with setuptools,
mypy, ruff). Without them they skip with a note, except under CI (``CI`` set),
where requirements-dev.txt installs them and a missing one fails the run. The
lowest-version stage (.ci/lowest) deselects them: it checks the runtime floors.
"""

from __future__ import annotations

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
VERSION_FILE = ROOT / "gdcore" / "_version.py"


def _requirement_lines(path: Path) -> list[str]:
    """The requirement lines of a requirements file: no comments, blanks or ``-r``."""
    lines = []
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].strip()
        if line and not line.startswith("-"):
            lines.append(line)
    return lines


def _pinned(lines: list[str], name: str) -> str:
    """The version that ``name==X`` pins among requirement lines."""
    pins = [
        m.group(1) for line in lines if (m := re.fullmatch(rf"{name}==([^\s;]+)(\s*;.*)?", line))
    ]
    assert len(pins) == 1, f"expected exactly one '{name}==' pin, found {pins}"
    return pins[0]


def _version() -> str:
    match = re.search(r'^__version__ = "([^"]+)"$', VERSION_FILE.read_text(), flags=re.M)
    assert match, f'no __version__ = "..." line in {VERSION_FILE}'
    return match.group(1)


def _need(module: str, why: str) -> None:
    """Skip without ``module``; under CI (where requirements-dev installs it) fail."""
    if importlib.util.find_spec(module) is None:
        problem = f"{module} is not installed ({why}; pip install -r requirements-dev.txt)"
        if os.environ.get("CI"):
            pytest.fail(f"required under CI: {problem}")
        pytest.skip(problem)


# --- pins that must agree ---------------------------------------------------


def test_pyproject_dependencies_are_requirements_txt():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert pyproject["project"]["dependencies"] == _requirement_lines(ROOT / "requirements.txt")


def test_pyproject_reads_the_version_and_script_from_the_engine():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" in pyproject["project"]["dynamic"]
    attr = pyproject["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "gdcore._version.__version__"
    assert pyproject["project"]["scripts"] == {"gdcore": "gdcore.cli:main_entry"}
    assert pyproject["tool"]["setuptools"]["packages"]["find"]["include"] == ["gdcore", "gdcore.*"]
    assert re.fullmatch(r"\d+\.\d+\.\d+", _version())


def test_pre_commit_ruff_is_the_pinned_ruff():
    config = (ROOT / ".pre-commit-config.yaml").read_text()
    match = re.search(
        r"-\s*repo:\s*https://github\.com/astral-sh/ruff-pre-commit\s*\n\s*rev:\s*['\"]?v?([^\s'\"]+)",
        config,
    )
    assert match, "no astral-sh/ruff-pre-commit repo with a rev in .pre-commit-config.yaml"
    dev = _pinned(_requirement_lines(ROOT / "requirements-dev.txt"), "ruff")
    lock = _pinned(_requirement_lines(ROOT / "requirements-dev.lock"), "ruff")
    assert match.group(1) == dev == lock


def test_lock_satisfies_every_declared_range():
    """The lock is not stale: each package named in the requirement files is pinned
    in it, inside the range declared (``uv pip compile`` refreshes it)."""
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name

    pins = {}
    for line in _requirement_lines(ROOT / "requirements-dev.lock"):
        req = Requirement(line)
        (spec,) = req.specifier
        pins[canonicalize_name(req.name)] = spec.version
    declared = _requirement_lines(ROOT / "requirements.txt")
    declared += _requirement_lines(ROOT / "requirements-dev.txt")
    for line in declared:
        req = Requirement(line)
        name = canonicalize_name(req.name)
        assert name in pins, f"{req.name} is not in requirements-dev.lock"
        assert req.specifier.contains(pins[name], prereleases=True), (
            f"requirements-dev.lock pins {req.name}=={pins[name]}, outside {req.specifier}"
        )


# --- the wheel ----------------------------------------------------------------


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built offline from a copy of the repo (the build leaves build/ and
    *.egg-info behind, which must not land in the work tree)."""
    _need("setuptools", "the wheel is built without build isolation, offline")
    _need("pip", "pip builds the wheel")
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    shutil.copytree(
        ROOT,
        src,
        ignore=shutil.ignore_patterns(
            ".git", ".venv*", "__pycache__", ".*_cache", ".hypothesis", "screenshots", "build"
        ),
    )
    out = tmp / "dist"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + ["-w", str(out), str(src)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (built,) = out.glob("*.whl")
    return built


@pytest.mark.tooling
def test_wheel_holds_the_engine_and_its_console_script(wheel):
    version = _version()
    assert wheel.name == f"gd_lr_explorer-{version}-py3-none-any.whl"
    dist_info = f"gd_lr_explorer-{version}.dist-info/"
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        entry_points = zf.read(dist_info + "entry_points.txt").decode()
        metadata = zf.read(dist_info + "METADATA").decode()
    strays = [n for n in names if not n.startswith(("gdcore/", dist_info))]
    assert not strays, f"the wheel holds more than the engine: {strays}"
    modules = {n for n in names if n.startswith("gdcore/")}
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "gdcore").rglob("*.py")}
    assert modules == expected
    assert re.search(r"^\[console_scripts\]\ngdcore = gdcore\.cli:main_entry$", entry_points, re.M)
    from packaging.requirements import Requirement

    requires = re.findall(r"^Requires-Dist: (.+)$", metadata, flags=re.M)
    declared = _requirement_lines(ROOT / "requirements.txt")
    assert {Requirement(r) for r in requires} == {Requirement(r) for r in declared}


@pytest.mark.tooling
def test_installed_wheel_runs_its_console_script(wheel, tmp_path):
    """Install the wheel alone into a fresh venv, borrow numpy and Pillow from the
    running environment (PYTHONPATH: no download), and run the ``gdcore`` script."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python, script = venv / "bin" / "python", venv / "bin" / "gdcore"
    proc = subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q"]
        + ["--no-deps", "--no-index", str(wheel)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["PYTHONPATH"] = os.pathsep.join(sorted(borrowed))

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            args, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
        )

    where = run(str(python), "-c", "import gdcore; print(gdcore.__file__)")
    assert where.returncode == 0, where.stderr
    assert Path(where.stdout.strip()).is_relative_to(venv), "gdcore was not the installed one"
    version = run(str(script), "--version")
    assert version.returncode == 0, version.stderr
    assert _version() in version.stdout.split(), version.stdout
    images = run(str(script), "images")
    assert images.returncode == 0, images.stderr
    assert "scene" in images.stdout and "checkerboard" in images.stdout


# --- linters and types ----------------------------------------------------------


@pytest.mark.tooling
def test_mypy_passes_on_all_code():
    """mypy checks every Python file but the tests: the engine, ui, the pages, the benchmark
    the deploy scripts and the entry page (pyproject.toml's ``files``)."""
    files = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["mypy"]["files"]
    code = {p.parent.name for p in ROOT.glob("*/*.py")} - {"tests"}
    code |= {p.name for p in ROOT.glob("*.py")} - {"conftest.py"}
    code |= {"deploy/replicas"}  # a Python script without .py
    assert set(files) == code
    _need("mypy", "the type check")
    proc = subprocess.run(
        [sys.executable, "-m", "mypy"], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.tooling
def test_ruff_passes():
    _need("ruff", "the linter and formatter")
    for args in (["check", "."], ["format", "--check", "."]):
        proc = subprocess.run(
            [sys.executable, "-m", "ruff", *args],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert proc.returncode == 0, f"ruff {' '.join(args)}:\n{proc.stdout}{proc.stderr}"
