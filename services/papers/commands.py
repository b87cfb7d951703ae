"""Application services for a meeting's papers (tài liệu sinh hoạt): attach, replace, read.

The bytes are stored first (streamed into the document store, which answers with the hash);
then the meeting is loaded and the papers aggregate decides, with the meeting's scheduled start
(for the one-day rule) and whether it has opened (papers lock then). A refused command leaves
the bytes stored but unnamed by any event, like any other unused blob.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from domain.base import Actor
from domain.meeting import Meeting
from domain.meeting_papers import MeetingPapers, Paper, PaperFile, PaperKind, papers_id
from domain.meeting_papers_errors import UnknownPaper
from infra import document_store as store
from infra.application import TenantApplication
from services.meetings.commands import load_meeting


def find(app: TenantApplication, meeting_id: UUID) -> MeetingPapers | None:
    try:
        papers: MeetingPapers = app.repository.get(papers_id(meeting_id))
    except AggregateNotFoundError:
        return None
    return papers


def now() -> datetime:
    return datetime.now(UTC)


def _meeting_facts(meeting: Meeting) -> tuple[datetime, bool]:
    """The start the one-day rule counts back from, and whether the papers are locked."""
    return meeting.scheduled_at, meeting.started_at is not None


def attach(
    app: TenantApplication,
    by: Actor,
    meeting_id: UUID,
    kind: PaperKind,
    title: str,
    file: PaperFile,
    posted_at: datetime | None = None,
) -> tuple[MeetingPapers, UUID, int]:
    meeting = load_meeting(app, meeting_id)
    papers = find(app, meeting_id) or MeetingPapers.start(meeting_id, meeting.cell_id, by)
    paper_id = uuid4()
    meeting_at, opened = _meeting_facts(meeting)
    papers.attach(paper_id, kind, title, file, posted_at or now(), meeting_at, opened, by)
    return papers, paper_id, app.save_all(papers)


def replace(
    app: TenantApplication,
    by: Actor,
    meeting_id: UUID,
    paper_id: UUID,
    file: PaperFile,
    reason: str,
    posted_at: datetime | None = None,
) -> tuple[MeetingPapers, int]:
    meeting = load_meeting(app, meeting_id)
    papers = existing(app, meeting_id)
    meeting_at, opened = _meeting_facts(meeting)
    papers.replace(paper_id, file, posted_at or now(), meeting_at, opened, reason, by)
    return papers, app.save_all(papers)


def existing(app: TenantApplication, meeting_id: UUID) -> MeetingPapers:
    papers = find(app, meeting_id)
    if papers is None:
        load_meeting(app, meeting_id)  # an unknown meeting answers as such
        raise UnknownPaper("Cuộc sinh hoạt này chưa có tài liệu", "this meeting has no papers")
    return papers


def listed(app: TenantApplication, meeting_id: UUID) -> tuple[Meeting, list[Paper]]:
    meeting = load_meeting(app, meeting_id)
    found = find(app, meeting_id)
    return meeting, list(found.papers.values()) if found else []


def download(
    app: TenantApplication,
    meeting_id: UUID,
    paper_id: UUID,
    version: int | None,
    reader: str,
    member_id: UUID | None,
) -> tuple[PaperFile, Iterator[bytes]]:
    """The file of a paper's version (the current one by default); the read is recorded."""
    paper = existing(app, meeting_id).paper(paper_id)
    if version is None:
        chosen = paper.current
    elif 1 <= version <= len(paper.versions):
        chosen = paper.versions[version - 1]
    else:
        raise UnknownPaper(
            f"Tài liệu không có phiên bản {version}", f"the paper has no version {version}"
        )
    store.record_read(app, meeting_id, paper_id, chosen.file.sha256, reader, member_id)
    return chosen.file, store.read_chunks(app, chosen.file.sha256)
