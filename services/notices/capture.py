"""The demo's local mail capture (hộp thư thử): an SMTP server that writes each message to a file.

``chibo serve --demo`` (``make run``) starts it when no ``CHIBO_SMTP_HOST`` is set, on
127.0.0.1 and ``CHIBO_MAIL_CAPTURE_PORT`` (8025), and points the invitations at it: every
invitation lands as an ``.eml`` file under ``<data dir>/mail/``, to open with any mail
program. It accepts any address and relays nothing.
"""

from __future__ import annotations

import itertools
import socket
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller


class FolderHandler:
    """aiosmtpd handler: one ``.eml`` file per message, named by time and a counter."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._count = itertools.count(1)
        self._lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802  # aiosmtpd's hook name
        with self._lock:
            number = next(self._count)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
        path = self.folder / f"{stamp}-{number:05d}.eml"
        content = (
            envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        )
        path.write_bytes(content)
        return "250 OK: captured"


def start_capture(folder: Path, port: int, host: str = "127.0.0.1") -> Controller:
    """The capture on ``port``, or on a free port when that one is taken (a second demo on
    the same machine died at start on 8025): the caller prints ``controller.port``."""
    folder.mkdir(parents=True, exist_ok=True)
    controller = Controller(FolderHandler(folder), hostname=host, port=_usable(host, port))
    controller.start()
    return controller


def _usable(host: str, port: int) -> int:
    for wanted in (port, 0):
        with socket.socket() as probe:
            try:
                probe.bind((host, wanted))
            except OSError:
                continue
            return int(probe.getsockname()[1])
    raise OSError(f"no free port on {host}")
