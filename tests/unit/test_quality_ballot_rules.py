"""Who votes in the post-meeting quality ballot and the share it needs are dated data of the
quality rule set (issue 12 §4: uncertain rules are versioned data in ``domain/rules.py``)."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any
from uuid import uuid4

import pytest

from domain.member import MemberStatus
from domain.quality import Rating
from domain.quality_ballot import QualityBallot, voters
from domain.rules import HD_12_2018, HD_42_2025, QUALITY_RULES, QualityRuleBook
from domain.voting import RosterEntry
from tests.builders import SECRETARY as BY

pytestmark = pytest.mark.unit


def entry(status: MemberStatus, temporary: bool = False) -> RosterEntry:
    return RosterEntry(uuid4(), status, False, False, temporary=temporary)


ROSTER = [entry(MemberStatus.OFFICIAL) for _ in range(4)] + [
    entry(MemberStatus.PROBATIONARY),
    entry(MemberStatus.OFFICIAL, temporary=True),
]
PRESENT = {e.member_id for e in ROSTER}


def test_every_rule_set_so_far_lets_the_official_members_present_vote_over_half() -> None:
    for rules in (HD_12_2018, HD_42_2025):
        assert (rules.ballot_voters, rules.ballot_share) == ("official_present", (1, 2))
        assert {"ballot_voters", "ballot_share"} <= set(rules.unconfirmed)
        assert voters(rules, ROSTER, PRESENT) == 4  # no probationary, no temporary member
    assert QUALITY_RULES.in_force(date(2025, 11, 3)) is HD_42_2025


def test_a_draft_rule_set_changes_who_votes_and_the_share_from_its_date() -> None:
    draft = dataclasses.replace(
        HD_42_2025, code="DRAFT-2026", effective_from=date(2026, 1, 1),
        ballot_voters="present", ballot_share=(2, 3),
    )  # fmt: skip
    book = QualityRuleBook((HD_12_2018, HD_42_2025, draft))
    assert book.in_force(date(2025, 12, 31)) is HD_42_2025
    rules = book.in_force(date(2026, 1, 5))
    assert voters(rules, ROSTER, PRESENT) == 5
    old = QualityBallot.open(uuid4(), uuid4(), BY)
    assert old.vote(Rating.KHA, 5, (3, 2, 0), HD_42_2025, BY)  # 3 of 5: over half
    new = QualityBallot.open(uuid4(), uuid4(), BY)
    assert not new.vote(Rating.KHA, 5, (3, 2, 0), rules, BY)  # not over two thirds
    voted: Any = new.pending_events[-1]
    assert voted.rule_code == "DRAFT-2026"


def test_a_ballot_recorded_before_the_rule_was_data_loads_without_its_code() -> None:
    state: dict[str, Any] = {"rating": "kha", "voters": 3, "agreed": True}
    QualityBallot.Voted.upcast_v1_v2(state)
    assert state["rule_code"] == ""
