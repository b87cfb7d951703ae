"""Background work (dramatiq): keep every (province, projection) pair caught up.

Messages:

- ``catch_up_province(tenant_slug)``: sent after commits (:func:`notify_committed`, at most
  one per province per ``WAKEUP_WINDOW`` plus one trailing) and by the periodic tick, which
  spreads the provinces over its period. It runs one round of every projection in order,
  coalesced per province (``projections.scheduler``). The tenant comes from a cached
  directory (``infra.directory``); a database outage backs off quietly (``infra.outage``);
- ``catch_up_tenant(tenant_slug)``: the previous path (``wakeups="pairs"``, kept for the
  benchmark's baseline): fans out one ``catch_up_pair`` per projection;
- ``catch_up_pair(tenant_slug, projection)``: runs the engine for that pair. The engine's
  advisory lock means two workers never run the same pair; if the pair is busy the message
  comes back once, a little later, so a commit that landed during the other run is not left
  for the next tick. A duplicate delivery finds the checkpoint already past the events;
- ``rebuild_pair(tenant_slug, projection)``: drop and replay one read model;
- ``make_report(tenant_slug, job_id)``: make a report job's file and keep it for download
  (``services.documents.jobs``); its failure is recorded on the job, never retried;
- ``expire_reports(tenant_slug, keep_days)``: forget report jobs older than ``keep_days`` and
  drop their files (``job_store.expire``); sent by the tick at most every ``EXPIRE_EVERY``;
- ``upgrade_projection(tenant_slug, projection)``: the same for a read model whose version a
  release changed (``projections.versions``), sent once per province and process by the first
  ``catch_up_province``; the row in ``projection_version`` says ``rebuilding`` meanwhile;
- ``deliver_notices(tenant_slug)``: expand the province's notice outbox and send what is due
  over SMTP (``services.notices.delivery``); woken like the catch-up (after commits, at most
  one per window, and by the tick, so the retries of failed addresses happen on time).
  Duplicates are harmless: deliveries are claimed.

Every message carries its tenant's slug, checked against the catalog before any work (through
the cached directory, which follows the catalog's notifications); a message for an unknown
tenant is dropped with a warning, never retried.

Brokers: RabbitMQ (``BROKER_URL=amqp://…``) in production; without ``BROKER_URL`` an
in-process stub broker with worker threads, so ``chibo serve`` alone runs everything.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

import dramatiq
import psycopg
from dramatiq.brokers.stub import StubBroker

from domain.base import DomainError
from infra.database import Database
from infra.directory import TenantDirectory
from infra.notifications import Listener
from infra.outage import Outage
from infra.pools import CONNECTION_ERRORS
from infra.tenancy import check_slug, list_tenants
from projections import engine, versions
from projections.registry import all_projections, dependents, projection_named
from projections.scheduler import Coalescer, catch_up_round

if TYPE_CHECKING:  # the delivery code imports the HTTP context, which imports the wiring
    from services.notices.delivery import Mailer

log = logging.getLogger(__name__)

QUEUE = "chibo_projections"
BUSY_RETRY_MS = 500
PROVINCE_BUSY_RETRY_MS = 100
"""Another worker holds a pair: it may have read the log just before our commit, so look
again soon (it is short: batches under live load are small)."""
TICK_SECONDS = 30.0
EXPIRE_EVERY = 3600.0
"""Seconds between two rounds of report-job retention (``expire_reports``)."""
WAKEUP_WINDOW = 0.02
"""Seconds: a burst of commits to one province sends one wake-up now and one at the end."""


def make_broker(url: str | None) -> dramatiq.Broker:
    if url is None:
        return StubBroker()
    if url.startswith(("amqp://", "amqps://")):
        from dramatiq.brokers.rabbitmq import RabbitmqBroker

        return RabbitmqBroker(url=url)
    if url.startswith(("redis://", "rediss://")):
        from dramatiq.brokers.redis import RedisBroker

        return RedisBroker(url=url)  # type: ignore[no-untyped-call]  # dramatiq's Redis broker has no annotations
    raise ValueError(
        f"BROKER_URL không hỗ trợ / unsupported BROKER_URL scheme: {url.split(':')[0]}"
    )


@dataclass
class Actors:
    catch_up_tenant: dramatiq.Actor[Any, Any]
    catch_up_pair: dramatiq.Actor[Any, Any]
    rebuild_pair: dramatiq.Actor[Any, Any]
    catch_up_province: dramatiq.Actor[Any, Any]
    deliver_notices: dramatiq.Actor[Any, Any]
    make_report: dramatiq.Actor[Any, Any]
    expire_reports: dramatiq.Actor[Any, Any]
    upgrade_projection: dramatiq.Actor[Any, Any]
    outage: Outage = field(default_factory=Outage)
    directory: TenantDirectory | None = None


SCHEMA_GONE = (psycopg.errors.UndefinedTable, psycopg.errors.InvalidSchemaName)
"""What a message meets when the province's schema was dropped under it (removed or moved)."""


def _known_place(directory: TenantDirectory, tenant_slug: str) -> tuple[Database, str] | None:
    """The province's cluster database and schema, or None (unknown: the message is dropped)."""
    try:
        return directory.placed(tenant_slug)
    except DomainError as error:
        log.warning("dropping a message for tenant %r: %s", tenant_slug, error.en)
        return None


def declare_actors(
    broker: dramatiq.Broker,
    database: Database,
    queue: str = QUEUE,
    mailer: Mailer | None = None,
    listener: Listener | None = None,
) -> Actors:
    """The actors, bound to ``broker`` and ``database`` (nothing is bound at import time).
    With ``listener``, the tenant directory follows the catalog's notifications."""
    applications: list[Any] = []
    directory = TenantDirectory(database)
    if listener is not None:
        directory.follow(listener)
    outage = Outage(log)
    coalescer = Coalescer()
    checked: set[tuple[str, str]] = set()
    """(cluster, schema) whose projection versions this process has checked."""

    def check_versions(tenant_slug: str, placed: Database, schema: str) -> None:
        """Once per province and process: rebuild, in messages of their own, the read models
        a release changed (``projections.versions``); the round goes on meanwhile."""
        key = (placed.conninfo, schema)
        if key in checked:
            return
        projections = all_projections()
        with placed.connect() as conn:
            stale = versions.stale(conn, schema, projections)
        covered: set[str] = set()
        for projection in stale:
            if projection.name not in covered:
                actors.upgrade_projection.send(tenant_slug, projection.name)
                covered |= {projection.name, *(p.name for p in dependents(projection.name))}
        checked.add(key)

    def upgrade_projection(tenant_slug: str, projection: str) -> None:
        place = _known_place(directory, tenant_slug)
        if place is not None:
            rebuilt = versions.upgrade(*place, projection_named(projection), all_projections())
            if rebuilt:
                log.info("rebuilt %s of %s for their new version", ", ".join(rebuilt), tenant_slug)

    def catch_up_province(tenant_slug: str) -> None:
        try:
            placed, schema = directory.placed(tenant_slug)
            check_versions(tenant_slug, placed, schema)
            done = coalescer.run(
                tenant_slug, lambda: catch_up_round(placed, schema, all_projections())
            )
        except DomainError as error:
            log.warning("dropping a message for tenant %r: %s", tenant_slug, error.en)
            return
        except CONNECTION_ERRORS as error:
            delay = outage.failed(error)
            actors.catch_up_province.send_with_options(args=(tenant_slug,), delay=int(delay * 1000))
            return
        if done is not None:
            # None: the round already running for this province took the wakeup, and nothing
            # here reached the database; that is no sign it answers again (it logged a second
            # outage line per outage when a coalesced wakeup came while the server was down).
            outage.succeeded()
        if done is not None and done.busy:
            actors.catch_up_province.send_with_options(
                args=(tenant_slug,), delay=PROVINCE_BUSY_RETRY_MS
            )
        for error_text in done.errors if done is not None else ():
            log.warning("projection of %s stopped: %s", tenant_slug, error_text)

    def catch_up_pair(tenant_slug: str, projection: str) -> None:
        place = _known_place(directory, tenant_slug)
        if place is None:
            return
        result = engine.catch_up(*place, projection_named(projection))
        if result.busy:
            actors.catch_up_pair.send_with_options(
                args=(tenant_slug, projection), delay=BUSY_RETRY_MS
            )
        elif result.error:
            log.warning("projection %s of %s stopped: %s", projection, tenant_slug, result.error)
        elif result.span:
            # What reads this projection's tables may now move on (it stops at its checkpoint).
            for dependent in dependents(projection):
                actors.catch_up_pair.send(tenant_slug, dependent.name)

    def catch_up_tenant(tenant_slug: str) -> None:
        if _known_place(directory, tenant_slug) is None:
            return
        for projection in all_projections():
            actors.catch_up_pair.send(tenant_slug, projection.name)

    def rebuild_pair(tenant_slug: str, projection: str) -> None:
        place = _known_place(directory, tenant_slug)
        if place is not None:
            for chosen in (projection_named(projection), *dependents(projection)):
                engine.rebuild(*place, chosen)

    def deliver_notices(tenant_slug: str) -> None:
        if mailer is None or _known_place(directory, tenant_slug) is None:
            return  # no SMTP configured: the outbox keeps the notices
        from infra.tenancy import TenantApplications
        from services.notices.delivery import run_once

        if not applications:
            applications.append(TenantApplications(database, 8))
        expanded, sent = run_once(applications[0].get(tenant_slug), mailer)
        if expanded or sent:
            log.info("notices of %s: %d causes expanded, %d sent", tenant_slug, expanded, sent)

    def make_report(tenant_slug: str, job_id: str) -> None:
        place = _known_place(directory, tenant_slug)
        if place is None:
            return
        from infra.tenancy import TenantApplications
        from services.documents.jobs import run_job
        from services.security.jobs import check_job_tenant

        if not applications:
            applications.append(TenantApplications(database, 8))
        app = applications[0].get(tenant_slug)
        check_job_tenant(tenant_slug, app)
        run_job(app, place[0], UUID(job_id))

    def expire_reports(tenant_slug: str, keep_days: float) -> None:
        if _known_place(directory, tenant_slug) is None:
            return
        from infra.tenancy import TenantApplications
        from services.documents.job_store import expire

        if not applications:
            applications.append(TenantApplications(database, 8))
        jobs, files = expire(applications[0].get(tenant_slug), keep_days)
        if jobs or files:
            log.info("report jobs of %s: %d forgotten, %d files dropped", tenant_slug, jobs, files)

    def province_message(fn: Any) -> Any:
        """``fn(tenant_slug, ...)``, tolerant of a province removed or moved to another cluster
        after the message was sent (the tick sends one per province; its schema may be gone
        by the time it runs): the catalog is asked again, and the message is dropped or sent
        again for the new place. A province the catalog still places there fails loudly."""

        @functools.wraps(fn)
        def run(tenant_slug: str, *args: Any) -> None:
            try:
                before: tuple[Database, str] | None = directory.placed(tenant_slug)
            except DomainError:
                before = None  # fn says so itself
            try:
                fn(tenant_slug, *args)
            except SCHEMA_GONE:
                directory.catalog_changed(tenant_slug)
                now = _known_place(directory, tenant_slug)
                if now is not None and now == before:
                    raise
                if now is not None:
                    getattr(actors, fn.__name__).send(tenant_slug, *args)

        return run

    def actor(fn: Any, **options: Any) -> dramatiq.Actor[Any, Any]:
        return dramatiq.Actor(
            province_message(fn),
            broker=broker,
            actor_name=fn.__name__,
            queue_name=queue,
            priority=0,
            options={"max_retries": 5, "min_backoff": 1000, **options},
        )

    actors = Actors(
        catch_up_tenant=actor(catch_up_tenant),
        catch_up_pair=actor(catch_up_pair),
        rebuild_pair=actor(rebuild_pair, time_limit=3_600_000),
        # Outages are handled inside (quiet back-off); dramatiq's retries would log each one.
        catch_up_province=actor(catch_up_province, max_retries=0),
        deliver_notices=actor(deliver_notices, max_retries=3),
        # A report job records its own failure; an hour is far more than a province's year.
        make_report=actor(make_report, max_retries=0, time_limit=3_600_000),
        expire_reports=actor(expire_reports, max_retries=0),  # the next round tries again
        upgrade_projection=actor(upgrade_projection, time_limit=3_600_000, max_retries=1),
        outage=outage,
        directory=directory,
    )
    return actors


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


_runtime: Runtime | None = None
_runtime_lock = threading.Lock()


def configure(
    database: Database,
    broker_url: str | None,
    *,
    run_worker: bool | None = None,
    threads: int = 2,
    tick_seconds: float | None = TICK_SECONDS,
    queue: str = QUEUE,
    wakeups: str = "coalesced",
    mailer: Mailer | None = None,
    listener: Listener | None = None,
    report_keep_days: float = 7.0,
) -> Runtime:
    """Set up this process's runtime. Without a broker URL the worker always runs in-process.
    ``listener``: the process's ``LISTEN`` session, which the tenant directory follows."""
    global _runtime
    broker = make_broker(broker_url)
    actors = declare_actors(broker, database, queue, mailer, listener)
    runtime = Runtime(broker, database, actors, queue, wakeups=wakeups)
    runtime.report_keep_days = report_keep_days
    if run_worker or (run_worker is None and broker_url is None):
        runtime.start_worker(threads, tick_seconds)
    with _runtime_lock:
        previous, _runtime = _runtime, runtime
    if previous is not None:
        previous.stop()
    return runtime


def shutdown() -> None:
    global _runtime
    with _runtime_lock:
        runtime, _runtime = _runtime, None
    if runtime is not None:
        runtime.stop()


def queue_depth() -> int | None:
    """Messages waiting in this process's projection queue (None: no runtime, or the broker
    cannot say)."""
    runtime = _runtime
    if runtime is None:
        return None
    broker: Any = runtime.broker
    try:
        if isinstance(broker, StubBroker):
            return sum(
                int(broker.queues[name].qsize())
                for name in (runtime.queue, f"{runtime.queue}.DQ")
                if name in broker.queues
            )
        counts = broker.get_queue_message_counts(runtime.queue)  # RabbitMQ
        return int(counts[0] + counts[1])
    except Exception:
        log.debug("queue depth unavailable", exc_info=True)
        return None


def send_report_job(tenant_slug: str, job_id: str) -> bool:
    """Queue a report job (``services.documents.jobs``); False without a worker runtime."""
    runtime = _runtime
    if runtime is None:
        return False
    check_slug(tenant_slug)
    runtime.actors.make_report.send(tenant_slug, job_id)
    return True


def notify_committed(tenant_slug: str) -> None:
    """Ask the workers to catch up this province's projections (call after each commit).

    Cheap and safe to call too often: duplicates find nothing new. Without a configured
    runtime (a script, a unit test) it does nothing; the periodic tick covers the rest.
    """
    runtime = _runtime
    if runtime is None:
        log.debug("no worker runtime; %s will be caught up by the next tick", tenant_slug)
        return
    runtime.notify_committed(tenant_slug)
