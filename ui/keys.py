"""The small keys the caches know what a learner gave by (``ui.cached``): SHA-256 digests."""

from __future__ import annotations

import hashlib


def digest(data: bytes) -> str:
    """The key of uploaded bytes: their SHA-256."""
    return hashlib.sha256(data).hexdigest()


def curve_digest(typed: str, upload: bytes | None) -> str:
    """One key for what the learner gave: the file's bytes if any, else the typed text."""
    return digest(b"file:" + upload) if upload is not None else digest(b"text:" + typed.encode())
