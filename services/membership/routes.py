"""HTTP routes for organisation units and members. The pattern every feature follows:

a handler takes the injected :class:`~services.context.RequestContext` and a msgspec body,
calls one application-service function in a worker thread, and returns ``Written`` (id,
version, log position) or a view built from the aggregate.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import get, post
from litestar.params import FromPath, FromQuery, JSONBody

from domain.base import InvalidValue
from domain.member import Member
from domain.org_unit import MeetingWindow, OrgUnit
from domain.roster import Standing
from services.command_route import command_route
from services.context import Ctx
from services.membership import cards, org
from services.membership.schemas import (
    DissolveUnit,
    EndExemption,
    EnrolMember,
    ExemptMember,
    FoundUnit,
    MemberLeaves,
    MemberView,
    MoveUnit,
    RenameUnit,
    RosterEntry,
    RosterView,
    SetMeetingWindow,
    SetPartyCard,
    TransferMember,
    UnitView,
)
from services.wire import view_of
from services.written import Written, written_by

BASE = "/api/v1/t/{tenant:str}"


def unit_view(unit: OrgUnit) -> UnitView:
    window = unit.meeting_window
    return view_of(
        UnitView,
        unit,
        child_ids=sorted(unit.child_ids),
        meeting_window=(window.first_day, window.last_day) if window else None,
    )


def member_view(member: Member) -> MemberView:
    return view_of(
        MemberView,
        member,
        exempted_since=member.exemption[0] if member.exemption else None,
        departed_label=member.departed[0].label_vi if member.departed else None,
    )


found_unit = command_route(
    f"{BASE}/units", org.found_unit, FoundUnit, "Thành lập tổ chức / found a unit"
)


@get(f"{BASE}/units/{{unit_id:uuid}}", sync_to_thread=True, summary="Xem tổ chức / a unit")
def get_unit(ctx: Ctx, unit_id: FromPath[UUID]) -> UnitView:
    return unit_view(org.load(ctx.app, OrgUnit, unit_id))


rename_unit = command_route(
    f"{BASE}/units/{{unit_id:uuid}}/rename", org.rename_unit, RenameUnit, "Đổi tên / rename"
)
move_unit = command_route(
    f"{BASE}/units/{{unit_id:uuid}}/move",
    org.move_unit,
    MoveUnit,
    "Chuyển / move a unit",
    renamed={"moved_on": "on"},
)
dissolve_unit = command_route(
    f"{BASE}/units/{{unit_id:uuid}}/dissolve",
    org.dissolve_unit,
    DissolveUnit,
    "Giải thể / dissolve",
    renamed={"dissolved_on": "on"},
)


@post(
    f"{BASE}/units/{{unit_id:uuid}}/meeting-window",
    sync_to_thread=True,
    summary="Khung ngày sinh hoạt / set the meeting-day window",
)
def set_meeting_window(
    ctx: Ctx, unit_id: FromPath[UUID], data: JSONBody[SetMeetingWindow]
) -> Written:
    if (data.first_day is None) != (data.last_day is None):
        raise InvalidValue(
            "Cần cả ngày đầu và ngày cuối, hoặc bỏ trống cả hai",
            "give both first_day and last_day, or neither",
            field="last_day" if data.last_day is None else "first_day",
        )
    window = (
        MeetingWindow(data.first_day, data.last_day)
        if data.first_day is not None and data.last_day is not None
        else None
    )
    return written_by(
        org.set_meeting_window, ctx, cell_id=unit_id, window=window, expected=data.expected_version
    )


@get(
    f"{BASE}/units/{{unit_id:uuid}}/roster",
    sync_to_thread=True,
    summary="Danh sách đảng viên của chi bộ vào một ngày / a cell's roster on a date",
)
def get_roster(ctx: Ctx, unit_id: FromPath[UUID], on: FromQuery[date | None] = None) -> RosterView:
    day = on or date.today()
    org.load_cell(ctx.app, unit_id)
    roster = org.load_roster(ctx.app, unit_id, ctx.actor)
    members = roster.members_on(day, with_temporary=True)

    def entry(m: UUID, s: Standing) -> RosterEntry:
        return RosterEntry(
            m, s.status, s.exempted, s.suspended, s.transferred_out, s.temporary, s.special_duty,
            since=roster.began(m, day, s),
        )  # fmt: skip

    own = {m: s for m, s in members.items() if not s.temporary}
    return RosterView(
        cell_id=unit_id,
        on=day,
        official_count=roster.official_count(day),
        active_count=len(own),
        members=[entry(m, s) for m, s in sorted(own.items())],
        temporary_members=[entry(m, s) for m, s in sorted(members.items()) if s.temporary],
    )


enrol_member = command_route(
    f"{BASE}/members", org.enrol_member, EnrolMember, "Ghi nhận đảng viên / enrol a member"
)


@get(f"{BASE}/members/{{member_id:uuid}}", sync_to_thread=True, summary="Xem đảng viên / a member")
def get_member(ctx: Ctx, member_id: FromPath[UUID]) -> MemberView:
    return member_view(org.load(ctx.app, Member, member_id))


@get(
    f"{BASE}/members/by-card/{{number:str}}",
    sync_to_thread=True,
    summary="Tìm đảng viên theo số thẻ / a member by party card number",
)
def get_member_by_card(ctx: Ctx, number: FromPath[str]) -> MemberView:
    """The member holding this party card number (số thẻ đảng viên), unique in the province."""
    return member_view(cards.member_by_card(ctx.app, number))


set_party_card = command_route(
    f"{BASE}/members/{{member_id:uuid}}/party-card",
    cards.set_card_number,
    SetPartyCard,
    "Ghi số thẻ đảng viên / record a party card number",
    name="set_party_card",
)
transfer_member = command_route(
    f"{BASE}/members/{{member_id:uuid}}/transfer",
    org.transfer_member,
    TransferMember,
    "Chuyển sinh hoạt trong tỉnh / transfer between cells",
)
exempt_member = command_route(
    f"{BASE}/members/{{member_id:uuid}}/exempt",
    org.exempt_member,
    ExemptMember,
    "Miễn sinh hoạt / exempt from activities",
)
end_exemption = command_route(
    f"{BASE}/members/{{member_id:uuid}}/end-exemption",
    org.end_exemption,
    EndExemption,
    "Thôi miễn sinh hoạt / end an exemption",
)
member_leaves = command_route(
    f"{BASE}/members/{{member_id:uuid}}/leave",
    org.member_leaves,
    MemberLeaves,
    "Ra khỏi danh sách (chuyển đi, xóa tên, từ trần…) / leave the roster",
)


ROUTES: list[Any] = [
    found_unit,
    get_unit,
    rename_unit,
    move_unit,
    dissolve_unit,
    set_meeting_window,
    get_roster,
    enrol_member,
    get_member,
    get_member_by_card,
    set_party_card,
    transfer_member,
    exempt_member,
    end_exemption,
    member_leaves,
]
