"""Temporary transfer of activity (chuyển sinh hoạt đảng tạm thời): a member who works or lives
elsewhere for a while attends another cell without leaving their own.

The home cell keeps the member on its roll but out of its voting base (Charter art. 9.5: "đảng
viên được chuyển sinh hoạt tạm thời"); the host cell lists them as a temporary member, who takes
part but has no vote there. Both rosters change together; the service saves them in one
transaction with the member.
"""

from __future__ import annotations

from datetime import date

from domain.admission_checks import require_role
from domain.admission_values import CELL_ROLES, COMMITTEE_ROLES
from domain.base import Actor
from domain.member import Member
from domain.member_checks import step_on_active_member
from domain.member_errors import (
    AlreadyTransferredTemporarily,
    HostIsHomeCell,
    NotTransferredTemporarily,
)
from domain.roster import CellRoster, Change


def transfer_temporarily(
    member: Member, home: CellRoster, host: CellRoster, on: date, by: Actor
) -> None:
    """From ``on`` the member attends ``host``; the home roster keeps them, out of its base."""
    step_on_active_member(
        member, by, COMMITTEE_ROLES | CELL_ROLES, "chuyển sinh hoạt tạm thời", "a transfer"
    )
    if host.cell_id == home.cell_id:
        raise HostIsHomeCell(
            "Chi bộ nơi sinh hoạt tạm thời phải khác chi bộ chính thức",
            "the host cell must differ from the member's own cell",
            field="host_cell_id",
        )
    standing = home.standing(member.id, on)
    if standing is not None and standing.transferred_out:
        raise AlreadyTransferredTemporarily(
            "Đảng viên đang sinh hoạt tạm thời ở nơi khác",
            "the member is already temporarily active in another cell",
        )
    home.record(member.id, Change.TRANSFERRED_TEMPORARILY, on, by)
    assert standing is not None  # record() refused a member not on the roster that day
    host.join_temporarily(member.id, standing.status, on, by)


def end_temporary_transfer(
    member: Member, home: CellRoster, host: CellRoster, on: date, by: Actor
) -> None:
    """The member returns: back in the home base, off the host's list."""
    require_role(by, COMMITTEE_ROLES | CELL_ROLES, "kết thúc sinh hoạt tạm thời", "a return")
    standing = home.standing(member.id, on)
    hosted = host.standing(member.id, on)
    if standing is None or not standing.transferred_out or hosted is None or not hosted.temporary:
        raise NotTransferredTemporarily(
            "Đảng viên không sinh hoạt tạm thời tại chi bộ này vào ngày đó",
            "the member is not temporarily active in that cell on that day",
            field="host_cell_id",
        )
    home.record(member.id, Change.TEMPORARY_TRANSFER_ENDED, on, by)
    host.record(member.id, Change.TEMPORARY_LEFT, on, by)
