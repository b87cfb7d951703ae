"""The state of a cell meeting and the questions asked of it, apart from its commands and events.

``domain.meeting.Meeting`` inherits this; ``domain.meeting_checks`` reads it. Keeping the state
here lets the checks be typed without importing the aggregate, so the imports point one way:
``meeting`` → ``meeting_checks`` → ``meeting_state``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from uuid import UUID

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
from domain.quality import QualityEvidence, QualityScores, Rating
from domain.voting import (
    Exclusion,
    Motion,
    MotionKind,
    MotionResult,
    RosterEntry,
    base_exclusions,
    legal_base,
)


class MeetingState:
    """What a meeting knows; changed only by its events' ``apply``."""

    id: UUID

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
        self.quality_weighted_total: float | None = None
        self.quality_warnings: tuple[str, ...] = ()
        self.quality_reason = ""
        self.dues_total_vnd: int | None = None
        self.dues_payer_ids: tuple[UUID, ...] = ()
        # None only for a version-1 record, which named the payers alone (domain.meeting_dues).
        self.dues_unpaid_ids: tuple[UUID, ...] | None = ()
        self.corrections: list[Correction] = []
        self.absence_approvals: dict[UUID, AbsenceApproval] = {}
        self.is_cancelled = False
        self.cancel_reason = ""

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
        """Members still to be marked; those active in another cell for now are not expected."""
        return [
            m for m, e in self.roster.items() if m not in self.attendance and not e.transferred_out
        ]

    @property
    def approved_absent(self) -> set[UUID]:
        """Absentees whose absence the convening committee approved."""
        return {m for m in self.absence_approvals if m not in self.present}

    def base_exclusions(self, kind: MotionKind) -> tuple[Exclusion, ...]:
        """Who is left out of the legal base for a motion of ``kind`` now, and why."""
        return base_exclusions(
            self.roster.values(), self.present, self.approved_absent, kind.threshold
        )

    def legal_base(self, kind: MotionKind) -> int:
        return legal_base(self.roster.values(), self.present, self.approved_absent, kind.threshold)

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
            e
            for e in self.roster.values()
            if not (e.exempted and e.member_id not in self.present) and not e.transferred_out
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
