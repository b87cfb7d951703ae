"""Step 4 of an admission case, its introductions (giới thiệu người vào Đảng), and the records it
takes outside its twelve steps: that no Youth Union exists where the applicant works or lives,
and a decision extending the running deadline.

A mixin of ``domain.admission.AdmissionCase``, kept apart so the aggregate's module stays short.
The events stay nested in ``AdmissionCase`` (their topics are stored in the log); the mixin
refers to them through ``self``.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain import admission_checks as check
from domain import admission_intro_checks as intro
from domain.admission_state import AdmissionState
from domain.admission_values import (
    CELL_ROLES,
    COMMITTEE_ROLES,
    IntroducingOrganisation,
    IntroductionBasis,
)
from domain.base import Actor, require_text
from domain.calendar import WorkingCalendar
from domain.roster import Standing
from domain.rules import RULES, RuleBook


class AdmissionRecords(AdmissionState):
    """Commands of the case that are not a step of the procedure."""

    if TYPE_CHECKING:
        IntroducerAssigned: ClassVar[type[Any]]
        IntroducedByOrganisation: ClassVar[type[Any]]
        NoYouthUnionStated: ClassVar[type[Any]]
        DeadlineExtended: ClassVar[type[Any]]

        def _record(self, event_class: type[Any], by: Actor, **kwargs: Any) -> None: ...

    def assign_introducer(
        self,
        member_id: UUID,
        standing: Standing | None,
        basis: IntroductionBasis,
        together_since: date,
        on: date,
        by: Actor,
        replaces: UUID | None = None,
        rules: RuleBook = RULES,
    ) -> None:
        """Đảng viên giới thiệu: an official member of the cell, ≥ 12 months with the applicant."""
        check.step(self, by, CELL_ROLES, "người giới thiệu", "an introducer")
        rule_set = rules.in_force(on)
        intro.introducer(self, member_id, standing, basis, together_since, on, replaces, rule_set)
        self._record(
            self.IntroducerAssigned,
            by,
            member_id=member_id,
            basis=basis,
            together_since=together_since,
            on=on,
            replaces=replaces,
            rule_set=rule_set.code,
        )

    def introduce_by_organisation(
        self,
        organisation: IntroducingOrganisation,
        resolution_no: str,
        on: date,
        by: Actor,
        rules: RuleBook = RULES,
    ) -> None:
        """Nghị quyết giới thiệu của BCH Đoàn cơ sở / Công đoàn cơ sở: replaces one of the two
        members; one official member introduces as well (Charter art. 4.2)."""
        check.step(self, by, CELL_ROLES, "nghị quyết giới thiệu", "an introducing resolution")
        intro.organisation_introduction(self, organisation, on, rules.in_force(on))
        self._record(
            self.IntroducedByOrganisation,
            by,
            organisation=organisation,
            resolution_no=require_text(resolution_no, "resolution_no", "Số nghị quyết", 100),
            on=on,
        )

    def state_no_youth_union(self, on: date, reason: str, by: Actor) -> None:
        """Nơi không có tổ chức Đoàn: then two official members may introduce a young applicant."""
        check.step(self, by, CELL_ROLES, "ghi nhận nơi không có tổ chức Đoàn", "no Youth Union")
        reason = require_text(
            reason, "reason", "Lý do (nơi công tác, cư trú không có tổ chức Đoàn)"
        )
        self._record(self.NoYouthUnionStated, by, on=on, reason=reason)

    def extend_deadline(
        self,
        decision_no: str,
        decided_on: date,
        working_days: int,
        reason: str,
        calendar: WorkingCalendar,
        by: Actor,
        rules: RuleBook = RULES,
    ) -> date:
        """Gia hạn: the competent committee extends the running deadline once, by at most 30
        working days, by a numbered decision; returns the new due date."""
        check.step(self, by, COMMITTEE_ROLES, "quyết định gia hạn", "an extension decision")
        rule_set = rules.in_force(decided_on)
        previous = check.extension(self, decided_on, working_days, rule_set)
        due_on = calendar.add_working_days(previous, working_days)
        self._record(
            self.DeadlineExtended,
            by,
            decision_no=require_text(decision_no, "decision_no", "Số quyết định gia hạn", 100),
            decided_on=decided_on,
            working_days=working_days,
            reason=require_text(reason, "reason", "Lý do gia hạn"),
            previous_due_on=previous,
            due_on=due_on,
            rule_set=rule_set.code,
        )
        return due_on
