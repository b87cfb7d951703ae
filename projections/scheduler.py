"""Catching a province up: every projection, in order, once per burst of commits (issue 14 §2).

Before, each commit sent ``catch_up_tenant``, which fanned out into one ``catch_up_pair``
message per projection, each opening its own connections; a dependent projection
(``depends_on``) waited for the next message after the one it reads had moved. Now:

- one **round** (:func:`catch_up_round`) runs every projection of one province in registry
  order on the shared pool, so a dependent runs right after what it reads, in the same round;
- wake-ups are **coalesced** per province (:class:`Coalescer`): while a round runs, any
  number of wake-ups for that province only mark it dirty, and one more round follows;
- a round that moved a checkpoint **announces** it (``NOTIFY chibo_progress``), which wakes
  read-your-writes waits in the API processes.

If another worker process holds a pair's lock (``busy``), the caller asks again a little
later: that worker may have read the log before the commit that woke this one.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from infra.database import Database
from infra.notifications import PROGRESS, notify
from projections import engine
from projections.base import Projection


@dataclass(frozen=True, slots=True)
class Round:
    moved: bool
    """Some checkpoint advanced."""
    busy: bool
    """Some pair was held by another worker (ask again shortly)."""
    errors: tuple[str, ...] = ()


def catch_up_round(database: Database, schema: str, projections: Sequence[Projection]) -> Round:
    """Bring every projection of one province to the end of its log, what is read first.

    A connection error propagates (the caller backs off, ``infra.outage``); a projection's own
    error is recorded by the engine and the others carry on.
    """
    moved = busy = False
    errors: list[str] = []
    for projection in projections:
        result = engine.catch_up(database, schema, projection)
        moved = moved or result.span > 0
        busy = busy or result.busy
        if result.error:
            errors.append(f"{projection.name}: {result.error}")
    if moved:
        with database.connect() as conn:
            notify(conn, PROGRESS, schema)
    return Round(moved, busy, tuple(errors))


class Coalescer:
    """At most one round per province at a time in this process; wake-ups during a round
    make exactly one more round, however many arrive."""

    def __init__(self) -> None:
        self._dirty: dict[str, bool] = {}
        """Provinces with a round running here, and whether they were woken meanwhile."""
        self._lock = threading.Lock()
        self.rounds = 0
        self.wakeups = 0

    def run(self, key: str, round_: Callable[[], Round]) -> Round | None:
        """Run ``round_`` for ``key`` now, or leave it to the round already running (None)."""
        with self._lock:
            self.wakeups += 1
            if key in self._dirty:
                self._dirty[key] = True
                return None
            self._dirty[key] = False
        try:
            while True:
                self.rounds += 1
                result = round_()
                with self._lock:
                    if not self._dirty[key]:
                        del self._dirty[key]
                        return result
                    self._dirty[key] = False
        except BaseException:
            with self._lock:
                self._dirty.pop(key, None)
            raise
