"""The province's units by code (mã tổ chức), read once per import from the log."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from domain.org_unit import Level, OrgUnit
from infra.application import TenantApplication
from services.imports.bulk import ids_with_topic, load_many

FOUNDED = "domain.org_unit:OrgUnit.Founded"


@dataclass
class UnitIndex:
    """Every unit of the province, and those with a code by their code."""

    units: dict[UUID, OrgUnit]
    by_code: dict[str, OrgUnit]

    @classmethod
    def load(cls, app: TenantApplication) -> UnitIndex:
        units = {k: v for k, v in load_many(app, ids_with_topic(app, FOUNDED)).items()
                 if isinstance(v, OrgUnit)}  # fmt: skip
        return cls(units, {u.code.upper(): u for u in units.values() if u.code})

    def find(self, code: str) -> OrgUnit | None:
        """By code; a unit without one is exported with its id as its code, found here too."""
        value = code.strip().upper()
        found = self.by_code.get(value)
        if found is None and len(value) == 36:
            try:
                found = self.units.get(UUID(value))
            except ValueError:
                return None
        return found

    def cell(self, code: str) -> OrgUnit | None:
        unit = self.find(code)
        return unit if unit is not None and unit.level.holds_meetings else None

    def roots(self) -> list[OrgUnit]:
        return [u for u in self.units.values() if u.parent_id is None and u.is_active]

    def code_of(self, unit_id: UUID | None) -> str:
        unit = self.units.get(unit_id) if unit_id else None
        return (unit.code or "") if unit else ""

    def level_of(self, code: str) -> Level | None:
        unit = self.find(code)
        return unit.level if unit else None
