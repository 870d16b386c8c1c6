"""An incremental decoder of the AWS event-stream binary framing (`application/vnd.amazon.eventstream`).

A message is: total length (u32) · headers length (u32) · CRC32 of those 8 bytes · headers ·
payload · CRC32 of everything before it. All integers are big-endian. Headers are typed:
name length (u8) · name · type (u8) · value. Both CRCs are checked; a truncated stream or a
corrupted message raises ProtocolError, since a proxy cutting a stream must never pass as a
complete answer.
"""

from __future__ import annotations

import struct
import uuid
from binascii import crc32
from datetime import UTC, datetime

from interlock.providers.base import ProtocolError

HeaderValue = bool | int | bytes | str | datetime | uuid.UUID
Headers = dict[str, HeaderValue]

PRELUDE_LENGTH = 12
MESSAGE_CRC_LENGTH = 4
MIN_MESSAGE_LENGTH = PRELUDE_LENGTH + MESSAGE_CRC_LENGTH
MAX_MESSAGE_LENGTH = 24 * 1024 * 1024 + 128 * 1024 + MIN_MESSAGE_LENGTH
MAX_HEADERS_LENGTH = 128 * 1024

_PRELUDE = struct.Struct(">III")
# Header value types, by their type byte: fixed-size integers and their struct formats.
_FIXED = {
    2: struct.Struct(">b"),
    3: struct.Struct(">h"),
    4: struct.Struct(">i"),
    5: struct.Struct(">q"),
}
_U16 = struct.Struct(">H")
_I64 = struct.Struct(">q")


class EventStreamDecoder:
    """Feed bytes as they arrive; get back every message completed by them."""

    __slots__ = ("_buf",)

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> list[tuple[Headers, bytes]]:
        self._buf += data
        buf = self._buf
        messages: list[tuple[Headers, bytes]] = []
        pos = 0  # consumed bytes are dropped once at the end, not after every message
        while len(buf) - pos >= PRELUDE_LENGTH:
            total, headers_length, prelude_crc = _PRELUDE.unpack_from(buf, pos)
            # Validate the prelude before trusting its lengths: a bad length would otherwise
            # make us wait forever for bytes that never come.
            if crc32(buf[pos : pos + 8]) != prelude_crc:
                raise ProtocolError("event-stream prelude checksum mismatch")
            if not MIN_MESSAGE_LENGTH <= total <= MAX_MESSAGE_LENGTH:
                raise ProtocolError(f"event-stream message length {total} is out of range")
            if headers_length > min(MAX_HEADERS_LENGTH, total - MIN_MESSAGE_LENGTH):
                raise ProtocolError(f"event-stream headers length {headers_length} is invalid")
            if len(buf) - pos < total:
                break
            message = bytes(buf[pos : pos + total])
            pos += total
            (message_crc,) = struct.unpack_from(">I", message, total - MESSAGE_CRC_LENGTH)
            if crc32(message[: total - MESSAGE_CRC_LENGTH]) != message_crc:
                raise ProtocolError("event-stream message checksum mismatch")
            headers_end = PRELUDE_LENGTH + headers_length
            headers = decode_headers(message[PRELUDE_LENGTH:headers_end])
            messages.append((headers, message[headers_end : total - MESSAGE_CRC_LENGTH]))
        del buf[:pos]
        return messages

    def close(self) -> None:
        """The stream ended: anything left over is a message cut short."""
        if self._buf:
            raise ProtocolError(f"event stream truncated ({len(self._buf)} bytes of a message)")


def decode_headers(data: bytes) -> Headers:
    headers: Headers = {}
    pos = 0
    try:
        while pos < len(data):
            name_length = data[pos]
            pos += 1
            name = data[pos : pos + name_length].decode()
            pos += name_length
            kind = data[pos]
            pos += 1
            value: HeaderValue
            if kind == 0:
                value = True
            elif kind == 1:
                value = False
            elif kind in _FIXED:
                fmt = _FIXED[kind]
                (value,) = fmt.unpack_from(data, pos)
                pos += fmt.size
            elif kind in (6, 7):  # byte array, UTF-8 string: u16 length prefix
                (length,) = _U16.unpack_from(data, pos)
                pos += 2
                raw = data[pos : pos + length]
                if len(raw) != length:
                    raise ProtocolError("event-stream header value is truncated")
                pos += length
                value = raw if kind == 6 else raw.decode()
            elif kind == 8:  # timestamp: milliseconds since the epoch
                (millis,) = _I64.unpack_from(data, pos)
                pos += 8
                value = datetime.fromtimestamp(millis / 1000, UTC)
            elif kind == 9:
                raw = data[pos : pos + 16]
                if len(raw) != 16:
                    raise ProtocolError("event-stream header value is truncated")
                pos += 16
                value = uuid.UUID(bytes=raw)
            else:
                raise ProtocolError(f"event-stream header type {kind} is unknown")
            headers[name] = value
    except (IndexError, struct.error, UnicodeDecodeError):
        raise ProtocolError("event-stream headers are malformed") from None
    return headers
