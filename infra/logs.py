"""Structured logs: one JSON object per line (issue 14 §5), for ``serve`` and ``worker``.

Each line has the time (UTC, ISO 8601), level, logger and message, plus whatever the caller
passed in ``extra`` (the access log: request id, province, route, user, status, ms), and the
traceback as ``exc`` when there is one. Log collectors read the fields without parsing text.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "taskName"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_") and value is not None:
                line[key] = value
        if record.exc_info:
            line["exc"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def use_json_lines(level: int = logging.INFO) -> None:
    """Send every log record (the root logger's handlers) as JSON lines."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level)
    for handler in root.handlers:
        handler.setFormatter(JsonFormatter())
