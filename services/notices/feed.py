"""The per-user calendar feed (lịch sinh hoạt qua iCalendar): a secret URL a calendar app polls.

A calendar app cannot send a bearer token, so the feed's URL carries a secret of its own:
``POST /me/calendar-feed`` makes one (a new one replaces the old) and shows it once;
``DELETE /me/calendar-feed`` revokes it. Only its SHA-256 is kept (``calendar_feeds``), as for
passwords: a copy of the database gives no working URL. ``GET /api/v1/t/{tenant}/calendar/
{secret}.ics`` answers the account's meetings — those it was notified of, as a member or an
assignee, in their latest state (a rescheduled meeting moves, a cancelled one is marked
cancelled: the same UID as the invitation's ICS, so the entries match). An unknown or revoked
secret is a 404, the same for both, so a guess learns nothing.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import anyio
import msgspec
from eventsourcing.application import AggregateNotFoundError
from icalendar import Calendar
from litestar import Request, Response, delete, get, post
from litestar.params import FromPath
from psycopg import sql

from domain.base import NotFound
from domain.meeting import Meeting
from infra.application import TenantApplication
from infra.calendar_feeds import issue, owner, revoke
from services.context import Ctx, container_of
from services.notices.contact_reminder import CAUSE as CONTACT
from services.notices.delivery import name_of
from services.notices.message import meeting_event
from services.security.store import rows_of

T = "/api/v1/t/{tenant:str}"


def meetings_of(app: TenantApplication, user_id: str) -> list[UUID]:
    """The meetings the account was notified of, as its member and as an assignee."""
    try:
        account: Any = app.repository.get(UUID(user_id))
    except (ValueError, AggregateNotFoundError):  # not an account's id, or no such account
        account = None
    keys = [f"assignee:{user_id}"]
    if account is not None and getattr(account, "member_id", None):
        keys.append(f"member:{account.member_id}")
    rows = rows_of(
        app,
        sql.SQL(
            "SELECT DISTINCT meeting_id FROM {}.notice_deliveries"
            " WHERE recipient = ANY(%s) AND cause <> %s"
        ).format(sql.Identifier(app.schema)),
        (keys, CONTACT),
    )
    return [row["meeting_id"] for row in rows]


def calendar(app: TenantApplication, meeting_ids: list[UUID]) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Chibo//Lich sinh hoat//VI")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "Lịch sinh hoạt chi bộ (Chibo)")
    cal.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    for meeting_id in meeting_ids:
        meeting: Meeting = app.repository.get(meeting_id)
        event = meeting_event(meeting)
        cell = name_of(app, meeting.cell_id, "Chi bộ")
        event.add("description", f"{cell}\n" + "\n".join(meeting.agenda))
        event.add("status", "CANCELLED" if meeting.is_cancelled else "CONFIRMED")
        cal.add_component(event)
    ics: bytes = cal.to_ical()
    return ics


class FeedView(msgspec.Struct, frozen=True):
    url: str
    note: str


class Revoked(msgspec.Struct, frozen=True):
    revoked: bool


@post(f"{T}/me/calendar-feed", summary="Tạo địa chỉ lịch / make my calendar feed URL")
async def make_feed(ctx: Ctx, tenant: FromPath[str]) -> FeedView:
    secret = await anyio.to_thread.run_sync(issue, ctx.app, ctx.principal.user_id)
    return FeedView(
        f"/api/v1/t/{tenant}/calendar/{secret}.ics",
        "Địa chỉ này chỉ hiện một lần; địa chỉ cũ (nếu có) hết hiệu lực. / Shown once;"
        " any earlier URL stops working.",
    )


@delete(
    f"{T}/me/calendar-feed",
    status_code=200,
    summary="Thu hồi địa chỉ lịch / revoke my calendar feed URL",
)
async def revoke_feed(ctx: Ctx) -> Revoked:
    return Revoked(await anyio.to_thread.run_sync(revoke, ctx.app, ctx.principal.user_id))


@get(
    f"{T}/calendar/{{secret:str}}",
    summary="Lịch sinh hoạt (iCalendar) / the calendar feed",
    media_type="text/calendar",
)
async def calendar_feed(
    request: Request[Any, Any, Any], tenant: FromPath[str], secret: FromPath[str]
) -> Response[bytes]:
    def run() -> bytes:
        container = container_of(request.app.state)
        app = container.applications.get(tenant)
        token = secret.removesuffix(".ics")
        user_id = owner(app, token) if 20 <= len(token) <= 100 else None
        if user_id is None:
            raise NotFound("Không có lịch này", "no such calendar feed")
        return calendar(app, meetings_of(app, user_id))

    body = await anyio.to_thread.run_sync(run)
    return Response(body, media_type="text/calendar; charset=utf-8")


ROUTES = [make_feed, revoke_feed, calendar_feed]
