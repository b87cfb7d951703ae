"""User accounts as a table (tài khoản người dùng), for the users collection of the API.

One row per account of the province: username, display name, role, scope and lock state, kept
from the ``UserAccount`` events. Password hashes are not events and never reach this table.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from eventsourcing.utils import get_topic

from domain.user import UserAccount
from projections.base import StoredEventRow, decode
from projections.sets import OwnTables, Patches, copy_rows, plain

OPENED = get_topic(UserAccount.Opened)
GRANTED = get_topic(UserAccount.RoleGranted)
LOCKED = get_topic(UserAccount.Locked)
UNLOCKED = get_topic(UserAccount.Unlocked)

DDL = (
    "CREATE TABLE IF NOT EXISTS {s}.user_accounts (id uuid PRIMARY KEY, username text NOT NULL,"
    " display_name text NOT NULL, role text NOT NULL, scope_unit_id uuid, member_id uuid,"
    " locked_until timestamptz, disabled boolean NOT NULL DEFAULT false,"
    " opened_at timestamptz NOT NULL)",
    "CREATE INDEX IF NOT EXISTS user_accounts_scope ON {s}.user_accounts (scope_unit_id)",
)
COLUMNS = (
    "id",
    "username",
    "display_name",
    "role",
    "scope_unit_id",
    "member_id",
    "opened_at",
)
TYPES = {
    "role": "text",
    "scope_unit_id": "uuid",
    "member_id": "uuid",
    "locked_until": "timestamptz",
    "disabled": "boolean",
}


class UsersProjection(OwnTables):
    name = "users"
    version = 1  # bump when the tables or what apply writes change (projections.versions)
    ddl = DDL
    tables = ("user_accounts",)
    topics: tuple[str, ...] = (OPENED, GRANTED, LOCKED, UNLOCKED)

    def apply(
        self, conn: psycopg.Connection[Any], schema: str, events: Sequence[StoredEventRow]
    ) -> None:
        opened: list[tuple[Any, ...]] = []
        patches = Patches(("id", "uuid"), TYPES)
        for row in events:
            e: Any = decode(row)
            if row.topic == OPENED:
                opened.append(
                    (
                        row.originator_id,
                        e.username,
                        e.display_name,
                        plain(e.role),
                        e.scope_unit_id,
                        e.member_id,
                        e.timestamp,
                    )
                )
            elif row.topic == GRANTED:
                patches.set(
                    row.originator_id,
                    role=plain(e.role),
                    scope_unit_id=e.scope_unit_id,
                    member_id=e.member_id,
                )
            elif row.topic == LOCKED:
                patches.set(row.originator_id, locked_until=e.until, disabled=e.until is None)
            elif row.topic == UNLOCKED:
                patches.set(row.originator_id, locked_until=None, disabled=False)
        copy_rows(conn, schema, "user_accounts", COLUMNS, opened)
        patches.flush(conn, schema, "user_accounts")


USERS = UsersProjection()
