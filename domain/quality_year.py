"""The yearly rating of a cell's meetings (xếp loại chất lượng sinh hoạt cả năm).

How the months add up to a year is a province setting, dated like the thresholds
(``ProvinceSettings.yearly_rule``). One province's rule, the default here: a year is Tốt only
if every month is Khá or better and at least 7 months are Tốt. The lower levels follow the same
pattern [U: no public source seen for them; a province sets its own].

A month with no assessed meeting counts as below any floor: a year with an unrated month cannot
reach a level that needs every month at some rating. The result says which months are missing,
so the view can show a provisional rating during the year.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from domain.quality import Rating
from domain.quality_errors import InvalidYearlyRule

MONTHS = tuple(range(1, 13))


@dataclass(frozen=True, slots=True)
class YearlyLevel:
    """A year is ``rating`` when every month is at least ``floor`` and at least ``min_months``
    months are ``rating`` or better."""

    rating: Rating
    floor: Rating
    min_months: int

    def __post_init__(self) -> None:
        if not 0 <= self.min_months <= 12 or self.floor.rank > self.rating.rank:
            raise InvalidYearlyRule(
                "Mỗi mức cả năm cần số tháng từ 0 đến 12 và mức sàn không cao hơn chính mức đó",
                "each yearly level needs 0..12 months and a floor no higher than the level",
                field="yearly_rule",
            )


@dataclass(frozen=True, slots=True)
class YearlyRule:
    """Levels from best to worst; the first the months satisfy is the year's rating, else Kém."""

    levels: tuple[YearlyLevel, ...] = (
        YearlyLevel(Rating.TOT, Rating.KHA, 7),
        YearlyLevel(Rating.KHA, Rating.TRUNG_BINH, 7),
        YearlyLevel(Rating.TRUNG_BINH, Rating.KEM, 7),
    )

    def __post_init__(self) -> None:
        ranks = [level.rating.rank for level in self.levels]
        if ranks != sorted(set(ranks), reverse=True) or Rating.KEM.rank in ranks:
            raise InvalidYearlyRule(
                "Các mức cả năm phải xếp từ cao xuống thấp, mỗi mức một lần, không gồm Kém",
                "yearly levels must run from best to worst, once each, without Kém",
                field="yearly_rule",
            )


@dataclass(frozen=True, slots=True)
class YearlyRating:
    rating: Rating
    months_rated: int
    missing_months: tuple[int, ...]
    counts: dict[Rating, int]

    @property
    def provisional(self) -> bool:
        """True while some month has no assessed meeting."""
        return bool(self.missing_months)


def rate_year(monthly: Mapping[int, Rating], rule: YearlyRule) -> YearlyRating:
    """The year's rating from each month's rating (month number → rating)."""
    missing = tuple(m for m in MONTHS if m not in monthly)
    ratings = [monthly[m] for m in MONTHS if m in monthly]
    counts = {r: sum(1 for x in ratings if x is r) for r in Rating}
    result = Rating.KEM
    for level in rule.levels:
        # A missing month is below every floor but Kém's (which is no floor at all).
        floor_met = all(r.rank >= level.floor.rank for r in ratings) and (
            not missing or level.floor is Rating.KEM
        )
        at_least = sum(1 for r in ratings if r.rank >= level.rating.rank)
        if floor_met and at_least >= level.min_months:
            result = level.rating
            break
    return YearlyRating(result, len(ratings), missing, counts)
