"""Contacts (thông tin liên hệ): e-mail addresses and phone numbers, outside the event log.

A member's e-mail and phone are personal data that may have to be erased; the event log is
immutable and hashed, so they never enter it. They live in this table, keyed by what they
belong to: a member (``member``, the member's id), an org unit's committee mailbox (``unit``)
or a superior committee member assigned to attend (``assignee``, the plan's assignee id).
:func:`erase` deletes a row for good; the notices already sent keep only the address they were
sent to, in ``notice_deliveries``, which :func:`erase` clears too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import psycopg
from psycopg import sql

from infra.application import TenantApplication
from infra.tenant_sql import table, tuples

KINDS = ("member", "unit", "assignee")

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.contacts (kind text NOT NULL, subject text NOT NULL,"
    " email text, phone text, updated_at timestamptz NOT NULL DEFAULT now(),"
    " PRIMARY KEY (kind, subject))",
)


def install_contacts(conn: psycopg.Connection[Any], schema: str) -> None:
    """Schema part (idempotent)."""
    for statement in DDL:
        conn.execute(sql.SQL(statement).format(s=sql.Identifier(schema)))


@dataclass(frozen=True, slots=True)
class Contact:
    kind: str
    subject: str
    email: str | None
    phone: str | None


def save(app: TenantApplication, contact: Contact) -> None:
    tuples(
        app,
        sql.SQL(
            "INSERT INTO {} (kind, subject, email, phone) VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (kind, subject) DO UPDATE SET email = EXCLUDED.email,"
            " phone = EXCLUDED.phone, updated_at = now()"
        ).format(table(app, "contacts")),
        (contact.kind, contact.subject, contact.email, contact.phone),
    )


def find(app: TenantApplication, kind: str, subject: str) -> Contact | None:
    rows = tuples(
        app,
        sql.SQL("SELECT email, phone FROM {} WHERE kind = %s AND subject = %s").format(
            table(app, "contacts")
        ),
        (kind, subject),
    )
    return Contact(kind, subject, rows[0][0], rows[0][1]) if rows else None


def find_many(app: TenantApplication, kind: str, subjects: list[str]) -> dict[str, Contact]:
    rows = tuples(
        app,
        sql.SQL(
            "SELECT subject, email, phone FROM {} WHERE kind = %s AND subject = ANY(%s)"
        ).format(table(app, "contacts")),
        (kind, subjects),
    )
    return {r[0]: Contact(kind, r[0], r[1], r[2]) for r in rows}


def erase(app: TenantApplication, kind: str, subject: str) -> bool:
    """Delete the contact and the addresses kept with the notices sent to it (quyền xóa)."""
    deleted = tuples(
        app,
        sql.SQL("DELETE FROM {} WHERE kind = %s AND subject = %s RETURNING 1").format(
            table(app, "contacts")
        ),
        (kind, subject),
    )
    tuples(
        app,
        sql.SQL(
            "UPDATE {} SET email = NULL WHERE recipient = %s AND to_regclass(%s) IS NOT NULL"
        ).format(table(app, "notice_deliveries")),
        (f"{kind}:{subject}", f'"{app.schema}".notice_deliveries'),
    )
    return bool(deleted)
