"""Bedrock and Gemini through a real gateway and the simulator, driven by the official OpenAI SDK.

The simulator verifies every Bedrock request's SigV4 signature and answers in the binary
event-stream framing; Gemini answers as SSE. Answers are deterministic (see
`interlock.simulator.answers`), so the tests assert exact texts, arguments and token counts.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterator
from typing import Any

import openai
import pytest

from interlock.simulator.answers import embedding_vector
from tests.support import SIM_NAMES, GatewayServer, gateway_config

BEDROCK_MODEL = SIM_NAMES["bedrock"][1]
GEMINI_MODEL = SIM_NAMES["gemini"][1]
MODELS = {"bedrock": "bedrock-claude", "gemini": "gemini-flash"}
FAMILIES = list(MODELS)

EXTRA_MODELS = """\
  bedrock-cache: {provider: bedrock, model: "anthropic.claude-cache-v1:0"}
  gemini-cache: {provider: gemini, model: gemini-cache-flash}
  gemini-reason: {provider: gemini, model: gemini-reason-pro}
  bedrock-embed: {provider: bedrock, model: "amazon.titan-embed-text-v2:0", kind: embedding}
  bedrock-bad-secret: {provider: bedrock-bad, model: "anthropic.claude-3-haiku-20240307-v1:0"}
"""
BAD_PROVIDER = """\
  bedrock-bad:
    type: bedrock
    base_url: {url}
    region: us-east-1
    access_key_id: SIMULATORKEYID
    secret_access_key: not-the-right-secret
    retry: {{max_attempts: 3, backoff_base_s: 0.01, backoff_max_s: 0.05}}
"""
# A 1x1 transparent PNG.
PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
CLOCK = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {"type": "object", "properties": {"utc": {"type": "boolean"}}},
    },
}


@pytest.fixture(scope="module")
def gw(simulator: Any) -> Iterator[GatewayServer]:
    text = gateway_config(simulator.url, extra_models=EXTRA_MODELS)
    text = text.replace("providers:\n", "providers:\n" + BAD_PROVIDER.format(url=simulator.url), 1)
    server = GatewayServer(text)
    yield server
    server.close()


@pytest.fixture()
def client(gw: GatewayServer, sim: Any) -> openai.OpenAI:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key="any", max_retries=0)


def said(family: str, text: str, model: str | None = None) -> str:
    provider, default = SIM_NAMES[family]
    return f"Simulated {provider} reply from {model or default}. You said: {text}"


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def upstream_bodies(sim: Any, provider: str) -> list[dict[str, Any]]:
    return [r["body"] for r in sim.requests(provider)]


# ---- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_text_answer_and_usage(client: openai.OpenAI, sim: Any, family: str) -> None:
    reply = client.chat.completions.create(
        model=MODELS[family],
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Hello from the SDK"},
        ],
        temperature=0.3,
        max_tokens=200,
    )
    text = reply.choices[0].message.content
    assert text == said(family, "Hello from the SDK")
    assert reply.choices[0].finish_reason == "stop"
    assert reply.model == MODELS[family]
    assert reply.usage is not None
    assert reply.usage.prompt_tokens == math.ceil(len("You are terse.Hello from the SDK") / 4)
    assert reply.usage.completion_tokens == len(text.split())

    (body,) = upstream_bodies(sim, family)
    if family == "bedrock":
        assert body["system"] == [{"text": "You are terse."}]
        assert body["inferenceConfig"] == {"maxTokens": 200, "temperature": 0.3}
    else:
        assert body["systemInstruction"] == {"parts": [{"text": "You are terse."}]}
        assert body["generationConfig"] == {"maxOutputTokens": 200, "temperature": 0.3}


@pytest.mark.parametrize("family", FAMILIES)
def test_streamed_text_with_usage(client: openai.OpenAI, family: str) -> None:
    stream = client.chat.completions.create(
        model=MODELS[family],
        messages=user("stream these words please"),
        stream=True,
        stream_options={"include_usage": True},
    )
    chunks = list(stream)
    deltas = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    expected = said(family, "stream these words please")
    assert "".join(deltas) == expected
    assert len(deltas) == len(expected.split())  # one word per upstream frame, passed on as such
    assert [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ] == ["stop"]
    usage = [c.usage for c in chunks if c.usage is not None]
    assert len(usage) == 1
    assert usage[0].prompt_tokens == math.ceil(len("stream these words please") / 4)
    assert usage[0].completion_tokens == len(expected.split())


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("stream", [False, True])
def test_max_tokens_gives_length(client: openai.OpenAI, family: str, stream: bool) -> None:
    kwargs: dict[str, Any] = {
        "model": MODELS[family],
        "messages": user("cut me short"),
        "max_tokens": 3,
    }
    provider = SIM_NAMES[family][0]
    if stream:
        chunks = list(client.chat.completions.create(stream=True, **kwargs))
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        finish = [
            c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
        ]
    else:
        reply = client.chat.completions.create(**kwargs)
        text, finish = reply.choices[0].message.content or "", [reply.choices[0].finish_reason]
    assert text == f"Simulated {provider} reply"
    assert finish == ["length"]


@pytest.mark.parametrize(
    ("model", "family"), [("bedrock-cache", "bedrock"), ("gemini-cache", "gemini")]
)
def test_cached_tokens_are_normalised(client: openai.OpenAI, model: str, family: str) -> None:
    prompt = "a fairly long prompt that the provider has partly cached already"
    reply = client.chat.completions.create(model=model, messages=user(prompt))
    total = math.ceil(len(prompt) / 4)
    assert reply.usage is not None
    # Bedrock reports the uncached part as inputTokens; the gateway adds the cached part back,
    # so prompt_tokens means the same thing whichever provider answered.
    assert reply.usage.prompt_tokens == total
    assert reply.usage.prompt_tokens_details is not None
    assert reply.usage.prompt_tokens_details.cached_tokens == total // 2 > 0


def test_gemini_thinking_tokens_count_as_output(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="gemini-reason", messages=user("think"))
    text = reply.choices[0].message.content or ""
    assert reply.usage is not None and reply.usage.completion_tokens_details is not None
    assert reply.usage.completion_tokens_details.reasoning_tokens == 7
    assert reply.usage.completion_tokens == len(text.split()) + 7


def test_gemini_candidate_count(client: openai.OpenAI, sim: Any) -> None:
    reply = client.chat.completions.create(model="gemini-flash", messages=user("two ways"), n=2)
    assert [c.index for c in reply.choices] == [0, 1]
    assert [c.message.content for c in reply.choices] == [said("gemini", "two ways")] * 2
    (body,) = upstream_bodies(sim, "gemini")
    assert body["generationConfig"] == {"candidateCount": 2}


# ---- tools ---------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_single_tool_call(client: openai.OpenAI, family: str) -> None:
    reply = client.chat.completions.create(
        model=MODELS[family], messages=user("What is the weather?"), tools=[WEATHER, CLOCK]
    )
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls or []
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"city": "sim", "days": 1})
    ]
    assert calls[0].id


@pytest.mark.parametrize("family", FAMILIES)
def test_parallel_calls_then_results_round_trip(
    client: openai.OpenAI, sim: Any, family: str
) -> None:
    question = user("Weather and time, in parallel please")
    first = client.chat.completions.create(
        model=MODELS[family], messages=question, tools=[WEATHER, CLOCK], tool_choice="auto"
    )
    calls = first.choices[0].message.tool_calls or []
    assert [(c.function.name, json.loads(c.function.arguments)) for c in calls] == [
        ("get_weather", {"city": "sim", "days": 1}),
        ("get_time", {"utc": True}),
    ]
    assert len({c.id for c in calls}) == 2

    sim.clear_requests()
    messages: list[Any] = [
        *question,
        first.choices[0].message.model_dump(exclude_none=True),
        {"role": "tool", "tool_call_id": calls[0].id, "content": "sunny"},
        {"role": "tool", "tool_call_id": calls[1].id, "content": "noon"},
    ]
    second = client.chat.completions.create(
        model=MODELS[family], messages=messages, tools=[WEATHER, CLOCK]
    )
    provider, model = SIM_NAMES[family]
    (body,) = upstream_bodies(sim, family)
    if family == "bedrock":
        assert second.choices[0].message.content == (
            f"Simulated {provider} reply from {model}. Tool results: sunny noon"
        )
        results = [b["toolResult"] for b in body["messages"][-1]["content"]]
        assert [r["toolUseId"] for r in results] == [calls[0].id, calls[1].id]
    else:
        # Gemini results are objects; the simulator echoes them as compact JSON.
        assert second.choices[0].message.content == (
            f"Simulated {provider} reply from {model}. "
            'Tool results: {"content":"sunny"} {"content":"noon"}'
        )
        # Matched by name, found through the ids of the earlier calls; both in one user turn.
        last = body["contents"][-1]
        assert last["role"] == "user"
        assert [p["functionResponse"]["name"] for p in last["parts"]] == ["get_weather", "get_time"]
    assert second.choices[0].finish_reason == "stop"


@pytest.mark.parametrize("family", FAMILIES)
def test_streamed_parallel_tool_calls(client: openai.OpenAI, family: str) -> None:
    stream = client.chat.completions.create(
        model=MODELS[family],
        messages=user("both tools in parallel"),
        tools=[WEATHER, CLOCK],
        stream=True,
    )
    calls: dict[int, dict[str, str]] = {}
    finish = []
    for chunk in stream:
        if not chunk.choices:
            continue
        for tc in chunk.choices[0].delta.tool_calls or []:
            entry = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
            entry["id"] += tc.id or ""
            entry["name"] += (tc.function.name if tc.function else None) or ""
            entry["arguments"] += (tc.function.arguments if tc.function else None) or ""
        if chunk.choices[0].finish_reason:
            finish.append(chunk.choices[0].finish_reason)
    assert finish == ["tool_calls"]
    assert [(c["name"], json.loads(c["arguments"])) for c in calls.values()] == [
        ("get_weather", {"city": "sim", "days": 1}),
        ("get_time", {"utc": True}),
    ]
    assert all(c["id"] for c in calls.values())


@pytest.mark.parametrize("family", FAMILIES)
def test_forced_tool_choice(client: openai.OpenAI, family: str) -> None:
    reply = client.chat.completions.create(
        model=MODELS[family],
        messages=user("anything"),
        tools=[WEATHER, CLOCK],
        tool_choice={"type": "function", "function": {"name": "get_time"}},
    )
    calls = reply.choices[0].message.tool_calls or []
    assert [c.function.name for c in calls] == ["get_time"]


# ---- images and JSON -----------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_image_data_url(client: openai.OpenAI, sim: Any, family: str) -> None:
    reply = client.chat.completions.create(
        model=MODELS[family],
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is this?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                ],
            }
        ],
    )
    assert reply.choices[0].message.content == said(family, "What is this?") + " [images: 1]"
    (body,) = upstream_bodies(sim, family)
    if family == "bedrock":
        image = body["messages"][0]["content"][1]["image"]
        assert image == {"format": "png", "source": {"bytes": PNG}}
        assert base64.b64decode(image["source"]["bytes"]).startswith(b"\x89PNG")
    else:
        assert body["contents"][0]["parts"][1] == {
            "inlineData": {"mimeType": "image/png", "data": PNG}
        }


def test_bedrock_refuses_image_links(client: openai.OpenAI, sim: Any) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        client.chat.completions.create(
            model="bedrock-claude",
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}
                    ],
                }
            ],
        )
    assert exc.value.code == "unsupported_parameter"
    assert sim.requests("bedrock") == []  # refused before anything was sent


def test_gemini_json_object_mode(client: openai.OpenAI, sim: Any) -> None:
    reply = client.chat.completions.create(
        model="gemini-flash",
        messages=user("answer in JSON"),
        response_format={"type": "json_object"},
    )
    content = reply.choices[0].message.content or ""
    assert json.loads(content) == {"answer": said("gemini", "answer in JSON")}
    (body,) = upstream_bodies(sim, "gemini")
    assert body["generationConfig"] == {"responseMimeType": "application/json"}


def test_gemini_json_schema_mode(client: openai.OpenAI, sim: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "score": {"type": "number"}},
        "required": ["name", "score"],
        "additionalProperties": False,
    }
    reply = client.chat.completions.create(
        model="gemini-flash",
        messages=user("rate it"),
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "rating", "schema": schema, "strict": True},
        },
    )
    assert json.loads(reply.choices[0].message.content or "") == {"name": "sim", "score": 1.5}
    (body,) = upstream_bodies(sim, "gemini")
    # Gemini's schema dialect has no additionalProperties: it is left out, the rest kept.
    assert body["generationConfig"]["responseSchema"] == {
        "type": "object",
        "properties": {"name": {"type": "string"}, "score": {"type": "number"}},
        "required": ["name", "score"],
    }


def test_bedrock_refuses_what_converse_cannot_do(client: openai.OpenAI, sim: Any) -> None:
    for extra in ({"n": 2}, {"logprobs": True}):
        with pytest.raises(openai.BadRequestError) as exc:
            client.chat.completions.create(model="bedrock-claude", messages=user("hi"), **extra)
        assert exc.value.code == "unsupported_parameter"
    with pytest.raises(openai.BadRequestError) as exc:
        client.embeddings.create(model="bedrock-embed", input="hi")
    assert exc.value.code == "unsupported_parameter"
    assert sim.requests("bedrock") == []


# ---- embeddings ----------------------------------------------------------------------------


def test_gemini_embeddings(client: openai.OpenAI, sim: Any) -> None:
    result = client.embeddings.create(
        model="gemini-embed",
        input=["first text", "second text"],
        dimensions=4,
        encoding_format="float",
    )
    assert [d.index for d in result.data] == [0, 1]
    assert result.data[0].embedding == pytest.approx(embedding_vector("first text", 4))
    assert result.data[1].embedding == pytest.approx(embedding_vector("second text", 4))
    (req,) = sim.requests("gemini")
    assert req["path"].endswith("/models/text-embedding-004:batchEmbedContents")
    assert req["headers"]["x-goog-api-key"] == "sim-gemini-key"
    assert "key=" not in json.dumps(req["query"])


# ---- faults --------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_stream_cut_midway_raises_in_the_sdk(client: openai.OpenAI, sim: Any, family: str) -> None:
    sim.add_fault(provider=family, cut_after_chunks=2)
    stream = client.chat.completions.create(
        model=MODELS[family], messages=user("one two three four five six"), stream=True
    )
    received: list[str] = []
    with pytest.raises(openai.APIError) as exc:
        for chunk in stream:
            if chunk.choices and chunk.choices[0].delta.content:
                received.append(chunk.choices[0].delta.content)
    assert "upstream" in str(exc.value.message).lower()
    full = said(family, "one two three four five six")
    partial = "".join(received)
    assert partial and full.startswith(partial) and partial != full
    assert len(sim.requests(family)) == 1  # past the commit point: no retry


@pytest.mark.parametrize("family", FAMILIES)
def test_upstream_503_is_retried(client: openai.OpenAI, sim: Any, family: str) -> None:
    sim.add_fault(provider=family, status=503, times=1)
    reply = client.chat.completions.create(model=MODELS[family], messages=user("retry me"))
    assert reply.choices[0].message.content == said(family, "retry me")
    assert len(sim.requests(family)) == 2


@pytest.mark.parametrize("family", FAMILIES)
def test_malformed_stream_before_the_first_chunk_is_retried(
    client: openai.OpenAI, sim: Any, family: str
) -> None:
    sim.add_fault(provider=family, malformed=True, times=1)
    chunks = list(
        client.chat.completions.create(model=MODELS[family], messages=user("again"), stream=True)
    )
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == said(
        family, "again"
    )
    assert len(sim.requests(family)) == 2


def test_bedrock_wrong_secret_is_a_502_without_the_providers_body(
    client: openai.OpenAI, sim: Any
) -> None:
    with pytest.raises(openai.APIStatusError) as exc:
        client.chat.completions.create(model="bedrock-bad-secret", messages=user("hi"))
    assert exc.value.status_code == 502
    assert exc.value.code == "upstream_error"
    text = exc.value.response.text
    assert "signature" not in text.lower() and "403" in text
    requests = sim.requests("bedrock")
    assert len(requests) == 1  # a refused signature is not retried
    assert requests[0]["headers"]["authorization"].startswith(
        "AWS4-HMAC-SHA256 Credential=SIMULATORKEYID/"
    )


def test_bedrock_request_is_signed_over_the_encoded_model_id(
    client: openai.OpenAI, sim: Any
) -> None:
    client.chat.completions.create(model="bedrock-claude", messages=user("sign me"))
    (req,) = sim.requests("bedrock")
    assert req["model"] == BEDROCK_MODEL
    headers = req["headers"]
    assert headers["x-amz-content-sha256"] and headers["x-amz-date"]
    assert (
        "SignedHeaders=accept;content-type;host;x-amz-content-sha256;x-amz-date"
        in (headers["authorization"])
    )


def test_gemini_key_never_in_the_url(client: openai.OpenAI, sim: Any) -> None:
    client.chat.completions.create(model="gemini-flash", messages=user("hi"), stream=False)
    list(client.chat.completions.create(model="gemini-flash", messages=user("hi"), stream=True))
    requests = sim.requests("gemini")
    assert [r["path"].rsplit(":", 1)[-1] for r in requests] == [
        "generateContent",
        "streamGenerateContent",
    ]
    assert requests[1]["query"] == {"alt": "sse"}
    assert all("key" not in r["query"] for r in requests)
    assert all(r["headers"]["x-goog-api-key"] == "sim-gemini-key" for r in requests)
    assert GEMINI_MODEL in requests[0]["path"]
