"""The dashboard's pages, listed once: title, icon, URL path, file, controls.

The sidebar, the classroom-link maker, the tests, the browser tests and the
benchmark all read ``PAGES``. Streamlit finds the page files itself (the
``pages/`` folder): ``st.navigation`` is not used, because with a ``pages/``
folder present it answers the first visit to a page's URL after each server
start with "Page not found" and runs the main page instead (Streamlit 1.67).
A test holds this list and the folder equal, and each URL path equal to the
one Streamlit derives from the file name.
"""

from __future__ import annotations

from dataclasses import dataclass

from ui import fields
from ui.fields import Field


@dataclass(frozen=True)
class Page:
    """One page of the dashboard."""

    id: str
    title: str
    icon: str
    url_path: str  # after the host: "" for the entry page
    file: str  # relative to the repository root
    fields: tuple[Field, ...]

    def field(self, url: str) -> Field:
        return next(field for field in self.fields if field.url == url)


PAGES = (
    Page(
        "explore", "Explore one rate", ":material/search:", "", "streamlit_app.py", fields.EXPLORE
    ),
    Page(
        "compare",
        "Compare learning rates",
        ":material/stacked_line_chart:",
        "Compare_learning_rates",
        "pages/2_Compare_learning_rates.py",
        fields.COMPARE,
    ),
    Page(
        "sweep",
        "Learning-rate sweep",
        ":material/tune:",
        "Learning_rate_sweep",
        "pages/3_Learning_rate_sweep.py",
        fields.SWEEP,
    ),
    Page(
        "walk",
        "Walk downhill",
        ":material/landscape:",
        "Walk_downhill",
        "pages/4_Walk_downhill.py",
        fields.WALK,
    ),
    Page(
        "step",
        "Step by step",
        ":material/calculate:",
        "Step_by_step",
        "pages/5_Step_by_step.py",
        fields.STEP,
    ),
    Page(
        "diagnose",
        "Diagnose your curve",
        ":material/stethoscope:",
        "Diagnose_your_curve",
        "pages/6_Diagnose_your_curve.py",
        fields.DIAGNOSE,
    ),
    Page(
        "exercises",
        "Exercises",
        ":material/school:",
        "Exercises",
        "pages/7_Exercises.py",
        fields.EXERCISE,
    ),
    Page(
        "check",
        "Check my loop",
        ":material/rule:",
        "Check_my_loop",
        "pages/8_Check_my_loop.py",
        fields.CHECK,
    ),
)
BY_ID = {p.id: p for p in PAGES}
