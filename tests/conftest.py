"""Shared fixtures: one PostgreSQL per test process, a fresh province schema per test.

The embedded server is used unless ``DATABASE_URL`` names another one (CI runs both ways).
Each test gets its own tenant, so tests are isolated and safe to run in parallel.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import asyncpg
import psycopg
import pytest
from psycopg import sql
from psycopg.conninfo import make_conninfo as psycopg_conninfo

from infra import clusters
from infra.application import TenantApplication
from infra.database import Database, EmbeddedPostgres
from infra.db_roles import drop_tenant_role
from infra.readside import ReadSide
from infra.settings import Settings
from infra.tenancy import CATALOG, Tenant, TenantApplications, provision
from services.bootstrap import Container, schema_parts


@pytest.fixture(scope="session")
def database() -> Iterator[Database]:
    url = os.environ.get("DATABASE_URL")
    if url:
        yield Database.from_url(url)
        return
    home = Path(tempfile.mkdtemp(prefix="chibo-test-pg-"))
    embedded = EmbeddedPostgres(home)
    yield embedded.start()
    embedded.stop()
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def pg_home() -> Iterator[Path]:
    """A folder for an embedded server, outside pytest's shared temporary root.

    Every pytest session makes ``/tmp/pytest-of-<user>`` private (mode 0700) when it starts, and
    the embedded server runs as its own system user that must traverse the path to its data: a
    second test session started meanwhile would lock a running server out of its own files.
    """
    home = Path(tempfile.mkdtemp(prefix="chibo-test-pg-"))
    yield home
    shutil.rmtree(home, ignore_errors=True)


@pytest.fixture
def second(pg_home: Path) -> Iterator[Database]:
    """A second database cluster (its own embedded server), registered as ``second``."""
    server = EmbeddedPostgres(pg_home)
    database = server.start()
    clusters.register("second", database)
    yield database
    clusters.unregister("second")
    database.close_pool()
    server.stop()


async def asyncpg_connect(database: Database) -> asyncpg.Connection:
    """A test's own asyncpg connection, as the read side opens them: ``database.url`` would pass
    the ``pgbouncer`` flag on as a startup parameter, which the server refuses."""
    return await asyncpg.connect(
        host=database.host,
        port=database.port,
        user=database.user,
        password=database.password or None,
        database=database.dbname,
        statement_cache_size=0 if database.transaction_pooler else 100,
    )


def server_database(database: Database) -> Database:
    """The PostgreSQL server itself, for what a transaction pooler cannot carry (``LISTEN``,
    another database, the library's own prepared statements). Behind PgBouncer that is
    ``DIRECT_DATABASE_URL`` (.ci/parts/20-pgbouncer.sh)."""
    if not database.transaction_pooler:
        return database
    url = os.environ.get("DIRECT_DATABASE_URL")
    if not url:
        if os.environ.get("CI") == "true":
            raise RuntimeError("behind PgBouncer in CI, DIRECT_DATABASE_URL must name the server")
        pytest.skip("behind PgBouncer this test needs DIRECT_DATABASE_URL (the server itself)")
    return Database.from_url(url)


def server_conninfo(database: Database, dbname: str | None = None) -> str:
    """:func:`server_database`'s connection string, for another database if ``dbname``."""
    conninfo = server_database(database).conninfo
    return conninfo if dbname is None else psycopg_conninfo(conninfo, dbname=dbname)


def new_slug() -> str:
    return "test_" + uuid4().hex[:12]


@pytest.fixture
def tenant(database: Database) -> Iterator[Tenant]:
    created, _ = provision(database, new_slug(), "Tỉnh Thử Nghiệm", schema_parts())
    yield created
    drop_tenant(database, created)


def drop_tenant(database: Database, tenant: Tenant) -> None:
    # Out of the catalog first, as a province is removed: a worker that still meets it (the
    # tick of another xdist worker on a shared database) then finds it gone, not broken.
    with database.connect() as conn:
        conn.execute(
            sql.SQL("DELETE FROM {}.tenants WHERE slug = %s").format(sql.Identifier(CATALOG)),
            (tenant.slug,),
        )
    # On a database the xdist workers share, dropping a schema can deadlock with another
    # worker's DDL on a shared object (PostgreSQL names one victim): try that step again.
    for attempt in range(5):
        try:
            with database.connect() as conn:
                conn.execute(
                    sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(
                        sql.Identifier(tenant.schema)
                    )
                )
            break
        except psycopg.errors.DeadlockDetected:
            if attempt == 4:
                raise
            time.sleep(0.2 * (attempt + 1))
    with database.connect() as conn:
        # Roles are cluster-wide: without this a CI database would collect one per test.
        drop_tenant_role(conn, tenant.schema)


@pytest.fixture
def app(database: Database, tenant: Tenant) -> Iterator[TenantApplication]:
    application = TenantApplication(tenant.slug, tenant.schema, database)
    yield application
    application.close()


@pytest.fixture
def container(database: Database, tmp_path: Path) -> Iterator[Container]:
    settings = Settings(
        database_url=database.url,
        data_dir=tmp_path,
        broker_url=None,
        operator_token="operator-secret-for-tests",
    )
    built = Container(settings, database, TenantApplications(database, 8), ReadSide(database))
    yield built
    built.applications.close()


@pytest.fixture
def client(container: Container, tenant: Tenant) -> Iterator[object]:
    """An HTTP client signed in as the test province's administrator (tenant-wide)."""
    from litestar.testing import TestClient

    from domain.user import Role
    from services.app import create_app
    from tests.e2e.auth_helpers import bearer, token

    with TestClient(create_app(container)) as test_client:
        test_client.headers.update(bearer(token(container, tenant.slug, Role.TENANT_ADMIN)))
        yield test_client
