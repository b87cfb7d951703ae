"""Mail in the HTTP tests: an SMTP server that keeps what it receives, the members' addresses,
a meeting scheduled over HTTP and the parts of a message read back.

The fixtures that use them (``inbox``, ``cell``) are in ``tests/e2e/conftest.py``.
"""

from __future__ import annotations

import email
import email.policy
from datetime import datetime
from email.message import Message

from icalendar import Calendar

from tests.e2e.test_meetings_api import base, ok

SENDER = "chibo@tinh-thu.example"


class Inbox:
    """An aiosmtpd handler keeping every message; addresses in ``refuse`` get a 550."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], Message]] = []
        self.refuse: set[str] = set()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 hộp thư không tồn tại / no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(
            (
                list(envelope.rcpt_tos),
                email.message_from_bytes(envelope.content, policy=email.policy.default),
            )
        )
        return "250 OK"

    def to(self, address: str) -> list[Message]:
        return [m for rcpt, m in self.messages if address in rcpt]


def address(i: int) -> str:
    return f"dang.vien.{i}@thon-mot.example"


def schedule(client, tenant, cell_id, at: datetime) -> tuple[str, int]:
    body = {
        "cell_id": cell_id,
        "kind": "regular",
        "year": at.year,
        "month": at.month,
        "scheduled_at": at.isoformat(),
        "place": "Nhà văn hóa thôn Một",
        "agenda": ["Thông tin thời sự", "Báo cáo tháng, phương hướng tháng tới"],
    }
    written = ok(client.post(f"{base(tenant)}/meetings", json=body))
    return written["id"], written["position"]


def ics_of(message: Message) -> Calendar:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(part.get_payload(decode=True))


def text_of(message: Message) -> str:
    (part,) = [p for p in message.walk() if p.get_content_type() == "text/plain"]
    return part.get_payload(decode=True).decode("utf-8")
