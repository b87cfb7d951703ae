"""Downloads: one ``Content-Type``, and a file name made from the unit and the period.

The name is given twice in ``Content-Disposition``: as plain ASCII (diacritics folded, "đ" as
"d") for old clients, and as UTF-8 (RFC 6266 ``filename*``) so a browser saves
"Biên bản - Chi bộ Đồng Ích - 11-2023.pdf" as written.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

from litestar import Response

MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",  # Litestar adds "; charset=utf-8" to a text type itself
    "json": "application/json",
}


def ascii_name(text: str) -> str:
    """ "Chi bộ Đồng Ích 11/2023" → "chi-bo-dong-ich-11-2023"."""
    folded = unicodedata.normalize("NFKD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-") or "tai-lieu"


def file_name(*parts: str) -> str:
    """The readable name, parts joined by " - ", without characters a file system refuses."""
    return re.sub(r'[\\/:*?"<>|]+', "-", " - ".join(p for p in parts if p)).strip()


def attachment(body: bytes, name: str, ext: str, **headers: str) -> Response[Any]:
    """A download of ``body`` named ``name.ext``; the media type is set once, here."""
    return Response(body, media_type=MEDIA[ext], headers={**disposition(name, ext), **headers})


def disposition(name: str, ext: str) -> dict[str, str]:
    """The ``Content-Disposition`` header of a download named ``name.ext``."""
    return {
        "Content-Disposition": f'attachment; filename="{ascii_name(name)}.{ext}"; '
        f"filename*=UTF-8''{quote(name + '.' + ext)}"
    }
