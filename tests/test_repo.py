"""The project's promises about itself: the README's commands are what CI runs."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _quick_start_commands():
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(?:bash|sh)\n(.+?)\n```", section, flags=re.S)


def test_quick_start_has_exactly_two_commands():
    commands = _quick_start_commands()
    assert len(commands) == 2
    assert all("\n" not in c for c in commands)
    assert "streamlit run streamlit_app.py" in commands[0]
    assert "pytest" in commands[1]
    # The two lanes are every test: the fast one, then the rest.
    assert "-m fast && " in commands[1] and '-m "not fast"' in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _quick_start_commands()[1] in ci


def test_engine_never_imports_streamlit():
    for path in (ROOT / "gdcore").glob("*.py"):
        assert not re.search(r"^\s*(import|from)\s+streamlit", path.read_text(), flags=re.M), path


def test_every_test_the_hostile_input_document_names_exists():
    doc = (ROOT / "docs" / "hostile-input.md").read_text()
    defined = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(), flags=re.M))
    named = set(re.findall(r"::(test_\w+)", doc))
    assert named and named <= defined, sorted(named - defined)
