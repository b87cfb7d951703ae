"""Party card numbers (số thẻ đảng viên): one holder per number within a province.

A member's card number is on the member (``Member.CardNumberRecorded``); uniqueness is kept
by a record per number (:class:`PartyCard`) whose id derives from the normalised number, so a
second member given the same number meets a record that already exists: the log itself keeps
numbers unique, as it keeps usernames unique (``domain.user.account_id``). Two writes racing
for one number collide on the record's first version, and one of them fails.
"""

from __future__ import annotations

import re
from uuid import UUID, uuid5

from domain.base import Actor, ChiboAggregate, InvalidValue, StateConflict
from domain.member import Member

_CARD_NAMESPACE = UUID("3b0d6a52-6e1f-4f0c-9a7e-2f9c51d1c0a7")
CARD_PATTERN = re.compile(r"^[0-9A-Z][0-9A-Z./-]{2,39}$")


class InvalidPartyCardNumber(InvalidValue):
    code = "invalid_party_card_number"


class PartyCardNumberTaken(StateConflict):
    code = "party_card_number_taken"


def normalise_card_number(number: str) -> str:
    """Spaces dropped and letters in upper case: "01 234.567" and "01234.567" are one card."""
    value = "".join(number.split()).upper()
    if not CARD_PATTERN.fullmatch(value):
        raise InvalidPartyCardNumber(
            "Số thẻ đảng viên gồm 3–40 ký tự: chữ số, chữ cái không dấu, dấu chấm, gạch",
            "a party card number is 3–40 characters: digits, letters a–z, '.', '-' or '/'",
            field="party_card_number",
        )
    return value


def card_id(number: str) -> UUID:
    """The record's id follows from the number, so the log keeps numbers unique."""
    return uuid5(_CARD_NAMESPACE, normalise_card_number(number))


def taken(number: str) -> PartyCardNumberTaken:
    return PartyCardNumberTaken(
        f"Số thẻ đảng viên {number} đã thuộc một đảng viên khác của tỉnh",
        f"party card number {number} already belongs to another member of this province",
        party_card_number=number,
    )


class PartyCard(ChiboAggregate):
    """The record of one party card number (thẻ đảng viên) and the member who holds it."""

    class Registered(ChiboAggregate.Created):
        number: str
        member_id: UUID

    class Released(ChiboAggregate.Event):
        """The number was a mistake (corrected on the member): it is free again."""

        reason: str

        def apply(self, card: PartyCard) -> None:
            card.holder = None

    class Claimed(ChiboAggregate.Event):
        member_id: UUID

        def apply(self, card: PartyCard) -> None:
            card.holder = self.member_id

    def __init__(self, number: str, member_id: UUID) -> None:
        self.number = number
        self.holder: UUID | None = member_id

    @classmethod
    def register(cls, number: str, member_id: UUID, by: Actor) -> PartyCard:
        value = normalise_card_number(number)
        return cls._found(cls.Registered, by, card_id(value), number=value, member_id=member_id)

    def claim(self, member_id: UUID, by: Actor) -> None:
        if self.holder == member_id:
            return
        if self.holder is not None:
            raise taken(self.number)
        self._record(self.Claimed, by, member_id=member_id)

    def release(self, reason: str, by: Actor) -> None:
        self._record(self.Released, by, reason=reason)


def give_card(
    member: Member,
    number: str,
    card: PartyCard | None,
    previous: PartyCard | None,
    reason: str,
    by: Actor,
) -> list[PartyCard]:
    """Record ``number`` on ``member``; return the card records to save with the member.

    ``card`` is the record of ``number`` if one exists, ``previous`` that of the member's
    current number. Replacing a number is a correction: it needs a reason and frees the old one.
    """
    value = normalise_card_number(number)
    if member.party_card_number == value:
        return []
    member.check_active()
    current = member.party_card_number
    if current is not None and not reason.strip():
        raise InvalidValue(
            "Đổi số thẻ đảng viên là đính chính: cần ghi lý do",
            "changing a party card number is a correction: give a reason",
            field="reason",
        )
    changed: list[PartyCard] = []
    if card is None:
        card = PartyCard.register(value, member.id, by)
    else:
        card.claim(member.id, by)
    changed.append(card)
    if previous is not None and current is not None:
        previous.release(reason.strip(), by)
        changed.append(previous)
    member.record_card_number(value, reason.strip(), by)
    return changed
