"""Background work (dramatiq): keep every (province, projection) pair caught up.

Messages:

- ``catch_up_tenant(tenant_slug)``: sent after each commit (:func:`notify_committed`) and by
  the periodic tick; fans out one ``catch_up_pair`` per projection;
- ``catch_up_pair(tenant_slug, projection)``: runs the engine for that pair. The engine's
  advisory lock means two workers never run the same pair; if the pair is busy the message
  comes back once, a little later, so a commit that landed during the other run is not left
  for the next tick. A duplicate delivery finds the checkpoint already past the events;
- ``rebuild_pair(tenant_slug, projection)``: drop and replay one read model;
- ``deliver_notices(tenant_slug)``: expand the province's notice outbox and send what is due
  over SMTP (``services.notices.delivery``); sent after each commit and by the tick, so the
  retries of failed addresses happen on time. Duplicates are harmless: deliveries are claimed.

Every message carries its tenant's slug, checked against the catalog before any work; a
message for an unknown tenant is dropped with a warning, never retried.

Brokers: RabbitMQ (``BROKER_URL=amqp://…``) in production; without ``BROKER_URL`` an
in-process stub broker with worker threads, so ``chibo serve`` alone runs everything.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import dramatiq
from dramatiq.brokers.stub import StubBroker

from domain.base import DomainError
from infra.database import Database
from infra.tenancy import check_slug, find_tenant, list_tenants
from projections import engine
from projections.registry import all_projections, dependents, projection_named

if TYPE_CHECKING:  # the delivery code imports the HTTP context, which imports the wiring
    from services.notices.delivery import Mailer

log = logging.getLogger(__name__)

QUEUE = "chibo_projections"
BUSY_RETRY_MS = 500
TICK_SECONDS = 30.0


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
    deliver_notices: dramatiq.Actor[Any, Any]


def _known_schema(database: Database, tenant_slug: str) -> str | None:
    try:
        return find_tenant(database, tenant_slug).schema
    except DomainError as error:
        log.warning("dropping a message for tenant %r: %s", tenant_slug, error.en)
        return None


def declare_actors(
    broker: dramatiq.Broker, database: Database, queue: str = QUEUE, mailer: Mailer | None = None
) -> Actors:
    """The actors, bound to ``broker`` and ``database`` (nothing is bound at import time)."""
    applications: list[Any] = []

    def catch_up_pair(tenant_slug: str, projection: str) -> None:
        schema = _known_schema(database, tenant_slug)
        if schema is None:
            return
        result = engine.catch_up(database, schema, projection_named(projection))
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
        if _known_schema(database, tenant_slug) is None:
            return
        for projection in all_projections():
            actors.catch_up_pair.send(tenant_slug, projection.name)

    def rebuild_pair(tenant_slug: str, projection: str) -> None:
        schema = _known_schema(database, tenant_slug)
        if schema is not None:
            for chosen in (projection_named(projection), *dependents(projection)):
                engine.rebuild(database, schema, chosen)

    def deliver_notices(tenant_slug: str) -> None:
        if mailer is None or _known_schema(database, tenant_slug) is None:
            return  # no SMTP configured: the outbox keeps the notices
        from infra.tenancy import TenantApplications
        from services.notices.delivery import run_once

        if not applications:
            applications.append(TenantApplications(database, 8, 1, 1))
        expanded, sent = run_once(applications[0].get(tenant_slug), mailer)
        if expanded or sent:
            log.info("notices of %s: %d causes expanded, %d sent", tenant_slug, expanded, sent)

    def actor(fn: Any, **options: Any) -> dramatiq.Actor[Any, Any]:
        return dramatiq.Actor(
            fn,
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
        deliver_notices=actor(deliver_notices, max_retries=3),
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

    def notify_committed(self, tenant_slug: str) -> None:
        check_slug(tenant_slug)
        self.actors.catch_up_tenant.send(tenant_slug)
        self.actors.deliver_notices.send(tenant_slug)

    def tick(self) -> None:
        for tenant in list_tenants(self.database):
            self.actors.catch_up_tenant.send(tenant.slug)
            self.actors.deliver_notices.send(tenant.slug)

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
        while not self.stopping.wait(seconds):
            try:
                self.tick()
            except Exception:  # a database blip must not end the ticker
                log.exception("projection tick failed")

    def stop(self) -> None:
        self.stopping.set()
        if self.worker is not None:
            self.worker.stop()
            self.worker = None
        if self.ticker is not None:
            self.ticker.join()
            self.ticker = None
        self.broker.close()


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
    mailer: Mailer | None = None,
) -> Runtime:
    """Set up this process's runtime. Without a broker URL the worker always runs in-process."""
    global _runtime
    broker = make_broker(broker_url)
    runtime = Runtime(broker, database, declare_actors(broker, database, queue, mailer), queue)
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
