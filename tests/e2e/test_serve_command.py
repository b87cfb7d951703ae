"""`chibo serve --demo` as a user runs it: serves the demo, and on SIGTERM stops its PostgreSQL.

Runs the real console script in a child process on a free port with its own data folder.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psutil
import pytest

from bench.server import free_port
from infra.database import EmbeddedPostgres

pytestmark = pytest.mark.e2e


def postgres_running_on(pgdata: Path) -> bool:
    for proc in psutil.process_iter(["name", "cmdline"]):
        if proc.info["name"] == "postgres" and str(pgdata) in " ".join(proc.info["cmdline"] or []):
            return True
    return False


def wait_ready(port: int, child: subprocess.Popen[bytes]) -> None:
    for _ in range(600):  # bounded: gives up after about a minute
        assert child.poll() is None, "chibo serve exited early"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("chibo serve never became ready")


def test_serve_demo_then_sigterm_stops_the_embedded_server(pg_home):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "BROKER_URL")}
    env |= {"CHIBO_DATA_DIR": str(pg_home), "CHIBO_PORT": str(port)}
    chibo = Path(sys.executable).with_name("chibo")
    child = subprocess.Popen(
        [str(chibo), "serve", "--demo"], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_ready(port, child)
        assert postgres_running_on(pg_home / "pgdata")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/schema/openapi.json") as r:
            assert "/api/v1/t/{tenant}/units" in json.load(r)["paths"]
        child.send_signal(signal.SIGTERM)
        output = child.communicate(timeout=60)[0].decode()
    finally:
        if child.poll() is None:
            child.kill()
    assert "mật khẩu / password" in output  # the demo login was printed
    assert not postgres_running_on(pg_home / "pgdata")


def test_a_stale_handle_from_a_killed_process_does_not_keep_the_server_alive(pg_home):
    first = EmbeddedPostgres(pg_home)
    first.start()
    first.stop()
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (pg_home / "pgdata" / ".handle_pids.json").write_text(json.dumps([dead.pid]))
    second = EmbeddedPostgres(pg_home)
    second.start()
    second.stop()
    assert not postgres_running_on(pg_home / "pgdata")
