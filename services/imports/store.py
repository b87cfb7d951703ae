"""Tables beside the log: the record of each import, and members' erasable personal details.

``imports`` keeps, per file and kind: its SHA-256, name, encoding, who checked and who ran it,
the dry run's report and the counts, and the file itself until it is imported (the API's
confirm step reads it back). ``member_details`` holds what the rules do not need — ethnicity,
education, political theory, residence, phone, e-mail — so it can be corrected or erased
(personal data never enters the immutable log). Both are created by provisioning and, for
provinces provisioned before them, by ``chibo tenant migrate`` / the server's start.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import msgspec
import psycopg
from psycopg import sql

from infra.application import TenantApplication
from services.security.store import create_table, execute, on_table, row_by, table

IMPORTS = "imports"
DETAILS = "member_details"
DETAIL_COLUMNS = ("ethnicity", "education", "theory", "residence", "phone", "email")


def install_import_tables(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part (idempotent)."""
    s = sql.Identifier(schema)
    create_table(
        conn,
        schema,
        IMPORTS,
        "id uuid PRIMARY KEY, kind text NOT NULL, sha256 text NOT NULL,"
        " file_name text NOT NULL, encoding text NOT NULL, checked_by text NOT NULL,"
        " checked_at timestamptz NOT NULL DEFAULT now(), run_by text, started_at timestamptz,"
        " finished_at timestamptz, status text NOT NULL, rows int NOT NULL DEFAULT 0,"
        " errors int NOT NULL DEFAULT 0, warnings int NOT NULL DEFAULT 0,"
        " done_rows int NOT NULL DEFAULT 0, counts jsonb NOT NULL DEFAULT '{{}}',"
        " report jsonb NOT NULL DEFAULT '[]', file bytea",
    )
    conn.execute(
        sql.SQL("CREATE INDEX IF NOT EXISTS imports_sha ON {}.{} (kind, sha256)").format(
            s, sql.Identifier(IMPORTS)
        )
    )
    create_table(
        conn,
        schema,
        DETAILS,
        "member_id uuid PRIMARY KEY, ethnicity text,"
        " education text, theory text, residence text, phone text, email text,"
        " updated_at timestamptz NOT NULL DEFAULT now()",
    )


def record_check(
    app: TenantApplication,
    *,
    import_id: UUID,
    kind: str,
    sha256: str,
    file_name: str,
    encoding: str,
    by: str,
    rows: int,
    errors: int,
    warnings: int,
    counts: dict[str, int],
    report: Sequence[Any],
    file: bytes | None,
) -> None:
    on_table(
        app,
        IMPORTS,
        "INSERT INTO {} (id, kind, sha256, file_name, encoding, checked_by, status, rows,"
        " errors, warnings, counts, report, file)"
        " VALUES (%s, %s, %s, %s, %s, %s, 'checked', %s, %s, %s, %s, %s, %s)",
        (
            import_id,
            kind,
            sha256,
            file_name,
            encoding,
            by,
            rows,
            errors,
            warnings,
            msgspec.json.encode(counts).decode(),
            msgspec.json.encode(report).decode(),
            file,
        ),
    )


def checked(
    app: TenantApplication, kind: str, sha256: str, import_id: UUID | None = None
) -> tuple[UUID, int] | None:
    """The dry run ``import_id`` of this file, or its latest (its id and error count)."""
    rows = on_table(
        app,
        IMPORTS,
        "SELECT id, errors FROM {} WHERE kind = %s AND sha256 = %s AND (%s::uuid IS NULL"
        " OR id = %s::uuid) ORDER BY checked_at DESC LIMIT 1",
        (kind, sha256, import_id, import_id),
    )
    return (rows[0][0], rows[0][1]) if rows else None


def mark(app: TenantApplication, import_id: UUID, status: str, **values: Any) -> None:
    """Set the status (``running``, ``done``, ``failed``) and the given columns."""
    sets: list[sql.Composable] = [sql.SQL("status = %s")]
    params: list[Any] = [status]
    for name, value in values.items():
        if name in ("started_at", "finished_at"):
            sets.append(sql.SQL("{} = now()").format(sql.Identifier(name)))
            continue
        sets.append(sql.SQL("{} = %s").format(sql.Identifier(name)))
        params.append(msgspec.json.encode(value).decode() if name == "counts" else value)
    execute(
        app,
        sql.SQL("UPDATE {} SET {} WHERE id = %s").format(
            table(app, IMPORTS), sql.SQL(", ").join(sets)
        ),
        (*params, import_id),
    )


def progress_in(cursor: Any, schema: str, import_id: UUID, done_rows: int) -> None:
    """``progress`` in the caller's transaction (a batch's, with its events)."""
    target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(IMPORTS))
    cursor.execute(
        sql.SQL("UPDATE {} SET done_rows = %s WHERE id = %s").format(target),
        (done_rows, import_id),
    )


def progress(app: TenantApplication, import_id: UUID, done_rows: int) -> None:
    """``progress_in`` in a transaction of its own."""
    on_table(app, IMPORTS, "UPDATE {} SET done_rows = %s WHERE id = %s", (done_rows, import_id))


IMPORT_FIELDS = ("id", "kind", "sha256", "file_name", "encoding", "checked_by", "checked_at",
                 "run_by", "started_at", "finished_at", "status", "rows", "errors", "warnings",
                 "done_rows", "counts", "report")  # fmt: skip


def find_import(app: TenantApplication, import_id: UUID) -> dict[str, Any] | None:
    return row_by(app, IMPORTS, IMPORT_FIELDS, "id", import_id)


def stored_file(app: TenantApplication, import_id: UUID) -> bytes | None:
    rows = on_table(app, IMPORTS, "SELECT file FROM {} WHERE id = %s", (import_id,))
    return bytes(rows[0][0]) if rows and rows[0][0] is not None else None


def list_imports(app: TenantApplication, limit: int = 50) -> list[dict[str, Any]]:
    fields = IMPORT_FIELDS[:-1]
    rows = execute(
        app,
        sql.SQL("SELECT {} FROM {} ORDER BY checked_at DESC LIMIT %s").format(
            sql.SQL(", ").join(map(sql.Identifier, fields)), table(app, IMPORTS)
        ),
        (limit,),
    )
    return [dict(zip(fields, row, strict=True)) for row in rows]


# -- erasable personal details ---------------------------------------------------------------


def save_details(cursor: Any, schema: str, rows: Sequence[tuple[Any, ...]]) -> int:
    """Upsert (member_id, *DETAIL_COLUMNS) rows in the caller's transaction; changed count."""
    if not rows:
        return 0
    columns = ("member_id", *DETAIL_COLUMNS)
    target = sql.SQL("{}.{}").format(sql.Identifier(schema), sql.Identifier(DETAILS))
    cursor.execute(
        sql.SQL(
            "INSERT INTO {t} ({cols}) SELECT * FROM unnest(%s::uuid[], {arrays})"
            " ON CONFLICT (member_id) DO UPDATE SET {sets}, updated_at = now()"
            " WHERE ({old}) IS DISTINCT FROM ({new})"
        ).format(
            t=target,
            cols=sql.SQL(", ").join(map(sql.Identifier, columns)),
            arrays=sql.SQL(", ").join(sql.SQL("%s::text[]") for _ in DETAIL_COLUMNS),
            sets=sql.SQL(", ").join(
                sql.SQL("{c} = EXCLUDED.{c}").format(c=sql.Identifier(c)) for c in DETAIL_COLUMNS
            ),
            old=sql.SQL(", ").join(
                sql.SQL("{}.{}").format(sql.Identifier(DETAILS), sql.Identifier(c))
                for c in DETAIL_COLUMNS
            ),
            new=sql.SQL(", ").join(
                sql.SQL("EXCLUDED.{}").format(sql.Identifier(c)) for c in DETAIL_COLUMNS
            ),
        ),
        [list(column) for column in zip(*rows, strict=True)],
    )
    return int(cursor.rowcount)


def details_of(app: TenantApplication, member_id: UUID) -> dict[str, str | None] | None:
    return row_by(app, DETAILS, DETAIL_COLUMNS, "member_id", member_id)


def erase_details(app: TenantApplication, member_id: UUID) -> bool:
    """Xóa thông tin cá nhân: the row goes; the log never held it."""
    rows = on_table(
        app, DETAILS, "DELETE FROM {} WHERE member_id = %s RETURNING member_id", (member_id,)
    )
    return bool(rows)
