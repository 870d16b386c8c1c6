"""The event-stream decoder against hand-built frames that botocore's own decoder accepts."""

from __future__ import annotations

import struct
import uuid
from binascii import crc32
from datetime import UTC, datetime

import pytest
from botocore.eventstream import EventStreamBuffer

from interlock.providers.base import ProtocolError
from interlock.providers.eventstream import EventStreamDecoder


def header(name: str, kind: int, value: bytes = b"") -> bytes:
    raw = name.encode()
    return bytes([len(raw)]) + raw + bytes([kind]) + value


def string_header(name: str, value: str) -> bytes:
    raw = value.encode()
    return header(name, 7, struct.pack(">H", len(raw)) + raw)


def frame(headers: bytes, payload: bytes) -> bytes:
    """One message in the AWS event-stream framing (both CRCs computed)."""
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", crc32(prelude))
    body = prelude + headers + payload
    return body + struct.pack(">I", crc32(body))


def event(event_type: str, payload: bytes) -> bytes:
    return frame(
        string_header(":event-type", event_type)
        + string_header(":content-type", "application/json")
        + string_header(":message-type", "event"),
        payload,
    )


def botocore_decode(data: bytes) -> list[tuple[dict[str, object], bytes]]:
    buf = EventStreamBuffer()
    buf.add_data(data)
    return [(m.headers, m.payload) for m in buf]


STREAM = b"".join(
    [
        event("messageStart", b'{"p":"abc","role":"assistant"}'),
        event("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":"Hello"},"p":"ab"}'),
        event("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":" world"}}'),
        event("contentBlockStop", b'{"contentBlockIndex":0}'),
        event("messageStop", b'{"stopReason":"end_turn"}'),
        event("metadata", b'{"usage":{"inputTokens":5,"outputTokens":2,"totalTokens":7}}'),
    ]
)


def test_decodes_what_botocore_decodes() -> None:
    expected = botocore_decode(STREAM)
    assert len(expected) == 6
    got = EventStreamDecoder().feed(STREAM)
    assert got == expected
    assert got[1][0][":event-type"] == "contentBlockDelta"


@pytest.mark.parametrize("size", [1, 2, 3, 5, 7, 11, 13, 64, 1000])
def test_arbitrary_splits(size: int) -> None:
    decoder = EventStreamDecoder()
    got = []
    for i in range(0, len(STREAM), size):
        got.extend(decoder.feed(STREAM[i : i + size]))
    decoder.close()
    assert got == botocore_decode(STREAM)


def test_every_header_type() -> None:
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    headers = (
        header("t", 0)
        + header("f", 1)
        + header("byte", 2, struct.pack(">b", -5))
        + header("short", 3, struct.pack(">h", -300))
        + header("int", 4, struct.pack(">i", 70000))
        + header("long", 5, struct.pack(">q", 2**40))
        + header("bytes", 6, struct.pack(">H", 3) + b"\x00\x01\x02")
        + string_header("str", "héllo")
        + header("ts", 8, struct.pack(">q", 1_700_000_000_123))
        + header("uuid", 9, u.bytes)
    )
    data = frame(headers, b"payload")
    ((theirs, their_payload),) = botocore_decode(data)
    ((ours, payload),) = EventStreamDecoder().feed(data)
    assert payload == their_payload == b"payload"
    assert ours["t"] is True and ours["f"] is False
    assert (ours["byte"], ours["short"], ours["int"], ours["long"]) == (-5, -300, 70000, 2**40)
    assert ours["bytes"] == b"\x00\x01\x02" and ours["str"] == "héllo"
    assert ours["ts"] == datetime.fromtimestamp(1_700_000_000.123, UTC)
    assert ours["uuid"] == u
    # Same names and, where the types agree, the same values as botocore.
    assert set(ours) == set(theirs)
    for name in ("t", "f", "byte", "short", "int", "long", "bytes", "str"):
        assert ours[name] == theirs[name]


def test_empty_payload_and_no_headers() -> None:
    data = frame(b"", b"")
    assert botocore_decode(data) == [({}, b"")]
    assert EventStreamDecoder().feed(data) == [({}, b"")]


def test_message_crc_mismatch() -> None:
    data = bytearray(event("contentBlockDelta", b'{"delta":{"text":"Hello"}}'))
    data[-10] ^= 0x01  # a bit flipped in the payload
    with pytest.raises(ProtocolError, match="message checksum"):
        EventStreamDecoder().feed(bytes(data))


def test_prelude_crc_mismatch_is_caught_before_waiting_for_the_body() -> None:
    data = bytearray(event("messageStop", b'{"stopReason":"end_turn"}'))
    data[3] ^= 0x40  # a corrupted total length: must not wait for bytes that never come
    with pytest.raises(ProtocolError, match="prelude checksum"):
        EventStreamDecoder().feed(bytes(data[:12]))


def test_corrupted_crc_bytes_themselves() -> None:
    data = bytearray(event("messageStop", b"{}"))
    data[-1] ^= 0xFF
    with pytest.raises(ProtocolError):
        EventStreamDecoder().feed(bytes(data))


def test_truncated_stream() -> None:
    decoder = EventStreamDecoder()
    cut = len(STREAM) - 7
    messages = decoder.feed(STREAM[:cut])
    assert len(messages) == 5  # the last one is incomplete
    with pytest.raises(ProtocolError, match="truncated"):
        decoder.close()


def test_implausible_lengths() -> None:
    prelude = struct.pack(">II", 8, 0)  # shorter than the smallest possible message
    with pytest.raises(ProtocolError, match="out of range"):
        EventStreamDecoder().feed(prelude + struct.pack(">I", crc32(prelude)))
    prelude = struct.pack(">II", 20, 10)  # headers longer than the message leaves room for
    with pytest.raises(ProtocolError, match="headers length"):
        EventStreamDecoder().feed(prelude + struct.pack(">I", crc32(prelude)))


def test_unknown_header_type() -> None:
    with pytest.raises(ProtocolError, match="header type"):
        EventStreamDecoder().feed(frame(header("x", 42), b""))
