"""The invitation e-mail (giấy mời sinh hoạt chi bộ): subject, body and iCalendar attachment.

Vietnamese first, then English; times in Asia/Ho_Chi_Minh as "14 giờ 00 phút, ngày
03/11/2023". The ICS event's UID is the meeting's, so a calendar updates (rescheduled) or
removes (cancelled, ``METHOD:CANCEL``) the one entry; its SEQUENCE is the meeting's version.

The ``Message-ID`` is made from the cause (the event's log position) and the recipient only,
so a message sent twice — a worker killed between sending and recording — carries the same
id both times and the duplicate is recognisable (mail clients and servers drop it).

A reminder (nhắc việc) has its own subject and body and no ICS: it changes nothing in the
calendar; its cause is the reminder's (negative) outbox id.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import formatdate

from icalendar import Calendar, Event, vCalAddress, vText

from domain.meeting import Meeting
from domain.meeting_values import MeetingKind
from services.documents.model import vn_time
from services.notices.headers import Folded, mailbox

KIND_VI = {
    MeetingKind.REGULAR: "sinh hoạt chi bộ thường kỳ",
    MeetingKind.THEMATIC: "sinh hoạt chi bộ chuyên đề",
    MeetingKind.EXTRAORDINARY: "sinh hoạt chi bộ bất thường",
    MeetingKind.COMMITTEE_PREMEETING: "họp chi ủy chuẩn bị sinh hoạt",
}
KIND_EN = {
    MeetingKind.REGULAR: "regular cell meeting",
    MeetingKind.THEMATIC: "thematic cell meeting",
    MeetingKind.EXTRAORDINARY: "extraordinary cell meeting",
    MeetingKind.COMMITTEE_PREMEETING: "cell committee pre-meeting",
}
SUBJECT_VI = {
    "scheduled": "Giấy mời",
    "rescheduled": "Thay đổi lịch",
    "cancelled": "Hủy",
    "reminder_papers": "Nhắc đọc tài liệu",
}
REMINDER_PAPERS = "reminder_papers"
"""The day-before reminder's cause (``services.notices.reminders.PAPERS``)."""
DURATION = timedelta(hours=2)
"""The calendar entry's length: a regular meeting lasts at least 90 minutes (HD 12)."""


@dataclass(frozen=True, slots=True)
class Notice:
    """One notice to one person for one cause."""

    slug: str
    notification_id: int
    cause: str
    recipient: str
    recipient_name: str
    email: str


def message_id(slug: str, notification_id: int, recipient: str, domain: str) -> str:
    digest = hashlib.sha256(f"{slug}|{notification_id}|{recipient}".encode()).hexdigest()[:20]
    return f"<chibo.{slug}.{notification_id}.{digest}@{domain}>"


def domain_of(sender: str) -> str:
    return sender.rpartition("@")[2] or "chibo.local"


def subject(meeting: Meeting, cell_name: str, cause: str) -> str:
    year, month = meeting.period
    what = KIND_VI[meeting.kind]
    head = SUBJECT_VI[cause]
    return f"{head} {what} tháng {month:02d}/{year} — {cell_name}"


def body(meeting: Meeting, cell_name: str, cause: str, name: str) -> str:
    year, month = meeting.period
    when = vn_time(meeting.scheduled_at)
    if cause == REMINDER_PAPERS:
        return reminder_body(meeting, cell_name, name)
    agenda = "\n".join(f"  {i}. {item}" for i, item in enumerate(meeting.agenda, start=1))
    if cause == "cancelled":
        vi = (
            f"Kính gửi đồng chí {name},\n\n"
            f"{cell_name} thông báo hủy buổi {KIND_VI[meeting.kind]} tháng {month:02d}/{year}"
            f" dự kiến lúc {when} tại {meeting.place}.\n"
            f"Lý do: {meeting.cancel_reason}\n"
        )
        en = (
            f"Dear {name},\n\n{cell_name} has cancelled the {KIND_EN[meeting.kind]} of"
            f" {month:02d}/{year} planned for {meeting.scheduled_at.isoformat()} at"
            f" {meeting.place}.\nReason: {meeting.cancel_reason}\n"
        )
    else:
        changed = "Lịch đã thay đổi. " if cause == "rescheduled" else ""
        vi = (
            f"Kính gửi đồng chí {name},\n\n{changed}"
            f"{cell_name} trân trọng kính mời đồng chí dự buổi {KIND_VI[meeting.kind]}"
            f" tháng {month:02d}/{year}.\n"
            f"Thời gian: {when}\nĐịa điểm: {meeting.place}\n"
            f"Nội dung:\n{agenda}\n"
            + (f"Chuyên đề: {meeting.topic}\n" if meeting.topic else "")
            + "\nTài liệu sinh hoạt được đăng trên Chibo ít nhất một ngày trước buổi họp.\n"
        )
        en = (
            f"Dear {name},\n\n"
            + ("The schedule has changed. " if cause == "rescheduled" else "")
            + f"{cell_name} invites you to the {KIND_EN[meeting.kind]} of {month:02d}/{year},"
            f" {meeting.scheduled_at.isoformat()}, at {meeting.place}. The papers are posted in"
            " Chibo at least one day before.\n"
        )
    return f"{vi}\n---\n\n{en}"


def reminder_body(meeting: Meeting, cell_name: str, name: str) -> str:
    year, month = meeting.period
    vi = (
        f"Kính gửi đồng chí {name},\n\n"
        f"Buổi {KIND_VI[meeting.kind]} tháng {month:02d}/{year} của {cell_name} diễn ra"
        f" lúc {vn_time(meeting.scheduled_at)} tại {meeting.place}.\n"
        "Tài liệu sinh hoạt đã được đăng trên Chibo, nhưng đồng chí chưa mở tài liệu nào."
        " Đề nghị đồng chí đọc trước để chuẩn bị ý kiến.\n"
    )
    en = (
        f"Dear {name},\n\nThe {KIND_EN[meeting.kind]} of {cell_name} for {month:02d}/{year}"
        f" is at {meeting.scheduled_at.isoformat()}, at {meeting.place}. Its papers are posted"
        " in Chibo and you have not opened any of them yet: please read them beforehand.\n"
    )
    return f"{vi}\n---\n\n{en}"


def meeting_event(meeting: Meeting) -> Event:
    """The meeting as a calendar event (the invitation's and the feed's): its identity, time,
    title and place. A new version of the meeting replaces the event a calendar holds."""
    event = Event()
    event.add("uid", f"{meeting.id}@chibo")
    event.add("sequence", meeting.version)
    event.add("dtstamp", datetime.now(UTC))
    start = meeting.scheduled_at.astimezone(UTC)
    event.add("dtstart", start)
    event.add("dtend", start + DURATION)
    year, month = meeting.period
    event.add("summary", f"{KIND_VI[meeting.kind].capitalize()} tháng {month:02d}/{year}")
    event.add("location", meeting.place)
    return event


def calendar(meeting: Meeting, cell_name: str, cause: str, organiser: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//Chibo//Sinh hoat chi bo//VI")
    cal.add("version", "2.0")
    cal.add("method", "CANCEL" if cause == "cancelled" else "REQUEST")
    event = meeting_event(meeting)
    event.add("description", "\n".join(meeting.agenda))
    event.add("status", "CANCELLED" if cause == "cancelled" else "CONFIRMED")
    who = vCalAddress(f"mailto:{organiser}")
    who.params["cn"] = vText(cell_name)
    event.add("organizer", who)
    cal.add_component(event)
    ics: bytes = cal.to_ical()
    return ics


def compose(notice: Notice, meeting: Meeting, cell_name: str, sender: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = mailbox(f"Chibo — {cell_name}", sender, "From")
    msg["To"] = mailbox(notice.recipient_name, notice.email, "To")
    msg["Subject"] = Folded("Subject", subject(meeting, cell_name, notice.cause))
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = message_id(
        notice.slug, notice.notification_id, notice.recipient, domain_of(sender)
    )
    msg.set_content(body(meeting, cell_name, notice.cause, notice.recipient_name))
    if notice.cause == REMINDER_PAPERS:
        return msg  # a reminder changes nothing in the calendar: no ICS
    method = "CANCEL" if notice.cause == "cancelled" else "REQUEST"
    msg.add_attachment(
        calendar(meeting, cell_name, notice.cause, sender),
        maintype="text",
        subtype="calendar",
        filename="sinh-hoat-chi-bo.ics",
        params={"method": method},
    )
    return msg
