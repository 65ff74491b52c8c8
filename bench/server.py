"""One ``streamlit run`` on a free port and the Chromium that opens it, for the browser
benchmark and the browser tests.

``bench/browser.py`` and ``tests/test_browser.py`` start the app the same way: headless,
on 127.0.0.1 and a port nobody holds, without the file watcher or usage statistics, and
ready once ``/_stcore/health`` answers ``ok``; both open it in Debian's Chromium with the
same switches. The tests import this module; nothing in ``bench/`` imports the tests.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
"""Debian's Chromium (``playwright install`` cannot download a browser here)."""
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
START_S = 120.0
"""How long a server may take to answer its health check (a busy 2-core machine is slow)."""


class ServerDidNotStart(RuntimeError):
    """The server exited, or did not answer its health check in time."""


@dataclass(frozen=True)
class Server:
    """A running server: its base URL (``http://127.0.0.1:PORT``) and process id."""

    base: str
    pid: int


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def command(app: str, port: int) -> list[str]:
    """The ``streamlit run`` command line for ``app`` (a path from the repository root)."""
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        app,
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.fileWatcherType",
        "none",
        "--browser.gatherUsageStats",
        "false",
    ]


@contextlib.contextmanager
def serve(app: str = "streamlit_app.py", within: float = START_S) -> Iterator[Server]:
    """Run ``app`` until the block ends; raise :class:`ServerDidNotStart` when it exits or
    does not answer ``/_stcore/health`` within ``within`` seconds. Its output is discarded
    (an unread pipe would stop a talkative server once the pipe is full)."""
    port = free_port()
    proc = subprocess.Popen(
        command(app, port), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + within
        while True:
            try:
                if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None:
                raise ServerDidNotStart(f"{app} exited with status {proc.returncode}")
            if time.monotonic() > deadline:
                raise ServerDidNotStart(f"{app} did not answer /_stcore/health within {within:g} s")
            time.sleep(0.3)
        yield Server(base, proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
