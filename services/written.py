"""The one answer of every command route: what was written, and where to wait for it.

``id`` and ``version`` name the aggregate the command changed; ``position`` is the log position
of its events, which a client passes back as ``min_position`` to read its own write (see
:mod:`services.views.readyourwrites`). The other fields carry a command's outcome where it has
one (the motion it proposed, the rating it computed…); fields that do not apply are left out.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Protocol, TypeVar
from uuid import UUID

import msgspec

from domain.admission_values import RecognitionOutcome
from domain.quality import Rating
from domain.voting import MotionResult
from services.context import RequestContext

Done = TypeVar("Done", bound=tuple[Any, ...])


class Versioned(Protocol):
    @property
    def id(self) -> UUID: ...

    @property
    def version(self) -> int: ...


class Written(msgspec.Struct, omit_defaults=True):
    id: UUID
    version: int
    position: int
    # meetings
    motion_id: UUID | None = None
    guest_id: UUID | None = None
    result: MotionResult | None = None
    rating: Rating | None = None
    # admissions
    member_id: UUID | None = None
    outcome: RecognitionOutcome | None = None
    official_on: date | None = None
    # supervision
    assignment_id: UUID | None = None
    petition_ids: list[UUID] | None = None
    # a member's transfer out of the province: the signed payload for the receiving province
    document: str | None = None


def written(done: tuple[Any, ...], **outcome: Any) -> Written:
    """``done`` is what a command returned: ``(aggregate, position)`` or
    ``(aggregate, outcome, position)``; ``outcome`` names what the answer reports of it."""
    aggregate: Versioned = done[0]
    position: int = done[-1]
    return Written(id=aggregate.id, version=aggregate.version, position=position, **outcome)


def arguments(body: msgspec.Struct) -> dict[str, Any]:
    """A command body's fields as the command's keyword arguments: the wire names are the
    command's parameter names, and the body's ``expected_version`` is its ``expected``."""
    given = msgspec.structs.asdict(body)
    if "expected_version" in given:
        given["expected"] = given.pop("expected_version")
    return given


def run(
    command: Callable[..., Done],
    ctx: RequestContext,
    body: msgspec.Struct | None = None,
    /,
    **given: Any,
) -> Done:
    """A route's call of its command: ``command(app, actor, **given, **body's arguments)``, for
    the caller's province and as the caller."""
    return command(ctx.app, ctx.actor, **given, **(arguments(body) if body is not None else {}))


def written_by(
    command: Callable[..., tuple[Any, ...]],
    ctx: RequestContext,
    body: msgspec.Struct | None = None,
    /,
    **given: Any,
) -> Written:
    """The whole body of most command routes: :func:`run` the command, answer what it wrote."""
    return written(run(command, ctx, body, **given))
