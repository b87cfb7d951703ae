"""The meeting run's forms: from the submitted fields to the body of the API command.

One builder per section. A builder checks only what the browser cannot say in the API's
terms (a number typed as words, a missing date); every rule of the meeting is left to the
domain, whose refusal comes back through the API and is shown beside the field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.web.dates import BAD_DAY, BAD_TIME, parse_clock, parse_day
from services.web.pages import as_list
from services.web.render import VIETNAM


class FieldProblem(Exception):
    """Fields the page itself cannot send: each one's id and the message to show beside it.
    Every problem found is carried, so a form with two bad fields says both at once rather than
    making the secretary send it twice to learn of the second."""

    def __init__(self, *problems: tuple[str, str]) -> None:
        super().__init__("; ".join(message for _, message in problems))
        self.problems = list(problems)


def moment(values: dict[str, Any], form: str, prefix: str) -> str:
    """A day field (dd/mm/yyyy) and a time field (HH:MM), read in Vietnamese time; ISO with the
    +07:00 offset. Either one missing or unreadable is said beside that field."""
    day = parse_day(str(values.get(f"{prefix}_day", "")))
    clock = parse_clock(str(values.get(f"{prefix}_time", "")))
    problems = []
    if day is None:
        problems.append((f"{form}-{prefix}_day", BAD_DAY))
    if clock is None:
        problems.append((f"{form}-{prefix}_time", BAD_TIME))
    if day is None or clock is None:
        raise FieldProblem(*problems)
    return datetime.combine(day, clock, VIETNAM).isoformat()


def number(values: dict[str, Any], name: str, field: str, label: str) -> int:
    text = str(values.get(name, "")).strip().replace(".", "").replace(" ", "")
    if not text.isdigit():
        raise FieldProblem((field, f"{label} phải là một số nguyên không âm"))
    return int(text)


def version(values: dict[str, Any]) -> int | None:
    text = str(values.get("version", ""))
    return int(text) if text.isdigit() else None


def text(values: dict[str, Any], name: str) -> str:
    return str(values.get(name, "")).strip()


def attendance_entries(values: dict[str, Any], form: str) -> list[dict[str, Any]]:
    entries = []
    for member_id in as_list(values.get("member")):
        mark = text(values, f"mark-{member_id}")
        if not mark:
            continue
        entries.append(
            {"member_id": member_id, "mark": mark, "reason": text(values, f"reason-{member_id}")}
        )
    if not entries:
        raise FieldProblem((f"{form}-form", "Chưa chọn có mặt hay vắng cho đảng viên nào"))
    return entries


def open_body(v: dict[str, Any], f: str) -> dict[str, Any]:
    return {
        "started_at": moment(v, f, "started"),
        "chair_id": text(v, "chair_id"),
        "secretary_id": text(v, "secretary_id"),
        "expected_version": version(v),
    }


def dues_body(v: dict[str, Any], form: str) -> dict[str, Any]:
    """Each member's line says paid or unpaid; a line left blank is in neither list."""
    paid = {m: text(v, f"dues-{m}") for m in as_list(v.get("member"))}
    return {
        "total_vnd": number(v, "total_vnd", f"{form}-total_vnd", "Tổng số đảng phí"),
        "payer_ids": [m for m, x in paid.items() if x == "paid"],
        "unpaid_ids": [m for m, x in paid.items() if x == "unpaid"],
        "expected_version": version(v),
    }


def counts(v: dict[str, Any], form: str) -> dict[str, int]:
    return {
        "votes_for": number(v, "votes_for", f"{form}-votes_for", "Số tán thành"),
        "against": number(v, "against", f"{form}-against", "Số không tán thành"),
        "abstain": number(v, "abstain", f"{form}-abstain", "Số không biểu quyết"),
    }


QUALITY_FIELDS = ("attendance", "preparation", "conduct", "principles", "implementation")
QUALITY_LABELS = {
    "attendance": "Điểm chuẩn bị, tỷ lệ đảng viên dự",
    "preparation": "Điểm chuẩn bị nội dung",
    "conduct": "Điểm điều hành sinh hoạt",
    "principles": "Điểm thực hiện nguyên tắc",
    "implementation": "Điểm kết quả thực hiện",
}


@dataclass(frozen=True)
class Section:
    """One form of the meeting run: where it returns to and how it becomes an API body."""

    anchor: str
    body: Callable[[dict[str, Any], str], dict[str, Any]]
    """From the form's values and the form's id (the prefix of its field ids) to the body."""
    main_field: str
    api: str = ""
    """The API path after ``/meetings/{id}/`` when it is not the action's own name."""


SECTIONS: dict[str, Section] = {
    "open": Section("khai-mac", open_body, "chair_id"),
    "attendance": Section(
        "diem-danh",
        lambda v, f: {"entries": attendance_entries(v, f), "expected_version": version(v)},
        "form",
    ),
    "guests": Section(
        "khach-moi",
        lambda v, f: {
            "name": text(v, "name"),
            "position": text(v, "position"),
            "is_superior": bool(v.get("is_superior")),
        },
        "name",
    ),
    "opinions": Section(
        "y-kien",
        lambda v, f: {"speaker_id": text(v, "speaker_id"), "topic": text(v, "topic")},
        "topic",
    ),
    "self-criticism": Section(
        "tu-phe-binh",
        lambda v, f: {"member_id": text(v, "member_id")},
        "member_id",
        api="/supervision/meetings/{meeting_id}/self-criticism",
    ),
    "motions": Section(
        "bieu-quyet",
        lambda v, f: {
            "kind": text(v, "kind"),
            "title": text(v, "title"),
            "subject_id": text(v, "subject_id") or None,
        },
        "title",
    ),
    "motions/{motion_id}/ballots": Section(
        "bieu-quyet",
        lambda v, f: {"member_id": text(v, "member_id"), "choice": text(v, "choice")},
        "member_id",
    ),
    "motions/{motion_id}/count": Section("bieu-quyet", lambda v, f: {}, "form"),
    "motions/{motion_id}/tally": Section(
        "bieu-quyet",
        lambda v, f: {"method": text(v, "method"), **counts(v, f)},
        "votes_for",
    ),
    "minutes": Section(
        "bien-ban", lambda v, f: {"text": text(v, "text"), "expected_version": version(v)}, "text"
    ),
    "quality": Section(
        "chat-luong",
        lambda v, f: {
            **{q: number(v, q, f"{f}-{q}", QUALITY_LABELS[q]) for q in QUALITY_FIELDS},
            "reason": text(v, "reason"),
            "combined_session": text(v, "combined_session") == "on",
            "expected_version": version(v),
        },
        "attendance",
    ),
    # the members' ballot on the proposed rating and the attending superior's confirmation
    "quality/ballot": Section("chat-luong", lambda v, f: counts(v, f), "votes_for"),
    "quality/confirm": Section(
        "chat-luong", lambda v, f: {"guest_id": text(v, "guest_id")}, "guest_id"
    ),
    "dues": Section("dang-phi", lambda v, f: dues_body(v, f), "total_vnd"),
    "close": Section(
        "be-mac",
        lambda v, f: {
            "ended_at": moment(v, f, "ended"),
            "expected_version": version(v),
        },
        "ended_day",
    ),
    "corrections/attendance": Section(
        "dinh-chinh",
        lambda v, f: {
            "entries": attendance_entries(v, f),
            "reason": text(v, "reason"),
            "expected_version": version(v),
        },
        "reason",
    ),
    "corrections/minutes": Section(
        "dinh-chinh",
        lambda v, f: {
            "text": text(v, "text"),
            "reason": text(v, "reason"),
            "expected_version": version(v),
        },
        "reason",
    ),
    "corrections/dues": Section(
        "dinh-chinh",
        lambda v, f: {**dues_body(v, f), "reason": text(v, "reason")},
        "reason",
    ),
    "motions/{motion_id}/corrections/tally": Section(
        "dinh-chinh",
        lambda v, f: {
            **counts(v, f),
            "reason": text(v, "reason"),
            "expected_version": version(v),
        },
        "reason",
    ),
}
