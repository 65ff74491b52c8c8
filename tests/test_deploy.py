"""Hosting: the image's command and health check, HAProxy's configuration, replicas behind it
and a short load test that opens real Streamlit sessions (correctness only, never timings).

No container runtime runs on these machines, so the Dockerfile's CMD and HEALTHCHECK are run
outside a container, from a folder holding exactly what its COPY lines copy. The balancer
tests need Debian's haproxy (.ci/run installs it); without it they are skipped, saying so.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import load

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "deploy" / "Dockerfile"
HAPROXY = shutil.which("haproxy")
needs_haproxy = pytest.mark.skipif(
    HAPROXY is None,
    reason="haproxy is not installed (Debian: apt-get install haproxy; .ci/run installs it)",
)
replicas = load.load_replicas_module()
UPLOAD_LIMIT = 10 * 1024 * 1024  # server.maxUploadSize = 10 (MB of 1024 x 1024 bytes)
assert f"gt {UPLOAD_LIMIT}" in (ROOT / "deploy" / "haproxy.cfg").read_text()


# --- the Dockerfile, run outside a container ---


def dockerfile() -> dict[str, object]:
    """FROM, USER, ENV, COPY, HEALTHCHECK and CMD of deploy/Dockerfile."""
    text = re.sub(r"\\\n\s*", " ", DOCKERFILE.read_text())  # join continued lines
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    env: dict[str, str] = {}
    copies: list[tuple[str, str]] = []
    out: dict[str, object] = {"env": env, "copy": copies}
    for ln in lines:
        word, _, rest = ln.partition(" ")
        if word == "ENV":
            env.update(re.findall(r"(\w+)=(\S+)", rest))
        elif word == "COPY":
            parts = [p for p in rest.split() if not p.startswith("--")]
            copies.append((parts[0], parts[1]))
        elif word == "HEALTHCHECK":
            out["healthcheck"] = json.loads(rest[rest.index("CMD") + 3 :])
        elif word in ("CMD", "FROM", "USER", "WORKDIR"):
            out[word.lower()] = json.loads(rest) if word == "CMD" else rest
    return out


def test_dockerfile_is_slim_python_311_not_root_with_a_health_check():
    d = dockerfile()
    assert d["from"] == "python:3.11-slim"
    assert d["user"] not in ("root", "0")
    assert d["healthcheck"] == ["python", "deploy/healthcheck.py"]
    assert d["cmd"] == ["python", "-m", "streamlit", "run", "streamlit_app.py"]
    assert "/_stcore/health" in (ROOT / "deploy" / "healthcheck.py").read_text()
    assert dict(d["copy"])[".streamlit/config.toml"] == ".streamlit/config.toml"


def test_image_command_and_health_check_run_outside_a_container(tmp_path):
    """The CMD serves the app from a folder with only what the image copies; HEALTHCHECK
    fails before it is up, passes while it is, fails after it stops; allowedHosts holds."""
    d = dockerfile()
    app = tmp_path / "app"
    for src, dest in d["copy"]:  # type: ignore[union-attr]
        target = app / dest / Path(src).name if dest.endswith("/") else app / dest
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / src).is_dir():
            shutil.copytree(ROOT / src, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(ROOT / src, target)
    port = load.free_port()
    env = {
        **os.environ,
        **d["env"],  # type: ignore[dict-item]
        # Outside a container: loopback, not 0.0.0.0, and a free port, not 8501.
        "STREAMLIT_SERVER_ADDRESS": "127.0.0.1",
        "STREAMLIT_SERVER_PORT": str(port),
        "STREAMLIT_SERVER_ALLOWED_HOSTS": "127.0.0.1 localhost",
    }
    env.pop("PYTHONPATH", None)

    def run(argv: list[str], **kw):  # "python" in the image is the venv's python here
        return [sys.executable if a == "python" else a for a in argv], kw

    check_argv, _ = run(d["healthcheck"])  # type: ignore[arg-type]

    def healthy() -> bool:
        return subprocess.run(check_argv, cwd=app, env=env, capture_output=True).returncode == 0

    assert not healthy()
    cmd, _ = run(d["cmd"])  # type: ignore[arg-type]
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(cmd, cwd=app, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while not healthy():
            assert server.poll() is None, (tmp_path / "server.log").read_text()[-2000:]
            assert time.monotonic() < deadline, "no healthy answer within 60 s"
            time.sleep(0.5)
        learner = asyncio.run(load.learner_session(port, 0, load.PLANS[0], 1, 0.0))
        assert learner.failures == []
        assert not asyncio.run(_websocket_accepted(port, host=f"rebinding.example:{port}"))
        assert asyncio.run(_websocket_accepted(port, host=f"localhost:{port}"))
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()
    assert not healthy()


async def _websocket_accepted(port: int, host: str) -> bool:
    """True if /_stcore/stream accepts a connection whose Host header is ``host``.

    Streamlit refuses a Host outside server.allowedHosts before accepting the WebSocket,
    which the ASGI server answers with HTTP 403."""
    from websockets.asyncio.client import connect
    from websockets.exceptions import InvalidStatus

    try:  # the URL names the host (so the Host header says it), the socket goes to 127.0.0.1
        async with connect(
            f"ws://{host}/_stcore/stream",
            host="127.0.0.1",
            port=port,
            subprotocols=["streamlit"],  # type: ignore[list-item]
        ):
            return True
    except InvalidStatus as refused:
        assert refused.response.status_code == 403
        return False


# --- HAProxy ---


@pytest.mark.parametrize(
    "argv, message",
    [
        (["start", "0"], "deploy/replicas: replicas must be 1 to 16, got 0"),
        (
            ["start", "2", "--port", "65535"],
            "deploy/replicas: --port must be 1 to 65533, got 65535",
        ),
        (["stop"], "deploy/replicas: nothing started from {run_dir}"),
    ],
)
def test_replicas_script_refuses_with_one_line(tmp_path, argv, message):
    run_dir = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, str(ROOT / "deploy" / "replicas"), *argv, "--run-dir", str(run_dir)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert done.stderr == message.format(run_dir=run_dir) + "\n"
    assert done.stdout == ""


@needs_haproxy
@pytest.mark.parametrize("n", [2, 3])
def test_haproxy_config_is_valid(tmp_path, n):
    cfg = tmp_path / "haproxy.cfg"
    cfg.write_text(replicas.haproxy_config(n, 18601))
    env = {**os.environ, "EXPLORER_BIND": "127.0.0.1", "EXPLORER_PORT": "18600"}
    for path in (ROOT / "deploy" / "haproxy.cfg", cfg):
        done = subprocess.run([HAPROXY, "-c", "-f", str(path)], env=env, capture_output=True)
        assert done.returncode == 0, done.stderr.decode()
    servers = re.findall(r"^\s*server (r\d+) 127.0.0.1:(\d+) cookie (r\d+)", cfg.read_text(), re.M)
    assert servers == [(f"r{i}", str(18600 + i), f"r{i}") for i in range(1, n + 1)]


@pytest.fixture(scope="module")
def balancer(tmp_path_factory):
    """Two replicas behind HAProxy, started by deploy/replicas and stopped after the tests."""
    if HAPROXY is None:
        pytest.skip(
            "haproxy is not installed (Debian: apt-get install haproxy; .ci/run installs it)"
        )
    run_dir = tmp_path_factory.mktemp("replicas")
    port = load.free_port()
    while not all(replicas.port_free(p) for p in range(port, port + 3)):
        port = load.free_port()
    state = replicas.start(2, port, "127.0.0.1", ["127.0.0.1"], run_dir, sys.executable)
    yield port, state
    replicas.stop(run_dir)
    pids = [state["balancer"]["pid"], *(r["pid"] for r in state["replicas"])]
    left = {
        pid: (Path(f"/proc/{pid}/stat").read_text() if Path(f"/proc/{pid}").exists() else "")
        for pid in pids
    }
    assert not any(left.values()), f"a process outlived stop: {left}"


def _explore_error(lr: float, epochs: int) -> str:
    """The caption's error at the last epoch, computed by the engine directly (no Streamlit)."""
    import gdcore
    from ui.fields import EXPLORE

    f = {fl.url: fl for fl in EXPLORE}
    pixels = gdcore.builtin_image(f["image"].default, f["size"].default)
    table = gdcore.pixel_table(pixels, f["scale"].default)
    run = gdcore.run_descent(table, [lr], epochs, init=f["init"].default, seed=f["seed"].default)
    return f"error = {run.errors[0][int(run.last_epoch[0])]:.4g}"


def test_short_load_test_each_session_gets_its_own_results(balancer):
    """Eight sessions at once (every page, Explore twice), two changes each, through HAProxy:
    no errors, every URL holds its own session's last value, Explore's error is the engine's."""
    port, _ = balancer
    changes = 2
    plans = [load.PLANS[i % len(load.PLANS)] for i in range(len(load.PLANS) + 1)]

    async def everyone():
        learners = await asyncio.gather(
            *(load.learner_session(port, i, p, changes, 0.2) for i, p in enumerate(plans))
        )
        await _close(learners)
        return learners

    learners = asyncio.run(everyone())
    assert [f for lr in learners for f in lr.failures] == []
    for i, (lr, plan) in enumerate(zip(learners, plans, strict=True)):
        assert len(lr.times) == 1 + changes
        last = plan.value(i, changes - 1)
        if plan.url is not None:
            assert float(load.published(lr, plan.url)) == pytest.approx(last, rel=1e-9)
        if plan.page == "explore":
            assert any(_explore_error(last, 100) in t for t in lr.texts), lr.texts
    assert {lr.replica for lr in learners} == {"r1", "r2"}


async def _close(learners):
    await asyncio.gather(*(lr.close() for lr in learners))


def test_upload_and_rerun_stay_on_their_replica(balancer):
    """Two learners each upload a photo and rerun: each keeps its replica (the cookie) and
    its own photo. The same upload sent to the other replica is refused (400), and one
    without the XSRF cookie, as a cross-site iframe sends it, gets 403."""
    port, _ = balancer
    photos = [load.photo_jpeg(seed, 200_000, (800, 600)) for seed in (1, 2)]

    async def scenario():
        learners = [load.Learner(port, f"upload#{i}") for i in range(2)]
        await asyncio.gather(*(lr.open("", "image=upload") for lr in learners))
        first = [lr.replica for lr in learners]
        for i, lr in enumerate(learners):
            await lr.upload("upload_file", f"photo-{i}.jpg", photos[i])
            await lr.change("ex_lr", 0.3 + 0.1 * i)
        texts = [list(lr.texts) for lr in learners]
        elsewhere = await _put_elsewhere(learners[0], photos[0])
        no_xsrf = await _put_without_xsrf(learners[0], photos[0])
        lr = learners[0]
        xsrf = lr.cookies[load.XSRF_COOKIE]
        largest = await _put(lr, bytes(UPLOAD_LIMIT - 1024), lr.cookies, xsrf)
        await _close(learners)
        return learners, first, texts, elsewhere, no_xsrf, largest

    learners, first, texts, elsewhere, no_xsrf, largest = asyncio.run(scenario())
    assert [f for lr in learners for f in lr.failures] == []
    assert sorted(first) == ["r1", "r2"]
    assert [lr.replica for lr in learners] == first
    for i in range(2):
        assert any(f"photo-{i}.jpg" in t for t in texts[i])
        assert not any(f"photo-{1 - i}.jpg" in t for t in texts[i])
    assert elsewhere[0] == 400 and b"sticky sessions" in elsewhere[1]
    assert no_xsrf[0] == 403
    assert largest[0] == 204  # a file 1 KB under the 10 MB limit passes the balancer


async def _put_elsewhere(lr: load.Learner, data: bytes) -> tuple[int, bytes]:
    other = "r2" if lr.replica == "r1" else "r1"
    cookies = {**lr.cookies, load.REPLICA_COOKIE: other}
    return await _put(lr, data, cookies, lr.cookies[load.XSRF_COOKIE])


async def _put_without_xsrf(lr: load.Learner, data: bytes) -> tuple[int, bytes]:
    cookies = {k: v for k, v in lr.cookies.items() if k != load.XSRF_COOKIE}
    return await _put(lr, data, cookies, "")


async def _put(lr, data, cookies, xsrf) -> tuple[int, bytes]:
    body, ctype = load.multipart("again.jpg", data, "image/jpeg")
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()), "Content-Type": ctype}
    if xsrf:
        headers["X-Xsrftoken"] = xsrf
    path = f"/_stcore/upload_file/{lr.session_id}/some-file-id"
    status, _, answer = await load.http(lr.port, "PUT", path, headers, body)
    return status, answer


async def _announce_body(port: int, length: int) -> int:
    """The status the balancer answers to a PUT that announces ``length`` bytes (none sent)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(
        b"PUT /_stcore/upload_file/x/y HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        b"Content-Length: %d\r\n\r\n" % length
    )
    await writer.drain()
    status = int((await reader.readline()).split()[1])
    writer.close()
    return status


def test_balancer_hides_metrics_and_refuses_bodies_over_the_upload_limit(balancer):
    """/_stcore/metrics is 404 through the balancer (200 on a replica's own port); a body
    announced over 10 MB is refused by HAProxy itself, before any replica reads it."""
    port, state = balancer
    replica_port = state["replicas"][0]["port"]
    generated = Path(state["run_dir"]) / "haproxy.cfg"
    assert f'bind "127.0.0.1:{port}"' in generated.read_text()
    env = {k: v for k, v in os.environ.items() if not k.startswith("EXPLORER_")}
    check = subprocess.run([HAPROXY, "-c", "-f", str(generated)], env=env, capture_output=True)
    assert check.returncode == 0, check.stderr.decode()  # valid as the system service's file

    async def ask():
        hidden = await load.http(port, "GET", "/_stcore/metrics", {})
        direct = await load.http(replica_port, "GET", "/_stcore/metrics", {})
        # Streamlit refuses a Content-Length over the limit first (framing included); so does
        # HAProxy, which answers without reading the body.
        big = [await _announce_body(port, n) for n in (UPLOAD_LIMIT + 1, 50_000_000)]
        return hidden[0], direct[0], big

    assert asyncio.run(ask()) == (404, 200, [413, 413])


# Spellings of /_stcore/metrics that a replica answers with its metrics: its ASGI server
# routes on the percent-decoded path.
METRICS_SPELLINGS = [
    "/_stcore/metrics",
    "/%5Fstcore/metrics",
    "/%5fstcore/metrics",
    "/_stcore/%6detrics",
    "/_stcore%2Fmetrics",
    "/%5F%73%74%63%6F%72%65%2F%6D%65%74%72%69%63%73",
    "/_stcore/metrics?families=session_events",
]
# Spellings a replica does not answer with metrics; the balancer refuses them too.
METRICS_LOOKALIKES = [
    "/%5fSTCORE/metrics",
    "/./_stcore/metrics",
    "/_stcore//metrics",
    "/_stcore/metrics/",
]


def _is_metrics(answer: tuple[int, list, bytes]) -> bool:
    return answer[0] == 200 and b"# TYPE" in answer[2]


def test_balancer_hides_metrics_however_the_path_is_spelled(balancer):
    """Every percent-encoded spelling of /_stcore/metrics that a replica answers with its
    metrics (checked on the replica's own port) is 404 through the balancer: HAProxy
    matches the decoded path (it matched the raw path, so /%5Fstcore/metrics got through)."""
    port, state = balancer
    replica_port = state["replicas"][0]["port"]

    async def ask(paths):
        return [
            (await load.http(port, "GET", p, {}), await load.http(replica_port, "GET", p, {}))
            for p in paths
        ]

    spelled = asyncio.run(ask(METRICS_SPELLINGS))
    assert [_is_metrics(direct) for _, direct in spelled] == [True] * len(METRICS_SPELLINGS)
    assert [through[0] for through, _ in spelled] == [404] * len(METRICS_SPELLINGS)
    alike = asyncio.run(ask(METRICS_LOOKALIKES))
    assert [_is_metrics(through) or through[0] == 200 for through, _ in alike] == [False] * len(
        METRICS_LOOKALIKES
    )


class _Answer(asyncio.Protocol):
    """Every byte the server sends, and when it has sent a whole head or closed."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.closed = asyncio.get_running_loop().create_future()
        self.head = asyncio.Event()

    def data_received(self, data: bytes) -> None:
        self.data += data
        if b"\r\n\r\n" in self.data:
            self.head.set()

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed.set_result(None)
        self.head.set()


async def _chunked_put(
    port: int, path: str, headers: dict[str, str], size: int
) -> tuple[int, bytes]:
    """A PUT of ``size`` bytes sent in chunks (no Content-Length); (status, the answer).

    It asks ``Expect: 100-continue`` and sends the body only after "100 Continue": a server
    that answers at once and closes would otherwise reset the connection while the body is
    still being written, and the answer would be lost with it."""
    loop = asyncio.get_running_loop()
    transport, answer = await loop.create_connection(_Answer, "127.0.0.1", port)
    head = f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n"
    head += "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    transport.write(head.encode() + b"Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n")
    await asyncio.wait_for(answer.head.wait(), 60)
    if answer.data.startswith(b"HTTP/1.1 100"):
        del answer.data[: answer.data.index(b"\r\n\r\n") + 4]
        for at in range(0, size, 1 << 20):
            n = min(1 << 20, size - at)
            transport.write(b"%x\r\n" % n + bytes(n) + b"\r\n")
        transport.write(b"0\r\n\r\n")
    await asyncio.wait_for(answer.closed, 60)
    transport.close()
    return int(answer.data.split()[1]), bytes(answer.data)


def test_balancer_refuses_a_body_without_a_length(balancer):
    """A chunked upload (no Content-Length) cannot be measured before it is streamed, so the
    balancer answers 411 itself ("Length Required"), whatever its size; the same upload with
    its length passes (test_upload_and_rerun_stay_on_their_replica)."""
    port, _ = balancer

    async def scenario():
        lr = load.Learner(port, "chunked")
        await lr.open("", "image=upload")
        headers = {
            "Cookie": lr._cookie_header(),
            "X-Xsrftoken": lr.cookies[load.XSRF_COOKIE],
            "Content-Type": "multipart/form-data; boundary=b",
        }
        path = f"/_stcore/upload_file/{lr.session_id}/some-file-id"
        big = await _chunked_put(port, path, headers, UPLOAD_LIMIT + 1_000_000)
        small = await _chunked_put(port, path, headers, 1000)
        bare = await load.http(port, "POST", "/", {})  # load.http sends Content-Length: 0
        await lr.close()
        return big, small, bare

    big, small, bare = asyncio.run(scenario())
    assert big[0] == small[0] == 411 and b"Length Required" in big[1]
    assert bare[0] != 411


@pytest.fixture
def doomed_replicas(tmp_path):
    """Two replicas behind HAProxy of this test's own: the test kills one."""
    if HAPROXY is None:
        pytest.skip(
            "haproxy is not installed (Debian: apt-get install haproxy; .ci/run installs it)"
        )
    run_dir = tmp_path / "replicas"
    port = load.free_port()
    while not all(replicas.port_free(p) for p in range(port, port + 3)):
        port = load.free_port()
    state = replicas.start(2, port, "127.0.0.1", ["127.0.0.1"], run_dir, sys.executable)
    yield port, state
    replicas.stop(run_dir)


def _marked_down(state: dict, name: str) -> bool:
    """True once HAProxy's log says its health checks took replica ``name`` out."""
    log = Path(state["run_dir"]) / "haproxy.log"
    return f"Server replicas/{name} is DOWN" in log.read_text(errors="replace")


async def _arrive(port: int, n: int, first: int) -> list[load.Learner]:
    """``n`` new learners open Explore at once (no cookie yet), and ``n`` bare page loads."""
    plan = load.PLANS[0]
    learners = await asyncio.gather(
        *(load.learner_session(port, first + i, plan, 0, 0.0) for i in range(n))
    )
    pages = await asyncio.gather(*(load.http(port, "GET", "/", {}) for _ in range(n)))
    await _close(learners)
    for i, (status, _, _) in enumerate(pages):
        if status != 200:
            learners[i].failures.append(f"GET / answered {status}")
    return list(learners)


def test_a_dead_replica_costs_no_learner_a_503(doomed_replicas):
    """One replica is killed. New learners, and the one whose cookie names the dead replica,
    are all served by the other, both before the health checks mark it down (a refused
    connection is sent to the other replica: `option redispatch 1`) and after. Without the
    redispatch, 3 of 6 new learners got 503 until the checks caught up."""
    port, state = doomed_replicas
    victim = state["replicas"][0]

    async def on_each_replica():
        learners = [load.Learner(port, f"before#{i}") for i in range(2)]
        for lr in learners:
            await lr.open("", "")
        await _close(learners)
        return learners

    before = asyncio.run(on_each_replica())
    assert sorted(lr.replica for lr in before) == ["r1", "r2"]
    stranded = next(lr for lr in before if lr.replica == victim["name"])

    os.kill(victim["pid"], signal.SIGKILL)
    os.waitpid(victim["pid"], 0)  # our child: reaped, so stop() finds it gone
    assert not replicas.health(victim["port"])

    async def reload_stranded():
        lr = load.Learner(port, "stranded", cookies=dict(stranded.cookies))
        try:
            await lr.open("", "")
        except (load.Failure, OSError) as exc:
            lr.failures.append(str(exc))
        await lr.close()
        return lr

    soon = asyncio.run(_arrive(port, 6, 0))
    back = asyncio.run(reload_stranded())
    down_already = _marked_down(state, victim["name"])  # usually not yet: said, not asserted
    assert [f for lr in [*soon, back] for f in lr.failures] == [], f"marked down: {down_already}"
    assert {lr.replica for lr in [*soon, back]} == {"r2"}

    deadline = time.monotonic() + 90
    while not _marked_down(state, victim["name"]):
        assert time.monotonic() < deadline, "HAProxy never marked the dead replica down"
        time.sleep(0.5)
    later = asyncio.run(_arrive(port, 6, 6))
    assert [f for lr in later for f in lr.failures] == []
    assert {lr.replica for lr in later} == {"r2"}


def test_performance_doc_load_tables_are_the_saved_measurements():
    """docs/performance.md's "Measured: a class on one link" tables are `python -m bench.load table`."""
    saved = json.loads(load.RESULTS.read_text())
    assert set(saved) == {"arrivals/1", "arrivals/2", "uploads/1", "uploads/2", "fair/1"}
    assert load.table(saved) in (load.ROOT / "docs" / "performance.md").read_text()
