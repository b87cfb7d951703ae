"""HTTP routes for cell meetings (sinh hoạt chi bộ): schedule, open, record, vote, close, correct.

Each write handler takes the request context and a msgspec body, calls one function of
``services.meetings.commands`` in a worker thread and returns ``Written``; reads return the
whole meeting as ``MeetingView``.
"""

from __future__ import annotations

from typing import Any, TypeVar
from uuid import UUID

from litestar import get, post
from litestar.params import FromPath, JSONBody

from services.command_route import command_route
from services.context import Ctx
from services.meetings import commands as meetings
from services.meetings import quality_ballot, voting_base
from services.meetings.schemas import (
    AddGuest,
    AssessQuality,
    CancelMeeting,
    CastBallot,
    CloseMeeting,
    CollectDues,
    CorrectAttendance,
    CorrectDues,
    CorrectMinutes,
    CorrectTally,
    CountBallots,
    MarkAttendance,
    OpenMeeting,
    ProposeMotion,
    RecordMinutes,
    RecordOpinion,
    RecordSelfCriticism,
    RecordTally,
    Reschedule,
    ScheduleMeeting,
    counted,
    entered,
    scored,
)
from services.meetings.view_schemas import MeetingView
from services.meetings.voting_base import named_view
from services.written import Written, written_by

BASE = "/api/v1/t/{tenant:str}/meetings"
ONE = BASE + "/{meeting_id:uuid}"
MOTION = ONE + "/motions/{motion_id:uuid}"
T = TypeVar("T")


def tally_route(path: str, command: Any, body: type[Any], summary: str) -> Any:
    """A tally of one motion, first recorded or corrected: the answer names the motion and the
    result the counts give."""
    return command_route(
        path, command, body, summary, given=counted, reports="result", echoes=("motion_id",)
    )


@post(BASE, sync_to_thread=True, summary="Lên lịch sinh hoạt / schedule a meeting")
def schedule(ctx: Ctx, data: JSONBody[ScheduleMeeting]) -> Written:
    return written_by(
        meetings.schedule,
        ctx,
        cell_id=data.cell_id,
        kind=data.kind,
        period=(data.year, data.month),
        scheduled_at=data.scheduled_at,
        place=data.place,
        agenda=data.agenda,
        topic=data.topic,
        regular_meeting_id=data.regular_meeting_id,
    )


@get(ONE, sync_to_thread=True, summary="Xem cuộc sinh hoạt / a meeting's full state")
def get_meeting(ctx: Ctx, meeting_id: FromPath[UUID]) -> MeetingView:
    return named_view(ctx.app, meetings.load_meeting(ctx.app, meeting_id))


reschedule = command_route(
    ONE + "/reschedule",
    meetings.reschedule,
    Reschedule,
    "Đổi lịch / reschedule",
    renamed={"scheduled_at": "at"},
)
cancel = command_route(
    ONE + "/cancel", meetings.cancel, CancelMeeting, "Hủy buổi sinh hoạt / cancel a meeting"
)
open_meeting = command_route(
    ONE + "/open", meetings.open_meeting, OpenMeeting, "Khai mạc / open with chair and secretary"
)


mark_attendance = command_route(
    ONE + "/attendance",
    meetings.mark_attendance,
    MarkAttendance,
    "Điểm danh / mark attendance",
    given=entered,
)


add_guest = command_route(
    ONE + "/guests", meetings.add_guest, AddGuest, "Khách mời / add a guest", reports="guest_id"
)
record_opinion = command_route(
    ONE + "/opinions",
    meetings.record_opinion,
    RecordOpinion,
    "Ý kiến phát biểu / record an opinion",
)
record_self_criticism = command_route(
    ONE + "/self-criticisms",
    meetings.record_self_criticism,
    RecordSelfCriticism,
    "Tự phê bình và phê bình / record a member's self-criticism",
)
propose_motion = command_route(
    ONE + "/motions",
    meetings.propose_motion,
    ProposeMotion,
    "Đưa ra biểu quyết / propose a motion",
    reports="motion_id",
)
cast_ballot = command_route(
    MOTION + "/ballots",
    meetings.cast_ballot,
    CastBallot,
    "Phiếu ghi danh / a member's ballot",
    echoes=("motion_id",),
)
count_ballots = command_route(
    MOTION + "/count",
    meetings.count_ballots,
    CountBallots,
    "Kiểm phiếu ghi danh / count the ballots",
    reports="result",
    echoes=("motion_id",),
)


record_tally = tally_route(
    MOTION + "/tally",
    meetings.record_tally,
    RecordTally,
    "Kết quả giơ tay hoặc bỏ phiếu kín / a whole tally",
)


record_minutes = command_route(
    ONE + "/minutes", meetings.record_minutes, RecordMinutes, "Biên bản / record the minutes"
)


assess_quality = command_route(
    ONE + "/quality",
    meetings.assess_quality,
    AssessQuality,
    "Đánh giá chất lượng / assess quality",
    given=scored,
    reports="rating",
)


collect_dues = command_route(
    ONE + "/dues", meetings.collect_dues, CollectDues, "Thu nộp đảng phí / party dues collected"
)
close = command_route(ONE + "/close", meetings.close, CloseMeeting, "Bế mạc / close the meeting")


correct_attendance = command_route(
    ONE + "/corrections/attendance",
    meetings.correct_attendance,
    CorrectAttendance,
    "Đính chính điểm danh",
    given=entered,
)
correct_tally = tally_route(
    MOTION + "/corrections/tally",
    meetings.correct_tally,
    CorrectTally,
    "Đính chính kết quả biểu quyết",
)
correct_minutes = command_route(
    ONE + "/corrections/minutes", meetings.correct_minutes, CorrectMinutes, "Đính chính biên bản"
)
correct_dues = command_route(
    ONE + "/corrections/dues", meetings.correct_dues, CorrectDues, "Đính chính đảng phí"
)


ROUTES: list[Any] = [
    schedule,
    get_meeting,
    reschedule,
    cancel,
    open_meeting,
    mark_attendance,
    add_guest,
    record_opinion,
    record_self_criticism,
    propose_motion,
    cast_ballot,
    count_ballots,
    record_tally,
    record_minutes,
    assess_quality,
    collect_dues,
    close,
    correct_attendance,
    correct_tally,
    correct_minutes,
    correct_dues,
    *voting_base.ROUTES,
    *quality_ballot.ROUTES,
]
