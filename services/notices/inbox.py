"""In-app notices (thông báo trong ứng dụng): my notices, and the undelivered ones of a subtree.

Every notice expanded from the outbox is a ``notice_deliveries`` row addressed to a recipient
key — ``member:<member id>``, ``assignee:<account id>`` or ``unit:<committee id>`` — whether or
not it could be mailed. So the same rows are the in-app notices:

- ``GET /me/notices``: the account's own — as the member it is linked to, and as an assignee
  (the superior committee member's account id) — newest first, with what each is about;
- ``GET /notices/undelivered?unit_id=``: those nobody could reach (no address, or refused after
  the last retry) for meetings of cells under a unit, so the secretary or the administrator
  can tell the people another way and fix the address. No address is shown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import anyio
import msgspec
from litestar import get
from litestar.params import FromQuery, QueryParameter
from psycopg import sql

from infra.application import TenantApplication
from services.context import Ctx
from services.notices.contact_reminder import CAUSE as CONTACT
from services.notices.message import REMINDER_PAPERS
from services.security.store import rows_of

T = "/api/v1/t/{tenant:str}"
WHAT = {
    "scheduled": "Giấy mời sinh hoạt",
    "rescheduled": "Thay đổi lịch sinh hoạt",
    "cancelled": "Hủy buổi sinh hoạt",
    REMINDER_PAPERS: "Nhắc đọc tài liệu sinh hoạt",
    CONTACT: "Nhắc liên hệ trước khi dự sinh hoạt",
}
"""The cause as a reader names it."""


class MyNotice(msgspec.Struct, frozen=True):
    cause: str
    title: str
    meeting_id: UUID | None
    cell_name: str
    scheduled_at: datetime | None
    created_at: datetime
    emailed: bool


class MyNotices(msgspec.Struct, frozen=True):
    items: list[MyNotice]


class Undelivered(msgspec.Struct, frozen=True):
    cause: str
    title: str
    meeting_id: UUID | None
    cell_name: str
    scheduled_at: datetime | None
    recipient_name: str
    has_email: bool
    attempts: int
    last_error: str | None


class UndeliveredList(msgspec.Struct, frozen=True):
    items: list[Undelivered]


# A contact reminder's subject is an assignment (services.notices.contact_reminder): its cell
# comes from the supervision register; a meeting's from the meeting register.
ABOUT = """
FROM {s}.notice_deliveries AS d
LEFT JOIN {s}.meetings AS g ON g.id = d.meeting_id AND d.cause <> %(contact)s
LEFT JOIN {s}.sup_assignments AS a ON a.assignment_id = d.meeting_id AND d.cause = %(contact)s
LEFT JOIN {s}.org_units AS u ON u.id = coalesce(g.cell_id, a.cell_id)
"""


def mine(app: TenantApplication, member_id: UUID | None, user_id: str, limit: int) -> list[Any]:
    keys = [f"assignee:{user_id}"] + ([f"member:{member_id}"] if member_id else [])
    query = sql.SQL(
        "SELECT d.cause, CASE WHEN d.cause = %(contact)s THEN NULL ELSE d.meeting_id END"
        " AS meeting_id, coalesce(u.name, '') AS cell_name, g.scheduled_at,"
        " o.created_at, d.status = 'sent' AS emailed" + ABOUT + " JOIN {s}.notice_outbox AS o"
        " ON o.notification_id = d.notification_id"
        " WHERE d.recipient = ANY(%(keys)s) ORDER BY o.created_at DESC, d.id DESC"
        " LIMIT %(limit)s"
    ).format(s=sql.Identifier(app.schema))
    return rows_of(app, query, {"contact": CONTACT, "keys": keys, "limit": limit})


def undelivered(app: TenantApplication, unit_id: UUID | None, limit: int) -> list[Any]:
    """Under ``unit_id``; ``None``: the whole province (the administrator's)."""
    under = (
        " AND coalesce(g.cell_id, a.cell_id) IN"
        " (SELECT descendant_id FROM {s}.org_closure WHERE ancestor_id = %(unit)s)"
        if unit_id is not None
        else ""
    )
    query = sql.SQL(
        "SELECT d.cause, CASE WHEN d.cause = %(contact)s THEN NULL ELSE d.meeting_id END"
        " AS meeting_id, coalesce(u.name, '') AS cell_name, g.scheduled_at, d.recipient_name,"
        " d.email IS NOT NULL AS has_email, d.attempts, d.last_error" + ABOUT + " WHERE"
        " d.status = 'undelivered'" + under + " ORDER BY d.id DESC LIMIT %(limit)s"
    ).format(s=sql.Identifier(app.schema))
    return rows_of(app, query, {"contact": CONTACT, "unit": unit_id, "limit": limit})


Limit = Annotated[int, QueryParameter(ge=1, le=500)]


@get(f"{T}/me/notices", summary="Thông báo của tôi / my notices")
async def my_notices(ctx: Ctx, limit: Limit = 50) -> MyNotices:
    p = ctx.principal
    rows = await anyio.to_thread.run_sync(mine, ctx.app, p.member_id, p.user_id, limit)
    return MyNotices([MyNotice(title=WHAT.get(r["cause"], r["cause"]), **r) for r in rows])


@get(
    f"{T}/notices/undelivered",
    summary="Thông báo chưa gửi được / notices nobody could be reached with",
)
async def undelivered_notices(
    ctx: Ctx, unit_id: FromQuery[UUID | None] = None, limit: Limit = 100
) -> UndeliveredList:
    """Without ``unit_id``: the caller's own scope (the whole province for the administrator)."""
    unit = unit_id or ctx.principal.scope_unit_id
    rows = await anyio.to_thread.run_sync(undelivered, ctx.app, unit, limit)
    return UndeliveredList([Undelivered(title=WHAT.get(r["cause"], r["cause"]), **r) for r in rows])


ROUTES = [my_notices, undelivered_notices]
