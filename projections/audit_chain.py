"""The hash chain kept up with the log (chuỗi băm), run as a projection by the same engine.

Split from :mod:`projections.audit_trail`, whose event topics it consumes: it writes no read
model, only extends ``audit_chain`` (``infra.audit.hashchain``) inside the engine's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg

from infra.audit import hashchain
from projections.audit_trail import event_topics
from projections.base import StoredEventRow

__all__ = ["AUDIT_CHAIN", "AuditChainProjection"]


class AuditChainProjection:
    """Keeps the hash chain up with the log, run by the same engine and workers as the rest.

    ``apply`` ignores the rows it is handed and chains *every* stored event after the chain
    head itself (whatever its topic), inside the engine's transaction. ``drop`` does nothing:
    the chain is append-only evidence, never rebuilt (the database would refuse anyway).
    """

    name = "audit_chain"
    version = 1  # bump when the tables or what apply writes change (projections.versions)

    def __init__(self) -> None:
        self.topics = event_topics()

    def install(self, conn: psycopg.Connection[Any], schema: str) -> None:
        hashchain.install(conn, schema)

    def drop(self, conn: psycopg.Connection[Any], schema: str) -> None:
        return None

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        hashchain.extend_chain(conn, schema)


AUDIT_CHAIN = AuditChainProjection()
