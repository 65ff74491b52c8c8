"""Page runs take turns in a process: in order of arrival, round the browsers, heavy work in slices.

Python runs one thread's code at a time (the GIL): interleaved, page runs all finish later than
in turns (measured: docs/architecture.md, "Why page runs take turns"). One run holds the turn at a
time, and who goes next is decided here:

- **Light before heavy.** Every run starts light. A computation whose estimate from its parameters
  (``gdcore.descent.engine.run_seconds``: pixels x epochs x rates) is over ``HEAVY_S`` calls
  :meth:`Turns.heavy` before it starts: its run goes back in line behind every light run and the
  heavy work that asked before it. One heavy computation at a time, so heavy tabs never add up
  their memory.
- **Slices.** A heavy computation calls :meth:`Turns.pause` between its blocks
  (``run_descent(between=...)``); once it has held the turn ``SLICE_S`` and a light run waits, it
  lets the waiting runs go first, then carries on.
- **Round the browsers.** Within light and within heavy, the next turn goes to the browser served
  longest ago (its tabs share one XSRF cookie; without one, a session is its own browser): ten tabs
  of one person are one place in a round.
- **Newer replaces older.** A run still waiting when its session asks for a newer run
  (``yield_check`` raises ``RerunException``), or whose tab closed, leaves the line.
- **No escape.** Nobody runs alongside because the wait was long (a wait is long exactly when the
  process is busy). A run holding the turn for ``HANG_S`` is stopped (``RunStopped`` raised in its
  thread) and its learner told; if its thread does not answer within ``GRACE_S``, the next run gets
  the turn and the log says so.
- **Same work, one computation.** Of two runs that ask for one cached result (``computing(key)``),
  the second gives its turn back until the first stored it (it waits on the first's compute lock:
  holding the turn would stop both).
- **Idle without the turn.** :meth:`Turns.idle` lets the next run go while a run waits.

The log says when the line passes each ``QUEUE_LOG`` (at most every ``QUEUE_LOG_EVERY_S``);
:func:`stats` counts.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import inspect
import itertools
import logging
import threading
import time
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from ui import memory

R = TypeVar("R")

LIGHT, HEAVY = 0, 1
HEAVY_S = 0.25
"""A computation estimated at more CPU seconds than this (on this project's machine) is heavy."""
SLICE_S = 0.05
"""A run holds the turn at least this long before it lets waiting light runs go first."""
POLL_S = 0.1
"""A waiting run checks this often whether its session has moved on (as Streamlit's caches do)."""
AGE = 50
"""A heavy run passed over this many times goes in line with the light ones: it never starves."""
HANG_S = 60.0
"""A run holding the turn this long without a break is stopped (every page's caps take seconds)."""
GRACE_S = 15.0
"""After being stopped, a run that still holds the turn this much longer loses it."""
QUEUE_LOG = 10
QUEUE_LOG_EVERY_S = 10.0
HUNG_MESSAGE = (
    "This run was stopped: it kept the server busy for more than {:.0f} seconds, far longer "
    "than any run within the page's limits takes, so others could not take their turn. "
    "Nothing of yours is lost; change a setting (fewer epochs, rates or pixels) to run again."
)

_log = logging.getLogger(__name__)


class RunStopped(Exception):
    """Raised in a run's thread when it held the turn for ``HANG_S``."""


@dataclass(eq=False)
class Ticket:
    """One page run's place: who it is for, its class and where it stands."""

    owner: str
    session: str
    klass: int = LIGHT
    seq: int = 0
    heavy: bool = False  # its heavy work has been admitted (it never goes back behind heavy)
    passed: int = 0
    granted_at: float = 0.0
    thread: int = 0
    stopped: bool = False


class Turns:
    """The turn of one process. ``clock`` and ``sleep`` are injectable for tests."""

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.clock, self.sleep = clock, sleep
        self._cond = threading.Condition(threading.Lock())
        self._waiting: list[Ticket] = []
        self._holder: Ticket | None = None
        self._computing: dict[Hashable, Ticket] = {}
        self._served: dict[str, int] = {}
        self._places: dict[str, int] = {}  # session -> the place its superseded run left
        self._grants = itertools.count()
        self._seq = itertools.count()
        self._local = threading.local()
        self._logged_at = -1e9
        self._logged_level = 0
        self.after_heavy: Callable[[], object] | None = None  # after a run with heavy work
        counted = "runs waited longest_line heavy slices replaced stopped forfeited"
        self.counts = dict.fromkeys(counted.split(), 0)

    # --- what a page run calls ---

    @contextlib.contextmanager
    def run(
        self, owner: str, session: str, check: Callable[[], None] | None = None
    ) -> Iterator[Ticket]:
        """Hold the turn for the body (a whole page run), given back however it ends. ``check`` is
        called while waiting (Streamlit's ``yield_check``): what it raises ends the wait and leaves
        the line. A run inside a run keeps its turn."""
        mine = getattr(self._local, "ticket", None)
        if mine is not None:
            yield mine
            return
        ticket = Ticket(owner, session, thread=threading.get_ident())
        with self._cond:
            self.counts["runs"] += 1
            place = self._places.pop(session, None)
            ticket.seq = next(self._seq) if place is None else place
            self._join(ticket)
            self._wait(ticket, check)
        self._local.ticket = ticket
        try:
            yield ticket
        finally:
            self._local.ticket = None
            self._leave(ticket)

    def heavy(self, seconds: float) -> None:
        """Before a computation estimated at ``seconds`` of CPU: if over ``HEAVY_S``, go back in
        line behind the light runs and earlier heavy work. Once per run; outside a run, nothing."""
        ticket = self._mine()
        if ticket is None or ticket.heavy or seconds <= HEAVY_S:
            return
        with self._cond:
            ticket.heavy = True
            self.counts["heavy"] += 1
            if self._holder is not ticket:
                return  # it lost the turn (stopped); it has nothing to give back
            self._again(ticket, HEAVY)

    def pause(self) -> None:
        """In a run with heavy work, between blocks of its computation or its charts: after ``SLICE_S``
        with the turn, let waiting light runs go first (round the browsers). Light runs: nothing."""
        ticket = self._mine()
        if ticket is None or not ticket.heavy or self._holder is not ticket:
            return  # light runs never pause: they are short, and first in line already
        if not any(w.klass == LIGHT for w in self._waiting):  # a read without the lock
            return
        if self.clock() - ticket.granted_at < SLICE_S:
            return
        with self._cond:
            if self._holder is not ticket or not any(w.klass == LIGHT for w in self._waiting):
                return
            self.counts["slices"] += 1
            self._again(ticket, LIGHT)

    def idle(self, seconds: float) -> None:
        """Wait ``seconds`` without the turn (the browser draws what the run just sent), then wait for
        the turn again, as a run of its class. Outside a run, or without the turn, a plain wait."""
        ticket = self._mine() if self.holding() and seconds > 0 else None
        if ticket is not None:
            with self._cond:
                self._holder = None
                self._hand_over()
        self.sleep(max(seconds, 0.0))
        if ticket is not None:
            with self._cond:
                self._again(ticket, ticket.klass)

    @contextlib.contextmanager
    def computing(self, key: Hashable) -> Iterator[None]:
        """Around a cached call: while another run computes ``key``, wait without the turn."""
        ticket = self._mine()
        if ticket is None:
            yield
            return
        with self._cond:
            lent = False
            while (other := self._computing.get(key)) is not None and other is not ticket:
                if self._holder is ticket:
                    self._holder, lent = None, True
                    self._hand_over()
                self._cond.wait(POLL_S)
            if lent:
                self._again(ticket, ticket.klass)
            new = key not in self._computing
            self._computing[key] = ticket
        try:
            yield
        finally:
            if new:
                with self._cond:
                    self._computing.pop(key, None)
                    self._cond.notify_all()

    def holding(self) -> bool:
        """Whether this thread's run holds the turn now."""
        ticket = self._mine()
        return ticket is not None and self._holder is ticket

    # --- the watchdog ---

    def watch(self) -> None:
        """Stop a run that has held the turn for ``HANG_S``; after ``GRACE_S`` more,
        give the turn to the next. Called every second by the watchdog thread."""
        with self._cond:
            ticket = self._holder
            if ticket is None:
                return
            held = self.clock() - ticket.granted_at
            if held > HANG_S and not ticket.stopped:
                ticket.stopped = True
                self.counts["stopped"] += 1
                _log.error("a page run held its turn for %.0f s and is stopped", held)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(ticket.thread), ctypes.py_object(RunStopped)
                )
            elif held > HANG_S + GRACE_S and ticket.stopped:
                self.counts["forfeited"] += 1
                _log.error(
                    "a page run stopped %.0f s ago still holds its turn; the next run goes "
                    "ahead (the stopped one may run alongside when its thread wakes)",
                    GRACE_S,
                )
                self._holder = None
                self._hand_over()

    def start_watchdog(self, every: float = 1.0) -> threading.Thread:
        def loop() -> None:
            while True:
                time.sleep(every)
                self.watch()

        thread = threading.Thread(target=loop, name="turns-watchdog", daemon=True)
        thread.start()
        return thread

    # --- inside, under self._cond ---

    def _mine(self) -> Ticket | None:
        return getattr(self._local, "ticket", None)

    def _join(self, ticket: Ticket) -> None:
        ticket.passed = 0
        self._waiting.append(ticket)
        self._hand_over()
        line = len(self._waiting)
        if self._holder is not ticket:
            self.counts["waited"] += 1
        self.counts["longest_line"] = max(self.counts["longest_line"], line)
        level = line // QUEUE_LOG
        now = self.clock()
        if level > self._logged_level and now - self._logged_at >= QUEUE_LOG_EVERY_S:
            self._logged_at, self._logged_level = now, level
            heavy = sum(w.klass == HEAVY for w in self._waiting)
            _log.warning(
                "%d page runs wait for their turn (%d of them heavy), %d browsers",
                line,
                heavy,
                len({w.owner for w in self._waiting}),
            )
        elif line < QUEUE_LOG:
            self._logged_level = 0

    def _again(self, ticket: Ticket, klass: int) -> None:
        """``ticket`` (giving back the turn if it holds it) waits in line again as ``klass``."""
        if self._holder is ticket:
            self._holder = None
        ticket.klass, ticket.seq = klass, next(self._seq)
        self._join(ticket)
        self._wait(ticket, None)

    def _rank(self, ticket: Ticket) -> tuple[int, int, int]:
        klass = LIGHT if ticket.passed >= AGE else ticket.klass
        return klass, self._served.get(ticket.owner, -1), ticket.seq

    def _hand_over(self) -> None:
        if self._holder is not None or not self._waiting:
            self._cond.notify_all()
            return
        ticket = min(self._waiting, key=self._rank)
        self._waiting.remove(ticket)
        # Heavy work waiting behind light runs ages; behind the heavy work under way it
        # does not (one heavy computation at a time keeps memory to one at a time).
        if not (ticket.heavy or any(w.heavy and w.klass == LIGHT for w in self._waiting)):
            for w in self._waiting:
                w.passed += 1
        self._holder = ticket
        self._served[ticket.owner] = next(self._grants)
        ticket.granted_at = self.clock()
        self._cond.notify_all()

    def _wait(self, ticket: Ticket, check: Callable[[], None] | None) -> None:
        try:
            while self._holder is not ticket:
                if check is not None:
                    check()
                self._cond.wait(POLL_S)
        except BaseException:
            self._withdraw(ticket)
            raise

    def _withdraw(self, ticket: Ticket) -> None:
        """``t`` leaves the line (its session moved on); a newer run of its session gets its place."""
        if ticket in self._waiting:
            self._waiting.remove(ticket)
        if self._holder is ticket:
            self._holder = None
        self.counts["replaced"] += 1
        if len(self._places) > 1000:
            self._places.clear()
        self._places[ticket.session] = ticket.seq
        self._hand_over()

    def _leave(self, ticket: Ticket) -> None:
        with self._cond:
            for key in [k for k, v in self._computing.items() if v is ticket]:
                del self._computing[key]
            if self._holder is ticket:
                self._holder = None
            self._hand_over()
        if ticket.heavy and self.after_heavy is not None:
            self.after_heavy()  # outside the lock: the next run is already going


TURNS = Turns()
"""This process's turn."""
memory.configure()
TURNS.after_heavy = memory.trim


def turn(
    owner: str = "", session: str = "", check: Callable[[], None] | None = None
) -> contextlib.AbstractContextManager[Ticket]:
    """Hold this process's turn for the body (a whole page run): :meth:`Turns.run`."""
    _ensure_watchdog()
    return TURNS.run(owner, session, check)


def heavy(seconds: float) -> None:
    """:meth:`Turns.heavy` of this process's turn."""
    TURNS.heavy(seconds)


def pause() -> None:
    """:meth:`Turns.pause` of this process's turn (``run_descent``'s ``between``)."""
    TURNS.pause()


def computing(key: Hashable) -> contextlib.AbstractContextManager[None]:
    """:meth:`Turns.computing` of this process's turn."""
    return TURNS.computing(key)


def shared(fn: Callable[..., R]) -> Callable[..., R]:
    """Put outside ``st.cache_data``: the call runs inside :func:`computing` of its name and
    its arguments as Streamlit keys them (those starting with ``_`` left out)."""
    names = list(inspect.signature(fn).parameters)
    where = f"{getattr(fn, '__module__', '')}.{getattr(fn, '__qualname__', repr(fn))}"

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> R:
        given = {**dict(zip(names, args, strict=False)), **kwargs}
        key = (where, *(repr(v) for k, v in given.items() if not k.startswith("_")))
        with computing(key):
            return fn(*args, **kwargs)

    return wrapper


def stats() -> dict[str, int]:
    """How many runs took turns, waited, were heavy, sliced, replaced, stopped; the longest line."""
    return dict(TURNS.counts)


_watchdog: list[threading.Thread] = []  # the one watchdog, once started
_watchdog_lock = threading.Lock()


def _ensure_watchdog() -> None:
    with _watchdog_lock:
        if not _watchdog:
            _watchdog.append(TURNS.start_watchdog())
