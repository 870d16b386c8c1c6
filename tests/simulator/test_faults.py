"""Fault injection through the control API, observed from the client side."""

from __future__ import annotations

import json
import time
from typing import Any

import anthropic
import httpx
import openai
import pytest

from interlock.simulator import SimulatorClient, SimulatorConfig, start_simulator
from tests.simulator.bedrock_signing import decode_events, signed_request
from tests.simulator.conftest import ANTHROPIC_KEY, AZURE_KEY, GEMINI_KEY, OPENAI_KEY

OPENAI_HEADERS = {"Authorization": f"Bearer {OPENAI_KEY}"}
ANTHROPIC_HEADERS = {"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"}


def chat(model: str = "gpt-4o", stream: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {"model": model, "messages": [{"role": "user", "content": "hi there"}]}
    if stream:
        body["stream"] = True
    return body


async def post_chat(url: str, model: str = "gpt-4o") -> httpx.Response:
    async with httpx.AsyncClient() as http:
        return await http.post(
            url + "/v1/chat/completions", headers=OPENAI_HEADERS, json=chat(model)
        )


async def read_stream(
    url: str, path: str, headers: dict[str, str], body: Any
) -> tuple[list[bytes], Exception | None]:
    """Reads a streamed answer piece by piece; returns the pieces and any transport error."""
    pieces: list[bytes] = []
    async with httpx.AsyncClient() as http:
        try:
            async with http.stream("POST", url + path, headers=headers, json=body) as response:
                async for piece in response.aiter_raw():
                    pieces.append(piece)
        except httpx.TransportError as exc:
            return pieces, exc
    return pieces, None


async def test_status_fault_with_retry_after_in_openai_shape(
    sim_url: str, control: SimulatorClient
) -> None:
    fault_id = control.add_fault(provider="openai", status=429, retry_after=7, message="slow down")
    assert fault_id
    async with openai.AsyncOpenAI(
        base_url=sim_url + "/v1", api_key=OPENAI_KEY, max_retries=0
    ) as sdk:
        with pytest.raises(openai.RateLimitError) as caught:
            await sdk.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "x"}]
            )
        assert caught.value.response.headers["retry-after"] == "7"
        assert caught.value.body == {
            "message": "slow down",
            "type": "requests",
            "param": None,
            "code": "rate_limit_exceeded",
        }
        # times defaults to 1: the next call succeeds.
        ok = await sdk.chat.completions.create(
            model="gpt-4o", messages=[{"role": "user", "content": "x"}]
        )
        assert ok.choices[0].message.content
    assert control.faults() == []


async def test_status_fault_in_each_provider_shape(sim_url: str, control: SimulatorClient) -> None:
    control.add_fault(provider="anthropic", status=529)
    control.add_fault(provider="gemini", status=503)
    control.add_fault(provider="azure", status=500)
    control.add_fault(provider="bedrock", status=429)
    messages_body = {"model": "c", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}
    async with httpx.AsyncClient(base_url=sim_url) as http:
        claude = await http.post("/v1/messages", headers=ANTHROPIC_HEADERS, json=messages_body)
        gemini = await http.post(
            "/v1beta/models/g:generateContent",
            headers={"x-goog-api-key": GEMINI_KEY},
            json={"contents": [{"parts": [{"text": "x"}]}]},
        )
        azure = await http.post(
            "/openai/deployments/d/chat/completions?api-version=2024-10-21",
            headers={"api-key": AZURE_KEY},
            json=chat(),
        )
        url = sim_url + "/model/m/converse"
        headers, data = signed_request(
            url, {"messages": [{"role": "user", "content": [{"text": "x"}]}]}
        )
        bedrock = await http.post(url, headers=headers, content=data)
    assert claude.status_code == 529
    assert claude.json()["type"] == "error"
    assert claude.json()["error"]["type"] == "overloaded_error"
    assert gemini.status_code == 503
    assert gemini.json()["error"]["status"] == "UNAVAILABLE"
    assert gemini.json()["error"]["code"] == 503
    assert azure.status_code == 500
    assert set(azure.json()["error"]) == {"code", "message"}
    assert bedrock.status_code == 429
    assert bedrock.headers["x-amzn-ErrorType"].startswith("ThrottlingException")
    assert "message" in bedrock.json()


async def test_matching_order_and_times(sim_url: str, control: SimulatorClient) -> None:
    control.add_fault(provider="anthropic", status=500)  # other provider: never matches
    control.add_fault(model="other-model", status=501)  # other model: never matches
    control.add_fault(provider="openai", model="gpt-4o", status=502, times=2)
    control.add_fault(provider="openai", status=503, times=-1)
    statuses = [(await post_chat(sim_url)).status_code for _ in range(4)]
    assert statuses == [502, 502, 503, 503]
    assert (await post_chat(sim_url, "other-model")).status_code == 501
    remaining = control.faults()
    assert [f["status"] for f in remaining] == [500, 503]
    assert remaining[1]["times"] == -1
    control.clear_faults()
    assert (await post_chat(sim_url)).status_code == 200


async def test_latency_fault_delays_the_answer(sim_url: str, control: SimulatorClient) -> None:
    control.add_fault(provider="openai", latency_ms=300)
    started = time.monotonic()
    response = await post_chat(sim_url)
    assert response.status_code == 200
    assert time.monotonic() - started >= 0.3
    assert control.faults() == []  # used up: later calls are not delayed


async def test_chunk_latency_spaces_out_stream_chunks(
    sim_url: str, control: SimulatorClient
) -> None:
    control.add_fault(provider="openai", chunk_latency_ms=60)
    arrivals: list[float] = []
    async with (
        httpx.AsyncClient() as http,
        http.stream(
            "POST", sim_url + "/v1/chat/completions", headers=OPENAI_HEADERS, json=chat(stream=True)
        ) as response,
    ):
        async for _ in response.aiter_raw():
            arrivals.append(time.monotonic())
    # 13 events (role, 10 words, finish, [DONE]) with 12 pauses of 60 ms.
    assert arrivals[-1] - arrivals[0] >= 12 * 0.06 * 0.9
    assert len(arrivals) >= 10  # written one by one, not buffered into one piece


async def test_default_chunk_latency_from_config() -> None:
    sim = await start_simulator(SimulatorConfig(chunk_latency_ms=40))
    try:
        started = time.monotonic()
        pieces, error = await read_stream(
            sim.url, "/v1/chat/completions", OPENAI_HEADERS, chat(stream=True)
        )
        assert error is None
        assert time.monotonic() - started >= 12 * 0.04 * 0.9
        assert b"".join(pieces).endswith(b"data: [DONE]\n\n")
    finally:
        await sim.stop()


async def test_hang_fault_times_out_the_client(sim_url: str, control: SimulatorClient) -> None:
    control.add_fault(provider="openai", hang=True)
    async with httpx.AsyncClient(timeout=0.3) as http:
        with pytest.raises(httpx.ReadTimeout):
            await http.post(sim_url + "/v1/chat/completions", headers=OPENAI_HEADERS, json=chat())
    assert (await post_chat(sim_url)).status_code == 200


async def test_cut_after_chunks_drops_openai_stream(sim_url: str, control: SimulatorClient) -> None:
    control.add_fault(provider="openai", cut_after_chunks=3)
    pieces, error = await read_stream(
        sim_url, "/v1/chat/completions", OPENAI_HEADERS, chat(stream=True)
    )
    assert isinstance(error, httpx.RemoteProtocolError)
    events = [e for e in b"".join(pieces).split(b"\n\n") if e]
    assert len(events) == 3
    assert b"[DONE]" not in b"".join(pieces)


async def test_cut_after_chunks_breaks_the_anthropic_sdk_stream(
    sim_url: str, control: SimulatorClient
) -> None:
    control.add_fault(provider="anthropic", cut_after_chunks=4)
    seen: list[str] = []
    async with anthropic.AsyncAnthropic(
        base_url=sim_url, api_key=ANTHROPIC_KEY, max_retries=0
    ) as sdk:
        # The SDK surfaces the broken transfer from its HTTP layer, unwrapped.
        with pytest.raises(Exception, match="incomplete chunked read"):
            async with sdk.messages.stream(
                model="c", max_tokens=50, messages=[{"role": "user", "content": "x"}]
            ) as stream:
                async for event in stream:
                    seen.append(event.type)
    assert "message_stop" not in seen
    assert "message_start" in seen


async def test_cut_after_chunks_drops_bedrock_event_stream(
    sim_url: str, control: SimulatorClient
) -> None:
    control.add_fault(provider="bedrock", cut_after_chunks=2)
    url = sim_url + "/model/m/converse-stream"
    headers, data = signed_request(
        url, {"messages": [{"role": "user", "content": [{"text": "x"}]}]}
    )
    pieces: list[bytes] = []
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            async with http.stream("POST", url, headers=headers, content=data) as response:
                async for piece in response.aiter_raw():
                    pieces.append(piece)
    events = decode_events(b"".join(pieces))
    assert [h[":event-type"] for h, _ in events] == ["messageStart", "contentBlockDelta"]


async def test_cut_after_chunks_on_a_whole_body(sim_url: str, control: SimulatorClient) -> None:
    control.add_fault(provider="openai", cut_after_chunks=0)
    async with httpx.AsyncClient() as http:
        with pytest.raises(httpx.RemoteProtocolError):
            await http.post(sim_url + "/v1/chat/completions", headers=OPENAI_HEADERS, json=chat())


async def test_malformed_fault_non_stream_and_stream(
    sim_url: str, control: SimulatorClient
) -> None:
    control.add_fault(provider="openai", malformed=True, times=2)
    response = await post_chat(sim_url)
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    pieces, error = await read_stream(
        sim_url, "/v1/chat/completions", OPENAI_HEADERS, chat(stream=True)
    )
    assert error is None
    first = b"".join(pieces).split(b"\n\n")[0].removeprefix(b"data: ")
    with pytest.raises(json.JSONDecodeError):
        json.loads(first)


async def test_malformed_gemini_and_bedrock_streams(sim_url: str, control: SimulatorClient) -> None:
    control.add_fault(provider="gemini", malformed=True)
    control.add_fault(provider="bedrock", malformed=True)
    pieces, _ = await read_stream(
        sim_url,
        "/v1beta/models/g:streamGenerateContent?alt=sse",
        {"x-goog-api-key": GEMINI_KEY},
        {"contents": [{"parts": [{"text": "x"}]}]},
    )
    data = b"".join(pieces).split(b"\r\n")[0].removeprefix(b"data: ")
    with pytest.raises(json.JSONDecodeError):
        json.loads(data)
    url = sim_url + "/model/m/converse-stream"
    headers, body = signed_request(
        url, {"messages": [{"role": "user", "content": [{"text": "x"}]}]}
    )
    async with httpx.AsyncClient() as http:
        response = await http.post(url, headers=headers, content=body)
    ((event_headers, payload),) = decode_events(response.content)  # framing itself stays valid
    assert event_headers[":event-type"] == "messageStart"
    with pytest.raises(json.JSONDecodeError):
        json.loads(payload)


async def test_auth_is_checked_before_faults(sim_url: str, control: SimulatorClient) -> None:
    control.add_fault(provider="openai", status=500)
    async with httpx.AsyncClient() as http:
        response = await http.post(
            sim_url + "/v1/chat/completions", headers={"Authorization": "Bearer nope"}, json=chat()
        )
    assert response.status_code == 401
    assert len(control.faults()) == 1  # not consumed


async def test_invalid_fault_is_rejected(sim_url: str, control: SimulatorClient) -> None:
    async with httpx.AsyncClient() as http:
        unknown = await http.post(sim_url + "/_sim/faults", json={"stauts": 500})
        bad_provider = await http.post(sim_url + "/_sim/faults", json={"provider": "cohere"})
        bad_times = await http.post(sim_url + "/_sim/faults", json={"times": 0})
    assert unknown.status_code == 400 and "stauts" in unknown.json()["error"]
    assert bad_provider.status_code == 400
    assert bad_times.status_code == 400
    assert control.faults() == []
