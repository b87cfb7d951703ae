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

The rooms: ``broker`` (which broker, its queue's depth), ``actors`` (the messages' code),
``runtime`` (wake-ups, tick, worker threads); this module holds the process's one runtime.
"""

from __future__ import annotations

import logging
import threading
from typing import TYPE_CHECKING

from infra.database import Database
from infra.notifications import Listener
from infra.tenancy import check_slug
from services.workers.actors import Actors, declare_actors
from services.workers.broker import QUEUE, make_broker, waiting
from services.workers.runtime import TICK_SECONDS, WAKEUP_WINDOW, Runtime, Throttle

if TYPE_CHECKING:  # the delivery code imports the HTTP context, which imports the wiring
    from services.notices.delivery import Mailer

__all__ = [
    "QUEUE",
    "TICK_SECONDS",
    "WAKEUP_WINDOW",
    "Actors",
    "Runtime",
    "Throttle",
    "configure",
    "declare_actors",
    "make_broker",
    "notify_committed",
    "queue_depth",
    "send_report_job",
    "shutdown",
]

log = logging.getLogger(__name__)

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
    return waiting(runtime.broker, runtime.queue)


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
