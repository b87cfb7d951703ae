"""Province settings are dated: each day is judged by the settings in force then."""

from __future__ import annotations

from datetime import date

import pytest

from domain.base import SYSTEM, InvalidValue
from domain.org_unit import MeetingWindow
from domain.province import Province, ProvinceSettings, QualityThresholds, province_id

pytestmark = pytest.mark.unit


def test_settings_in_force_on_a_date():
    province = Province.register("thanh_hoa", "Đảng bộ tỉnh Thanh Hóa", SYSTEM)
    assert province.id == province_id("thanh_hoa")
    province.change_settings(
        ProvinceSettings(meeting_window=MeetingWindow(3, 3)), date(2025, 7, 1), SYSTEM
    )
    province.change_settings(
        ProvinceSettings(meeting_window=MeetingWindow(1, 5)), date(2021, 1, 1), SYSTEM
    )
    assert province.settings_on(date(2020, 1, 1)) == ProvinceSettings()
    assert province.settings_on(date(2024, 1, 1)).meeting_window == MeetingWindow(1, 5)
    assert province.settings_on(date(2025, 7, 1)).meeting_window == MeetingWindow(3, 3)


def test_quality_thresholds_must_be_ordered():
    with pytest.raises(InvalidValue):
        QualityThresholds(good=70, fair=80, average=50)
    assert QualityThresholds(95, 75, 55).good == 95


@pytest.mark.parametrize(
    "settings",
    [
        ProvinceSettings(rotation_turns_per_meeting=3),
        ProvinceSettings(petition_response_working_days=0),
    ],
)
def test_settings_out_of_range_are_refused(settings):
    province = Province.register("x", "X", SYSTEM)
    with pytest.raises(InvalidValue):
        province.change_settings(settings, date(2025, 1, 1), SYSTEM)
