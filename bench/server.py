"""The benchmarks' API process: a real uvicorn server on a free port, in a thread of this process.

Requests go over HTTP (httpx), so what is measured includes the ASGI server; the projection
workers run in the same process on the stub broker (as ``chibo serve`` does without
``BROKER_URL``), which is the process whose connections the benchmarks count.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from domain.user import Role
from infra.database import Database, EmbeddedPostgres
from infra.settings import Settings
from services.bootstrap import Container, build_container
from services.context import Principal
from services.identity.tokens import TokenSigner, load_master_secret


@contextmanager
def database_for(url: str | None, data_dir: Path) -> Iterator[str]:
    """``url`` if given, else a fresh embedded PostgreSQL under ``data_dir`` (stopped after)."""
    if url:
        yield url
        return
    server = EmbeddedPostgres(data_dir)
    database: Database = server.start()
    try:
        yield database.url
    finally:
        server.stop()


def container_for(url: str, data_dir: Path, **settings: Any) -> Container:
    return build_container(
        Settings(database_url=url, data_dir=data_dir, broker_url=None, **settings)
    )


def admin_token(container: Container, slug: str) -> str:
    principal = Principal(user_id="bench-admin", role=Role.TENANT_ADMIN.value, tenant=slug)
    issued, _ = TokenSigner(load_master_secret(container.settings)).issue(principal, None)
    return issued


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def serving(container: Container) -> Iterator[str]:
    """Run the API on a free port until the block ends; yield its base URL.

    The browser tests serve their application with it too (``tests/e2e/browser/conftest.py``).
    """
    import uvicorn

    from services.app import create_app

    port = free_port()
    config = uvicorn.Config(
        create_app(container), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="chibo-api", daemon=True)
    thread.start()
    # Ten seconds at most: a server that cannot bind its port stops without ever starting.
    for _ in range(200):
        if server.started:
            break
        time.sleep(0.05)
    if not server.started:
        raise RuntimeError("the app did not start")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
