"""A province's log on its own schema: save, reload, and the stored JSON of a creation event."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit

pytestmark = pytest.mark.integration


def test_unit_saved_in_the_tenant_schema_is_reloaded(app, tenant, database):
    root = OrgUnit.found(uuid4(), "Đảng bộ tỉnh", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    position = app.save_all(root)
    assert position >= 1
    assert app.repository.get(root.id).name == "Đảng bộ tỉnh"
    with database.connect() as conn:
        count = conn.execute(f"SELECT count(*) FROM {tenant.schema}.chibo_events").fetchone()
    assert count == (1,)
