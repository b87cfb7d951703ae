"""The same catch-up through the machine's RabbitMQ (mandatory in CI, skipped elsewhere)."""

from __future__ import annotations

import os
from typing import Any

import pytest

from projections.registry import all_projections
from services import workers
from tests.integration.test_projection_engine import positions
from tests.integration.test_projection_rollups import build_province

pytestmark = [
    pytest.mark.integration,
    pytest.mark.broker,
    pytest.mark.skipif(os.environ.get("CI") != "true", reason="RabbitMQ is required only in CI"),
]

BROKER_URL = os.environ.get("BROKER_URL", "amqp://guest:guest@127.0.0.1:5672/")
QUEUE = "chibo_test_projections"


def test_catch_up_through_rabbitmq(app, tenant, database):
    build_province(app)
    runtime = workers.configure(
        database, BROKER_URL, run_worker=True, threads=2, tick_seconds=None, queue=QUEUE
    )
    broker: Any = runtime.broker
    try:
        broker.flush(QUEUE)
        workers.notify_committed(tenant.slug)
        workers.notify_committed(tenant.slug)  # a duplicate on the real broker too
        broker.join(QUEUE, min_successes=20, idle_time=200, timeout=60_000)
    finally:
        workers.shutdown()
    assert positions(database, tenant.schema) == {
        p.name: app.log_position for p in all_projections()
    }
