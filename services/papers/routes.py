"""HTTP routes for a meeting's papers: upload (streamed), list with read receipts, download.

An upload is either the file itself as the body (``name`` in the query) or a
``multipart/form-data`` form whose file part carries the name; ``kind``, ``title`` and (for a
new version) ``reason`` come from the query or from form fields. Either way the body is read
as a stream: each piece is fed to the type sniffer and the document store, so memory stays
bounded whatever the size (the route's own limit is :data:`filetypes.MAX_BYTES`, not the
API's 1 MB for commands). The client's ``Content-Type`` of the file is ignored.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import quote
from uuid import UUID

import anyio
import msgspec
import multipart
from litestar import Request, Response, get, post
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.response import Stream

from domain.base import InvalidValue
from domain.meeting_papers import Paper, PaperFile, PaperKind
from infra import document_store as store
from services.context import Ctx, RequestContext
from services.documents.files import ascii_name
from services.documents.model import VN, vn_date
from services.papers import commands as papers
from services.papers import filetypes
from services.papers.receipts import ReadersView, readers_view

BASE = "/api/v1/t/{tenant:str}/meetings/{meeting_id:uuid}/papers"
ONE = BASE + "/{paper_id:uuid}"
FIELD_LIMIT = 2000
"""Bytes of a form field other than the file (kind, title, reason)."""


class VersionView(msgspec.Struct, frozen=True):
    number: int
    name: str
    content_type: str
    size: int
    sha256: str
    posted_at: str
    posted_on: str
    in_time: bool
    posted_by: str
    reason: str


class PaperView(msgspec.Struct, frozen=True):
    paper_id: UUID
    kind: str
    title: str
    current: VersionView
    versions: list[VersionView]
    readers: int


class PapersView(msgspec.Struct, frozen=True):
    meeting_id: UUID
    locked: bool
    all_in_time: bool
    papers: list[PaperView]
    receipts: ReadersView


class Posted(msgspec.Struct, frozen=True):
    id: UUID
    paper_id: UUID
    version: int
    position: int
    sha256: str
    content_type: str
    size: int
    in_time: bool


@dataclass
class Upload:
    name: str = ""
    fields: dict[str, str] = field(default_factory=dict)
    blob: store.StoredBlob | None = None


def kind_of(text: str) -> PaperKind:
    try:
        return PaperKind(text)
    except ValueError:
        allowed = ", ".join(k.value for k in PaperKind)
        raise InvalidValue(
            f"Loại tài liệu phải là một trong: {allowed}",
            f"kind must be one of: {allowed}",
            field="kind",
        ) from None


async def _store(pieces: AsyncIterator[bytes], ctx: Ctx) -> store.StoredBlob:
    """Feed ``pieces`` to the sniffer and the store a chunk at a time; refuse or keep."""
    sniffer = filetypes.Sniffer()
    writer = store.BlobWriter(ctx.app, filetypes.MAX_BYTES)
    pending = bytearray()
    try:
        async for piece in pieces:
            sniffer.feed(piece)
            pending += piece
            if len(pending) >= store.CHUNK:
                data, pending = bytes(pending), bytearray()
                await anyio.to_thread.run_sync(writer.write, data)
        kind = sniffer.verdict()
        await anyio.to_thread.run_sync(writer.write, bytes(pending))
        return await anyio.to_thread.run_sync(writer.finish, kind.content_type)
    except store.FileTooLarge as error:
        await anyio.to_thread.run_sync(writer.abort)
        raise filetypes.too_big(error.limit) from None
    except BaseException:
        await anyio.to_thread.run_sync(writer.abort)
        raise


async def receive(request: Request[Any, Any, Any], ctx: Ctx) -> Upload:
    """The uploaded file stored, with its name and the form's other fields."""
    content_type, options = multipart.parse_options_header(request.headers.get("content-type", ""))
    upload = Upload()
    if content_type != "multipart/form-data":
        upload.blob = await _store(request.stream(), ctx)
        return upload
    boundary = options.get("boundary", "")
    if not boundary:
        raise InvalidValue("Thiếu boundary của multipart", "multipart boundary missing")
    parser = multipart.PushMultipartParser(boundary, max_segment_count=16)
    queue: list[Any] = []

    async def events() -> AsyncIterator[Any]:
        async for chunk in request.stream():
            for event in parser.parse(chunk):
                yield event
        for event in parser.parse(b""):
            yield event

    stream = events()

    async def file_body() -> AsyncIterator[bytes]:
        async for event in stream:
            if event is None:
                return
            yield bytes(event)

    try:
        async for event in stream:
            if isinstance(event, multipart.MultipartSegment):
                if event.filename is not None and upload.blob is None:
                    upload.name = event.filename
                    upload.blob = await _store(file_body(), ctx)
                else:
                    queue.append(event.name)
                    upload.fields[event.name] = ""
            elif event is not None and queue:
                text = upload.fields[queue[-1]] + bytes(event).decode("utf-8", "replace")
                if len(text) > FIELD_LIMIT:
                    raise InvalidValue("Trường của biểu mẫu quá dài", "a form field is too long")
                upload.fields[queue[-1]] = text
    except multipart.ParserError as error:
        raise InvalidValue(
            "Biểu mẫu tải lên không hợp lệ", f"the multipart form is malformed: {error}"
        ) from None
    if upload.blob is None:
        raise InvalidValue("Không có tệp nào được gửi lên", "no file was uploaded", field="file")
    return upload


def _file(upload: Upload, name: str | None) -> PaperFile:
    assert upload.blob is not None
    kind = next(t for t in filetypes.ALLOWED if t.content_type == upload.blob.content_type)
    given = (name or upload.name or upload.fields.get("name") or "").strip()
    if not given:
        raise InvalidValue(
            "Cần tên tệp («name»)", "the file name ('name') is required", field="name"
        )
    return PaperFile(
        filetypes.with_extension(given, kind),
        upload.blob.content_type,
        upload.blob.size,
        upload.blob.sha256,
    )


def _posted(papers_id: UUID, version: int, position: int, paper: Paper) -> Posted:
    file = paper.current.file
    return Posted(
        papers_id,
        paper.paper_id,
        version,
        position,
        file.sha256,
        file.content_type,
        file.size,
        paper.current.in_time,
    )


UPLOAD_LIMIT = filetypes.MAX_BYTES + 1024 * 1024
"""The file and the form around it."""


@post(BASE, request_max_body_size=UPLOAD_LIMIT, summary="Đăng tài liệu / upload a paper")
async def upload(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    meeting_id: FromPath[UUID],
    kind: FromQuery[str | None] = None,
    title: FromQuery[str | None] = None,
    name: FromQuery[str | None] = None,
) -> Posted:
    got = await receive(request, ctx)
    file = _file(got, name)
    paper_kind = kind_of(kind or got.fields.get("kind") or "other")
    paper_title = title or got.fields.get("title") or file.name
    agg, paper_id, position = await anyio.to_thread.run_sync(
        lambda: papers.attach(ctx.app, ctx.actor, meeting_id, paper_kind, paper_title, file)
    )
    return _posted(agg.id, agg.version, position, agg.papers[paper_id])


@post(
    ONE + "/versions",
    request_max_body_size=UPLOAD_LIMIT,
    summary="Thay tài liệu (đính chính sau khai mạc) / a new version of a paper",
)
async def replace(
    ctx: Ctx,
    request: Request[Any, Any, Any],
    meeting_id: FromPath[UUID],
    paper_id: FromPath[UUID],
    reason: FromQuery[str | None] = None,
    name: FromQuery[str | None] = None,
) -> Posted:
    got = await receive(request, ctx)
    file = _file(got, name)
    why = reason or got.fields.get("reason") or ""
    agg, position = await anyio.to_thread.run_sync(
        lambda: papers.replace(ctx.app, ctx.actor, meeting_id, paper_id, file, why)
    )
    return _posted(agg.id, agg.version, position, agg.papers[paper_id])


def _version(number: int, paper: Paper) -> VersionView:
    v = paper.versions[number - 1]
    return VersionView(
        number,
        v.file.name,
        v.file.content_type,
        v.file.size,
        v.file.sha256,
        v.posted_at.isoformat(),
        vn_date(v.posted_at.astimezone(VN).date()),
        v.in_time,
        v.actor,
        v.reason,
    )


@get(BASE, sync_to_thread=True, summary="Tài liệu và người đã đọc / papers and read receipts")
def list_papers(ctx: Ctx, meeting_id: FromPath[UUID]) -> PapersView:
    meeting, found = papers.listed(ctx.app, meeting_id)
    receipts = readers_view(ctx.app, meeting, found)
    views = []
    for paper in found:
        versions = [_version(n, paper) for n in range(1, len(paper.versions) + 1)]
        views.append(
            PaperView(
                paper.paper_id,
                paper.kind.value,
                paper.title,
                versions[-1],
                versions,
                receipts.per_paper.get(str(paper.paper_id), 0),
            )
        )
    return PapersView(
        meeting_id,
        meeting.started_at is not None,
        all(p.versions[0].in_time for p in found),
        views,
        receipts,
    )


@get(ONE + "/file", summary="Tải tài liệu / download a paper (the read is recorded)")
async def download(
    ctx: Ctx,
    meeting_id: FromPath[UUID],
    paper_id: FromPath[UUID],
    version: Annotated[int | None, QueryParameter(ge=1, le=1000)] = None,
) -> Response[Any]:
    return await paper_file(ctx, meeting_id, paper_id, version)


async def paper_file(
    ctx: RequestContext, meeting_id: UUID, paper_id: UUID, version: int | None
) -> Response[Any]:
    """The paper's bytes as a stream from the document store, its read recorded for the
    caller: shared by the API and the papers page, so neither holds a file in memory."""
    principal = ctx.principal
    file, chunks = await anyio.to_thread.run_sync(
        lambda: papers.download(
            ctx.app, meeting_id, paper_id, version, principal.user_id, principal.member_id
        )
    )
    disposition = (
        f'attachment; filename="{ascii_name(file.name.rpartition(".")[0])}.'
        f"{file.name.rpartition('.')[2]}\"; filename*=UTF-8''{quote(file.name)}"
    )
    return Stream(
        chunks,
        media_type=file.content_type,
        headers={
            "Content-Disposition": disposition,
            "Content-Length": str(file.size),
            "X-Content-SHA256": file.sha256,
        },
    )


ROUTES = [upload, replace, list_papers, download]
