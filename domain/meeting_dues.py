"""Party dues collected at a meeting (thu nộp đảng phí): an explicit record per member.

Unpaid dues count toward removal from the party (xóa tên: "không đóng đảng phí 3 tháng trong
năm", Charter art. 8.2 and QĐ 24/294), so nothing here is inferred: the secretary names who
paid and who did not, every member present is in one of the two lists, and nobody is in both.
A record that leaves a present member out is ambiguous and closing refuses it (issue 12 §5).

Older events (class version 1) had only the payers; they read as "present and not a payer
did not pay", which is what they meant when they were recorded (see ``unpaid``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, ClassVar
from uuid import UUID

from domain import meeting_checks as check
from domain.base import Actor
from domain.meeting_errors import DuesPaidAndUnpaid, DuesRecordAmbiguous, NegativeDues
from domain.meeting_state import MeetingState
from domain.voting_errors import MemberNotOnMeetingRoster


def upcast_v1_v2(state: dict[str, object]) -> None:
    """A stored version-1 dues event: the unpaid were not named (``None``, see ``unpaid``)."""
    state["unpaid_ids"] = None


def record(
    m: MeetingState, total_vnd: int, payer_ids: Iterable[UUID], unpaid_ids: Iterable[UUID]
) -> tuple[tuple[UUID, ...], tuple[UUID, ...]]:
    """The payers and the unpaid, each once, all on the roster, no one in both lists."""
    if total_vnd < 0:
        raise NegativeDues(
            "Số đảng phí không được âm", "total_vnd must not be negative", field="total_vnd"
        )
    payers = tuple(dict.fromkeys(payer_ids))
    unpaid = tuple(dict.fromkeys(unpaid_ids))
    for field, ids in (("payer_ids", payers), ("unpaid_ids", unpaid)):
        for member_id in ids:
            if member_id not in m.roster:
                raise MemberNotOnMeetingRoster(
                    "Người này không có trong danh sách đảng viên của chi bộ vào ngày họp",
                    "this person is not on the cell's roster on the meeting date",
                    field=field,
                    member_id=str(member_id),
                )
    both = sorted(set(payers) & set(unpaid), key=str)
    if both:
        raise DuesPaidAndUnpaid(
            f"{len(both)} đảng viên vừa ở danh sách đã nộp vừa ở danh sách chưa nộp; "
            "hãy để mỗi người ở một danh sách",
            f"{len(both)} members are both among the payers and the unpaid; "
            "put each member in one list",
            field="unpaid_ids",
            member_ids=[str(x) for x in both],
        )
    return payers, unpaid


def unambiguous(m: MeetingState) -> None:
    """Closing with dues collected needs every member present in one of the two lists."""
    if m.dues_total_vnd is not None:
        everyone_named(m.present, m.dues_payer_ids, m.dues_unpaid_ids)


def everyone_named(
    present: Iterable[UUID], payers: Iterable[UUID], unpaid: Iterable[UUID] | None
) -> None:
    """Refuse a record that names a member present neither as paid nor as unpaid."""
    if unpaid is None:  # a version-1 record is read as it was meant (see ``unpaid``)
        return
    named = set(payers) | set(unpaid)
    missing = sorted((x for x in present if x not in named), key=str)
    if missing:
        raise DuesRecordAmbiguous(
            f"Sổ đảng phí chưa rõ: {len(missing)} đảng viên có mặt chưa được ghi là đã nộp "
            "hay chưa nộp; hãy ghi từng người trước khi bế mạc",
            f"the dues record is ambiguous: {len(missing)} members present are neither among "
            "the payers nor the unpaid; record each of them before closing",
            field="unpaid_ids",
            member_ids=[str(x) for x in missing],
        )


def unpaid(m: MeetingState) -> frozenset[UUID]:
    """Who did not pay: the named list, or for a version-1 record the present non-payers."""
    if m.dues_total_vnd is None:
        return frozenset()
    if m.dues_unpaid_ids is None:  # a version-1 record, from before the explicit list
        return frozenset(m.present - set(m.dues_payer_ids))
    return frozenset(m.dues_unpaid_ids)


class MeetingDues(MeetingState):
    """The dues commands of ``domain.meeting.Meeting`` (a mixin; its events stay nested there)."""

    if TYPE_CHECKING:
        DuesCollected: ClassVar[type[Any]]
        DuesCorrected: ClassVar[type[Any]]

        def _record(self, event_class: type[Any], by: Actor, **kwargs: Any) -> None: ...

    def collect_dues(
        self, total_vnd: int, payer_ids: Iterable[UUID], unpaid_ids: Iterable[UUID], by: Actor
    ) -> None:
        """Dues collected at the meeting: who paid, who did not (may be recorded again)."""
        check.in_progress(self)
        payers, unpaid = record(self, total_vnd, payer_ids, unpaid_ids)
        self._record(
            self.DuesCollected, by, total_vnd=total_vnd, payer_ids=payers, unpaid_ids=unpaid
        )

    def correct_dues(
        self,
        total_vnd: int,
        payer_ids: Iterable[UUID],
        unpaid_ids: Iterable[UUID],
        reason: str,
        by: Actor,
    ) -> None:
        """After closing (đính chính): as explicit as the first record, with its reason."""
        reason = check.correction(self, reason)
        payers, unpaid = record(self, total_vnd, payer_ids, unpaid_ids)
        before = (self.dues_total_vnd, self.dues_payer_ids, self.dues_unpaid_ids)
        check.changes_something((total_vnd, payers, unpaid) != before)
        everyone_named(self.present, payers, unpaid)
        self._record(
            self.DuesCorrected,
            by,
            total_vnd=total_vnd,
            payer_ids=payers,
            unpaid_ids=unpaid,
            reason=reason,
        )
