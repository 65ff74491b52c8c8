"""Page runs take turns in a process (ui/turns.py): one runs, the others wait, none is lost."""

from __future__ import annotations

import threading
import time

import pytest
from helpers import PAGE_IDS, no_exception, open_page

from ui import turns, widgets


class Recording:
    """An RLock that counts: how deep it is held now, how often it was taken and given back."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.depth = self.taken = self.given = 0

    def acquire(self, timeout: float = -1) -> bool:
        got = self._lock.acquire(timeout=timeout)
        if got:
            self.depth += 1
            self.taken += 1
        return got

    def release(self) -> None:
        self.depth -= 1
        self.given += 1
        self._lock.release()


@pytest.mark.parametrize("name", PAGE_IDS)
def test_every_page_runs_its_whole_body_in_its_turn(name, monkeypatch):
    rec = Recording()
    monkeypatch.setattr(turns, "_turn", rec)
    depth_at: dict[str, int] = {}
    for fn in ("page_setup", "share_box"):  # the first and the last thing every page does
        real = getattr(widgets, fn)

        def spy(*a, _real=real, _fn=fn, **k):
            depth_at[_fn] = rec.depth
            return _real(*a, **k)

        monkeypatch.setattr(widgets, fn, spy)
    no_exception(open_page(name))
    assert depth_at == {"page_setup": 1, "share_box": 1}
    assert rec.taken == rec.given == 1 and rec.depth == 0


def test_turns_never_overlap_and_are_given_back_on_errors():
    inside, most, order = [0], [0], []
    guard = threading.Lock()

    def run(i: int) -> None:
        try:
            with turns.turn():
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
        t.join(10)
    assert sorted(order) == list(range(12))  # every run ran
    assert most[0] == 1  # never two at once
    assert turns._turn.acquire(timeout=0)  # and the turn is free afterwards
    turns._turn.release()


def test_a_run_stuck_past_the_wait_does_not_stop_the_others(monkeypatch, caplog):
    monkeypatch.setattr(turns, "WAIT_S", 0.05)
    held, done = threading.Event(), threading.Event()

    def stuck() -> None:
        with turns.turn():
            held.set()
            done.wait(10)

    t = threading.Thread(target=stuck)
    t.start()
    held.wait(10)
    ran = []
    with caplog.at_level("WARNING", logger="ui.turns"), turns.turn():
        ran.append(True)
    done.set()
    t.join(10)
    assert ran == [True]
    assert "waited" in caplog.text
