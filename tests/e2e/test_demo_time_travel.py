"""Every aggregate the demo creates can be shown as of three points of its history (issue 12 §5).

``GET …/audit/aggregates/{id}`` answered 500 for a meeting with a motion and for a member with
a noted month (a dict keyed by tuples); the state goes out as JSON, so each is encoded here.
"""

from __future__ import annotations

from typing import Any

import msgspec
import pytest

from infra.application import EVENTS_TABLE
from infra.audit.timetravel import aggregate_as_of

pytestmark = pytest.mark.e2e


def test_every_demo_aggregate_as_of_its_first_middle_and_latest_version(seeded, database):
    app, tenant, *_ = seeded
    with database.connect() as conn:
        streams = conn.execute(
            f'SELECT originator_id, max(originator_version) FROM "{tenant.schema}".{EVENTS_TABLE}'
            " GROUP BY originator_id"
        ).fetchall()
    kinds: dict[str, int] = {}
    for aggregate_id, latest in streams:
        for version in sorted({1, (latest + 1) // 2, latest}):
            shown: Any = aggregate_as_of(app, aggregate_id, version=version)
            assert shown.version == version
            msgspec.json.encode(shown.state)  # the route's answer, JSON as it stands
        kinds[shown.aggregate_type] = kinds.get(shown.aggregate_type, 0) + 1
    # The demo's kinds are all there (a member's noted months: tests/unit/test_public_state.py).
    assert {"Meeting", "Member", "OrgUnit", "CellRoster"} <= set(kinds)
