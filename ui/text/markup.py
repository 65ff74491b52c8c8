"""Text from a user made inert for Markdown, and numbers written as a learner reads them."""

from __future__ import annotations

import re

_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~&])")


def literal(raw: str) -> str:
    """Text that came from a user (a link, a typed box, a file) made inert for Markdown.

    Every character Markdown or HTML could act on is escaped with a backslash, so
    ``[Login](//ev.il)`` or ``![](x.png)`` shows as typed and never becomes a link
    or fetches an image. Non-printable characters become ``?``.

    >>> print(literal("[Login](//ev.il)"))
    \\[Login\\]\\(//ev\\.il\\)
    """
    clean = "".join(c if c.isprintable() else "?" for c in raw)
    return _MARKDOWN.sub(r"\\\1", clean)


def quoted(raw: str, most: int = 40) -> str:
    """Text from a link or a file, made safe to show inside backticks: printable, short."""
    clean = "".join(c if c.isprintable() and c != "`" else "?" for c in raw)
    return clean if len(clean) <= most else clean[:most] + "…"


def times(ratio: float) -> str:
    """A ratio as a learner reads it: ``0.582×``, ``3.82×``, ``1,630×`` (never ``1.63e+03×``)."""
    if ratio >= 1000:
        return f"{ratio:,.0f}×"
    return f"{ratio:.3g}×"


def error_number(error: float) -> str:
    """An error as a learner reads it: 0 when it is rounding dust, else 4 digits."""
    return "0" if abs(error) < 1e-12 else f"{error:.4g}"
