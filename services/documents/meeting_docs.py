"""Application services for a meeting's documents: the draft, its free parts, approval, versions.

The draft is drawn afresh from the meeting on every request. Editing its free parts is allowed
until the cell votes on it; approval needs that vote passed (a ``minutes`` motion for the
minutes, a ``general`` motion for a resolution) and the meeting closed, so the locked version
holds the closing time and the dues. Approval and every later correction store the version's
canonical content and SHA-256 in their event (``MeetingDocument.VersionApproved``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError

from domain.base import Actor, RuleViolated, StateConflict
from domain.meeting import Meeting
from domain.meeting_document import DocumentKind, MeetingDocument, document_id
from domain.member import Member
from domain.org_unit import Level, OrgUnit
from domain.voting import MotionKind, MotionResult
from infra.application import TenantApplication
from services.documents.minutes import FreeParts, Letterhead, build_minutes, build_resolution
from services.documents.model import Document, canonical, from_canonical, place_of
from services.meetings.commands import load_meeting
from services.membership.org import check_version, load


class MotionDoesNotApprove(RuleViolated):
    """Only a passed vote of the right kind approves a document."""

    code = "motion_does_not_approve"


class MeetingStillOpen(StateConflict):
    code = "meeting_still_open"


class DraftAlreadyVoted(StateConflict):
    """The minutes were voted on as read out: after that, approve them, then correct."""

    code = "draft_already_voted"


@dataclass(frozen=True)
class VersionInfo:
    number: int
    sha256: str
    approved_at: datetime
    actor: str
    reason: str


def letterhead(app: TenantApplication, cell_id: UUID) -> Letterhead:
    """The cell, its superior body, and the place: the province's name without its prefix."""
    cell = load(app, OrgUnit, cell_id)
    chain = [cell]
    while chain[-1].parent_id is not None and len(chain) < 10:
        chain.append(load(app, OrgUnit, chain[-1].parent_id))
    superior = chain[1].name if len(chain) > 1 else ""
    root = next((u for u in chain if u.level is Level.PROVINCE), chain[-1])
    return Letterhead(cell=cell.name, superior=superior, place=place_of(root.name))


def names_of(app: TenantApplication, meeting: Meeting) -> dict[UUID, str]:
    """The names of everyone the meeting mentions (roster, chair, secretary, subjects)."""
    people = set(meeting.roster) | {m.subject_id for m in meeting.motions.values() if m.subject_id}
    people |= {p for p in (meeting.chair_id, meeting.secretary_id) if p}
    names: dict[UUID, str] = {}
    for person in people:
        try:
            member: object = app.repository.get(person)
        except AggregateNotFoundError:
            continue
        if isinstance(member, Member):
            names[person] = member.full_name
    return names


def find(app: TenantApplication, meeting_id: UUID, kind: DocumentKind) -> MeetingDocument | None:
    try:
        doc: object = app.repository.get(document_id(meeting_id, kind))
    except AggregateNotFoundError:
        return None
    return doc if isinstance(doc, MeetingDocument) else None


def free_parts(doc: MeetingDocument | None) -> FreeParts:
    if doc is None:
        return FreeParts()
    return FreeParts(doc.conclusion, doc.decisions, dict(doc.opinion_wording))


def draft(
    app: TenantApplication, meeting: Meeting, kind: DocumentKind, free: FreeParts
) -> Document:
    build = build_minutes if kind is DocumentKind.MINUTES else build_resolution
    return build(meeting, letterhead(app, meeting.cell_id), names_of(app, meeting), free)


def current_draft(app: TenantApplication, meeting_id: UUID, kind: DocumentKind) -> Document:
    meeting = load_meeting(app, meeting_id)
    return draft(app, meeting, kind, free_parts(find(app, meeting_id, kind)))


def edit(
    app: TenantApplication,
    by: Actor,
    meeting_id: UUID,
    kind: DocumentKind,
    free: FreeParts,
    expected: int | None,
) -> tuple[MeetingDocument, int]:
    """Write the draft's free parts; refused once the cell has voted on it."""
    meeting = load_meeting(app, meeting_id)
    if kind is DocumentKind.MINUTES and meeting.minutes_approved:
        raise DraftAlreadyVoted(
            "Chi bộ đã biểu quyết thông qua biên bản: hãy khóa bản đã thông qua, sau đó đính chính",
            "the cell has voted the minutes: approve (lock) them, then issue a correction",
        )
    doc = find(app, meeting_id, kind) or MeetingDocument.start(meeting_id, kind, by)
    check_version(doc, expected)
    doc.edit_free_parts(free.conclusion, free.decisions, dict(free.opinion_wording), by)
    return doc, app.save_all(doc)


def approve(
    app: TenantApplication, by: Actor, meeting_id: UUID, kind: DocumentKind, motion_id: UUID
) -> tuple[MeetingDocument, str, int]:
    """Lock version 1, approved by the passed vote ``motion_id``."""
    meeting = load_meeting(app, meeting_id)
    _check_approving_vote(meeting, kind, motion_id)
    doc = find(app, meeting_id, kind) or MeetingDocument.start(meeting_id, kind, by)
    content = canonical(draft(app, meeting, kind, free_parts(doc)))
    digest = doc.approve(motion_id, content, by)
    return doc, digest, app.save_all(doc)


def correct(
    app: TenantApplication,
    by: Actor,
    meeting_id: UUID,
    kind: DocumentKind,
    reason: str,
    free: FreeParts | None,
) -> tuple[MeetingDocument, str, int]:
    """A new version: the meeting as it stands now (with its corrections) and new free parts."""
    meeting = load_meeting(app, meeting_id)
    doc = find(app, meeting_id, kind) or MeetingDocument.start(meeting_id, kind, by)
    parts = free or free_parts(doc)
    content = canonical(draft(app, meeting, kind, parts))
    new_free = (parts.conclusion, parts.decisions, dict(parts.opinion_wording)) if free else None
    digest = doc.correct(content, reason, by, new_free)
    return doc, digest, app.save_all(doc)


def approved(
    app: TenantApplication, meeting_id: UUID, kind: DocumentKind, number: int
) -> tuple[Document, str]:
    """Version ``number`` exactly as approved, after checking it against its recorded hash."""
    doc = find(app, meeting_id, kind)
    if doc is None:
        load_meeting(app, meeting_id)  # 404 for an unknown meeting
        return _no_versions(number)
    digest, content = doc.approved_version(number)
    return from_canonical(content), digest


def _no_versions(number: int) -> tuple[Document, str]:
    from domain.meeting_document_errors import UnknownDocumentVersion

    raise UnknownDocumentVersion(
        f"Văn bản chưa có phiên bản {number} được thông qua",
        f"the document has no approved version {number}",
        field="version",
    )


def versions(app: TenantApplication, meeting_id: UUID, kind: DocumentKind) -> list[VersionInfo]:
    """Every approved version, with who approved or corrected it, when, and why."""
    load_meeting(app, meeting_id)
    out: list[VersionInfo] = []
    for event in app.repository.event_store.get(document_id(meeting_id, kind)):
        if isinstance(event, MeetingDocument.VersionApproved):
            reason = event.reason if isinstance(event, MeetingDocument.VersionCorrected) else ""
            out.append(
                VersionInfo(event.version_no, event.sha256, event.timestamp, event.actor, reason)
            )
    return out


def _check_approving_vote(meeting: Meeting, kind: DocumentKind, motion_id: UUID) -> None:
    if not meeting.is_closed:
        raise MeetingStillOpen(
            "Hãy kết thúc cuộc sinh hoạt trước khi khóa văn bản (để ghi giờ kết thúc)",
            "close the meeting before locking its documents (the closing time goes in them)",
        )
    wanted = MotionKind.MINUTES if kind is DocumentKind.MINUTES else MotionKind.GENERAL
    motion = meeting.motions.get(motion_id)
    if motion is None or motion.kind is not wanted or motion.result is not MotionResult.PASSED:
        what = "thông qua biên bản" if kind is DocumentKind.MINUTES else "thông qua nghị quyết"
        raise MotionDoesNotApprove(
            f"Văn bản chỉ được khóa theo một lần biểu quyết «{what}» đã được thông qua",
            f"only a passed '{wanted.value}' vote approves this document",
            field="motion_id",
        )
