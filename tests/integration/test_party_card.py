"""Party card numbers (số thẻ đảng viên) on a real PostgreSQL: unique within a province, found
by number, corrected with a reason, carried by a transfer and checked by the receiver."""

from __future__ import annotations

from datetime import date

import pytest

from domain.base import InvalidValue
from domain.party_card import PartyCard, PartyCardNumberTaken, card_id, give_card
from services.membership import cards
from tests.builders import official
from tests.integration.test_admissions_lifecycle import (  # noqa: F401 (other: a fixture)
    ADMIN,
    arrive,
    other,
    signed_transfer,
    tree,
)

pytestmark = pytest.mark.integration


def enrol(app, cell, number, name="Lê Thị Hoa"):
    return official(
        app, ADMIN, cell, name, birth_date=date(1975, 3, 3), gender="nu",
        admitted_on=date(2000, 1, 1), official_on=date(2001, 1, 1), party_card_number=number,
    )  # fmt: skip


def test_a_number_belongs_to_one_member_of_the_province(app):
    _, cell, _, _ = tree(app)
    first = enrol(app, cell, "01 234.567")
    assert first.party_card_number == "01234.567"
    assert cards.member_by_card(app, "01234.567").id == first.id
    position = app.log_position
    with pytest.raises(PartyCardNumberTaken) as refused:
        enrol(app, cell, "01234.567", "Người Khác")
    assert refused.value.code == "party_card_number_taken"
    assert app.log_position == position  # nothing of the refused enrolment was written
    second = enrol(app, cell, None, "Người Khác")
    with pytest.raises(PartyCardNumberTaken):
        cards.set_card_number(app, ADMIN, member_id=second.id, number="01 234.567")


def test_a_lost_race_for_a_number_is_reported_as_taken(app):
    _, cell, _, _ = tree(app)
    enrol(app, cell, "AB-1001")
    late = enrol(app, cell, None, "Đến Sau")
    # As if our read came before the other write: no record found, so a new one is made.
    made = give_card(late, "AB-1001", None, None, "", ADMIN)
    with pytest.raises(PartyCardNumberTaken), cards.number_guard("AB-1001"):
        app.save_all(late, *made)


def test_replacing_a_number_is_a_correction_that_frees_the_old_one(app):
    _, cell, _, _ = tree(app)
    member = enrol(app, cell, "111111")
    with pytest.raises(InvalidValue):
        cards.set_card_number(app, ADMIN, member_id=member.id, number="222222")
    cards.set_card_number(
        app, ADMIN, member_id=member.id, number="222222", reason="nhập nhầm số thẻ"
    )
    assert app.repository.get(member.id).party_card_number == "222222"
    released = app.repository.get(card_id("111111"))
    assert isinstance(released, PartyCard)
    assert released.holder is None
    other_member = enrol(app, cell, "111111", "Người Giữ Số Cũ")
    assert cards.member_by_card(app, "111111").id == other_member.id


def test_a_transfer_carries_the_number_and_the_receiver_checks_it(app, other):  # noqa: F811
    _, cell_a, _, _ = tree(app)
    _, receiving_cell, _, _ = tree(other)
    member = enrol(app, cell_a, "99.000123")
    enrol(other, receiving_cell, "99.000123", "Đã Có Ở Tỉnh Nhận")
    transfer = signed_transfer(app, other, member.id, "GT 1/2026", date(2026, 2, 2))
    position = other.log_position
    with pytest.raises(PartyCardNumberTaken):
        arrive(other, transfer, receiving_cell, date(2026, 2, 20))
    assert other.log_position == position
    # Once the receiver's own record is corrected, the member arrives with their number.
    cards.set_card_number(
        other,
        ADMIN,
        member_id=cards.member_by_card(other, "99.000123").id,
        number="99.000124",
        reason="số thẻ ghi nhầm",
    )
    arrived, _ = arrive(other, transfer, receiving_cell, date(2026, 2, 20))
    assert arrived.party_card_number == "99.000123"
    assert cards.member_by_card(other, "99.000123").id == member.id
