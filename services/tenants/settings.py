"""Province settings (cấu hình của tỉnh): read the settings in force on a day, change them from a day.

Each change is a ``Province.SettingsChanged`` event dated from when it applies (``effective_on``)
and recorded with its actor and request, so history is judged by the settings then in force. A
change names only the values it changes; the others are kept as they stand on that day. The
API (``GET/POST /api/v1/t/{t}/settings``) and the command line (``chibo settings``) both call
:func:`change` and :func:`read`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Annotated, Any

import msgspec
import psycopg

from domain.base import Actor, DomainError
from domain.org_unit import MeetingWindow
from domain.province import Province, ProvinceSettings, province_id
from domain.quality import QualityThresholds, QualityWeights, Rating
from domain.quality_year import YearlyLevel, YearlyRule
from infra.application import TenantApplication
from infra.tenancy import find_tenant
from services.membership.org import find

Small = Annotated[int, msgspec.Meta(ge=0, le=1000)]


class Window(msgspec.Struct, forbid_unknown_fields=True):
    first_day: Small
    last_day: Small


class Thresholds(msgspec.Struct, forbid_unknown_fields=True):
    good: Small
    fair: Small
    average: Small


class Weights(msgspec.Struct, forbid_unknown_fields=True):
    attendance: Small
    preparation: Small
    conduct: Small
    principles: Small
    implementation: Small


class Level(msgspec.Struct, forbid_unknown_fields=True):
    rating: Rating
    floor: Rating
    min_months: Small


class Yearly(msgspec.Struct, forbid_unknown_fields=True):
    levels: Annotated[list[Level], msgspec.Meta(max_length=3)]


class SettingsChange(msgspec.Struct, forbid_unknown_fields=True, kw_only=True):
    """The values to change from ``effective_on``; a value left out stays as it is that day."""

    effective_on: date
    meeting_window: Window | None = None
    quality: Thresholds | None = None
    quality_weights: Weights | None = None
    yearly_rule: Yearly | None = None
    rotation_turns_per_meeting: Small | None = None
    petition_response_working_days: Small | None = None
    provincial_member_visits_per_year: Small | None = None
    other_member_visits_per_year: Small | None = None
    days_off: Annotated[list[date], msgspec.Meta(max_length=366)] | None = None


class SettingsEntry(msgspec.Struct):
    effective_on: date
    settings: ProvinceSettings


class SettingsView(msgspec.Struct):
    on: date
    effective_on: date | None
    """When the settings in force on ``on`` took effect; ``None``: the defaults, never changed."""
    settings: ProvinceSettings
    history: list[SettingsEntry]
    version: int | None


def _domain_values(change: SettingsChange) -> dict[str, Any]:
    """The changed values as domain objects; their constructors refuse bad values by name."""
    values: dict[str, Any] = {}
    if change.meeting_window is not None:
        values["meeting_window"] = MeetingWindow(**msgspec.structs.asdict(change.meeting_window))
    if change.quality is not None:
        values["quality"] = QualityThresholds(**msgspec.structs.asdict(change.quality))
    if change.quality_weights is not None:
        values["quality_weights"] = QualityWeights(**msgspec.structs.asdict(change.quality_weights))
    if change.yearly_rule is not None:
        levels = tuple(
            YearlyLevel(x.rating, x.floor, x.min_months) for x in change.yearly_rule.levels
        )
        values["yearly_rule"] = YearlyRule(levels)
    if change.days_off is not None:
        values["days_off"] = tuple(sorted(set(change.days_off)))
    for name in (
        "rotation_turns_per_meeting",
        "petition_response_working_days",
        "provincial_member_visits_per_year",
        "other_member_visits_per_year",
    ):
        if getattr(change, name) is not None:
            values[name] = getattr(change, name)
    return values


def _province(app: TenantApplication) -> Province | None:
    return find(app, Province, province_id(app.slug))


def _tenant_name(app: TenantApplication) -> str:
    """The province's name from the catalog (on a second cluster the catalog may not be there)."""
    try:
        return find_tenant(app.database, app.slug).name
    except (DomainError, psycopg.Error):
        return app.slug


def change(app: TenantApplication, by: Actor, body: SettingsChange) -> tuple[Province, int]:
    """Record a dated change; the province's record is created the first time."""
    province = _province(app)
    if province is None:
        province = Province.register(app.slug, _tenant_name(app), by)
    current = province.settings_on(body.effective_on)
    settings = replace(current, **_domain_values(body))
    province.change_settings(settings, body.effective_on, by)
    return province, app.save_all(province)


def read(app: TenantApplication, on: date) -> SettingsView:
    province = _province(app)
    history = [] if province is None else list(province.settings_history)
    in_force = [entry for entry in history if entry[0] <= on]
    return SettingsView(
        on=on,
        effective_on=in_force[-1][0] if in_force else None,
        settings=in_force[-1][1] if in_force else ProvinceSettings(),
        history=[SettingsEntry(day, settings) for day, settings in history],
        version=None if province is None else province.version,
    )
