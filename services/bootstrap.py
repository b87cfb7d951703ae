"""The one place that wires Chibo together: settings → database → tenancy → applications.

Nothing is opened at import time. ``build_container`` starts (or connects to) PostgreSQL and
returns everything a process needs; ``Container.close`` releases it.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from infra import clusters
from infra.audit.guard import install_guard
from infra.calendar_feeds import install_calendar_feeds
from infra.clusters import database_for
from infra.contacts import install_contacts
from infra.database import Database, EmbeddedPostgres
from infra.db_roles import install_tenant_role
from infra.document_store import install_document_store
from infra.notifications import CATALOG_CHANGED, Listener
from infra.outbox import install_outbox
from infra.readside import ReadSide
from infra.settings import Settings
from infra.tenancy import SchemaPart, Tenant, TenantApplications, list_tenants, provision
from projections.engine import install_read_models
from projections.versions import install_part as install_projection_versions
from services import workers
from services.audit.last_verification import install_last_verification
from services.documents.job_store import install_report_jobs
from services.imports.store import install_import_tables
from services.security.store import install_security_tables

log = logging.getLogger(__name__)


def schema_parts() -> Sequence[SchemaPart]:
    """Everything installed into each tenant schema besides the event tables, in order."""

    # The tenant's database role goes last: it grants on every table installed before it.
    return (
        install_guard,
        install_security_tables,
        install_import_tables,
        install_document_store,
        install_report_jobs,
        install_contacts,
        install_outbox,
        install_calendar_feeds,
        install_last_verification,
        install_read_models,
        install_projection_versions,
        install_tenant_role,
    )


@dataclass
class Container:
    settings: Settings
    database: Database
    applications: TenantApplications
    readside: ReadSide
    embedded: EmbeddedPostgres | None = None
    closers: list[object] = field(default_factory=list)

    def provision(self, slug: str, name: str, cluster: str | None = None) -> tuple[Tenant, bool]:
        return provision(self.database, slug, name, schema_parts(), cluster)

    def database_of(self, tenant: Tenant) -> Database:
        """The database of the province's cluster (``infra.clusters``)."""
        return database_for(self.database, tenant.cluster)

    def migrate(self, slugs: Sequence[str] = ()) -> list[Tenant]:
        """Install what a release added (tables, grants) into existing provinces (all, or
        ``slugs``); every schema part is idempotent, so running it again changes nothing.
        A province that fails is logged and left for the next run; the others go on."""
        done = []
        for tenant in list_tenants(self.database):
            if slugs and tenant.slug not in slugs:
                continue
            try:
                self.provision(tenant.slug, tenant.name)
            except Exception:
                log.exception("migrating province %s failed", tenant.slug)
                continue
            done.append(tenant)
        return done

    def follow_catalog(self, listener: Listener) -> None:
        """Forget a province's cached application when the catalog announces a change to it
        (a move between clusters), everything when the listener dropped or reconnected."""

        def changed(slug: str) -> None:
            if slug:
                self.applications.forget(slug)
            else:
                self.applications.close()

        listener.on(CATALOG_CHANGED, changed)

    def close(self) -> None:
        self.applications.close()
        self.readside.stop_listener()
        self.database.close_pool()
        clusters.close_all()
        if self.embedded is not None:
            self.embedded.stop()


def build_container(settings: Settings) -> Container:
    embedded: EmbeddedPostgres | None = None
    if settings.database_url is None:
        embedded = EmbeddedPostgres(settings.data_dir)
        database = embedded.start()
    else:
        database = Database.from_url(settings.database_url)
    # One pool per process for every province (issue 14 §1): its size is the process's budget.
    direct = database
    database = replace(database, pool_size=settings.pool_size, pool_timeout=settings.pool_timeout)
    if settings.pooler_host:
        database = replace(
            database,
            host=settings.pooler_host,
            port=settings.pooler_port,
            transaction_pooler=True,
        )
    applications = TenantApplications(
        database,
        maxsize=settings.tenant_cache_size,
        # A no-op until `services.workers.configure` runs (serve, worker); then it enqueues.
        on_committed=workers.notify_committed,
    )
    # Other clusters (issue 14 §3): one pool each, sized like the main one. Behind PgBouncer,
    # give each cluster's pooler URL here (with ?pgbouncer=true).
    clusters.configure(
        {
            name: replace(
                Database.from_url(url),
                pool_size=settings.pool_size,
                pool_timeout=settings.pool_timeout,
            )
            for name, url in settings.clusters.items()
        }
    )
    readside = ReadSide(
        database,
        max_size=settings.read_pool_size,
        # LISTEN needs a session of its own: to the server itself, never through the pooler.
        listen_conninfo=None if direct.transaction_pooler else direct.conninfo,
    )
    readside.placement = applications.database_of_schema
    return Container(settings, database, applications, readside, embedded)
