"""A cell meeting (sinh hoạt chi bộ) from scheduling to closing, and its corrections.

The meeting freezes the cell's roster when it opens, so every vote at it is judged on one
consistent legal base (``domain.voting``). After closing nothing is edited: a change is a
correction event carrying its reason (đính chính), so inspectors see both versions. The checks
live in ``domain.meeting_checks``; this module holds the events and the commands of scheduling,
opening and the meeting itself; the votes, corrections and dues are mixins
(``domain.meeting_motions``, ``domain.meeting_corrections``, ``domain.meeting_dues``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any
from uuid import UUID, uuid4

from domain import meeting_checks as check
from domain import meeting_dues as dues
from domain import meeting_vote_checks as vote
from domain import quality_assessment as quality
from domain.base import Actor, ChiboAggregate, require_text
from domain.meeting_corrections import MeetingCorrections
from domain.meeting_dues import MeetingDues
from domain.meeting_motions import MeetingMotions
from domain.meeting_opening import opening
from domain.meeting_values import (
    AbsenceApproval,
    AttendanceEntry,
    AttendanceMark,
    Correction,
    Guest,
    MeetingKind,
    Opinion,
)
from domain.org_unit import MeetingWindow
from domain.province import QualityThresholds
from domain.quality import QualityScores, QualityWeights, Rating, upcast_assessment_v1_v2
from domain.roster import Standing
from domain.rules import QUALITY_RULES, QualityRuleBook
from domain.voting import Motion, MotionKind, MotionResult, RosterEntry, VoteChoice, VotingMethod

__all__ = ["AttendanceMark", "Meeting", "MeetingKind", "Motion", "MotionKind", "MotionResult"]


class Meeting(MeetingCorrections, MeetingMotions, MeetingDues, ChiboAggregate):
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

    class Cancelled(ChiboAggregate.Event):
        """The meeting will not take place (hủy buổi sinh hoạt); members are told why."""

        reason: str

        def apply(self, m: Meeting) -> None:
            m.is_cancelled, m.cancel_reason = True, self.reason

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
        """v2 (issue 12 §4): the province's weights, the weighted score, the quality rule set,
        the evidence warnings standing and the reason for a rating above them."""

        class_version = 2
        scores: QualityScores
        thresholds: QualityThresholds
        rating: Rating
        weights: QualityWeights
        weighted_total: float
        rule_code: str
        warnings: tuple[str, ...]
        reason: str
        combined_session: bool

        @staticmethod
        def upcast_v1_v2(state: dict[str, Any]) -> None:
            upcast_assessment_v1_v2(state)

        def apply(self, m: Meeting) -> None:
            m.quality_scores, m.quality_thresholds = self.scores, self.thresholds
            m.quality_rating = self.rating
            m.quality_weighted_total = self.weighted_total
            m.quality_warnings, m.quality_reason = self.warnings, self.reason

    class DuesCollected(ChiboAggregate.Event):
        """Who paid and who did not; version 1 named the payers only (``meeting_dues``)."""

        class_version = 2
        total_vnd: int
        payer_ids: tuple[UUID, ...]
        unpaid_ids: tuple[UUID, ...] | None

        upcast_v1_v2 = staticmethod(dues.upcast_v1_v2)

        def apply(self, m: Meeting) -> None:
            m.dues_total_vnd, m.dues_payer_ids = self.total_vnd, self.payer_ids
            m.dues_unpaid_ids = self.unpaid_ids

    class Closed(ChiboAggregate.Event):
        ended_at: datetime

        def apply(self, m: Meeting) -> None:
            m.ended_at, m.is_closed = self.ended_at, True

    class AbsenceApproved(ChiboAggregate.Event):
        """Cấp ủy triệu tập đồng ý cho vắng mặt: the member leaves the majority base."""

        approval: AbsenceApproval

        def apply(self, m: Meeting) -> None:
            m.absence_approvals[self.approval.member_id] = self.approval

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

    class SelfCriticismCorrected(Corrected):
        """A self-criticism left out of the record, added after closing with its reason."""

        member_id: UUID

        def apply(self, m: Meeting) -> None:
            super().apply(m)
            m.self_criticisms.append(self.member_id)

    class DuesCorrected(Corrected):
        class_version = 2
        total_vnd: int
        payer_ids: tuple[UUID, ...]
        unpaid_ids: tuple[UUID, ...] | None

        upcast_v1_v2 = staticmethod(dues.upcast_v1_v2)

        def apply(self, m: Meeting) -> None:
            super().apply(m)
            m.dues_total_vnd, m.dues_payer_ids = self.total_vnd, self.payer_ids
            m.dues_unpaid_ids = self.unpaid_ids

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
        facts = check.scheduling(
            cell_id, kind, period, scheduled_at, place, agenda, topic, regular_meeting
        )
        meeting = cls._found(cls.Scheduled, by, id, **facts)
        if regular_meeting is not None:
            regular_meeting._record(cls.PremeetingLinked, by, premeeting_id=meeting.id)
        return meeting

    def reschedule(self, scheduled_at: datetime, place: str, by: Actor) -> None:
        check.not_opened(self)
        self._record(
            self.Rescheduled,
            by,
            scheduled_at=check.aware(scheduled_at, "scheduled_at"),
            place=require_text(place, "place", "Địa điểm"),
        )

    def cancel(self, reason: str, by: Actor) -> None:
        """Cancel before it opens; the reason goes to everyone invited."""
        check.not_opened(self)
        self._record(self.Cancelled, by, reason=require_text(reason, "reason", "Lý do hủy", 1000))

    def open(
        self,
        started_at: datetime,
        chair_id: UUID,
        secretary_id: UUID,
        roster: Mapping[UUID, Standing],
        window: MeetingWindow,
        by: Actor,
        now: datetime | None = None,
    ) -> None:
        """Open with a chair and a secretary; ``roster`` is the cell's roster on that day.

        A regular meeting outside the window is recorded and flagged late, never refused; a
        start later than ``now`` (the service's clock) is refused (``meeting_opening``)."""
        facts = opening(self, started_at, chair_id, secretary_id, roster, window, now)
        self._record(self.Opened, by, **facts)

    # -- commands: during the meeting -----------------------------------------------------

    def mark_attendance(self, entries: Iterable[AttendanceEntry], by: Actor) -> None:
        check.in_progress(self)
        self._record(self.AttendanceMarked, by, entries=check.attendance(self, entries))

    def approve_absence(
        self, member_id: UUID, approved_by: str, approved_on: date, note: str, by: Actor
    ) -> None:
        """The cell committee approves a named member's absence, before or at the meeting."""
        approval = vote.absence_approval(self, member_id, approved_by, approved_on, note)
        self._record(self.AbsenceApproved, by, approval=approval)

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
        guest = check.guest(self, name, position, is_superior, assignee_id, guest_id or uuid4())
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

    def record_minutes(self, text: str, by: Actor) -> None:
        """The secretary's minutes (biên bản); approved afterwards by a motion of kind minutes."""
        check.in_progress(self)
        check.minutes_not_approved(self)
        self._record(self.MinutesRecorded, by, text=require_text(text, "text", "Biên bản", 100_000))

    def assess_quality(
        self,
        scores: QualityScores,
        thresholds: QualityThresholds,
        by: Actor,
        *,
        weights: QualityWeights = QualityWeights(),
        rules: QualityRuleBook = QUALITY_RULES,
        combined_session: bool = False,
        reason: str = "",
    ) -> Rating:
        """Weighted, rated and set against the evidence (``domain.quality_assessment``)."""
        rule_set = rules.in_force(self.held_on or self.scheduled_at.date())
        facts = quality.assessment(
            self,
            scores,
            thresholds,
            weights,
            rule_set,
            combined_session=combined_session,
            reason=reason,
        )
        self._record(self.QualityAssessed, by, **facts)
        rating: Rating = facts["rating"]
        return rating

    def close(self, ended_at: datetime, by: Actor) -> None:
        check.in_progress(self)
        check.closable(self, check.aware(ended_at, "ended_at"))
        dues.unambiguous(self)
        self._record(self.Closed, by, ended_at=ended_at)
