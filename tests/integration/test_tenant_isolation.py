"""Tenant isolation in the database: each province's role reaches its own schema and nothing else.

Real PostgreSQL. The write side (an eventsourcing application on the role factory) and the
read side (asyncpg, ``SET LOCAL ROLE`` per transaction) are both checked.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date
from uuid import uuid4

import psycopg
import pytest
from psycopg import sql

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from domain.user import Role
from infra.application import TenantApplication
from infra.db_roles import (
    append_only_tables,
    drop_tenant_role,
    fetch_as_tenant,
    role_for,
    tenant_read_connection,
)
from infra.readside import ReadSide
from infra.tenancy import Tenant, provision
from services.bootstrap import schema_parts
from services.identity import auth
from services.identity.ratelimit import LoginThrottle
from services.identity.tokens import TokenSigner
from tests.conftest import drop_tenant, new_slug, server_conninfo

pytestmark = pytest.mark.integration


@pytest.fixture
def other(database) -> Iterator[Tenant]:
    created, _ = provision(database, new_slug(), "Tỉnh Khác", schema_parts())
    yield created
    drop_tenant(database, created)
    with database.connect() as conn:
        drop_tenant_role(conn, created.schema)


@pytest.fixture
def role_app(database, tenant) -> Iterator[TenantApplication]:
    """The production wiring: a tenant application's pool runs as the tenant's role."""
    application = TenantApplication(tenant.slug, tenant.schema, database)
    yield application
    application.close()


def events(schema: str) -> sql.Composed:
    return sql.SQL("SELECT count(*) FROM {}.chibo_events").format(sql.Identifier(schema))


def as_role(database, schema: str, statement: sql.Composable) -> None:
    # As the application does: the role for one transaction only (also behind PgBouncer).
    with database.connect() as conn, conn.transaction():
        conn.execute(sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role_for(schema))))
        conn.execute(statement)


def test_a_tenant_role_reads_its_schema_and_not_another(database, tenant, other):
    as_role(database, tenant.schema, events(tenant.schema))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(database, tenant.schema, events(other.schema))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(database, other.schema, events(tenant.schema))


def test_a_tenant_role_cannot_read_the_catalog_or_create_tables(database, tenant):
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(database, tenant.schema, sql.SQL("SELECT * FROM chibo_catalog.tenants"))
    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        as_role(
            database,
            tenant.schema,
            sql.SQL("CREATE TABLE {}.sneaky (x int)").format(sql.Identifier(tenant.schema)),
        )


def test_a_tenant_role_cannot_rewrite_the_log(database, tenant, app):
    app.save_all(
        OrgUnit.found(uuid4(), "Đảng bộ tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    )
    target = sql.SQL("{}.chibo_events").format(sql.Identifier(tenant.schema))
    for statement in (
        sql.SQL("DELETE FROM {}").format(target),
        sql.SQL("TRUNCATE {}").format(target),
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_role(database, tenant.schema, statement)


def test_the_write_side_runs_as_the_tenant_role(database, tenant, other, role_app):
    unit = OrgUnit.found(uuid4(), "Đảng bộ tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    assert role_app.save_all(unit) >= 1
    assert role_app.repository.get(unit.id).name == "Đảng bộ tỉnh"
    with role_app.recorder.datastore.transaction() as cursor:
        cursor.execute("SELECT current_user AS who")
        assert cursor.fetchone()["who"] == role_for(tenant.schema)
    with (
        pytest.raises(Exception, match="permission denied"),
        role_app.recorder.datastore.transaction() as cursor,
    ):
        cursor.execute(events(other.schema))


def test_accounts_and_login_work_under_the_tenant_role(tmp_path, role_app):
    account, _ = auth.create_user(
        role_app, SYSTEM, username="van.thu", password="mật-khẩu-dài-đủ-2025", role=Role.AUDITOR
    )
    session = auth.login(
        role_app,
        TokenSigner(b"k" * 48),
        LoginThrottle(),
        "van.thu",
        "mật-khẩu-dài-đủ-2025",
        "ip",
        "r",
    )
    assert session.principal.user_id == str(account.id)
    assert (
        auth.refresh(role_app, TokenSigner(b"k" * 48), session.refresh_token).principal.role
        == "auditor"
    )


def test_the_read_side_switches_role_per_transaction_only(database, tenant, other):
    async def scenario() -> tuple[str, str, str]:
        readside = ReadSide(database, min_size=1, max_size=1)
        try:
            async with tenant_read_connection(readside, tenant.schema) as conn:
                inside = await conn.fetchval("SELECT current_user")
            rows = await fetch_as_tenant(
                readside, tenant.schema, f"SELECT count(*) FROM {tenant.schema}.chibo_events"
            )
            try:
                await fetch_as_tenant(
                    readside, tenant.schema, f"SELECT count(*) FROM {other.schema}.chibo_events"
                )
                refused = "no"
            except Exception as error:
                refused = type(error).__name__
            # One pooled connection: after the transaction it is the owner again.
            after = await (await readside.pool()).fetchval("SELECT current_user")
            assert rows[0][0] == 0
            return inside, refused, after
        finally:
            await readside.close()

    inside, refused, after = asyncio.run(scenario())
    assert inside == role_for(tenant.schema)
    assert refused == "InsufficientPrivilegeError"
    assert after == database.user


def rights_of(database, schema: str) -> dict[str, object]:
    """The tenant role's rights as the catalog records them (not as a query happens to fare)."""
    role = role_for(schema)
    with database.connect() as conn:
        login = conn.execute(
            "SELECT rolcanlogin, rolsuper FROM pg_roles WHERE rolname = %s", (role,)
        ).fetchall()
        on_schema = conn.execute(
            "SELECT has_schema_privilege(%s, %s, 'USAGE'), has_schema_privilege(%s, %s, 'CREATE'),"
            " has_schema_privilege(%s, 'chibo_catalog', 'USAGE')",
            (role, schema, role, schema, role),
        ).fetchone()
        grants = conn.execute(
            "SELECT table_name, privilege_type FROM information_schema.role_table_grants"
            " WHERE grantee = %s AND table_schema = %s ORDER BY 1, 2",
            (role, schema),
        ).fetchall()
        tables = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s"
            " AND table_type = 'BASE TABLE' ORDER BY 1",
            (schema,),
        ).fetchall()
    by_table: dict[str, set[str]] = {}
    for table, right in grants:
        by_table.setdefault(table, set()).add(right)
    return {
        "role": login,
        "schema": on_schema,
        "tables": [t for (t,) in tables],
        "grants": by_table,
    }


def test_provisioning_twice_keeps_the_role_and_its_rights(database, tenant):
    before = rights_of(database, tenant.schema)
    provision(database, tenant.slug, tenant.name, schema_parts())
    after = rights_of(database, tenant.schema)
    assert after == before
    # one role, which cannot log in and is no superuser
    assert after["role"] == [(False, False)]
    # its own schema: use it, create nothing; the catalog: nothing
    assert after["schema"] == (True, False, False)
    grants = after["grants"]
    assert isinstance(grants, dict)
    # every table of the schema is granted; the log and the audit tables are append-only
    assert set(grants) == set(after["tables"])
    for table in append_only_tables():
        assert {"SELECT", "INSERT"} <= grants[table], table
        assert not {"DELETE", "TRUNCATE"} & grants[table], table
    for table in set(grants) - set(append_only_tables()):
        assert {"SELECT", "INSERT", "UPDATE", "DELETE"} <= grants[table], table
    as_role(database, tenant.schema, events(tenant.schema))


def test_a_job_gets_only_the_application_of_its_message_tenant(container, tenant, other):
    from services.security.jobs import JobOutsideTenant, check_job_tenant, job_context

    app, actor = job_context(container, tenant.slug, "deadline_scan", "m-1")
    assert app.slug == tenant.slug
    assert app.schema == tenant.schema
    assert actor.user_id == "job:deadline_scan"
    assert actor.request_id == "message:m-1"
    with pytest.raises(JobOutsideTenant):
        check_job_tenant(other.slug, app)


def test_a_role_another_database_still_uses_is_kept_and_the_drop_succeeds(database, tenant):
    """Roles are cluster-wide (CI's system PostgreSQL kept one from an older database): dropping
    a province here must not fail on the role's grants in another database, nor revoke them."""
    role = role_for(tenant.schema)
    other_db = f"chibo_roles_{uuid4().hex[:8]}"
    with database.direct() as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(other_db)))
    elsewhere = psycopg.connect(server_conninfo(database, other_db), autocommit=True)
    try:
        elsewhere.execute(
            sql.SQL("GRANT CONNECT ON DATABASE {} TO {}").format(
                sql.Identifier(other_db), sql.Identifier(role)
            )
        )
        elsewhere.execute("CREATE SCHEMA kept")
        elsewhere.execute(sql.SQL("GRANT USAGE ON SCHEMA kept TO {}").format(sql.Identifier(role)))

        with database.connect() as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(tenant.schema)))
            drop_tenant_role(conn, tenant.schema)  # raised DependentObjectsStillExist before
            assert (
                conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                is not None
            )
        granted = elsewhere.execute(
            "SELECT has_schema_privilege(%s, 'kept', 'USAGE')", (role,)
        ).fetchone()
        assert granted == (True,)

        # Once the other database lets go of it, the same call removes the role.
        elsewhere.execute(sql.SQL("DROP OWNED BY {}").format(sql.Identifier(role)))
        elsewhere.close()
        with database.direct() as conn:
            conn.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(other_db)))
        with database.connect() as conn:
            drop_tenant_role(conn, tenant.schema)
            assert (
                conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone()
                is None
            )
    finally:
        if not elsewhere.closed:
            elsewhere.close()
        with database.direct() as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(other_db)))
