"""Structured logging with a request id. Log routes and ids, never query values, bodies or PHI."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import UTC, datetime

_request_id: contextvars.ContextVar[str] = contextvars.ContextVar("vardesk_request_id", default="")


def current_request_id() -> str:
    return _request_id.get()


def set_request_id(value: str) -> contextvars.Token[str]:
    return _request_id.set(value)


def reset_request_id(token: contextvars.Token[str]) -> None:
    _request_id.reset(token)


class JsonFormatter(logging.Formatter):
    """One JSON object per line. Only whitelisted ``extra`` fields are emitted."""

    FIELDS = (
        "method",
        "route",
        "status",
        "duration_ms",
        "job_id",
        "tool",
        "state",
        "user_id",
        "workspace_id",
        "event",
        "attempt",
        "worker",
    )

    def format(self, record: logging.LogRecord) -> str:
        doc = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = current_request_id()
        if rid:
            doc["request_id"] = rid
        for key in self.FIELDS:
            if hasattr(record, key):
                doc[key] = getattr(record, key)
        if record.exc_info:
            doc["exc"] = self.formatException(record.exc_info)
        return json.dumps(doc, default=str)


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    root = logging.getLogger()
    root.setLevel(level.upper())
    for h in list(root.handlers):
        if getattr(h, "_vardesk", False):
            root.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler._vardesk = True  # type: ignore[attr-defined]
    handler.setFormatter(
        JsonFormatter()
        if fmt == "json"
        else logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s")
    )
    root.addHandler(handler)
    # uvicorn's access log prints the full URL including the query string: PHI may be there.
    logging.getLogger("uvicorn.access").disabled = True
