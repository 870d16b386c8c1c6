"""Chat Completions through the gateway with the official openai SDK, against every provider
family the simulator speaks; raw HTTP where the SDK would hide what is on the wire."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import openai
import pytest

from tests.support import CHAT_MODELS, SIM_NAMES, GatewayServer

FAMILIES = list(CHAT_MODELS)
PNG_1PX = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e5270ae80000000049454e44ae426082"
    )
).decode()
WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Current weather for a city",
        "parameters": {
            "type": "object",
            "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
            "required": ["city"],
        },
    },
}
TIME = {
    "type": "function",
    "function": {
        "name": "get_time",
        "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}},
    },
}


@pytest.fixture()
def client(gateway: GatewayServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url + "/v1", api_key="any", max_retries=0)


def expected(family: str, said: str) -> str:
    provider, model = SIM_NAMES[family]
    return f"Simulated {provider} reply from {model}. You said: {said}"


def user(text: str) -> list[dict[str, Any]]:
    return [{"role": "user", "content": text}]


def sse_chunks(gateway: GatewayServer, body: dict[str, Any]) -> list[dict[str, Any] | str]:
    """The raw `data:` payloads of a streamed answer, `[DONE]` included."""
    out: list[dict[str, Any] | str] = []
    with httpx.stream("POST", gateway.url + "/v1/chat/completions", json=body, timeout=20) as r:
        assert r.status_code == 200
        assert r.headers["content-type"].startswith("text/event-stream")
        assert r.headers["x-request-id"].startswith("req_")
        for line in r.iter_lines():
            if line.startswith("data: "):
                data = line[len("data: ") :]
                out.append(data if data == "[DONE]" else json.loads(data))
    return out


# ---- every provider family -----------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_plain_answer(client: openai.OpenAI, family: str) -> None:
    reply = client.chat.completions.create(
        model=CHAT_MODELS[family],
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": "Hello gateway"},
        ],
    )
    text = reply.choices[0].message.content
    assert text == expected(family, "Hello gateway")
    assert reply.object == "chat.completion"
    assert reply.choices[0].finish_reason == "stop"
    assert reply.choices[0].message.role == "assistant"
    assert reply.usage is not None
    assert reply.usage.completion_tokens == len(text.split())
    assert reply.usage.prompt_tokens > 0
    assert reply.usage.total_tokens == reply.usage.prompt_tokens + reply.usage.completion_tokens


@pytest.mark.parametrize("family", FAMILIES)
def test_stream_with_sdk(client: openai.OpenAI, family: str) -> None:
    stream = client.chat.completions.create(
        model=CHAT_MODELS[family], messages=user("stream me please"), stream=True
    )
    chunks = list(stream)
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == expected(family, "stream me please")
    assert len([c for c in chunks if c.choices and c.choices[0].delta.content]) > 3
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices]
    assert [f for f in finishes if f] == ["stop"]
    # (Azure opens with a choice-less `prompt_filter_results` chunk whose object is "".)
    assert all(c.object == "chat.completion.chunk" for c in chunks if c.choices)


@pytest.mark.parametrize("family", FAMILIES)
def test_stream_usage_chunk_only_when_asked(gateway: GatewayServer, family: str) -> None:
    body = {"model": CHAT_MODELS[family], "messages": user("count my tokens"), "stream": True}
    with_usage = sse_chunks(gateway, {**body, "stream_options": {"include_usage": True}})
    assert with_usage[-1] == "[DONE]"
    frames = [c for c in with_usage if isinstance(c, dict)]
    usage_frames = [c for c in frames if c.get("usage")]
    # Exactly one usage chunk, the last before [DONE], with no choices — as OpenAI sends it.
    assert len(usage_frames) == 1, usage_frames
    assert usage_frames[0] is frames[-1] and usage_frames[0]["choices"] == []
    usage = usage_frames[0]["usage"]
    text = "".join(
        c["choices"][0]["delta"].get("content") or "" for c in frames if c.get("choices")
    )
    assert usage["completion_tokens"] == len(text.split())
    assert usage["total_tokens"] == usage["prompt_tokens"] + usage["completion_tokens"]

    for options in ({"include_usage": False}, None):
        plain = sse_chunks(gateway, {**body, **({"stream_options": options} if options else {})})
        frames = [c for c in plain if isinstance(c, dict)]
        assert plain[-1] == "[DONE]" and frames
        assert not [c for c in frames if c.get("usage")], "usage reached a client that did not ask"
        usage_only = [c for c in frames if not c["choices"] and "prompt_filter_results" not in c]
        assert not usage_only, "a choice-less (usage) chunk was sent"


@pytest.mark.parametrize("family", FAMILIES)
def test_tool_call_then_result_round_trip(client: openai.OpenAI, family: str) -> None:
    model = CHAT_MODELS[family]
    messages: list[Any] = user("What is the weather in Paris?")
    reply = client.chat.completions.create(model=model, messages=messages, tools=[WEATHER])
    choice = reply.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls or []
    assert len(calls) == 1
    assert calls[0].type == "function" and calls[0].function.name == "get_weather"
    assert json.loads(calls[0].function.arguments) == {"city": "sim", "days": 1}
    assert calls[0].id

    messages.append(choice.message.model_dump(exclude_none=True))
    messages.append({"role": "tool", "tool_call_id": calls[0].id, "content": "22C and sunny"})
    final = client.chat.completions.create(model=model, messages=messages, tools=[WEATHER])
    text = final.choices[0].message.content or ""
    assert final.choices[0].finish_reason == "stop"
    assert text.startswith(f"Simulated {SIM_NAMES[family][0]} reply")
    assert "Tool results:" in text and "22C and sunny" in text


@pytest.mark.parametrize("family", FAMILIES)
def test_parallel_tool_calls_and_their_results(client: openai.OpenAI, family: str) -> None:
    model = CHAT_MODELS[family]
    messages: list[Any] = user("Use parallel calls for weather and time")
    reply = client.chat.completions.create(model=model, messages=messages, tools=[WEATHER, TIME])
    calls = reply.choices[0].message.tool_calls or []
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[1].function.arguments) == {"zone": "sim"}
    assert len({c.id for c in calls}) == 2

    messages.append(reply.choices[0].message.model_dump(exclude_none=True))
    for call, result in zip(calls, ["rainy", "noon"], strict=True):
        messages.append({"role": "tool", "tool_call_id": call.id, "content": result})
    final = client.chat.completions.create(model=model, messages=messages, tools=[WEATHER, TIME])
    text = final.choices[0].message.content or ""
    assert "rainy" in text and "noon" in text


@pytest.mark.parametrize("family", FAMILIES)
def test_streamed_tool_calls(client: openai.OpenAI, family: str) -> None:
    stream = client.chat.completions.create(
        model=CHAT_MODELS[family],
        messages=user("parallel please"),
        tools=[WEATHER, TIME],
        stream=True,
    )
    calls: dict[int, dict[str, str]] = {}
    finish = None
    for chunk in stream:
        if not chunk.choices:
            continue
        for d in chunk.choices[0].delta.tool_calls or []:
            call = calls.setdefault(d.index, {"id": "", "name": "", "arguments": ""})
            if d.id:
                call["id"] = d.id
            if d.function and d.function.name:
                call["name"] = d.function.name
            if d.function and d.function.arguments:
                call["arguments"] += d.function.arguments
        finish = chunk.choices[0].finish_reason or finish
    assert finish == "tool_calls"
    assert [calls[i]["name"] for i in sorted(calls)] == ["get_weather", "get_time"]
    assert json.loads(calls[0]["arguments"]) == {"city": "sim", "days": 1}
    assert all(c["id"] for c in calls.values())


@pytest.mark.parametrize("family", FAMILIES)
def test_image_data_url(client: openai.OpenAI, family: str) -> None:
    reply = client.chat.completions.create(
        model=CHAT_MODELS[family],
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "What is in this picture?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG_1PX}"}},
                ],
            }
        ],
    )
    assert reply.choices[0].message.content == (
        expected(family, "What is in this picture?") + " [images: 1]"
    )


# ---- OpenAI-only parameters -----------------------------------------------------------------------


def last_upstream_body(sim: Any, model: str) -> dict[str, Any]:
    bodies = [r for r in sim.requests() if r.get("model") == model]
    assert bodies, f"no upstream request for {model}"
    body = bodies[-1].get("body", bodies[-1])
    assert isinstance(body, dict)
    return body


def test_response_format_json_object(client: openai.OpenAI, sim: Any) -> None:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=user("Reply in JSON"),
        response_format={"type": "json_object"},
    )
    assert isinstance(json.loads(reply.choices[0].message.content or ""), dict)
    assert last_upstream_body(sim, "gpt-4o-mini")["response_format"] == {"type": "json_object"}


def test_response_format_json_schema(client: openai.OpenAI, sim: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string"}, "score": {"type": "integer"}},
        "required": ["answer", "score"],
        "additionalProperties": False,
    }
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=user("Grade this"),
        response_format={
            "type": "json_schema",
            "json_schema": {"name": "grade", "schema": schema, "strict": True},
        },
    )
    data = json.loads(reply.choices[0].message.content or "")
    assert set(data) == {"answer", "score"} and isinstance(data["score"], int)
    sent = last_upstream_body(sim, "gpt-4o-mini")["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["schema"] == schema


def test_n_stop_seed_logprobs(client: openai.OpenAI, sim: Any) -> None:
    reply = client.chat.completions.create(
        model="gpt-4o-mini",
        messages=user("several answers"),
        n=2,
        stop=["\n\n", "END"],
        seed=42,
        logprobs=True,
        top_logprobs=2,
    )
    assert [c.index for c in reply.choices] == [0, 1]
    for c in reply.choices:
        assert c.message.content == expected("openai", "several answers")
        assert c.logprobs is not None and c.logprobs.content
    sent = last_upstream_body(sim, "gpt-4o-mini")
    assert (sent["n"], sent["stop"], sent["seed"], sent["logprobs"]) == (
        2,
        ["\n\n", "END"],
        42,
        True,
    )
    assert sent["top_logprobs"] == 2


def test_alias_reaches_its_model(client: openai.OpenAI) -> None:
    reply = client.chat.completions.create(model="fast", messages=user("via alias"))
    assert reply.choices[0].message.content == expected("openai", "via alias")


def test_models_list(client: openai.OpenAI) -> None:
    ids = {m.id for m in client.models.list()}
    assert set(CHAT_MODELS.values()) <= ids
    assert {"fast", "text-embedding-3-small", "azure-embed", "gemini-embed"} <= ids


# ---- bad input: every error in OpenAI's shape, with a stable code and a request id --------------


def post_raw(gateway: GatewayServer, content: bytes) -> httpx.Response:
    return httpx.post(
        gateway.url + "/v1/chat/completions",
        content=content,
        headers={"content-type": "application/json"},
        timeout=10,
    )


def assert_openai_error(
    r: httpx.Response, status: int, code: str, param: str | None = None
) -> None:
    assert r.status_code == status, r.text
    assert r.headers["x-request-id"].startswith("req_")
    err = r.json()["error"]
    assert err["code"] == code
    assert isinstance(err["message"], str) and err["message"]
    assert err["type"] == (
        "invalid_request_error" if status < 500 and status != 404 else err["type"]
    )
    if param is not None:
        assert err["param"] == param
    assert err["request_id"] == r.headers["x-request-id"]


def test_malformed_json(gateway: GatewayServer) -> None:
    assert_openai_error(
        post_raw(gateway, b'{"model": "gpt-4o-mini", "messages": ['), 400, "invalid_json"
    )
    assert_openai_error(post_raw(gateway, b"[1, 2]"), 400, "invalid_json")


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        ({"model": "gpt-4o-mini", "messages": "hello"}, "invalid_type", "messages"),
        ({"model": "gpt-4o-mini"}, "missing_field", "messages"),
        ({"messages": [{"role": "user", "content": "x"}]}, "missing_field", "model"),
        ({"model": 7, "messages": [{"role": "user", "content": "x"}]}, "invalid_type", "model"),
        (
            {
                "model": "gpt-4o-mini",
                "messages": [{"role": "user", "content": "x"}],
                "temperature": "hot",
            },
            "invalid_type",
            "temperature",
        ),
        (
            {"model": "gpt-4o-mini", "messages": [{"role": "user", "content": "x"}], "n": 0},
            "invalid_value",
            "n",
        ),
        (
            {
                "model": "gpt-4o-mini",
                "messages": [
                    {"role": "user", "content": [{"type": "input_audio", "input_audio": {}}]}
                ],
            },
            "unsupported_parameter",
            "messages[0].content[0]",
        ),
    ],
)
def test_invalid_requests(
    gateway: GatewayServer, body: dict[str, Any], code: str, param: str
) -> None:
    assert_openai_error(post_raw(gateway, json.dumps(body).encode()), 400, code, param)


def test_invalid_request_raises_bad_request_in_the_sdk(client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        client.chat.completions.create(
            model="gpt-4o-mini",
            messages=[{"role": "user", "content": [{"type": "file", "file": {"file_id": "f"}}]}],  # type: ignore[list-item]
        )
    assert exc.value.code == "unsupported_parameter"
    assert exc.value.response.headers["x-request-id"].startswith("req_")


def test_unknown_model(client: openai.OpenAI, gateway: GatewayServer) -> None:
    with pytest.raises(openai.NotFoundError) as exc:
        client.chat.completions.create(model="gpt-99", messages=user("hi"))
    assert exc.value.code == "model_not_found"
    r = post_raw(gateway, json.dumps({"model": "gpt-99", "messages": user("hi")}).encode())
    assert_openai_error(r, 404, "model_not_found", "model")
    assert r.json()["error"]["type"] == "not_found_error"


def test_embedding_model_is_not_a_chat_model(gateway: GatewayServer) -> None:
    r = post_raw(
        gateway, json.dumps({"model": "text-embedding-3-small", "messages": user("x")}).encode()
    )
    assert_openai_error(r, 400, "invalid_value", "model")


def test_body_over_the_limit(gateway: GatewayServer) -> None:
    big = json.dumps({"model": "gpt-4o-mini", "messages": user("x" * 250_000)}).encode()
    r = post_raw(gateway, big)
    assert r.status_code == 413
    assert r.headers["x-request-id"].startswith("req_")
    assert r.json()["error"]["code"] == "body_too_large"
