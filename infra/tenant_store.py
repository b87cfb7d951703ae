"""The eventsourcing library's PostgreSQL recorders on the process's shared pool.

The library gives every application its own ``PostgresDatastore`` and pool: with one
application per province that meant about three connections per province (issue 14). Its
recorders, though, schema-qualify every statement, so one pool can serve every schema. What
is per province here is only a light :class:`TenantDatastore`: the schema, the province's
role. Each use of a
connection is one transaction that first runs ``SET LOCAL ROLE`` (the role ends with the
transaction, so a pooled connection, or a PgBouncer server session, never carries one
province's role into another's work). The library's insert runs its own pipelined
transaction; there the role is set by the first statement of that transaction
(:class:`TenantApplicationRecorder`), since a savepoint inside a pipeline cannot recover from
the conflict error that optimistic concurrency relies on.

The library inserts events as an array of its per-schema composite type. psycopg builds the
Python class of a composite from its name and fields alone, so every province's
``stored_event_uuid`` became one class, and a connection that had seen two provinces dumped
one's events as the other's type (a cast error on insert). Here nothing registers composite
types: the insert sends four plain arrays and ``unnest`` zips them
(``tests/integration/test_shared_pool_writes.py``).

The library's recorder suites run against this datastore in
``tests/integration/test_library_suites.py``.

A save whose request may exceed :data:`PIPELINE_BYTES` is sent statement by statement instead of
through the library's pipeline: psycopg's pipeline (3.3.9) stops flushing once its last command
is queued, so a request bigger than what the socket takes at once (from about 500 KB through a
Unix socket, as the embedded server is reached; above 5 MB over TCP on loopback) waited for the
rest of itself forever, holding the province's events table lock, which stopped every other
write of the province (``tests/integration/test_large_saves.py``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import psycopg
from eventsourcing import persistence as es
from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresDatastore, PostgresFactory
from eventsourcing.utils import Environment, retry
from psycopg import Cursor, sql
from psycopg.rows import DictRow, dict_row

from infra.database import Database
from infra.outbox import OutboxRecorder

_ERRORS: tuple[tuple[type[psycopg.Error], Callable[[str], Exception]], ...] = (
    (psycopg.InterfaceError, es.InterfaceError),
    (psycopg.OperationalError, es.OperationalError),
    (psycopg.DataError, es.DataError),
    (psycopg.IntegrityError, es.IntegrityError),
    (psycopg.InternalError, es.InternalError),
    (psycopg.ProgrammingError, es.ProgrammingError),
    (psycopg.NotSupportedError, es.NotSupportedError),
    (psycopg.DatabaseError, es.DatabaseError),
    (psycopg.Error, es.PersistenceError),
)
"""The library's own translation of driver errors (``PostgresDatastore.get_connection``)."""

PIPELINE_BYTES = 64 * 1024
"""The largest request (as :func:`request_bytes` bounds it) sent in one pipelined round trip;
a larger one goes statement by statement (module docstring). A Unix socket takes about 200 KB
at once, so such a request is always sent whole. A command's save is a few KB; the few round
trips more cost little beside a save this large."""


def request_bytes(stored_events: Sequence[StoredEvent]) -> int:
    """An upper bound of the insert's size on the wire: each state hex-encoded (twice its
    bytes), its topic, and its id, version and separators."""
    return sum(2 * len(e.state) + len(e.topic) + 64 for e in stored_events)


class TenantDatastore(PostgresDatastore):
    """One province's view of the shared pool: its schema, its role, its type adapters.

    ``role`` is ``None`` for provisioning, which creates tables as the owner.
    """

    def __init__(
        self, database: Database, schema: str, role: str | None, lock_timeout: int = 5
    ) -> None:
        # The parent's constructor would build a pool of its own: set its attributes instead.
        self.database = database
        self.role = role
        self.schema = schema
        self.lock_timeout = lock_timeout
        self.idle_in_transaction_session_timeout = 0
        self.pre_ping = False
        self.pool_open_timeout = None
        self.single_row_tracking = True
        self.originator_id_type = "uuid"
        # Functions off: with them on, the library skips tracking records (brief).
        self.enable_db_functions = False
        self.db_type_names = set()
        self.psycopg_type_adapters = {}
        self.psycopg_python_types = {}
        self._set_role = sql.SQL("SET LOCAL ROLE {}").format(sql.Identifier(role)) if role else None
        self._own_transaction = threading.local()

    @contextmanager
    def caller_opens_transaction(self) -> Iterator[None]:
        """Connections from here on (this thread) are handed out outside a transaction; the
        caller begins one and calls :meth:`set_role` first in it."""
        self._own_transaction.active = True
        try:
            yield
        finally:
            self._own_transaction.active = False

    def set_role(self, cursor: Cursor[Any]) -> None:
        if self._set_role is not None:
            cursor.execute(self._set_role)

    @contextmanager
    def get_connection(self) -> Iterator[psycopg.Connection[DictRow]]:
        try:
            with self.database.connect() as conn:
                conn.row_factory = dict_row
                if getattr(self._own_transaction, "active", False):
                    yield conn
                else:
                    with conn.transaction():
                        if self._set_role is not None:
                            conn.execute(self._set_role)
                        yield conn
        except psycopg.Error as error:
            for kind, translated in _ERRORS:
                if isinstance(error, kind):
                    raise translated(str(error)) from error
            raise

    def register_type_adapters(self) -> None:
        """No composite types: the insert sends plain arrays (module docstring)."""

    def close(self) -> None:
        """Nothing to close: the pool is the process's, not this province's."""

    def __del__(self) -> None:
        pass


class TenantApplicationRecorder(OutboxRecorder):
    """The library's recorder (chaining each event as it writes it: ``infra.audit.writechain``,
    and writing the notice outbox of the events that call for one: ``infra.outbox``); its insert
    transaction starts by taking the province's role."""

    datastore: TenantDatastore

    def __init__(
        self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events"
    ) -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        # The library notifies one channel named after the table, the same in every schema:
        # a listener for one province would wake on every province's commits.
        self.channel_name = commits_channel(datastore.schema, self.events_table_name)

    def insert_events(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Any:
        with self.datastore.caller_opens_transaction():
            if request_bytes(stored_events) <= PIPELINE_BYTES:
                return super().insert_events(stored_events, **kwargs)
            return self._insert_statement_by_statement(stored_events, **kwargs)

    @retry((es.InterfaceError, es.OperationalError), max_attempts=10, wait=0.2)
    def _insert_statement_by_statement(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Any:
        """The library's insert (same steps, same transaction, same retries) without its
        pipeline, for a save too large for one (module docstring)."""
        with self.datastore.get_connection() as conn, conn.transaction():
            with conn.cursor() as curs:
                self._insert_events(curs, stored_events, **kwargs)
            with conn.cursor() as curs:
                self._insert_stored_events(curs, stored_events, **kwargs)
                return self._fetch_ids_after_insert_events(curs, stored_events, **kwargs)

    def _insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # The library's hook, run first inside its insert transaction (and pipeline).
        self.datastore.set_role(curs)
        super()._insert_events(curs, stored_events, **kwargs)

    def _insert_stored_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> None:
        # The library's steps (lock the table, notify), then its insert without its composite
        # type; one plain array per column instead, zipped by unnest in the order given.
        self._lock_table(curs)
        self._notify_channel(curs)
        columns: tuple[list[Any], list[int], list[str], list[bytes]] = ([], [], [], [])
        for event in stored_events:
            columns[0].append(event.originator_id)
            columns[1].append(event.originator_version)
            columns[2].append(event.topic)
            columns[3].append(event.state)
        curs.execute(self._insert_arrays, columns)

    @property
    def _insert_arrays(self) -> sql.Composed:
        return sql.SQL(
            "INSERT INTO {}.{} (originator_id, originator_version, topic, state)"
            " SELECT * FROM unnest(%s::uuid[], %s::int8[], %s::text[], %s::bytea[])"
            " RETURNING notification_id"
        ).format(sql.Identifier(self.datastore.schema), sql.Identifier(self.events_table_name))


def commits_channel(schema: str, events_table: str) -> str:
    """The ``NOTIFY`` channel of one province's commits (``<schema>_<events table>``)."""
    return f"{schema}_{events_table}"


class TenantFactory(PostgresFactory):
    """The library's factory, handed a :class:`TenantDatastore` instead of building a pool."""

    application_recorder_class = TenantApplicationRecorder

    def __init__(self, env: Environment, datastore: TenantDatastore) -> None:
        # Skip BasePostgresFactory.__init__, which reads connection settings and opens a pool.
        self.env = env
        self._is_entered = False
        self.datastore = datastore

    def close(self) -> None:
        self.datastore.close()


def install_event_tables(conn: psycopg.Connection[Any], recorder: Any) -> None:
    """Run the recorder's ``CREATE`` statements on ``conn`` (inside the caller's transaction).

    The library's ``create_table`` would use a pooled connection of its own; provisioning
    needs the tables created in its one transaction, under its lock.
    """
    statements: list[sql.Composed] = recorder.sql_create_statements
    for statement in statements:
        if "CREATE TYPE" in statement.as_string():
            # No IF NOT EXISTS for types: a savepoint keeps the transaction usable.
            try:
                with conn.transaction():
                    conn.execute(statement, prepare=False)
            except psycopg.errors.DuplicateObject:
                pass
    for statement in statements:
        if "CREATE TYPE" not in statement.as_string():
            conn.execute(statement, prepare=False)
