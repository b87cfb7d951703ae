"""The papers of a meeting (tài liệu sinh hoạt chi bộ), posted for members before it.

HD 42-HD/BTCTW (28/10/2025) asks that a cell meeting's documents — agenda, monthly report,
draft resolution, material of a thematic meeting — be posted for the members at least one day
before the meeting (tài liệu gửi trước ít nhất 01 ngày). The bytes live in the province's
document store, keyed by their SHA-256; the events here record the hash, the file name, the
type (decided from the content), the size and who attached it, so the audit chain covers the
papers too.

Rules:

- **One day before** (:func:`posted_in_time`): a paper counts as posted in time when it was
  posted at least 24 hours before the meeting's scheduled start. The rule counts calendar time:
  a weekend or a public holiday between the two is part of the day, as the guidance says
  nothing of working days. A late paper is still accepted and flagged.
- **Locked once the meeting opens** (khóa khi khai mạc): no new paper after that; replacing one
  is a correction (đính chính) with a reason, and every earlier version stays in the log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum
from uuid import UUID, uuid5

from domain.base import Actor, ChiboAggregate, RuleViolated, require_text
from domain.meeting_papers_errors import (
    CorrectionNeedsReason,
    DuplicatePaper,
    PapersLocked,
    UnknownPaper,
)

_NAMESPACE = UUID("0b6f3d0e-9c51-4d8e-8a4f-5c2d7e1a9b30")
ONE_DAY = timedelta(hours=24)
MAX_PAPERS = 50
"""Per meeting: more is a mistake (a folder dropped whole), not a meeting's papers."""


class PaperKind(str, Enum):
    """What a paper is for."""

    AGENDA = "agenda"  # chương trình sinh hoạt
    REPORT = "report"  # báo cáo tháng
    DRAFT_RESOLUTION = "draft_resolution"  # dự thảo nghị quyết
    MATERIAL = "material"  # tài liệu sinh hoạt chuyên đề
    OTHER = "other"  # tài liệu khác


def papers_id(meeting_id: UUID) -> UUID:
    """One papers aggregate per meeting, its id derived from the meeting's."""
    return uuid5(_NAMESPACE, str(meeting_id))


def posted_in_time(posted_at: datetime, meeting_at: datetime) -> bool:
    """At least one day (24 hours, calendar time) before the meeting's start."""
    return posted_at <= meeting_at - ONE_DAY


@dataclass(frozen=True, slots=True)
class PaperFile:
    """A stored file as the document store describes it."""

    name: str
    content_type: str
    size: int
    sha256: str


@dataclass(frozen=True, slots=True)
class PaperVersion:
    file: PaperFile
    posted_at: datetime
    in_time: bool
    actor: str
    reason: str


@dataclass(slots=True)
class Paper:
    paper_id: UUID
    kind: PaperKind
    title: str
    versions: list[PaperVersion] = field(default_factory=list)

    @property
    def current(self) -> PaperVersion:
        return self.versions[-1]


class MeetingPapers(ChiboAggregate):
    """The papers of one meeting (tài liệu của cuộc sinh hoạt)."""

    class Started(ChiboAggregate.Created):
        meeting_id: UUID
        cell_id: UUID

    class Attached(ChiboAggregate.Event):
        paper_id: UUID
        kind: PaperKind
        title: str
        name: str
        content_type: str
        size: int
        sha256: str
        posted_at: datetime
        meeting_at: datetime
        in_time: bool

        def apply(self, p: MeetingPapers) -> None:
            paper = Paper(self.paper_id, self.kind, self.title)
            paper.versions.append(self._version(""))
            p.papers[self.paper_id] = paper

        def _version(self, reason: str) -> PaperVersion:
            file = PaperFile(self.name, self.content_type, self.size, self.sha256)
            return PaperVersion(file, self.posted_at, self.in_time, self.actor, reason)

    class Replaced(ChiboAggregate.Event):
        """A new version of a paper; after the meeting opened, a correction with its reason."""

        paper_id: UUID
        name: str
        content_type: str
        size: int
        sha256: str
        posted_at: datetime
        meeting_at: datetime
        in_time: bool
        reason: str

        def apply(self, p: MeetingPapers) -> None:
            file = PaperFile(self.name, self.content_type, self.size, self.sha256)
            version = PaperVersion(file, self.posted_at, self.in_time, self.actor, self.reason)
            p.papers[self.paper_id].versions.append(version)

    def __init__(self, meeting_id: UUID, cell_id: UUID) -> None:
        self.meeting_id = meeting_id
        self.cell_id = cell_id
        self.papers: dict[UUID, Paper] = {}

    @classmethod
    def start(cls, meeting_id: UUID, cell_id: UUID, by: Actor) -> MeetingPapers:
        return cls._found(
            cls.Started, by, papers_id(meeting_id), meeting_id=meeting_id, cell_id=cell_id
        )

    def attach(
        self,
        paper_id: UUID,
        kind: PaperKind,
        title: str,
        file: PaperFile,
        posted_at: datetime,
        meeting_at: datetime,
        meeting_opened: bool,
        by: Actor,
    ) -> None:
        """Post a new paper; refused once the meeting has opened."""
        if meeting_opened:
            raise PapersLocked(
                "Cuộc sinh hoạt đã khai mạc: tài liệu đã khóa, không thêm được tài liệu mới",
                "the meeting has opened: its papers are locked, no new paper can be attached",
            )
        if len(self.papers) >= MAX_PAPERS:
            raise RuleViolated(
                f"Một cuộc sinh hoạt có tối đa {MAX_PAPERS} tài liệu",
                f"a meeting has at most {MAX_PAPERS} papers",
            )
        self._not_already_posted(file.sha256)
        self._record(
            self.Attached,
            by,
            paper_id=paper_id,
            kind=kind,
            title=require_text(title, "title", "Tên tài liệu", 300),
            posted_at=posted_at,
            meeting_at=meeting_at,
            in_time=posted_in_time(posted_at, meeting_at),
            **_file_fields(file),
        )

    def replace(
        self,
        paper_id: UUID,
        file: PaperFile,
        posted_at: datetime,
        meeting_at: datetime,
        meeting_opened: bool,
        reason: str,
        by: Actor,
    ) -> None:
        """A new version; once the meeting has opened only as a correction with a reason."""
        paper = self.paper(paper_id)
        reason = reason.strip()
        if meeting_opened and not reason:
            raise CorrectionNeedsReason(
                "Cuộc sinh hoạt đã khai mạc: thay tài liệu là đính chính, cần ghi lý do",
                "the meeting has opened: a replacement is a correction and needs a reason",
                field="reason",
            )
        if paper.current.file.sha256 == file.sha256:
            raise DuplicatePaper(
                "Tệp này giống hệt phiên bản hiện tại", "this file is the current version already"
            )
        self._record(
            self.Replaced,
            by,
            paper_id=paper_id,
            posted_at=posted_at,
            meeting_at=meeting_at,
            in_time=posted_in_time(posted_at, meeting_at),
            reason=require_text(reason, "reason", "Lý do", 1000) if reason else "",
            **_file_fields(file),
        )

    def paper(self, paper_id: UUID) -> Paper:
        found = self.papers.get(paper_id)
        if found is None:
            raise UnknownPaper(
                "Không tìm thấy tài liệu này", "no such paper", paper_id=str(paper_id)
            )
        return found

    def holds(self, sha256: str) -> bool:
        """Whether any version of any paper has this content (downloads are checked by it)."""
        return any(v.file.sha256 == sha256 for p in self.papers.values() for v in p.versions)

    def _not_already_posted(self, sha256: str) -> None:
        for paper in self.papers.values():
            if paper.current.file.sha256 == sha256:
                raise DuplicatePaper(
                    f"Tệp này đã được đăng với tên «{paper.title}»",
                    f"this file is already posted as '{paper.title}'",
                    paper_id=str(paper.paper_id),
                )


def _file_fields(file: PaperFile) -> dict[str, object]:
    return {
        "name": require_text(file.name, "name", "Tên tệp", 255),
        "content_type": file.content_type,
        "size": file.size,
        "sha256": file.sha256,
    }
