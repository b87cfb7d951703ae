"""The workers' actor names are part of the messages a broker holds: a release that renamed one
would leave the queued messages with no actor to run them. They stay as listed here."""

from __future__ import annotations

import pytest
from dramatiq.brokers.stub import StubBroker

from infra.database import Database
from services import workers

pytestmark = pytest.mark.unit

ACTOR_NAMES = {
    "catch_up_tenant",
    "catch_up_pair",
    "rebuild_pair",
    "catch_up_province",
    "deliver_notices",
    "make_report",
    "expire_reports",
    "upgrade_projection",
}


def test_the_actors_keep_their_names_and_queue() -> None:
    broker = StubBroker()
    database = Database.from_url("postgresql://nobody@localhost:1/none")  # never connected
    actors = workers.declare_actors(broker, database)
    assert set(broker.get_declared_actors()) == ACTOR_NAMES
    assert {getattr(actors, name).actor_name for name in ACTOR_NAMES} == ACTOR_NAMES
    assert {getattr(actors, name).queue_name for name in ACTOR_NAMES} == {workers.QUEUE}
    assert workers.QUEUE == "chibo_projections"
    broker.close()
