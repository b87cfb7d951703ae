"""Long Vietnamese subjects and names survive RFC 2047 folding (services/notices/headers.py).

Each message is flattened as smtplib sends it (CRLF, the message's policy) and parsed back with
``email.policy.default``; every encoded word must hold whole UTF-8 characters and every line
stay within 78 characters.
"""

from __future__ import annotations

import base64
import io
import random
import re
from email import message_from_bytes, policy
from email.generator import BytesGenerator
from email.message import EmailMessage
from email.utils import getaddresses

import pytest

from services.notices.headers import DISPLAY_BYTES, Folded, mailbox, shortened

PLACES = (
    "Tùy Sơn", "Vọng Sơn", "Hợp Lý", "Quang Yên", "Triệu Đề", "Ngọc Mỹ", "Đồng Ích", "Liễn Sơn",
    "phường", "khu dân cư", "thuộc", "Đảng bộ", "số 3", "Xuân Lôi", "Thái Hòa", "Sơn Đông",
)  # fmt: skip
ENCODED = re.compile(rb"=\?utf-8\?b\?([^?]*)\?=", re.IGNORECASE)


def flattened(message: EmailMessage) -> bytes:
    out = io.BytesIO()
    BytesGenerator(out).flatten(message, linesep="\r\n")
    return out.getvalue()


def cell_names(count: int) -> list[str]:
    rng = random.Random(17)
    return [
        "Chi bộ " + " ".join(rng.choice(PLACES) for _ in range(rng.randint(0, 12)))
        for _ in range(count)
    ]


def test_the_plain_policy_folder_loses_a_space_which_ours_keeps():
    """The bug this module exists for: Python's folder glues an encoded word to the next."""
    subject = (
        "Giấy mời sinh hoạt chi bộ thường kỳ tháng 12/2026 — Chi bộ Triệu Đề phường Thái Hòa"
        " Xuân Lôi khu dân cư Tùy Sơn Thái Hòa Vọng Sơn Sơn Đông"
    )
    plain, ours = EmailMessage(), EmailMessage()
    plain["Subject"] = subject
    ours["Subject"] = Folded("Subject", subject)
    for m in (plain, ours):
        m.set_content("x")
    read = [message_from_bytes(flattened(m), policy=policy.default) for m in (plain, ours)]
    if read[0]["Subject"] == subject:
        pytest.skip("this Python folds the header correctly by itself")
    assert read[1]["Subject"] == subject


@pytest.mark.parametrize("cell", cell_names(200))
def test_long_subjects_and_names_read_back_whole(cell):
    subject = f"Giấy mời sinh hoạt chi bộ thường kỳ tháng 12/2026 — {cell}"
    person = "Tôn Nữ Thị Phương Thảo Hoàng Nguyễn " + cell.removeprefix("Chi bộ ")
    message = EmailMessage()
    message["From"] = mailbox(f"Chibo — {cell}", "chibo@tinh.example", "From")
    message["To"] = mailbox(person, "thao@xa.example", "To")
    message["Subject"] = Folded("Subject", subject)
    message.set_content("Kính gửi đồng chí")
    raw = flattened(message)

    assert max(len(line) for line in raw.split(b"\r\n")) <= 78
    for word in ENCODED.findall(raw):
        base64.b64decode(word).decode("utf-8")  # whole characters in each word
    back = message_from_bytes(raw, policy=policy.default)
    assert back["Subject"] == subject
    (sender,) = back["From"].addresses
    assert sender.addr_spec == "chibo@tinh.example"
    assert sender.display_name == shortened(f"Chibo — {cell}")
    assert sender.display_name.rstrip(" …") in f"Chibo — {cell}"
    (to,) = back["To"].addresses
    assert (to.addr_spec, to.display_name) == ("thao@xa.example", shortened(person))
    # smtplib.send_message takes the envelope from these headers: the addresses come out whole.
    assert getaddresses([message["To"]])[0][1] == "thao@xa.example"
    assert getaddresses([message["From"]])[0][1] == "chibo@tinh.example"


def test_a_name_is_shortened_at_a_word_within_one_encoded_word():
    name = "Đảng ủy khu dân cư phường Quang Yên thuộc Đảng bộ thị xã Quảng Yên"
    short = shortened(name)
    assert short.endswith(" …")
    assert name.startswith(short.removesuffix(" …"))
    assert len(short.encode()) <= DISPLAY_BYTES
    assert shortened("Nguyễn Văn An") == "Nguyễn Văn An"
    assert len(shortened("Đ" * 60).encode()) <= DISPLAY_BYTES


def test_an_ascii_name_with_a_comma_is_quoted():
    message = EmailMessage()
    message["To"] = mailbox("Tran, Van A", "a@b.example", "To")
    message.set_content("x")
    back = message_from_bytes(flattened(message), policy=policy.default)
    assert back["To"].addresses[0].display_name == "Tran, Van A"
