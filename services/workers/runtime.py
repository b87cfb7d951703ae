"""This process's side of the workers: the runtime that wakes the provinces (after commits,
throttled, and by a periodic tick) and, where it runs them, the worker threads."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import dramatiq

from infra.database import Database
from infra.pools import CONNECTION_ERRORS
from infra.tenancy import check_slug, list_tenants
from services.workers.actors import Actors
from services.workers.broker import QUEUE

log = logging.getLogger(__name__)

TICK_SECONDS = 30.0
EXPIRE_EVERY = 3600.0
"""Seconds between two rounds of report-job retention (``expire_reports``)."""
WAKEUP_WINDOW = 0.02
"""Seconds: a burst of commits to one province sends one wake-up now and one at the end."""


@dataclass
class Runtime:
    """This process's broker, actors and (optionally) worker threads and ticker."""

    broker: dramatiq.Broker
    database: Database
    actors: Actors
    queue: str = QUEUE
    worker: dramatiq.Worker | None = None
    stopping: threading.Event = field(default_factory=threading.Event)
    ticker: threading.Thread | None = None
    wakeups: str = "coalesced"
    """``coalesced`` (one round per province and burst) or ``pairs`` (the previous path)."""
    throttle: Throttle | None = None
    notices: Throttle | None = None
    report_keep_days: float = 7.0
    """Days a report job and its file are kept (``CHIBO_REPORT_KEEP_DAYS``); 0: for ever."""
    expired_at: float | None = None
    """``time.monotonic()`` of the last retention round this process's tick sent."""

    def notify_committed(self, tenant_slug: str) -> None:
        check_slug(tenant_slug)
        if self.notices is None:
            self.notices = Throttle(self.actors.deliver_notices.send, WAKEUP_WINDOW)
        self.notices(tenant_slug)
        if self.wakeups == "pairs":
            self.actors.catch_up_tenant.send(tenant_slug)
            return
        if self.throttle is None:
            self.throttle = Throttle(self.actors.catch_up_province.send, WAKEUP_WINDOW)
        self.throttle(tenant_slug)

    def tick(self, spread_over: float = 0.0) -> None:
        """Wake every province once, spread evenly over ``spread_over`` seconds."""
        try:
            tenants = list_tenants(self.database)
        except CONNECTION_ERRORS as error:
            self.actors.outage.failed(error)
            return
        self.actors.outage.succeeded()
        gap = spread_over / len(tenants) if tenants else 0.0
        now = time.monotonic()
        expire = self.report_keep_days > 0 and (
            self.expired_at is None or now - self.expired_at >= EXPIRE_EVERY
        )
        if expire:
            self.expired_at = now
        for tenant in tenants:
            if self.wakeups == "pairs":
                self.actors.catch_up_tenant.send(tenant.slug)
            else:
                self.actors.catch_up_province.send(tenant.slug)
            self.actors.deliver_notices.send(tenant.slug)
            if expire:
                self.actors.expire_reports.send(tenant.slug, self.report_keep_days)
            if gap and self.stopping.wait(gap):
                return

    def start_worker(self, threads: int = 2, tick_seconds: float | None = TICK_SECONDS) -> None:
        self.worker = dramatiq.Worker(
            self.broker, queues={self.queue}, worker_threads=threads, worker_timeout=100
        )
        self.worker.start()
        if tick_seconds:
            self.ticker = threading.Thread(
                target=self._tick_every, args=(tick_seconds,), name="chibo-tick", daemon=True
            )
            self.ticker.start()

    def _tick_every(self, seconds: float) -> None:
        # The provinces are spread over the period, not all woken at once (issue 14 §2).
        while not self.stopping.wait(seconds / 10 if self.wakeups != "pairs" else seconds):
            try:
                self.tick(spread_over=seconds * 0.9 if self.wakeups != "pairs" else 0.0)
            except Exception:  # must not end the ticker
                log.exception("projection tick failed")

    def stop(self) -> None:
        self.stopping.set()
        if self.throttle is not None:
            self.throttle.cancel()
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self.ticker is not None:
            self.ticker.join()
            self.ticker = None
        self.broker.close()


class Throttle:
    """Per key: call ``send`` at once, then at most once more per ``window`` (trailing), so
    the last of a burst of commits is always followed by a wake-up sent after it."""

    def __init__(self, send: Any, window: float) -> None:
        self.send = send
        self.window = window
        self._last: dict[str, float] = {}
        self._timers: dict[str, threading.Timer] = {}
        self._lock = threading.Lock()

    def __call__(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            if key in self._timers:
                return  # a trailing wake-up is due, after this commit
            wait = self._last.get(key, -1e9) + self.window - now
            if wait > 0:
                timer = threading.Timer(wait, self._fire, (key,))
                timer.daemon = True
                self._timers[key] = timer
                timer.start()
                return
            self._last[key] = now
        self.send(key)

    def _fire(self, key: str) -> None:
        with self._lock:
            self._timers.pop(key, None)
            self._last[key] = time.monotonic()
        self.send(key)

    def cancel(self) -> None:
        with self._lock:
            timers, self._timers = list(self._timers.values()), {}
        for timer in timers:
            timer.cancel()
