"""Opinions and petitions (ý kiến, kiến nghị) followed from the cell to the written answer.

A petition is raised at a cell's meeting or collected by a superior attending it (in the
attendance report). It is classified by the level competent to resolve it, forwarded to that
level, accepted, resolved with a written response, and answered back to the cell it came from;
the cell may reopen it when not satisfied. Seed 003: the district working groups collected 317
petitions, 282 for the district level or above and 35 for the grassroots level, each answered
in writing ("báo cáo kết quả bằng văn bản … trước khi tổng hợp trả lời tổ chức Đảng").

The response deadline counts working days (province setting ``petition_response_working_days``)
from the day the petition is raised, and again from a reopening; the due date is stored in the
event, so a later change of the setting never re-judges an old petition.
"""

from __future__ import annotations

from datetime import date
from enum import Enum
from typing import Protocol
from uuid import UUID

from domain.base import (
    Actor,
    ChiboAggregate,
    InvalidValue,
    require_order,
    require_text,
)
from domain.petition_errors import (
    ForwardedToWrongLevel,
    OnlyOriginatingCellMayReopen,
    PetitionNeedsSource,
    PetitionStepOutOfOrder,
)


class CompetentLevel(str, Enum):
    """The level competent to resolve a petition (cấp có thẩm quyền giải quyết)."""

    CELL = "cell"  # chi bộ
    GRASSROOTS = "grassroots"  # cấp cơ sở (đảng ủy / chi bộ cơ sở)
    COMMUNE_DISTRICT = "commune_district"  # cấp xã / huyện (đảng bộ trực thuộc tỉnh)
    PROVINCE = "province"  # cấp tỉnh

    @property
    def district_or_above(self) -> bool:
        """Seed 003 counts "cấp huyện và cấp trên" apart from "cấp cơ sở"."""
        return self in (CompetentLevel.COMMUNE_DISTRICT, CompetentLevel.PROVINCE)


class PetitionSource(str, Enum):
    MEETING = "meeting"  # nêu tại kỳ sinh hoạt chi bộ
    ATTENDANCE_REPORT = "attendance_report"  # cấp ủy viên dự sinh hoạt thu thập, báo cáo


class PetitionState(str, Enum):
    RAISED = "raised"  # đã tiếp nhận tại chi bộ
    FORWARDED = "forwarded"  # đã chuyển cấp có thẩm quyền
    ACCEPTED = "accepted"  # cấp có thẩm quyền đã nhận giải quyết
    RESOLVED = "resolved"  # đã giải quyết, có văn bản trả lời
    ANSWERED = "answered"  # đã trả lời chi bộ nơi có ý kiến
    REOPENED = "reopened"  # chi bộ chưa thỏa đáng, đề nghị xem xét lại

    @property
    def is_open(self) -> bool:
        return self is not PetitionState.ANSWERED


# Words a person reads for each code (refusals here, the documents' tables): never the code.
COMPETENT_LEVEL_LABELS = {
    CompetentLevel.CELL: "chi bộ",
    CompetentLevel.GRASSROOTS: "cấp cơ sở",
    CompetentLevel.COMMUNE_DISTRICT: "cấp xã, huyện",
    CompetentLevel.PROVINCE: "cấp tỉnh",
}
PETITION_STATE_LABELS = {
    PetitionState.RAISED: "đã tiếp nhận",
    PetitionState.FORWARDED: "đã chuyển cấp có thẩm quyền",
    PetitionState.ACCEPTED: "đang giải quyết",
    PetitionState.RESOLVED: "đã giải quyết",
    PetitionState.ANSWERED: "đã trả lời",
    PetitionState.REOPENED: "đề nghị xem xét lại",
}
STEP_LABELS = {
    "reclassify": "phân loại lại",
    "forward": "chuyển cấp có thẩm quyền",
    "accept": "nhận giải quyết",
    "resolve": "giải quyết",
    "answer_back": "trả lời chi bộ",
    "reopen": "đề nghị xem xét lại",
}


class WorkingDays(Protocol):
    """Counts working days (ngày làm việc): weekends, public holidays, province days off."""

    def add_working_days(self, start: date, days: int) -> date: ...


class Petition(ChiboAggregate):
    """One opinion or petition (ý kiến, kiến nghị) of a cell or its members."""

    class Raised(ChiboAggregate.Created):
        cell_id: UUID
        source: PetitionSource
        meeting_id: UUID | None
        plan_id: UUID | None
        assignment_id: UUID | None
        content: str
        category: str
        competent_level: CompetentLevel
        raised_on: date
        due_on: date

    class Reclassified(ChiboAggregate.Event):
        competent_level: CompetentLevel
        reason: str

        def apply(self, petition: Petition) -> None:
            # A forwarded petition must now go to the newly competent level: back to "raised".
            petition.competent_level = self.competent_level
            petition.state = PetitionState.RAISED
            petition.forwarded_to = None

    class Forwarded(ChiboAggregate.Event):
        unit_id: UUID
        level: CompetentLevel
        forwarded_on: date

        def apply(self, petition: Petition) -> None:
            petition.state = PetitionState.FORWARDED
            petition.forwarded_to = self.unit_id
            petition.last_step_on = self.forwarded_on

    class Accepted(ChiboAggregate.Event):
        accepted_on: date

        def apply(self, petition: Petition) -> None:
            petition.state = PetitionState.ACCEPTED
            petition.last_step_on = self.accepted_on

    class Resolved(ChiboAggregate.Event):
        response: str
        document_ref: str
        resolved_on: date

        def apply(self, petition: Petition) -> None:
            petition.state = PetitionState.RESOLVED
            petition.response = self.response
            petition.last_step_on = self.resolved_on

    class AnsweredBack(ChiboAggregate.Event):
        answered_on: date

        def apply(self, petition: Petition) -> None:
            petition.state = PetitionState.ANSWERED
            petition.answered_on = self.answered_on
            petition.last_step_on = self.answered_on

    class Reopened(ChiboAggregate.Event):
        reason: str
        reopened_on: date
        due_on: date

        def apply(self, petition: Petition) -> None:
            petition.state = PetitionState.REOPENED
            petition.due_on = self.due_on
            petition.answered_on = None
            petition.reopen_count += 1
            petition.last_step_on = self.reopened_on

    def __init__(
        self,
        cell_id: UUID,
        source: PetitionSource,
        meeting_id: UUID | None,
        plan_id: UUID | None,
        assignment_id: UUID | None,
        content: str,
        category: str,
        competent_level: CompetentLevel,
        raised_on: date,
        due_on: date,
    ) -> None:
        self.cell_id = cell_id
        self.source = source
        self.meeting_id = meeting_id
        self.plan_id = plan_id
        self.assignment_id = assignment_id
        self.content = content
        self.category = category
        self.competent_level = competent_level
        self.raised_on = raised_on
        self.due_on = due_on
        self.state = PetitionState.RAISED
        self.forwarded_to: UUID | None = None
        self.response: str | None = None
        self.answered_on: date | None = None
        self.reopen_count = 0
        self.last_step_on = raised_on

    # -- commands -------------------------------------------------------------------------

    @classmethod
    def raise_(
        cls,
        id: UUID,
        cell_id: UUID,
        source: PetitionSource,
        content: str,
        category: str,
        competent_level: CompetentLevel,
        raised_on: date,
        response_days: int,
        calendar: WorkingDays,
        by: Actor,
        meeting_id: UUID | None = None,
        plan_id: UUID | None = None,
        assignment_id: UUID | None = None,
    ) -> Petition:
        """Record a petition; ``response_days`` is the province setting in force that day."""
        if source is PetitionSource.MEETING and meeting_id is None:
            raise PetitionNeedsSource(
                "Kiến nghị nêu tại kỳ sinh hoạt phải gắn với kỳ sinh hoạt đó",
                "a petition raised at a meeting needs meeting_id",
                field="meeting_id",
            )
        if source is PetitionSource.ATTENDANCE_REPORT and (
            plan_id is None or assignment_id is None
        ):
            raise PetitionNeedsSource(
                "Kiến nghị thu thập khi dự sinh hoạt phải gắn với báo cáo dự sinh hoạt",
                "a petition from an attendance report needs plan_id and assignment_id",
                field="assignment_id",
            )
        return cls._found(
            cls.Raised,
            by,
            id,
            cell_id=cell_id,
            source=source,
            meeting_id=meeting_id,
            plan_id=plan_id,
            assignment_id=assignment_id,
            content=require_text(content, "content", "Nội dung kiến nghị", 4000),
            category=require_text(category, "category", "Lĩnh vực", 100),
            competent_level=competent_level,
            raised_on=raised_on,
            due_on=calendar.add_working_days(raised_on, response_days),
        )

    def reclassify(self, level: CompetentLevel, reason: str, by: Actor) -> None:
        """The receiving level finds it is not competent: classify again before acceptance."""
        self._require(PetitionState.RAISED, PetitionState.FORWARDED, step="reclassify")
        if level is self.competent_level:
            raise InvalidValue(
                "Kiến nghị đã thuộc cấp này", "the petition is already at that level", field="level"
            )
        self._record(
            self.Reclassified,
            by,
            competent_level=level,
            reason=require_text(reason, "reason", "Lý do"),
        )

    def forward(self, unit_id: UUID, unit_level: CompetentLevel, on: date, by: Actor) -> None:
        """Chuyển kiến nghị to the unit of the competent level above (or at) the cell."""
        self._require(PetitionState.RAISED, step="forward")
        if unit_level is not self.competent_level:
            raise ForwardedToWrongLevel(
                f"Kiến nghị thuộc thẩm quyền {COMPETENT_LEVEL_LABELS[self.competent_level]}, "
                f"không chuyển cho {COMPETENT_LEVEL_LABELS[unit_level]}",
                f"the petition is for the {self.competent_level.value} level, "
                f"not the {unit_level.value} level; reclassify it first",
                field="unit_id",
            )
        self._check_date(on, "forwarded_on")
        self._record(self.Forwarded, by, unit_id=unit_id, level=unit_level, forwarded_on=on)

    def accept(self, on: date, by: Actor) -> None:
        self._require(PetitionState.FORWARDED, step="accept")
        self._check_date(on, "accepted_on")
        self._record(self.Accepted, by, accepted_on=on)

    def resolve(self, response: str, document_ref: str, on: date, by: Actor) -> None:
        """Resolved with a written response (văn bản trả lời)."""
        self._require(PetitionState.ACCEPTED, PetitionState.REOPENED, step="resolve")
        self._check_date(on, "resolved_on")
        self._record(
            self.Resolved,
            by,
            response=require_text(response, "response", "Nội dung trả lời", 8000),
            document_ref=require_text(document_ref, "document_ref", "Số, ký hiệu văn bản", 200),
            resolved_on=on,
        )

    def answer_back(self, on: date, by: Actor) -> None:
        """The answer reaches the cell that raised it (trả lời tổ chức đảng nơi có ý kiến)."""
        self._require(PetitionState.RESOLVED, step="answer_back")
        self._check_date(on, "answered_on")
        self._record(self.AnsweredBack, by, answered_on=on)

    def reopen(
        self,
        cell_id: UUID,
        reason: str,
        on: date,
        response_days: int,
        calendar: WorkingDays,
        by: Actor,
    ) -> None:
        """The originating cell is not satisfied: back to the competent level, new deadline."""
        self._require(PetitionState.ANSWERED, step="reopen")
        if cell_id != self.cell_id:
            raise OnlyOriginatingCellMayReopen(
                "Chỉ chi bộ nơi có ý kiến mới được đề nghị xem xét lại",
                "only the cell that raised the petition may reopen it",
                field="cell_id",
            )
        self._check_date(on, "reopened_on")
        self._record(
            self.Reopened,
            by,
            reason=require_text(reason, "reason", "Lý do chưa thỏa đáng", 2000),
            reopened_on=on,
            due_on=calendar.add_working_days(on, response_days),
        )

    # -- queries --------------------------------------------------------------------------

    def is_overdue(self, today: date) -> bool:
        return self.state.is_open and today > self.due_on

    def _require(self, *states: PetitionState, step: str) -> None:
        if self.state not in states:
            allowed = ", ".join(s.value for s in states)
            allowed_vi = ", ".join(f"«{PETITION_STATE_LABELS[s]}»" for s in states)
            raise PetitionStepOutOfOrder(
                f"Kiến nghị đang ở bước «{PETITION_STATE_LABELS[self.state]}», chưa thể "
                f"«{STEP_LABELS[step]}» (cần: {allowed_vi})",
                f"cannot {step.replace('_', ' ')} a petition that is {self.state.value}; "
                f"it must be {allowed}",
                state=self.state.value,
            )

    def _check_date(self, on: date, field: str) -> None:
        require_order(self.last_step_on, on, field)
