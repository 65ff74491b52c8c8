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


def test_engine_never_imports_streamlit_ui_or_a_page():
    paths = sorted((ROOT / "gdcore").rglob("*.py"))
    assert len(paths) > 20  # every stage's package, not only gdcore's top level
    for path in paths:
        text = path.read_text()
        assert not re.search(r"^\s*(import|from)\s+(streamlit|ui|pages)\b", text, flags=re.M), path


def test_every_test_the_hostile_input_document_names_exists():
    doc = (ROOT / "docs" / "hostile-input.md").read_text()
    defined = set()
    for path in (ROOT / "tests").glob("test_*.py"):
        defined |= set(re.findall(r"^def (test_\w+)", path.read_text(), flags=re.M))
    named = set(re.findall(r"::(test_\w+)", doc))
    assert named and named <= defined, sorted(named - defined)


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(doc: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", doc.read_text(), flags=re.M | re.S)
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", text, flags=re.M)}


def _relative_links(doc: Path) -> list[str]:
    text = re.sub(r"^```.*?^```", "", doc.read_text(), flags=re.M | re.S)
    text = re.sub(r"(`+).+?\1", "", text)  # code spans show links, they are not links
    targets = re.findall(r"\]\(([^)\s]+)\)", text)
    return [t for t in targets if not re.match(r"[a-z][a-z0-9+.-]*:|//", t)]


def test_the_anchor_rule_matches_github():
    assert (
        _slug("Schedules and momentum (the convention)") == "schedules-and-momentum-the-convention"
    )
    assert _slug("The engine: `gdcore`") == "the-engine-gdcore"
    assert _slug("A Docker Space (Hugging Face)") == "a-docker-space-hugging-face"


def test_every_relative_link_in_the_readme_and_docs_points_at_something_that_exists():
    docs = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    checked, broken = 0, []
    for doc in docs:
        for target in _relative_links(doc):
            path, _, anchor = target.partition("#")
            file = (doc.parent / path).resolve() if path else doc
            checked += 1
            if not file.exists():
                broken.append(f"{doc.relative_to(ROOT)}: {target} (no such file)")
            elif anchor and file.suffix == ".md" and anchor not in _anchors(file):
                broken.append(f"{doc.relative_to(ROOT)}: {target} (no such heading)")
    assert checked > 20
    assert broken == []


def test_the_readme_is_a_front_door():
    text = (ROOT / "README.md").read_text()
    assert len(text.splitlines()) <= 200
    assert max(len(line) for line in text.splitlines()) < 400
    # It shows the main page and links every document in docs/.
    assert "](docs/screenshots/explore.png)" in text
    assert "](docs/screenshots/explore-phone.png)" in text  # the first screen at both widths
    for doc in (ROOT / "docs").glob("*.md"):
        assert f"](docs/{doc.name})" in text, doc.name
