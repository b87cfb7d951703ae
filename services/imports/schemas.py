"""Wire types of the import API: the dry run's report, the confirmation, an import's record."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec

Sha256 = Annotated[str, msgspec.Meta(pattern="^[0-9a-fA-F]{64}$")]


class ProblemView(msgspec.Struct):
    row: int
    column: str
    message: str
    message_en: str
    severity: str


class ImportView(msgspec.Struct):
    """One import: its file, the dry run's findings, and its progress once confirmed."""

    id: UUID
    kind: str
    sha256: str
    file_name: str
    encoding: str
    status: str
    """``checked`` (dry run done), ``running``, ``done`` or ``failed``."""
    rows: int
    done_rows: int
    errors: int
    warnings: int
    counts: dict[str, int]
    checked_by: str
    checked_at: datetime
    run_by: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    problems: list[ProblemView] = []


class ConfirmImport(msgspec.Struct, forbid_unknown_fields=True):
    """The operator confirms the file they checked, by the SHA-256 its dry run reported."""

    sha256: Sha256


class MemberDetailsView(msgspec.Struct):
    """Personal details kept outside the log (erasable)."""

    member_id: UUID
    ethnicity: str | None
    education: str | None
    theory: str | None
    residence: str | None
    phone: str | None
    email: str | None


def import_view(record: dict[str, Any], with_problems: bool = True) -> ImportView:
    problems = record.get("report") or [] if with_problems else []
    return ImportView(
        **{k: v for k, v in record.items() if k not in ("report", "counts")},
        counts=dict(record.get("counts") or {}),
        problems=[msgspec.convert(p, ProblemView) for p in problems],
    )
