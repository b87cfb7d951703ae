"""The baseline: one of our projections run through the eventsourcing library's own
``ProjectionRunner`` (``eventsourcing.projection``), on the same tenant and the same data.

The library's model is one event at a time: its subscription reads the log (in pages, with
LISTEN/NOTIFY for new events), maps each stored event to a domain event, and the projection's
``process_event`` writes the view and the library's tracking row in one transaction per
event. The adapter below gives it the same effect as our engine: it hands each event to our
projection's own ``apply`` as a batch of one, inside the library view's transaction, with the
tracking row written by the library's ``PostgresTrackingRecorder`` (table
``<projection>_tracking`` in the tenant's schema). The event is encoded back to its stored
bytes for ``apply`` (a few microseconds, charged to the baseline). So the comparison measures
batching and set-based writes against per-event transactions, not two different read models.
"""

from __future__ import annotations

import time
from typing import Any, ClassVar

from eventsourcing.application import Application
from eventsourcing.persistence import InfrastructureFactory, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.projection import Projection as LibraryProjection
from eventsourcing.projection import ProjectionRunner
from eventsourcing.utils import Environment, get_topic
from psycopg.rows import tuple_row

from infra.application import TenantApplication
from infra.database import Database
from infra.mapper import MsgspecMapper, encode_state
from projections import tracking
from projections.base import Projection, StoredEventRow


class RunnerApplication(TenantApplication):
    """The tenant's application as the runner builds it: from an environment only."""

    name = TenantApplication.name  # the events table is named after it: chibo_events

    def __init__(self, env: dict[str, str] | None = None) -> None:
        Application.__init__(self, env)

    def construct_factory(self, env: Environment) -> InfrastructureFactory[Any]:
        # The library's own factory from the environment (its pool, its recorders), not the
        # province's shared datastore that TenantApplication.__init__ would have set up.
        return InfrastructureFactory.construct(env)


class View(PostgresTrackingRecorder):
    """Our projection's tables plus the library's tracking table, written per event."""

    projection: ClassVar[Projection]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.count = 0
        self.first: float | None = None
        self.last = 0.0

    def apply(self, row: StoredEventRow, tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            conn = curs.connection
            # The library's pool returns dict rows; our projection code expects tuples.
            factory, conn.row_factory = conn.row_factory, tuple_row
            try:
                self.projection.apply(conn, self.datastore.schema, [row])
            finally:
                conn.row_factory = factory
            self._insert_tracking(curs, tracking)
        now = time.perf_counter()
        self.first = now if self.first is None else self.first
        self.last, self.count = now, self.count + 1


class Adapter(LibraryProjection[View]):
    """The library-side projection: turns each domain event back into a stored row."""

    def process_event(self, domain_event: Any, tracking: Tracking) -> None:
        row = StoredEventRow(
            tracking.notification_id,
            domain_event.originator_id,
            domain_event.originator_version,
            get_topic(type(domain_event)),
            encode_state(domain_event),
        )
        self.view.apply(row, tracking)


def environment(database: Database, schema: str) -> dict[str, str]:
    """The same persistence settings as ``TenantApplication`` (our mapper, the tenant schema)."""
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "POSTGRES_DBNAME": database.dbname,
        "POSTGRES_HOST": database.host,
        "POSTGRES_PORT": str(database.port),
        "POSTGRES_USER": database.user,
        "POSTGRES_PASSWORD": database.password,
        "POSTGRES_SCHEMA": schema,
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        "MAPPER_TOPIC": get_topic(MsgspecMapper),
        "CREATE_TABLE": "y",
    }


def run(
    database: Database, schema: str, projection: Projection, seconds: float
) -> tuple[int, float]:
    """Run ``projection`` through the library for ``seconds`` from an empty read model.

    Returns (events processed, their rate in events/s between the first and the last).
    The projection's tables are dropped and reinstalled first, and again after with the
    engine's checkpoint reset, so the tenant is left consistent (empty, to be caught up).
    """
    name = f"lib_{projection.name}"
    view_class = type(f"{projection.name.title()}View", (View,), {"projection": projection})
    adapter = type(
        f"{projection.name.title()}Adapter",
        (Adapter,),
        {"name": name, "topics": tuple(projection.topics)},
    )
    _reset(database, schema, projection, name)
    runner: ProjectionRunner[RunnerApplication, View] = ProjectionRunner(
        application_class=RunnerApplication,
        projection_class=adapter,
        view_class=view_class,
        env=environment(database, schema),
    )
    with runner:
        runner.run_forever(timeout=seconds)
        view = runner.view
        count, first, last = view.count, view.first, view.last
    _reset(database, schema, projection, name)
    rate = (count - 1) / (last - first) if first is not None and last > first else 0.0
    return count, rate


def _reset(database: Database, schema: str, projection: Projection, name: str) -> None:
    with database.connect() as conn:
        projection.drop(conn, schema)
        projection.install(conn, schema)
        tracking.reset(conn, schema, projection.name)
        conn.execute(f'DROP TABLE IF EXISTS "{schema}"."{name}_tracking"')
