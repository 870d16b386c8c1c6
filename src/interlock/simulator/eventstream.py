"""The AWS event-stream binary framing (`application/vnd.amazon.eventstream`).

A message is: total length (u32 BE) | headers length (u32 BE) | CRC32 of those 8 bytes |
headers | payload | CRC32 of everything before it. Each header is: name length (u8) | name |
value type (u8, 7 = string) | value length (u16 BE) | value.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping
from typing import Any

import orjson

CONTENT_TYPE = "application/vnd.amazon.eventstream"
_STRING_TYPE = 7


def _encode_headers(headers: Mapping[str, str]) -> bytes:
    out = bytearray()
    for name, value in headers.items():
        name_bytes, value_bytes = name.encode(), value.encode()
        out += struct.pack(">B", len(name_bytes)) + name_bytes
        out += struct.pack(">BH", _STRING_TYPE, len(value_bytes)) + value_bytes
    return bytes(out)


def encode_message(headers: Mapping[str, str], payload: bytes) -> bytes:
    encoded_headers = _encode_headers(headers)
    total = 4 + 4 + 4 + len(encoded_headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(encoded_headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + encoded_headers + payload
    return body + struct.pack(">I", zlib.crc32(body))


def event_message(event_type: str, payload: Any) -> bytes:
    """An event as Bedrock sends it, with a JSON payload (or raw bytes, for malformed faults)."""
    data = payload if isinstance(payload, bytes) else orjson.dumps(payload)
    headers = {
        ":event-type": event_type,
        ":content-type": "application/json",
        ":message-type": "event",
    }
    return encode_message(headers, data)


def exception_message(exception_type: str, message: str) -> bytes:
    """An in-stream error (e.g. `throttlingException`), as ConverseStream reports mid-stream."""
    headers = {
        ":exception-type": exception_type,
        ":content-type": "application/json",
        ":message-type": "exception",
    }
    return encode_message(headers, orjson.dumps({"message": message}))
