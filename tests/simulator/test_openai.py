"""The OpenAI surface, driven through the official `openai` SDK."""

from __future__ import annotations

import base64
import json
import struct
from collections.abc import AsyncIterator

import httpx
import openai
import pytest
from openai.types.chat import ChatCompletionToolParam

from interlock.simulator import SimulatorClient
from interlock.simulator.answers import embedding_vector
from tests.simulator.conftest import OPENAI_KEY

WEATHER_TOOL: ChatCompletionToolParam = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
TIME_TOOL: ChatCompletionToolParam = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {"type": "object", "properties": {"utc": {"type": "boolean"}}},
    },
}


@pytest.fixture()
async def client(sim_url: str, control: SimulatorClient) -> AsyncIterator[openai.AsyncOpenAI]:
    async with openai.AsyncOpenAI(
        base_url=sim_url + "/v1", api_key=OPENAI_KEY, max_retries=0
    ) as sdk:
        yield sdk


async def test_chat_completion(client: openai.AsyncOpenAI, control: SimulatorClient) -> None:
    response = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "user", "content": "Hello there"},
        ],
    )
    choice = response.choices[0]
    expected = "Simulated openai reply from gpt-4o-mini. You said: Hello there"
    assert choice.message.content == expected
    assert choice.finish_reason == "stop"
    assert response.model == "gpt-4o-mini"
    assert response.object == "chat.completion"
    assert response.usage is not None
    assert response.usage.prompt_tokens == 5  # ceil(len("Be brief." + "Hello there") / 4)
    assert response.usage.completion_tokens == len(expected.split())
    assert response.usage.total_tokens == 5 + len(expected.split())
    (logged,) = control.requests()
    assert logged["provider"] == "openai"
    assert logged["model"] == "gpt-4o-mini"
    assert logged["path"] == "/v1/chat/completions"
    assert logged["headers"]["authorization"] == f"Bearer {OPENAI_KEY}"
    assert logged["body"]["messages"][1]["content"] == "Hello there"


async def test_chat_stream_with_usage_chunk(client: openai.AsyncOpenAI) -> None:
    stream = await client.chat.completions.create(
        model="gpt-4o-mini",
        messages=[{"role": "user", "content": "stream me"}],
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = [chunk async for chunk in stream]
    expected = "Simulated openai reply from gpt-4o-mini. You said: stream me"
    texts = [c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content]
    assert "".join(texts) == expected
    assert len(texts) == len(expected.split())  # one word per chunk
    assert chunks[0].choices[0].delta.role == "assistant"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert finishes[-1] == "stop"
    usage_chunk = chunks[-1]
    assert usage_chunk.choices == []
    assert usage_chunk.usage is not None
    assert usage_chunk.usage.completion_tokens == len(expected.split())
    assert all(c.usage is None for c in chunks[:-1])


async def test_chat_stream_without_usage_has_no_usage_field(sim_url: str) -> None:
    async with httpx.AsyncClient() as http:
        response = await http.post(
            sim_url + "/v1/chat/completions",
            headers={"Authorization": f"Bearer {OPENAI_KEY}"},
            json={"model": "m", "stream": True, "messages": [{"role": "user", "content": "x"}]},
        )
    assert response.headers["content-type"].startswith("text/event-stream")
    events = [line for line in response.text.split("\n\n") if line]
    assert events[-1] == "data: [DONE]"
    first = json.loads(events[0].removeprefix("data: "))
    assert "usage" not in first
    assert first["object"] == "chat.completion.chunk"


async def test_tool_call(client: openai.AsyncOpenAI) -> None:
    response = await client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "weather in Paris?"}],
        tools=[WEATHER_TOOL, TIME_TOOL],
    )
    choice = response.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content is None
    (call,) = choice.message.tool_calls or []
    assert call.id == "call_sim_0"
    assert call.function.name == "get_weather"  # type: ignore[union-attr]
    assert json.loads(call.function.arguments) == {"city": "sim", "days": 1}  # type: ignore[union-attr]
    assert response.usage is not None
    assert response.usage.completion_tokens == -(-len(call.function.arguments) // 4)  # type: ignore[union-attr]


async def test_parallel_tool_calls_stream(client: openai.AsyncOpenAI) -> None:
    stream = await client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "run both in parallel"}],
        tools=[WEATHER_TOOL, TIME_TOOL],
        stream=True,
    )
    calls: dict[int, dict[str, str]] = {}
    finish = None
    async for chunk in stream:
        if not chunk.choices:
            continue
        delta = chunk.choices[0].delta
        for tc in delta.tool_calls or []:
            entry = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
            entry["id"] += tc.id or ""
            if tc.function is not None:
                entry["name"] += tc.function.name or ""
                entry["arguments"] += tc.function.arguments or ""
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls"
    assert calls[0]["id"] == "call_sim_0"
    assert calls[0]["name"] == "get_weather"
    assert json.loads(calls[0]["arguments"]) == {"city": "sim", "days": 1}
    assert calls[1]["id"] == "call_sim_1"
    assert calls[1]["name"] == "get_time"
    assert json.loads(calls[1]["arguments"]) == {"utc": True}


async def test_tool_results_answer(client: openai.AsyncOpenAI) -> None:
    response = await client.chat.completions.create(
        model="gpt-4o",
        messages=[
            {"role": "user", "content": "weather?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_sim_0",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": "{}"},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_sim_0", "content": "sunny, 21C"},
        ],
        tools=[WEATHER_TOOL],
    )
    choice = response.choices[0]
    assert choice.finish_reason == "stop"
    assert choice.message.content == "Simulated openai reply from gpt-4o. Tool results: sunny, 21C"


async def test_n_choices_and_stop(client: openai.AsyncOpenAI) -> None:
    response = await client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "hello"}],
        n=3,
        stop=["from"],
    )
    assert [c.index for c in response.choices] == [0, 1, 2]
    assert {c.message.content for c in response.choices} == {"Simulated openai reply "}
    assert all(c.finish_reason == "stop" for c in response.choices)


async def test_n_choices_stream(client: openai.AsyncOpenAI) -> None:
    stream = await client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hi"}], n=2, stream=True
    )
    texts = {0: "", 1: ""}
    async for chunk in stream:
        for choice in chunk.choices:
            texts[choice.index] += choice.delta.content or ""
    assert texts[0] == texts[1] == "Simulated openai reply from gpt-4o. You said: hi"


async def test_max_tokens_cuts_with_length(client: openai.AsyncOpenAI) -> None:
    response = await client.chat.completions.create(
        model="gpt-4o", messages=[{"role": "user", "content": "hello"}], max_completion_tokens=2
    )
    assert response.choices[0].message.content == "Simulated openai"
    assert response.choices[0].finish_reason == "length"
    assert response.usage is not None and response.usage.completion_tokens == 2


async def test_logprobs_per_word(client: openai.AsyncOpenAI) -> None:
    response = await client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "hey"}],
        logprobs=True,
        top_logprobs=2,
    )
    logprobs = response.choices[0].logprobs
    assert logprobs is not None and logprobs.content is not None
    tokens = [entry.token for entry in logprobs.content]
    assert "".join(tokens) == response.choices[0].message.content
    assert all(len(entry.top_logprobs) == 2 for entry in logprobs.content)
    assert logprobs.content[1].bytes == list(b" openai")


async def test_json_modes(client: openai.AsyncOpenAI) -> None:
    as_object = await client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "json please"}],
        response_format={"type": "json_object"},
    )
    assert json.loads(as_object.choices[0].message.content or "") == {
        "answer": "Simulated openai reply from gpt-4o. You said: json please"
    }
    schema = {
        "type": "object",
        "properties": {"title": {"type": "string"}, "score": {"type": "number"}},
        "required": ["title", "score"],
        "additionalProperties": False,
    }
    as_schema = await client.chat.completions.create(
        model="gpt-4o",
        messages=[{"role": "user", "content": "json please"}],
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "review", "schema": schema, "strict": True},
        },
    )
    assert json.loads(as_schema.choices[0].message.content or "") == {"title": "sim", "score": 1.5}


async def test_images_cache_and_reasoning_usage(client: openai.AsyncOpenAI) -> None:
    response = await client.chat.completions.create(
        model="o3-reason-cache",
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "what is in"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}},
                    {"type": "text", "text": "these?"},
                    {"type": "image_url", "image_url": {"url": "https://example.invalid/a.png"}},
                ],
            }
        ],
    )
    text = response.choices[0].message.content
    assert (
        text
        == "Simulated openai reply from o3-reason-cache. You said: what is in these? [images: 2]"
    )
    usage = response.usage
    assert usage is not None
    assert usage.prompt_tokens == 4  # ceil(16 / 4)
    assert usage.prompt_tokens_details is not None
    assert usage.prompt_tokens_details.cached_tokens == 2
    assert usage.completion_tokens_details is not None
    assert usage.completion_tokens_details.reasoning_tokens == 7
    assert usage.completion_tokens == len(text.split()) + 7


async def test_legacy_completions(client: openai.AsyncOpenAI) -> None:
    response = await client.completions.create(
        model="gpt-3.5-turbo-instruct", prompt=["first", "second"], n=2, logprobs=1
    )
    assert [c.index for c in response.choices] == [0, 1, 2, 3]
    assert response.choices[0].text.endswith("You said: first")
    assert response.choices[3].text.endswith("You said: second")
    assert response.choices[0].logprobs is not None
    assert "".join(response.choices[0].logprobs.tokens or []) == response.choices[0].text
    stream = await client.completions.create(
        model="gpt-3.5-turbo-instruct",
        prompt="go",
        stream=True,
        stream_options={"include_usage": True},
        max_tokens=3,
    )
    chunks = [c async for c in stream]
    assert "".join(c.choices[0].text for c in chunks if c.choices) == "Simulated openai reply"
    assert [c.choices[0].finish_reason for c in chunks if c.choices][-1] == "length"
    assert chunks[-1].usage is not None and chunks[-1].usage.completion_tokens == 3


async def test_embeddings_float_and_base64(client: openai.AsyncOpenAI, sim_url: str) -> None:
    floats = await client.embeddings.create(
        model="text-embedding-3-small", input=["alpha", "beta"], encoding_format="float"
    )
    assert [d.index for d in floats.data] == [0, 1]
    assert floats.data[0].embedding == pytest.approx(embedding_vector("alpha", 8))
    assert floats.usage.prompt_tokens == 3  # ceil(9 / 4)
    # The SDK asks for base64 by default and decodes it itself.
    default = await client.embeddings.create(
        model="text-embedding-3-small", input="alpha", dimensions=4
    )
    assert default.data[0].embedding == pytest.approx(embedding_vector("alpha", 4))
    async with httpx.AsyncClient() as http:
        raw = await http.post(
            sim_url + "/v1/embeddings",
            headers={"Authorization": f"Bearer {OPENAI_KEY}"},
            json={"model": "e", "input": "alpha", "encoding_format": "base64"},
        )
    encoded = raw.json()["data"][0]["embedding"]
    assert isinstance(encoded, str)
    assert list(struct.unpack("<8f", base64.b64decode(encoded))) == embedding_vector("alpha", 8)


async def test_models(client: openai.AsyncOpenAI) -> None:
    models = [m.id async for m in client.models.list()]
    assert "gpt-4o-mini" in models
    model = await client.models.retrieve("gpt-4o")
    assert model.id == "gpt-4o"
    assert model.object == "model"


async def test_wrong_key_is_401_in_openai_shape(sim_url: str) -> None:
    async with openai.AsyncOpenAI(base_url=sim_url + "/v1", api_key="nope", max_retries=0) as bad:
        with pytest.raises(openai.AuthenticationError) as caught:
            await bad.chat.completions.create(
                model="gpt-4o", messages=[{"role": "user", "content": "x"}]
            )
    assert caught.value.status_code == 401
    body = caught.value.body
    assert isinstance(body, dict)
    assert body["code"] == "invalid_api_key"
    assert body["type"] == "invalid_request_error"


async def test_invalid_request_is_400(client: openai.AsyncOpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        await client.chat.completions.create(model="gpt-4o", messages=[])
    assert "messages" in str(caught.value)
