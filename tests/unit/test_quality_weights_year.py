"""Quality weights and the yearly rule, province settings (issue 12 §4)."""

from __future__ import annotations

import pytest

from domain.province import Province, ProvinceSettings
from domain.quality import QualityScores, QualityWeights, Rating, weighted_total
from domain.quality_errors import InvalidWeights, InvalidYearlyRule
from domain.quality_year import YearlyLevel, YearlyRule, rate_year
from tests.unit.test_meeting import BY

pytestmark = pytest.mark.unit

FOUR_GROUPS = QualityWeights(
    attendance=15, preparation=20, conduct=45, principles=20, implementation=0
)


def test_equal_weights_give_the_plain_sum():
    scores = QualityScores(20, 15, 18, 17, 10)
    assert weighted_total(scores, QualityWeights()) == scores.total == 80


def test_a_province_weighting_four_groups_15_20_45_20():
    # conduct full, the rest half: 7.5 + 10 + 45 + 10; implementation weighs nothing
    scores = QualityScores(
        attendance=10, preparation=10, conduct=20, principles=10, implementation=0
    )
    assert weighted_total(scores, FOUR_GROUPS) == 72.5
    assert weighted_total(QualityScores(20, 20, 20, 20, 0), FOUR_GROUPS) == 100
    assert weighted_total(QualityScores(20, 20, 20, 20, 0), QualityWeights()) == 80


@pytest.mark.parametrize("values", [(20, 20, 20, 20, 21), (50, 50, 50, -50, 0), (0, 0, 0, 0, 0)])
def test_weights_must_add_up_to_100(values):
    with pytest.raises(InvalidWeights):
        QualityWeights(*values)


def months(*ratings: Rating) -> dict[int, Rating]:
    return dict(enumerate(ratings, start=1))


T, K, B, X = Rating.TOT, Rating.KHA, Rating.TRUNG_BINH, Rating.KEM


def test_a_year_is_tot_with_every_month_kha_or_better_and_7_months_tot():
    assert rate_year(months(*[T] * 7, *[K] * 5), YearlyRule()).rating is T
    assert rate_year(months(*[T] * 6, *[K] * 6), YearlyRule()).rating is K
    # 11 months Tốt but one Trung bình: the floor fails, so not Tốt
    assert rate_year(months(*[T] * 11, B), YearlyRule()).rating is K


def test_lower_levels_and_kem():
    assert rate_year(months(*[K] * 7, *[B] * 5), YearlyRule()).rating is K
    assert rate_year(months(*[K] * 7, *[B] * 4, X), YearlyRule()).rating is B
    assert rate_year(months(*[B] * 6, *[X] * 6), YearlyRule()).rating is X


def test_an_unrated_month_keeps_the_year_below_any_floor_and_is_named():
    result = rate_year(months(*[T] * 11), YearlyRule())
    assert result.rating is B
    assert result.missing_months == (12,)
    assert result.provisional


def test_a_province_sets_its_own_yearly_rule():
    lenient = YearlyRule((YearlyLevel(T, B, 6),))
    assert rate_year(months(*[T] * 6, *[B] * 6), lenient).rating is T
    assert rate_year(months(*[T] * 6, *[B] * 6), YearlyRule()).rating is B
    with pytest.raises(InvalidYearlyRule):
        YearlyLevel(K, T, 7)  # a floor above its own level
    with pytest.raises(InvalidYearlyRule):
        YearlyRule((YearlyLevel(K, B, 7), YearlyLevel(T, K, 7)))  # worst first


def test_weights_and_yearly_rule_are_dated_settings():
    province = Province.register("thu", "Tỉnh Thử", BY)
    province.change_settings(ProvinceSettings(quality_weights=FOUR_GROUPS), _d(2026, 1, 1), BY)
    assert province.settings_on(_d(2025, 12, 31)).quality_weights == QualityWeights()
    assert province.settings_on(_d(2026, 1, 1)).quality_weights == FOUR_GROUPS


def _d(year: int, month: int, day: int):
    from datetime import date

    return date(year, month, day)


def test_a_settings_change_stored_before_weights_existed_loads_with_equal_weights():
    from uuid import uuid4

    from eventsourcing.persistence import StoredEvent
    from eventsourcing.utils import get_topic

    from infra.mapper import MsgspecMapper

    old_state = (
        b'{"timestamp":"2024-01-01T00:00:00+00:00","actor":"system","actor_role":"system",'
        b'"request_id":"system","settings":{"meeting_window":{"first_day":1,"last_day":5},'
        b'"quality":{"good":90,"fair":70,"average":50},"rotation_turns_per_meeting":2,'
        b'"petition_response_working_days":15,"provincial_member_visits_per_year":2,'
        b'"other_member_visits_per_year":6,"days_off":[]},"effective_on":"2024-01-01"}'
    )
    stored = StoredEvent(uuid4(), 2, get_topic(Province.SettingsChanged), old_state)
    event = MsgspecMapper().to_domain_event(stored)
    assert event.settings.quality_weights == QualityWeights()
    assert event.settings.yearly_rule == YearlyRule()
    assert event.settings.rotation_turns_per_meeting == 2
