"""Start and stop the dashboard on a free loopback port (browser tests, load tests)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUN_NICE = "DESCENT_LAB_RUN_NICE"  # read by experiments/framework/isolated.py (run_nice)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(log=subprocess.DEVNULL, timeout: float = 60.0,
          env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """`streamlit run streamlit_app.py` with `env` added to this process's environment,
    returned once its health endpoint answers."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
         "--server.port", str(port), "--server.address", "127.0.0.1",
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        # Runs at nice 10 without SCHED_IDLE (the hosted default, 19, adds it): with
        # pytest-xdist workers keeping every core busy, SCHED_IDLE children barely ran and
        # browser tests timed out waiting for them. Still below the server (nice 0).
        env={RUN_NICE: "10", **os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited early with code {proc.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return proc, url
        except OSError:
            time.sleep(0.3)
    stop(proc)
    raise TimeoutError(f"streamlit did not become healthy at {url}")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
