"""Who may shape the org tree and keep the member records, from enrolment to departure."""

from __future__ import annotations

from uuid import UUID

from domain.member import Member
from domain.party_card import PartyCard, card_id
from infra.application import TenantApplication
from services.context import Principal
from services.security.policy import (
    ADMIN,
    ALL_ROLES,
    READERS,
    SECRETARY,
    WRITERS,
    PolicyTable,
    T,
    Touch,
    allow,
    load,
    member_in_path,
    unit_in_body,
    unit_in_path,
)

MEMBER_RECORD = (member_in_path(),)


def member_by_card_in_path(
    app: TenantApplication, touch: Touch, principal: Principal
) -> list[UUID | None]:
    """The cell of the member holding the card number in the path (as ``member_in_path``: an
    unknown number is not found, a malformed one invalid)."""
    card = load(app, card_id(str(touch.path.get("number", ""))), PartyCard)
    if card.holder is None:
        return [None]
    if principal.role == "member" and principal.member_id != card.holder:
        return [None]
    member: Member = load(app, card.holder, Member)
    return [member.cell_id]


POLICIES: PolicyTable = {
    # organisation and members
    ("POST", f"{T}/units"): allow(ADMIN, units=(unit_in_body("parent_id", required=False),)),
    ("GET", f"{T}/units/{{unit_id}}"): allow(*ALL_ROLES, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/units/{{unit_id}}/rename"): allow(ADMIN, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/units/{{unit_id}}/move"): allow(
        ADMIN, units=(unit_in_path("unit_id"), unit_in_body("new_parent_id"))
    ),
    ("POST", f"{T}/units/{{unit_id}}/dissolve"): allow(ADMIN, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/units/{{unit_id}}/meeting-window"): allow(
        ADMIN, SECRETARY, units=(unit_in_path("unit_id"),)
    ),
    ("GET", f"{T}/units/{{unit_id}}/roster"): allow(*READERS, units=(unit_in_path("unit_id"),)),
    ("POST", f"{T}/members"): allow(ADMIN, SECRETARY, units=(unit_in_body("cell_id"),)),
    ("GET", f"{T}/members/{{member_id}}"): allow(*ALL_ROLES, units=(member_in_path(),)),
    ("GET", f"{T}/members/by-card/{{number}}"): allow(*READERS, units=(member_by_card_in_path,)),
    ("POST", f"{T}/members/{{member_id}}/party-card"): allow(
        ADMIN, SECRETARY, units=(member_in_path(),)
    ),
    ("POST", f"{T}/members/{{member_id}}/transfer"): allow(
        ADMIN, SECRETARY, units=(member_in_path(), unit_in_body("to_cell_id"))
    ),
    ("POST", f"{T}/members/{{member_id}}/exempt"): allow(
        ADMIN, SECRETARY, units=(member_in_path(),)
    ),
    ("POST", f"{T}/members/{{member_id}}/end-exemption"): allow(
        ADMIN, SECRETARY, units=(member_in_path(),)
    ),
    # lực lượng vũ trang làm nhiệm vụ đặc biệt (issue 12 §3), decided like an exemption
    **{
        ("POST", f"{T}/members/{{member_id}}/{action}"): allow(
            ADMIN, SECRETARY, units=(member_in_path(),)
        )
        for action in ("special-duty", "special-duty/end")
    },
    ("POST", f"{T}/members/{{member_id}}/leave"): allow(
        ADMIN, SECRETARY, units=(member_in_path(),)
    ),
    # the life of a membership after admission
    **{
        ("POST", f"{T}/members/{{member_id}}/{action}"): allow(*WRITERS, units=MEMBER_RECORD)
        for action in (
            "suspend",
            "end-suspension",
            "noted-months",
            "remove",
            "death",
            "transfer-out",
        )
    },
    # chuyển sinh hoạt tạm thời: the member's cell and the host cell
    **{
        ("POST", f"{T}/members/{{member_id}}/{action}"): allow(
            ADMIN, SECRETARY, units=(member_in_path(), unit_in_body("host_cell_id"))
        )
        for action in ("temporary-transfer", "temporary-transfer/end")
    },
    ("POST", f"{T}/transfers/in"): allow(*WRITERS, units=(unit_in_body("cell_id"),)),
}
