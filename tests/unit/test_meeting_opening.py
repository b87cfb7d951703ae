"""Opening is refused when its start is ahead of the clock (issue 12 §5), times in Vietnam's zone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.meeting_errors import MeetingStartsInFuture
from domain.meeting_opening import CLOCK_ALLOWANCE
from tests.unit.test_meeting import BY, WINDOW, at, build_roster, scheduled

pytestmark = pytest.mark.unit


def test_a_start_beyond_the_clock_allowance_is_refused_in_vietnam_time():
    roster, officials, _ = build_roster()
    meeting = scheduled()
    start, now = at(3, 14), at(3, 14) - CLOCK_ALLOWANCE - timedelta(minutes=1)
    members = roster.members_on(start.date())
    with pytest.raises(MeetingStartsInFuture) as refused:
        meeting.open(start, officials[0], officials[1], members, WINDOW, BY, now=now)
    assert refused.value.code == "meeting_starts_in_future"
    assert refused.value.details["field"] == "started_at"
    assert "14:00 03/11/2023" in refused.value.vi  # the start in Asia/Ho_Chi_Minh
    assert meeting.started_at is None


def test_a_start_within_the_allowance_or_in_the_past_opens():
    roster, officials, _ = build_roster()
    start = at(3, 14)
    members = roster.members_on(start.date())
    ahead = scheduled()
    ahead.open(start, officials[0], officials[1], members, WINDOW, BY, now=start - CLOCK_ALLOWANCE)
    assert ahead.started_at == start
    late = scheduled()
    late.open(start, officials[0], officials[1], members, WINDOW, BY, now=start + timedelta(days=2))
    assert late.started_at == start
