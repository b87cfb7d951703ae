"""HTTP routes for a meeting's documents: the draft, its free parts, approval, files per version.

``{kind}`` is ``minutes`` (biên bản) or ``resolution`` (nghị quyết). A file without
``version`` is the current draft, marked as such in its footer; with ``version`` it is that
approved version, checked against the SHA-256 its approving event recorded (the hash is sent
in the ``X-Content-SHA256`` header and printed in the footer).
"""

from __future__ import annotations

from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Response, get, post
from litestar.params import FromPath, JSONBody, QueryParameter

from domain.base import InvalidValue
from domain.meeting_document import DocumentKind
from services.context import Ctx
from services.documents import meeting_docs
from services.documents.files import attachment, file_name
from services.documents.minutes import FreeParts
from services.documents.model import Document, vn_date
from services.documents.render import to_docx, to_pdf
from services.meetings.commands import load_meeting

BASE = "/api/v1/t/{tenant:str}/meetings/{meeting_id:uuid}/documents/{kind:str}"
KIND_VI = {DocumentKind.MINUTES: "Biên bản", DocumentKind.RESOLUTION: "Nghị quyết"}


class EditDraft(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    conclusion: str = ""
    decisions: list[str] = []
    opinion_wording: dict[int, str] = {}
    """Opinion number (1-based, as in the draft) → the secretary's wording."""
    expected_version: int | None = None


class Approve(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    motion_id: UUID


class Correct(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    reason: str
    conclusion: str | None = None
    decisions: list[str] | None = None
    opinion_wording: dict[int, str] | None = None


class VersionView(msgspec.Struct, frozen=True):
    number: int
    sha256: str
    approved_at: str
    approved_by: str
    reason: str


class DocumentView(msgspec.Struct, frozen=True):
    kind: str
    locked: bool
    free_parts: dict[str, Any]
    draft: Document
    versions: list[VersionView]


class Written(msgspec.Struct, frozen=True):
    id: UUID
    version: int
    position: int
    sha256: str | None = None


def kind_of(text: str) -> DocumentKind:
    try:
        return DocumentKind(text)
    except ValueError:
        raise InvalidValue(
            "Loại văn bản phải là «minutes» (biên bản) hoặc «resolution» (nghị quyết)",
            "kind must be 'minutes' or 'resolution'",
            field="kind",
        ) from None


@get(BASE, sync_to_thread=True, summary="Dự thảo và các phiên bản / draft and versions")
def show(ctx: Ctx, meeting_id: FromPath[UUID], kind: FromPath[str]) -> DocumentView:
    k = kind_of(kind)
    meeting = load_meeting(ctx.app, meeting_id)
    doc = meeting_docs.find(ctx.app, meeting_id, k)
    free = meeting_docs.free_parts(doc)
    return DocumentView(
        kind=k.value,
        locked=bool(doc and doc.is_locked),
        free_parts={
            "conclusion": free.conclusion,
            "decisions": list(free.decisions),
            "opinion_wording": dict(free.opinion_wording),
        },
        draft=meeting_docs.draft(ctx.app, meeting, k, free),
        versions=[
            VersionView(v.number, v.sha256, vn_date(v.approved_at.date()), v.actor, v.reason)
            for v in meeting_docs.versions(ctx.app, meeting_id, k)
        ],
    )


@post(BASE + "/draft", sync_to_thread=True, summary="Sửa phần tự do / edit the free parts")
def edit(
    ctx: Ctx, meeting_id: FromPath[UUID], kind: FromPath[str], data: JSONBody[EditDraft]
) -> Written:
    free = FreeParts(data.conclusion, tuple(data.decisions), data.opinion_wording)
    doc, position = meeting_docs.edit(
        ctx.app, ctx.actor, meeting_id, kind_of(kind), free, data.expected_version
    )
    return Written(doc.id, doc.version, position)


@post(BASE + "/approve", sync_to_thread=True, summary="Khóa bản đã thông qua / lock approved")
def approve(
    ctx: Ctx, meeting_id: FromPath[UUID], kind: FromPath[str], data: JSONBody[Approve]
) -> Written:
    doc, digest, position = meeting_docs.approve(
        ctx.app, ctx.actor, meeting_id, kind_of(kind), data.motion_id
    )
    return Written(doc.id, doc.version, position, digest)


@post(BASE + "/corrections", sync_to_thread=True, summary="Đính chính / a corrected version")
def correct(
    ctx: Ctx, meeting_id: FromPath[UUID], kind: FromPath[str], data: JSONBody[Correct]
) -> Written:
    free = None
    if (data.conclusion, data.decisions, data.opinion_wording) != (None, None, None):
        free = FreeParts(
            data.conclusion or "", tuple(data.decisions or ()), data.opinion_wording or {}
        )
    doc, digest, position = meeting_docs.correct(
        ctx.app, ctx.actor, meeting_id, kind_of(kind), data.reason, free
    )
    return Written(doc.id, doc.version, position, digest)


@get(
    BASE + "/file",
    sync_to_thread=True,
    summary="Tải DOCX/PDF / download a version",
    opt={"files": ("docx", "pdf")},
)
def download(
    ctx: Ctx,
    meeting_id: FromPath[UUID],
    kind: FromPath[str],
    fmt: Annotated[str, QueryParameter(name="format")] = "pdf",
    version: Annotated[int | None, QueryParameter(ge=1)] = None,
) -> Response[Any]:
    k = kind_of(kind)
    if fmt not in ("pdf", "docx"):
        raise InvalidValue(
            "Định dạng phải là pdf hoặc docx", "format must be pdf or docx", field="format"
        )
    if version is None:
        doc = meeting_docs.current_draft(ctx.app, meeting_id, k)
        footer, digest, label = "BẢN DỰ THẢO — chưa được chi bộ thông qua", "", "du thao"
    else:
        doc, digest = meeting_docs.approved(ctx.app, meeting_id, k, version)
        footer, label = f"Phiên bản {version} đã thông qua — SHA-256: {digest}", f"v{version}"
    body = to_pdf(doc, footer) if fmt == "pdf" else to_docx(doc, footer)
    year, month = load_meeting(ctx.app, meeting_id).period
    name = file_name(KIND_VI[k], doc.issuer.title(), f"{month:02d}-{year}", label)
    return attachment(body, name, fmt, **({"X-Content-SHA256": digest} if digest else {}))


ROUTES = [show, edit, approve, correct, download]
