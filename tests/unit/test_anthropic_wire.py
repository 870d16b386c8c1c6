"""The Anthropic Messages wire format in both directions, and the Anthropic adapter's decoders."""

from __future__ import annotations

import math
from typing import Any

import orjson
import pytest

from interlock.config.schema import ProviderConfig
from interlock.errors import GatewayError
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    Choice,
    ChoiceEnd,
    ImagePart,
    Message,
    ResponseFormat,
    StreamChunk,
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
from interlock.ingress.anthropic_messages import (
    IMAGE_TOKEN_ESTIMATE,
    AnthropicMessagesIngress,
    estimate_input_tokens,
)
from interlock.providers.anthropic import AnthropicAdapter
from interlock.providers.base import ProtocolError, Target
from interlock.providers.sse import SSEDecoder
from interlock.streaming import StreamAccumulator
from interlock.wire import anthropic_messages as wire
from interlock.wire import openai_chat

PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
WEATHER_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
    "required": ["city"],
}


def body(**extra: Any) -> dict[str, Any]:
    return {
        "model": "claude-sonnet",
        "max_tokens": 256,
        "messages": [{"role": "user", "content": "Hello"}],
        **extra,
    }


def error_of(payload: dict[str, Any], counting: bool = False) -> GatewayError:
    with pytest.raises(GatewayError) as info:
        wire.parse_request(payload, counting=counting)
    assert info.value.status == 400
    return info.value


# ---- wire → canonical -------------------------------------------------------------------------


def test_parse_minimal_request() -> None:
    req = wire.parse_request(body())
    assert req.model == "claude-sonnet"
    assert req.max_tokens == 256
    assert [(m.role, m.text()) for m in req.messages] == [("user", "Hello")]
    assert req.stream is False and req.tools == [] and req.tool_choice is None
    assert req.raw is not None and req.raw["max_tokens"] == 256


def test_parse_system_string_and_blocks_lead_the_messages() -> None:
    req = wire.parse_request(body(system="Be brief."))
    assert (req.messages[0].role, req.messages[0].text()) == ("system", "Be brief.")
    req = wire.parse_request(
        body(
            system=[
                {"type": "text", "text": "Be brief. "},
                {"type": "text", "text": "Be kind.", "cache_control": {"type": "ephemeral"}},
            ]
        )
    )
    assert req.messages[0].role == "system"
    assert [p.text for p in req.messages[0].parts] == ["Be brief. ", "Be kind."]  # type: ignore[union-attr]
    assert req.messages[1].role == "user"


def test_parse_sampling_and_metadata() -> None:
    req = wire.parse_request(
        body(
            temperature=0.3,
            top_p=0.9,
            top_k=40,
            stop_sequences=["END", "STOP"],
            metadata={"user_id": "u-42"},
            stream=True,
        )
    )
    assert (req.temperature, req.top_p, req.top_k) == (0.3, 0.9, 40)
    assert req.stop == ["END", "STOP"]
    assert req.user == "u-42"
    assert req.stream is True


def test_parse_images_base64_and_url() -> None:
    req = wire.parse_request(
        body(
            messages=[
                {
                    "role": "user",
                    "content": [
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                        },
                        {
                            "type": "image",
                            "source": {"type": "url", "url": "https://example.com/cat.jpg"},
                        },
                        {"type": "text", "text": "What are these?"},
                    ],
                }
            ]
        )
    )
    parts = req.messages[0].parts
    assert parts[0] == ImagePart(data=PNG, media_type="image/png")
    assert parts[1] == ImagePart(url="https://example.com/cat.jpg")
    assert parts[2] == TextPart("What are these?")
    assert req.has_images()


def test_parse_tool_round_trip_conversation() -> None:
    req = wire.parse_request(
        body(
            tools=[
                {"name": "get_weather", "description": "Weather", "input_schema": WEATHER_SCHEMA},
                {"name": "get_time", "input_schema": {"type": "object", "properties": {}}},
            ],
            tool_choice={"type": "any", "disable_parallel_tool_use": True},
            messages=[
                {"role": "user", "content": "Weather in Paris?"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "text", "text": "Let me check."},
                        {
                            "type": "tool_use",
                            "id": "toolu_01",
                            "name": "get_weather",
                            "input": {"city": "Paris", "days": 2},
                        },
                        {"type": "tool_use", "id": "toolu_02", "name": "get_time", "input": {}},
                    ],
                },
                {
                    "role": "user",
                    "content": [
                        {"type": "tool_result", "tool_use_id": "toolu_01", "content": "18C sunny"},
                        {
                            "type": "tool_result",
                            "tool_use_id": "toolu_02",
                            "content": [
                                {"type": "text", "text": "noon"},
                                {
                                    "type": "image",
                                    "source": {
                                        "type": "base64",
                                        "media_type": "image/png",
                                        "data": PNG,
                                    },
                                },
                            ],
                            "is_error": True,
                        },
                        {"type": "text", "text": "Thanks"},
                    ],
                },
            ],
        )
    )
    assert [t.name for t in req.tools] == ["get_weather", "get_time"]
    assert req.tools[0].parameters == WEATHER_SCHEMA and req.tools[0].description == "Weather"
    assert req.tool_choice == ToolChoice("required")
    assert req.parallel_tool_calls is False
    roles = [m.role for m in req.messages]
    assert roles == ["user", "assistant", "tool", "tool", "user"]
    text, call1, call2 = req.messages[1].parts
    assert text == TextPart("Let me check.")
    assert isinstance(call1, ToolCall) and isinstance(call2, ToolCall)
    assert (call1.id, call1.name, orjson.loads(call1.arguments)) == (
        "toolu_01",
        "get_weather",
        {"city": "Paris", "days": 2},
    )
    assert call2.arguments == "{}"
    r1, r2 = req.messages[2].parts[0], req.messages[3].parts[0]
    assert isinstance(r1, ToolResult) and isinstance(r2, ToolResult)
    assert (r1.tool_call_id, r1.text(), r1.is_error, r1.name) == (
        "toolu_01",
        "18C sunny",
        False,
        "get_weather",
    )
    assert (r2.text(), r2.is_error, r2.name) == ("noon", True, "get_time")
    assert isinstance(r2.content[1], ImagePart)
    assert req.messages[4].text() == "Thanks"


@pytest.mark.parametrize(
    ("choice", "expected", "parallel"),
    [
        ({"type": "auto"}, ToolChoice("auto"), None),
        ({"type": "any"}, ToolChoice("required"), None),
        ({"type": "none"}, ToolChoice("none"), None),
        ({"type": "tool", "name": "get_weather"}, ToolChoice("tool", "get_weather"), None),
        ({"type": "auto", "disable_parallel_tool_use": False}, ToolChoice("auto"), True),
    ],
)
def test_parse_tool_choice(
    choice: dict[str, Any], expected: ToolChoice, parallel: bool | None
) -> None:
    tools = [{"name": "get_weather", "input_schema": WEATHER_SCHEMA}]
    req = wire.parse_request(body(tools=tools, tool_choice=choice))
    assert req.tool_choice == expected
    assert req.parallel_tool_calls is parallel


def test_parse_ignores_thinking_blocks_in_history() -> None:
    req = wire.parse_request(
        body(
            messages=[
                {"role": "user", "content": "Hi"},
                {
                    "role": "assistant",
                    "content": [
                        {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                        {"type": "text", "text": "Hello!"},
                    ],
                },
                {"role": "user", "content": "Bye"},
            ]
        )
    )
    assert req.messages[1].parts == [TextPart("Hello!")]


@pytest.mark.parametrize(
    ("payload", "param", "code"),
    [
        (
            {"model": "m", "messages": [{"role": "user", "content": "x"}]},
            "max_tokens",
            "missing_field",
        ),
        (body(max_tokens="10"), "max_tokens", "invalid_type"),
        (body(max_tokens=0), "max_tokens", "invalid_value"),
        (body(model=7), "model", "invalid_type"),
        (
            {"max_tokens": 5, "messages": [{"role": "user", "content": "x"}]},
            "model",
            "missing_field",
        ),
        ({"model": "m", "max_tokens": 5}, "messages", "missing_field"),
        (body(messages="hi"), "messages", "invalid_type"),
        (body(messages=[]), "messages", "invalid_value"),
        (body(messages=[{"role": "system", "content": "x"}]), "messages[0].role", "invalid_value"),
        (body(messages=[{"role": "user"}]), "messages[0].content", "missing_field"),
        (body(messages=[{"role": "user", "content": 5}]), "messages[0].content", "invalid_type"),
        (
            body(messages=[{"role": "user", "content": [{"type": "text"}]}]),
            "messages[0].content[0].text",
            "missing_field",
        ),
        (
            body(
                messages=[
                    {
                        "role": "user",
                        "content": [
                            {
                                "type": "image",
                                "source": {"type": "base64", "media_type": "image/png"},
                            }
                        ],
                    }
                ]
            ),
            "messages[0].content[0].source.data",
            "missing_field",
        ),
        (
            body(
                messages=[
                    {
                        "role": "user",
                        "content": [{"type": "tool_use", "id": "a", "name": "b", "input": {}}],
                    }
                ]
            ),
            "messages[0].content[0].type",
            "invalid_value",
        ),
        (
            body(
                messages=[
                    {
                        "role": "assistant",
                        "content": [{"type": "tool_use", "id": "a", "name": "b", "input": "{}"}],
                    }
                ]
            ),
            "messages[0].content[0].input",
            "invalid_type",
        ),
        (
            body(messages=[{"role": "user", "content": [{"type": "document", "source": {}}]}]),
            "messages[0].content[0].type",
            "unsupported_parameter",
        ),
        (body(system=3), "system", "invalid_type"),
        (body(system=[{"type": "image"}]), "system[0].type", "invalid_value"),
        (body(temperature=1.5), "temperature", "invalid_value"),
        (body(temperature="hot"), "temperature", "invalid_type"),
        (body(top_k=1.5), "top_k", "invalid_type"),
        (body(stop_sequences="END"), "stop_sequences", "invalid_type"),
        (body(stop_sequences=["a", 1]), "stop_sequences[1]", "invalid_type"),
        (body(stream="yes"), "stream", "invalid_type"),
        (body(metadata={"user_id": 5}), "metadata.user_id", "invalid_type"),
        (body(tools={"name": "x"}), "tools", "invalid_type"),
        (body(tools=[{"name": "x"}]), "tools[0].input_schema", "missing_field"),
        (
            body(tools=[{"type": "web_search_20250305", "name": "web_search"}]),
            "tools[0].type",
            "unsupported_parameter",
        ),
        (body(tool_choice="auto"), "tool_choice", "invalid_type"),
        (body(tool_choice={"type": "required"}), "tool_choice.type", "invalid_value"),
        (body(tool_choice={"type": "tool"}), "tool_choice.name", "missing_field"),
    ],
)
def test_parse_errors_name_the_param(payload: dict[str, Any], param: str, code: str) -> None:
    err = error_of(payload)
    assert (err.param, err.code) == (param, code)
    assert param in err.message


def test_count_tokens_body_needs_no_max_tokens() -> None:
    payload = body()
    del payload["max_tokens"]
    assert wire.parse_request(payload, counting=True).max_tokens is None
    assert error_of({"messages": []}, counting=True).param == "model"


# ---- canonical → wire -------------------------------------------------------------------------


def openai_request(**extra: Any) -> ChatRequest:
    return openai_chat.parse_request({"model": "claude-sonnet", **extra})


def test_build_from_openai_conversation() -> None:
    req = openai_request(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": "Use metric units."},
            {"role": "user", "content": "Weather in Paris and Rome?"},
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": "call_1",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Paris"}'},
                    },
                    {
                        "id": "call_2",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": '{"city":"Rome"}'},
                    },
                ],
            },
            {"role": "tool", "tool_call_id": "call_1", "content": "18C"},
            {"role": "tool", "tool_call_id": "call_2", "content": "25C"},
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": "And this?"},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                    {"type": "image_url", "image_url": {"url": "https://example.com/a.jpg"}},
                ],
            },
        ],
        tools=[
            {"type": "function", "function": {"name": "get_weather", "parameters": WEATHER_SCHEMA}},
            {"type": "function", "function": {"name": "noop", "description": "Does nothing"}},
        ],
        tool_choice="required",
        parallel_tool_calls=False,
        stop=["END"],
        temperature=1.6,
        top_p=0.5,
        user="alice",
        seed=3,
    )
    out = wire.build_request(req, "claude-sonnet-4-5", same_wire=False)
    assert out["model"] == "claude-sonnet-4-5"
    assert out["max_tokens"] == wire.DEFAULT_MAX_TOKENS
    assert out["system"] == [
        {"type": "text", "text": "Be brief."},
        {"type": "text", "text": "Use metric units."},
    ]
    assert [t["role"] for t in out["messages"]] == ["user", "assistant", "user"]
    assert out["messages"][0]["content"] == [{"type": "text", "text": "Weather in Paris and Rome?"}]
    assert out["messages"][1]["content"] == [
        {"type": "tool_use", "id": "call_1", "name": "get_weather", "input": {"city": "Paris"}},
        {"type": "tool_use", "id": "call_2", "name": "get_weather", "input": {"city": "Rome"}},
    ]
    # Both tool results and the following user turn merge into one user turn, results first.
    assert out["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": "call_1", "content": "18C"},
        {"type": "tool_result", "tool_use_id": "call_2", "content": "25C"},
        {"type": "text", "text": "And this?"},
        {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG}},
        {"type": "image", "source": {"type": "url", "url": "https://example.com/a.jpg"}},
    ]
    assert out["tools"] == [
        {"name": "get_weather", "input_schema": WEATHER_SCHEMA},
        {
            "name": "noop",
            "description": "Does nothing",
            "input_schema": {"type": "object", "properties": {}},
        },
    ]
    assert out["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}
    assert out["stop_sequences"] == ["END"]
    assert out["temperature"] == 1.0  # clamped into Anthropic's range
    assert out["top_p"] == 0.5
    assert out["metadata"] == {"user_id": "alice"}
    assert "seed" not in out and "stream" not in out and "n" not in out


def test_build_merges_consecutive_user_turns_and_skips_empty_text() -> None:
    req = ChatRequest(
        model="m",
        messages=[
            Message("user", [TextPart("one")]),
            Message("user", [TextPart("two")]),
            Message("assistant", [TextPart("")]),
            Message("user", [TextPart("three")]),
        ],
    )
    out = wire.build_request(req, "up", same_wire=False)
    assert out["messages"] == [
        {
            "role": "user",
            "content": [
                {"type": "text", "text": "one"},
                {"type": "text", "text": "two"},
                {"type": "text", "text": "three"},
            ],
        }
    ]
    assert "system" not in out


def test_build_tool_result_with_image_and_error() -> None:
    req = ChatRequest(
        model="m",
        messages=[
            Message("user", [TextPart("go")]),
            Message("assistant", [ToolCall("toolu_1", "shot", "")]),
            Message(
                "tool",
                [
                    ToolResult(
                        "toolu_1",
                        [TextPart("here"), ImagePart(data=PNG, media_type="image/png")],
                        True,
                    )
                ],
            ),
        ],
    )
    out = wire.build_request(req, "up", same_wire=False)
    assert out["messages"][1]["content"][0]["input"] == {}
    assert out["messages"][2] == {
        "role": "user",
        "content": [
            {
                "type": "tool_result",
                "tool_use_id": "toolu_1",
                "content": [
                    {"type": "text", "text": "here"},
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                    },
                ],
                "is_error": True,
            }
        ],
    }


@pytest.mark.parametrize(
    ("choice", "parallel", "expected"),
    [
        (None, None, None),
        (None, False, {"type": "auto", "disable_parallel_tool_use": True}),
        (ToolChoice("auto"), None, {"type": "auto"}),
        (ToolChoice("none"), None, {"type": "none"}),
        (
            ToolChoice("tool", "f"),
            False,
            {"type": "tool", "name": "f", "disable_parallel_tool_use": True},
        ),
    ],
)
def test_build_tool_choice(
    choice: ToolChoice | None, parallel: bool | None, expected: dict[str, Any] | None
) -> None:
    req = ChatRequest(
        model="m",
        messages=[Message("user", [TextPart("x")])],
        tools=[Tool("f")],
        tool_choice=choice,
        parallel_tool_calls=parallel,
    )
    assert wire.build_request(req, "up", same_wire=False).get("tool_choice") == expected


def test_build_json_mode_adds_a_system_instruction() -> None:
    req = openai_request(
        messages=[{"role": "system", "content": "Be terse."}, {"role": "user", "content": "Hi"}],
        response_format={"type": "json_object"},
    )
    out = wire.build_request(req, "up", same_wire=False)
    assert out["system"][0] == {"type": "text", "text": "Be terse."}
    assert "JSON object" in out["system"][1]["text"]

    schema = {"type": "object", "properties": {"answer": {"type": "string"}}}
    req = ChatRequest(
        model="m",
        messages=[Message("user", [TextPart("Hi")])],
        response_format=ResponseFormat("json_schema", schema=schema, name="a"),
    )
    out = wire.build_request(req, "up", same_wire=False)
    assert isinstance(out["system"], str)
    assert orjson.dumps(schema).decode() in out["system"]


@pytest.mark.parametrize(("field", "value"), [("n", 2), ("logprobs", True)])
def test_build_refuses_what_anthropic_cannot_do(field: str, value: Any) -> None:
    req = ChatRequest(model="m", messages=[Message("user", [TextPart("x")])])
    setattr(req, field, value)
    with pytest.raises(GatewayError) as info:
        wire.build_request(req, "up", same_wire=False)
    assert (info.value.code, info.value.param, info.value.status) == (
        "unsupported_parameter",
        field,
        400,
    )


def test_build_fast_path_and_modified_request() -> None:
    payload = body(
        system="S",
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=[
            {
                "role": "user",
                "content": [{"type": "text", "text": "Hi", "cache_control": {"type": "ephemeral"}}],
            }
        ],
    )
    req = wire.parse_request(payload)
    fast = wire.build_request(req, "claude-sonnet-4-5", same_wire=True)
    assert fast == {**payload, "model": "claude-sonnet-4-5"}
    assert payload["model"] == "claude-sonnet"  # the client's body is not mutated

    req.modified = True
    req.messages[1].parts = [TextPart("[redacted]")]
    rebuilt = wire.build_request(req, "claude-sonnet-4-5", same_wire=True)
    assert rebuilt["messages"] == [
        {"role": "user", "content": [{"type": "text", "text": "[redacted]"}]}
    ]
    assert rebuilt["thinking"] == {"type": "enabled", "budget_tokens": 1024}  # unmodeled: kept
    assert rebuilt["system"] == "S" and rebuilt["max_tokens"] == 256


def test_parse_then_build_round_trips_an_anthropic_body() -> None:
    payload = {
        "model": "claude-sonnet",
        "max_tokens": 100,
        "system": "Be brief.",
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "Weather?"}]},
            {
                "role": "assistant",
                "content": [
                    {"type": "tool_use", "id": "toolu_1", "name": "w", "input": {"city": "Oslo"}}
                ],
            },
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": "toolu_1", "content": "cold"},
                    {"type": "text", "text": "Thanks"},
                ],
            },
        ],
        "tools": [{"name": "w", "description": "weather", "input_schema": WEATHER_SCHEMA}],
        "tool_choice": {"type": "tool", "name": "w"},
        "stop_sequences": ["X"],
        "temperature": 0.5,
        "top_k": 5,
        "metadata": {"user_id": "u"},
        "stream": True,
    }
    rebuilt = wire.build_request(wire.parse_request(payload), "claude-sonnet", same_wire=False)
    assert rebuilt == payload


# ---- responses: wire → canonical ----------------------------------------------------------------

ANTHROPIC_MESSAGE = {
    "id": "msg_01XFDUDYJgAACzvnptvVoYEL",
    "type": "message",
    "role": "assistant",
    "model": "claude-sonnet-4-5",
    "content": [
        {"type": "text", "text": "I'll check."},
        {"type": "tool_use", "id": "toolu_01A", "name": "get_weather", "input": {"city": "Paris"}},
    ],
    "stop_reason": "tool_use",
    "stop_sequence": None,
    "usage": {
        "input_tokens": 10,
        "output_tokens": 20,
        "cache_read_input_tokens": 100,
        "cache_creation_input_tokens": 5,
    },
}


def test_decode_response_and_usage() -> None:
    resp = wire.decode_response(ANTHROPIC_MESSAGE)
    assert resp.id == "msg_01XFDUDYJgAACzvnptvVoYEL" and resp.model == "claude-sonnet-4-5"
    (choice,) = resp.choices
    assert choice.finish_reason == "tool_calls"
    assert choice.text() == "I'll check."
    (call,) = choice.tool_calls()
    assert (call.id, call.name, orjson.loads(call.arguments)) == (
        "toolu_01A",
        "get_weather",
        {"city": "Paris"},
    )
    # Canonical input counts every prompt token; Anthropic's input_tokens only the uncached.
    assert resp.usage == Usage(
        input_tokens=115, output_tokens=20, cached_input_tokens=100, cache_write_tokens=5
    )
    assert wire.usage_to_wire(resp.usage) == ANTHROPIC_MESSAGE["usage"]


@pytest.mark.parametrize(
    ("anthropic", "canonical"),
    [
        ("end_turn", "stop"),
        ("stop_sequence", "stop"),
        ("max_tokens", "length"),
        ("tool_use", "tool_calls"),
        ("refusal", "content_filter"),
        ("pause_turn", "stop"),
        ("model_context_window_exceeded", "length"),
    ],
)
def test_stop_reasons_in(anthropic: str, canonical: str) -> None:
    resp = wire.decode_response({**ANTHROPIC_MESSAGE, "stop_reason": anthropic})
    assert resp.choices[0].finish_reason == canonical


# ---- responses: canonical → wire ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("canonical", "anthropic"),
    [
        ("stop", "end_turn"),
        ("length", "max_tokens"),
        ("tool_calls", "tool_use"),
        ("content_filter", "refusal"),
    ],
)
def test_render_response(canonical: str, anthropic: str) -> None:
    resp = ChatResponse(
        id="chatcmpl-abc",
        model="gpt-4o-mini",
        choices=[
            Choice(
                0,
                [TextPart("Sure."), ToolCall("call_9", "get_weather", '{"city": "Rome"}')],
                canonical,  # type: ignore[arg-type]
            )
        ],
        usage=Usage(input_tokens=30, output_tokens=7, cached_input_tokens=10),
        raw={"object": "chat.completion"},
    )
    out = wire.render_response(resp, "gpt-4o-mini", passthrough=False, request_id="req_abc")
    assert out == {
        "id": "msg_abc",
        "type": "message",
        "role": "assistant",
        "model": "gpt-4o-mini",
        "content": [
            {"type": "text", "text": "Sure."},
            {"type": "tool_use", "id": "call_9", "name": "get_weather", "input": {"city": "Rome"}},
        ],
        "stop_reason": anthropic,
        "stop_sequence": None,
        "usage": {
            "input_tokens": 20,
            "output_tokens": 7,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 10,
        },
    }


def test_render_passthrough_and_broken_arguments() -> None:
    resp = wire.decode_response(ANTHROPIC_MESSAGE)
    assert wire.render_response(resp, "claude-sonnet", True, "req_1") is ANTHROPIC_MESSAGE
    assert wire.tool_input("") == {}
    assert wire.tool_input('{"a": 1}') == {"a": 1}
    assert wire.tool_input('{"a": ') == {"_raw": '{"a": '}
    assert wire.tool_input("[1]") == {"_raw": "[1]"}


# ---- streams -----------------------------------------------------------------------------------

# The text stream from Anthropic's streaming documentation, ping included.
DOC_TEXT_STREAM = b"""event: message_start
data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-20250514", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

event: content_block_start
data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

event: content_block_delta
data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

event: content_block_stop
data: {"type": "content_block_stop", "index": 0}

event: message_delta
data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

event: message_stop
data: {"type": "message_stop"}

"""

# A tool-use stream in the documented shape: text block, then tool_use with input_json_delta.
DOC_TOOL_STREAM = b"""event: message_start
data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-sonnet-4-5","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2,"cache_read_input_tokens":8},"content":[],"stop_reason":null}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"location\\":"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \\"San Francisco, CA\\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

"""


def decode_all(stream: bytes, step: int | None = None) -> list[StreamChunk]:
    decoder = AnthropicAdapter(
        "anthropic", ProviderConfig(type="anthropic", api_key="k")
    ).chat_stream(Target("claude-sonnet", "anthropic", "claude-sonnet-4-5"))
    chunks: list[StreamChunk] = []
    step = step or len(stream)
    for i in range(0, len(stream), step):
        chunks.extend(decoder.feed(stream[i : i + step]))
    chunks.extend(decoder.close())
    return chunks


@pytest.mark.parametrize("step", [None, 1, 7, 64])
def test_decode_text_stream(step: int | None) -> None:
    events = [e for c in decode_all(DOC_TEXT_STREAM, step) for e in c.events]
    assert events == [
        StreamStart("msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "claude-opus-4-20250514"),
        TextDelta("Hello"),
        TextDelta("!"),
        ChoiceEnd("stop"),
        UsageReport(Usage(input_tokens=25, output_tokens=15)),
    ]

    # Each chunk carries its whole SSE frame, so an Anthropic client can get the stream as it
    # was; only the ping is dropped.
    raw = b"".join(c.raw or b"" for c in decode_all(DOC_TEXT_STREAM, step))
    ping = b'event: ping\ndata: {"type": "ping"}\n\n'
    assert raw == DOC_TEXT_STREAM.replace(ping, b"")


def test_stream_renderer_passes_anthropic_frames_through() -> None:
    renderer = wire.MessageStreamRenderer("req_1", "claude-sonnet", passthrough=True)
    out = renderer.start() + b"".join(renderer.render(c) for c in decode_all(DOC_TOOL_STREAM, 9))
    out += renderer.finish()
    assert out == DOC_TOOL_STREAM


def test_decode_tool_stream() -> None:
    acc = StreamAccumulator()
    for chunk in decode_all(DOC_TOOL_STREAM, 13):
        acc.add(chunk)
    resp = acc.response()
    (choice,) = resp.choices
    assert choice.text() == "Okay"
    assert choice.finish_reason == "tool_calls"
    (call,) = choice.tool_calls()
    assert (call.id, call.name) == ("toolu_01T1x1fJ34qAmk2tNTrN7Up6", "get_weather")
    assert orjson.loads(call.arguments) == {"location": "San Francisco, CA"}
    assert acc.usage == Usage(input_tokens=480, output_tokens=89, cached_input_tokens=8)


def test_decode_error_event_raises() -> None:
    broken = DOC_TEXT_STREAM.split(b"event: content_block_stop")[0] + (
        b'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", '
        b'"message": "Overloaded"}}\n\n'
    )
    with pytest.raises(ProtocolError, match="overloaded_error: Overloaded"):
        decode_all(broken)


def test_decode_stream_cut_before_message_stop_raises() -> None:
    cut = DOC_TEXT_STREAM.split(b"event: message_stop")[0]
    with pytest.raises(ProtocolError, match="message_stop"):
        decode_all(cut)


def test_decode_stream_not_json_raises() -> None:
    with pytest.raises(ProtocolError):
        decode_all(b"event: message_start\ndata: {not json\n\n")


def sse_events(data: bytes) -> list[tuple[str | None, dict[str, Any]]]:
    return [(e.event, orjson.loads(e.data)) for e in SSEDecoder().feed(data)]


def openai_style_chunks() -> list[StreamChunk]:
    """What an OpenAI upstream stream decodes to: usage arrives after the finish reason."""
    return [
        StreamChunk([StreamStart("chatcmpl-1", "gpt-4o-mini")]),
        StreamChunk([TextDelta("Let me ")]),
        StreamChunk([TextDelta("look.")]),
        StreamChunk([ToolCallStart(0, "call_a", "get_weather")]),
        StreamChunk([ToolCallDelta(0, '{"city":')]),
        StreamChunk([ToolCallDelta(0, '"Paris"}')]),
        StreamChunk([ToolCallStart(1, "call_b", "get_time"), ToolCallDelta(1, "{}")]),
        StreamChunk([ChoiceEnd("tool_calls")]),
        StreamChunk([UsageReport(Usage(input_tokens=40, output_tokens=12, cached_input_tokens=4))]),
    ]


def test_stream_renderer_event_sequence() -> None:
    renderer = wire.MessageStreamRenderer("req_0123", "claude-sonnet")
    out = renderer.start() + b"".join(renderer.render(c) for c in openai_style_chunks())
    out += renderer.finish()
    events = sse_events(out)
    # Every SSE event name matches its payload's type, as Anthropic sends them.
    assert all(name == data["type"] for name, data in events)
    assert [name for name, _ in events] == [
        "message_start",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_delta",
        "content_block_stop",
        "content_block_start",
        "content_block_delta",
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start = events[0][1]["message"]
    assert start["id"] == "msg_0123" and start["model"] == "claude-sonnet"
    assert start["content"] == [] and start["role"] == "assistant"
    assert events[1][1] == {
        "type": "content_block_start",
        "index": 0,
        "content_block": {"type": "text", "text": ""},
    }
    assert events[5][1]["content_block"] == {
        "type": "tool_use",
        "id": "call_a",
        "name": "get_weather",
        "input": {},
    }
    assert events[6][1] == {
        "type": "content_block_delta",
        "index": 1,
        "delta": {"type": "input_json_delta", "partial_json": '{"city":'},
    }
    assert events[9][1]["index"] == 2
    assert events[12][1] == {
        "type": "message_delta",
        "delta": {"stop_reason": "tool_use", "stop_sequence": None},
        "usage": {
            "input_tokens": 36,
            "output_tokens": 12,
            "cache_creation_input_tokens": 0,
            "cache_read_input_tokens": 4,
        },
    }


def test_stream_renderer_output_decodes_back() -> None:
    # What the gateway sends an Anthropic client is a stream our own Anthropic decoder (and so
    # the real API's shape) accepts, and it rebuilds the same answer.
    renderer = wire.MessageStreamRenderer("req_1", "m")
    out = renderer.start() + b"".join(renderer.render(c) for c in openai_style_chunks())
    out += renderer.finish()
    acc = StreamAccumulator()
    for chunk in decode_all(out, 5):
        acc.add(chunk)
    (choice,) = acc.response().choices
    assert choice.text() == "Let me look."
    assert choice.finish_reason == "tool_calls"
    assert [(c.id, c.name, c.arguments) for c in choice.tool_calls()] == [
        ("call_a", "get_weather", '{"city":"Paris"}'),
        ("call_b", "get_time", "{}"),
    ]
    assert acc.usage == Usage(input_tokens=40, output_tokens=12, cached_input_tokens=4)


def test_stream_renderer_without_finish_reason_and_error_event() -> None:
    renderer = wire.MessageStreamRenderer("req_1", "m")
    out = renderer.start() + renderer.render(StreamChunk([TextDelta("hi")])) + renderer.finish()
    names = [n for n, _ in sse_events(out)]
    assert names[-3:] == ["content_block_stop", "message_delta", "message_stop"]
    assert sse_events(out)[-2][1]["delta"]["stop_reason"] == "end_turn"

    err = GatewayError("upstream_error", "The upstream stream failed mid-way")
    frame = AnthropicMessagesIngress().error_body(err, "req_1")
    ((name, data),) = sse_events(wire.render_error_event(frame))
    assert name == "error"
    assert data["type"] == "error" and data["error"]["type"] == "api_error"
    assert data["error"]["message"] == "The upstream stream failed mid-way"


# ---- adapter -----------------------------------------------------------------------------------


def adapter(**config: Any) -> AnthropicAdapter:
    return AnthropicAdapter(
        "anthropic", ProviderConfig(type="anthropic", api_key="sk-ant", **config)
    )


TARGET = Target("claude-sonnet", "anthropic", "claude-sonnet-4-5")


def test_adapter_request_url_headers_and_paths() -> None:
    up = adapter(headers={"anthropic-beta": "x"}).chat_request(
        wire.parse_request(body(thinking={"type": "enabled", "budget_tokens": 2000})),
        TARGET,
        "anthropic.messages",
    )
    assert up.method == "POST" and up.url == "https://api.anthropic.com/v1/messages"
    assert up.headers["x-api-key"] == "sk-ant"
    assert up.headers["anthropic-version"] == "2023-06-01"
    assert up.headers["content-type"] == "application/json"
    assert up.headers["anthropic-beta"] == "x"
    sent = orjson.loads(up.body)
    assert sent["model"] == "claude-sonnet-4-5" and sent["thinking"]["budget_tokens"] == 2000

    up = adapter(base_url="http://sim:1", anthropic_version="2024-01-01").chat_request(
        openai_request(messages=[{"role": "user", "content": "Hi"}], stream=True),
        TARGET,
        "openai.chat",
    )
    assert up.url == "http://sim:1/v1/messages"
    assert up.headers["anthropic-version"] == "2024-01-01"
    assert orjson.loads(up.body) == {
        "model": "claude-sonnet-4-5",
        "max_tokens": 4096,
        "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
        "stream": True,
    }


def test_adapter_response_and_errors() -> None:
    a = adapter()
    resp = a.chat_response(orjson.dumps(ANTHROPIC_MESSAGE), TARGET)
    assert resp.choices[0].finish_reason == "tool_calls"
    with pytest.raises(ProtocolError):
        a.chat_response(b"<html>", TARGET)
    err = a.error(
        529,
        {"retry-after": "3"},
        b'{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    )
    assert (err.status, err.message, err.type, err.retry_after) == (
        529,
        "Overloaded",
        "overloaded_error",
        3.0,
    )
    err = a.error(502, {}, b"Bad Gateway")
    assert (err.status, err.type, err.retry_after) == (502, None, None)
    assert "502" in err.message


def test_adapter_has_no_embeddings() -> None:
    from interlock.exchange import EmbeddingRequest

    with pytest.raises(GatewayError) as info:
        adapter().embedding_request(EmbeddingRequest("m", ["x"]), TARGET)
    assert (info.value.code, info.value.param, info.value.status) == (
        "unsupported_parameter",
        "model",
        400,
    )


def test_estimate_input_tokens() -> None:
    req = wire.parse_request(
        body(
            system="abcd" * 3,  # 12 chars
            messages=[
                {
                    "role": "user",
                    "content": [
                        {"type": "text", "text": "x" * 10},
                        {
                            "type": "image",
                            "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                        },
                    ],
                }
            ],
            tools=[{"name": "f", "description": "dd", "input_schema": {"type": "object"}}],
        )
    )
    schema_chars = len(orjson.dumps({"type": "object"}))
    expected = math.ceil((12 + 10 + 1 + 2 + schema_chars) / 4) + IMAGE_TOKEN_ESTIMATE
    assert estimate_input_tokens(req) == expected
