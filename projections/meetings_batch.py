"""One batch of meeting events folded in memory before the meetings projection writes it.

What :mod:`projections.meetings` reads of each event (decoding only those fields), the seats
of the meetings opened in the batch, and :func:`fold`: one pass over the batch's events that
keeps meetings scheduled and seats opened in memory and collects the changes to rows of
earlier batches.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from operator import attrgetter
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.utils import get_topic

from domain.meeting import Meeting
from projections.base import StoredEventRow
from projections.meetings_streaks import array_literal
from projections.sets import Patches

SCHEDULED = get_topic(Meeting.Scheduled)
RESCHEDULED = get_topic(Meeting.Rescheduled)
OPENED = get_topic(Meeting.Opened)
MARKED = get_topic(Meeting.AttendanceMarked)
CORRECTED = get_topic(Meeting.AttendanceCorrected)
ASSESSED = get_topic(Meeting.QualityAssessed)
CLOSED = get_topic(Meeting.Closed)
TOPICS = (SCHEDULED, RESCHEDULED, OPENED, MARKED, CORRECTED, ASSESSED, CLOSED)

TYPES = {
    "scheduled_at": "timestamptz",
    "started_at": "timestamptz",
    "held_on": "date",
    "ended_at": "timestamptz",
    "is_late": "boolean",
    "closed": "boolean",
    "rating": "text",
    "score_total": "double precision",
    "expected": "int",
    "present": "int",
    "excused": "int",
    "unexcused": "int",
}


# What this projection reads of each event: decoding only these fields, with ids and enums as
# plain text, costs a fraction of the full event (a roster's UUIDs and dataclasses above all).
class _Scheduled(msgspec.Struct, gc=False):
    cell_id: UUID
    kind: str
    year: int
    month: int
    scheduled_at: datetime
    topic: str


class _Rescheduled(msgspec.Struct, gc=False):
    scheduled_at: datetime


class _Seat(msgspec.Struct, gc=False):
    member_id: str
    exempted: bool
    special_duty: bool = False
    """Stored from issue 12 §3 on; an older roster had nobody on special duty."""


class _Opened(msgspec.Struct, gc=False):
    started_at: datetime
    chair_id: str
    secretary_id: str
    roster: list[_Seat]
    is_late: bool


class _Entry(msgspec.Struct, gc=False):
    member_id: str
    mark: str


class _Marked(msgspec.Struct, gc=False):
    entries: list[_Entry]


class _Assessed(msgspec.Struct, gc=False):
    scores: dict[str, int]
    rating: str
    weighted_total: float | None = None
    """Stored from class_version 2; a v1 row was rated on equal weights, i.e. the plain sum."""

    @property
    def score(self) -> float:
        if self.weighted_total is not None:
            return self.weighted_total
        return float(sum(self.scores.values()))


class _Closed(msgspec.Struct, gc=False):
    ended_at: datetime


DECODERS: dict[str, msgspec.json.Decoder[Any]] = {
    topic: msgspec.json.Decoder(shape)
    for topic, shape in (
        (SCHEDULED, _Scheduled), (RESCHEDULED, _Rescheduled), (OPENED, _Opened),
        (MARKED, _Marked), (CORRECTED, _Marked), (ASSESSED, _Assessed), (CLOSED, _Closed),
    )
}  # fmt: skip


# Seats are held as bytes, one per seat (marks as their letter in chibo_meeting_seats, see
# projections.meetings_sql): bytes are not tracked by the garbage collector, whose full passes
# over a batch's objects would otherwise cost more than the work.
MARK_CODES = {"present": ord("p"), "excused": ord("e"), "unexcused": ord("u")}
PRESENT, UNMARKED = MARK_CODES["present"], ord("-")
_FLAGS = bytes.maketrans(b"\x00\x01", b"ft")
_DIGITS = bytes.maketrans(b"\x00\x01\x02", b"012")
_member_ids = attrgetter("member_id")
_exemptions = attrgetter("exempted")
_special_duties = attrgetter("special_duty")


class Seats:
    """The seats of one meeting opened in this batch, marked in memory before they are written.

    ``marks`` holds each seat's mark letter (``MARK_CODES``, ``-`` while unmarked); ``streaks``
    and ``moves`` are filled by :func:`projections.meetings_streaks.walk`."""

    __slots__ = ("duty", "exempted", "held_on", "index", "marks", "members", "moves", "streaks")

    def __init__(self, held_on: date, roster: Sequence[_Seat]) -> None:
        self.held_on = held_on
        self.members = list(map(_member_ids, roster))
        self.exempted = bytes(map(_exemptions, roster))
        self.duty = bytes(map(_special_duties, roster))
        size = len(self.members)
        self.marks = bytearray(b"-" * size)
        self.streaks = array("i", [0]) * size
        self.moves = bytearray(size)
        self.index = dict(zip(self.members, range(size), strict=True))

    def mark(self, member: str, value: str) -> None:
        i = self.index.get(member)
        if i is not None:
            self.marks[i] = MARK_CODES[value]

    def counts(self) -> dict[str, int]:
        """``Meeting.quality_evidence``'s counts: an exempted member who stays away is not
        expected."""
        marks, exempted = self.marks, self.exempted
        present = marks.count(PRESENT)
        return {
            "expected": exempted.count(0) + sum(
                1 for e, mark in zip(exempted, marks, strict=True) if e and mark == PRESENT
            ),
            "present": present,
            "excused": marks.count(MARK_CODES["excused"]),
            "unexcused": marks.count(MARK_CODES["unexcused"]),
        }  # fmt: skip

    def packed(self) -> tuple[str, str, str, str, str, str]:
        """members, exempted, special duty, marks, streaks and moves as chibo_meeting_seats
        holds them."""
        return (
            ",".join(self.members),
            self.exempted.translate(_FLAGS).decode(),
            self.duty.translate(_FLAGS).decode(),
            self.marks.decode(),
            array_literal(self.streaks.tolist()),
            self.moves.translate(_DIGITS).decode(),
        )


@dataclass(slots=True)
class Batch:
    """A batch folded in memory. Keyed by the UUID's int: hashing a UUID runs Python code."""

    ids: dict[int, UUID]
    new: dict[int, dict[str, Any]] = field(default_factory=dict)
    opened: dict[int, Seats] = field(default_factory=dict)
    marks: dict[tuple[Any, str], str] = field(default_factory=dict)
    patches: Patches = field(default_factory=lambda: Patches(("id", "uuid"), TYPES))


def fold(events: Sequence[StoredEventRow]) -> Batch:
    """One pass over the batch: meetings scheduled and seats opened in it are folded in memory
    and written once; only changes to rows of earlier batches become UPDATEs."""
    batch = Batch({row.originator_id.int: row.originator_id for row in events})
    new, opened, marks, patches = batch.new, batch.opened, batch.marks, batch.patches
    for row in events:
        topic = row.topic
        e: Any = DECODERS[topic].decode(row.state)
        meeting = row.originator_id.int
        if topic == SCHEDULED:
            new[meeting] = {
                "id": row.originator_id, "cell_id": e.cell_id, "kind": e.kind,
                "year": e.year, "month": e.month, "scheduled_at": e.scheduled_at,
                "topic": e.topic,
            }  # fmt: skip
            continue
        if topic in (MARKED, CORRECTED):
            # The hot loop of a rebuild: inlined.
            seats = opened.get(meeting)
            if seats is None:
                for entry in e.entries:
                    marks[row.originator_id, entry.member_id] = entry.mark
            else:
                index, values = seats.index, seats.marks
                for entry in e.entries:
                    if (i := index.get(entry.member_id)) is not None:
                        values[i] = MARK_CODES[entry.mark]
            continue
        if topic == OPENED:
            held_on = e.started_at.date()
            fields = {"started_at": e.started_at, "held_on": held_on, "is_late": e.is_late}
            new_seats = opened[meeting] = Seats(held_on, e.roster)
            new_seats.mark(e.chair_id, "present")
            new_seats.mark(e.secretary_id, "present")
        elif topic == CLOSED:
            fields = {"ended_at": e.ended_at, "closed": True}
        elif topic == ASSESSED:
            # The score the rating was judged on: weighted by the province (issue 12 §4).
            fields = {"rating": e.rating, "score_total": e.score}
        else:  # RESCHEDULED
            fields = {"scheduled_at": e.scheduled_at}
        if meeting in new:
            new[meeting].update(fields)
        else:
            patches.set(row.originator_id, **fields)
    return batch
