"""A sample meeting in memory (seed 001 in small), for the pictures in ``docs/documents.md``.

Built with the domain's own commands, so the sample obeys every rule a real meeting does.
Run ``python -m services.documents.sample OUT_DIR`` to write the sample minutes and resolution
as PDF and DOCX; ``docs/documents.md`` says how its pictures are made from them.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from uuid import UUID, uuid4

from domain.base import SYSTEM
from domain.meeting import Meeting
from domain.meeting_values import AttendanceEntry, AttendanceMark, MeetingKind
from domain.member import MemberStatus
from domain.org_unit import MeetingWindow
from domain.province import QualityThresholds
from domain.quality import QualityScores
from domain.roster import Standing
from domain.voting import MotionKind, VotingMethod
from services.documents.minutes import FreeParts, Letterhead, build_minutes, build_resolution
from services.documents.model import VN
from services.documents.render import to_docx, to_pdf

NAMES = (
    "Nguyễn Thị Hương", "Trần Văn Dũng", "Lê Hữu Thắng", "Phạm Ngọc Yến", "Đặng Quang Việt",
    "Huỳnh Thị Mai", "Bùi Đức Long", "Võ Thị Quyên",
)  # fmt: skip
HEAD = Letterhead("Chi bộ thôn Đồng Ích", "Đảng bộ xã Tùy Sơn", "Vĩnh Phúc")


def sample_meeting() -> tuple[Meeting, dict[UUID, str]]:
    ids = [uuid4() for _ in NAMES]
    names = dict(zip(ids, NAMES, strict=True))
    roster = {
        m: Standing(MemberStatus.OFFICIAL if i < 7 else MemberStatus.PROBATIONARY, False, False)
        for i, m in enumerate(ids)
    }
    at = datetime(2023, 11, 3, 14, 0, tzinfo=VN)
    agenda = (
        "Thông tin thời sự; phổ biến chủ trương, văn bản của Đảng, Nhà nước",
        "Báo cáo kết quả tháng 10, phương hướng nhiệm vụ tháng 11 năm 2023",
        "Công nhận đảng viên chính thức",
        "Tự phê bình và phê bình xoay vòng",
        "Kết luận, đánh giá chất lượng; thông qua biên bản; thu nộp đảng phí",
    )
    m = Meeting.schedule(
        uuid4(),
        uuid4(),
        MeetingKind.REGULAR,
        (2023, 11),
        at,
        "Nhà văn hóa thôn",
        agenda,
        "",
        SYSTEM,
    )
    m.open(at, ids[0], ids[1], roster, MeetingWindow(1, 5), SYSTEM)
    entries = [AttendanceEntry(x, AttendanceMark.PRESENT) for x in ids[:6]]
    entries += [
        AttendanceEntry(ids[6], AttendanceMark.EXCUSED, "Đi công tác tỉnh"),
        AttendanceEntry(ids[7], AttendanceMark.PRESENT),
    ]
    m.mark_attendance(entries, SYSTEM)
    guest = m.add_guest("Hoàng Minh Tâm", "Đảng ủy viên xã", True, None, SYSTEM)
    for speaker, topic in (
        (ids[2], "Bổ sung báo cáo kết quả thực hiện nhiệm vụ tháng 10"),
        (ids[3], "Đề xuất thực hiện mô hình «chi bộ bốn tốt»"),
        (ids[4], "Nâng cao ý thức phòng cháy chữa cháy trong khu dân cư"),
        (guest, "Phát biểu chỉ đạo của đồng chí đảng ủy viên phụ trách chi bộ"),
    ):
        m.record_opinion(speaker, topic, SYSTEM)
    recognition = uuid4()
    m.propose_motion(
        recognition, MotionKind.RECOGNITION, "Công nhận đảng viên chính thức", ids[7], SYSTEM
    )
    m.record_tally(recognition, VotingMethod.SHOW_OF_HANDS, 6, 0, 0, SYSTEM)
    plan = uuid4()
    m.propose_motion(plan, MotionKind.GENERAL, "Nghị quyết tháng 11 năm 2023", None, SYSTEM)
    m.record_tally(plan, VotingMethod.SHOW_OF_HANDS, 6, 0, 0, SYSTEM)
    m.record_self_criticism(ids[2], SYSTEM)
    m.record_minutes("Thư ký đọc dự thảo biên bản", SYSTEM)
    # The assessment follows the minutes; the sample has no pre-meeting, so Tốt says why.
    m.assess_quality(
        QualityScores(19, 18, 19, 18, 18),
        QualityThresholds(),
        SYSTEM,
        reason="Chi ủy thống nhất nội dung trước kỳ họp",
    )
    approval = uuid4()
    m.propose_motion(approval, MotionKind.MINUTES, "Thông qua biên bản", None, SYSTEM)
    m.record_tally(approval, VotingMethod.SHOW_OF_HANDS, 6, 0, 0, SYSTEM)
    m.collect_dues(350_000, ids[:6], sorted(m.present - set(ids[:6]), key=str), SYSTEM)
    m.close(datetime(2023, 11, 3, 16, 15, tzinfo=VN), SYSTEM)
    return m, names


FREE = FreeParts(
    conclusion=(
        "Chi bộ thống nhất cao với báo cáo và phương hướng tháng 11; giao chi ủy xây dựng kế "
        "hoạch thực hiện mô hình «chi bộ bốn tốt», báo cáo tại kỳ sinh hoạt tháng 12."
    ),
    decisions=(
        "Hoàn thành thu nộp đảng phí quý IV đúng hạn.",
        "Triển khai mô hình «chi bộ bốn tốt» trong khu dân cư.",
        "Làm thủ tục đề nghị công nhận đảng viên chính thức cho đồng chí Võ Thị Quyên.",
    ),
)


def main(out: Path) -> None:
    meeting, names = sample_meeting()
    out.mkdir(parents=True, exist_ok=True)
    footer = "Bản mẫu — dữ liệu minh họa"
    for stem, doc in (
        ("minutes", build_minutes(meeting, HEAD, names, FREE)),
        ("resolution", build_resolution(meeting, HEAD, names, FREE)),
    ):
        (out / f"{stem}.pdf").write_bytes(to_pdf(doc, footer))
        (out / f"{stem}.docx").write_bytes(to_docx(doc, footer))


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "."))
