"""Provinces placed on two database clusters at once (issue 14 §3).

The test's own embedded PostgreSQL (or ``DATABASE_URL``) is the main cluster, holding the
catalog; a second embedded server started here is the cluster ``second``. One province goes on
each (the second by least load). Writes, views with read-your-writes (the workers catching up
in-process) and the audit chain each follow the placement: each province's schema exists on
its own cluster only, and its view shows its own unit, never the other's.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.testing import TestClient
from psycopg import sql

from domain.user import Role
from infra.audit.verify import verify
from infra.database import Database
from infra.db_roles import drop_tenant_role
from infra.readside import ReadSide
from infra.settings import Settings
from infra.tenancy import CATALOG, Tenant, TenantApplications
from services import workers
from services.app import create_app
from services.bootstrap import Container
from tests.conftest import new_slug
from tests.e2e.auth_helpers import bearer, token

pytestmark = pytest.mark.integration


def schema_exists(database: Database, schema: str) -> bool:
    with database.connect() as conn:
        row = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", (schema,)).fetchone()
    return bool(row and row[0])


def test_each_province_lives_and_is_served_on_its_own_cluster(
    database: Database, second: Database, tmp_path: Path
) -> None:
    settings = Settings(database_url=database.url, data_dir=tmp_path, broker_url=None)
    applications = TenantApplications(database, 8, on_committed=workers.notify_committed)
    readside = ReadSide(database)
    readside.placement = applications.database_of_schema
    container = Container(settings, database, applications, readside)
    made: list[Tenant] = []
    try:
        on_main, _ = container.provision(new_slug(), "Tỉnh Một", "main")
        made.append(on_main)
        # Unplaced: the cluster with the fewest provinces, the empty second one.
        on_second, _ = container.provision(new_slug(), "Tỉnh Hai")
        made.append(on_second)
        assert (on_main.cluster, on_second.cluster) == ("main", "second")
        assert schema_exists(database, on_main.schema)
        assert not schema_exists(second, on_main.schema)
        assert schema_exists(second, on_second.schema)
        assert not schema_exists(database, on_second.schema)
        # Provisioning again keeps the placement, whatever is asked.
        again, created = container.provision(on_second.slug, "Tỉnh Hai", "main")
        assert (again.cluster, created) == ("second", False)

        workers.configure(database, None, threads=2, tick_seconds=None)
        with TestClient(create_app(container)) as client:
            for tenant, name in ((on_main, "Một"), (on_second, "Hai")):
                headers = bearer(token(container, tenant.slug, Role.TENANT_ADMIN))
                base = f"/api/v1/t/{tenant.slug}"
                body = {
                    "name": f"Đảng bộ tỉnh {name}",
                    "level": "province",
                    "founded_on": "2015-01-01",
                }
                written = client.post(f"{base}/units", json=body, headers=headers)
                assert written.status_code == 201, written.text
                unit, position = written.json()["id"], written.json()["position"]
                view = client.get(
                    f"{base}/views/level",
                    params={"unit_id": unit, "min_position": position, "wait_ms": 5000},
                    headers=headers,
                )
                assert view.status_code == 200, view.text
                assert view.json()["node"]["name"] == f"Đảng bộ tỉnh {name}"
                assert view.json()["children"] == []
                assert client.get(f"{base}/units/{unit}", headers=headers).status_code == 200
        # The event and its chain link are on the province's cluster.
        for tenant in made:
            report = verify(container.database_of(tenant), tenant.schema)
            assert report.ok, report
            with container.database_of(tenant).connect() as conn:
                row = conn.execute(
                    sql.SQL("SELECT count(*) FROM {}").format(
                        sql.Identifier(tenant.schema, "chibo_events")
                    )
                ).fetchone()
            assert row is not None
            assert row[0] == 1
    finally:
        workers.shutdown()
        applications.close()
        for tenant in made:
            with container.database_of(tenant).connect() as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(tenant.schema)
                    )
                )
                drop_tenant_role(conn, tenant.schema)
            with database.connect() as conn:
                conn.execute(
                    sql.SQL("DELETE FROM {}.tenants WHERE slug = %s").format(
                        sql.Identifier(CATALOG)
                    ),
                    (tenant.slug,),
                )
