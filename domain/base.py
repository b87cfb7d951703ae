"""Building blocks shared by every aggregate: who acts, the aggregate base, rule errors.

Every event records the acting user, their role and the request it came from, so the log is
the audit trail. Commands take an :class:`Actor` explicitly; nothing is read from globals.
Error messages are Vietnamese first, then English, separated by `` / ``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate


@dataclass(frozen=True, slots=True)
class Actor:
    """Who performs a command (người thực hiện), in which role, from which request."""

    user_id: str
    role: str
    request_id: str


SYSTEM = Actor(user_id="system", role="system", request_id="system")
"""Used by provisioning, the demo seed and migrations, never by a user's request."""


class DomainError(Exception):
    """A command was refused. ``code`` is stable for clients; the message says what to fix."""

    code: ClassVar[str] = "domain_error"

    def __init__(self, vi: str, en: str, **details: Any) -> None:
        super().__init__(f"{vi} / {en}")
        self.vi = vi
        self.en = en
        self.details = details


class RuleViolated(DomainError):
    """A rule of the Charter or the province forbids the command (HTTP 422)."""

    code = "rule_violated"


class StateConflict(DomainError):
    """The aggregate is not in a state that allows the command (HTTP 409)."""

    code = "state_conflict"


class NotFound(DomainError):
    """A referenced thing does not exist (HTTP 404)."""

    code = "not_found"


class InvalidValue(DomainError):
    """A value is malformed or out of range (HTTP 400)."""

    code = "invalid_value"


class ChiboAggregate(Aggregate):
    """Base aggregate: every event carries actor, role and request id."""

    class Event(Aggregate.Event):
        actor: str
        actor_role: str
        request_id: str

    class Created(Event, Aggregate.Created):
        pass

    def _record(self, event_class: type[ChiboAggregate.Event], by: Actor, **kwargs: Any) -> None:
        """Trigger an event stamped with who did it and from which request."""
        self.trigger_event(
            event_class,
            actor=by.user_id,
            actor_role=by.role,
            request_id=by.request_id,
            **kwargs,
        )

    @classmethod
    def _found(
        cls: type[TAggregate],
        event_class: type[ChiboAggregate.Created],
        by: Actor,
        id: UUID,
        **kwargs: Any,
    ) -> TAggregate:
        """Create an aggregate with a stamped creation event."""
        return cls._create(
            event_class,
            id=id,
            actor=by.user_id,
            actor_role=by.role,
            request_id=by.request_id,
            **kwargs,
        )


TAggregate = TypeVar("TAggregate", bound=ChiboAggregate)


def require_text(value: str, field: str, vi_name: str, max_length: int = 500) -> str:
    """Trim and check a required free-text value."""
    text = value.strip()
    if not text:
        raise InvalidValue(
            f"{vi_name} không được để trống", f"{field} must not be empty", field=field
        )
    if len(text) > max_length:
        raise InvalidValue(
            f"{vi_name} dài quá {max_length} ký tự",
            f"{field} is longer than {max_length} characters",
            field=field,
        )
    return text


def require_order(start: date | datetime, end: date | datetime, field: str) -> None:
    if end < start:
        raise InvalidValue(
            "Ngày kết thúc phải sau ngày bắt đầu",
            f"{field}: the end must not be before the start",
            field=field,
        )
