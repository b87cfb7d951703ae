"""Rule sets as versioned data (bộ quy tắc theo thời kỳ): every decision is judged by the set in force on its date.

The regulations implementing the Party Charter (quy định thi hành Điều lệ Đảng) changed in 2016
(QĐ 29), 2021 (QĐ 24), January 2025 (QĐ 232) and July 2025 (QĐ 294), and will change again.
Each set below carries its effective date, the values it fixes and where they were confirmed;
values marked unconfirmed are kept equal to the previous set until a source says otherwise
(sources: docs/domain.md, "Admissions"). A draft set can be built with ``dataclasses.replace`` to
re-judge history.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date

from domain.base import NotFound


@dataclass(frozen=True, slots=True)
class RuleSet:
    """The values one regulation fixes for admissions and the membership lifecycle."""

    code: str
    title: str
    effective_from: date
    min_age_months: int = 18 * 12
    """Đủ 18 tuổi, counted in months at the cell's vote."""
    max_age_months: int = 60 * 12
    """Đủ 60 tuổi; older applicants need the provincial committee's approval."""
    accepts_equivalent_education: bool = False
    """QĐ 29 accepted "trung học cơ sở hoặc tương đương"; QĐ 24 dropped "tương đương"."""
    introducer_months_together: int = 12
    introducer_residence_counts: bool = True
    """QĐ 24 added living in the same residence area as a basis for introducing."""
    majority_numerator: int = 1
    majority_denominator: int = 2
    """A resolution passes with *more than* this share of the base (quá nửa, Charter art. 9.5)."""
    two_thirds_numerator: int = 2
    two_thirds_denominator: int = 3
    """Admission, recognition and expulsion need *at least* this share of the base."""
    decision_working_days: int = 60
    """From the cell's resolution to the competent committee's admission decision."""
    ceremony_working_days: int = 30
    """From receiving the decision to the admission ceremony."""
    probation_months: int = 12
    recognition_vote_working_days: int = 30
    """From the end of probation to the cell's recognition vote."""
    recognition_decision_working_days: int = 30
    """From the cell's recognition resolution to the committee's decision."""
    inconclusive_votes_before_superior: int = 3
    transfer_letter_working_days: int = 30
    """From the transfer letter's date to presenting it at the receiving organisation."""
    removal_missed_months_in_year: int = 3
    competent_committee: str = ""
    """Who decides admissions and recognitions for a cell under a grassroots committee."""
    competent_committee_for_grassroots_cell: str = ""
    """The same for a grassroots cell (chi bộ cơ sở), e.g. a village cell directly under a
    commune committee: there is no grassroots-committee vote in between."""
    course_valid_months: int = 60
    """The awareness-course certificate is valid this long at the cell's vote (HD 06 §5.4)."""
    youth_union_age_limit_years: int = 30
    """Up to this age (in full years) an applicant is of Youth Union age (độ tuổi đoàn viên):
    where a Youth Union exists, its committee's resolution must be one of the introductions."""
    deadline_extension_working_days: int = 30
    """A running deadline may be extended once, by at most this, by a recorded decision."""
    deadline_extensions: int = 1
    sources: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()
    """Names of fields whose value in this era no public source confirmed yet."""

    def competent_for(self, grassroots_cell: bool) -> str:
        """The body that decides a case of this cell (cấp ủy có thẩm quyền)."""
        if grassroots_cell and self.competent_committee_for_grassroots_cell:
            return self.competent_committee_for_grassroots_cell
        return self.competent_committee


_BEFORE_HD_06 = (
    "course_valid_months",
    "youth_union_age_limit_years",
    "deadline_extension_working_days",
)
"""Under HD 01-HD/TW (before 9 June 2025) these values were not checked against its text."""


QD_29_2016 = RuleSet(
    code="QD-29-2016",
    title="Quy định 29-QĐ/TW ngày 25/7/2016 thi hành Điều lệ Đảng",
    effective_from=date(2016, 7, 25),
    accepts_equivalent_education=True,
    introducer_residence_counts=False,
    competent_committee="Ban thường vụ cấp ủy cấp huyện và tương đương",
    sources=("QĐ 29-QĐ/TW mục 1, 3, 4", "Điều lệ Đảng điều 4, 5, 8"),
    unconfirmed=("competent_committee", "transfer_letter_working_days", *_BEFORE_HD_06),
)

QD_24_2021 = RuleSet(
    code="QD-24-2021",
    title="Quy định 24-QĐ/TW ngày 30/7/2021 thi hành Điều lệ Đảng",
    effective_from=date(2021, 7, 30),
    accepts_equivalent_education=False,
    introducer_residence_counts=True,
    competent_committee="Ban thường vụ cấp ủy cấp huyện và tương đương",
    sources=(
        "QĐ 24-QĐ/TW mục 1.1, 1.2, 3.2.1, 4.1, 4.2, 4.3",
        "Điều lệ Đảng điều 4, 5, 8",
        "HD 01-HD/TW ngày 28/9/2021",
    ),
    unconfirmed=("competent_committee", "transfer_letter_working_days", *_BEFORE_HD_06),
)

QD_232_2025 = RuleSet(
    code="QD-232-2025",
    title="Quy định 232-QĐ/TW ngày 20/01/2025 thi hành Điều lệ Đảng",
    effective_from=date(2025, 1, 20),
    competent_committee="Ban thường vụ cấp ủy cấp huyện và tương đương",
    sources=("QĐ 232-QĐ/TW mục 1.1, 1.2, 4.1, 4.3.1", "HD 01-HD/TW ngày 28/9/2021"),
    unconfirmed=(
        "competent_committee",
        "transfer_letter_working_days",
        "recognition_vote_working_days",
        *_BEFORE_HD_06,
    ),
)

QD_232_HD_06_2025 = RuleSet(
    code="QD-232-HD-06-2025",
    title="Quy định 232-QĐ/TW với Hướng dẫn 06-HD/TW ngày 09/6/2025 (thay Hướng dẫn 01-HD/TW)",
    effective_from=date(2025, 6, 9),
    competent_committee="Ban thường vụ cấp ủy cấp huyện và tương đương",
    sources=("QĐ 232-QĐ/TW mục 1.1, 1.2, 4.1, 4.3.1", "HD 06-HD/TW ngày 09/6/2025 mục 5.4"),
    unconfirmed=(
        "competent_committee",
        "transfer_letter_working_days",
        "recognition_vote_working_days",
        "youth_union_age_limit_years",
    ),
)

QD_294_2025 = RuleSet(
    code="QD-294-2025",
    title="Quy định 294-QĐ/TW ngày 26/5/2025 thi hành Điều lệ Đảng, hiệu lực từ 01/7/2025",
    effective_from=date(2025, 7, 1),
    competent_committee="Ban thường vụ đảng ủy xã, phường, đặc khu hoặc đảng ủy khối các cơ "
    "quan Đảng, khối chính quyền tỉnh; hoặc đảng ủy cơ sở được ủy quyền",
    competent_committee_for_grassroots_cell="Ban thường vụ đảng ủy xã, phường, đặc khu hoặc "
    "đảng ủy khối cấp trên trực tiếp của chi bộ cơ sở",
    sources=(
        "QĐ 294-QĐ/TW (hiệu lực 01/7/2025; chính quyền địa phương hai cấp, không còn cấp huyện)",
        "HD 06-HD/TW ngày 09/6/2025 mục 5.4",
    ),
    unconfirmed=(
        "decision_working_days",
        "inconclusive_votes_before_superior",
        "transfer_letter_working_days",
        "youth_union_age_limit_years",
    ),
)


class NoRuleSetInForce(NotFound):
    """No rule set of the book covers the day (or has the code) a decision asks for."""

    code = "no_rule_set_in_force"


@dataclass(frozen=True, slots=True)
class RuleBook:
    """Rule sets ordered by effective date; ``in_force(day)`` picks the one for a decision."""

    sets: tuple[RuleSet, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "sets", tuple(sorted(self.sets, key=lambda s: s.effective_from)))

    def in_force(self, day: date) -> RuleSet:
        starts = [s.effective_from for s in self.sets]
        index = bisect.bisect_right(starts, day) - 1
        if index < 0:
            raise NoRuleSetInForce(
                f"Không có bộ quy tắc nào có hiệu lực vào ngày {day:%d/%m/%Y}",
                f"no rule set is in force on {day.isoformat()}",
                on=day.isoformat(),
            )
        return self.sets[index]

    def by_code(self, code: str) -> RuleSet:
        for rule_set in self.sets:
            if rule_set.code == code:
                return rule_set
        raise NoRuleSetInForce(f"Không có bộ quy tắc «{code}»", f"no rule set '{code}'", code=code)


RULES = RuleBook((QD_29_2016, QD_24_2021, QD_232_2025, QD_232_HD_06_2025, QD_294_2025))
"""The rule book in force. Tests and what-if reports pass their own."""


# -- quality assessment of a meeting (đánh giá chất lượng sinh hoạt chi bộ) -------------------


@dataclass(frozen=True, slots=True)
class QualityRuleSet:
    """The values a guidance fixes for judging one meeting's quality, by the meeting's date.

    Weights, thresholds and the yearly rule are the province's (``ProvinceSettings``); these
    are the central guidance's, the same for every province."""

    code: str
    title: str
    effective_from: date
    min_attendance_rate: float = 0.85
    """Criterion 1: more than this share of the expected members present."""
    min_minutes: int = 90
    """A meeting lasts at least this long (HD 12-HD/BTCTW 2018)."""
    min_minutes_combined: int | None = None
    """When a thematic and a regular meeting are held in one session; ``None``: no own rule."""
    small_cell_own_rule: bool = False
    """Small cells may follow their own rule set by the competent committee (HD 42)."""
    small_cell_max_members: int = 0
    """Up to this many expected members a cell counts as small (0: no such notion)."""
    ceiling_with_warnings: str = "kha"
    """The best rating the evidence supports once any warning stands (a ``Rating`` value):
    rating above it needs a written reason."""
    ballot_voters: str = "official_present"
    """Who votes in the post-meeting quality ballot (``domain.quality_ballot``): the official
    members present (``official_present``, as for a resolution) or every member present
    (``present``, probationary members too)."""
    ballot_share: tuple[int, int] = (1, 2)
    """The proposed rating is agreed with more than this share of the voters."""
    sources: tuple[str, ...] = ()
    unconfirmed: tuple[str, ...] = ()


HD_12_2018 = QualityRuleSet(
    code="HD-12-2018",
    title="Hướng dẫn 12-HD/BTCTW ngày 06/6/2018 về nâng cao chất lượng sinh hoạt chi bộ",
    effective_from=date(2018, 6, 6),
    sources=("HD 12-HD/BTCTW ngày 06/6/2018, mục 3 (tiêu chí đánh giá)",),
    unconfirmed=("ceiling_with_warnings", "effective_from", "ballot_voters", "ballot_share"),
)

HD_42_2025 = QualityRuleSet(
    code="HD-42-2025",
    title="Hướng dẫn 42-HD/BTCTW ngày 28/10/2025 về sinh hoạt chi bộ",
    effective_from=date(2025, 10, 28),
    min_minutes_combined=120,
    small_cell_own_rule=True,
    small_cell_max_members=9,
    sources=(
        "HD 42-HD/BTCTW ngày 28/10/2025 (120 phút khi sinh hoạt chuyên đề cùng thường kỳ; "
        "chi bộ ít đảng viên theo quy định của cấp ủy có thẩm quyền)",
        "HD 12-HD/BTCTW ngày 06/6/2018 (90 phút)",
    ),
    unconfirmed=(
        "small_cell_max_members",
        "ceiling_with_warnings",
        "ballot_voters",
        "ballot_share",
    ),
)


@dataclass(frozen=True, slots=True)
class QualityRuleBook:
    """Quality rule sets by date; a meeting before the first is judged by the first [U]."""

    sets: tuple[QualityRuleSet, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "sets", tuple(sorted(self.sets, key=lambda s: s.effective_from)))

    def in_force(self, day: date) -> QualityRuleSet:
        starts = [s.effective_from for s in self.sets]
        return self.sets[max(bisect.bisect_right(starts, day) - 1, 0)]


QUALITY_RULES = QualityRuleBook((HD_12_2018, HD_42_2025))
"""The quality rule book in force; tests and what-if reports pass their own."""
