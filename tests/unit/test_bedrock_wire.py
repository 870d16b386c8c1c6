"""Bedrock Converse translation, both directions, and the ConverseStream decoder."""

from __future__ import annotations

import base64
import hashlib
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
from interlock.providers.bedrock import BedrockAdapter, build_request
from tests.unit.test_eventstream import event, frame, string_header

MODEL = "anthropic.claude-3-5-sonnet-20240620-v1:0"
TARGET = Target("bedrock-claude", "bedrock", MODEL)
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()
WEATHER = Tool(
    "get_weather",
    "Weather for a city",
    {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
)


def adapter(**overrides: Any) -> BedrockAdapter:
    config = ProviderConfig(
        type="bedrock",
        region="eu-central-1",
        access_key_id="AKIDEXAMPLE",
        secret_access_key="secret",
        **overrides,
    )
    made = adapter_for("bedrock", config)
    assert isinstance(made, BedrockAdapter)
    return made


def chat(*messages: Message, **kw: Any) -> ChatRequest:
    return ChatRequest(model="bedrock-claude", messages=list(messages), **kw)


def user(text: str) -> Message:
    return Message("user", [TextPart(text)])


# ---- the request ---------------------------------------------------------------------------


def test_url_signing_and_headers() -> None:
    up = adapter().chat_request(chat(user("hi")), TARGET, "openai.chat")
    assert up.method == "POST"
    assert up.url == (
        "https://bedrock-runtime.eu-central-1.amazonaws.com/model/"
        "anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse"
    )
    assert up.headers["host"] == "bedrock-runtime.eu-central-1.amazonaws.com"
    assert up.headers["content-type"] == "application/json"
    assert (
        up.headers["authorization"].startswith("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/")
        and "/eu-central-1/bedrock/aws4_request" in up.headers["authorization"]
    )
    assert "x-amz-security-token" not in up.headers

    stream = adapter(base_url="http://127.0.0.1:9999", session_token="tok").chat_request(
        chat(user("hi"), stream=True), TARGET, "openai.chat"
    )
    assert stream.url == (
        "http://127.0.0.1:9999/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse-stream"
    )
    assert stream.headers["host"] == "127.0.0.1:9999"
    assert stream.headers["x-amz-security-token"] == "tok"
    assert "x-amz-security-token" in stream.headers["authorization"]


def test_arn_model_id_is_one_path_segment() -> None:
    arn = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-v1:0"
    up = adapter().chat_request(chat(user("hi")), Target("x", "bedrock", arn), "openai.chat")
    assert up.url.endswith(
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile"
        "%2Fus.anthropic.claude-v1%3A0/converse"
    )


def test_text_system_and_inference_config() -> None:
    req = chat(
        Message("system", [TextPart("Be brief.")]),
        Message("system", [TextPart("Answer in English.")]),
        user("Hello"),
        max_tokens=100,
        temperature=0.5,
        top_p=0.9,
        stop=["END"],
        seed=7,
    )
    body = build_request(req, MODEL)
    assert body == {
        "system": [{"text": "Be brief."}, {"text": "Answer in English."}],
        "messages": [{"role": "user", "content": [{"text": "Hello"}]}],
        "inferenceConfig": {
            "maxTokens": 100,
            "temperature": 0.5,
            "topP": 0.9,
            "stopSequences": ["END"],
        },
    }


def test_signed_body_is_the_sent_body() -> None:
    up = adapter().chat_request(chat(user("Hello")), TARGET, "openai.chat")
    assert orjson.loads(up.body) == {"messages": [{"role": "user", "content": [{"text": "Hello"}]}]}
    assert up.headers["x-amz-content-sha256"] == hashlib.sha256(up.body).hexdigest()


def test_images_as_bytes_only() -> None:
    req = chat(
        Message(
            "user", [TextPart("What is it?"), ImagePart.from_url(f"data:image/jpg;base64,{PNG}")]
        )
    )
    body = build_request(req, MODEL)
    assert body["messages"][0]["content"] == [
        {"text": "What is it?"},
        {"image": {"format": "jpeg", "source": {"bytes": PNG}}},
    ]
    with pytest.raises(GatewayError) as exc:
        build_request(chat(Message("user", [ImagePart.from_url("https://x.test/cat.png")])), MODEL)
    assert exc.value.code == "unsupported_parameter" and exc.value.status == 400
    with pytest.raises(GatewayError) as exc:
        build_request(chat(Message("user", [ImagePart(data=PNG, media_type="image/tiff")])), MODEL)
    assert exc.value.code == "unsupported_parameter"


def test_tool_round_trip_and_turn_merging() -> None:
    req = chat(
        user("Weather in Paris and Rome? parallel"),
        Message(
            "assistant",
            [
                TextPart("Checking."),
                ToolCall("tu_1", "get_weather", '{"city":"Paris"}'),
                ToolCall("tu_2", "get_weather", '{"city":"Rome"}'),
            ],
        ),
        Message("tool", [ToolResult("tu_1", [TextPart("sunny")])]),
        Message("tool", [ToolResult("tu_2", [TextPart("boom")], is_error=True)]),
        user("Thanks"),
        tools=[WEATHER],
        tool_choice=ToolChoice("auto"),
    )
    body = build_request(req, MODEL)
    assert body["messages"] == [
        {"role": "user", "content": [{"text": "Weather in Paris and Rome? parallel"}]},
        {
            "role": "assistant",
            "content": [
                {"text": "Checking."},
                {
                    "toolUse": {
                        "toolUseId": "tu_1",
                        "name": "get_weather",
                        "input": {"city": "Paris"},
                    }
                },
                {
                    "toolUse": {
                        "toolUseId": "tu_2",
                        "name": "get_weather",
                        "input": {"city": "Rome"},
                    }
                },
            ],
        },
        {
            "role": "user",
            "content": [
                {"toolResult": {"toolUseId": "tu_1", "content": [{"text": "sunny"}]}},
                {
                    "toolResult": {
                        "toolUseId": "tu_2",
                        "content": [{"text": "boom"}],
                        "status": "error",
                    }
                },
                {"text": "Thanks"},
            ],
        },
    ]
    assert body["toolConfig"] == {
        "tools": [
            {
                "toolSpec": {
                    "name": "get_weather",
                    "description": "Weather for a city",
                    "inputSchema": {"json": WEATHER.parameters},
                }
            }
        ],
        "toolChoice": {"auto": {}},
    }


@pytest.mark.parametrize(
    ("choice", "expected"),
    [
        (ToolChoice("required"), {"any": {}}),
        (ToolChoice("tool", "get_weather"), {"tool": {"name": "get_weather"}}),
        (None, None),
    ],
)
def test_tool_choice(choice: ToolChoice | None, expected: dict[str, Any] | None) -> None:
    body = build_request(chat(user("hi"), tools=[WEATHER], tool_choice=choice), MODEL)
    assert body["toolConfig"].get("toolChoice") == expected


def test_tool_choice_none_leaves_tools_out_unless_history_needs_them() -> None:
    body = build_request(chat(user("hi"), tools=[WEATHER], tool_choice=ToolChoice("none")), MODEL)
    assert "toolConfig" not in body
    history = chat(
        user("hi"),
        Message("assistant", [ToolCall("t1", "lookup", "{}")]),
        Message("tool", [ToolResult("t1", [])]),
        tools=[WEATHER],
        tool_choice=ToolChoice("none"),
    )
    body = build_request(history, MODEL)
    names = [t["toolSpec"]["name"] for t in body["toolConfig"]["tools"]]
    assert names == ["get_weather", "lookup"]  # `lookup` declared from history
    assert "toolChoice" not in body["toolConfig"]
    # An empty tool result still has content, as Converse requires.
    assert body["messages"][2]["content"][0]["toolResult"]["content"] == [{"json": {}}]


def test_unsupported_parameters_are_400s() -> None:
    for kw in ({"n": 2}, {"logprobs": True}, {"response_format": ResponseFormat("json_object")}):
        with pytest.raises(GatewayError) as exc:
            build_request(chat(user("hi"), **kw), MODEL)
        assert exc.value.code == "unsupported_parameter" and exc.value.status == 400
    with pytest.raises(GatewayError):
        build_request(chat(user("hi"), top_k=5), "amazon.nova-lite-v1:0")
    assert build_request(chat(user("hi"), top_k=5), MODEL)["additionalModelRequestFields"] == {
        "top_k": 5
    }
    with pytest.raises(GatewayError) as exc:
        adapter().embedding_request(EmbeddingRequest("e", ["x"]), TARGET)
    assert exc.value.code == "unsupported_parameter"


def test_invalid_tool_arguments_are_400s() -> None:
    req = chat(user("hi"), Message("assistant", [ToolCall("t", "f", "{not json")]))
    with pytest.raises(GatewayError) as exc:
        build_request(req, MODEL)
    assert exc.value.code == "invalid_value"


def test_json_schema_uses_output_config() -> None:
    schema = {"type": "object", "properties": {"a": {"type": "integer"}}}
    body = build_request(
        chat(user("hi"), response_format=ResponseFormat("json_schema", schema, "answer")), MODEL
    )
    fmt = body["outputConfig"]["textFormat"]
    assert fmt["type"] == "json_schema"
    assert fmt["structure"]["jsonSchema"]["name"] == "answer"
    assert orjson.loads(fmt["structure"]["jsonSchema"]["schema"]) == schema


# ---- the response --------------------------------------------------------------------------


def test_decode_text_response_with_cache_usage() -> None:
    body = {
        "output": {
            "message": {"role": "assistant", "content": [{"text": "Hello"}, {"text": " there"}]}
        },
        "stopReason": "end_turn",
        "usage": {
            "inputTokens": 10,
            "outputTokens": 3,
            "totalTokens": 53,
            "cacheReadInputTokens": 30,
            "cacheWriteInputTokens": 10,
        },
        "metrics": {"latencyMs": 120},
    }
    resp = adapter().chat_response(orjson.dumps(body), TARGET)
    assert resp.model == MODEL
    assert resp.id.startswith("bedrock-")
    (choice,) = resp.choices
    assert choice.text() == "Hello there" and choice.finish_reason == "stop"
    assert resp.usage == Usage(
        input_tokens=50, output_tokens=3, cached_input_tokens=30, cache_write_tokens=10
    )


def test_decode_tool_use_response() -> None:
    body = {
        "output": {
            "message": {
                "role": "assistant",
                "content": [
                    {"text": "Let me check."},
                    {
                        "toolUse": {
                            "toolUseId": "tooluse_1",
                            "name": "get_weather",
                            "input": {"city": "sim"},
                        }
                    },
                ],
            }
        },
        "stopReason": "tool_use",
        "usage": {"inputTokens": 5, "outputTokens": 9, "totalTokens": 14},
    }
    (choice,) = adapter().chat_response(orjson.dumps(body), TARGET).choices
    assert choice.finish_reason == "tool_calls"
    assert choice.tool_calls() == [ToolCall("tooluse_1", "get_weather", '{"city":"sim"}')]


@pytest.mark.parametrize(
    ("reason", "expected"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("tool_use", "tool_calls"),
        ("max_tokens", "length"),
        ("content_filtered", "content_filter"),
        ("guardrail_intervened", "content_filter"),
        ("malformed_tool_use", "error"),
    ],
)
def test_stop_reasons(reason: str, expected: str) -> None:
    body = {"output": {"message": {"role": "assistant", "content": []}}, "stopReason": reason}
    assert adapter().chat_response(orjson.dumps(body), TARGET).choices[0].finish_reason == expected


def test_malformed_response_is_a_protocol_error() -> None:
    for body in (b"not json", b"[]", b'{"output": {}}'):
        with pytest.raises(ProtocolError):
            adapter().chat_response(body, TARGET)


def test_error_shape() -> None:
    err = adapter().error(
        429,
        {
            "X-Amzn-ErrorType": "ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/"
        },
        b'{"message":"Too many requests, please wait before trying again."}',
    )
    assert (err.status, err.type) == (429, "ThrottlingException")
    assert err.message == "Too many requests, please wait before trying again."
    err = adapter().error(
        403, {}, b'{"__type":"com.amazon.coral.service#AccessDeniedException","Message":"denied"}'
    )
    assert (err.type, err.message) == ("AccessDeniedException", "denied")
    err = adapter().error(502, {}, b"<html>bad gateway</html>")
    assert err.message == "upstream answered HTTP 502" and err.type is None


# ---- the stream ----------------------------------------------------------------------------


def js(value: Any) -> bytes:
    return orjson.dumps(value)


TOOL_STREAM = [
    event("messageStart", js({"role": "assistant"})),
    event("contentBlockDelta", js({"contentBlockIndex": 0, "delta": {"text": "Checking"}})),
    event("contentBlockStop", js({"contentBlockIndex": 0})),
    event(
        "contentBlockStart",
        js({"contentBlockIndex": 1, "start": {"toolUse": {"toolUseId": "tu_a", "name": "f"}}}),
    ),
    event(
        "contentBlockDelta", js({"contentBlockIndex": 1, "delta": {"toolUse": {"input": '{"x":'}}})
    ),
    event("contentBlockDelta", js({"contentBlockIndex": 1, "delta": {"toolUse": {"input": "1}"}}})),
    event("contentBlockStop", js({"contentBlockIndex": 1})),
    event(
        "contentBlockStart",
        js({"contentBlockIndex": 2, "start": {"toolUse": {"toolUseId": "tu_b", "name": "g"}}}),
    ),
    event("contentBlockDelta", js({"contentBlockIndex": 2, "delta": {"toolUse": {"input": "{}"}}})),
    event("contentBlockStop", js({"contentBlockIndex": 2})),
    event("messageStop", js({"stopReason": "tool_use"})),
    event(
        "metadata",
        js(
            {
                "usage": {
                    "inputTokens": 12,
                    "outputTokens": 20,
                    "totalTokens": 40,
                    "cacheReadInputTokens": 8,
                },
                "metrics": {"latencyMs": 300},
            }
        ),
    ),
]


def test_stream_with_text_and_parallel_tools_in_any_split() -> None:
    data = b"".join(TOOL_STREAM)
    for size in (1, 7, 100, len(data)):
        decoder = adapter().chat_stream(TARGET)
        events = []
        for i in range(0, len(data), size):
            for chunk in decoder.feed(data[i : i + size]):
                assert chunk.events  # no empty chunks: the first one is the commit point
                events.extend(chunk.events)
        decoder.close()
        assert isinstance(events[0], StreamStart) and events[0].model == MODEL
        assert events[1:] == [
            TextDelta("Checking"),
            ToolCallStart(0, "tu_a", "f"),
            ToolCallDelta(0, '{"x":'),
            ToolCallDelta(0, "1}"),
            ToolCallStart(1, "tu_b", "g"),
            ToolCallDelta(1, "{}"),
            ChoiceEnd("tool_calls"),
            UsageReport(Usage(input_tokens=20, output_tokens=20, cached_input_tokens=8)),
        ]


def test_stream_cut_before_message_stop() -> None:
    decoder = adapter().chat_stream(TARGET)
    decoder.feed(b"".join(TOOL_STREAM[:5]))
    with pytest.raises(ProtocolError, match="messageStop"):
        decoder.close()


def test_stream_cut_mid_frame() -> None:
    decoder = adapter().chat_stream(TARGET)
    data = b"".join(TOOL_STREAM)
    decoder.feed(data[:-5])
    with pytest.raises(ProtocolError, match="truncated"):
        decoder.close()


@pytest.mark.parametrize("kind", ["throttlingException", "modelStreamErrorException"])
def test_stream_exception_events(kind: str) -> None:
    decoder = adapter().chat_stream(TARGET)
    decoder.feed(TOOL_STREAM[0])
    exception = frame(
        string_header(":exception-type", kind)
        + string_header(":content-type", "application/json")
        + string_header(":message-type", "exception"),
        b'{"message":"slow down","originalStatusCode":429}',
    )
    with pytest.raises(ProtocolError, match=f"{kind}: slow down"):
        decoder.feed(exception)


def test_stream_error_message_and_corruption() -> None:
    error = frame(
        string_header(":error-code", "InternalFailure")
        + string_header(":error-message", "oops")
        + string_header(":message-type", "error"),
        b"",
    )
    with pytest.raises(ProtocolError, match="InternalFailure: oops"):
        adapter().chat_stream(TARGET).feed(error)
    corrupted = bytearray(TOOL_STREAM[1])
    corrupted[-8] ^= 0x20
    with pytest.raises(ProtocolError, match="checksum"):
        adapter().chat_stream(TARGET).feed(bytes(corrupted))
