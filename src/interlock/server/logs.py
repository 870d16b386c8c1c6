"""Structured logs: one JSON object per line, carrying the request ID of the request at hand."""

from __future__ import annotations

import logging
import os
import time
from contextvars import ContextVar
from typing import Any

import orjson

# Set by the request wrapper; every log line written while handling a request carries it.
current_request_id: ContextVar[str | None] = ContextVar("interlock_request_id", default=None)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created))
            + f".{int(record.msecs):03d}Z",
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
            "pid": record.process,
        }
        request_id = current_request_id.get()
        if request_id is not None:
            entry["request_id"] = request_id
        if record.exc_info:
            # Kept in the log for operators; never sent to a client.
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry).decode()


def configure_logging() -> None:
    """JSON lines on stderr by default; INTERLOCK_LOG_FORMAT=text for people at a terminal."""
    handler = logging.StreamHandler()
    if os.environ.get("INTERLOCK_LOG_FORMAT", "json") == "text":
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    else:
        handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("INTERLOCK_LOG_LEVEL", "INFO"))
