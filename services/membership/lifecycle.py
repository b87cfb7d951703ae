"""Application services for the membership lifecycle: transfers across provinces, suspension,
removal (xóa tên) with its flag, death. Each saves the member and the cell roster together.

Only the signed transfer payload crosses tenants: the sending province exports it, the
receiving one verifies it against the sender's trusted public key before enrolling anyone.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from domain import lifecycle, special_duty, temporary_transfer
from domain.base import Actor
from domain.member import Member, MemberStatus
from infra.application import TenantApplication
from infra.transfer_payload import FORMAT, TransferPayload, digest, sign, verify
from services.admissions.commands import calendar_for
from services.membership.cards import save_enrolled
from services.membership.org import load, load_cell, load_roster


def suspend(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    start: date,
    reason: str,
    expected: int | None = None,
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    lifecycle.suspend(member, roster, start, reason, by)
    return member, app.save_all(member, roster)


def end_suspension(
    app: TenantApplication, by: Actor, *, member_id: UUID, on: date, expected: int | None = None
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    lifecycle.end_suspension(member, roster, on, by)
    return member, app.save_all(member, roster)


def transfer_temporarily(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    host_cell_id: UUID,
    on: date,
    expected: int | None = None,
    ending: bool = False,
) -> tuple[Member, int]:
    """Chuyển sinh hoạt tạm thời (or, with ``ending``, its end): the member's roster and the
    host's change together in one transaction."""
    member = load(app, Member, member_id, expected)
    load_cell(app, host_cell_id)
    home, host = load_roster(app, member.cell_id, by), load_roster(app, host_cell_id, by)
    if ending:
        temporary_transfer.end_temporary_transfer(member, home, host, on, by)
    else:
        temporary_transfer.transfer_temporarily(member, home, host, on, by)
    return member, app.save_all(member, home, host)


def special_duty_changes(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    on: date,
    reason: str,
    expected: int | None = None,
    ending: bool = False,
) -> tuple[Member, int]:
    """Lực lượng vũ trang làm nhiệm vụ đặc biệt from ``on`` (or, with ``ending``, no longer):
    the member and the cell's roster change together."""
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    change = special_duty.end_special_duty if ending else special_duty.note_special_duty
    change(member, roster, on, reason, by)
    return member, app.save_all(member, roster)


def note_month(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    kind: lifecycle.NotedKind,
    month: date,
    excused: bool,
) -> tuple[Member, int]:
    member = load(app, Member, member_id)
    lifecycle.note_month(member, kind, month, excused, by)
    return member, app.save_all(member)


def remove(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    ground: lifecycle.RemovalGround,
    decision_number: str,
    on: date,
    expected: int | None = None,
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    lifecycle.remove(member, roster, ground, decision_number, on, by)
    return member, app.save_all(member, roster)


def record_death(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    on: date,
    note: str,
    expected: int | None = None,
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    lifecycle.record_death(member, roster, on, note, by)
    return member, app.save_all(member, roster)


def transfer_out(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    letter_number: str,
    letter_on: date,
    to_province: str,
    to_organisation: str,
    signing_key: Ed25519PrivateKey,
    expected: int | None = None,
) -> tuple[Member, int, bytes]:
    """Record the departure with its letter and return the signed payload for the receiver."""
    member = load(app, Member, member_id, expected)
    roster = load_roster(app, member.cell_id, by)
    due = lifecycle.transfer_out(
        member,
        roster,
        letter_number,
        letter_on,
        to_province,
        to_organisation,
        calendar_for(app),
        by,
    )
    payload = TransferPayload(
        format=FORMAT,
        from_province=app.slug,
        to_province=to_province,
        member_id=member.id,
        full_name=member.full_name,
        birth_date=member.birth_date,
        gender=member.gender,
        status=member.status.value,
        admitted_on=member.admitted_on,
        official_on=member.official_on,
        letter_number=letter_number.strip(),
        letter_on=letter_on,
        letter_due_on=due,
        to_organisation=to_organisation.strip(),
        party_card_number=member.party_card_number,
    )
    position = app.save_all(member, roster)
    return member, position, sign(payload, signing_key)


def transfer_in(
    app: TenantApplication,
    by: Actor,
    *,
    document: bytes,
    trusted_keys: dict[str, Ed25519PublicKey],
    cell_id: UUID,
    presented_on: date,
    late_reason: str = "",
) -> tuple[Member, int]:
    """Verify the signed payload, check the 30-working-day letter rule, enrol in the cell.

    The member's party card number comes along; a number this province already gives to
    someone else is refused (``party_card_number_taken``) before anything is written.
    """
    payload = verify(document, trusted_keys, app.slug)
    lifecycle.check_letter_in_time(payload.letter_on, presented_on, calendar_for(app), late_reason)
    load_cell(app, cell_id).check_active()
    number = payload.party_card_number
    status = MemberStatus(payload.status)
    member = Member.enrol(
        payload.member_id,
        payload.full_name,
        payload.birth_date,
        payload.gender,
        cell_id,
        status,
        payload.admitted_on,
        payload.official_on,
        presented_on,
        by,
    )
    lifecycle.record_arrival(
        member,
        payload.from_province,
        payload.letter_number,
        payload.letter_on,
        presented_on,
        digest(document),
        by,
    )
    return save_enrolled(app, member, status, presented_on, number, by)
