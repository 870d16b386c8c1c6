"""Retries, failover, timeouts, circuit breaking and mid-stream failure, through real sockets."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from tests.support import GatewayServer, free_port

# The per-attempt timeout: every answer from the simulator must come well within it, even on a
# loaded machine (a spurious timeout is a retry, which changes the counts asserted below).
READ_TIMEOUT_S = 1.0
# Long enough that the circuit is certainly still open for the request right after it opens,
# even on a loaded machine; the test waits exactly this long for the half-open probe.
BREAKER_RESET_S = 2.0


def fault_config(sim_url: str) -> str:
    fast_retry = (
        "{max_attempts: 3, backoff_base_s: 0.01, backoff_max_s: 0.05, retry_after_max_s: 2}"
    )
    return f"""
auth: {{enabled: false}}
server:
  total_timeout_s: 4
providers:
  openai:
    type: openai
    base_url: {sim_url}/v1
    api_key: sim-openai-key
    retry: {fast_retry}
    timeouts: {{connect_s: 1, read_s: {READ_TIMEOUT_S}}}
  anthropic:
    type: anthropic
    base_url: {sim_url}
    api_key: sim-anthropic-key
    retry: {fast_retry}
  flaky:
    type: openai_compatible
    base_url: {sim_url}/v1
    api_key: sim-openai-key
    retry: {{max_attempts: 1}}
    circuit_breaker: {{failure_threshold: 2, reset_after_s: {BREAKER_RESET_S}}}
  dead:
    type: openai_compatible
    base_url: http://127.0.0.1:{free_port()}/v1
    retry: {{max_attempts: 2, backoff_base_s: 0.01, backoff_max_s: 0.02}}
models:
  primary:
    provider: openai
    model: primary-model
    fallbacks: [backup]
  backup:
    provider: anthropic
    model: backup-model
  lonely:
    provider: openai
    model: lonely-model
  breaker-model:
    provider: flaky
    model: breaker-model
  dead-first:
    provider: dead
    model: dead-model
    fallbacks: [backup]
"""


@pytest.fixture(scope="module")
def gw(simulator: Any) -> Iterator[GatewayServer]:
    server = GatewayServer(fault_config(simulator.url))
    yield server
    server.close()


@pytest.fixture()
def client(gw: GatewayServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key="unused", max_retries=0)


def ask(client: openai.OpenAI, model: str, text: str = "hello") -> Any:
    return client.chat.completions.create(model=model, messages=[{"role": "user", "content": text}])


def hits(sim: Any, model: str) -> int:
    return sum(1 for r in sim.requests() if r.get("model") == model)


def test_5xx_is_retried_on_the_same_provider(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="lonely-model", status=500, times=2)
    reply = ask(client, "lonely")
    assert reply.choices[0].message.content.startswith("Simulated openai reply from lonely-model")
    assert hits(sim, "lonely-model") == 3


def test_429_honours_retry_after(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="lonely-model", status=429, retry_after=1, times=1)
    started = time.monotonic()
    reply = ask(client, "lonely")
    assert reply.choices[0].finish_reason == "stop"
    assert hits(sim, "lonely-model") == 2
    # Our own backoff is at most 0.05 s here; a second's wait can only come from Retry-After.
    assert time.monotonic() - started >= 0.9


def test_retry_after_longer_than_allowed_fails_over_at_once(
    client: openai.OpenAI, sim: Any
) -> None:
    sim.add_fault(provider="openai", model="primary-model", status=429, retry_after=60, times=-1)
    started = time.monotonic()
    reply = ask(client, "primary")
    assert reply.choices[0].message.content.startswith(
        "Simulated anthropic reply from backup-model"
    )
    assert hits(sim, "primary-model") == 1
    assert time.monotonic() - started < 3


def test_persistent_failure_fails_over_to_another_provider(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="primary-model", status=503, times=-1)
    reply = ask(client, "primary", "are you there")
    assert reply.choices[0].message.content == (
        "Simulated anthropic reply from backup-model. You said: are you there"
    )
    assert hits(sim, "primary-model") == 3  # max_attempts on the primary, then failover
    assert hits(sim, "backup-model") == 1


def test_client_error_from_provider_is_neither_retried_nor_failed_over(
    client: openai.OpenAI, sim: Any
) -> None:
    sim.add_fault(provider="openai", model="primary-model", status=400, times=1)
    with pytest.raises(openai.BadRequestError) as exc:
        ask(client, "primary")
    assert exc.value.code == "upstream_bad_request"
    assert exc.value.response.headers["x-request-id"].startswith("req_")
    assert hits(sim, "primary-model") == 1
    assert hits(sim, "backup-model") == 0


def test_per_attempt_timeout_then_retry(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="lonely-model", hang=True, times=1)
    reply = ask(client, "lonely")
    assert reply.choices[0].message.content.startswith("Simulated openai reply")
    assert hits(sim, "lonely-model") == 2


def test_every_attempt_timing_out_gives_504(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(
        provider="openai", model="lonely-model", latency_ms=READ_TIMEOUT_S * 3000, times=-1
    )
    with pytest.raises(openai.APIStatusError) as exc:
        ask(client, "lonely")
    assert exc.value.status_code == 504
    assert exc.value.code == "upstream_timeout"


def test_unreachable_provider_fails_over(client: openai.OpenAI, sim: Any) -> None:
    reply = ask(client, "dead-first", "anyone")
    assert reply.choices[0].message.content.startswith(
        "Simulated anthropic reply from backup-model"
    )


def test_circuit_opens_then_half_open_probe_closes_it(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="breaker-model", status=503, times=-1)
    for _ in range(2):
        with pytest.raises(openai.APIStatusError) as exc:
            ask(client, "breaker-model")
        assert exc.value.status_code == 502
    opened_by = time.monotonic()  # the gateway opened the circuit before it answered
    assert hits(sim, "breaker-model") == 2
    # Open: refused without touching the upstream.
    with pytest.raises(openai.APIStatusError) as exc:
        ask(client, "breaker-model")
    assert exc.value.status_code == 503
    assert exc.value.code == "upstream_unavailable"
    assert exc.value.response.headers.get("retry-after")
    assert hits(sim, "breaker-model") == 2
    # After reset_after_s one probe goes through; the upstream is healthy again, so it closes.
    sim.clear_faults()
    time.sleep(max(0.0, opened_by + BREAKER_RESET_S + 0.05 - time.monotonic()))
    assert ask(client, "breaker-model").choices[0].message.content.startswith("Simulated")
    assert ask(client, "breaker-model").choices[0].message.content.startswith("Simulated")
    assert hits(sim, "breaker-model") == 4


def stream_text(client: openai.OpenAI, model: str, text: str = "one two three four") -> str:
    stream = client.chat.completions.create(
        model=model, messages=[{"role": "user", "content": text}], stream=True
    )
    return "".join(c.choices[0].delta.content or "" for c in stream if c.choices)


def test_stream_failure_before_first_byte_is_retried(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="lonely-model", status=502, times=1)
    assert stream_text(client, "lonely") == (
        "Simulated openai reply from lonely-model. You said: one two three four"
    )
    assert hits(sim, "lonely-model") == 2


def test_malformed_stream_before_first_byte_fails_over(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="primary-model", malformed=True, times=-1)
    assert stream_text(client, "primary").startswith("Simulated anthropic reply from backup-model")


def test_stream_cut_midway_reaches_the_client_as_an_error(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="lonely-model", cut_after_chunks=4, times=1)
    received: list[str] = []
    stream = client.chat.completions.create(
        model="lonely", messages=[{"role": "user", "content": "a b c d e f g h"}], stream=True
    )
    with pytest.raises(openai.APIError) as exc:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert "upstream" in str(exc.value.message).lower()
    full = "Simulated openai reply from lonely-model. You said: a b c d e f g h"
    partial = "".join(received)
    assert partial and full.startswith(partial) and partial != full
    # Past the commit point the gateway must not retry behind the client's back.
    assert hits(sim, "lonely-model") == 1
