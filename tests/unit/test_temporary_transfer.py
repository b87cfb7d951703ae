"""Temporary transfer of activity (chuyển sinh hoạt tạm thời), issue 12 §1: the member stays on
the home roll but out of its base; the host lists them as a temporary member without a vote."""

from __future__ import annotations

from datetime import date
from uuid import uuid4

import pytest

from domain.member_errors import (
    AlreadyTransferredTemporarily,
    HostIsHomeCell,
    NotTransferredTemporarily,
)
from domain.roster import CellRoster
from domain.temporary_transfer import end_temporary_transfer, transfer_temporarily
from tests.unit.test_lifecycle import SEC, enrolled

pytestmark = pytest.mark.unit


def test_the_home_keeps_the_member_out_of_its_base_and_the_host_lists_them_without_a_vote():
    member, home = enrolled()
    host = CellRoster.open(uuid4(), SEC)
    transfer_temporarily(member, home, host, date(2025, 3, 1), SEC)
    at_home = home.standing(member.id, date(2025, 3, 2))
    assert at_home is not None  # still on the home roll
    assert at_home.transferred_out
    assert not at_home.counts_for_majority
    assert home.official_count(date(2025, 3, 2)) == 1
    assert home.standing(member.id, date(2025, 2, 28)).counts_for_majority  # history unchanged
    hosted = host.members_on(date(2025, 3, 2), with_temporary=True)[member.id]
    assert hosted.temporary
    assert not hosted.counts_for_majority
    assert host.official_count(date(2025, 3, 2)) == 0
    with pytest.raises(AlreadyTransferredTemporarily):
        transfer_temporarily(member, home, host, date(2025, 4, 1), SEC)

    end_temporary_transfer(member, home, host, date(2025, 9, 1), SEC)
    back = home.standing(member.id, date(2025, 9, 2))
    assert back is not None
    assert back.counts_for_majority
    assert host.standing(member.id, date(2025, 9, 2)) is None
    with pytest.raises(NotTransferredTemporarily):
        end_temporary_transfer(member, home, host, date(2025, 10, 1), SEC)


def test_the_host_must_be_another_cell():
    member, home = enrolled()
    with pytest.raises(HostIsHomeCell):
        transfer_temporarily(member, home, home, date(2025, 3, 1), SEC)
