"""What a paper's file is, judged by its bytes (nhận dạng tệp theo nội dung), never its name.

The client's file name and ``Content-Type`` header say nothing reliable: an executable renamed
``bao-cao.pdf`` must be refused. :class:`Sniffer` is fed the upload as it streams and decides
from the leading bytes (PDF, PNG, JPEG, ZIP); a ZIP is a DOCX or an XLSX only if its entry
names (stored uncompressed in each local header, so visible in the stream) include the main
part of one (``word/document.xml``, ``xl/workbook.xml``), and never if it carries macros.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.base import InvalidValue

MiB = 1024 * 1024
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True, slots=True)
class FileType:
    content_type: str
    extension: str
    max_bytes: int
    label_vi: str


PDF_TYPE = FileType("application/pdf", "pdf", 64 * MiB, "PDF")
DOCX_TYPE = FileType(DOCX, "docx", 64 * MiB, "Word (DOCX)")
XLSX_TYPE = FileType(XLSX, "xlsx", 64 * MiB, "Excel (XLSX)")
PNG_TYPE = FileType("image/png", "png", 20 * MiB, "ảnh PNG")
JPEG_TYPE = FileType("image/jpeg", "jpg", 20 * MiB, "ảnh JPEG")
ALLOWED = (PDF_TYPE, DOCX_TYPE, XLSX_TYPE, PNG_TYPE, JPEG_TYPE)
MAX_BYTES = max(t.max_bytes for t in ALLOWED)
"""The largest any paper may be; each type has its own limit (images are smaller)."""

ALLOWED_VI = "PDF, Word (DOCX), Excel (XLSX), ảnh PNG hoặc JPEG"
ALLOWED_EN = "PDF, DOCX, XLSX, PNG or JPEG"

_EXECUTABLES = (b"MZ", b"\x7fELF", b"\xca\xfe\xba\xbe", b"\xcf\xfa\xed\xfe", b"#!")
_ZIP = b"PK\x03\x04"
_TAIL = 64
"""Bytes kept from the previous piece, so a name split across two pieces is still seen."""


class FileRefused(InvalidValue):
    """The file is not one a meeting's papers may hold (HTTP 400, with what is allowed)."""

    code = "file_type_refused"


class FileTooBig(InvalidValue):
    code = "file_too_large"


def refused(why_vi: str, why_en: str) -> FileRefused:
    return FileRefused(
        f"{why_vi}. Tài liệu chỉ nhận tệp {ALLOWED_VI}",
        f"{why_en}. Papers may only be {ALLOWED_EN} files",
        allowed=[t.content_type for t in ALLOWED],
    )


def too_big(limit: int, label: str = "") -> FileTooBig:
    return FileTooBig(
        f"Tệp {label} vượt quá giới hạn {limit // MiB} MB".replace("  ", " "),
        f"the file is larger than the limit of {limit // MiB} MB",
        limit_bytes=limit,
    )


class Sniffer:
    """Fed the upload piece by piece; :meth:`verdict` names its type or refuses it."""

    def __init__(self) -> None:
        self.head = b""
        self.size = 0
        self._tail = b""
        self._names: set[str] = set()

    def feed(self, data: bytes) -> None:
        if len(self.head) < 16:
            self.head = (self.head + data)[:16]
            self.early_check()
        self.size += len(data)
        if self.head.startswith(_ZIP):
            window = self._tail + data
            for marker in (b"word/document.xml", b"xl/workbook.xml", b"vbaProject.bin"):
                if marker in window:
                    self._names.add(marker.decode())
            self._tail = window[-_TAIL:]
        kind = self._leading_type()
        if kind is not None and self.size > kind.max_bytes:
            raise too_big(kind.max_bytes, kind.label_vi)

    def early_check(self) -> None:
        """Refuse as soon as the first bytes show the file can be nothing allowed."""
        if len(self.head) < 4:
            return
        if self.head.startswith(_EXECUTABLES):
            raise refused(
                "Tệp này là chương trình chạy được, không phải tài liệu (dù tên tệp là gì)",
                "this file is an executable program, not a document (whatever its name)",
            )
        if self._leading_type() is None and not self.head.startswith(_ZIP):
            raise refused(
                "Nội dung tệp không phải loại được nhận", "the file's content is not allowed"
            )

    def _leading_type(self) -> FileType | None:
        if self.head.startswith(b"%PDF-"):
            return PDF_TYPE
        if self.head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG_TYPE
        if self.head.startswith(b"\xff\xd8\xff"):
            return JPEG_TYPE
        return None

    def verdict(self) -> FileType:
        if self.size == 0:
            raise refused("Tệp rỗng", "the file is empty")
        self.early_check()
        if len(self.head) < 4:
            raise refused("Tệp quá ngắn để là tài liệu", "the file is too short to be a document")
        kind = self._leading_type()
        if kind is not None:
            return kind
        if "vbaProject.bin" in self._names:
            raise refused(
                "Tệp Office có macro không được nhận", "Office files with macros are refused"
            )
        if "word/document.xml" in self._names:
            return DOCX_TYPE
        if "xl/workbook.xml" in self._names:
            return XLSX_TYPE
        raise refused(
            "Tệp nén ZIP không phải tài liệu Word hay Excel", "a ZIP file that is not DOCX or XLSX"
        )


def with_extension(name: str, kind: FileType) -> str:
    """The name as given, its extension made to match the type found (a download is opened by it)."""
    base, dot, ext = name.strip().rpartition(".")
    if dot and ext.lower() in ({kind.extension} | ({"jpeg"} if kind is JPEG_TYPE else set())):
        return name.strip()
    return f"{base if dot else name.strip()}.{kind.extension}"
