"""Wire types of the audit API (nhật ký kiểm tra): trail entries and aggregates as of a point."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec


class AuditEntry(msgspec.Struct):
    """One event as an inspector reads it, with links to the aggregate before and after."""

    notification_id: int
    occurred_at: datetime
    actor: str
    """As recorded: the account id, ``system`` or ``cli:<login>``."""
    actor_name: str
    """Who acted as a person reads it: the account holder's full name, or a label."""
    actor_role: str
    actor_role_label: str
    """The role in Vietnamese (``bí thư chi bộ``), as it was when the event was recorded."""
    request_id: str
    aggregate_id: UUID
    aggregate_type: str
    aggregate_version: int
    kind: str
    org_unit_id: UUID | None
    reason: str | None
    sentence: str
    state_before: str | None
    """URL of the aggregate just before this event (``None`` for a creation)."""
    state_after: str


class AuditPage(msgspec.Struct):
    entries: list[AuditEntry]
    next_before: int | None
    """Pass as ``before`` for the next (older) page; ``None`` on the last page."""
    position: int
    """The audit read model has consumed the log up to here."""


class AggregateAsOf(msgspec.Struct):
    """An aggregate exactly as it stood at a point of the log."""

    aggregate_id: UUID
    aggregate_type: str
    version: int
    position: int
    """Log position of the event that produced this version."""
    recorded_at: datetime
    latest_version: int
    state: dict[str, Any]
