"""A load test that speaks Streamlit: real sessions over the WebSocket, as a browser opens them.

Each simulated learner does what the browser does (Streamlit 1.67's frontend):

1. ``GET`` the page (the balancer's sticky cookie and Streamlit's XSRF cookie come back),
2. opens ``/_stcore/stream`` with those cookies and sends a ``rerun_script`` ``BackMsg``
   carrying the URL's query string and the page's name,
3. reads ``ForwardMsg`` messages until ``script_finished``: that is one run; widgets are
   found by their key (an element id ends with ``-<key>``),
4. changes a control by sending ``rerun_script`` with the widgets' states,
5. uploads a file the browser's way: a ``file_urls_request`` ``BackMsg``, a ``PUT`` of the
   file to the ``upload_url`` that comes back (with the XSRF header), then a rerun that
   carries the uploader's ``file_uploader_state_value``.

Every run is timed from the request to ``script_finished``. A failure is any exception
element or error box in a run, a run that does not finish, a disconnect or a refused HTTP
request. The published URL (the app writes every setting into it) is checked after each
change to hold this session's own value. Each replica's memory (RSS from ``/proc``) is
sampled throughout.

    python -m bench.load arrivals --replicas 1      # (a) on one process
    python -m bench.load arrivals --replicas 2      # (a) on 2 replicas behind HAProxy
    python -m bench.load uploads --replicas 2       # (b)
    python -m bench.load arrivals --sessions 6 --over 3 --changes 2 --think 0.5  # a short one

Results go to ``bench/load_results.json`` (one entry per scenario and set-up);
``python -m bench.load table`` prints the tables of docs/performance.md from it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import importlib.machinery
import importlib.util
import io
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import h11
import numpy as np
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from bench.server import free_port

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "load_results.json"
RUN_TIMEOUT_S = 120.0
HTTP_TIMEOUT_S = 60.0
XSRF_COOKIE = "_streamlit_xsrf"
REPLICA_COOKIE = "explorer_replica"  # deploy/haproxy.cfg's `cookie` line
UPLOAD_BYTES = 3_000_000
FINISHED = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_SUCCESSFULLY")


def load_replicas_module() -> Any:
    """deploy/replicas as a module (it is a script without a .py suffix)."""
    path = ROOT / "deploy" / "replicas"
    loader = importlib.machinery.SourceFileLoader("deploy_replicas", str(path))
    spec = importlib.util.spec_from_loader("deploy_replicas", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


# --- HTTP/1.1, one request per connection (h11 ships with uvicorn, which Streamlit needs) ---


async def http(
    port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""
) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request to 127.0.0.1:port; (status, headers, body)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        conn = h11.Connection(h11.CLIENT)
        hdrs = [("Host", f"127.0.0.1:{port}"), ("Connection", "close"), *headers.items()]
        if body or method in ("PUT", "POST"):
            hdrs.append(("Content-Length", str(len(body))))
        writer.write(conn.send(h11.Request(method=method, target=path, headers=hdrs)))
        if body:
            writer.write(conn.send(h11.Data(data=body)))
        writer.write(conn.send(h11.EndOfMessage()))
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            await writer.drain()  # a server may answer (413) and close before the body ends
        status, got, chunks = 0, [], []
        while True:
            event = conn.next_event()
            if event is h11.NEED_DATA:
                conn.receive_data(await reader.read(65536))
            elif isinstance(event, h11.Response):
                status = event.status_code
                got = [(k.decode().lower(), v.decode("latin-1")) for k, v in event.headers]
            elif isinstance(event, h11.Data):
                chunks.append(bytes(event.data))
            elif isinstance(event, h11.EndOfMessage | h11.ConnectionClosed):
                return status, got, b"".join(chunks)
    finally:
        writer.close()
        with contextlib.suppress(OSError):
            await writer.wait_closed()


def multipart(name: str, data: bytes, mime: str) -> tuple[bytes, str]:
    """A multipart/form-data body with one file field named "file", as the browser sends it."""
    boundary = "----explorerload" + os.urandom(8).hex()
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
        f"Content-Type: {mime}\r\n\r\n"
    ).encode()
    return (
        head + data + f"\r\n--{boundary}--\r\n".encode(),
        f"multipart/form-data; boundary={boundary}",
    )


# --- one learner ---


class Failure(Exception):
    """Something a learner would see as broken: the message says what."""


@dataclass
class Learner:
    """One browser session against 127.0.0.1:port."""

    port: int
    label: str
    cookies: dict[str, str] = field(default_factory=dict)
    times: list[tuple[str, float]] = field(default_factory=list)  # (what, seconds)
    failures: list[str] = field(default_factory=list)
    widgets: dict[str, Any] = field(default_factory=dict)  # user key -> widget proto, last run
    texts: list[str] = field(default_factory=list)  # Markdown bodies of the last run
    query_string: str = ""
    session_id: str = ""
    largest_message: int = 0
    _states: dict[str, Any] = field(default_factory=dict)  # widget id -> WidgetState
    _page_hash: str = ""
    _run_widgets: dict[str, Any] = field(default_factory=dict)
    _run_texts: list[str] = field(default_factory=list)
    _run_errors: list[str] = field(default_factory=list)
    _finished: asyncio.Queue | None = None
    _file_urls: dict[str, asyncio.Future] = field(default_factory=dict)
    _ws: Any = None
    _reader: asyncio.Task | None = None

    @property
    def replica(self) -> str:
        return self.cookies.get(REPLICA_COOKIE, "")

    def _cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def _take_cookies(self, headers: list[tuple[str, str]]) -> None:
        for k, v in headers:
            if k == "set-cookie":
                name, _, rest = v.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0].strip()

    async def _get(self, path: str) -> None:
        status, headers, _ = await http(self.port, "GET", path, {"Cookie": self._cookie_header()})
        self._take_cookies(headers)
        if status != 200:
            raise Failure(f"GET {path} answered {status}")

    async def open(self, url_path: str, query: str) -> float:
        """Load a page by URL (``url_path`` as in ui/registry.py); the first run's seconds."""
        self._finished = asyncio.Queue()
        page = "/" + url_path + (f"?{query}" if query else "")
        t0 = time.perf_counter()
        await self._get(page)
        await self._get("/_stcore/health")  # the browser asks too; it sets the XSRF cookie
        xsrf = self.cookies.get(XSRF_COOKIE, "")
        self._ws = await connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream",
            subprotocols=["streamlit", xsrf] if xsrf else ["streamlit"],  # type: ignore[list-item]
            additional_headers={"Cookie": self._cookie_header()},
            origin=f"http://127.0.0.1:{self.port}",  # type: ignore[arg-type]
            max_size=None,
            compression=None,
            open_timeout=HTTP_TIMEOUT_S,
            # A browser never pings; the server does (and this client answers). Pinging from
            # here would close sessions whose server is too busy to answer within 20 s.
            ping_interval=None,
        )
        self._reader = asyncio.create_task(self._read())
        self.query_string = query
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = url_path
        return await self._run(msg, f"open {url_path or 'explore'}", t0)

    async def change(self, key: str, value: Any) -> float:
        """Set the widget with user key ``key`` as the browser would; the run's seconds."""
        proto = self.widgets.get(key)
        if proto is None:
            raise Failure(f"no widget with key {key!r} in the last run")
        kind = proto.WhichOneof("type")
        widget = getattr(proto, kind)
        state = self._states.setdefault(widget.id, _widget_state(widget.id))
        if kind == "number_input":
            if widget.data_type == widget.DataType.Value("INT"):
                state.int_value = int(value)
            else:
                state.double_value = float(value)
        elif kind == "slider":
            state.double_array_value.data[:] = [float(v) for v in np.atleast_1d(value)]
        else:
            raise Failure(f"changing a {kind} is not written in this load test")
        return await self._rerun(f"change {key}")

    async def upload(self, key: str, name: str, data: bytes, mime: str = "image/jpeg") -> float:
        """Upload ``data`` through the uploader with key ``key``; seconds to the run's end."""
        proto = self.widgets.get(key)
        if proto is None or proto.WhichOneof("type") != "file_uploader":
            raise Failure(f"no file uploader with key {key!r} in the last run")
        t0 = time.perf_counter()
        request_id = os.urandom(8).hex()
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._file_urls[request_id] = future
        msg = BackMsg()
        msg.file_urls_request.request_id = request_id
        msg.file_urls_request.file_names.append(name)
        msg.file_urls_request.session_id = self.session_id
        await self._ws.send(msg.SerializeToString())
        response = await asyncio.wait_for(future, HTTP_TIMEOUT_S)
        if response.error_msg or not response.file_urls:
            raise Failure(f"file_urls_request refused: {response.error_msg!r}")
        urls = response.file_urls[0]
        path = urllib.parse.urlsplit(urls.upload_url).path
        body, ctype = multipart(name, data, mime)
        status, headers, answer = await http(
            self.port,
            "PUT",
            path,
            {
                "Cookie": self._cookie_header(),
                "X-Xsrftoken": self.cookies.get(XSRF_COOKIE, ""),
                "Content-Type": ctype,
                "Origin": f"http://127.0.0.1:{self.port}",
            },
            body,
        )
        self._take_cookies(headers)
        if status != 204:
            raise Failure(f"PUT {path} answered {status}: {answer[:200].decode(errors='replace')}")
        uploader = proto.file_uploader
        state = self._states.setdefault(uploader.id, _widget_state(uploader.id))
        info = state.file_uploader_state_value.uploaded_file_info
        del info[:]
        item = info.add()
        item.file_id, item.name, item.size = urls.file_id, name, len(data)
        item.file_urls.CopyFrom(urls)
        return await self._rerun(f"upload {name}", t0)

    async def close(self) -> None:
        if self._ws is not None:
            await self._ws.close()
        if self._reader is not None:
            with contextlib.suppress(asyncio.CancelledError, WebSocketException, OSError):
                await self._reader

    async def _rerun(self, what: str, t0: float | None = None) -> float:
        msg = BackMsg()
        msg.rerun_script.query_string = self.query_string
        msg.rerun_script.page_script_hash = self._page_hash
        live = {getattr(w, w.WhichOneof("type")).id for w in self.widgets.values()}
        for wid, state in self._states.items():
            if wid in live:
                msg.rerun_script.widget_states.widgets.append(state)
        return await self._run(msg, what, t0)

    async def _run(self, msg: BackMsg, what: str, t0: float | None = None) -> float:
        assert self._finished is not None
        t0 = time.perf_counter() if t0 is None else t0
        await self._ws.send(msg.SerializeToString())
        while True:
            try:
                status = await asyncio.wait_for(self._finished.get(), RUN_TIMEOUT_S)
            except TimeoutError:
                raise Failure(f"{what}: no script_finished within {RUN_TIMEOUT_S:.0f} s") from None
            if status is None:
                raise Failure(f"{what}: the connection closed ({self._closed_why()})")
            if status == FINISHED:
                break  # an earlier status is a run cut short for a rerun: wait for that one
        seconds = time.perf_counter() - t0
        self.widgets, self.texts = dict(self._run_widgets), list(self._run_texts)
        self.times.append((what, seconds))
        if self._run_errors:
            raise Failure(f"{what}: " + " | ".join(self._run_errors))
        return seconds

    def _closed_why(self) -> str:
        proto = self._ws.protocol
        rcvd, sent = proto.close_rcvd, proto.close_sent
        if rcvd is not None:
            return f"the server sent close {rcvd.code} {rcvd.reason!r}"
        if sent is not None:
            return f"this client sent close {sent.code} {sent.reason!r}"
        return "no close frame: the TCP connection dropped"

    async def _read(self) -> None:
        assert self._finished is not None
        try:
            async for raw in self._ws:
                self.largest_message = max(self.largest_message, len(raw))
                fm = ForwardMsg()
                fm.ParseFromString(raw)
                self._on(fm)
        except (WebSocketException, OSError):
            pass
        finally:
            self._finished.put_nowait(None)

    def _on(self, fm: ForwardMsg) -> None:
        kind = fm.WhichOneof("type")
        if kind == "new_session":
            ns = fm.new_session
            self._page_hash = ns.page_script_hash or self._page_hash
            if ns.initialize.session_id:
                self.session_id = ns.initialize.session_id
            self._run_widgets, self._run_texts, self._run_errors = {}, [], []
        elif kind == "delta" and fm.delta.WhichOneof("type") == "new_element":
            el = fm.delta.new_element
            etype = el.WhichOneof("type")
            if etype == "exception":
                self._run_errors.append(f"exception {el.exception.type}: {el.exception.message}")
            elif etype == "alert" and el.alert.format == el.alert.Format.Value("ERROR"):
                self._run_errors.append(f"error box: {el.alert.body[:200]}")
            elif etype == "markdown":
                self._run_texts.append(el.markdown.body)
            inner = getattr(el, etype) if etype else None
            wid = getattr(inner, "id", "") if inner is not None else ""
            if isinstance(wid, str) and wid.startswith("$$ID-"):
                self._run_widgets[wid.split("-", 2)[2]] = el
        elif kind == "navigation" and fm.navigation.page_script_hash:
            self._page_hash = fm.navigation.page_script_hash  # the page this run is on
        elif kind == "page_info_changed":
            self.query_string = fm.page_info_changed.query_string
        elif kind == "file_urls_response":
            future = self._file_urls.pop(fm.file_urls_response.response_id, None)
            if future is not None and not future.done():
                future.set_result(fm.file_urls_response)
        elif kind == "script_finished":
            self._finished.put_nowait(fm.script_finished)  # type: ignore[union-attr]
        elif kind == "ref_hash":
            self._run_errors.append("a cached message reference arrived (never asked for)")


def _widget_state(wid: str) -> Any:
    from streamlit.proto.WidgetStates_pb2 import WidgetState

    state = WidgetState()
    state.id = wid
    return state


def published(learner: Learner, url: str) -> str | None:
    """The value the app wrote into this session's URL for ``url``, if any."""
    values = urllib.parse.parse_qs(learner.query_string).get(url)
    return values[-1] if values else None


# --- what each page's learners do ---


@dataclass(frozen=True)
class Plan:
    """How a learner opens a page and which control it moves: query, then values for ``key``."""

    page: str  # ui.registry page id
    query: Callable[[int], str]
    key: str
    url: str | None  # the URL name the app publishes the control under, if it does
    value: Callable[[int, int], float]  # (learner, change) -> value


PLANS = (
    Plan("explore", lambda i: f"lr={0.2 + 0.001 * i:.6g}&epochs=100", "ex_lr", "lr",
         lambda i, k: round(0.05 + 0.0005 * i + 0.04 * k, 6)),
    Plan("compare", lambda i: "epochs=150", "cmp_epochs", "epochs",
         lambda i, k: 100 + (i % 40) + 50 * k),
    Plan("sweep", lambda i: "points=12", "sw_points", "points",
         lambda i, k: 10 + (i + k) % 19),
    Plan("walk", lambda i: "epochs=20", "wk_epochs", "epochs",
         lambda i, k: 5 + (i + 3 * k) % 24),
    Plan("step", lambda i: "lr=0.02", "st_lr", "lr",
         lambda i, k: round(0.001 + 0.0001 * i + 0.003 * k, 6)),
    Plan("diagnose", lambda i: "lr=0.3", "dg_lr", "lr",
         lambda i, k: round(0.05 + 0.001 * i + 0.01 * k, 6)),
    Plan("exercises", lambda i: "exercise=largest", "xr_largest", None,
         lambda i, k: round(0.01 + 0.0001 * i + 0.01 * k, 6)),
)  # fmt: skip


def check_published(lr: Learner, plan: Plan, value: float) -> None:
    """The app wrote ``value`` into this session's URL (nothing if it is the default)."""
    from ui.registry import BY_ID

    assert plan.url is not None
    got = published(lr, plan.url)
    default = BY_ID[plan.page].field(plan.url).default
    if default is not None and np.isclose(value, default, rtol=1e-12, atol=0):
        if got is not None:
            raise Failure(f"the URL says {plan.url}={got} after setting the default {value}")
    elif got is None or not np.isclose(float(got), value, rtol=1e-9, atol=0):
        raise Failure(f"the URL says {plan.url}={got} after setting {value}")


def _url_path(page_id: str) -> str:
    from ui.registry import BY_ID

    return BY_ID[page_id].url_path


async def learner_session(
    port: int,
    i: int,
    plan: Plan,
    changes: int,
    think: float,
    hold: asyncio.Event | None = None,
    done: list[int] | None = None,
) -> Learner:
    """Open ``plan``'s page as learner ``i``, make ``changes`` changes ``think`` s apart."""
    lr = Learner(port, f"{plan.page}#{i}")
    try:
        await lr.open(_url_path(plan.page), plan.query(i))
        for k in range(changes):
            await asyncio.sleep(think)
            value = plan.value(i, k)
            await lr.change(plan.key, value)
            if plan.url is not None:
                check_published(lr, plan, value)
    except (Failure, WebSocketException, OSError, TimeoutError) as exc:
        lr.failures.append(f"{lr.label}: {exc or type(exc).__name__}")
    if done is not None:
        done.append(i)
    if hold is not None:
        await hold.wait()  # a class keeps its tabs open until the lesson ends
    return lr


# --- photos ---


def photo_jpeg(
    seed: int, target: int = UPLOAD_BYTES, size: tuple[int, int] = (2592, 1944)
) -> bytes:
    """A photo-like JPEG of about ``target`` bytes (within 10%): a 5-megapixel phone picture.

    Smooth light, a few soft shapes and sensor-like noise; the noise level is bisected
    until the encoded size is near the target. Different seeds give different pictures.
    """
    from PIL import Image

    rng = np.random.default_rng(seed)
    w, h = size
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    base = 90 + 80 * (x / w) * rng.uniform(0.5, 1) + 50 * np.sin(y / h * rng.uniform(2, 6))
    for _ in range(6):
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(100, 600)
        base += rng.uniform(-60, 60) * np.exp(-((x - cx) ** 2 + (y - cy) ** 2) / (2 * r * r))
    tint = rng.uniform(0.8, 1.2, size=3).astype(np.float32)
    grain = rng.standard_normal((h, w, 3), dtype=np.float32)
    lo, hi = 0.0, 40.0
    best = b""
    for _ in range(12):
        sigma = (lo + hi) / 2
        rgb = np.clip(base[..., None] * tint + sigma * grain, 0, 255).astype(np.uint8)
        buf = io.BytesIO()
        Image.fromarray(rgb).save(buf, "JPEG", quality=90)
        best = buf.getvalue()
        if abs(len(best) - target) <= 0.03 * target:
            break
        lo, hi = (sigma, hi) if len(best) < target else (lo, sigma)
    if abs(len(best) - target) > 0.1 * target:
        raise ValueError(f"could not make a {target:,}-byte photo (got {len(best):,})")
    return best


# --- servers and memory ---


def rss_mb(pid: int) -> float:
    """Resident memory of ``pid`` in MB (VmRSS from /proc), 0 if it is gone."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def cpu_seconds(pid: int) -> float:
    """User + system CPU time ``pid`` has used so far (from /proc), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Memory:
    """Samples each replica's RSS every ``every`` seconds in the background, and counts the
    CPU time each uses from start to end (what a run costs, whatever else the machine does)."""

    def __init__(self, pids: dict[str, int], every: float = 0.5) -> None:
        self.pids, self.every = pids, every
        self.peak = dict.fromkeys(pids, 0.0)
        self.cpu = dict.fromkeys(pids, 0.0)
        self._task: asyncio.Task | None = None

    def now(self) -> dict[str, float]:
        return {name: round(rss_mb(pid), 1) for name, pid in self.pids.items()}

    def cpu_used(self) -> dict[str, float]:
        return {n: round(cpu_seconds(pid) - self.cpu[n], 1) for n, pid in self.pids.items()}

    async def _sample(self) -> None:
        while True:
            for name, mb in self.now().items():
                self.peak[name] = max(self.peak[name], mb)
            await asyncio.sleep(self.every)

    def __enter__(self) -> Memory:
        self.cpu = {name: cpu_seconds(pid) for name, pid in self.pids.items()}
        self._task = asyncio.create_task(self._sample())
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()


@contextlib.contextmanager
def serve(replicas: int) -> Any:
    """Yield (port, {name: pid}): one plain process, or N replicas behind HAProxy."""
    rep = load_replicas_module()
    if replicas == 1:
        port = free_port()
        log = tempfile.NamedTemporaryFile(  # noqa: SIM115 - the server writes it until the end
            prefix="explorer-load-", suffix=".log", delete=False
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
             "--server.address", "127.0.0.1", "--server.port", str(port)],
            cwd=ROOT, env={**os.environ, **rep.PRODUCTION}, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + rep.START_TIMEOUT_S
            while not rep.health(port) and time.monotonic() < deadline:
                if proc.poll() is not None:
                    raise RuntimeError(f"streamlit exited; see {log.name}")
                time.sleep(0.25)
            yield port, {"process": proc.pid}
        finally:
            proc.terminate()
            try:
                proc.wait(rep.STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        return
    run_dir = Path(tempfile.mkdtemp(prefix="explorer-replicas-"))
    port = free_port()
    while not all(rep.port_free(p) for p in range(port, port + replicas + 1)):
        port = free_port()
    state = rep.start(replicas, port, "127.0.0.1", [], run_dir, sys.executable)
    try:
        yield port, {r["name"]: r["pid"] for r in state["replicas"]}
    finally:
        rep.stop(run_dir)


# --- scenarios ---


def summary(learners: list[Learner], memory: Memory, extra: dict[str, Any]) -> dict[str, Any]:
    times = [s for lr in learners for _, s in lr.times]
    q = np.percentile(times, [50, 95]) if times else [float("nan")] * 2
    per_replica: dict[str, int] = {}
    alone = "process" if list(memory.pids) == ["process"] else "none (refused by the balancer)"
    for lr in learners:
        per_replica[lr.replica or alone] = per_replica.get(lr.replica or alone, 0) + 1
    failures = [f for lr in learners for f in lr.failures]
    cpu = memory.cpu_used()
    return {
        "sessions": len(learners),
        "runs": len(times),
        "p50_s": round(float(q[0]), 3),
        "p95_s": round(float(q[1]), 3),
        "max_s": round(max(times), 3) if times else None,
        "failures": len(failures),
        "failure_examples": failures[:5],
        "sessions_per_replica": per_replica,
        "peak_rss_mb": {k: round(v, 1) for k, v in memory.peak.items()},
        "cpu_s": cpu,
        "cpu_ms_per_run": round(1000 * sum(cpu.values()) / len(times)) if times else None,
        "largest_message_mb": round(
            max((lr.largest_message for lr in learners), default=0) / 1e6, 2
        ),
        **extra,
    }


async def arrivals(
    port: int,
    pids: dict[str, int],
    sessions: int = 200,
    over: float = 60.0,
    changes: int = 5,
    think: float = 2.0,
    settle: float = 10.0,
) -> tuple[dict[str, Any], list[Learner]]:
    """Scenario (a): ``sessions`` learners arriving evenly over ``over`` seconds, each opening
    one page (the pages in turn) and making ``changes`` changes ``think`` seconds apart; all
    stay connected until the last is done, then leave."""
    hold = asyncio.Event()
    done: list[int] = []
    with Memory(pids) as mem:
        idle = mem.now()
        tasks = []
        t0 = time.perf_counter()
        for i in range(sessions):
            await asyncio.sleep(max(0.0, t0 + i * over / sessions - time.perf_counter()))
            plan = PLANS[i % len(PLANS)]
            tasks.append(
                asyncio.create_task(learner_session(port, i, plan, changes, think, hold, done))
            )
        # Every learner holds at `hold` once its changes are done (or it failed).
        while len(done) < sessions:
            await asyncio.sleep(0.2)
        connected = mem.now()
        hold.set()
        learners = list(await asyncio.gather(*tasks))
        await asyncio.gather(*(lr.close() for lr in learners))
        await asyncio.sleep(settle)
        after = mem.now()
        elapsed = time.perf_counter() - t0
    return summary(
        learners,
        mem,
        {
            "scenario": f"(a) {sessions} sessions over {over:g} s, {changes} changes {think:g} s apart",
            "rss_idle_mb": idle,
            "rss_all_connected_mb": connected,
            "rss_after_leaving_mb": after,
            "seconds": round(elapsed, 1),
        },
    ), learners


async def uploads(
    port: int, pids: dict[str, int], sessions: int = 10, reruns: int = 1
) -> tuple[dict[str, Any], list[Learner]]:
    """Scenario (b): ``sessions`` learners on Explore, each uploading a different 3 MB photo
    at the same moment; then each reruns (a new rate) and must still see its own photo."""
    photos = [photo_jpeg(seed) for seed in range(sessions)]
    learners = [Learner(port, f"upload#{i}") for i in range(sessions)]
    with Memory(pids) as mem:
        idle = mem.now()
        await asyncio.gather(*(lr.open("", "image=upload") for lr in learners))
        first: list[float] = []

        async def one(i: int, lr: Learner) -> None:
            try:
                first.append(await lr.upload("upload_file", f"photo-{i}.jpg", photos[i]))
                if not any(f"photo-{i}.jpg" in t for t in lr.texts):
                    raise Failure(f"photo-{i}.jpg is not named on the page after its upload")
                for k in range(reruns):
                    await lr.change("ex_lr", round(0.1 + 0.01 * i + 0.001 * k, 6))
                    if not any(f"photo-{i}.jpg" in t for t in lr.texts):
                        raise Failure(f"photo-{i}.jpg is gone after a rerun")
            except (Failure, WebSocketException, OSError, TimeoutError) as exc:
                lr.failures.append(f"{lr.label}: {exc}")

        await asyncio.gather(*(one(i, lr) for i, lr in enumerate(learners)))
        after = mem.now()
        await asyncio.gather(*(lr.close() for lr in learners))
    return summary(
        learners,
        mem,
        {
            "scenario": f"(b) {sessions} sessions each uploading a different 3 MB photo at once",
            "photo_bytes": [len(p) for p in photos],
            "first_result_max_s": round(max(first), 3) if first else None,
            "first_result_median_s": round(statistics.median(first), 3) if first else None,
            "rss_idle_mb": idle,
            "rss_after_uploads_mb": after,
        },
    ), learners


# --- (c) fair turns: cheap learners beside heavy sessions ---

CHEAP = Plan("explore", lambda i: f"lr={0.2 + 0.001 * i:.6g}&epochs=100", "ex_lr", "lr",
             lambda i, k: round(0.05 + 0.0005 * i + 0.0001 * k, 7))  # fmt: skip
HEAVY_KINDS = {
    # The Sweep at its caps: 200 rates x 20,000 epochs; each loop one epoch fewer (no cache hit).
    "sweep at caps": Plan("sweep", lambda i: "points=200&epochs=20000", "sw_epochs", "epochs",
                          lambda i, k: 20_000 - 1000 * i - k),
    # Explore's mini-batch at the work cap: 512 x 512 pixels, batches of one pixel, the epochs
    # that fit (15); each loop another rate.
    "mini-batch at the work cap": Plan(
        "explore", lambda i: f"size=512&batch=1&epochs=20000&lr={0.1 + 0.01 * i:.6g}", "ex_lr",
        "lr", lambda i, k: round(0.1 + 0.01 * i + 0.0001 * (k + 1), 7)),
}  # fmt: skip


def load_average() -> float:
    """The machine's 1-minute load average (how busy the shared cores were)."""
    return round(os.getloadavg()[0], 2)


async def cheap_learner(
    port: int,
    i: int,
    stop: asyncio.Event,
    rng: random.Random,
    opened: asyncio.Event,
    ready: list[int],
) -> Learner:
    """Open Explore, say so in ``ready``, wait for ``opened``, then change the rate every
    0.5-1.5 s until ``stop``."""
    lr = Learner(port, f"cheap#{i}")
    try:
        try:
            await lr.open(_url_path(CHEAP.page), CHEAP.query(i))
        finally:
            ready.append(i)
        await opened.wait()
        k = 0
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), rng.uniform(0.5, 1.5))
            if stop.is_set():
                break
            await lr.change(CHEAP.key, CHEAP.value(i, k))
            k += 1
    except (Failure, WebSocketException, OSError, TimeoutError) as exc:
        lr.failures.append(f"{lr.label}: {exc or type(exc).__name__}")
    return lr


async def heavy_tab(port: int, i: int, plan: Plan, stop: asyncio.Event,
                    cookies: dict[str, str]) -> Learner:  # fmt: skip
    """Open ``plan``'s heavy page and rerun it with a new value as soon as each run ends."""
    lr = Learner(port, f"heavy#{i}", cookies=cookies)  # tabs of one browser share its cookies
    try:
        await lr.open(_url_path(plan.page), plan.query(i))
        k = 0
        while not stop.is_set():
            await lr.change(plan.key, plan.value(i, k))
            k += 1
    except (Failure, WebSocketException, OSError, TimeoutError) as exc:
        lr.failures.append(f"{lr.label}: {exc or type(exc).__name__}")
    return lr


def _times(learners: list[Learner], skip_open: bool = True) -> list[float]:
    return [
        s for lr in learners for what, s in lr.times if not (skip_open and what.startswith("open"))
    ]


def _stats(times: list[float]) -> dict[str, Any]:
    if not times:
        return {"runs": 0, "p50_s": None, "p95_s": None, "max_s": None}
    q = np.percentile(times, [50, 95])
    return {"runs": len(times), "p50_s": round(float(q[0]), 3), "p95_s": round(float(q[1]), 3),
            "max_s": round(max(times), 3)}  # fmt: skip


async def fair(
    port: int, pids: dict[str, int], seconds: float = 30.0, learners: int = 12, tabs: int = 10,
    settle: float = 10.0,
) -> tuple[dict[str, Any], list[Learner]]:  # fmt: skip
    """Scenario (c): ``learners`` cheap learners on Explore, changing the rate every 0.5-1.5 s,
    for ``seconds`` alone; then beside one heavy session of each kind in turn; then beside one
    person (one browser's cookies) with ``tabs`` heavy tabs, half of each kind. Each phase
    reports the cheap runs' p50/p95/max, the heavy runs' times, and the replica's RSS at the
    phase's start, its peak, and ``settle`` s after the heavy tabs closed."""
    rng = random.Random(0)
    phases: dict[str, Any] = {}
    everyone: list[Learner] = []
    kinds = list(HEAVY_KINDS.items())
    plans = [
        ("alone", []),
        *((f"+1 heavy session ({name})", [plan]) for name, plan in kinds),
        (f"+{tabs} heavy tabs of one person", [kinds[j % len(kinds)][1] for j in range(tabs)]),
    ]
    with Memory(pids) as mem:
        idle = mem.now()
        for n, (label, heavy_plans) in enumerate(plans):
            mem.peak = dict.fromkeys(mem.pids, 0.0)
            before, load0 = mem.now(), load_average()
            stop, opened = asyncio.Event(), asyncio.Event()
            ready: list[int] = []
            cheap = [asyncio.create_task(
                        cheap_learner(port, 100 * n + i, stop, rng, opened, ready))
                     for i in range(learners)]  # fmt: skip
            while len(ready) < learners:
                await asyncio.sleep(0.1)  # every learner has its page open
            opened.set()
            browser: dict[str, str] = {}  # the person's browser: its tabs share its cookies
            if heavy_plans:  # who has the app open already, as one does before opening tabs
                await Learner(port, "browser", cookies=browser)._get("/_stcore/health")
            heavy = [asyncio.create_task(heavy_tab(port, j, p, stop, browser))
                     for j, p in enumerate(heavy_plans)]  # fmt: skip
            t0 = time.perf_counter()
            await asyncio.sleep(seconds)
            stop.set()
            done_cheap = list(await asyncio.gather(*cheap))
            done_heavy = list(await asyncio.gather(*heavy))
            elapsed = time.perf_counter() - t0
            await asyncio.gather(*(lr.close() for lr in done_cheap + done_heavy))
            peak = {k: round(v, 1) for k, v in mem.peak.items()}
            await asyncio.sleep(settle)
            everyone += done_cheap + done_heavy
            phases[label] = {
                "cheap": _stats(_times(done_cheap)),
                "heavy": _stats(_times(done_heavy, skip_open=False)),
                "heavy_sessions": len(heavy_plans),
                "failures": [f for lr in done_cheap + done_heavy for f in lr.failures][:5],
                "rss_before_mb": before,
                "rss_peak_mb": peak,
                "rss_after_mb": mem.now(),
                "load_average": [load0, load_average()],
                "seconds": round(elapsed, 1),
            }
        end = mem.now()
    alone = phases["alone"]["cheap"]["p95_s"]
    for ph in phases.values():
        ph["cheap_p95_vs_alone"] = (
            round(ph["cheap"]["p95_s"] / alone, 2) if alone and ph["cheap"]["p95_s"] else None
        )
    failures = [f for lr in everyone for f in lr.failures]
    return {
        "scenario": (
            f"(c) {learners} learners changing Explore's rate every 0.5-1.5 s, {seconds:g} s "
            f"alone, beside one heavy session, beside one person's {tabs} heavy tabs"
        ),
        "phases": phases,
        "rss_idle_mb": idle,
        "rss_end_mb": end,
        "failures": len(failures),
        "failure_examples": failures[:5],
        "cpu_s": mem.cpu_used(),
    }, everyone


def fair_table(r: dict[str, Any]) -> str:
    """The table of scenario (c) in docs/performance.md."""

    def secs(s: float | None) -> str:
        return "–" if s is None else f"{s * 1000:.0f} ms" if s < 1 else f"{s:.1f} s"

    def mb(d: dict[str, float]) -> str:
        return ", ".join(f"{v:.0f}" for v in d.values())

    rows = [
        "| (c) 12 learners on Explore | their runs | p50 | p95 | max | p95 ÷ alone "
        "| heavy runs: p50, max | RSS MB: before, peak, after | load average |",
        "|---|--:|--:|--:|--:|--:|--:|--:|--:|",
    ]
    for label, ph in r["phases"].items():
        c, h = ph["cheap"], ph["heavy"]
        ratio = ph["cheap_p95_vs_alone"]
        rows.append(
            f"| {label} | {c['runs']} | {secs(c['p50_s'])} | {secs(c['p95_s'])} "
            f"| {secs(c['max_s'])} | {'' if ratio is None else f'{ratio:.2f}×'} "
            f"| {secs(h['p50_s']) + ', ' + secs(h['max_s']) if h['runs'] else '–'} "
            f"| {mb(ph['rss_before_mb'])}, {mb(ph['rss_peak_mb'])}, {mb(ph['rss_after_mb'])} "
            f"| {ph['load_average'][0]:g}–{ph['load_average'][1]:g} |"
        )
    return "\n".join(rows)


def table(saved: dict[str, Any]) -> str:
    """The two tables of docs/performance.md from load_results.json, one per scenario."""

    def peak(r: dict[str, Any]) -> str:
        return ", ".join(f"{mb:.0f} MB" for mb in r["peak_rss_mb"].values())

    def secs(s: float) -> str:
        return f"{s * 1000:.0f} ms" if s < 1 else f"{s:.1f} s"

    rows = [
        "| (a) 200 sessions over 60 s | runs | p50 | p95 | max | failures "
        "| CPU per run | peak memory per replica |",
        "|---|--:|--:|--:|--:|--:|--:|---|",
    ]
    for key in ("arrivals/1", "arrivals/2"):
        if (r := saved.get(key)) is not None:
            rows.append(
                f"| {r['setup']} | {r['runs']} | {secs(r['p50_s'])} | {secs(r['p95_s'])} "
                f"| {secs(r['max_s'])} | {r['failures']} | {r.get('cpu_ms_per_run', '?')} ms "
                f"| {peak(r)} |"
            )
    rows += [
        "",
        "| (b) 10 uploads of 3 MB at once | first result, median | first result, max "
        "| failures | CPU per run | peak memory per replica |",
        "|---|--:|--:|--:|--:|---|",
    ]
    for key in ("uploads/1", "uploads/2"):
        if (r := saved.get(key)) is not None:
            rows.append(
                f"| {r['setup']} | {secs(r['first_result_median_s'])} "
                f"| {secs(r['first_result_max_s'])} | {r['failures']} "
                f"| {r.get('cpu_ms_per_run', '?')} ms | {peak(r)} |"
            )
    if (r := saved.get("fair/1")) is not None:
        rows += ["", fair_table(r)]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.split("\n\n")[0])
    ap.add_argument("scenario", choices=["arrivals", "uploads", "fair", "table"])
    ap.add_argument(
        "--replicas", type=int, default=1, help="1: one plain process; N: N behind HAProxy"
    )
    ap.add_argument("--sessions", type=int)
    ap.add_argument(
        "--over", type=float, default=60.0, help="(a) seconds over which sessions arrive"
    )
    ap.add_argument("--changes", type=int, default=5, help="(a) changes per session")
    ap.add_argument("--think", type=float, default=2.0, help="(a) seconds between changes")
    ap.add_argument("--seconds", type=float, default=30.0, help="(c) seconds per phase")
    ap.add_argument("--tabs", type=int, default=10, help="(c) heavy tabs of the last phase")
    ap.add_argument("--no-save", action="store_true", help="print only; leave load_results.json")
    args = ap.parse_args(argv)
    if args.scenario == "table":
        print(table(json.loads(RESULTS.read_text())))
        return 0
    random.seed(0)
    # Stopped with SIGTERM (or Ctrl-C), the servers this run started are stopped too.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    client_cpu = time.process_time()
    with serve(args.replicas) as (port, pids):
        if args.scenario == "arrivals":
            result, _ = asyncio.run(
                arrivals(port, pids, args.sessions or 200, args.over, args.changes, args.think)
            )
        elif args.scenario == "fair":
            result, _ = asyncio.run(fair(port, pids, args.seconds, args.sessions or 12, args.tabs))
        else:
            result, _ = asyncio.run(uploads(port, pids, args.sessions or 10))
    result["setup"] = (
        "1 process" if args.replicas == 1 else f"{args.replicas} replicas behind HAProxy"
    )
    result["cpus"] = os.cpu_count()
    # This load generator shares the machine's cores with the replicas it measures.
    result["load_generator_cpu_s"] = round(time.process_time() - client_cpu, 1)
    print(json.dumps(result, indent=1))
    if not args.no_save:
        saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        saved[f"{args.scenario}/{args.replicas}"] = result
        RESULTS.write_text(json.dumps(saved, indent=1) + "\n")
    return 0 if result["failures"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
