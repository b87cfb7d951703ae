"""Vietnamese e-mail headers (tiêu đề thư tiếng Việt) folded by RFC 2047 so every reader agrees.

Python 3.11's header folder (``email.policy.default``) drops the space between an encoded word
and a plain ASCII word when it folds a long non-ASCII header: "Chi bộ Triệu Đề phường …"
arrived as "Triệu Đềphường". And a display name cut into several encoded words is read back
by some readers (Python's own address parser among them) with a space inserted at each cut:
"phư ờng".

So:

- :class:`Folded` is a header value that folds itself with :class:`email.header.Header`: each
  encoded word holds whole UTF-8 characters, spaces travel inside the encoded text, and no line
  passes the policy's length. The generator calls its ``fold`` instead of the policy's folder.
- :func:`mailbox` keeps a display name to one encoded word (shortened at a word boundary, with
  "…", when it is longer), so no reader has a cut to misread; the address itself is untouched.
"""

from __future__ import annotations

from email.header import Header
from email.policy import Policy
from email.utils import formataddr
from typing import Any

DISPLAY_BYTES = 45
"""UTF-8 bytes of a display name: one base64 encoded word of 72 characters, which fits on the
first line after ``From: `` or ``To: `` within 78."""


class Folded(str):
    """A header value folded by RFC 2047 at output, not by the policy's folder."""

    name: str
    text: str
    address: str | None

    def __new__(cls, name: str, text: str, address: str | None = None) -> Folded:
        shown = text if address is None else formataddr((text, address))
        value = super().__new__(cls, shown)
        value.name, value.text, value.address = name, text, address
        return value

    def fold(self, *, policy: Policy) -> str:
        """``Name: value`` and the line end, as :meth:`email.policy.EmailPolicy.fold` returns."""
        limit = policy.max_line_length or 78
        if self.text.isascii() and self.address is None:
            header: Any = Header(self.text, "us-ascii", limit, header_name=self.name)
        else:
            header = Header(self.text, "utf-8", limit, header_name=self.name)
        if self.address is not None:
            header.append(f"<{self.address}>", "us-ascii")
        return f"{self.name}: {header.encode(linesep=policy.linesep)}{policy.linesep}"


def shortened(name: str, budget: int = DISPLAY_BYTES) -> str:
    """``name`` within ``budget`` UTF-8 bytes, cut at a word boundary with "…" if it is longer."""
    if len(name.encode()) <= budget:
        return name
    words = name.split()
    kept: list[str] = []
    for word in words:
        if len(" ".join([*kept, word, "…"]).encode()) > budget:
            break
        kept.append(word)
    if not kept:  # one very long word: cut by characters
        cut = name
        while len((cut + "…").encode()) > budget:
            cut = cut[:-1]
        return cut + "…"
    return " ".join(kept) + " …"


def mailbox(name: str, address: str, field: str) -> Folded:
    """``field``'s value: ``name <address>``, the name in one encoded word (or plain ASCII)."""
    shown = name if name.isascii() else shortened(name)
    if shown.isascii():
        return Folded(field, formataddr((shown, address)))
    return Folded(field, shown, address)
