"""Fixtures of the HTTP and page tests: the demo province, seeded once per test session; an SMTP
server keeping what it receives (``inbox``) and a cell whose members have addresses (``cell``).

With ``DATABASE_URL`` the xdist workers share one database, so they share one demo province
(its slug is fixed): a lock file beside the workers' temporary folders lets one worker seed at a
time (the second finds it seeded), one data folder holds its seals for all, and the last worker
to finish drops it.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from bench.server import free_port
from projections import engine
from projections.registry import all_projections
from services.demo import DEMO_SLUG, seed_demo
from services.notices import delivery
from tests.e2e.mail import SENDER, Inbox, address
from tests.e2e.test_meetings_api import base, build_cell, ok


@contextmanager
def demo_lock(shared: Path) -> Iterator[Path]:
    """Held while a worker seeds, counts itself in or out of the shared demo."""
    shared.mkdir(parents=True, exist_ok=True)
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield shared / "users"
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def count_users(users: Path, change: int) -> int:
    now = (int(users.read_text() or 0) if users.exists() else 0) + change
    users.write_text(str(now))
    return now


@pytest.fixture(scope="session")
def seeded(database, tmp_path_factory) -> Any:
    from litestar.testing import TestClient

    from infra.readside import ReadSide
    from infra.settings import Settings
    from infra.tenancy import TenantApplications, find_tenant
    from services.app import create_app
    from services.bootstrap import Container
    from tests.conftest import drop_tenant

    base = tmp_path_factory.getbasetemp()
    # Under xdist each worker's folder is inside the run's own: the parent is shared by them.
    # Only a database named by DATABASE_URL is shared; each embedded server is a worker's own.
    one_database = os.environ.get("DATABASE_URL") and os.environ.get("PYTEST_XDIST_WORKER")
    shared = (base.parent if one_database else base) / "shared-demo"
    settings = Settings(database_url=database.url, data_dir=shared / "data", broker_url=None)
    container = Container(settings, database, TenantApplications(database, 8), ReadSide(database))
    with demo_lock(shared) as users:
        started = time.perf_counter()
        logins = seed_demo(container, "mat-khau-demo-thu")
        print(f"demo seeded in {time.perf_counter() - started:.1f} s")
        tenant = find_tenant(database, DEMO_SLUG)
        for done in engine.catch_up_all(database, tenant.schema, all_projections()):
            assert done.error is None, done.error
        count_users(users, +1)
    app = container.applications.get(DEMO_SLUG)
    try:
        with TestClient(create_app(container)) as client:
            yield app, tenant, logins, client, container
    finally:
        container.applications.close()
        with demo_lock(shared) as users:
            if count_users(users, -1) == 0:
                drop_tenant(database, tenant)


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, delivery.Mailer]]:
    """An SMTP server on a free port keeping every message, and the mailer that sends to it."""
    handler = Inbox()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield handler, delivery.Mailer("127.0.0.1", controller.port, SENDER, timeout=5)
    controller.stop()


@pytest.fixture
def cell(client, tenant):
    """A cell of five with e-mail addresses for four (the fifth has none) and the parent's."""
    cell, officials, probationers = build_cell(client, tenant, 4, 1)
    members = officials + probationers
    for i, member in enumerate(members[:4]):
        ok(
            client.post(
                f"{base(tenant)}/members/{member}/contact",
                json={"email": address(i), "phone": "0912 345 678"},
            )
        )
    parent = ok(client.get(f"{base(tenant)}/units/{cell}"), 200)["parent_id"]
    ok(client.post(f"{base(tenant)}/units/{parent}/contact", json={"email": "dang-uy@xa.example"}))
    return cell, members
