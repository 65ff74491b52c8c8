"""The learner's errors given two ways: a box to paste them in and a file to upload instead.

Diagnose and Check my loop both take errors so. A classroom link that locks or hides
the errors leaves no uploader: the errors are the link's.
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from ui import classroom, keys
from ui.controls import control
from ui.fields import MAX_TEXT_CHARS, Field


@dataclass(frozen=True)
class GivenErrors:
    """What the learner gave: the typed text, an uploaded file's bytes (or None), their key."""

    typed: str
    file: bytes | None
    sha: str

    @property
    def text(self) -> str | bytes:
        """The file if there is one, else the typed text: what is read."""
        return self.file if self.file is not None else self.typed


def errors_input(
    field: Field, label: str, height: int, upload_label: str, upload_key: str
) -> GivenErrors:
    """The errors box (``field``, kept in the URL) and, unless a link fixes it, an uploader."""
    typed = control(st.text_area, field, label, height=height, max_chars=MAX_TEXT_CHARS)
    # No type=: it is checked on the name only; the content is parsed and judged.
    fixed = classroom.locked(field) or classroom.hidden(field)
    upload = None if fixed else st.file_uploader(upload_label, key=upload_key)
    file = upload.getvalue() if upload is not None else None
    return GivenErrors(typed or "", file, keys.curve_digest(typed or "", file))
