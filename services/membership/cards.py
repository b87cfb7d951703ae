"""Party card numbers (số thẻ đảng viên): give a member a number, find a member by number.

The record of a number is saved with the member in one transaction. If another write took the
same number between our read and our save, the library refuses the record's first version
(``IntegrityError``); that is reported as ``party_card_number_taken``, not as a stale write.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from domain.base import Actor, NotFound
from domain.member import Member, MemberStatus
from domain.party_card import PartyCard, card_id, give_card, normalise_card_number, taken
from infra.application import TenantApplication
from services.membership.org import find, load, load_roster


class UnknownPartyCard(NotFound):
    code = "unknown_party_card"


def find_card(app: TenantApplication, number: str) -> PartyCard | None:
    return find(app, PartyCard, card_id(number))


def cards_for(
    app: TenantApplication, member: Member, number: str, reason: str, by: Actor
) -> list[PartyCard]:
    """Record ``number`` on the (loaded or new) ``member``; the card records to save with it."""
    current = member.party_card_number
    previous = find_card(app, current) if current else None
    return give_card(member, number, find_card(app, number), previous, reason, by)


@contextmanager
def number_guard(number: str | None) -> Iterator[None]:
    """Turn a lost race for a new card record into ``party_card_number_taken``."""
    try:
        yield
    except IntegrityError as error:
        if number is None:
            raise
        raise taken(normalise_card_number(number)) from error


def save_enrolled(
    app: TenantApplication,
    member: Member,
    status: MemberStatus,
    joined_on: date,
    number: str | None,
    by: Actor,
) -> tuple[Member, int]:
    """Put a member just enrolled on her cell's roster from ``joined_on``, give her ``number``
    if she has one, and save them all in one transaction."""
    cards = cards_for(app, member, number, "", by) if number else []
    roster = load_roster(app, member.cell_id, by)
    roster.enrol(member.id, status, joined_on, by)
    with number_guard(number):
        return member, app.save_all(member, roster, *cards)


def set_card_number(
    app: TenantApplication,
    by: Actor,
    *,
    member_id: UUID,
    number: str,
    reason: str = "",
    expected: int | None = None,
) -> tuple[Member, int]:
    member = load(app, Member, member_id, expected)
    cards = cards_for(app, member, number, reason, by)
    with number_guard(number):
        return member, app.save_all(member, *cards)


def member_by_card(app: TenantApplication, number: str) -> Member:
    value = normalise_card_number(number)
    card = find_card(app, value)
    if card is None or card.holder is None:
        raise UnknownPartyCard(
            f"Không có đảng viên nào mang số thẻ {value}",
            f"no member holds party card number {value}",
            party_card_number=value,
        )
    return load(app, Member, card.holder)
