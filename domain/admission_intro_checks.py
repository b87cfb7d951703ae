"""The decisions of step 4 of an admission case, the introductions (giới thiệu người vào Đảng):
two official members, or a Youth Union / trade-union committee's resolution and one official
member (Charter art. 4.2); the Youth Union route for applicants of its age where it exists.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from domain.admission_checks import has_dossier
from domain.admission_errors import (
    IntroducerNotFound,
    IntroducerNotOfficialMember,
    IntroducerTooShortTogether,
    IntroductionBasisNotAllowed,
    StepAlreadyDone,
    TooManyIntroducers,
    YouthUnionIntroductionRequired,
)
from domain.admission_state import AdmissionState
from domain.admission_values import IntroducingOrganisation, IntroductionBasis
from domain.calendar import months_of_age
from domain.member import MemberStatus
from domain.roster import Standing
from domain.rules import RuleSet


def introducer(
    case: AdmissionState,
    member_id: UUID,
    standing: Standing | None,
    basis: IntroductionBasis,
    together_since: date,
    on: date,
    replaces: UUID | None,
    rule_set: RuleSet,
) -> None:
    """Đảng viên giới thiệu: an official member of the cell, ≥ 12 months with the applicant."""
    has_dossier(case.course, case.dossier)
    if case.ceremony_on is not None:
        raise StepAlreadyDone("Đã kết nạp; không đổi người giới thiệu", "already admitted")
    if standing is None or standing.status is not MemberStatus.OFFICIAL or standing.suspended:
        raise IntroducerNotOfficialMember(
            "Người giới thiệu phải là đảng viên chính thức của chi bộ vào ngày giới thiệu",
            "an introducer must be an official member of the cell on the day",
            member_id=str(member_id),
        )
    if basis is IntroductionBasis.RESIDENCE and not rule_set.introducer_residence_counts:
        raise IntroductionBasisNotAllowed(
            f"Theo {rule_set.title}, cùng cư trú chưa là căn cứ giới thiệu",
            f"under {rule_set.code}, living in the same area is not a basis to introduce",
        )
    months = months_of_age(together_since, on) - (1 if on.day < together_since.day else 0)
    if months < rule_set.introducer_months_together:
        raise IntroducerTooShortTogether(
            f"Người giới thiệu mới cùng công tác/học tập/cư trú {months} tháng; cần ít nhất "
            f"{rule_set.introducer_months_together} tháng",
            f"the introducer has been with the applicant {months} months; at least "
            f"{rule_set.introducer_months_together} are required",
        )
    if replaces is not None and replaces not in case.introducers:
        raise IntroducerNotFound(
            "Người được thay thế không phải là người giới thiệu của hồ sơ này",
            "the replaced member is not an introducer of this case",
        )
    if replaces is None and len(case.introducers) >= (1 if case.organisation_introduction else 2):
        raise TooManyIntroducers(
            "Hồ sơ đã đủ người giới thiệu; dùng thay thế nếu một người chuyển đi",
            "the case already has its introducers; replace one instead",
        )
    if replaces is None and len(case.introducers) == 1 and not case.organisation_introduction:
        youth_union_route(case, on, rule_set)  # the second member would make it two members
    if member_id in case.introducers:
        raise StepAlreadyDone("Đảng viên này đã là người giới thiệu", "already an introducer")


def organisation_introduction(
    case: AdmissionState, organisation: IntroducingOrganisation, on: date, rule_set: RuleSet
) -> None:
    """The union's resolution replaces one of the two members, not both (Charter art. 4.2)."""
    has_dossier(case.course, case.dossier)
    if len(case.introducers) >= 2 or case.organisation_introduction:
        raise TooManyIntroducers(
            "Hồ sơ đã có đủ người giới thiệu", "the case already has its introducers"
        )
    if organisation is not IntroducingOrganisation.YOUTH_UNION:
        youth_union_route(case, on, rule_set)


def youth_union_route(case: AdmissionState, on: date, rule_set: RuleSet) -> None:
    """Of Youth Union age, where a Youth Union exists, its committee must introduce."""
    youth = months_of_age(case.birth_date, on) < (rule_set.youth_union_age_limit_years + 1) * 12
    if youth and case.no_youth_union is None:
        raise YouthUnionIntroductionRequired(
            f"Người vào Đảng trong độ tuổi đoàn viên (đến {rule_set.youth_union_age_limit_years}"
            " tuổi): cần nghị quyết giới thiệu của Ban Chấp hành Đoàn cơ sở và một đảng viên chính"
            " thức; nơi không có tổ chức Đoàn, ghi nhận điều đó trước",
            "an applicant of Youth Union age is introduced by the Youth Union committee's "
            "resolution and one official member; where there is no Youth Union, record that first",
        )
