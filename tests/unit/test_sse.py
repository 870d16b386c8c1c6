"""The SSE decoder: the same events however the bytes are split, CRLF or LF, every field form."""

from __future__ import annotations

from interlock.providers.sse import SSEDecoder, SSEEvent

STREAM = (
    b": keep-alive comment\n\n"
    b'data: {"a":1}\n\n'
    b'event: message_start\ndata: {"b":2}\n\n'
    b"data: line one\ndata: line two\n\n"
    b"event: ping\n\n"
    b"data:no-space\n\n"
    b"data: [DONE]\n\n"
)
EXPECTED = [
    SSEEvent(None, b'{"a":1}'),
    SSEEvent("message_start", b'{"b":2}'),
    SSEEvent(None, b"line one\nline two"),
    SSEEvent("ping", b""),
    SSEEvent(None, b"no-space"),
    SSEEvent(None, b"[DONE]"),
]


def decode(pieces: list[bytes]) -> tuple[list[SSEEvent], SSEDecoder]:
    decoder = SSEDecoder()
    events: list[SSEEvent] = []
    for piece in pieces:
        events.extend(decoder.feed(piece))
    return events, decoder


def test_whole_stream() -> None:
    events, decoder = decode([STREAM])
    assert events == EXPECTED
    assert not decoder.pending()


def test_split_at_every_position_and_byte_by_byte() -> None:
    for cut in range(1, len(STREAM)):
        assert decode([STREAM[:cut], STREAM[cut:]])[0] == EXPECTED, cut
    assert decode([bytes([b]) for b in STREAM])[0] == EXPECTED


def test_crlf_line_endings_even_split_between_cr_and_lf() -> None:
    crlf = STREAM.replace(b"\n", b"\r\n")
    for cut in range(1, len(crlf)):
        assert decode([crlf[:cut], crlf[cut:]])[0] == EXPECTED, cut


def test_an_unfinished_frame_waits_for_its_end() -> None:
    events, decoder = decode([b'data: {"a":1}\n\ndata: {"par'])
    assert events == [SSEEvent(None, b'{"a":1}')]
    assert decoder.pending()
    assert decoder.feed(b'tial":true}\n\n') == [SSEEvent(None, b'{"partial":true}')]
