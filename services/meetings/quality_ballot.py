"""The quality ballot and the superior's confirmation over HTTP (issue 12 §4, seed 000).

``POST /meetings/{id}/quality/ballot`` records the show of hands of the official members
present on the rating the chair proposed; ``POST /meetings/{id}/quality/confirm`` records the
attending superior's confirmation, naming the guest; ``GET`` reads both.
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import get, post
from litestar.params import FromPath, JSONBody

from domain import quality_ballot
from domain.base import Actor
from domain.quality import Rating
from domain.quality_ballot import QualityBallot, ballot_id
from domain.quality_errors import QualityBallotMissing
from domain.rules import QUALITY_RULES
from domain.voting import MotionResult
from infra.application import TenantApplication
from services.context import Ctx
from services.meetings.commands import load_meeting
from services.membership.org import find
from services.written import Written, written

ONE = "/api/v1/t/{tenant:str}/meetings/{meeting_id:uuid}/quality"
Count = Annotated[int, msgspec.Meta(ge=0, le=10_000)]


class RecordBallot(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    votes_for: Count
    against: Count = 0
    abstain: Count = 0


class ConfirmRating(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    guest_id: UUID
    """The superior committee member, recorded as a guest of the meeting (is_superior)."""


class BallotView(msgspec.Struct):
    meeting_id: UUID
    rating: Rating | None
    voters: int
    votes_for: int
    against: int
    abstain: int
    agreed: bool
    confirmed_by: str | None
    version: int


def find_ballot(app: TenantApplication, meeting_id: UUID) -> QualityBallot | None:
    return find(app, QualityBallot, ballot_id(meeting_id))


def record_ballot(
    app: TenantApplication, by: Actor, meeting_id: UUID, counts: tuple[int, int, int]
) -> tuple[QualityBallot, bool, int]:
    meeting = load_meeting(app, meeting_id)
    rules = QUALITY_RULES.in_force(meeting.held_on or meeting.scheduled_at.date())
    voters = quality_ballot.voters(rules, meeting.roster.values(), meeting.present)
    ballot = find_ballot(app, meeting_id) or QualityBallot.open(meeting_id, meeting.cell_id, by)
    agreed = ballot.vote(meeting.quality_rating, voters, counts, rules, by)
    return ballot, agreed, app.save_all(ballot)


def confirm(
    app: TenantApplication, by: Actor, meeting_id: UUID, guest_id: UUID
) -> tuple[QualityBallot, int]:
    meeting = load_meeting(app, meeting_id)
    ballot = find_ballot(app, meeting_id)
    if ballot is None:
        raise QualityBallotMissing(
            "Chi bộ chưa biểu quyết mức chất lượng", "the cell has not voted on the rating"
        )
    superiors = {g.id: g.name for g in meeting.guests.values() if g.is_superior}
    ballot.confirm(meeting.quality_rating, guest_id, superiors, by)
    return ballot, app.save_all(ballot)


def view(app: TenantApplication, meeting_id: UUID) -> BallotView:
    load_meeting(app, meeting_id)  # an unknown meeting is 404, not an empty ballot
    b = find_ballot(app, meeting_id)
    if b is None:
        return BallotView(meeting_id, None, 0, 0, 0, 0, False, None, 0)
    return BallotView(
        meeting_id, b.rating, b.voters, *b.counts, b.agreed, b.confirmed_by, b.version
    )


@post(ONE + "/ballot", sync_to_thread=True, summary="Biểu quyết mức chất lượng / quality ballot")
def post_ballot(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[RecordBallot]) -> Written:
    counts = (data.votes_for, data.against, data.abstain)
    ballot, agreed, position = record_ballot(ctx.app, ctx.actor, meeting_id, counts)
    result = MotionResult.PASSED if agreed else MotionResult.FAILED
    return written((ballot, position), rating=ballot.rating, result=result)


@post(ONE + "/confirm", sync_to_thread=True, summary="Cấp trên xác nhận / superior confirms")
def post_confirm(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[ConfirmRating]) -> Written:
    return written(confirm(ctx.app, ctx.actor, meeting_id, data.guest_id))


@get(ONE + "/ballot", sync_to_thread=True, summary="Kết quả biểu quyết chất lượng / the ballot")
def get_ballot(ctx: Ctx, meeting_id: FromPath[UUID]) -> BallotView:
    return view(ctx.app, meeting_id)


ROUTES: list[Any] = [post_ballot, post_confirm, get_ballot]
