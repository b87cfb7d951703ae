"""Wire types of what a meeting shows, and the one adapter from the domain to them.

Beside ``services.meetings.schemas`` (what a client sends: the command bodies) so each stays
short; the quality assessment's own views are in ``quality_schemas``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from uuid import UUID

import msgspec

from domain import meeting_dues
from domain.meeting import Meeting
from domain.meeting_values import AttendanceMark, MeetingKind
from domain.quality import Rating
from domain.rules import RULES, RuleBook
from domain.voting import (
    ExclusionReason,
    MotionKind,
    MotionResult,
    Threshold,
    VoteChoice,
    VotingMethod,
    required_votes,
)
from services.meetings.quality_schemas import EvidenceJudgement, judgement
from services.wire import Text, view_of


class AttendanceView(msgspec.Struct):
    member_id: UUID
    status: str
    exempted: bool
    suspended: bool
    mark: AttendanceMark | None
    reason: Text
    transferred_out: bool = False  # chuyển sinh hoạt tạm thời nơi khác: out of the base
    temporary: bool = False  # sinh hoạt tạm thời tại chi bộ này: no vote


class ExclusionView(msgspec.Struct):
    """One official member left out of the legal base, by name, and why (Charter art. 9.5)."""

    member_id: UUID
    name: str
    reason: ExclusionReason
    reason_vi: str


class BaseView(msgspec.Struct):
    """The legal base of one threshold now: official members, those left out, what passes."""

    threshold: Threshold
    official_members: int
    base: int
    required: int
    exclusions: list[ExclusionView]


class AbsenceApprovalView(msgspec.Struct):
    member_id: UUID
    name: str
    approved_by: str
    approved_on: date
    note: str


class GuestView(msgspec.Struct):
    id: UUID
    name: str
    position: str
    is_superior: bool
    assignee_id: UUID | None


class OpinionView(msgspec.Struct):
    speaker_id: UUID
    topic: str
    by_guest: bool


class BallotView(msgspec.Struct):
    member_id: UUID
    choice: VoteChoice


class MotionView(msgspec.Struct):
    id: UUID
    kind: MotionKind
    title: str
    subject_id: UUID | None
    method: VotingMethod | None
    votes_for: int
    against: int
    abstain: int
    ballots: list[BallotView]
    base: int | None
    required: int | None
    result: MotionResult | None


class QualityView(msgspec.Struct):
    attendance: int
    preparation: int
    conduct: int
    principles: int
    implementation: int
    total: int
    thresholds: tuple[int, int, int]
    rating: Rating
    weighted_total: float | None = None
    """Out of 100 by the province's weights in force that day; the rating is judged on it."""
    warnings: list[str] = []
    """Codes of the evidence warnings standing when it was assessed."""
    reason: str = ""


class EvidenceView(msgspec.Struct):
    """Facts for the scoring form: the system computes them, the chair does not recall them."""

    members: int
    present: int
    attendance_rate: float
    attendance_criterion_met: bool
    unexcused: int
    premeeting_held: bool
    length_minutes: int | None
    long_enough: bool | None
    speakers: int
    opinions: int
    minutes_approved: bool
    judgement: EvidenceJudgement | None = None
    """The warnings where the facts disagree with a good rating, and the ceiling they set."""


class CorrectionView(msgspec.Struct):
    what: str
    reason: Text
    actor: str


class MeetingView(msgspec.Struct):
    id: UUID
    version: int
    cell_id: UUID
    kind: MeetingKind
    year: int
    month: int
    scheduled_at: datetime
    place: str
    agenda: list[str]
    topic: str
    regular_meeting_id: UUID | None
    premeeting_id: UUID | None
    started_at: datetime | None
    held_on: date | None
    ended_at: datetime | None
    chair_id: UUID | None
    secretary_id: UUID | None
    window: tuple[int, int] | None
    is_late: bool
    is_closed: bool
    official_count: int
    probationary_count: int
    attendance: list[AttendanceView]
    guests: list[GuestView]
    opinions: list[OpinionView]
    self_criticisms: list[UUID]
    motions: list[MotionView]
    minutes: str | None
    minutes_approved: bool
    quality: QualityView | None
    evidence: EvidenceView
    dues_total_vnd: int | None
    dues_payer_ids: list[UUID]
    corrections: list[CorrectionView]
    absence_approvals: list[AbsenceApprovalView] = []
    voting_base: list[BaseView] = []
    dues_unpaid_ids: list[UUID] = []
    """Members named as not having paid (a version-1 record: present members not paying)."""
    """Majority and two-thirds bases with each exclusion named (empty before the opening)."""


# -- the adapter from the domain ---------------------------------------------------------------


def motion_view(m: Meeting, motion_id: UUID) -> MotionView:
    x = m.motions[motion_id]
    ballots = [BallotView(member, choice) for member, choice in x.ballots.items()]
    return view_of(MotionView, x, ballots=ballots)


def quality_view(m: Meeting) -> QualityView | None:
    s, t, rating = m.quality_scores, m.quality_thresholds, m.quality_rating
    if s is None or t is None or rating is None:
        return None
    return QualityView(
        s.attendance,
        s.preparation,
        s.conduct,
        s.principles,
        s.implementation,
        s.total,
        (t.good, t.fair, t.average),
        rating,
        m.quality_weighted_total,
        list(m.quality_warnings),
        m.quality_reason,
    )


def evidence_view(m: Meeting) -> EvidenceView:
    e = m.quality_evidence()
    return EvidenceView(
        e.members,
        e.present,
        round(e.attendance_rate, 4),
        e.attendance_criterion_met,
        e.unexcused,
        e.premeeting_held,
        e.minutes_length,
        e.long_enough,
        e.speakers,
        e.opinions,
        e.minutes_approved,
        judgement(m) if m.held_on else None,
    )


def base_views(m: Meeting, names: Mapping[UUID, str], rules: RuleBook = RULES) -> list[BaseView]:
    """Each threshold's base, judged by the rule set in force on the meeting's day."""
    if m.held_on is None:
        return []
    rule_set = rules.in_force(m.held_on)
    official = sum(1 for e in m.roster.values() if e.status.value == "official" and not e.temporary)
    views = []
    for kind in (MotionKind.GENERAL, MotionKind.ADMISSION):
        base = m.legal_base(kind)
        views.append(
            BaseView(
                threshold=kind.threshold,
                official_members=official,
                base=base,
                required=required_votes(kind.threshold, base, rule_set),
                exclusions=[
                    ExclusionView(
                        x.member_id, names.get(x.member_id, ""), x.reason, x.reason.label_vi
                    )
                    for x in m.base_exclusions(kind)
                ],
            )
        )
    return views


def meeting_view(m: Meeting, names: Mapping[UUID, str] | None = None) -> MeetingView:
    """``names`` maps member ids to full names, so exclusions and approvals are named."""
    names = names or {}
    roster = sorted(m.roster.values(), key=lambda e: str(e.member_id))
    return view_of(
        MeetingView,
        m,
        year=m.period[0],
        month=m.period[1],
        agenda=list(m.agenda),
        window=(m.window.first_day, m.window.last_day) if m.window else None,
        official_count=sum(1 for e in roster if e.status.value == "official"),
        probationary_count=sum(1 for e in roster if e.status.value == "probationary"),
        attendance=[
            AttendanceView(
                e.member_id,
                e.status.value,
                e.exempted,
                e.suspended,
                m.attendance.get(e.member_id),
                m.absence_reasons.get(e.member_id, ""),
                e.transferred_out,
                e.temporary,
            )
            for e in roster
        ],
        guests=[
            GuestView(g.id, g.name, g.position, g.is_superior, g.assignee_id)
            for g in m.guests.values()
        ],
        opinions=[OpinionView(o.speaker_id, o.topic, o.by_guest) for o in m.opinions],
        self_criticisms=list(m.self_criticisms),
        motions=[motion_view(m, motion_id) for motion_id in m.motions],
        quality=quality_view(m),
        evidence=evidence_view(m),
        dues_payer_ids=list(m.dues_payer_ids),
        dues_unpaid_ids=sorted(meeting_dues.unpaid(m), key=str),
        corrections=[CorrectionView(c.what, c.reason, c.actor) for c in m.corrections],
        absence_approvals=[
            AbsenceApprovalView(
                a.member_id, names.get(a.member_id, ""), a.approved_by, a.approved_on, a.note
            )
            for a in m.absence_approvals.values()
        ],
        voting_base=base_views(m, names),
    )
