"""The dry run's report (báo cáo kiểm tra): each problem with its row and column, in Vietnamese.

Errors stop the import (nothing is written while one remains); warnings are shown and the
import may go on. The English text follows for operators who read the API's raw answer.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import msgspec

ERROR, WARNING = "error", "warning"
MAX_STORED = 20_000
"""Problems kept in the import's record; the count is always exact."""


class Problem(msgspec.Struct, frozen=True):
    row: int
    column: str
    """The column's Vietnamese header ("" for a problem of the whole row or file)."""
    message: str
    message_en: str
    severity: str = ERROR

    def line(self) -> str:
        where = f"dòng {self.row}" + (f", cột «{self.column}»" if self.column else "")
        mark = "Lỗi" if self.severity == ERROR else "Cảnh báo"
        return f"{mark} — {where}: {self.message}"


@dataclass
class Report:
    kind: str
    file_name: str
    sha256: str
    encoding: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, row: int, column: str, vi: str, en: str, severity: str = ERROR) -> None:
        if severity == ERROR:
            self.errors += 1
        else:
            self.warnings += 1
        self.problems.append(Problem(row, column, vi, en, severity))

    def count(self, name: str, by: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + by

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def stored_problems(self) -> list[Problem]:
        return sorted(self.problems, key=lambda p: (p.row, p.column))[:MAX_STORED]

    def summary(self) -> str:
        counts = ", ".join(f"{COUNT_VI.get(k, k)}: {v}" for k, v in sorted(self.counts.items()))
        return (
            f"Tệp «{self.file_name}» ({self.encoding}), SHA-256 {self.sha256}: {self.rows} dòng,"
            f" {self.errors} lỗi, {self.warnings} cảnh báo" + (f"; {counts}" if counts else "")
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind, "file_name": self.file_name, "sha256": self.sha256,
            "encoding": self.encoding, "rows": self.rows, "errors": self.errors,
            "warnings": self.warnings, "counts": self.counts,
            "problems": [msgspec.structs.asdict(p) for p in self.stored_problems()],
        }  # fmt: skip


COUNT_VI = {
    "new": "thêm mới",
    "changed": "thay đổi",
    "unchanged": "giữ nguyên",
    "events": "sự kiện",
    "details": "thông tin cá nhân cập nhật",
    "not_applied": "không áp dụng",
}
