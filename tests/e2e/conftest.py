"""Fixtures of the HTTP and page tests: the demo province, seeded once per test session."""

from __future__ import annotations

import time
from typing import Any

import pytest

from projections import engine
from projections.registry import all_projections
from services.demo import DEMO_SLUG, seed_demo


@pytest.fixture(scope="session")
def seeded(database, tmp_path_factory) -> Any:
    from litestar.testing import TestClient

    from infra.readside import ReadSide
    from infra.settings import Settings
    from infra.tenancy import TenantApplications, find_tenant
    from services.app import create_app
    from services.bootstrap import Container
    from tests.conftest import drop_tenant

    settings = Settings(
        database_url=database.url, data_dir=tmp_path_factory.mktemp("demo"), broker_url=None
    )
    container = Container(settings, database, TenantApplications(database, 8), ReadSide(database))
    started = time.perf_counter()
    logins = seed_demo(container, "mat-khau-demo-thu")
    print(f"demo seeded in {time.perf_counter() - started:.1f} s")
    tenant = find_tenant(database, DEMO_SLUG)
    for done in engine.catch_up_all(database, tenant.schema, all_projections()):
        assert done.error is None, done.error
    app = container.applications.get(DEMO_SLUG)
    try:
        with TestClient(create_app(container)) as client:
            yield app, tenant, logins, client, container
    finally:
        container.applications.close()
        drop_tenant(database, tenant)
