"""A cell meeting (sinh hoạt chi bộ) from scheduling to closing, and its corrections.

The meeting freezes the cell's roster when it opens, so every vote at it is judged on one
consistent legal base (``domain.voting``). After closing nothing is edited: a change is a
correction event carrying its reason (đính chính), so inspectors see both versions. The checks
live in ``domain.meeting_checks``; this module holds the state and its events.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from uuid import UUID, uuid4

from domain import meeting_checks as check
from domain.base import Actor, ChiboAggregate, require_text
from domain.meeting_rules import (
    AttendanceEntry,
    AttendanceMark,
    Correction,
    Guest,
    MeetingKind,
    Opinion,
    check_aware,
    check_period,
    held_outside_window,
)
from domain.org_unit import MeetingWindow
from domain.province import QualityThresholds
from domain.quality import QualityEvidence, QualityScores, Rating, rate
from domain.roster import Standing
from domain.voting import (
    Motion,
    MotionKind,
    MotionResult,
    RosterEntry,
    VoteChoice,
    VotingMethod,
    decide,
    roster_entries,
)

__all__ = ["AttendanceMark", "Meeting", "MeetingKind", "Motion", "MotionKind", "MotionResult"]


class Meeting(ChiboAggregate):
    """One meeting of one cell (cuộc sinh hoạt chi bộ)."""

    class Scheduled(ChiboAggregate.Created):
        cell_id: UUID
        kind: MeetingKind
        year: int
        month: int
        scheduled_at: datetime
        place: str
        agenda: tuple[str, ...]
        topic: str
        regular_meeting_id: UUID | None

    class Rescheduled(ChiboAggregate.Event):
        scheduled_at: datetime
        place: str

        def apply(self, m: Meeting) -> None:
            m.scheduled_at, m.place = self.scheduled_at, self.place

    class PremeetingLinked(ChiboAggregate.Event):
        premeeting_id: UUID

        def apply(self, m: Meeting) -> None:
            m.premeeting_id = self.premeeting_id

    class Opened(ChiboAggregate.Event):
        started_at: datetime
        chair_id: UUID
        secretary_id: UUID
        roster: tuple[RosterEntry, ...]
        window_first_day: int
        window_last_day: int
        is_late: bool

        def apply(self, m: Meeting) -> None:
            m.started_at, m.held_on = self.started_at, self.started_at.date()
            m.chair_id, m.secretary_id = self.chair_id, self.secretary_id
            m.roster = {e.member_id: e for e in self.roster}
            m.window = MeetingWindow(self.window_first_day, self.window_last_day)
            m.is_late = self.is_late
            m.attendance[self.chair_id] = m.attendance[self.secretary_id] = AttendanceMark.PRESENT

    class AttendanceMarked(ChiboAggregate.Event):
        entries: tuple[AttendanceEntry, ...]

        def apply(self, m: Meeting) -> None:
            m._apply_attendance(self.entries)

    class GuestAdded(ChiboAggregate.Event):
        guest: Guest

        def apply(self, m: Meeting) -> None:
            m.guests[self.guest.id] = self.guest

    class OpinionRecorded(ChiboAggregate.Event):
        opinion: Opinion

        def apply(self, m: Meeting) -> None:
            m.opinions.append(self.opinion)

    class SelfCriticismRecorded(ChiboAggregate.Event):
        member_id: UUID

        def apply(self, m: Meeting) -> None:
            m.self_criticisms.append(self.member_id)

    class MotionProposed(ChiboAggregate.Event):
        motion_id: UUID
        kind: MotionKind
        title: str
        subject_id: UUID | None

        def apply(self, m: Meeting) -> None:
            m.motions[self.motion_id] = Motion(
                self.motion_id, self.kind, self.title, self.subject_id
            )

    class BallotCast(ChiboAggregate.Event):
        motion_id: UUID
        member_id: UUID
        choice: VoteChoice

        def apply(self, m: Meeting) -> None:
            motion = m.motions[self.motion_id]
            motion.method = VotingMethod.ROLL_CALL
            motion.ballots[self.member_id] = self.choice

    class MotionDecided(ChiboAggregate.Event):
        motion_id: UUID
        method: VotingMethod
        votes_for: int
        against: int
        abstain: int
        base: int
        required: int
        result: MotionResult

        def apply(self, m: Meeting) -> None:
            motion = m.motions[self.motion_id]
            motion.method, motion.base, motion.required = self.method, self.base, self.required
            motion.set_counts(self.votes_for, self.against, self.abstain)
            m._apply_result(motion, self.result)

    class MinutesRecorded(ChiboAggregate.Event):
        text: str

        def apply(self, m: Meeting) -> None:
            m.minutes = self.text

    class QualityAssessed(ChiboAggregate.Event):
        scores: QualityScores
        thresholds: QualityThresholds
        rating: Rating

        def apply(self, m: Meeting) -> None:
            m.quality_scores, m.quality_thresholds = self.scores, self.thresholds
            m.quality_rating = self.rating

    class DuesCollected(ChiboAggregate.Event):
        total_vnd: int
        payer_ids: tuple[UUID, ...]

        def apply(self, m: Meeting) -> None:
            m.dues_total_vnd, m.dues_payer_ids = self.total_vnd, self.payer_ids

    class Closed(ChiboAggregate.Event):
        ended_at: datetime

        def apply(self, m: Meeting) -> None:
            m.ended_at, m.is_closed = self.ended_at, True

    class Corrected(ChiboAggregate.Event):
        """Base of corrections after closing: each carries the reason (lý do đính chính)."""

        reason: str

        def apply(self, m: Meeting) -> None:
            m.corrections.append(Correction(type(self).__name__, self.reason, self.actor))

    class AttendanceCorrected(Corrected):
        entries: tuple[AttendanceEntry, ...]

        def apply(self, m: Meeting) -> None:
            super().apply(m)
            m._apply_attendance(self.entries)

    class TallyCorrected(Corrected):
        motion_id: UUID
        votes_for: int
        against: int
        abstain: int
        result: MotionResult

        def apply(self, m: Meeting) -> None:
            super().apply(m)
            motion = m.motions[self.motion_id]
            motion.set_counts(self.votes_for, self.against, self.abstain)
            m._apply_result(motion, self.result)

    class MinutesCorrected(Corrected):
        text: str

        def apply(self, m: Meeting) -> None:
            super().apply(m)
            m.minutes = self.text

    class DuesCorrected(Corrected):
        total_vnd: int
        payer_ids: tuple[UUID, ...]

        def apply(self, m: Meeting) -> None:
            super().apply(m)
            m.dues_total_vnd, m.dues_payer_ids = self.total_vnd, self.payer_ids

    def __init__(
        self,
        cell_id: UUID,
        kind: MeetingKind,
        year: int,
        month: int,
        scheduled_at: datetime,
        place: str,
        agenda: tuple[str, ...],
        topic: str,
        regular_meeting_id: UUID | None,
    ) -> None:
        self.cell_id, self.kind, self.period = cell_id, kind, (year, month)
        self.scheduled_at, self.place, self.agenda, self.topic = scheduled_at, place, agenda, topic
        self.regular_meeting_id = regular_meeting_id
        self.premeeting_id: UUID | None = None
        self.started_at: datetime | None = None
        self.held_on: date | None = None
        self.ended_at: datetime | None = None
        self.chair_id: UUID | None = None
        self.secretary_id: UUID | None = None
        self.roster: dict[UUID, RosterEntry] = {}
        self.window: MeetingWindow | None = None
        self.is_late = False
        self.is_closed = False
        self.attendance: dict[UUID, AttendanceMark] = {}
        self.absence_reasons: dict[UUID, str] = {}
        self.guests: dict[UUID, Guest] = {}
        self.opinions: list[Opinion] = []
        self.self_criticisms: list[UUID] = []
        self.motions: dict[UUID, Motion] = {}
        self.minutes: str | None = None
        self.minutes_approved = False
        self.quality_scores: QualityScores | None = None
        self.quality_thresholds: QualityThresholds | None = None
        self.quality_rating: Rating | None = None
        self.dues_total_vnd: int | None = None
        self.dues_payer_ids: tuple[UUID, ...] = ()
        self.corrections: list[Correction] = []

    def _apply_attendance(self, entries: Iterable[AttendanceEntry]) -> None:
        for e in entries:
            self.attendance[e.member_id] = e.mark
            self.absence_reasons.pop(e.member_id, None)
            if e.mark is not AttendanceMark.PRESENT and e.reason:
                self.absence_reasons[e.member_id] = e.reason

    def _apply_result(self, motion: Motion, result: MotionResult) -> None:
        motion.result = result
        if motion.kind is MotionKind.MINUTES:
            self.minutes_approved = result is MotionResult.PASSED

    # -- commands: scheduling and opening -------------------------------------------------

    @classmethod
    def schedule(
        cls,
        id: UUID,
        cell_id: UUID,
        kind: MeetingKind,
        period: tuple[int, int],
        scheduled_at: datetime,
        place: str,
        agenda: Iterable[str],
        topic: str,
        by: Actor,
        regular_meeting: Meeting | None = None,
    ) -> Meeting:
        """Schedule a meeting; a chi ủy pre-meeting names its regular meeting and is linked to it."""
        year, month = check_period(*period)
        check.schedule(kind, cell_id, (year, month), topic, regular_meeting)
        meeting = cls._found(
            cls.Scheduled,
            by,
            id,
            cell_id=cell_id,
            kind=kind,
            year=year,
            month=month,
            scheduled_at=check_aware(scheduled_at, "scheduled_at"),
            place=require_text(place, "place", "Địa điểm"),
            agenda=tuple(require_text(item, "agenda", "Nội dung") for item in agenda),
            topic=topic.strip(),
            regular_meeting_id=regular_meeting.id if regular_meeting else None,
        )
        if regular_meeting is not None:
            regular_meeting._record(cls.PremeetingLinked, by, premeeting_id=meeting.id)
        return meeting

    def reschedule(self, scheduled_at: datetime, place: str, by: Actor) -> None:
        check.not_opened(self)
        self._record(
            self.Rescheduled,
            by,
            scheduled_at=check_aware(scheduled_at, "scheduled_at"),
            place=require_text(place, "place", "Địa điểm"),
        )

    def open(
        self,
        started_at: datetime,
        chair_id: UUID,
        secretary_id: UUID,
        roster: Mapping[UUID, Standing],
        window: MeetingWindow,
        by: Actor,
    ) -> None:
        """Open with a chair and a secretary; ``roster`` is the cell's roster on that day.

        A regular meeting outside the window is recorded and flagged late, never refused."""
        check.not_opened(self)
        check_aware(started_at, "started_at")
        entries = roster_entries(roster)
        check.chair_and_secretary(chair_id, secretary_id, {e.member_id: e for e in entries})
        late = self.kind is MeetingKind.REGULAR and held_outside_window(
            started_at.date(), self.period, window
        )
        self._record(
            self.Opened,
            by,
            started_at=started_at,
            chair_id=chair_id,
            secretary_id=secretary_id,
            roster=entries,
            window_first_day=window.first_day,
            window_last_day=window.last_day,
            is_late=late,
        )

    # -- commands: during the meeting -----------------------------------------------------

    def mark_attendance(self, entries: Iterable[AttendanceEntry], by: Actor) -> None:
        check.in_progress(self)
        self._record(self.AttendanceMarked, by, entries=check.attendance(self, entries))

    def add_guest(
        self,
        name: str,
        position: str,
        is_superior: bool,
        assignee_id: UUID | None,
        by: Actor,
        guest_id: UUID | None = None,
    ) -> UUID:
        """Name a guest (khách mời), e.g. a superior committee member attending (dự sinh hoạt)."""
        check.in_progress(self)
        check.new_guest(self, assignee_id)
        guest = Guest(
            id=guest_id or uuid4(),
            name=require_text(name, "name", "Họ tên khách mời", 200),
            position=position.strip(),
            is_superior=is_superior,
            assignee_id=assignee_id,
        )
        self._record(self.GuestAdded, by, guest=guest)
        return guest.id

    def record_opinion(self, speaker_id: UUID, topic: str, by: Actor) -> None:
        check.in_progress(self)
        by_guest = check.speaker(self, speaker_id)
        opinion = Opinion(
            speaker_id, require_text(topic, "topic", "Nội dung ý kiến", 2000), by_guest
        )
        self._record(self.OpinionRecorded, by, opinion=opinion)

    def record_self_criticism(self, member_id: UUID, by: Actor) -> None:
        """A member's turn of rotating self-criticism (tự phê bình và phê bình xoay vòng)."""
        check.in_progress(self)
        check.self_criticism(self, member_id)
        self._record(self.SelfCriticismRecorded, by, member_id=member_id)

    def propose_motion(
        self, motion_id: UUID, kind: MotionKind, title: str, subject_id: UUID | None, by: Actor
    ) -> None:
        check.in_progress(self)
        check.new_motion(self, motion_id, kind, subject_id)
        title = require_text(title, "title", "Nội dung biểu quyết")
        self._record(
            self.MotionProposed,
            by,
            motion_id=motion_id,
            kind=kind,
            title=title,
            subject_id=subject_id,
        )

    def cast_ballot(self, motion_id: UUID, member_id: UUID, choice: VoteChoice, by: Actor) -> None:
        """A named vote of one member (biểu quyết ghi danh)."""
        motion = check.open_motion(self, motion_id, VotingMethod.ROLL_CALL)
        check.ballot(self, motion, member_id)
        self._record(self.BallotCast, by, motion_id=motion_id, member_id=member_id, choice=choice)

    def count_ballots(self, motion_id: UUID, by: Actor) -> MotionResult:
        """Close a roll-call vote and decide on its ballots."""
        motion = check.open_motion(self, motion_id, VotingMethod.ROLL_CALL)
        check.has_ballots(motion)
        return self._decide(motion, VotingMethod.ROLL_CALL, *motion.count_ballots(), by=by)

    def record_tally(
        self,
        motion_id: UUID,
        method: VotingMethod,
        votes_for: int,
        against: int,
        abstain: int,
        by: Actor,
    ) -> MotionResult:
        """A whole count at once: show of hands or a counted secret ballot."""
        check.tally(self, votes_for, against, abstain, method)
        motion = check.open_motion(self, motion_id, method)
        check.tally(self, votes_for, against, abstain)
        return self._decide(motion, method, votes_for, against, abstain, by=by)

    def _decide(
        self,
        motion: Motion,
        method: VotingMethod,
        votes_for: int,
        against: int,
        abstain: int,
        by: Actor,
    ) -> MotionResult:
        base = check.base_for(self, motion.kind)
        result, required = decide(motion.kind, votes_for, base)
        self._record(
            self.MotionDecided,
            by,
            motion_id=motion.id,
            method=method,
            votes_for=votes_for,
            against=against,
            abstain=abstain,
            base=base,
            required=required,
            result=result,
        )
        return result

    def record_minutes(self, text: str, by: Actor) -> None:
        """The secretary's minutes (biên bản); approved afterwards by a motion of kind minutes."""
        check.in_progress(self)
        check.minutes_not_approved(self)
        self._record(self.MinutesRecorded, by, text=require_text(text, "text", "Biên bản", 100_000))

    def assess_quality(
        self, scores: QualityScores, thresholds: QualityThresholds, by: Actor
    ) -> Rating:
        check.in_progress(self)
        rating = rate(scores.total, thresholds)
        self._record(self.QualityAssessed, by, scores=scores, thresholds=thresholds, rating=rating)
        return rating

    def collect_dues(self, total_vnd: int, payer_ids: Iterable[UUID], by: Actor) -> None:
        """Party dues collected at the meeting (thu nộp đảng phí)."""
        check.in_progress(self)
        payers = check.dues(self, total_vnd, payer_ids)
        self._record(self.DuesCollected, by, total_vnd=total_vnd, payer_ids=payers)

    def close(self, ended_at: datetime, by: Actor) -> None:
        check.in_progress(self)
        check.closable(self, check_aware(ended_at, "ended_at"))
        self._record(self.Closed, by, ended_at=ended_at)

    # -- commands: corrections after closing ----------------------------------------------

    def correct_attendance(
        self, entries: Iterable[AttendanceEntry], reason: str, by: Actor
    ) -> None:
        reason = check.correction(self, reason)
        fixed = check.attendance(self, entries)
        check.changes_something(any(self.attendance.get(e.member_id) != e.mark for e in fixed))
        self._record(self.AttendanceCorrected, by, entries=fixed, reason=reason)

    def correct_tally(
        self, motion_id: UUID, votes_for: int, against: int, abstain: int, reason: str, by: Actor
    ) -> MotionResult:
        """Fix a miscounted vote; the result is judged again on the base stored at the vote."""
        reason = check.correction(self, reason)
        motion = check.decided_motion(self, motion_id)
        check.tally(self, votes_for, against, abstain)
        check.changes_something(
            (votes_for, against, abstain) != (motion.votes_for, motion.against, motion.abstain)
        )
        result, _ = decide(motion.kind, votes_for, motion.base or 0)
        self._record(
            self.TallyCorrected,
            by,
            motion_id=motion_id,
            votes_for=votes_for,
            against=against,
            abstain=abstain,
            result=result,
            reason=reason,
        )
        return result

    def correct_minutes(self, text: str, reason: str, by: Actor) -> None:
        reason = check.correction(self, reason)
        text = require_text(text, "text", "Biên bản", 100_000)
        check.changes_something(text != self.minutes)
        self._record(self.MinutesCorrected, by, text=text, reason=reason)

    def correct_dues(
        self, total_vnd: int, payer_ids: Iterable[UUID], reason: str, by: Actor
    ) -> None:
        reason = check.correction(self, reason)
        payers = check.dues(self, total_vnd, payer_ids)
        check.changes_something((total_vnd, payers) != (self.dues_total_vnd, self.dues_payer_ids))
        self._record(self.DuesCorrected, by, total_vnd=total_vnd, payer_ids=payers, reason=reason)

    # -- queries --------------------------------------------------------------------------

    @property
    def is_open(self) -> bool:
        return self.started_at is not None and not self.is_closed

    @property
    def present(self) -> set[UUID]:
        return {m for m, mark in self.attendance.items() if mark is AttendanceMark.PRESENT}

    @property
    def excused(self) -> set[UUID]:
        return {m for m, mark in self.attendance.items() if mark is AttendanceMark.EXCUSED}

    @property
    def unmarked(self) -> list[UUID]:
        return [m for m in self.roster if m not in self.attendance]

    @property
    def speakers(self) -> set[UUID]:
        return {o.speaker_id for o in self.opinions}

    @property
    def length_minutes(self) -> int | None:
        if self.started_at is None or self.ended_at is None:
            return None
        return int((self.ended_at - self.started_at).total_seconds() // 60)

    def quality_evidence(self) -> QualityEvidence:
        # Exempted members who stay away are not expected, so they do not lower the rate.
        expected = [
            e for e in self.roster.values() if not (e.exempted and e.member_id not in self.present)
        ]
        return QualityEvidence(
            members=len(expected),
            present=sum(1 for e in expected if e.member_id in self.present),
            unexcused=sum(
                1 for mark in self.attendance.values() if mark is AttendanceMark.UNEXCUSED
            ),
            premeeting_held=self.premeeting_id is not None,
            minutes_length=self.length_minutes,
            speakers=len({o.speaker_id for o in self.opinions if not o.by_guest}),
            opinions=sum(1 for o in self.opinions if not o.by_guest),
            minutes_approved=self.minutes_approved,
        )
