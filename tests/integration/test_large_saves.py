"""A save larger than psycopg's pipeline can send is recorded whole, and the province goes on.

psycopg's pipeline (3.3.9) stops flushing once its last command is queued: a request larger
than what the socket takes at once (from about 500 KB through the embedded server's Unix
socket, above 5 MB over TCP on loopback) then waited for the rest of itself forever, in a
transaction holding the province's events table lock, so every later write of the province
waited too. ``infra.tenant_store`` sends such a save statement by statement. Saves of 800 KB
(it hung every time through the Unix socket) and 9 MB (over TCP, as CI's second pass reaches
the system server) are written here through the province's recorder; a hung insert is
cancelled by the test so that a failure does not hang the suite as well.
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
from infra.tenant_store import PIPELINE_BYTES, request_bytes

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


@pytest.mark.parametrize(
    ("count", "each"), [(2, 400 * 1024), (3, 3 * 1024 * 1024)], ids=["800KB", "9MB"]
)
def test_a_large_save_is_recorded_whole_and_later_writes_go_on(
    database: Database, app: TenantApplication, count: int, each: int
) -> None:
    topic = get_topic(OrgUnit.Renamed)
    events = [StoredEvent(uuid4(), 1, topic, os.urandom(each)) for _ in range(count)]
    assert request_bytes(events) > PIPELINE_BYTES
    outcome: dict[str, Any] = {}

    def insert() -> None:
        try:
            outcome["ids"] = app.recorder.insert_events(events)
        except Exception as error:  # reported below, in the test's thread
            outcome["error"] = error

    finished_or_cancelled(database, app.schema, insert, "the large save never finished")
    assert "error" not in outcome, outcome.get("error")
    assert outcome["ids"] == list(range(1, count + 1))

    recorder = app.recorder
    for event in events:
        (stored,) = recorder.select_events(event.originator_id)
        assert stored.state == event.state
    # The table lock went with the transaction: the next save is recorded after them.
    unit = OrgUnit.found(uuid4(), "Tỉnh sau", Level.PROVINCE, None, date(2020, 1, 1), SYSTEM)
    assert app.save_all(unit) == count + 1
    assert app.repository.get(unit.id).name == "Tỉnh sau"
    # A large save that conflicts is refused as the library refuses any (optimistic concurrency).
    twice = StoredEvent(events[0].originator_id, 1, topic, os.urandom(2 * PIPELINE_BYTES))
    with pytest.raises(IntegrityError):
        recorder.insert_events([twice])
    (kept,) = recorder.select_events(events[0].originator_id)
    assert kept.state == events[0].state
