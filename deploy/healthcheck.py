"""The container's health check: exit 0 if Streamlit answers /_stcore/health with "ok".

Run by the Dockerfile's HEALTHCHECK (the slim image has no curl). The port is the one the
server listens on, STREAMLIT_SERVER_PORT (8501 by default); no third-party imports.
"""

import os
import sys
import urllib.request

TIMEOUT_S = 4.0


def main() -> int:
    port = os.environ.get("STREAMLIT_SERVER_PORT", "8501")
    url = f"http://127.0.0.1:{port}/_stcore/health"
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S) as answer:
            ok = answer.status == 200 and answer.read().strip() == b"ok"
    except OSError as exc:  # refused, timed out, or 503 while starting or stopping
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    if not ok:
        print(f"unhealthy: {url} did not answer ok", file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
