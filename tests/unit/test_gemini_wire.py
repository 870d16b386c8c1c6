"""Gemini generateContent translation, both directions, the SSE stream and embeddings."""

from __future__ import annotations

import base64
from typing import Any

import orjson
import pytest

from interlock.config.schema import ProviderConfig
from interlock.errors import GatewayError
from interlock.exchange import (
    ChatRequest,
    ChoiceEnd,
    EmbeddingRequest,
    ImagePart,
    Message,
    ResponseFormat,
    StreamStart,
    TextDelta,
    TextPart,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolCallStart,
    ToolChoice,
    ToolResult,
    Usage,
    UsageReport,
)
from interlock.providers import adapter_for
from interlock.providers.base import ProtocolError, Target
from interlock.providers.gemini import GeminiAdapter, build_request, gemini_schema

TARGET = Target("gemini-flash", "gemini", "gemini-2.0-flash")
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
WEATHER = Tool(
    "get_weather",
    "Weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)
TIME = Tool("get_time", None, {"type": "object", "properties": {}})


def adapter(**overrides: Any) -> GeminiAdapter:
    made = adapter_for("gemini", ProviderConfig(type="gemini", api_key="g-key", **overrides))
    assert isinstance(made, GeminiAdapter)
    return made


def chat(*messages: Message, **kw: Any) -> ChatRequest:
    return ChatRequest(model="gemini-flash", messages=list(messages), **kw)


def user(text: str) -> Message:
    return Message("user", [TextPart(text)])


# ---- the request ---------------------------------------------------------------------------


def test_urls_and_the_key_in_a_header_only() -> None:
    up = adapter().chat_request(chat(user("hi")), TARGET, "openai.chat")
    assert up.url == (
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.0-flash:generateContent"
    )
    assert up.headers["x-goog-api-key"] == "g-key"
    assert "g-key" not in up.url
    stream = adapter(base_url="http://127.0.0.1:1234").chat_request(
        chat(user("hi"), stream=True), TARGET, "openai.chat"
    )
    assert stream.url == (
        "http://127.0.0.1:1234/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse"
    )
    tuned = Target("t", "gemini", "tunedModels/my-model-123")
    assert (
        adapter()
        .chat_request(chat(user("hi")), tuned, "openai.chat")
        .url.endswith("/v1beta/tunedModels/my-model-123:generateContent")
    )


def test_text_system_and_generation_config() -> None:
    req = chat(
        Message("system", [TextPart("Be brief.")]),
        user("Hello"),
        Message("assistant", [TextPart("Hi!")]),
        user("How are you?"),
        max_tokens=50,
        temperature=0.2,
        top_p=0.8,
        top_k=40,
        stop=["END"],
        n=2,
        seed=42,
        presence_penalty=0.5,
    )
    assert build_request(req) == {
        "contents": [
            {"role": "user", "parts": [{"text": "Hello"}]},
            {"role": "model", "parts": [{"text": "Hi!"}]},
            {"role": "user", "parts": [{"text": "How are you?"}]},
        ],
        "systemInstruction": {"parts": [{"text": "Be brief."}]},
        "generationConfig": {
            "maxOutputTokens": 50,
            "temperature": 0.2,
            "topP": 0.8,
            "topK": 40,
            "seed": 42,
            "presencePenalty": 0.5,
            "stopSequences": ["END"],
            "candidateCount": 2,
        },
    }


def test_images_inline_and_by_uri() -> None:
    req = chat(
        Message(
            "user",
            [
                TextPart("Compare"),
                ImagePart.from_url(f"data:image/webp;base64,{PNG}"),
                ImagePart.from_url("https://example.com/cat.jpg"),
            ],
        )
    )
    assert build_request(req)["contents"][0]["parts"] == [
        {"text": "Compare"},
        {"inlineData": {"mimeType": "image/webp", "data": PNG}},
        {"fileData": {"fileUri": "https://example.com/cat.jpg", "mimeType": "image/jpeg"}},
    ]


def test_tools_and_results_matched_by_name() -> None:
    req = chat(
        user("Weather and time? parallel"),
        Message(
            "assistant",
            [
                ToolCall("call_a", "get_weather", '{"city":"Oslo"}'),
                ToolCall("call_b", "get_time", "{}"),
            ],
        ),
        Message("tool", [ToolResult("call_a", [TextPart("rainy")])]),
        Message("tool", [ToolResult("call_b", [TextPart("noon")], is_error=True)]),
        tools=[WEATHER, TIME],
    )
    body = build_request(req)
    assert body["tools"] == [
        {
            "functionDeclarations": [
                {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "parameters": WEATHER.parameters,
                },
                {"name": "get_time"},  # no properties: no parameters at all
            ]
        }
    ]
    assert body["contents"][1:] == [
        {
            "role": "model",
            "parts": [
                {"functionCall": {"name": "get_weather", "args": {"city": "Oslo"}}},
                {"functionCall": {"name": "get_time", "args": {}}},
            ],
        },
        {
            # Both results in one user turn, each under its function's name.
            "role": "user",
            "parts": [
                {"functionResponse": {"name": "get_weather", "response": {"content": "rainy"}}},
                {
                    "functionResponse": {
                        "name": "get_time",
                        "response": {"content": "noon", "error": True},
                    }
                },
            ],
        },
    ]


def test_repeated_call_ids_resolve_to_the_nearest_earlier_call() -> None:
    req = chat(
        user("a"),
        Message("assistant", [ToolCall("call_0", "first", "{}")]),
        Message("tool", [ToolResult("call_0", [TextPart("1")])]),
        Message("assistant", [ToolCall("call_0", "second", "{}")]),
        Message("tool", [ToolResult("call_0", [TextPart("2")])]),
    )
    contents = build_request(req)["contents"]
    assert contents[2]["parts"][0]["functionResponse"]["name"] == "first"
    assert contents[4]["parts"][0]["functionResponse"]["name"] == "second"


def test_result_without_a_call_is_a_400() -> None:
    req = chat(user("a"), Message("tool", [ToolResult("call_x", [TextPart("1")])]))
    with pytest.raises(GatewayError) as exc:
        build_request(req)
    assert exc.value.code == "invalid_value" and exc.value.status == 400


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (ToolChoice("auto"), {"mode": "AUTO"}),
        (ToolChoice("required"), {"mode": "ANY"}),
        (ToolChoice("none"), {"mode": "NONE"}),
        (
            ToolChoice("tool", "get_time"),
            {"mode": "ANY", "allowedFunctionNames": ["get_time"]},
        ),
    ],
)
def test_tool_choice(choice: ToolChoice, expected: dict[str, Any]) -> None:
    body = build_request(chat(user("hi"), tools=[WEATHER, TIME], tool_choice=choice))
    assert body["toolConfig"] == {"functionCallingConfig": expected}


def test_json_modes() -> None:
    body = build_request(chat(user("hi"), response_format=ResponseFormat("json_object")))
    assert body["generationConfig"] == {"responseMimeType": "application/json"}
    schema = {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": ["integer", "null"]}},
        "required": ["name"],
        "additionalProperties": False,
    }
    body = build_request(chat(user("hi"), response_format=ResponseFormat("json_schema", schema)))
    assert body["generationConfig"] == {
        "responseMimeType": "application/json",
        "responseSchema": {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "age": {"type": "integer", "nullable": True},
            },
            "required": ["name"],
        },
    }


def test_schema_refs_nullable_unions_and_const() -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$defs": {"Point": {"type": "object", "properties": {"x": {"type": "number"}}}},
        "type": "object",
        "properties": {
            "p": {"$ref": "#/$defs/Point", "description": "where"},
            "maybe": {"anyOf": [{"type": "string"}, {"type": "null"}]},
            "either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
            "kind": {"const": "fixed"},
            "level": {"type": "integer", "enum": [1, 2]},
            "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
        },
        "required": ["p", "gone"],
    }
    assert gemini_schema(schema, "x") == {
        "type": "object",
        "properties": {
            "p": {
                "type": "object",
                "properties": {"x": {"type": "number"}},
                "description": "where",
            },
            "maybe": {"nullable": True, "type": "string"},
            "either": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
            "kind": {"enum": ["fixed"]},
            "level": {"type": "integer", "enum": ["1", "2"]},
            "tags": {"type": "array", "items": {"type": "string"}},
        },
        "required": ["p"],
    }
    recursive = {
        "$defs": {"Node": {"type": "object", "properties": {"next": {"$ref": "#/$defs/Node"}}}},
        "$ref": "#/$defs/Node",
    }
    with pytest.raises(GatewayError) as exc:
        gemini_schema(recursive, "tools.f.parameters")
    assert exc.value.code == "unsupported_parameter"


def test_logprobs_are_refused() -> None:
    with pytest.raises(GatewayError) as exc:
        build_request(chat(user("hi"), logprobs=True))
    assert exc.value.code == "unsupported_parameter"


# ---- the response --------------------------------------------------------------------------


def test_decode_text_with_thoughts_and_usage() -> None:
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"text": "thinking about it", "thought": True},
                        {"text": "Hello"},
                        {"text": " world"},
                    ],
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": {
            "promptTokenCount": 100,
            "candidatesTokenCount": 5,
            "cachedContentTokenCount": 60,
            "thoughtsTokenCount": 7,
            "totalTokenCount": 112,
        },
        "modelVersion": "gemini-2.0-flash-001",
        "responseId": "resp-1",
    }
    resp = adapter().chat_response(orjson.dumps(body), TARGET)
    assert (resp.id, resp.model) == ("resp-1", "gemini-2.0-flash-001")
    assert resp.choices[0].text() == "Hello world"
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage == Usage(
        input_tokens=100, output_tokens=12, cached_input_tokens=60, reasoning_tokens=7
    )


def test_decode_function_calls() -> None:
    body = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"functionCall": {"name": "get_weather", "args": {"city": "sim"}}},
                        {"functionCall": {"name": "get_time", "args": {}}},
                    ],
                },
                "finishReason": "STOP",
            }
        ]
    }
    (choice,) = adapter().chat_response(orjson.dumps(body), TARGET).choices
    assert choice.finish_reason == "tool_calls"
    calls = choice.tool_calls()
    assert [(c.name, orjson.loads(c.arguments)) for c in calls] == [
        ("get_weather", {"city": "sim"}),
        ("get_time", {}),
    ]
    assert all(c.id.startswith("call_") for c in calls)
    assert len({c.id for c in calls}) == 2


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("STOP", "stop"),
        ("MAX_TOKENS", "length"),
        ("SAFETY", "content_filter"),
        ("RECITATION", "content_filter"),
        ("PROHIBITED_CONTENT", "content_filter"),
        ("MALFORMED_FUNCTION_CALL", "error"),
        ("OTHER", "stop"),
    ],
)
def test_finish_reasons(reason: str, expected: str) -> None:
    body = {"candidates": [{"content": {"parts": []}, "finishReason": reason}]}
    assert adapter().chat_response(orjson.dumps(body), TARGET).choices[0].finish_reason == expected


def test_blocked_prompt_and_malformed_bodies() -> None:
    blocked = {
        "promptFeedback": {"blockReason": "SAFETY"},
        "usageMetadata": {"promptTokenCount": 4},
    }
    resp = adapter().chat_response(orjson.dumps(blocked), TARGET)
    assert resp.choices[0].finish_reason == "content_filter" and resp.choices[0].parts == []
    for body in (b"nope", b"[]", b"{}"):
        with pytest.raises(ProtocolError):
            adapter().chat_response(body, TARGET)


def test_error_shapes() -> None:
    body = {
        "error": {
            "code": 429,
            "message": "Resource has been exhausted",
            "status": "RESOURCE_EXHAUSTED",
            "details": [{"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "17s"}],
        }
    }
    err = adapter().error(429, {}, orjson.dumps(body))
    assert (err.status, err.type, err.message, err.retry_after) == (
        429,
        "RESOURCE_EXHAUSTED",
        "Resource has been exhausted",
        17.0,
    )
    wrapped = [{"error": {"code": 400, "message": "bad", "status": "INVALID_ARGUMENT"}}]
    err = adapter().error(400, {"retry-after": "3"}, orjson.dumps(wrapped))
    assert (err.type, err.message, err.retry_after) == ("INVALID_ARGUMENT", "bad", 3.0)
    assert adapter().error(500, {}, b"oops").message == "upstream answered HTTP 500"


# ---- the stream ----------------------------------------------------------------------------


def sse(frame: Any) -> bytes:
    return b"data: " + orjson.dumps(frame) + b"\r\n\r\n"


def usage(out: int) -> dict[str, int]:
    return {"promptTokenCount": 4, "candidatesTokenCount": out, "totalTokenCount": 4 + out}


TEXT_STREAM = [
    sse(
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": "Hello"}]}, "index": 0}
            ],
            "usageMetadata": usage(1),
            "modelVersion": "gemini-2.0-flash",
            "responseId": "r1",
        }
    ),
    sse(
        {
            "candidates": [
                {"content": {"role": "model", "parts": [{"text": " there"}]}, "index": 0}
            ],
            "usageMetadata": usage(2),
            "responseId": "r1",
        }
    ),
    sse(
        {
            "candidates": [
                {
                    "content": {"role": "model", "parts": [{"text": "!"}]},
                    "finishReason": "MAX_TOKENS",
                    "index": 0,
                }
            ],
            "usageMetadata": usage(3),
            "responseId": "r1",
        }
    ),
]


def run(decoder: Any, frames: list[bytes], size: int | None = None) -> list[Any]:
    data = b"".join(frames)
    size = size or len(data)
    events = []
    for i in range(0, len(data), size):
        for chunk in decoder.feed(data[i : i + size]):
            assert chunk.events
            events.extend(chunk.events)
    for chunk in decoder.close():
        events.extend(chunk.events)
    return events


@pytest.mark.parametrize("size", [1, 9, None])
def test_text_stream_reports_usage_once_at_the_end(size: int | None) -> None:
    events = run(adapter().chat_stream(TARGET), TEXT_STREAM, size)
    assert events == [
        StreamStart("r1", "gemini-2.0-flash"),
        TextDelta("Hello"),
        TextDelta(" there"),
        TextDelta("!"),
        ChoiceEnd("length"),
        UsageReport(Usage(input_tokens=4, output_tokens=3)),
    ]


def test_function_call_stream() -> None:
    frame = {
        "candidates": [
            {
                "content": {
                    "role": "model",
                    "parts": [
                        {"functionCall": {"name": "get_weather", "args": {"city": "sim"}}},
                        {"functionCall": {"name": "get_time", "args": {}}},
                    ],
                },
                "finishReason": "STOP",
                "index": 0,
            }
        ],
        "usageMetadata": usage(5),
        "responseId": "r2",
    }
    events = run(adapter().chat_stream(TARGET), [sse(frame)])
    assert isinstance(events[0], StreamStart) and events[0].model == "gemini-2.0-flash"
    starts = [e for e in events if isinstance(e, ToolCallStart)]
    deltas = [e for e in events if isinstance(e, ToolCallDelta)]
    assert [(s.index, s.name) for s in starts] == [(0, "get_weather"), (1, "get_time")]
    assert [(d.index, d.arguments) for d in deltas] == [(0, '{"city":"sim"}'), (1, "{}")]
    assert events[-2:] == [
        ChoiceEnd("tool_calls"),
        UsageReport(Usage(input_tokens=4, output_tokens=5)),
    ]


def test_stream_without_finish_reason_is_incomplete() -> None:
    decoder = adapter().chat_stream(TARGET)
    for frame in TEXT_STREAM[:2]:
        decoder.feed(frame)
    with pytest.raises(ProtocolError, match="finishReason"):
        decoder.close()


def test_stream_cut_mid_frame_and_error_frames() -> None:
    decoder = adapter().chat_stream(TARGET)
    data = b"".join(TEXT_STREAM)
    decoder.feed(data[:-10])
    with pytest.raises(ProtocolError):
        decoder.close()
    error = sse({"error": {"code": 500, "message": "internal", "status": "INTERNAL"}})
    with pytest.raises(ProtocolError, match="INTERNAL: internal"):
        adapter().chat_stream(TARGET).feed(error)
    with pytest.raises(ProtocolError, match="not JSON"):
        adapter().chat_stream(TARGET).feed(b'data: {"candidates": [\r\n\r\n')


def test_stream_with_two_candidates_needs_both_to_finish() -> None:
    def frame(index: int, text: str, finish: str | None) -> bytes:
        cand: dict[str, Any] = {"content": {"parts": [{"text": text}]}, "index": index}
        if finish:
            cand["finishReason"] = finish
        return sse({"candidates": [cand]})

    decoder = adapter().chat_stream(TARGET)
    events = run(decoder, [frame(0, "a", None), frame(1, "b", "STOP"), frame(0, "c", "STOP")])
    assert [e for e in events if isinstance(e, TextDelta)] == [
        TextDelta("a", 0),
        TextDelta("b", 1),
        TextDelta("c", 0),
    ]
    decoder = adapter().chat_stream(TARGET)
    decoder.feed(frame(0, "a", "STOP") + frame(1, "b", None))
    with pytest.raises(ProtocolError):
        decoder.close()


# ---- embeddings ----------------------------------------------------------------------------


def test_embeddings_round_trip() -> None:
    target = Target("gemini-embed", "gemini", "text-embedding-004", kind="embedding")
    up = adapter().embedding_request(EmbeddingRequest("gemini-embed", ["a", "b"], 4), target)
    assert up.url.endswith("/v1beta/models/text-embedding-004:batchEmbedContents")
    assert up.headers["x-goog-api-key"] == "g-key"
    assert orjson.loads(up.body) == {
        "requests": [
            {
                "model": "models/text-embedding-004",
                "content": {"parts": [{"text": "a"}]},
                "outputDimensionality": 4,
            },
            {
                "model": "models/text-embedding-004",
                "content": {"parts": [{"text": "b"}]},
                "outputDimensionality": 4,
            },
        ]
    }
    resp = adapter().embedding_response(
        orjson.dumps({"embeddings": [{"values": [0.1, 0.2]}, {"values": [0.3, 0.4]}]}), target
    )
    assert resp.vectors == [[0.1, 0.2], [0.3, 0.4]]
    with pytest.raises(ProtocolError):
        adapter().embedding_response(b'{"embeddings": [{}]}', target)
