"""The state of an admission case and the questions asked of it, apart from commands and events.

``domain.admission.AdmissionCase`` inherits this; ``domain.admission_checks`` reads it, so the
checks are typed without importing the aggregate and the imports point one way.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.admission_values import (
    DossierItem,
    Education,
    IntroducingOrganisation,
    RecognitionOutcome,
)


class AdmissionState:
    """What an admission case knows; changed only by its events' ``apply``."""

    id: UUID

    def __init__(
        self,
        full_name: str,
        birth_date: date,
        gender: str,
        education: Education,
        special_area: bool,
        cell_id: UUID,
        grassroots_cell: bool,
        opened_on: date,
        rule_set: str,
    ) -> None:
        self.full_name = full_name
        self.birth_date = birth_date
        self.gender = gender
        self.education = education
        self.special_area = special_area
        self.cell_id = cell_id
        self.grassroots_cell = grassroots_cell
        self.opened_on = opened_on
        self.course: tuple[str, date] | None = None
        self.dossier: dict[DossierItem, date] = {}
        self.introducers: dict[UUID, date] = {}
        self.organisation_introduction: tuple[IntroducingOrganisation, str, date] | None = None
        self.cell_vote_on: date | None = None
        self.committee_vote_on: date | None = None
        self.decision: tuple[str, date, date] | None = None
        self.ceremony_on: date | None = None
        self.member_id: UUID | None = None
        self.mentor_id: UUID | None = None
        self.probation_ends_on: date | None = None
        self.recognition_votes: list[tuple[date, RecognitionOutcome]] = []
        self.recognition: tuple[str, date, bool] | None = None
        self.due_on: date | None = None
        """When the next step with a deadline is due (None: no running deadline)."""
        self.closed: tuple[date, str] | None = None
        self.no_youth_union: tuple[date, str] | None = None
        """The cell stated there is no Youth Union where the applicant works or lives."""
        self.extended_due_on: date | None = None
        """The due date set by the last extension: that deadline cannot be extended again."""

    @property
    def is_introduced(self) -> bool:
        """Two official members, or a union's resolution and one official member (art. 4.2)."""
        return len(self.introducers) >= (1 if self.organisation_introduction else 2)

    @property
    def awaiting_recognition_decision(self) -> bool:
        return bool(self.recognition_votes) and self.recognition_votes[-1][1] in (
            RecognitionOutcome.PROPOSE_RECOGNITION,
            RecognitionOutcome.PROPOSE_REMOVAL,
            RecognitionOutcome.ESCALATED,
        )
