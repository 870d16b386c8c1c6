"""The AWS event-stream encoder, checked with botocore's decoder (which verifies both CRCs)."""

from __future__ import annotations

import json

import pytest
from botocore.eventstream import ChecksumMismatch, EventStreamBuffer

from interlock.simulator.eventstream import encode_message, event_message, exception_message


def decode(raw: bytes) -> list[tuple[dict[str, object], bytes]]:
    buffer = EventStreamBuffer()
    buffer.add_data(raw)
    return [(m.headers, m.payload) for m in buffer]


def test_event_messages_round_trip() -> None:
    raw = event_message("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": "hé"}})
    raw += event_message("messageStop", {"stopReason": "end_turn"})
    (first, second) = decode(raw)
    assert first[0] == {
        ":event-type": "contentBlockDelta",
        ":content-type": "application/json",
        ":message-type": "event",
    }
    assert json.loads(first[1]) == {"contentBlockIndex": 0, "delta": {"text": "hé"}}
    assert second[0][":event-type"] == "messageStop"


def test_prelude_lengths() -> None:
    raw = encode_message({"a": "b"}, b"xyz")
    assert int.from_bytes(raw[0:4], "big") == len(raw)
    assert int.from_bytes(raw[4:8], "big") == 1 + 1 + 1 + 2 + 1  # name len, name, type, len, value


def test_exception_message() -> None:
    ((headers, payload),) = decode(exception_message("throttlingException", "slow down"))
    assert headers[":message-type"] == "exception"
    assert headers[":exception-type"] == "throttlingException"
    assert json.loads(payload) == {"message": "slow down"}


def test_corrupted_message_fails_crc() -> None:
    raw = bytearray(event_message("messageStart", {"role": "assistant"}))
    raw[-6] ^= 0xFF
    with pytest.raises(ChecksumMismatch):
        decode(bytes(raw))
