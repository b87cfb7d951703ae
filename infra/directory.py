"""The workers' tenant directory (danh bạ tỉnh): a slug's schema and cluster, looked up once
and cached (issue 14 §2, §3).

Every background message carries its tenant's slug and is checked against the catalog before
any work. Reading the catalog for each message cost a connection and a query (about 11 ms
each before the shared pool). Here a known slug is read once and then follows the catalog's
notifications (``LISTEN chibo_catalog``, :meth:`TenantDirectory.follow`): provisioning and a
move between clusters announce the slug, and the entry is forgotten at once. While the
listener is connected an entry is trusted for ``FOLLOWING_TTL`` (a bound, not the mechanism);
without one (behind PgBouncer with no direct URL) or while it reconnects, for ``ttl`` only,
and everything is forgotten when the connection drops or comes back (a notification may have
been missed). An unknown slug is always re-read, so a province provisioned a moment ago is
found at once.
"""

from __future__ import annotations

import threading
import time

from infra.clusters import database_for
from infra.database import Database
from infra.notifications import CATALOG_CHANGED, Listener
from infra.tenancy import Tenant, find_tenant

DEFAULT_TTL = 60.0
FOLLOWING_TTL = 900.0
"""Seconds an entry is trusted while the catalog's notifications arrive."""


class TenantDirectory:
    def __init__(self, database: Database, ttl: float = DEFAULT_TTL) -> None:
        self.database = database
        self.ttl = ttl
        self._known: dict[str, tuple[Tenant, float]] = {}
        self._lock = threading.Lock()
        self.lookups = 0
        """Catalog reads done (for tests and the bench)."""
        self.listener: Listener | None = None

    def follow(self, listener: Listener) -> TenantDirectory:
        """Forget entries when the catalog announces a change (``chibo_catalog``)."""
        self.listener = listener
        listener.on(CATALOG_CHANGED, self.catalog_changed)
        return self

    def _trust(self) -> float:
        listener = self.listener
        if listener is not None and listener.connected.is_set():
            return max(self.ttl, FOLLOWING_TTL)
        return self.ttl

    def schema(self, slug: str) -> str:
        """The province's schema; raises ``UnknownTenant`` (a DomainError) if there is none."""
        return self.tenant(slug).schema

    def tenant(self, slug: str) -> Tenant:
        """The province with its placement (schema and cluster)."""
        now = time.monotonic()
        with self._lock:
            hit = self._known.get(slug)
        if hit is not None and hit[1] > now:
            return hit[0]
        self.lookups += 1
        tenant = find_tenant(self.database, slug)
        with self._lock:
            self._known[slug] = (tenant, now + self._trust())
        return tenant

    def placed(self, slug: str) -> tuple[Database, str]:
        """The database of the province's cluster and its schema."""
        tenant = self.tenant(slug)
        return database_for(self.database, tenant.cluster), tenant.schema

    def catalog_changed(self, slug: str = "") -> None:
        """Forget ``slug`` (or everything, on ``""``: the listener's connection dropped or came
        back): the next message re-reads the catalog."""
        with self._lock:
            if slug:
                self._known.pop(slug, None)
            else:
                self._known.clear()
