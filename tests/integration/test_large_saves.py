"""A save larger than psycopg's pipeline can send is recorded whole, and the province goes on.

psycopg's pipeline (3.3.9) stops flushing once its last command is queued: a request larger
than the socket's buffers (above 5 MB on loopback) then waited for the rest of itself forever,
in a transaction holding the province's events table lock, so every later write of the province
waited too. ``infra.tenant_store`` sends such a save statement by statement. Three events of
3 MB are written here through the province's recorder; a hung insert is cancelled by the test
so that a failure does not hang the suite as well.
"""

from __future__ import annotations

import os
import threading
from datetime import date
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.utils import get_topic

from domain.base import SYSTEM
from domain.org_unit import Level, OrgUnit
from infra.application import TenantApplication
from infra.database import Database
from infra.tenant_store import PIPELINE_BYTES

pytestmark = pytest.mark.integration

HANG_GUARD_SECONDS = 120  # not a speed limit: the insert takes well under a second when it works


def finished_or_cancelled(database: Database, schema: str, work: Any, failure: str) -> None:
    """Run ``work`` in a thread; if it hangs, end the server side of it (a request still
    waiting for the rest of itself) so that the test fails instead of the suite hanging."""
    worker = threading.Thread(target=work, daemon=True)
    worker.start()
    worker.join(HANG_GUARD_SECONDS)
    if worker.is_alive():
        with database.connect() as conn:
            conn.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE wait_event = 'ClientRead' AND state = 'active'"
                " AND query LIKE '%%' || %s || '%%' AND pid <> pg_backend_pid()",
                [schema],
            )
        pytest.fail(f"{failure}: the pipeline waited for the rest of its request")


def test_a_save_of_nine_megabytes_is_recorded_whole_and_later_writes_go_on(
    database: Database, app: TenantApplication
) -> None:
    topic = get_topic(OrgUnit.Renamed)
    events = [StoredEvent(uuid4(), 1, topic, os.urandom(3 * 1024 * 1024)) for _ in range(3)]
    assert sum(len(e.state) for e in events) > 8 * PIPELINE_BYTES
    outcome: dict[str, Any] = {}

    def insert() -> None:
        try:
            outcome["ids"] = app.recorder.insert_events(events)
        except Exception as error:  # reported below, in the test's thread
            outcome["error"] = error

    finished_or_cancelled(database, app.schema, insert, "the large save never finished")
    assert "error" not in outcome, outcome.get("error")
    assert outcome["ids"] == [1, 2, 3]

    recorder = app.recorder
    for event in events:
        (stored,) = recorder.select_events(event.originator_id)
        assert stored.state == event.state
    # The table lock went with the transaction: the next save is recorded after them.
    unit = OrgUnit.found(uuid4(), "Tỉnh sau", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    assert app.save_all(unit) == 4
    assert app.repository.get(unit.id).name == "Tỉnh sau"
    # A large save that conflicts is refused as the library refuses any (optimistic concurrency).
    twice = StoredEvent(events[0].originator_id, 1, topic, os.urandom(2 * PIPELINE_BYTES))
    with pytest.raises(IntegrityError):
        recorder.insert_events([twice])
    (kept,) = recorder.select_events(events[0].originator_id)
    assert kept.state == events[0].state
