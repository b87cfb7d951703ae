"""Tenancy: provisioning is idempotent, tenants are isolated, the cache closes evicted pools."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from infra.application import TenantApplication
from infra.tenancy import (
    InvalidTenantSlug,
    TenantApplications,
    UnknownTenant,
    find_tenant,
    provision,
)
from services.bootstrap import schema_parts
from tests.conftest import drop_tenant, new_slug

pytestmark = pytest.mark.integration


def test_provisioning_twice_is_harmless(database, tenant, app):
    unit = OrgUnit.found(uuid4(), "Tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    app.save_all(unit)
    again, created = provision(database, tenant.slug, tenant.name, schema_parts())
    assert not created
    assert again == tenant
    assert app.repository.get(unit.id).name == "Tỉnh"  # nothing was dropped or recreated


@pytest.mark.parametrize("slug", ["A", "1abc", "ha-noi", "x" * 40, "drop table", "t;--", ""])
def test_unsafe_slugs_are_refused(database, slug):
    with pytest.raises(InvalidTenantSlug):
        provision(database, slug, "X")


def test_unknown_tenant(database):
    with pytest.raises(UnknownTenant):
        find_tenant(database, "khong_ton_tai")


def test_two_tenants_never_see_each_others_events(database):
    first, _ = provision(database, new_slug(), "Tỉnh Một", schema_parts())
    second, _ = provision(database, new_slug(), "Tỉnh Hai", schema_parts())
    try:
        app1 = TenantApplication(first.slug, first.schema, database)
        app2 = TenantApplication(second.slug, second.schema, database)
        unit = OrgUnit.found(uuid4(), "Tỉnh Một", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
        app1.save_all(unit)
        assert app1.log_position == 1
        assert app2.log_position == 0
        assert list(app2.notification_log.select(start=1, limit=10)) == []
        app1.close()
        app2.close()
    finally:
        drop_tenant(database, first)
        drop_tenant(database, second)


def test_a_stray_environment_variable_cannot_redirect_a_tenant(database, tenant, monkeypatch):
    # The library would let CHIBO_POSTGRES_SCHEMA win over the constructor's schema.
    monkeypatch.setenv("CHIBO_POSTGRES_SCHEMA", "public")
    monkeypatch.setenv("POSTGRES_SCHEMA", "public")
    app = TenantApplication(tenant.slug, tenant.schema, database)
    try:
        assert app.recorder.datastore.schema == tenant.schema
    finally:
        app.close()


def test_the_cache_is_bounded_and_eviction_never_stops_a_request_using_the_application(database):
    tenants = [provision(database, new_slug(), f"Tỉnh {i}", schema_parts())[0] for i in range(3)]
    cache = TenantApplications(database, maxsize=2)
    try:
        first = cache.get(tenants[0].slug)
        assert cache.get(tenants[0].slug) is first
        # A request holds `first` in the middle of its work (a read, then a write) ...
        assert first.log_position == 0
        cache.get(tenants[1].slug)
        cache.get(tenants[2].slug)  # evicts the least recently used: tenants[0]
        assert tenants[0].slug not in cache
        assert len(cache) == 2
        # ... and finishes it after the eviction, on the shared pool, in its own schema.
        unit = OrgUnit.found(uuid4(), "Tỉnh Một", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
        assert first.save_all(unit) == 1
        assert first.repository.get(unit.id).name == "Tỉnh Một"
        assert cache.get(tenants[0].slug).log_position == 1
        assert cache.get(tenants[1].slug).log_position == 0
        with pytest.raises(UnknownTenant):
            cache.get("khong_co_tinh")
    finally:
        cache.close()
        for created in tenants:
            drop_tenant(database, created)
