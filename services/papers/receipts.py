"""Read receipts of a meeting's papers (ai đã đọc tài liệu): a figure the secretary sees.

A download is recorded in the document store (:func:`infra.document_store.record_read`). Here
the reads are set against the cell's members expected at the meeting (its roster on the
scheduled day): who has opened at least one paper, who has not yet, by name. Reads by other
accounts (the secretary's, an assigned superior's) are counted apart.
"""

from __future__ import annotations

from uuid import UUID

import msgspec
from eventsourcing.application import AggregateNotFoundError

from domain.meeting import Meeting
from domain.meeting_papers import Paper
from domain.roster import CellRoster, roster_id
from infra import document_store as store
from infra.application import TenantApplication
from services.documents.model import VN
from services.meetings.voting_base import member_names


class NamedMember(msgspec.Struct, frozen=True):
    member_id: UUID
    full_name: str


class ReadersView(msgspec.Struct, frozen=True):
    expected: int
    members_read: int
    other_readers: int
    per_paper: dict[str, int]
    """Paper id → how many distinct accounts downloaded it."""
    read: list[NamedMember]
    not_yet_read: list[NamedMember]


def expected_members(app: TenantApplication, meeting: Meeting) -> list[UUID]:
    try:
        roster: object = app.repository.get(roster_id(meeting.cell_id))
    except AggregateNotFoundError:
        return []
    if not isinstance(roster, CellRoster):
        return []
    return list(roster.members_on(meeting.scheduled_at.astimezone(VN).date()))


def readers_view(app: TenantApplication, meeting: Meeting, papers: list[Paper]) -> ReadersView:
    reads = store.reads_of(app, meeting.id) if papers else []
    per_paper: dict[str, set[str]] = {}
    member_readers: set[UUID] = set()
    others: set[str] = set()
    for r in reads:
        per_paper.setdefault(str(r.paper_id), set()).add(r.user_id)
        if r.member_id is not None:
            member_readers.add(r.member_id)
        else:
            others.add(r.user_id)
    expected = expected_members(app, meeting)
    names = member_names(app, [*expected, *member_readers])

    def named(ids: list[UUID]) -> list[NamedMember]:
        found = [NamedMember(i, names[i]) for i in ids if i in names]
        return sorted(found, key=lambda m: m.full_name)

    return ReadersView(
        expected=len(expected),
        members_read=len(member_readers & set(expected)),
        other_readers=len(others),
        per_paper={k: len(v) for k, v in per_paper.items()},
        read=named(sorted(member_readers)),
        not_yet_read=named([m for m in expected if m not in member_readers]),
    )


def not_yet_read(app: TenantApplication, meeting: Meeting) -> set[UUID]:
    """Members expected who opened none of the papers (the reminder of the day before)."""
    readers = {r.member_id for r in store.reads_of(app, meeting.id) if r.member_id is not None}
    return {m for m in expected_members(app, meeting) if m not in readers}
