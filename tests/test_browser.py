"""Real-browser tests: a real `streamlit run`, driven by Playwright and Chromium.

Needs Debian's ``chromium`` (``apt-get install chromium``); ``playwright
install`` cannot download browsers here. Without it these tests skip with a
note, except under CI (``CI`` set), where a missing browser fails the run.
Screenshots of every page land in ``screenshots/`` (git-ignored).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

import bench.server
import gdcore
from ui.registry import PAGES as REGISTRY

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "screenshots"
CHROMIUM, ARGS = bench.server.CHROMIUM, bench.server.CHROMIUM_ARGS
DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
DRAWN = "() => !document.querySelector(\"[data-testid='stSkeleton']\")"
"""Every element of the run is drawn: none waits, as a skeleton, for its widget's code."""
PAGES = {p.id: p.url_path for p in REGISTRY}
# Streamlit's frontend, opened on a page's URL, first looks for its server
# under that page's path; those two probes answer 404 by design.
PROBES = ("/_stcore/health", "/_stcore/host-config")

pytestmark = pytest.mark.browser
SERVER_PID: dict[str, int] = {}


def _need_browser():
    problem = None
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        problem = "Python Playwright is not installed (pip install -r requirements-dev.txt)"
    if problem is None and not Path(CHROMIUM).exists():
        problem = "Debian's chromium is not installed (apt-get install chromium)"
    if problem:
        if os.environ.get("CI"):
            pytest.fail(f"browser tests are required under CI: {problem}")
        pytest.skip(f"browser tests skipped: {problem}")


@pytest.fixture(scope="module")
def server():
    _need_browser()
    try:
        with bench.server.serve("streamlit_app.py", within=60) as running:
            SERVER_PID[running.base] = running.pid
            yield running.base
    except bench.server.ServerDidNotStart as exc:
        pytest.fail(str(exc))


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Runs:
    """The script runs of one tab, as its websocket to the server tells them.

    The page asks for a run with a ``rerun_script`` message (a widget changed, a button or
    a page link was clicked, the page opened); the server answers ``new_session`` when a
    run starts and ``script_finished`` when it ends: finished, or stopped early because a
    newer run was asked for (a fragment that reruns the whole page ends that way too).
    Asked runs that arrive while one runs are folded into the next one."""

    COMPLETE = (
        "FINISHED_SUCCESSFULLY",
        "FINISHED_FRAGMENT_RUN_SUCCESSFULLY",
        "FINISHED_WITH_COMPILE_ERROR",
    )

    def __init__(self) -> None:
        self.asked = 0  # every run the tab asked for, on any of its sockets
        self.events: list[str] = []  # this socket's: "asked", "started", "finished", "stopped"
        self._socket = None

    def watch(self, ws) -> None:
        if not ws.url.endswith("/_stcore/stream"):
            return
        self._socket, self.events = ws, []
        ws.on("framesent", lambda payload: self._sent(ws, payload))
        ws.on("framereceived", lambda payload: self._received(ws, payload))

    def _sent(self, ws, payload) -> None:
        from streamlit.proto.BackMsg_pb2 import BackMsg

        if ws is not self._socket or isinstance(payload, str):
            return
        if BackMsg.FromString(payload).WhichOneof("type") == "rerun_script":
            self.asked += 1
            self.events.append("asked")

    def _received(self, ws, payload) -> None:
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        if ws is not self._socket or isinstance(payload, str):
            return
        msg = ForwardMsg.FromString(payload)
        kind = msg.WhichOneof("type")
        if kind == "new_session":
            self.events.append("started")
        elif kind == "script_finished":
            status = ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
            self.events.append("finished" if status in self.COMPLETE else "stopped")

    def settled(self) -> bool:
        """Every run asked for on this socket has started since it was asked, and the last
        one to start has finished (not stopped for a newer one)."""
        ev = self.events
        if "asked" not in ev:
            return False  # the page has not asked for its first run yet
        last_ask = len(ev) - 1 - ev[::-1].index("asked")
        after = [e for e in ev[last_ask + 1 :] if e != "asked"]
        return "started" in after and after[-1] == "finished"

    def __repr__(self) -> str:
        return f"{self.asked} asked; this socket: {' '.join(self.events[-30:])}"


class Page:
    """One browser tab on the app, collecting console errors; ``scheme`` is the browser's
    colour scheme, which the app's theme follows."""

    def __init__(self, browser, base, scheme: str = "light"):
        self.context = browser.new_context(
            viewport={"width": 1400, "height": 1000}, accept_downloads=True, color_scheme=scheme
        )
        self.page = self.context.new_page()
        self.base = base
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(f"page error: {exc}"))
        self.runs = Runs()
        self.page.on("websocket", self.runs.watch)

    def _console(self, msg):
        if msg.type != "error":
            return
        url = (msg.location or {}).get("url", "")
        if "404" in msg.text and url.endswith(PROBES):
            return
        self.errors.append(f"{msg.text} ({url})")

    def open(self, page: str, query: str = "", wait: bool = True):
        url = f"{self.base}/{PAGES[page]}" + (f"?{query}" if query else "")
        if not wait:
            self.page.goto(url)
            return self
        with self.reruns():
            self.page.goto(url)
        return self

    def settle(self, timeout_s: float = 90.0):
        """Wait until every run the page has asked the server for has finished and is drawn.

        The page's websocket says it exactly (:class:`Runs`): a run asked for (a click, a
        key, a page link) that has not begun yet, or a fragment's run that reruns the whole
        page, is still to come. The script state alone cannot say so: it reads
        ``notRunning`` until the server starts the run, which on a busy machine can take
        seconds. When the last run has finished, the page's own state says it has drawn it."""
        deadline = time.monotonic() + timeout_s
        while not self.runs.settled():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"the page's runs did not finish in {timeout_s:.0f} s: {self.runs}"
                )
            self.page.wait_for_timeout(50)  # lets Playwright deliver the websocket's frames
        self.page.wait_for_selector("[data-testid='stMain'] h1", timeout=90_000)
        self.page.wait_for_selector(DONE, timeout=90_000)
        # The frames are seen as they arrive, before the page's script handles them: let it.
        self.page.evaluate("() => new Promise((r) => requestAnimationFrame(() => setTimeout(r)))")
        self.page.wait_for_selector(DONE, timeout=90_000)
        # Streamlit loads each kind of widget's code on first use and draws a skeleton until
        # it has: after a finished run, a page under load still showed 13 skeletons and no
        # radio (Exercises' Predict then clicked no radio at all).
        self.page.wait_for_function(DRAWN, timeout=90_000)

    @contextlib.contextmanager
    def reruns(self, timeout_s: float = 90.0) -> Iterator[None]:
        """``with tab.reruns(): <an action>``: the action asks the server for a run (a click,
        Enter, a file chosen, a page link); wait until it was asked for, then :meth:`settle`.
        A file is uploaded before its run is asked for, however long that takes."""
        asked = self.runs.asked
        yield
        deadline = time.monotonic() + timeout_s
        while self.runs.asked == asked:
            if time.monotonic() > deadline:
                raise AssertionError(f"the action asked the server for no run in {timeout_s:.0f} s")
            self.page.wait_for_timeout(50)
        self.settle(timeout_s)

    @property
    def main(self):
        return self.page.locator("[data-testid='stMain']")

    def verdict(self) -> str:
        """The verdict card (the lesson's words) and, after the chart, its numbers."""
        card = self.main.locator("[data-testid='verdict-card']").first.inner_text()
        numbers = self.main.locator("[data-testid='verdict-numbers']")
        return card + ("\n" + numbers.first.inner_text() if numbers.count() else "")

    def chart_pixels(self, i: int = 0) -> bytes:
        return self.main.locator("[data-testid='stVegaLiteChart']").nth(i).screenshot()

    def close(self):
        self.context.close()


@pytest.fixture
def tab(browser, server, request):
    t = Page(browser, server)
    yield t
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        _tell_what_was_on_screen(t, request.node.name)
    t.close()


def _tell_what_was_on_screen(t: Page, name: str) -> None:
    """A failed browser test leaves a screenshot and says what the page showed: a test that
    timed out on a busy CI machine explains itself."""
    SHOTS.mkdir(exist_ok=True)
    shot = SHOTS / f"failed-{name}.png"
    try:
        t.page.screenshot(path=str(shot), full_page=True)
        state = t.page.locator("[data-test-script-state]").first.get_attribute(
            "data-test-script-state", timeout=5_000
        )
        text = t.main.inner_text(timeout=5_000)
    except Exception as exc:  # the page itself may be gone
        print(f"\n--- {name}: the page could not be read after the failure: {exc}")
        return
    print(f"\n--- {name} failed at {t.page.url} (script {state}); screenshot {shot}")
    print(f"--- the page's main area said:\n{text[:4000]}")
    print(f"--- the page's runs (its websocket): {t.runs}")
    if t.errors:
        print(f"--- console errors: {t.errors}")


def _assert_healthy(t: Page, charts_at_least: int = 1):
    assert t.page.locator("[data-testid='stException']").count() == 0
    charts = t.main.locator("[data-testid='stVegaLiteChart']")
    if charts_at_least:
        charts.nth(charts_at_least - 1).wait_for(timeout=30_000)  # Vega draws after the run
    for i in range(charts.count()):
        # Vega draws its marks into a canvas (or svg) of real size.
        marks = charts.nth(i).locator("canvas, svg.marks").first
        marks.wait_for(timeout=30_000)
        box = marks.bounding_box()
        assert box and box["width"] > 50 and box["height"] > 50
    assert not t.errors, t.errors


@pytest.mark.parametrize("name", list(PAGES))
def test_page_loads_draws_charts_and_is_screenshotted(tab, name):
    # The exercises page opens on "Read a curve" here, which draws charts
    # (the default "Predict, then run" shows none before the learner commits).
    tab.open(name, "exercise=read" if name == "exercises" else "")
    _assert_healthy(tab)
    SHOTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _sidebar(t: Page) -> str:
    return t.page.locator("[data-testid='stSidebar']").inner_text()


def _go(t: Page, title: str) -> None:
    with t.reruns():
        t.page.locator("[data-testid='stSidebar']").get_by_role("link", name=title).click()


IMAGE_PAGES = [p for p in REGISTRY if any(f.url == "image" for f in p.fields)]


def test_the_sidebar_keeps_every_setting_through_every_page_twice(tab):
    """From a non-default image, size and scale and a page setting, two rounds of the sidebar."""
    tab.open("explore", "image=stripes&size=32&scale=standard&lr=0.3")
    for _ in range(2):
        for p in [*REGISTRY[1:], REGISTRY[0]]:
            _go(tab, p.title)
            assert tab.page.locator("h1").first.inner_text().endswith(p.title)
            if p in IMAGE_PAGES:
                side = _sidebar(tab)
                assert gdcore.BUILTINS["stripes"].description in side, p.id
                assert "image=stripes&size=32&scale=standard" in tab.page.url, (p.id, tab.page.url)
                # The scale radio shows standard; the size slider shows 32.
                assert "standard: x, y and brightness shifted" in side
                assert tab.page.get_by_role("slider").first.get_attribute("aria-valuetext") == "32"
    assert "lr=0.3" in tab.page.url and "rate 0.3" in tab.verdict()
    # Leaving a page while its pictures load can ask for a picture the server has already let
    # go (a run's media is freed when the next run replaces it): a 404 for a page no longer
    # shown (seen once on a busy CI machine). Every picture on screen at the end has loaded.
    tab.errors = [e for e in tab.errors if not ("404" in e and "/media/" in e)]
    pictures = tab.main.locator("img").all()
    assert pictures and all(
        img.evaluate("i => i.complete && i.naturalWidth > 0") for img in pictures
    )
    _assert_healthy(tab)


def test_a_classroom_link_stays_locked_through_the_sidebar(tab):
    tab.open("explore", "image=noise&scale=raw&lock=image,scale&lr=0.001")
    for p in [*REGISTRY[1:], REGISTRY[0]]:
        _go(tab, p.title)
        if p in IMAGE_PAGES:
            main = tab.main.inner_text()
            assert "Classroom link" in main and "fixed: image, scale" in main, p.id
            assert "lock=image%2Cscale" in tab.page.url or "lock=image,scale" in tab.page.url
            assert gdcore.BUILTINS["noise"].description in _sidebar(tab)
            picker = tab.page.locator("[data-testid='stSidebar'] [data-testid='stSelectbox']")
            assert picker.locator("input").first.is_disabled(), p.id
    assert "rate 0.001" in tab.verdict()


def _share_link(t: Page) -> str:
    t.main.get_by_text("Share this run").click()
    code = t.main.locator("[data-testid='stCode'] code").last
    code.wait_for()
    return code.inner_text().strip()


CONTROLS = {
    # page: (how to change a control, text that must then appear in the verdict)
    "explore": ("Learning rate", "3", "TOO LARGE"),
    "compare": ("Learning rates (up to 8, commas between)", "0.0005, 5", None),
    "sweep": ("Smallest rate", "0.1", None),
    "walk": ("Rate, as a multiple of the edge rate", "1.05", None),
    "step": ("Starting weight", "3", None),
    "diagnose": (
        "Your errors or training log, epoch 0 first",
        "10 9.99 9.98 9.97 9.96",
        "TOO SMALL",
    ),
}


@pytest.mark.parametrize("name", list(CONTROLS))
def test_a_control_changes_the_result_and_the_share_link_reproduces_it(browser, server, tab, name):
    label, value, verdict = CONTROLS[name]
    tab.open(name)
    before_chart = tab.chart_pixels()
    before_text = tab.main.inner_text()
    box = tab.page.get_by_label(label, exact=True)
    box.fill(value)
    with tab.reruns():
        box.press("Control+Enter" if name == "diagnose" else "Enter")
    after_text = tab.main.inner_text()
    assert after_text != before_text
    assert tab.chart_pixels() != before_chart
    if verdict:
        assert verdict in tab.verdict()
    link = _share_link(tab)
    assert link.startswith(server)
    fresh = Page(browser, server)
    try:
        fresh.page.goto(link)
        fresh.settle()
        _assert_healthy(fresh)
        if verdict:
            assert fresh.verdict() == tab.verdict()
        # The same run: every table on the page says the same.
        ours = [d.inner_text() for d in tab.main.locator("[data-testid='stMetricValue']").all()]
        theirs = [d.inner_text() for d in fresh.main.locator("[data-testid='stMetricValue']").all()]
        assert ours == theirs
    finally:
        fresh.close()
    assert not tab.errors, tab.errors


HOSTILE = "image=..%2F..%2Fetc%2Fpasswd&scale=%3Cscript%3Ealert(1)%3C%2Fscript%3E&size=1e309&lr=nan&epochs=-5&rates=0,-1&from=-3&to=inf&points=99999&speed=1e6&errors=1,abc&w=abc&weight=w9"


@pytest.mark.parametrize("name", list(PAGES))
def test_hostile_links_show_defaults_and_a_note(tab, name):
    dialogs = []
    tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    tab.open(name, HOSTILE)
    _assert_healthy(tab, 0 if name == "exercises" else 1)
    note = tab.main.locator("[data-testid='stAlertContentWarning']").first
    assert "could not be used" in note.inner_text()
    assert not dialogs  # the <script> value is shown as text, never run


def test_upload_through_the_file_chooser(tab, tmp_path):
    ramp = np.tile(np.linspace(0, 250, 30), (20, 1)).astype(np.uint8)
    path = tmp_path / "my-ramp.png"
    Image.fromarray(ramp).save(path)
    tab.open("explore", "image=upload")
    with tab.reruns():  # the file is uploaded, then its run asked for
        tab.page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    text = tab.main.inner_text()
    assert "my-ramp.png · 600 pixels" in text  # 30 x 20, at full size
    _assert_healthy(tab)


def test_csv_download_has_the_header_and_every_epoch(tab):
    tab.open("compare", "rates=0.2,0.9&epochs=75")
    asked = tab.runs.asked
    with tab.page.expect_download() as info:
        tab.main.get_by_text("Download the error table (CSV)").click()
    # A download asks for no run: a run would replace the table's file, built on the click,
    # while the browser fetches it (under load the download then never came).
    assert tab.runs.asked == asked
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text())))
    assert rows[0] == ["epoch", "rate 0.2", "rate 0.9"]
    assert len(rows) == 1 + 76
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    res = gdcore.run_descent(table, [0.2, 0.9], 75)
    np.testing.assert_allclose([float(r[2]) for r in rows[1:]], res.errors[1], rtol=1e-12)


def test_eight_users_at_once_each_see_their_own_run(browser, server):
    rates = [0.001, 0.01, 0.1, 0.3, 0.6, 1.0, 1.5, 3.0]
    images = ["scene", "plane", "spot", "noise", "diagonal", "stripes", "checkerboard", "scene"]
    tabs = [Page(browser, server) for _ in rates]
    try:
        for t, lr, img in zip(tabs, rates, images, strict=True):
            t.open("explore", f"lr={lr}&image={img}&size=32", wait=False)
        for t in tabs:
            t.settle()
        for t, lr, img in zip(tabs, rates, images, strict=True):
            table = gdcore.pixel_table(gdcore.builtin_image(img, 32), "unit")
            th = gdcore.theory(gdcore.quadratic(table))
            res = gdcore.run_descent(table, [lr], 200)
            d = gdcore.diagnose_run(res.errors[0], lr, th, np.zeros(3))
            shown = t.verdict()
            assert d.verdict.upper() in shown and f"rate {lr:g}" in shown
            assert f"{img} (32×32)" in t.main.inner_text()
            _assert_healthy(t)
    finally:
        for t in tabs:
            t.close()


def test_a_classroom_link_cannot_change_a_locked_control(browser, server, tab):
    tab.open("explore", "lock=lr:0.02,image:noise&hide=seed,batch&lr=7")
    _assert_healthy(tab)
    assert "Classroom link" in tab.main.inner_text()
    box = tab.page.get_by_label("Learning rate", exact=True)
    assert box.is_disabled()
    box.fill("5", force=True)  # even forced typing does not change the run
    box.press("Enter")
    tab.settle()
    assert "rate 0.02" in tab.verdict()
    assert tab.page.get_by_label("Seed", exact=True).count() == 0
    sidebar = tab.page.locator("[data-testid='stSidebar']").inner_text()
    assert gdcore.BUILTINS["noise"].description in sidebar


def test_a_file_over_the_upload_limit_is_refused_with_a_message(tab, tmp_path):
    big = tmp_path / "huge.png"
    big.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(11 * 1024 * 1024))  # 11 MB; the limit is 10
    tab.open("explore", "image=upload")
    before = tab.verdict()
    tab.page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(big))
    # The browser refuses the file itself (no run is asked for): wait for what it says.
    side = tab.page.locator("[data-testid='stSidebar']")
    side.get_by_text(re.compile("large|smaller")).first.wait_for(timeout=60_000)
    tab.settle()
    sidebar = side.inner_text()
    assert "10" in sidebar and "MB" in sidebar and ("large" in sidebar or "smaller" in sidebar)
    assert tab.verdict() == before  # the page keeps what it had
    assert tab.page.locator("[data-testid='stException']").count() == 0


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def test_twenty_sessions_at_once_each_get_their_own_results(browser, server, capsys):
    """Load test: 20 sessions with different runs, all at once; memory stays bounded."""
    pid = SERVER_PID.get(server)
    rss_before = _rss_mb(pid) if pid else float("nan")
    names = list(gdcore.BUILTINS)
    runs = [(names[i % len(names)], 0.05 * (i + 1), 16 * (1 + i % 4)) for i in range(20)]
    tabs = [Page(browser, server) for _ in runs]
    start = time.perf_counter()
    try:
        for t, (img, lr, size) in zip(tabs, runs, strict=True):
            t.open("explore", f"image={img}&lr={lr:g}&size={size}", wait=False)
        for t in tabs:
            t.settle()
        elapsed = time.perf_counter() - start
        rss_after = _rss_mb(pid) if pid else float("nan")
        for t, (img, lr, size) in zip(tabs, runs, strict=True):
            table = gdcore.pixel_table(gdcore.builtin_image(img, size), "unit")
            th = gdcore.theory(gdcore.quadratic(table))
            res = gdcore.run_descent(table, [lr], 200)
            d = gdcore.diagnose_run(res.errors[0], lr, th, np.zeros(3))
            assert d.verdict.upper() in t.verdict() and f"rate {lr:g}" in t.verdict()
            assert f"{img} ({size}×{size})" in t.main.inner_text()
            assert t.page.locator("[data-testid='stException']").count() == 0
    finally:
        for t in tabs:
            t.close()
    figures = {
        "sessions": len(runs),
        "all_done_s": round(elapsed, 1),
        "server_rss_before_mb": round(rss_before),
        "server_rss_after_mb": round(rss_after),
    }
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "load.json").write_text(str(figures))
    with capsys.disabled():
        print(f"\nload test: {figures}")
    if pid:
        assert rss_after - rss_before < 1500, figures


# axe-core comes from PyPI inside axe-playwright-python (pinned in requirements-dev.txt), so
# a clean clone gets it with the README's install command; only its axe.min.js is used.
BLOCKING = ("serious", "critical")
BACKGROUNDS = {"light": "rgb(255, 255, 255)", "dark": "rgb(20, 23, 28)"}  # .streamlit/config.toml


def _axe(t: Page) -> list[dict]:
    from axe_playwright_python.base import AXE_SCRIPT

    t.page.evaluate(AXE_SCRIPT)
    return t.page.evaluate("axe.run(document, {resultTypes: ['violations']})")["violations"]


def _report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"{v['id']} ({v['impact']}): {v['help']}")
        for node in v["nodes"][:5]:
            data = (node.get("any") or [{}])[0].get("data")
            lines.append(f"    {node['html'][:120]} {data if isinstance(data, dict) else ''}")
    return "\n".join(lines)


@pytest.mark.parametrize("scheme", list(BACKGROUNDS))
@pytest.mark.parametrize("name", list(PAGES))
def test_every_page_passes_axe_core_in_both_themes(browser, server, name, scheme):
    """No serious or critical axe-core violation; every chart and picture says what it shows."""
    t = Page(browser, server, scheme)
    try:
        t.open(name, "exercise=read" if name == "exercises" else "")
        _assert_healthy(t, 0)  # a page without a chart at its defaults is checked all the same
        app = t.page.locator("[data-testid='stApp']")
        assert app.evaluate("e => getComputedStyle(e).backgroundColor") == BACKGROUNDS[scheme]
        found = _axe(t)
        if [v for v in found if v["impact"] in BLOCKING]:
            # Once, under CI load, the Compare sidebar was caught mid-draw (its table of runs
            # not yet focusable); a page that has settled again is what a learner meets.
            t.page.wait_for_load_state("networkidle")
            t.settle()
            found = _axe(t)
        assert not [v for v in found if v["impact"] in BLOCKING], _report(found)
        # Each chart's accessible name is its text alternative: a title and numbers.
        charts = t.main.locator("[data-testid='stVegaLiteChart']")
        for i in range(charts.count()):
            label = charts.nth(i).get_attribute("aria-label")
            assert label and re.search(r"\d", label) and len(label) > 60, label
        for img in t.main.locator("img").all():
            assert (img.get_attribute("alt") or "").strip(), img.evaluate("e => e.outerHTML")
        SHOTS.mkdir(exist_ok=True)
        t.page.screenshot(path=str(SHOTS / f"{name}-{scheme}.png"), full_page=True)
    finally:
        t.close()


@pytest.mark.parametrize(
    "query",
    ["momentum=0.9995", "momentum=0.9995&lock=momentum", "momentum=0.9995&hide=momentum"],
)
def test_one_momentum_link_is_one_run_opened_plain_locked_or_hidden(tab, query):
    # The widget stopped at 0.999: opened plainly or locked, the page ran β = 0 and said GOOD,
    # and dropped momentum from the address bar; hidden, it ran β 0.9995. Now each way runs
    # β 0.9995, and the card says the engine's verdict for that run (a heavy ball that swings
    # and barely damps: too large, not too small).
    tab.open("explore", query)
    _assert_healthy(tab)
    assert "momentum=0.9995" in tab.page.url
    table = gdcore.pixel_table(gdcore.builtin_image("scene", 64), "unit")
    th = gdcore.theory(gdcore.quadratic(table))
    optimizer = gdcore.Optimizer(momentum=0.9995)
    run = gdcore.run_descent(table, [0.5], 200, optimizer=optimizer)
    want = gdcore.diagnose(run.errors[0], 0.5, th, run.weights[0, 0], optimizer=optimizer).verdict
    verdict = tab.verdict()
    assert want.upper() in verdict and "GOOD" not in verdict
    if "hide" not in query:
        box = tab.page.get_by_role("spinbutton", name="Momentum β (0 = plain descent)")
        assert box.input_value() == "0.9995"


def test_compare_runs_keep_every_digit_in_the_address_bar(tab):
    runs = "1.2345678 momentum=0.9999999; 0.33333333 momentum=0.123456789"
    tab.open("compare", "runs=" + urllib.parse.quote(runs))
    _assert_healthy(tab)
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(tab.page.url).query)
    assert query["runs"] == [runs]


@pytest.mark.parametrize(
    "name, verdict, said",
    [
        ("tensorboard_good.csv", "GOOD", "the log counts steps (160 values)"),
        (
            "lightning_step_small.csv",
            "TOO SMALL",
            "the log counts steps (160 values over 10 epochs)",
        ),
    ],
)
def test_diagnose_a_noisy_log_draws_its_trend_over_faint_points(tab, name, verdict, said):
    # Real logs (tests/data/frameworks): TensorBoard's CSV download and Lightning's per-step loss.
    path = ROOT / "tests" / "data" / "frameworks" / name
    tab.open("diagnose")
    with tab.reruns():  # the file is uploaded, then its run asked for
        tab.page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(path))
    assert verdict in tab.verdict().upper() and "trend" in tab.verdict()
    assert said in tab.main.inner_text()
    _assert_healthy(tab)
    SHOTS.mkdir(exist_ok=True)
    tab.page.screenshot(path=str(SHOTS / f"diagnose-{Path(name).stem}.png"), full_page=True)
