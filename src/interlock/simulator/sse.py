"""Server-sent events framing for the SSE-speaking providers."""

from __future__ import annotations

from typing import Any

import orjson


def sse_event(data: Any, event: str | None = None, *, crlf: bool = False) -> bytes:
    """One SSE event; `data` is JSON-encoded unless it is already bytes.

    Gemini frames its events with CRLF line ends, OpenAI and Anthropic with LF.
    """
    payload = data if isinstance(data, bytes) else orjson.dumps(data)
    end = b"\r\n" if crlf else b"\n"
    head = b"event: " + event.encode() + end if event is not None else b""
    return head + b"data: " + payload + end + end
