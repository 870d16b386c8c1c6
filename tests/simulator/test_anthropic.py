"""The Anthropic Messages surface, driven through the official `anthropic` SDK."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

import anthropic
import httpx
import pytest

from interlock.simulator import SimulatorClient
from tests.simulator.conftest import ANTHROPIC_KEY

TOOLS = [
    {
        "name": "get_weather",
        "description": "Weather for a city",
        "input_schema": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "celsius": {"type": "boolean"}},
        },
    },
    {
        "name": "get_time",
        "input_schema": {"type": "object", "properties": {"zone": {"type": "string"}}},
    },
]


@pytest.fixture()
async def client(sim_url: str, control: SimulatorClient) -> AsyncIterator[anthropic.AsyncAnthropic]:
    async with anthropic.AsyncAnthropic(
        base_url=sim_url, api_key=ANTHROPIC_KEY, max_retries=0
    ) as sdk:
        yield sdk


async def test_message(client: anthropic.AsyncAnthropic, control: SimulatorClient) -> None:
    message = await client.messages.create(
        model="claude-sim-1",
        max_tokens=256,
        system="You are terse.",
        messages=[{"role": "user", "content": [{"type": "text", "text": "Hello Claude"}]}],
    )
    expected = "Simulated anthropic reply from claude-sim-1. You said: Hello Claude"
    assert message.type == "message"
    assert message.role == "assistant"
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].text == expected  # type: ignore[union-attr]
    assert message.stop_reason == "end_turn"
    assert message.stop_sequence is None
    assert message.usage.input_tokens == 7  # ceil(len("You are terse." + "Hello Claude") / 4)
    assert message.usage.output_tokens == len(expected.split())
    assert message.usage.cache_read_input_tokens == 0
    (logged,) = control.requests()
    assert logged["provider"] == "anthropic"
    # Current SDKs send the key as a bearer token; x-api-key is accepted too (tested below).
    assert ANTHROPIC_KEY in logged["headers"].get("x-api-key", logged["headers"]["authorization"])
    assert logged["headers"]["anthropic-version"]


async def test_stream_event_sequence(client: anthropic.AsyncAnthropic) -> None:
    events = []
    async with client.messages.stream(
        model="claude-cache", max_tokens=100, messages=[{"role": "user", "content": "stream it"}]
    ) as stream:
        async for event in stream:
            events.append(event)
        final = await stream.get_final_message()
    expected = "Simulated anthropic reply from claude-cache. You said: stream it"
    assert final.content[0].text == expected  # type: ignore[union-attr]
    assert final.stop_reason == "end_turn"
    # input: ceil(9 / 4) = 3 tokens, half (floored) of them cached
    assert final.usage.input_tokens == 2
    assert final.usage.cache_read_input_tokens == 1
    assert final.usage.output_tokens == len(expected.split())
    deltas = [e.delta.text for e in events if e.type == "content_block_delta"]  # type: ignore[union-attr]
    assert deltas == [w for w in deltas if w] and "".join(deltas) == expected
    assert len(deltas) == len(expected.split())


async def test_raw_stream_has_documented_events(sim_url: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            sim_url + "/v1/messages",
            headers={"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"},
            json={
                "model": "c",
                "max_tokens": 5,
                "stream": True,
                "messages": [{"role": "user", "content": "hi"}],
            },
        )
    names = [
        line.removeprefix("event: ")
        for line in response.text.splitlines()
        if line.startswith("event:")
    ]
    assert names[:4] == ["message_start", "ping", "content_block_start", "content_block_delta"]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    data = [json.loads(line[6:]) for line in response.text.splitlines() if line.startswith("data:")]
    message_delta = next(d for d in data if d["type"] == "message_delta")
    assert message_delta["delta"]["stop_reason"] == "max_tokens"
    assert message_delta["usage"]["output_tokens"] == 5


async def test_tool_use_and_parallel_stream(client: anthropic.AsyncAnthropic) -> None:
    message = await client.messages.create(
        model="claude-sim-1",
        max_tokens=100,
        tools=TOOLS,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "weather?"}],
    )
    assert message.stop_reason == "tool_use"
    (block,) = message.content
    assert block.type == "tool_use"
    assert block.id == "toolu_sim_0"
    assert block.name == "get_weather"
    assert block.input == {"city": "sim", "celsius": True}

    async with client.messages.stream(
        model="claude-sim-1",
        max_tokens=100,
        tools=TOOLS,  # type: ignore[arg-type]
        messages=[{"role": "user", "content": "both in parallel"}],
    ) as stream:
        final = await stream.get_final_message()
    assert final.stop_reason == "tool_use"
    assert [(b.id, b.name, b.input) for b in final.content] == [  # type: ignore[union-attr]
        ("toolu_sim_0", "get_weather", {"city": "sim", "celsius": True}),
        ("toolu_sim_1", "get_time", {"zone": "sim"}),
    ]


async def test_tool_result_answer(client: anthropic.AsyncAnthropic) -> None:
    message = await client.messages.create(
        model="claude-sim-1",
        max_tokens=100,
        tools=TOOLS,  # type: ignore[arg-type]
        messages=[
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "toolu_sim_0", "name": "get_weather", "input": {}}
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_sim_0", "content": "rainy"},
                ],
            },
        ],
    )
    assert message.stop_reason == "end_turn"
    assert message.content[0].text == (  # type: ignore[union-attr]
        "Simulated anthropic reply from claude-sim-1. Tool results: rainy"
    )


async def test_stop_sequences_and_images(client: anthropic.AsyncAnthropic) -> None:
    message = await client.messages.create(
        model="claude",
        max_tokens=100,
        stop_sequences=["You said"],
        messages=[
            {
                "role": "user",
                "content": [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": "AAAA"},
                    },
                    {"type": "text", "text": "look"},
                ],
            }
        ],
    )
    assert message.stop_reason == "stop_sequence"
    assert message.stop_sequence == "You said"
    assert message.content[0].text == "Simulated anthropic reply from claude. "  # type: ignore[union-attr]


async def test_count_tokens_and_models(client: anthropic.AsyncAnthropic) -> None:
    counted = await client.messages.count_tokens(
        model="claude-sim-1", messages=[{"role": "user", "content": "count these words"}]
    )
    assert counted.input_tokens == 5  # ceil(17 / 4)
    models = [m.id async for m in client.models.list()]
    assert "claude-sonnet-4-5" in models
    model = await client.models.retrieve("claude-sonnet-4-5")
    assert model.type == "model"


async def test_wrong_key_is_401_in_anthropic_shape(sim_url: str) -> None:
    async with anthropic.AsyncAnthropic(base_url=sim_url, api_key="bad", max_retries=0) as bad:
        with pytest.raises(anthropic.AuthenticationError) as caught:
            await bad.messages.create(
                model="c", max_tokens=5, messages=[{"role": "user", "content": "x"}]
            )
    assert caught.value.status_code == 401
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["type"] == "error"
    assert body["error"]["type"] == "authentication_error"
    async with httpx.AsyncClient() as http:
        raw = await http.post(
            sim_url + "/v1/messages",
            headers={"x-api-key": "bad", "anthropic-version": "2023-06-01"},
            json={"model": "c", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
        )
    assert raw.status_code == 401
    assert raw.json() == {
        "type": "error",
        "error": {"type": "authentication_error", "message": "invalid x-api-key"},
        "request_id": "req_sim",
    }


async def test_version_header_and_max_tokens_are_required(sim_url: str) -> None:
    async with httpx.AsyncClient() as http:
        no_version = await http.post(
            sim_url + "/v1/messages",
            headers={"x-api-key": ANTHROPIC_KEY},
            json={"model": "c", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
        )
        no_max = await http.post(
            sim_url + "/v1/messages",
            headers={"x-api-key": ANTHROPIC_KEY, "anthropic-version": "2023-06-01"},
            json={"model": "c", "messages": [{"role": "user", "content": "x"}]},
        )
    assert no_version.status_code == 400
    assert no_version.json()["error"]["type"] == "invalid_request_error"
    assert no_max.status_code == 400
    assert "max_tokens" in no_max.json()["error"]["message"]
