"""Page runs take turns in a process (ui/turns.py): in order, round the browsers, heavy work in
slices, a superseded run replaced, a hung run stopped. Threads and events, no timings: a fake
clock stands for time, and a helper waits until a thread has joined the line."""

from __future__ import annotations

import threading
import time

import pytest
from helpers import PAGE_IDS, no_exception, open_page

from ui import page_run as ui_page_run
from ui import turns, widgets


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def line_reaches(t: turns.Turns, n: int) -> None:
    """Wait (in real time, as long as it takes) until ``n`` runs wait in line."""
    deadline = time.monotonic() + 30
    while len(t._waiting) < n:
        assert time.monotonic() < deadline, "a thread never joined the line"
        time.sleep(0.001)


class Runner:
    """Runs ``body`` in its own turn on a thread, recording into a shared order list."""

    def __init__(self, t: turns.Turns, name: str, order: list[str], owner: str | None = None,
                 session: str | None = None, body=None, check=None) -> None:  # fmt: skip
        self.t, self.name, self.order = t, name, order
        self.owner, self.session = owner or name, session or name
        self.body, self.check = body, check
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._go, daemon=True)

    def _go(self) -> None:
        try:
            with self.t.run(self.owner, self.session, self.check):
                self.order.append(self.name)
                if self.body is not None:
                    self.body()
        except BaseException as exc:  # noqa: BLE001 - recorded for the test to look at
            self.error = exc

    def start(self, then_line: int | None = None) -> Runner:
        self.thread.start()
        if then_line is not None:
            line_reaches(self.t, then_line)
        return self

    def join(self) -> None:
        self.thread.join(30)
        assert not self.thread.is_alive()


def holder(t: turns.Turns, order: list[str], name: str = "first") -> tuple[Runner, threading.Event]:
    """A run that holds the turn until the returned event is set."""
    go, held = threading.Event(), threading.Event()

    def body() -> None:
        held.set()
        go.wait(30)

    r = Runner(t, name, order, body=body).start()
    held.wait(30)
    return r, go


@pytest.mark.parametrize("name", PAGE_IDS)
def test_every_page_runs_its_whole_body_in_its_turn(name, monkeypatch):
    held_at: dict[str, bool] = {}
    # the first and the last thing every page does
    for module, fn in ((ui_page_run, "page_setup"), (widgets, "share_box")):
        real = getattr(module, fn)

        def spy(*a, _real=real, _fn=fn, **k):
            held_at[_fn] = turns.TURNS.holding()
            return _real(*a, **k)

        monkeypatch.setattr(module, fn, spy)
    runs = turns.stats()["runs"]
    no_exception(open_page(name))
    assert held_at == {"page_setup": True, "share_box": True}
    assert turns.stats()["runs"] == runs + 1
    assert turns.TURNS._holder is None and not turns.TURNS._waiting  # given back


def test_turns_never_overlap_and_are_given_back_on_errors():
    inside, most, order = [0], [0], []
    guard = threading.Lock()

    def run(i: int) -> None:
        try:
            with turns.turn(f"b{i}", f"s{i}"):
                with guard:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(0.01)
                order.append(i)
                with guard:
                    inside[0] -= 1
                if i % 3 == 0:
                    raise RuntimeError("a run that fails still gives its turn back")
        except RuntimeError:
            pass

    threads = [threading.Thread(target=run, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(order) == list(range(12))  # every run ran
    assert most[0] == 1  # never two at once
    assert turns.TURNS._holder is None and not turns.TURNS._waiting


def test_runs_go_in_the_order_they_came():
    t, order = turns.Turns(Clock()), []
    first, go = holder(t, order)
    rs = [Runner(t, n, order).start(then_line=i + 1) for i, n in enumerate("abcde")]
    go.set()
    for r in [first, *rs]:
        r.join()
    assert order == ["first", "a", "b", "c", "d", "e"]


def test_a_browser_with_many_tabs_gets_one_place_in_each_round():
    t, order = turns.Turns(Clock()), []
    first, go = holder(t, order)
    tabs = [Runner(t, f"x{i}", order, owner="X").start(then_line=i + 1) for i in range(4)]
    other = Runner(t, "y", order, owner="Y").start(then_line=5)
    go.set()
    for r in [first, *tabs, other]:
        r.join()
    # Y came last but X had been served (x0) when Y's turn came round.
    assert order == ["first", "x0", "y", "x1", "x2", "x3"]


def test_heavy_work_waits_behind_light_runs_and_light_work_does_not():
    t, order = turns.Turns(Clock()), []
    started, go = threading.Event(), threading.Event()

    def heavy_body() -> None:
        started.set()
        go.wait(30)
        t.heavy(turns.HEAVY_S / 2)  # light enough: keeps the turn
        order.append("still light")
        t.heavy(turns.HEAVY_S * 10)  # heavy: the light runs waiting go first
        order.append("heavy work")

    h = Runner(t, "h", order, body=heavy_body).start()
    started.wait(30)
    light = [Runner(t, n, order).start(then_line=i + 1) for i, n in enumerate(["l1", "l2"])]
    go.set()
    for r in [h, *light]:
        r.join()
    assert order == ["h", "still light", "l1", "l2", "heavy work"]
    assert t.counts["heavy"] == 1


def test_heavy_work_lets_waiting_light_runs_go_between_its_slices():
    clock = Clock()
    t, order = turns.Turns(clock), []
    blocks, step, arrived = 4, [threading.Event() for _ in range(4)], threading.Event()

    def heavy_body() -> None:
        t.heavy(10.0)  # nobody waits: it keeps the turn
        for k in range(blocks):
            step[k].wait(30)
            order.append(f"block {k}")
            t.pause()

    h = Runner(t, "h", order, body=heavy_body).start()
    step[0].set()  # block 0 ends with nobody waiting: no pause
    while order[-1:] != ["block 0"]:
        time.sleep(0.001)
    light = Runner(t, "l", order, body=arrived.set).start(then_line=1)
    step[1].set()  # block 1 ends before its slice is over: it keeps the turn
    while order[-1:] != ["block 1"]:
        time.sleep(0.001)
    assert not arrived.is_set()
    clock.now += turns.SLICE_S  # block 2 ends with its slice over and l waiting: l goes
    step[2].set()
    arrived.wait(30)
    step[3].set()
    for r in (h, light):
        r.join()
    assert order == ["h", "block 0", "block 1", "block 2", "l", "block 3"]
    assert t.counts["slices"] == 1


def test_one_heavy_computation_is_under_way_at_a_time():
    clock = Clock()
    t, order = turns.Turns(clock), []
    go = [threading.Event() for _ in range(3)]

    def heavy_body(name: str) -> None:
        t.heavy(10.0)
        order.append(f"{name} starts")
        for k in range(3):
            go[k].wait(30)
            clock.now += turns.SLICE_S
            t.pause()
        order.append(f"{name} ends")

    first = Runner(t, "h1", order, body=lambda: heavy_body("h1")).start()
    while "h1 starts" not in order:
        time.sleep(0.001)
    # Another browser's heavy run and a light run wait; the light one gets h1's slices,
    # the heavy one only h1's end, so two heavy computations never hold memory at once.
    second = Runner(t, "h2", order, body=lambda: heavy_body("h2")).start(then_line=1)
    light = Runner(t, "l", order).start(then_line=2)
    for e in go:
        e.set()
    for r in (first, second, light):
        r.join()
    assert order.index("l") < order.index("h1 ends") < order.index("h2 starts")


def test_a_newer_run_of_a_session_replaces_its_waiting_older_one():
    t, order = turns.Turns(Clock()), []
    first, go = holder(t, order)
    newer = threading.Event()

    class Rerun(Exception):
        pass

    def check() -> None:  # Streamlit's yield_check: raises once the session asked again
        if newer.is_set():
            raise Rerun

    old = Runner(t, "old", order, session="s", check=check).start(then_line=1)
    b = Runner(t, "b", order).start(then_line=2)
    newer.set()
    old.join()
    assert isinstance(old.error, Rerun) and "old" not in order
    line_reaches(t, 1)  # only b waits now
    again = Runner(t, "new", order, session="s").start(then_line=2)
    go.set()
    for r in (first, again, b):
        r.join()
    assert order == ["first", "new", "b"]  # the newer run took the older one's place
    assert t.counts["replaced"] == 1


def test_a_long_wait_never_lets_a_run_go_alongside():
    clock = Clock()
    t, order = turns.Turns(clock), []
    first, go = holder(t, order)
    waiting = Runner(t, "w", order).start(then_line=1)
    clock.now += turns.HANG_S  # a long wait, as under load: still in line
    t.watch()
    assert order == ["first"] and len(t._waiting) == 1
    go.set()
    for r in (first, waiting):
        r.join()
    assert order == ["first", "w"]


def test_a_run_that_hangs_in_python_is_stopped_and_the_next_goes():
    clock = Clock()
    t, order = turns.Turns(clock), []
    spinning = threading.Event()
    stopped: list[bool] = []

    def hang() -> None:
        spinning.set()
        try:
            while True:  # a loop that never ends, in Python
                pass
        except turns.RunStopped:
            stopped.append(True)

    h = Runner(t, "hung", order, body=hang).start()
    spinning.wait(30)
    nxt = Runner(t, "next", order).start(then_line=1)
    clock.now += turns.HANG_S + 1
    t.watch()
    for r in (h, nxt):
        r.join()
    assert stopped == [True] and order == ["hung", "next"]
    assert t.counts["stopped"] == 1 and t.counts["forfeited"] == 0


def test_a_run_stuck_outside_python_loses_the_turn_after_the_grace():
    clock = Clock()
    t, order = turns.Turns(clock), []
    first, go = holder(t, order)  # blocked in a lock's C code: a stop cannot reach it
    nxt = Runner(t, "next", order).start(then_line=1)
    clock.now += turns.HANG_S + 1
    t.watch()
    assert order == ["first"]  # asked to stop; it cannot answer yet
    clock.now += turns.GRACE_S
    t.watch()
    nxt.join()
    assert order == ["first", "next"] and t.counts["forfeited"] == 1
    go.set()
    first.join()  # when it wakes it is stopped, and gives back nothing it does not hold
    assert isinstance(first.error, turns.RunStopped)
    assert t._holder is None


def test_a_run_needing_what_a_waiting_run_computes_gives_its_turn_back():
    t, order = turns.Turns(Clock()), []
    in_work, go = threading.Event(), threading.Event()

    def computes() -> None:
        with t.computing("key"):  # as turns.shared does around a cached function
            in_work.set()
            go.wait(30)
            t.heavy(10.0)  # waits for the turn, holding Streamlit's compute lock for "key"
            order.append("computed")

    w = Runner(t, "w", order, body=computes).start()
    in_work.wait(30)
    needs = Runner(t, "needs", order, body=lambda: t.computing("key").__enter__()).start()
    line_reaches(t, 1)
    go.set()  # w goes back in line as heavy; "needs" holds the turn and asks for "key"
    for r in (w, needs):
        r.join()
    assert order == ["w", "needs", "computed"]


def test_shared_keys_a_call_as_streamlit_does(monkeypatch):
    seen: list[object] = []
    monkeypatch.setattr(turns, "computing", lambda key: seen.append(key) or _null())

    @turns.shared
    def f(key, scale, _pixels=None):
        return scale

    assert f(("builtin", "scene", 64), "unit", _pixels=object()) == "unit"
    assert seen == [(f"{__name__}.test_shared_keys_a_call_as_streamlit_does.<locals>.f",
                     "('builtin', 'scene', 64)", "'unit'")]  # fmt: skip


def _null():
    import contextlib

    return contextlib.nullcontext()


def test_the_sweep_at_its_caps_is_heavy_work_in_slices(monkeypatch):
    asked: list[float] = []
    paused = [0]
    monkeypatch.setattr(turns, "heavy", lambda s: asked.append(s))
    monkeypatch.setattr(turns, "pause", lambda: paused.__setitem__(0, paused[0] + 1))
    no_exception(open_page("sweep", points="200", epochs="20000"))
    assert max(asked) > turns.HEAVY_S and paused[0] >= 10
    asked.clear()
    no_exception(open_page("sweep", points="30", epochs="300"))  # the page's defaults
    assert asked and max(asked) < turns.HEAVY_S


def test_a_stopped_run_tells_its_learner(monkeypatch):
    def stuck(page_id):
        raise turns.RunStopped

    monkeypatch.setattr(ui_page_run, "page_setup", stuck)
    at = open_page("explore")
    assert [e.value for e in at.error] == [turns.HUNG_MESSAGE.format(turns.HANG_S)]
    assert not at.exception


def test_a_run_that_idles_lets_the_next_go_meanwhile_then_takes_its_turn_again():
    idling, wake = threading.Event(), threading.Event()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        idling.set()
        wake.wait(30)

    t, order = turns.Turns(Clock(), sleep), []

    def idler() -> None:
        order.append("sent the curve")
        t.idle(0.03)
        order.append("sends the rest")

    first = Runner(t, "a", order, body=idler).start()
    idling.wait(30)
    other = Runner(t, "b", order).start()
    other.join()  # it went while a idled, without the turn
    assert order == ["a", "sent the curve", "b"]
    wake.set()
    first.join()
    assert order[-1] == "sends the rest" and slept == [0.03]
    assert first.error is None and t._holder is None and not t._waiting
    t.idle(-0.01)  # the work took longer than the head start: no wait
    assert slept == [0.03, 0.0]


def test_a_run_that_idles_while_another_holds_the_turn_waits_for_it_again():
    idling, wake, held = threading.Event(), threading.Event(), threading.Event()
    release = threading.Event()

    def sleep(seconds: float) -> None:
        idling.set()
        wake.wait(30)

    t, order = turns.Turns(Clock(), sleep), []

    def idler() -> None:
        t.idle(0.01)
        order.append("a again")

    def holder_body() -> None:
        held.set()
        release.wait(30)
        order.append("b done")

    first = Runner(t, "a", order, body=idler).start()
    idling.wait(30)
    other = Runner(t, "b", order, body=holder_body).start()
    held.wait(30)
    wake.set()  # a wakes while b holds the turn: it waits in line
    line_reaches(t, 1)
    release.set()
    for r in (first, other):
        r.join()
    assert order == ["a", "b", "b done", "a again"]
