"""Armed forces on special duty (lực lượng vũ trang làm nhiệm vụ đặc biệt).

HD 12-HD/BTCTW criterion 1 counts members absent with a reason more than 3 times in a row
within the year, leaving out exempted members and the armed forces on special duty (issue 12
§3). The cell records when a member's special duty starts and ends, with its reason; the
meeting freezes it into its roster (``RosterEntry.special_duty``) and the read side leaves
those seats out of the figure (``projections.meetings_sql.over_3``). Nothing else changes: the
member stays in the base and in the attendance rate. The service saves member and roster
together.
"""

from __future__ import annotations

from datetime import date

from domain.admission_values import CELL_ROLES, COMMITTEE_ROLES
from domain.base import Actor, require_order, require_text
from domain.member import Member
from domain.member_checks import step_on_active_member
from domain.member_errors import AlreadyOnSpecialDuty, NotOnSpecialDuty
from domain.roster import CellRoster, Change


def note_special_duty(
    member: Member, roster: CellRoster, start: date, reason: str, by: Actor
) -> None:
    """From ``start`` the member is on special duty (the reason names the duty or decision)."""
    step_on_active_member(
        member, by, COMMITTEE_ROLES | CELL_ROLES, "ghi nhận nhiệm vụ đặc biệt", "special duty"
    )
    if member.special_duty_since is not None:
        raise AlreadyOnSpecialDuty(
            f"Đảng viên đang làm nhiệm vụ đặc biệt từ ngày {member.special_duty_since:%d/%m/%Y}",
            f"the member is already on special duty since {member.special_duty_since}",
        )
    text = require_text(reason, "reason", "Lý do")
    member._record(Member.SpecialDutyNoted, by, start=start, reason=text)
    roster.record(member.id, Change.SPECIAL_DUTY, start, by)


def end_special_duty(member: Member, roster: CellRoster, on: date, reason: str, by: Actor) -> None:
    """The special duty ends on ``on``: from then the member's absences count again."""
    step_on_active_member(
        member, by, COMMITTEE_ROLES | CELL_ROLES, "kết thúc nhiệm vụ đặc biệt", "special duty"
    )
    since = member.special_duty_since
    if since is None:
        raise NotOnSpecialDuty(
            "Đảng viên không làm nhiệm vụ đặc biệt", "the member is not on special duty"
        )
    require_order(since, on, "on")
    text = require_text(reason, "reason", "Lý do")
    member._record(Member.SpecialDutyEnded, by, on=on, reason=text)
    roster.record(member.id, Change.SPECIAL_DUTY_ENDED, on, by)
