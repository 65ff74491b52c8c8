"""Memory a replica gives back: glibc's allocator told to return what heavy runs freed.

A heavy run's arrays (tens of MB) are freed when it ends, but glibc keeps freed
memory in its heaps for reuse: after a large block is freed its threshold for
mapping blocks on their own rises (up to 32 MB), so the next large arrays come
from the heaps, and each of Streamlit's script threads may use another heap
(arena). RSS then only grows. Two settings, once per process, bound it:

- blocks of ``MMAP_THRESHOLD`` or more are always mapped on their own, so
  freeing one gives it back at once (the threshold no longer rises);
- after a run with heavy work (``ui.turns``), ``malloc_trim(0)`` returns the free
  pages of every heap.

Elsewhere than glibc (macOS, musl) both are skipped.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging

M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)
MMAP_THRESHOLD = 256 * 1024
"""Bytes from which a block is mapped on its own (glibc starts at 128 KiB and raises it)."""

_log = logging.getLogger(__name__)


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # noqa: B018 - only glibc has it
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _glibc()


def configure() -> bool:
    """Fix glibc's mapping threshold at ``MMAP_THRESHOLD``; whether it could be set."""
    if _LIBC is None:
        return False
    ok = bool(_LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD))
    if not ok:
        _log.warning("glibc refused mallopt(M_MMAP_THRESHOLD, %d)", MMAP_THRESHOLD)
    return ok


def trim() -> bool:
    """Give the free pages of every heap back to the system; whether any were."""
    if _LIBC is None:
        return False
    return bool(_LIBC.malloc_trim(0))
