"""The dramatiq actors: one per kind of message, bound to a broker and a database at start-up.

What each message does is listed in :mod:`services.workers`. Every message carries its
tenant's slug, checked against the catalog (through the cached directory) before any work;
a message for an unknown tenant is dropped with a warning, never retried.
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from uuid import UUID

import dramatiq

from domain.base import DomainError
from infra.database import Database
from infra.directory import TenantDirectory
from infra.notifications import Listener
from infra.outage import Outage
from infra.pools import CONNECTION_ERRORS
from infra.tenancy import UnknownTenant
from projections import engine, versions
from projections.registry import all_projections, dependents, projection_named
from projections.scheduler import Coalescer, catch_up_round
from services.workers.broker import QUEUE

if TYPE_CHECKING:  # the delivery code imports the HTTP context, which imports the wiring
    from services.notices.delivery import Mailer

log = logging.getLogger(__name__)

BUSY_RETRY_MS = 500
PROVINCE_BUSY_RETRY_MS = 100
"""Another worker holds a pair: it may have read the log just before our commit, so look
again soon (it is short: batches under live load are small)."""


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
        by the time it runs): on a failure the catalog is asked again, and the message is
        dropped or sent again for the new place. A province still placed there fails loudly."""

        @functools.wraps(fn)
        def run(tenant_slug: str, *args: Any) -> None:
            try:
                before: tuple[Database, str] | None = directory.placed(tenant_slug)
            except DomainError:
                before = None  # fn says so itself
            try:
                fn(tenant_slug, *args)
            except UnknownTenant as error:  # gone between the placement check and the work
                log.warning("dropping a message for tenant %r: %s", tenant_slug, error.en)
            except Exception:
                # Whatever broke (a missing schema, table or role, in psycopg's or the event
                # store's words), a province the catalog no longer places there explains it.
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
