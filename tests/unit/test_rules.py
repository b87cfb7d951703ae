"""Rule sets as versioned data: the set in force on a date, and re-judging history under two sets."""

from __future__ import annotations

import dataclasses
from datetime import date

import pytest

from domain.rules import (
    QD_24_2021,
    QD_29_2016,
    QD_232_2025,
    QD_232_HD_06_2025,
    QD_294_2025,
    RULES,
    NoRuleSetInForce,
    RuleBook,
)
from domain.voting import Threshold, passes

pytestmark = pytest.mark.unit


def test_set_in_force_by_effective_date():
    assert RULES.in_force(date(2021, 7, 29)) is QD_29_2016
    assert RULES.in_force(date(2021, 7, 30)) is QD_24_2021
    assert RULES.in_force(date(2025, 1, 20)) is QD_232_2025
    assert RULES.in_force(date(2025, 6, 8)) is QD_232_2025
    # HD 06-HD/TW of 9 June 2025 replaced HD 01-HD/TW under the same QĐ 232.
    assert RULES.in_force(date(2025, 6, 9)) is QD_232_HD_06_2025
    assert RULES.in_force(date(2025, 6, 30)) is QD_232_HD_06_2025
    assert RULES.in_force(date(2025, 7, 1)) is QD_294_2025
    with pytest.raises(NoRuleSetInForce):
        RULES.in_force(date(2010, 1, 1))


def test_confirmed_differences_between_eras():
    assert QD_29_2016.accepts_equivalent_education
    assert not QD_24_2021.accepts_equivalent_education
    assert not QD_29_2016.introducer_residence_counts
    assert QD_24_2021.introducer_residence_counts
    assert QD_24_2021.competent_committee != QD_294_2025.competent_committee
    for rule_set in RULES.sets:
        assert rule_set.decision_working_days == 60
        assert rule_set.ceremony_working_days == 30
        assert rule_set.probation_months == 12


def test_two_thirds_is_at_least_two_thirds():
    assert passes(Threshold.TWO_THIRDS, 6, 9, QD_24_2021)
    assert not passes(Threshold.TWO_THIRDS, 5, 9, QD_24_2021)
    assert passes(Threshold.TWO_THIRDS, 2, 3, QD_24_2021)
    assert not passes(Threshold.TWO_THIRDS, 0, 0, QD_24_2021)


def test_majority_is_more_than_half():
    assert passes(Threshold.MAJORITY, 5, 8, QD_24_2021)
    assert not passes(Threshold.MAJORITY, 4, 8, QD_24_2021)
    assert passes(Threshold.MAJORITY, 5, 9, QD_24_2021)
    assert not passes(Threshold.MAJORITY, 0, 0, QD_24_2021)


def test_book_sorts_and_finds_by_code():
    draft = dataclasses.replace(QD_294_2025, code="DRAFT", effective_from=date(2027, 1, 1))
    book = RuleBook((draft, QD_24_2021))
    assert book.in_force(date(2028, 1, 1)).code == "DRAFT"
    assert book.by_code("QD-24-2021") is QD_24_2021
    with pytest.raises(NoRuleSetInForce):
        book.by_code("nope")


def test_confirmed_qd_294_values_carry_no_unconfirmed_mark():
    for name in (
        "min_age_months",
        "max_age_months",
        "introducer_months_together",
        "ceremony_working_days",
        "recognition_vote_working_days",
        "recognition_decision_working_days",
        "competent_committee",
    ):
        assert name not in QD_294_2025.unconfirmed
    assert "course_valid_months" not in QD_294_2025.unconfirmed
    assert "course_valid_months" in QD_24_2021.unconfirmed  # HD 01 was not checked


def test_the_competent_body_after_1_july_2025_depends_on_the_cell():
    assert "huyện" in QD_24_2021.competent_for(grassroots_cell=True)
    after = QD_294_2025.competent_for(grassroots_cell=False)
    assert "xã, phường" in after
    assert "ủy quyền" in after
    assert "ủy quyền" not in QD_294_2025.competent_for(grassroots_cell=True)
