"""Background work during a database outage: back off, and say so once (issue 13 §3).

Before this, a PostgreSQL restart made the workers write about 2,900 error lines in 30 s:
every catch-up message failed, logged a traceback and was retried. :class:`Outage` is shared
by a process's workers: the first failure logs one line, the following ones are silent and
get a growing delay before their work is tried again, and the first success logs one line
with the outage's length.
"""

from __future__ import annotations

import logging
import threading
import time

log = logging.getLogger(__name__)

FIRST_DELAY = 0.5
MAX_DELAY = 30.0


class Outage:
    def __init__(self, logger: logging.Logger = log) -> None:
        self.log = logger
        self.since: float | None = None
        self.failures = 0
        self._lock = threading.Lock()

    @property
    def ongoing(self) -> bool:
        return self.since is not None

    def failed(self, error: BaseException) -> float:
        """Record a failure to reach the database; return how long to wait before retrying."""
        with self._lock:
            if self.since is None:
                self.since = time.monotonic()
                self.log.warning(
                    "database unavailable (%s: %s); background work backs off until it answers",
                    type(error).__name__,
                    str(error).strip().splitlines()[0] if str(error).strip() else "",
                )
            self.failures += 1
            return float(min(MAX_DELAY, FIRST_DELAY * 2 ** (self.failures - 1)))

    def succeeded(self) -> None:
        if self.since is None:  # the common case: no lock taken
            return
        with self._lock:
            if self.since is None:
                return
            down = time.monotonic() - self.since
            self.since, self.failures = None, 0
            self.log.warning("database answers again after %.1f s; background work resumes", down)
