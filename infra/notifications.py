"""PostgreSQL ``LISTEN``/``NOTIFY`` for the process: projection progress and catalog changes.

- ``chibo_progress`` (payload: a tenant schema) is sent by the workers after a catch-up moved
  a province's checkpoints; read-your-writes waits (``services.readyourwrites``) wake on it
  instead of polling;
- ``chibo_catalog`` (payload: a slug) is sent when provisioning registers a province; the
  workers' tenant directory (:class:`infra.directory.TenantDirectory`) forgets what it
  cached.

One thread and one connection per process, outside the pool (``LISTEN`` is session state).
Behind PgBouncer in transaction mode a session is not kept between transactions, so the
listener needs the server itself (``listen_url``); without it, waits fall back to a short
poll and the directory to its TTL. A lost connection is reopened with back-off; waiters
poll meanwhile, so a notification missed then costs latency, never correctness.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
from psycopg import sql

log = logging.getLogger(__name__)

PROGRESS = "chibo_progress"
CATALOG_CHANGED = "chibo_catalog"


def notify(conn: psycopg.Connection[Any], channel: str, payload: str) -> None:
    """Send a notification (delivered when ``conn``'s transaction commits)."""
    conn.execute("SELECT pg_notify(%s, %s)", (channel, payload))


class Listener:
    """Receives notifications on a thread and hands them to callbacks and asyncio waiters."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self._callbacks: dict[str, list[Callable[[str], None]]] = defaultdict(list)
        self._waiters: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = (
            defaultdict(set)
        )
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self.connected = threading.Event()

    def on(self, channel: str, callback: Callable[[str], None]) -> None:
        with self._lock:
            self._callbacks[channel].append(callback)

    def start(self) -> Listener:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="chibo-listen", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    @contextlib.contextmanager
    def progress_events(self, schema: str) -> Iterator[asyncio.Event]:
        """An event set whenever the workers report progress on ``schema``; register it
        *before* reading the positions, so that no report falls between read and wait."""
        entry = (asyncio.get_running_loop(), asyncio.Event())
        with self._lock:
            self._waiters[schema].add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                self._waiters[schema].discard(entry)
                if not self._waiters[schema]:
                    del self._waiters[schema]

    def _deliver(self, channel: str, payload: str) -> None:
        with self._lock:
            callbacks = list(self._callbacks.get(channel, ()))
            waiters = list(self._waiters.get(payload, ())) if channel == PROGRESS else []
        for callback in callbacks:
            try:
                callback(payload)
            except Exception:
                log.exception("notification callback failed on %s", channel)
        for loop, event in waiters:
            # A loop that has closed took its waiter with it.
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(event.set)

    def _run(self) -> None:
        delay = 0.5
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    for channel in (PROGRESS, CATALOG_CHANGED):
                        conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(channel)))
                    self.connected.set()
                    delay = 0.5
                    # After a reconnect, something may have been missed: wake every waiter.
                    self._wake_all()
                    while not self._stopping.is_set():
                        for note in conn.notifies(timeout=0.5):
                            self._deliver(note.channel, note.payload)
            except psycopg.Error:
                self.connected.clear()
                self._wake_all()
                if self._stopping.wait(delay):
                    return
                delay = min(delay * 2, 10.0)

    def _wake_all(self) -> None:
        with self._lock:
            schemas = list(self._waiters)
            callbacks = [cb for cbs in self._callbacks.values() for cb in cbs]
        for schema in schemas:
            self._deliver(PROGRESS, schema)
        for callback in callbacks:
            try:
                callback("")
            except Exception:
                log.exception("notification callback failed")
