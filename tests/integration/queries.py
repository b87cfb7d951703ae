"""Reading one value back from the database in integration tests (đọc lại một giá trị)."""

from __future__ import annotations

from typing import Any

from infra.database import Database


def scalar(database: Database, query: str) -> Any:
    """The first column of the first row ``query`` returns, or None when it returns no row."""
    with database.connect() as conn:
        row = conn.execute(query.encode()).fetchone()
    return row[0] if row else None
