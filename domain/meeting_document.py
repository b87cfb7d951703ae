"""The documents of a meeting (văn bản của cuộc sinh hoạt): its minutes and its resolution.

The minutes (biên bản) and the resolution (nghị quyết) are drafted from the meeting's events;
only their free parts (phần tự do: the conclusion, the wording of each opinion, the decisions of
a resolution) are written by the secretary, here, before the vote that approves them. Approval
locks a version: the event that approves it stores the version's whole content and its SHA-256,
so every version can be downloaded again exactly and checked against the log. A later
correction (đính chính) carries its reason and produces the next version; nothing is edited.

The content is opaque here (canonical JSON made by ``services.documents``); the aggregate only
guards the order of things and the hash.
"""

from __future__ import annotations

import hashlib
from enum import Enum
from uuid import UUID, uuid5

from domain.base import Actor, ChiboAggregate, InvalidValue, require_text
from domain.meeting_document_errors import (
    ContentHashMismatch,
    DocumentAlreadyApproved,
    DocumentLocked,
    DocumentNotApproved,
    UnknownDocumentVersion,
)

_NAMESPACE = UUID("6f1d1c2e-6a52-4c8e-9a51-0d8c3c1b7a10")
FREE_TEXT_MAX = 20_000


class DocumentKind(str, Enum):
    """Which paper of the meeting."""

    MINUTES = "minutes"  # biên bản sinh hoạt chi bộ
    RESOLUTION = "resolution"  # nghị quyết chi bộ


def document_id(meeting_id: UUID, kind: DocumentKind) -> UUID:
    """One document of each kind per meeting, found without an index."""
    return uuid5(_NAMESPACE, f"{meeting_id}:{kind.value}")


def content_hash(content: str) -> str:
    """The SHA-256 of a version's canonical content, as lowercase hex."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


class MeetingDocument(ChiboAggregate):
    """The minutes or the resolution of one meeting, with its approved versions."""

    class Started(ChiboAggregate.Created):
        meeting_id: UUID
        kind: DocumentKind

    class FreePartsEdited(ChiboAggregate.Event):
        """The secretary's wording: the conclusion, the decisions, opinions re-worded by index."""

        conclusion: str
        decisions: tuple[str, ...]
        opinion_wording: tuple[tuple[int, str], ...]

        def apply(self, d: MeetingDocument) -> None:
            d.conclusion, d.decisions = self.conclusion, self.decisions
            d.opinion_wording = dict(self.opinion_wording)

    class VersionApproved(ChiboAggregate.Event):
        """A version locked by the vote ``motion_id``; ``content`` is canonical JSON."""

        version_no: int
        motion_id: UUID
        content: str
        sha256: str

        def apply(self, d: MeetingDocument) -> None:
            d.versions.append((self.sha256, self.content))
            d.approved_by = self.motion_id

    class VersionCorrected(VersionApproved):
        """A later correction of an approved version, with its reason (lý do đính chính)."""

        reason: str

    def __init__(self, meeting_id: UUID, kind: DocumentKind) -> None:
        self.meeting_id, self.kind = meeting_id, kind
        self.conclusion = ""
        self.decisions: tuple[str, ...] = ()
        self.opinion_wording: dict[int, str] = {}
        self.versions: list[tuple[str, str]] = []
        self.approved_by: UUID | None = None

    @classmethod
    def start(cls, meeting_id: UUID, kind: DocumentKind, by: Actor) -> MeetingDocument:
        return cls._found(
            cls.Started, by, document_id(meeting_id, kind), meeting_id=meeting_id, kind=kind
        )

    @property
    def is_locked(self) -> bool:
        return bool(self.versions)

    def edit_free_parts(
        self,
        conclusion: str,
        decisions: tuple[str, ...],
        opinion_wording: dict[int, str],
        by: Actor,
    ) -> None:
        """Before approval only: the vote approves what was read out, then it is locked."""
        if self.is_locked:
            raise DocumentLocked(
                "Văn bản đã được thông qua và khóa; muốn sửa hãy đính chính, nêu lý do",
                "the document is approved and locked; issue a correction with its reason",
            )
        self._record_free_parts(conclusion, decisions, opinion_wording, by)

    def _record_free_parts(
        self, conclusion: str, decisions: tuple[str, ...], wording: dict[int, str], by: Actor
    ) -> None:
        self._record(
            self.FreePartsEdited,
            by,
            conclusion=_free(conclusion, "conclusion", "Kết luận"),
            decisions=tuple(
                require_text(d, "decisions", "Nội dung quyết nghị", 2000) for d in decisions
            ),
            opinion_wording=tuple(
                sorted(
                    (i, require_text(t, "opinion_wording", "Ý kiến", 2000))
                    for i, t in wording.items()
                )
            ),
        )

    def approve(self, motion_id: UUID, content: str, by: Actor) -> str:
        """Lock the first version, approved by the passed vote ``motion_id``; return its hash."""
        if self.is_locked:
            raise DocumentAlreadyApproved(
                "Văn bản đã được thông qua; muốn sửa hãy đính chính, nêu lý do",
                "the document is already approved; issue a correction instead",
            )
        digest = content_hash(content)
        self._record(
            self.VersionApproved,
            by,
            version_no=1,
            motion_id=motion_id,
            content=content,
            sha256=digest,
        )
        return digest

    def correct(
        self,
        content: str,
        reason: str,
        by: Actor,
        free_parts: tuple[str, tuple[str, ...], dict[int, str]] | None = None,
    ) -> str:
        """A new version after approval, with its reason; the earlier ones stay as they were."""
        if not self.is_locked:
            raise DocumentNotApproved(
                "Văn bản chưa được thông qua: hãy sửa bản dự thảo",
                "the document is not approved yet: edit the draft instead",
            )
        reason = require_text(reason, "reason", "Lý do đính chính", 2000)
        if free_parts is not None:
            self._record_free_parts(*free_parts, by=by)
        digest = content_hash(content)
        if digest == self.versions[-1][0]:
            raise InvalidValue(
                "Bản đính chính không khác bản đã thông qua",
                "the correction changes nothing in the approved version",
                field="reason",
            )
        self._record(
            self.VersionCorrected,
            by,
            version_no=len(self.versions) + 1,
            motion_id=self.approved_by,
            content=content,
            sha256=digest,
            reason=reason,
        )
        return digest

    def approved_version(self, number: int) -> tuple[str, str]:
        """(sha256, content) of version ``number`` (1-based), checked against its hash."""
        if not 1 <= number <= len(self.versions):
            raise UnknownDocumentVersion(
                f"Không có phiên bản {number} (có {len(self.versions)} phiên bản)",
                f"no version {number} (there are {len(self.versions)})",
                field="version",
            )
        digest, content = self.versions[number - 1]
        if content_hash(content) != digest:
            raise ContentHashMismatch(
                f"Phiên bản {number} không khớp mã SHA-256 đã ghi",
                f"version {number} does not match its recorded SHA-256",
            )
        return digest, content


def _free(text: str, field: str, vi_name: str) -> str:
    text = text.strip()
    if len(text) > FREE_TEXT_MAX:
        raise InvalidValue(
            f"{vi_name} dài quá {FREE_TEXT_MAX} ký tự",
            f"{field} is longer than {FREE_TEXT_MAX} characters",
            field=field,
        )
    return text
