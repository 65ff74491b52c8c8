"""One page run at a time in a process: runs take turns instead of interleaving.

Python executes one thread's code at a time (the GIL), so two page runs in one
process never finish sooner together than one after the other. Together they
finish later: every element a run sends wakes the server's event loop, which
hands the GIL away, and getting it back means waiting out a switch interval
(5 ms) behind each other running script. A page sends dozens of elements, so
with a few runs in flight each one pays seconds. Measured with
``python -m bench.load arrivals --replicas 2`` (200 learners in 60 s) on this
project's 2-core machine, the same CPU per run: interleaving, p50 1.5 s and
p95 2.1 s; taking turns, p50 0.1 s and p95 0.3 s.

A run waits at most ``WAIT_S`` for its turn; after that (a run stuck far past
any page's caps) it goes ahead alongside, and the server log says so.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Iterator

WAIT_S = 30.0
_turn = threading.RLock()  # re-entrant: a run that somehow asks twice never waits on itself
_log = logging.getLogger(__name__)


@contextlib.contextmanager
def turn() -> Iterator[None]:
    """Hold this process's turn for the body (a whole page run), released however it ends."""
    got = _turn.acquire(timeout=WAIT_S)
    if not got:
        _log.warning("a page run waited %.0f s for its turn and runs alongside another", WAIT_S)
    try:
        yield
    finally:
        if got:
            _turn.release()
