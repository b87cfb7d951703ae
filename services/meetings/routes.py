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
    attendance_entries,
    quality_scores,
)
from services.meetings.view_schemas import MeetingView
from services.meetings.voting_base import named_view
from services.written import Written, run, written, written_by

BASE = "/api/v1/t/{tenant:str}/meetings"
ONE = BASE + "/{meeting_id:uuid}"
MOTION = ONE + "/motions/{motion_id:uuid}"
T = TypeVar("T")


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


@post(ONE + "/reschedule", sync_to_thread=True, summary="Đổi lịch / reschedule")
def reschedule(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[Reschedule]) -> Written:
    return written_by(
        meetings.reschedule,
        ctx,
        meeting_id=meeting_id,
        at=data.scheduled_at,
        place=data.place,
        expected=data.expected_version,
    )


@post(ONE + "/cancel", sync_to_thread=True, summary="Hủy buổi sinh hoạt / cancel a meeting")
def cancel(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[CancelMeeting]) -> Written:
    return written_by(
        meetings.cancel,
        ctx,
        meeting_id=meeting_id,
        reason=data.reason,
        expected=data.expected_version,
    )


@post(ONE + "/open", sync_to_thread=True, summary="Khai mạc / open with chair and secretary")
def open_meeting(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[OpenMeeting]) -> Written:
    return written_by(meetings.open_meeting, ctx, data, meeting_id=meeting_id)


@post(ONE + "/attendance", sync_to_thread=True, summary="Điểm danh / mark attendance")
def mark_attendance(
    ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[MarkAttendance]
) -> Written:
    entries = attendance_entries(data.entries)
    return written_by(
        meetings.mark_attendance,
        ctx,
        meeting_id=meeting_id,
        entries=entries,
        expected=data.expected_version,
    )


@post(ONE + "/guests", sync_to_thread=True, summary="Khách mời / add a guest")
def add_guest(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[AddGuest]) -> Written:
    result = run(meetings.add_guest, ctx, data, meeting_id=meeting_id)
    return written(result, guest_id=result[1])


@post(ONE + "/opinions", sync_to_thread=True, summary="Ý kiến phát biểu / record an opinion")
def record_opinion(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[RecordOpinion]) -> Written:
    return written_by(meetings.record_opinion, ctx, data, meeting_id=meeting_id)


@post(
    ONE + "/self-criticisms",
    sync_to_thread=True,
    summary="Tự phê bình và phê bình / record a member's self-criticism",
)
def record_self_criticism(
    ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[RecordSelfCriticism]
) -> Written:
    return written_by(meetings.record_self_criticism, ctx, data, meeting_id=meeting_id)


@post(ONE + "/motions", sync_to_thread=True, summary="Đưa ra biểu quyết / propose a motion")
def propose_motion(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[ProposeMotion]) -> Written:
    result = run(meetings.propose_motion, ctx, data, meeting_id=meeting_id)
    return written(result, motion_id=result[1])


@post(MOTION + "/ballots", sync_to_thread=True, summary="Phiếu ghi danh / a member's ballot")
def cast_ballot(
    ctx: Ctx, meeting_id: FromPath[UUID], motion_id: FromPath[UUID], data: JSONBody[CastBallot]
) -> Written:
    result = run(meetings.cast_ballot, ctx, data, meeting_id=meeting_id, motion_id=motion_id)
    return written(result, motion_id=motion_id)


@post(MOTION + "/count", sync_to_thread=True, summary="Kiểm phiếu ghi danh / count the ballots")
def count_ballots(
    ctx: Ctx, meeting_id: FromPath[UUID], motion_id: FromPath[UUID], data: JSONBody[CountBallots]
) -> Written:
    result = run(
        meetings.count_ballots,
        ctx,
        meeting_id=meeting_id,
        motion_id=motion_id,
        expected=data.expected_version,
    )
    return written(result, motion_id=motion_id, result=result[1])


@post(
    MOTION + "/tally",
    sync_to_thread=True,
    summary="Kết quả giơ tay hoặc bỏ phiếu kín / a whole tally",
)
def record_tally(
    ctx: Ctx, meeting_id: FromPath[UUID], motion_id: FromPath[UUID], data: JSONBody[RecordTally]
) -> Written:
    result = run(
        meetings.record_tally,
        ctx,
        meeting_id=meeting_id,
        motion_id=motion_id,
        method=data.method,
        counts=(data.votes_for, data.against, data.abstain),
        expected=data.expected_version,
    )
    return written(result, motion_id=motion_id, result=result[1])


@post(ONE + "/minutes", sync_to_thread=True, summary="Biên bản / record the minutes")
def record_minutes(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[RecordMinutes]) -> Written:
    return written_by(meetings.record_minutes, ctx, data, meeting_id=meeting_id)


@post(ONE + "/quality", sync_to_thread=True, summary="Đánh giá chất lượng / assess quality")
def assess_quality(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[AssessQuality]) -> Written:
    result = run(
        meetings.assess_quality,
        ctx,
        meeting_id=meeting_id,
        scores=quality_scores(data),
        expected=data.expected_version,
        combined_session=data.combined_session,
        reason=data.reason,
    )
    return written(result, rating=result[1])


@post(ONE + "/dues", sync_to_thread=True, summary="Thu nộp đảng phí / party dues collected")
def collect_dues(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[CollectDues]) -> Written:
    return written_by(meetings.collect_dues, ctx, data, meeting_id=meeting_id)


@post(ONE + "/close", sync_to_thread=True, summary="Bế mạc / close the meeting")
def close(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[CloseMeeting]) -> Written:
    return written_by(meetings.close, ctx, data, meeting_id=meeting_id)


@post(ONE + "/corrections/attendance", sync_to_thread=True, summary="Đính chính điểm danh")
def correct_attendance(
    ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[CorrectAttendance]
) -> Written:
    return written_by(
        meetings.correct_attendance,
        ctx,
        meeting_id=meeting_id,
        entries=attendance_entries(data.entries),
        reason=data.reason,
        expected=data.expected_version,
    )


@post(MOTION + "/corrections/tally", sync_to_thread=True, summary="Đính chính kết quả biểu quyết")
def correct_tally(
    ctx: Ctx, meeting_id: FromPath[UUID], motion_id: FromPath[UUID], data: JSONBody[CorrectTally]
) -> Written:
    result = run(
        meetings.correct_tally,
        ctx,
        meeting_id=meeting_id,
        motion_id=motion_id,
        counts=(data.votes_for, data.against, data.abstain),
        reason=data.reason,
        expected=data.expected_version,
    )
    return written(result, motion_id=motion_id, result=result[1])


@post(ONE + "/corrections/minutes", sync_to_thread=True, summary="Đính chính biên bản")
def correct_minutes(
    ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[CorrectMinutes]
) -> Written:
    return written_by(meetings.correct_minutes, ctx, data, meeting_id=meeting_id)


@post(ONE + "/corrections/dues", sync_to_thread=True, summary="Đính chính đảng phí")
def correct_dues(ctx: Ctx, meeting_id: FromPath[UUID], data: JSONBody[CorrectDues]) -> Written:
    return written_by(meetings.correct_dues, ctx, data, meeting_id=meeting_id)


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
