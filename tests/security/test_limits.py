"""Configured limits reach the server, and what exceeds them gets a clear answer in the
caller's own format: concurrency (503 + Retry-After), header size and count (400), and who may
read /metrics (server.metrics_allow_from, server.metrics_token)."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from interlock.config import ConfigError, parse_config
from tests.security.support import CHAT_MODEL, CLAUDE_MODEL, Secured, secure_yaml, start_secured

SERVER = ", max_concurrent_requests: 2, max_header_bytes: 2048, max_headers: 20"


@pytest.fixture(scope="module")
def secured(simulator: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    s = start_secured(simulator.url, tmp_path_factory.mktemp("limits"), SERVER)
    yield s
    s.gateway.close()


def post(s: Secured, path: str, body: dict[str, Any], **headers: str) -> requests.Response:
    return requests.post(
        s.gateway.url + path,
        json=body,
        headers={"authorization": f"Bearer {s.inference_key}", **headers},
        timeout=20,
    )


def chat(s: Secured, **headers: str) -> requests.Response:
    body = {"model": CHAT_MODEL, "messages": [{"role": "user", "content": "hi"}]}
    return post(s, "/v1/chat/completions", body, **headers)


def test_beyond_max_concurrent_requests_is_503_in_the_callers_format(
    secured: Secured, sim: Any
) -> None:
    # Held at the upstream long enough that both are still in flight for the refusals below,
    # and well inside the provider's read timeout (5 s).
    sim.add_fault(provider="openai", latency_ms=3000, times=2)
    slow: list[requests.Response] = []
    threads = [threading.Thread(target=lambda: slow.append(chat(secured))) for _ in range(2)]
    for t in threads:
        t.start()
    # Both in flight: admitted and arrived at the upstream (however long that takes under load).
    deadline = time.monotonic() + 30
    while sum(r["provider"] == "openai" for r in sim.requests()) < 2:
        assert time.monotonic() < deadline, "the two slow requests never reached the upstream"
        time.sleep(0.02)

    refused = chat(secured)
    assert refused.status_code == 503
    assert refused.headers["retry-after"] == "1"
    err = refused.json()["error"]
    assert err["code"] == "overloaded" and err["request_id"] == refused.headers["x-request-id"]

    body = {"model": CLAUDE_MODEL, "max_tokens": 5, "messages": [{"role": "user", "content": "hi"}]}
    anthropic = post(secured, "/v1/messages", body, **{"anthropic-version": "2023-06-01"})
    assert anthropic.status_code == 503
    assert anthropic.json()["error"]["type"] == "overloaded_error"

    for t in threads:
        t.join(20)
    assert [r.status_code for r in slow] == [200, 200]
    assert chat(secured).status_code == 200  # the slots are free again


def test_header_limits_come_from_the_configuration(secured: Secured) -> None:
    assert chat(secured, **{"x-pad": "a" * 1500}).status_code == 200
    assert chat(secured, **{"x-pad": "a" * 3000}).status_code == 400  # max_header_bytes: 2048
    many = {f"x-h{i}": "v" for i in range(30)}  # max_headers: 20
    assert chat(secured, **many).status_code == 400


def _reload(s: Secured, tmp: Path, server: str) -> None:
    path = s.gateway.holder.path
    text = path.read_text().replace(SERVER, SERVER + server)
    path.write_text(text)
    assert s.gateway.call(s.gateway.holder.reload), s.gateway.holder.last_error


def test_metrics_access(secured: Secured, tmp_path: Path) -> None:
    url = secured.gateway.url + "/metrics"
    assert requests.get(url, timeout=5).status_code == 200  # loopback: allowed by default

    token = secrets.token_urlsafe(24)
    _reload(secured, tmp_path, f', metrics_token: "{token}"')
    missing = requests.get(url, timeout=5)
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthorized"
    assert missing.headers["x-request-id"]
    wrong = requests.get(url, headers={"authorization": "Bearer " + "x" * 32}, timeout=5)
    assert wrong.status_code == 401
    ok = requests.get(url, headers={"authorization": f"Bearer {token}"}, timeout=5)
    assert ok.status_code == 200 and "interlock_" in ok.text

    path = secured.gateway.holder.path
    path.write_text(path.read_text().replace(f', metrics_token: "{token}"', ""))
    _reload(secured, tmp_path, ', metrics_allow_from: ["10.0.0.0/8"]')
    outside = requests.get(url, timeout=5)
    assert outside.status_code == 403 and outside.json()["error"]["code"] == "forbidden"
    # The OpenAPI documents stay public: they describe the API, not its configuration.
    assert requests.get(secured.gateway.url + "/v1/openapi.json", timeout=5).status_code == 200
    assert requests.get(secured.gateway.url + "/admin/openapi.json", timeout=5).status_code == 200


@pytest.mark.parametrize(
    ("server", "message"),
    [
        (', metrics_allow_from: ["not-a-network"]', "not an IP network"),
        (', metrics_token: "short"', "at least 16"),
        (", max_headers: 5", "greater than or equal to 16"),
        (", idle_timeout_s: 0", "greater than 0"),
    ],
)
def test_bad_limits_are_refused_at_load(tmp_path: Path, server: str, message: str) -> None:
    with pytest.raises(ConfigError) as info:
        parse_config(secure_yaml("http://127.0.0.1:9", tmp_path, server))
    assert "server." in str(info.value) and message in str(info.value)


def test_defaults_are_safe() -> None:
    server = parse_config(secure_yaml("http://127.0.0.1:9", Path("/tmp"))).server
    assert server.max_header_bytes == 8190 and server.max_headers == 100
    assert server.idle_timeout_s == 75 and server.body_timeout_s == 60
    assert server.max_concurrent_requests == 512 and server.max_body_bytes == 200000
    assert server.metrics_allow_from == ["127.0.0.0/8", "::1/128"] and server.metrics_token is None
