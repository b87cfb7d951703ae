"""Application services for petitions (ý kiến, kiến nghị): raise, forward, resolve, answer, reopen."""

from __future__ import annotations

from datetime import date
from uuid import UUID, uuid4

from domain.base import Actor, RuleViolated
from domain.org_unit import Level, OrgUnit
from domain.petition import COMPETENT_LEVEL_LABELS, CompetentLevel, Petition, PetitionSource
from infra.application import TenantApplication
from services.membership.org import changed, load, settings_on
from services.supervision.common import PetitionInput, calendar_for, held_meeting

LEVEL_OF_UNIT: dict[Level, CompetentLevel] = {
    Level.CELL: CompetentLevel.CELL,
    Level.GRASSROOTS_CELL: CompetentLevel.GRASSROOTS,
    Level.GRASSROOTS_COMMITTEE: CompetentLevel.GRASSROOTS,
    Level.DIRECT: CompetentLevel.COMMUNE_DISTRICT,
    Level.PROVINCE: CompetentLevel.PROVINCE,
}
"""Which unit answers for each competent level; a grassroots cell is its own grassroots level."""


class NoUnitAtLevel(RuleViolated):
    code = "no_unit_at_level"


def raise_at_meeting(
    app: TenantApplication, by: Actor, *, meeting_id: UUID, petition: PetitionInput
) -> tuple[Petition, int]:
    meeting, held_on = held_meeting(app, meeting_id)
    settings = settings_on(app, held_on)
    p = Petition.raise_(
        uuid4(),
        meeting.cell_id,
        PetitionSource.MEETING,
        petition.content,
        petition.category,
        petition.competent_level,
        held_on,
        settings.petition_response_working_days,
        calendar_for(settings),
        by,
        meeting_id=meeting.id,
    )
    return p, app.save_all(p)


def competent_unit(app: TenantApplication, cell_id: UUID, level: CompetentLevel) -> OrgUnit:
    """The unit answering for ``level`` above (or at) the cell, walking up today's tree."""
    unit: OrgUnit | None = load(app, OrgUnit, cell_id)
    while unit is not None:
        if LEVEL_OF_UNIT.get(unit.level) is level:
            return unit
        unit = load(app, OrgUnit, unit.parent_id) if unit.parent_id else None
    raise NoUnitAtLevel(
        f"Không có tổ chức {COMPETENT_LEVEL_LABELS[level]} phía trên chi bộ; hãy phân loại lại "
        "kiến nghị",
        f"no {level.value} unit above the cell; reclassify the petition",
    )


def forward(
    app: TenantApplication, by: Actor, *, petition_id: UUID, on: date, expected: int | None = None
) -> tuple[Petition, int]:
    p = load(app, Petition, petition_id, expected)
    unit = competent_unit(app, p.cell_id, p.competent_level)
    p.forward(unit.id, LEVEL_OF_UNIT[unit.level], on, by)
    return p, app.save_all(p)


def reclassify(
    app: TenantApplication, by: Actor, *, petition_id: UUID, level: CompetentLevel, reason: str
) -> tuple[Petition, int]:
    return changed(app, Petition, petition_id, None, lambda p: p.reclassify(level, reason, by))


def accept(
    app: TenantApplication, by: Actor, *, petition_id: UUID, on: date, expected: int | None = None
) -> tuple[Petition, int]:
    return changed(app, Petition, petition_id, expected, lambda p: p.accept(on, by))


def resolve(
    app: TenantApplication,
    by: Actor,
    *,
    petition_id: UUID,
    response: str,
    document_ref: str,
    on: date,
) -> tuple[Petition, int]:
    return changed(
        app, Petition, petition_id, None, lambda p: p.resolve(response, document_ref, on, by)
    )


def answer_back(
    app: TenantApplication, by: Actor, *, petition_id: UUID, on: date, expected: int | None = None
) -> tuple[Petition, int]:
    return changed(app, Petition, petition_id, expected, lambda p: p.answer_back(on, by))


def reopen(
    app: TenantApplication, by: Actor, *, petition_id: UUID, cell_id: UUID, reason: str, on: date
) -> tuple[Petition, int]:
    p = load(app, Petition, petition_id)
    settings = settings_on(app, on)
    p.reopen(
        cell_id, reason, on, settings.petition_response_working_days, calendar_for(settings), by
    )
    return p, app.save_all(p)
