"""The province (tỉnh) as a tenant: its name and the settings its committee decides locally.

Values marked [U] in the brief vary by province, so they are settings with dated changes in
the log, never constants: the regular-meeting window, quality-rating thresholds, the number of
self-criticism turns per meeting, superior-attendance quotas, the petition response time, and
the quality assessment's weights and yearly rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import NAMESPACE_URL, UUID, uuid5

from domain.base import Actor, ChiboAggregate, InvalidValue, require_text
from domain.org_unit import MeetingWindow
from domain.quality import QualityThresholds as QualityThresholds  # re-exported: older imports
from domain.quality import QualityWeights
from domain.quality_year import YearlyRule


@dataclass(frozen=True, slots=True)
class ProvinceSettings:
    meeting_window: MeetingWindow = MeetingWindow(1, 5)
    quality: QualityThresholds = QualityThresholds()
    quality_weights: QualityWeights = QualityWeights()
    """What each criteria group is worth (trọng số nhóm tiêu chí), issue 12 §4."""
    yearly_rule: YearlyRule = YearlyRule()
    """How the months' ratings make the year's (xếp loại cả năm)."""
    rotation_turns_per_meeting: int = 1
    petition_response_working_days: int = 15
    provincial_member_visits_per_year: int = 2
    other_member_visits_per_year: int = 6
    days_off: tuple[date, ...] = ()
    """Extra days off decided by the province, on top of national public holidays."""


def province_id(slug: str) -> UUID:
    return uuid5(NAMESPACE_URL, f"chibo:province:{slug}")


class Province(ChiboAggregate):
    """A province tenant (Đảng bộ tỉnh) and its local settings."""

    class Registered(ChiboAggregate.Created):
        slug: str
        name: str

    class SettingsChanged(ChiboAggregate.Event):
        settings: ProvinceSettings
        effective_on: date

        def apply(self, province: Province) -> None:
            province.settings_history.append((self.effective_on, self.settings))
            province.settings_history.sort(key=lambda entry: entry[0])

    def __init__(self, slug: str, name: str) -> None:
        self.slug = slug
        self.name = name
        self.settings_history: list[tuple[date, ProvinceSettings]] = []

    @classmethod
    def register(cls, slug: str, name: str, by: Actor) -> Province:
        return cls._found(
            cls.Registered,
            by,
            province_id(slug),
            slug=slug,
            name=require_text(name, "name", "Tên tỉnh"),
        )

    def change_settings(self, settings: ProvinceSettings, effective_on: date, by: Actor) -> None:
        if settings.rotation_turns_per_meeting not in (1, 2):
            raise InvalidValue(
                "Mỗi kỳ sinh hoạt có 1 hoặc 2 đảng viên tự phê bình xoay vòng",
                "rotation_turns_per_meeting must be 1 or 2",
                field="rotation_turns_per_meeting",
            )
        if settings.petition_response_working_days < 1:
            raise InvalidValue(
                "Thời hạn trả lời kiến nghị phải từ 1 ngày làm việc",
                "petition_response_working_days must be at least 1",
                field="petition_response_working_days",
            )
        self._record(self.SettingsChanged, by, settings=settings, effective_on=effective_on)

    def settings_on(self, day: date) -> ProvinceSettings:
        """The settings in force on ``day`` (the defaults before any change)."""
        current = ProvinceSettings()
        for effective_on, settings in self.settings_history:
            if effective_on > day:
                break
            current = settings
        return current
