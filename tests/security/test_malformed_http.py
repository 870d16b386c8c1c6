"""Malformed and abusive HTTP on raw sockets: each gets a clear 4xx or a closed connection,
never a 5xx or a traceback, the gateway keeps serving others, and its logs hold no key and no
traceback. Limits are set small here (server.body_timeout_s, idle_timeout_s) so the slow-client
cases take seconds; their defaults are in the README's "Limits" table."""

from __future__ import annotations

import gzip
import socket
import time
from collections.abc import Iterator
from typing import Any

import orjson
import pytest
import requests

from tests.security.support import (
    CHAT_MODEL,
    CLAUDE_MODEL,
    LogCapture,
    Secured,
    assert_answer,
    assert_clean_logs,
    start_secured,
)

SERVER = ", body_timeout_s: 1, idle_timeout_s: 2, max_header_bytes: 8190, max_headers: 100"


@pytest.fixture(scope="module")
def logs() -> Iterator[LogCapture]:
    with LogCapture() as capture:
        yield capture


@pytest.fixture(scope="module")
def secured(
    simulator: Any, tmp_path_factory: pytest.TempPathFactory, logs: LogCapture
) -> Iterator[Secured]:
    s = start_secured(simulator.url, tmp_path_factory.mktemp("malformed"), SERVER)
    yield s
    s.gateway.close()


# ---- raw HTTP -------------------------------------------------------------------------------


def connect(s: Secured) -> socket.socket:
    return socket.create_connection(("127.0.0.1", s.gateway.port), timeout=10)


def read_all(sock: socket.socket, timeout: float = 10) -> bytes:
    """Everything the server sends until it closes (or the timeout passes)."""
    sock.settimeout(timeout)
    out = b""
    try:
        while chunk := sock.recv(65536):
            out += chunk
    except (TimeoutError, ConnectionResetError):
        pass
    return out


def raw(s: Secured, data: bytes, *, shut: bool = False, timeout: float = 10) -> bytes:
    """Send, then read until the server closes (requests say `Connection: close`); `shut` also
    half-closes our side, which the server takes as the client going away."""
    with connect(s) as sock:
        try:
            sock.sendall(data)
            if shut:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass
        return read_all(sock, timeout)


def head_of(answer: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers = {k.strip().lower(): v.strip() for k, _, v in (ln.partition(":") for ln in lines[1:])}
    if "chunked" in headers.get("transfer-encoding", ""):
        body = _unchunk(body)
    return status, headers, body


def _unchunk(body: bytes) -> bytes:
    out = b""
    while body:
        size_line, _, rest = body.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            break
        out, body = out + rest[:size], rest[size + 2 :]
    return out


def request(
    s: Secured,
    path: str = "/v1/chat/completions",
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    extra: bytes = b"",
) -> bytes:
    body = chat_body() if body is None else body
    lines = [
        f"POST {path} HTTP/1.1",
        "Host: gateway",
        f"Authorization: Bearer {s.inference_key}",
        "Content-Type: application/json",
        "Connection: close",
        *(f"{k}: {v}" for k, v in (headers or {}).items()),
    ]
    if not any(k.lower() in ("content-length", "transfer-encoding") for k in headers or {}):
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n").encode() + extra + b"\r\n" + body


def chat_body(content: str = "hello") -> bytes:
    return orjson.dumps({"model": CHAT_MODEL, "messages": [{"role": "user", "content": content}]})


def assert_refused_cleanly(answer: bytes, path: str = "/v1/chat/completions") -> int:
    """A 4xx (ours in the caller's format, or aiohttp's own parser refusal) or a closed socket."""
    if not answer:
        return 0  # closed without a word: acceptable for garbage
    status, headers, body = head_of(answer)
    assert 400 <= status < 500, answer[:500]
    assert b"Traceback" not in answer, answer[:2000]
    if "x-request-id" in headers:  # ours: the caller's error shape
        assert_answer(path, status, headers, body)
    return status


@pytest.fixture(autouse=True)
def still_serving(secured: Secured) -> Iterator[None]:
    """After every abuse, an ordinary request is still answered."""
    yield
    r = requests.post(
        secured.gateway.url + "/v1/chat/completions",
        data=chat_body(),
        headers={"authorization": f"Bearer {secured.inference_key}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text


# ---- header abuse -----------------------------------------------------------------------------


@pytest.mark.parametrize("expect", ["0", "fly-me-to-the-moon", "100-continue, x"])
@pytest.mark.parametrize("path", ["/v1/chat/completions", "/v1/messages", "/admin/teams"])
def test_an_unknown_expectation_is_ignored_not_a_bare_417(
    secured: Secured, path: str, expect: str
) -> None:
    """aiohttp answers an `Expect` other than 100-continue with a bare 417 before any middleware
    (found by the admin API fuzz: no request ID, not the caller's format); it is ignored instead,
    as RFC 9110 allows, and the request answered like any other."""
    key = secured.admin_key if path.startswith("/admin") else secured.inference_key
    body = b"{}" if path.startswith("/admin") else chat_body()
    data = request(secured, path, body, headers={"Expect": expect})
    data = data.replace(secured.inference_key.encode(), key.encode())
    status, headers, answer = head_of(raw(secured, data))
    assert status != 417, answer[:300]
    assert_answer(path, status, headers, answer, admin=path.startswith("/admin"))


def test_huge_header_is_refused(secured: Secured) -> None:
    answer = raw(secured, request(secured, headers={"X-Big": "a" * 20_000}))
    assert assert_refused_cleanly(answer) in (0, 400, 431)


def test_huge_request_line_is_refused(secured: Secured) -> None:
    answer = raw(secured, request(secured, path="/v1/chat/completions?" + "q" * 20_000))
    assert assert_refused_cleanly(answer) in (0, 400, 414)


def test_too_many_headers_are_refused(secured: Secured) -> None:
    many = {f"X-H{i}": "v" for i in range(500)}
    answer = raw(secured, request(secured, headers=many))
    assert assert_refused_cleanly(answer) in (0, 400, 431)


def test_bad_bytes_in_headers(secured: Secured) -> None:
    for bad in (b"X-Bad: \xff\xfe\xc3\x28\r\n", b"X-Ctl: a\x01b\r\n", b"X-Nul: a\x00b\r\n"):
        answer = raw(secured, request(secured, extra=bad))
        if answer:  # else closed: aiohttp refuses control characters that way
            status, _, _ = head_of(answer)
            assert status == 200 or 400 <= status < 500, (bad, answer[:300])


def test_non_ascii_credentials_are_a_clean_401(secured: Secured) -> None:
    data = request(secured).replace(
        f"Bearer {secured.inference_key}".encode(), "Bearer ключ-\u00e9".encode()
    )
    status, headers, body = head_of(raw(secured, data))
    assert status == 401
    assert_answer("/v1/chat/completions", status, headers, body)


def test_garbage_instead_of_http(secured: Secured) -> None:
    for junk in (
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(256)),
        b"HELLO\r\n\r\n",
    ):
        assert_refused_cleanly(raw(secured, junk))


# ---- body abuse -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "body"),
    [
        (
            "/v1/chat/completions",
            b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "\xff\xfe"}]}',
        ),
        (
            "/v1/messages",
            b'{"model": "claude-sonnet", "max_tokens": 5, "messages": [{"role": "user", "content": "\xc3\x28"}]}',
        ),
        ("/v1/chat/completions", '{"model": "gpt-4o-mini"}'.encode("utf-16")),
        ("/v1/embeddings", b'{"model": "text-embedding-3-small", "input": "\\ud800"}'),
    ],
    ids=["invalid-utf8", "invalid-utf8-anthropic", "utf16", "lone-surrogate-escape"],
)
def test_bad_encodings_in_bodies(secured: Secured, path: str, body: bytes) -> None:
    status, headers, answer = head_of(raw(secured, request(secured, path=path, body=body)))
    assert status == 200 or 400 <= status < 500, answer[:300]
    assert_answer(path, status, headers, answer)


def test_oversized_body_is_413_before_it_is_read(secured: Secured) -> None:
    data = request(secured, body=b"", headers={"Content-Length": str(10**9)})
    status, headers, body = head_of(raw(secured, data, shut=False, timeout=5))
    assert status == 413
    assert_answer("/v1/chat/completions", status, headers, body)


def test_oversized_chunked_body_is_413(secured: Secured) -> None:
    chunk = b"a" * 100_000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(3)) + b"0\r\n\r\n"
    data = request(secured, body=body, headers={"Transfer-Encoding": "chunked"})
    status, headers, answer = head_of(raw(secured, data))
    assert status == 413
    assert_answer("/v1/chat/completions", status, headers, answer)


def test_truncated_body_is_refused(secured: Secured) -> None:
    body = chat_body()
    data = request(secured, body=body[:10], headers={"Content-Length": str(len(body))})
    assert_refused_cleanly(raw(secured, data, shut=True))  # the client gave up: 4xx or closed


@pytest.mark.parametrize(
    "chunks",
    [
        b"zz\r\nabc\r\n0\r\n\r\n",
        b"5\r\nab\r\n0\r\n\r\n",
        b"ffffffffffffffffffff\r\nab",
        b"3\r\nabc0\r\n\r\n",
    ],
    ids=["bad-size", "short-chunk", "huge-size", "missing-crlf"],
)
def test_malformed_chunked_bodies(secured: Secured, chunks: bytes) -> None:
    data = request(secured, body=chunks, headers={"Transfer-Encoding": "chunked"})
    assert_refused_cleanly(raw(secured, data, timeout=5))


def test_bad_content_encoding(secured: Secured) -> None:
    for body, enc in (
        (b"not gzip at all", "gzip"),
        (gzip.compress(chat_body())[:20], "gzip"),
        (b"x", "br"),
    ):
        data = request(secured, body=body, headers={"Content-Encoding": enc})
        assert_refused_cleanly(raw(secured, data, timeout=5))


def test_gzip_bomb_is_refused(secured: Secured) -> None:
    bomb = gzip.compress(b"{" + b" " * 50_000_000 + b"}")  # 50 MB of JSON in ~50 kB
    data = request(secured, body=bomb, headers={"Content-Encoding": "gzip"})
    status, headers, body = head_of(raw(secured, data, timeout=10))
    assert status == 413, body[:300]
    assert_answer("/v1/chat/completions", status, headers, body)


@pytest.mark.parametrize("depth", [100, 2_000, 100_000])
def test_json_nesting_bombs(secured: Secured, depth: int) -> None:
    nested = b"[" * depth + b"]" * depth
    for body in (
        nested,
        b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}], "metadata": '
        + nested
        + b"}",
        b'{"model": "gpt-4o-mini", "messages": [{"role": "user", "content": ' + nested + b"}]}",
    ):
        if len(body) > 200_000:
            continue  # over max_body_bytes: that is the 413 case above
        status, headers, answer = head_of(raw(secured, request(secured, body=body)))
        assert status == 200 or 400 <= status < 500, answer[:300]
        assert_answer("/v1/chat/completions", status, headers, answer)


# ---- slow clients -----------------------------------------------------------------------------


def test_slowloris_header_trickle_is_cut_off(secured: Secured) -> None:
    """Headers a byte at a time: the connection is closed after server.idle_timeout_s (2 s here)."""
    with connect(secured) as sock:
        sock.sendall(b"POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n")
        started = time.monotonic()
        closed_after = None
        for _ in range(40):
            try:
                sock.sendall(b"X")
                sock.settimeout(0.25)
                if sock.recv(1024) == b"":
                    closed_after = time.monotonic() - started
                    break
            except TimeoutError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed_after = time.monotonic() - started
                break
        assert closed_after is not None, "still open after 10 s of trickled headers"
        assert closed_after < 6, closed_after


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/v1/chat/completions", chat_body()),
        (
            "/v1/messages",
            orjson.dumps(
                {
                    "model": CLAUDE_MODEL,
                    "max_tokens": 5,
                    "messages": [{"role": "user", "content": "hi"}],
                }
            ),
        ),
    ],
    ids=["openai", "anthropic"],
)
def test_slow_body_gets_408_in_the_callers_format(secured: Secured, path: str, body: bytes) -> None:
    with connect(secured) as sock:
        sock.sendall(request(secured, path=path, body=body)[: -len(body) + 5])  # 5 bytes of body
        started = time.monotonic()
        answer = read_all(sock, timeout=8)
        took = time.monotonic() - started
    status, headers, text = head_of(answer)
    assert status == 408, answer[:300]
    assert took < 5, took
    assert_answer(path, status, headers, text)
    assert b"did not arrive" in text


def test_idle_keepalive_connection_is_closed(secured: Secured) -> None:
    with connect(secured) as sock:
        sock.sendall(request(secured))
        sock.settimeout(10)
        first = sock.recv(65536)
        assert first.startswith(b"HTTP/1.1 200"), first[:200]
        started = time.monotonic()
        rest = read_all(sock, timeout=8)  # body remainder, then the close
        assert time.monotonic() - started < 6
        assert b"HTTP/1.1" not in rest


def test_many_slow_clients_do_not_block_others(secured: Secured) -> None:
    socks = []
    try:
        for _ in range(50):
            s = connect(secured)
            s.sendall(
                b"POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\nContent-Length: 100\r\n\r\n{"
            )
            socks.append(s)
        started = time.monotonic()
        r = requests.post(
            secured.gateway.url + "/v1/chat/completions",
            data=chat_body(),
            headers={"authorization": f"Bearer {secured.inference_key}"},
            timeout=10,
        )
        assert r.status_code == 200
        assert time.monotonic() - started < 3
    finally:
        for s in socks:
            s.close()


# ---- last: the logs ---------------------------------------------------------------------------


def test_zz_logs_hold_no_secret_and_no_traceback(secured: Secured, logs: LogCapture) -> None:
    assert logs.lines
    assert_clean_logs(logs, secured.secrets())
