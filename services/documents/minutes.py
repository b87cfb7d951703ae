"""The minutes (biên bản sinh hoạt chi bộ) and the resolution (nghị quyết) drafted from a meeting.

Everything but the free parts comes from the meeting's state, itself rebuilt from its events:
who chaired, who was there and who was away and why, the guests, the agenda, each opinion and
its speaker, each vote with its counts, the self-criticism turns, the rating, the dues, the
closing time. People are named, never identified by UUID. This module is pure: the caller
gives the names (``Letterhead`` and ``names``), so it is tested without a database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from uuid import UUID

from domain import meeting_dues
from domain.meeting import Meeting
from domain.member import MemberStatus
from domain.voting import MotionKind, MotionResult
from services.documents import labels
from services.documents.model import (
    Block,
    Bullets,
    Document,
    Heading,
    Signature,
    Signatures,
    Table,
    bold,
    italic,
    para,
    percent,
    place_and_date,
    vn_date,
    vn_time,
    vnd,
)

UNKNOWN = "(chưa rõ họ tên)"
Namer = Callable[[UUID | None], str]
"""UUID → the person's name (a member's or a guest's)."""


@dataclass(frozen=True)
class Letterhead:
    """The names a document's header needs: the cell, its superior body, the place."""

    cell: str
    superior: str
    place: str


@dataclass(frozen=True)
class FreeParts:
    """What the secretary writes herself (phần tự do của dự thảo)."""

    conclusion: str = ""
    decisions: tuple[str, ...] = ()
    opinion_wording: Mapping[int, str] = field(default_factory=dict)


def _title(meeting: Meeting) -> str:
    year, month = meeting.period
    kind = labels.label(meeting.kind)
    topic = f" — {meeting.topic}" if meeting.topic else ""
    return f"Sinh hoạt chi bộ {kind} tháng {month} năm {year}{topic}"


def _document(
    meeting: Meeting, head: Letterhead, symbol: str, title: str, blocks: list[Block]
) -> Document:
    day = meeting.held_on or meeting.scheduled_at.date()
    return Document(
        issuer_above=head.superior.upper(),
        issuer=head.cell.upper(),
        number=f"Số {meeting.period[1]:02d}-{symbol}/CB",
        place_date=place_and_date(head.place, day),
        title=title,
        subtitle=_title(meeting),
        blocks=tuple(blocks),
    )


def build_minutes(
    meeting: Meeting, head: Letterhead, names: Mapping[UUID, str], free: FreeParts
) -> Document:
    """The minutes of ``meeting`` as a document (a draft until a version is approved)."""

    def name(person: UUID | None) -> str:
        if person is None:
            return UNKNOWN
        guest = meeting.guests.get(person)
        return guest.name if guest else names.get(person, UNKNOWN)

    blocks: list[Block] = [Heading("I. THỜI GIAN, ĐỊA ĐIỂM")]
    if meeting.started_at is not None:
        blocks.append(para(bold("Bắt đầu: "), vn_time(meeting.started_at) + "."))
    blocks.append(para(bold("Địa điểm: "), meeting.place + "."))
    if meeting.is_late:
        blocks.append(para(italic("Cuộc sinh hoạt họp ngoài khung ngày quy định của chi bộ.")))

    blocks += [Heading("II. THÀNH PHẦN"), *_attendance(meeting, name)]
    blocks += [Heading("III. NỘI DUNG SINH HOẠT"), Bullets(meeting.agenda or ("(không ghi)",))]

    blocks.append(Heading("IV. DIỄN BIẾN"))
    blocks += _opinions(meeting, name, free.opinion_wording)
    blocks += _motions(meeting, name)
    turns = [name(m) for m in meeting.self_criticisms]
    blocks.append(para(bold("3. Tự phê bình và phê bình: "), _count_names(turns, "lượt")))

    conclusion = free.conclusion or (meeting.minutes or "")
    blocks += [Heading("V. KẾT LUẬN CỦA CHỦ TRÌ"), para(conclusion or "(chưa ghi kết luận)")]
    blocks += [Heading("VI. ĐÁNH GIÁ CHẤT LƯỢNG SINH HOẠT"), *_quality(meeting)]
    blocks += [Heading("VII. THU NỘP ĐẢNG PHÍ"), *_dues(meeting, name)]
    blocks += [Heading("VIII. KẾT THÚC"), *_closing(meeting)]
    if meeting.corrections:
        blocks.append(Heading("ĐÍNH CHÍNH SAU CUỘC HỌP"))
        blocks.append(
            Bullets(
                tuple(f"{_CORRECTION.get(c.what, c.what)}: {c.reason}" for c in meeting.corrections)
            )
        )
    blocks.append(
        Signatures(
            (
                Signature("", "THƯ KÝ", name(meeting.secretary_id)),
                Signature("", "CHỦ TRÌ", name(meeting.chair_id)),
            )
        )
    )
    return _document(meeting, head, "BB", "Biên bản", blocks)


_CORRECTION = {
    "AttendanceCorrected": "Đính chính điểm danh",
    "TallyCorrected": "Đính chính kết quả biểu quyết",
    "MinutesCorrected": "Đính chính biên bản",
    "DuesCorrected": "Đính chính đảng phí",
}


def _count_names(people: list[str], unit: str = "đồng chí") -> str:
    if not people:
        return "không có."
    return f"{len(people)} {unit}: " + ", ".join(people) + "."


def _attendance(meeting: Meeting, name: Namer) -> list[Block]:
    n = name
    roster = list(meeting.roster.values())
    official = sum(1 for e in roster if e.status is MemberStatus.OFFICIAL)
    exempted = [n(e.member_id) for e in roster if e.exempted]
    present = [e for e in roster if e.member_id in meeting.present]
    absent = [
        (e.member_id, meeting.attendance.get(e.member_id))
        for e in roster
        if e.member_id not in meeting.present
    ]
    blocks: list[Block] = [
        para(bold("Chủ trì: "), "đồng chí " + n(meeting.chair_id) + "."),
        para(bold("Thư ký: "), "đồng chí " + n(meeting.secretary_id) + "."),
        para(
            bold("Tổng số đảng viên của chi bộ: "),
            f"{len(roster)} đồng chí (chính thức {official}, dự bị {len(roster) - official}).",
        ),
        para(bold("Miễn sinh hoạt: "), _count_names(exempted)),
        para(
            bold("Có mặt: "),
            f"{len(present)}/{len(roster)} đồng chí ({percent(len(present), len(roster))}).",
        ),
        para(bold("Vắng mặt: "), f"{len(absent)} đồng chí" + (":" if absent else ".")),
    ]
    if absent:
        rows = []
        for i, (member, mark) in enumerate(absent, 1):
            reason = meeting.absence_reasons.get(member, "")
            how = labels.label(mark) if mark else "chưa điểm danh"
            rows.append((str(i), n(member), how, reason))
        blocks.append(
            Table(("STT", "Họ và tên", "Tình trạng", "Lý do"), tuple(rows), (0,), (0.5, 3, 2, 3))
        )
    guests = list(meeting.guests.values())
    blocks.append(para(bold("Khách mời: "), f"{len(guests)} đồng chí" + (":" if guests else ".")))
    if guests:
        blocks.append(
            Bullets(
                tuple(
                    g.name
                    + (f", {g.position}" if g.position else "")
                    + (" — cấp ủy cấp trên dự sinh hoạt" if g.is_superior else "")
                    for g in guests
                )
            )
        )
    return blocks


def _opinions(meeting: Meeting, name: Namer, wording: Mapping[int, str]) -> list[Block]:
    members = sum(1 for o in meeting.opinions if not o.by_guest)
    speakers = len({o.speaker_id for o in meeting.opinions if not o.by_guest})
    head = para(
        bold("1. Ý kiến phát biểu: "),
        f"{speakers} đảng viên phát biểu {members} ý kiến"
        + (
            f"; khách mời phát biểu {len(meeting.opinions) - members} ý kiến"
            if members < len(meeting.opinions)
            else ""
        )
        + ".",
    )
    if not meeting.opinions:
        return [head]
    rows = tuple(
        (str(i), name(o.speaker_id), wording.get(i, o.topic))
        for i, o in enumerate(meeting.opinions, 1)
    )
    return [head, Table(("STT", "Người phát biểu", "Nội dung ý kiến"), rows, (0,), (0.5, 2.5, 6))]


def _motions(meeting: Meeting, name: Namer) -> list[Block]:
    motions = list(meeting.motions.values())
    head = para(bold("2. Biểu quyết: "), f"{len(motions)} vấn đề." if motions else "không có.")
    if not motions:
        return [head]
    rows = []
    for i, m in enumerate(motions, 1):
        title = m.title + (f" (đồng chí {name(m.subject_id)})" if m.subject_id else "")
        decided = m.result is not None
        rows.append(
            (
                str(i),
                title,
                labels.label(m.method) if decided else "—",
                str(m.votes_for) if decided else "—",
                str(m.against) if decided else "—",
                str(m.abstain) if decided else "—",
                f"{m.required}/{m.base}" if decided else "—",
                labels.label(m.result) if m.result else "chưa biểu quyết",
            )
        )
    table = Table(
        ("STT", "Vấn đề", "Hình thức", "Tán thành", "Không tán thành", "Không biểu quyết",
         "Cần/Cơ sở", "Kết quả"),
        tuple(rows),
        (0, 3, 4, 5, 6),
        (0.7, 4, 1.6, 1.2, 1.2, 1.2, 1.1, 1.5),
    )  # fmt: skip
    return [head, table]


def _quality(meeting: Meeting) -> list[Block]:
    scores, rating = meeting.quality_scores, meeting.quality_rating
    if scores is None or rating is None:
        return [para("Chưa đánh giá.")]
    rows = (
        ("1", "Tỷ lệ dự họp", str(scores.attendance)),
        ("2", "Chuẩn bị sinh hoạt", str(scores.preparation)),
        ("3", "Tiến hành sinh hoạt", str(scores.conduct)),
        ("4", "Nguyên tắc, tự phê bình và phê bình", str(scores.principles)),
        ("5", "Thực hiện nghị quyết kỳ trước", str(scores.implementation)),
    )
    return [
        Table(("STT", "Nhóm tiêu chí", "Điểm"), rows, (0, 2), (0.5, 6, 1)),
        para(
            bold("Tổng điểm: "),
            f"{scores.total}/100; ",
            bold("xếp loại: "),
            labels.label(rating) + ".",
        ),
    ]


def _dues(meeting: Meeting, name: Namer) -> list[Block]:
    if meeting.dues_total_vnd is None:
        return [para("Chưa ghi nhận thu đảng phí.")]
    payers = set(meeting.dues_payer_ids)
    unpaid = [name(m) for m in meeting_dues.unpaid(meeting) if m in meeting.present]
    return [
        para(
            bold("Tổng số tiền: "),
            f"{vnd(meeting.dues_total_vnd)}, do {len(payers)} đồng chí nộp.",
        ),
        para(bold("Có mặt nhưng chưa nộp: "), _count_names(sorted(unpaid))),
    ]


def _closing(meeting: Meeting) -> list[Block]:
    blocks: list[Block] = []
    if meeting.ended_at is not None:
        length = meeting.length_minutes or 0
        blocks.append(
            para(
                f"Buổi sinh hoạt kết thúc vào {vn_time(meeting.ended_at)}; "
                f"thời gian sinh hoạt {length // 60} giờ {length % 60:02d} phút."
            )
        )
    else:
        blocks.append(para(italic("Cuộc sinh hoạt chưa kết thúc.")))
    approval = next((m for m in meeting.motions.values() if m.kind is MotionKind.MINUTES), None)
    if approval is not None and approval.result is not None:
        blocks.append(
            para(
                f"Biên bản đã được đọc trước chi bộ; chi bộ biểu quyết "
                f"{labels.label(approval.result)} với {approval.votes_for} tán thành, "
                f"{approval.against} không tán thành, {approval.abstain} không biểu quyết."
            )
        )
    return blocks


def build_resolution(
    meeting: Meeting, head: Letterhead, names: Mapping[UUID, str], free: FreeParts
) -> Document:
    """The cell's resolution (nghị quyết chi bộ) adopted at ``meeting``."""
    roster = len(meeting.roster)
    present = len(meeting.present & set(meeting.roster))
    chair = names.get(meeting.chair_id, UNKNOWN) if meeting.chair_id else UNKNOWN
    day = vn_date(meeting.held_on) if meeting.held_on else "(chưa họp)"
    passed = [
        m.title
        for m in meeting.motions.values()
        if m.result is MotionResult.PASSED and m.kind is not MotionKind.MINUTES
    ]
    decisions = free.decisions or tuple(passed) or ("(chưa ghi nội dung quyết nghị)",)
    blocks: list[Block] = [
        para(
            f"Ngày {day}, {head.cell} họp {labels.label(meeting.kind)} tại {meeting.place}, "
            f"có mặt {present}/{roster} đảng viên, do đồng chí {chair} chủ trì."
        ),
        para("Sau khi thảo luận, chi bộ thống nhất"),
        para(bold("QUYẾT NGHỊ"), center=True),
        *(para(f"{i}. {d}") for i, d in enumerate(decisions, 1)),
    ]
    if free.conclusion:
        blocks.append(para(free.conclusion))
    votes = [m for m in meeting.motions.values() if m.kind is MotionKind.GENERAL and m.result]
    if votes:
        v = votes[-1]
        blocks.append(
            para(
                italic(
                    f"Nghị quyết được chi bộ biểu quyết {labels.label(v.result)}: "
                    f"{v.votes_for} tán thành, {v.against} không tán thành, "
                    f"{v.abstain} không biểu quyết."
                )
            )
        )
    # The signature sits on the right, as the form places it; the left column stays empty.
    blocks.append(Signatures((Signature("", "", ""), Signature("T/M CHI BỘ", "BÍ THƯ", chair))))
    return _document(meeting, head, "NQ", "Nghị quyết", blocks)
