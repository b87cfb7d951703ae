"""HTTP routes for contacts (e-mail, phone: erasable, outside the log) and a meeting's notices.

Handlers here are ``async`` and run their work in a thread themselves: Litestar's
``sync_to_thread`` handlers sharing one path under several methods (GET, POST, DELETE of
``…/contact``) answered with an un-awaited coroutine (a 500).

``POST`` saves a contact (the whole of it: a field left out is cleared), ``GET`` reads it,
``DELETE`` erases it (and the addresses kept with notices already sent). A meeting's notices
list every invitation with its outcome, so the secretary sees who was not reached and why;
addresses are not repeated there.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

import anyio
import msgspec
from litestar import delete, get, post
from litestar.params import FromPath, JSONBody

from domain.base import InvalidValue, NotFound
from domain.member import Member
from domain.org_unit import OrgUnit
from infra import contacts
from services.context import Ctx
from services.meetings.commands import load_meeting
from services.membership.org import load
from services.notices import delivery

T = "/api/v1/t/{tenant:str}"
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s.]{2,63}$")
PHONE = re.compile(r"^\+?[0-9 .\-]{6,20}$")


class ContactBody(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=254)] | None = None
    phone: Annotated[str, msgspec.Meta(max_length=20)] | None = None


class ContactView(msgspec.Struct, frozen=True):
    email: str | None
    phone: str | None


class Erased(msgspec.Struct, frozen=True):
    erased: bool


class NoticeView(msgspec.Struct, frozen=True):
    cause: str
    recipient: str
    recipient_name: str
    has_email: bool
    status: str
    attempts: int
    sent_at: datetime | None
    next_attempt_at: datetime | None
    last_error: str | None
    message_id: str


class NoticesView(msgspec.Struct, frozen=True):
    sent: int
    pending: int
    undelivered: int
    notices: list[NoticeView]


def checked(body: ContactBody) -> tuple[str | None, str | None]:
    email = (body.email or "").strip() or None
    phone = (body.phone or "").strip() or None
    if email is not None and not EMAIL.match(email):
        raise InvalidValue(
            "Địa chỉ e-mail không hợp lệ", "the e-mail address is invalid", field="email"
        )
    if phone is not None and not PHONE.match(phone):
        raise InvalidValue(
            "Số điện thoại không hợp lệ", "the phone number is invalid", field="phone"
        )
    return email, phone


def _save(ctx: Ctx, kind: str, subject: str, data: ContactBody) -> ContactView:
    email, phone = checked(data)
    contacts.save(ctx.app, contacts.Contact(kind, subject, email, phone))
    return ContactView(email, phone)


def _save_of(
    ctx: Ctx, record: type[Member | OrgUnit], kind: str, subject_id: UUID, data: ContactBody
) -> ContactView:
    """The contact of a member or a unit, which must exist."""
    load(ctx.app, record, subject_id)
    return _save(ctx, kind, str(subject_id), data)


def _read(ctx: Ctx, kind: str, subject: str) -> ContactView:
    found = contacts.find(ctx.app, kind, subject)
    if found is None:
        raise NotFound("Chưa có thông tin liên hệ", "no contact is recorded")
    return ContactView(found.email, found.phone)


@post(
    T + "/members/{member_id:uuid}/contact",
    summary="Lưu liên hệ",
    operation_id="save_member_contact",
)
async def save_member_contact(
    ctx: Ctx, member_id: FromPath[UUID], data: JSONBody[ContactBody]
) -> ContactView:
    return await anyio.to_thread.run_sync(_save_of, ctx, Member, "member", member_id, data)


@get(
    T + "/members/{member_id:uuid}/contact",
    summary="Xem liên hệ",
    operation_id="read_member_contact",
)
async def read_member_contact(ctx: Ctx, member_id: FromPath[UUID]) -> ContactView:
    return await anyio.to_thread.run_sync(_read, ctx, "member", str(member_id))


@delete(
    T + "/members/{member_id:uuid}/contact",
    status_code=200,
    summary="Xóa liên hệ (quyền được xóa) / erase a member's contact",
    operation_id="erase_member_contact",
)
async def erase_member_contact(ctx: Ctx, member_id: FromPath[UUID]) -> Erased:
    erased = await anyio.to_thread.run_sync(contacts.erase, ctx.app, "member", str(member_id))
    return Erased(erased)


@post(
    T + "/units/{unit_id:uuid}/contact",
    summary="Hộp thư cấp ủy",
    operation_id="save_unit_contact",
)
async def save_unit_contact(
    ctx: Ctx, unit_id: FromPath[UUID], data: JSONBody[ContactBody]
) -> ContactView:
    return await anyio.to_thread.run_sync(_save_of, ctx, OrgUnit, "unit", unit_id, data)


@get(
    T + "/units/{unit_id:uuid}/contact",
    summary="Xem hộp thư cấp ủy",
    operation_id="read_unit_contact",
)
async def read_unit_contact(ctx: Ctx, unit_id: FromPath[UUID]) -> ContactView:
    return await anyio.to_thread.run_sync(_read, ctx, "unit", str(unit_id))


@post(
    T + "/supervision/assignees/{assignee_id:str}/contact",
    summary="Liên hệ của người được phân công dự sinh hoạt",
    operation_id="save_assignee_contact",
)
async def save_assignee_contact(
    ctx: Ctx, assignee_id: FromPath[str], data: JSONBody[ContactBody]
) -> ContactView:
    return await anyio.to_thread.run_sync(_save, ctx, "assignee", assignee_id, data)


@get(
    T + "/meetings/{meeting_id:uuid}/notices",
    summary="Giấy mời đã gửi và chưa gửi được / a meeting's notices and their outcome",
    operation_id="meeting_notices",
)
async def meeting_notices(ctx: Ctx, meeting_id: FromPath[UUID]) -> NoticesView:
    def run() -> list[dict[str, Any]]:
        load_meeting(ctx.app, meeting_id)
        rows: list[dict[str, Any]] = delivery.statuses(ctx.app, meeting_id)
        return rows

    rows = await anyio.to_thread.run_sync(run)
    views = [NoticeView(**row) for row in rows]
    count = {s: sum(1 for v in views if v.status == s) for s in ("sent", "undelivered")}
    return NoticesView(
        sent=count["sent"],
        pending=len(views) - count["sent"] - count["undelivered"],
        undelivered=count["undelivered"],
        notices=views,
    )


ROUTES = [
    save_member_contact,
    read_member_contact,
    erase_member_contact,
    save_unit_contact,
    read_unit_contact,
    save_assignee_contact,
    meeting_notices,
]
