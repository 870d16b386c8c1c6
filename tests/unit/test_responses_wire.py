"""The Responses wire format on its own: parsing into canonical form, and rendering answers and
event streams that the official openai SDK's own models validate and accumulate."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from openai import omit
from openai.lib.streaming.responses._responses import ResponseStreamState
from openai.types.responses import Response, ResponseStreamEvent

from interlock.errors import GatewayError
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    Choice,
    ChoiceEnd,
    ImagePart,
    StreamChunk,
    StreamStart,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    ToolCallStart,
    ToolResult,
    Usage,
    UsageReport,
)
from interlock.wire import openai_responses as wire

EVENTS = pydantic.TypeAdapter(ResponseStreamEvent)
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Weather for a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}},
}


def parse(**body: Any) -> ChatRequest:
    return wire.parse_request({"model": "m", **body})


def refused(**body: Any) -> GatewayError:
    with pytest.raises(GatewayError) as info:
        parse(**body)
    return info.value


# ---- parsing ---------------------------------------------------------------------------------


def test_string_input_and_instructions_become_system_then_user() -> None:
    req = parse(input="Hello", instructions="Be brief", max_output_tokens=50, temperature=0.2)
    assert [m.role for m in req.messages] == ["system", "user"]
    assert req.messages[0].text() == "Be brief"
    assert req.messages[1].text() == "Hello"
    assert (req.max_tokens, req.temperature, req.stream) == (50, 0.2, False)


def test_item_list_with_images_calls_and_results() -> None:
    req = parse(
        input=[
            {"role": "developer", "content": "rules"},
            {
                "type": "message",
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "what is this?"},
                    {"type": "input_image", "image_url": "data:image/png;base64,AAAA"},
                    {"type": "input_image", "image_url": "https://x/y.png", "detail": "low"},
                ],
            },
            {
                "type": "message",
                "role": "assistant",
                "id": "msg_1",
                "status": "completed",
                "content": [{"type": "output_text", "text": "Let me look.", "annotations": []}],
            },
            {"type": "reasoning", "id": "rs_1", "summary": []},
            {"type": "function_call", "call_id": "c1", "name": "get_weather", "arguments": "{}"},
            {"type": "function_call", "call_id": "c2", "name": "get_time", "arguments": "{}"},
            {"type": "function_call_output", "call_id": "c1", "output": "sunny"},
            {
                "type": "function_call_output",
                "call_id": "c2",
                "output": [{"type": "input_text", "text": "noon"}],
            },
        ]
    )
    roles = [m.role for m in req.messages]
    assert roles == ["system", "user", "assistant", "tool", "tool"]
    user = req.messages[1].parts
    assert isinstance(user[1], ImagePart) and user[1].data == "AAAA"
    assert user[1].media_type == "image/png"
    assert isinstance(user[2], ImagePart) and (user[2].url, user[2].detail) == (
        "https://x/y.png",
        "low",
    )
    # The assistant's text and both calls are one turn.
    turn = req.messages[2].parts
    assert isinstance(turn[0], TextPart) and turn[0].text == "Let me look."
    assert [p.id for p in turn[1:] if isinstance(p, ToolCall)] == ["c1", "c2"]
    results = [m.parts[0] for m in req.messages[3:]]
    assert all(isinstance(r, ToolResult) for r in results)
    assert [(r.tool_call_id, r.name, r.text()) for r in results] == [  # type: ignore[union-attr]
        ("c1", "get_weather", "sunny"),
        ("c2", "get_time", "noon"),
    ]


def test_tools_tool_choice_and_text_format() -> None:
    req = parse(
        input="hi",
        tools=[{**WEATHER, "strict": True}],
        tool_choice={"type": "function", "name": "get_weather"},
        parallel_tool_calls=False,
        text={"format": {"type": "json_schema", "name": "out", "schema": {"type": "object"}}},
    )
    assert req.tools[0].name == "get_weather" and req.tools[0].strict is True
    assert req.tools[0].parameters["properties"]["city"] == {"type": "string"}
    assert (req.tool_choice.mode, req.tool_choice.name) == ("tool", "get_weather")  # type: ignore[union-attr]
    assert req.parallel_tool_calls is False
    rf = req.response_format
    assert rf is not None and (rf.type, rf.name, rf.schema) == (
        "json_schema",
        "out",
        {"type": "object"},
    )
    assert (
        parse(input="hi", text={"format": {"type": "json_object"}}).response_format.type
        == "json_object"
    )  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("body", "param"),
    [
        ({"previous_response_id": "resp_1"}, "previous_response_id"),
        ({"conversation": "conv_1"}, "conversation"),
        ({"store": True}, "store"),
        ({"background": True}, "background"),
        ({"prompt": {"id": "pmpt_1"}}, "prompt"),
        ({"tools": [{"type": "web_search"}]}, "tools[0]"),
        ({"tools": [{"type": "file_search", "vector_store_ids": ["vs"]}]}, "tools[0]"),
        ({"tool_choice": {"type": "web_search_preview"}}, "tool_choice"),
    ],
)
def test_stateful_and_builtin_features_are_refused(body: dict[str, Any], param: str) -> None:
    err = refused(input="hi", **body)
    assert (err.code, err.status, err.param) == ("unsupported_parameter", 400, param)
    if param in ("previous_response_id", "store", "background", "conversation"):
        assert "stateless" in err.message


def test_store_false_and_background_false_are_fine() -> None:
    assert parse(input="hi", store=False, background=False).messages[0].text() == "hi"


@pytest.mark.parametrize(
    ("items", "code", "param"),
    [
        ([{"type": "item_reference", "id": "x"}], "unsupported_parameter", "input[0]"),
        (
            [{"role": "user", "content": [{"type": "input_file", "file_id": "f"}]}],
            "unsupported_parameter",
            "input[0].content[0]",
        ),
        (
            [{"role": "user", "content": [{"type": "input_image", "file_id": "f"}]}],
            "unsupported_parameter",
            "input[0].content[0].file_id",
        ),
        ([{"type": "computer_call_output", "call_id": "c"}], "unsupported_parameter", "input[0]"),
        ([{"type": "function_call_output", "output": "x"}], "missing_field", "input[0].call_id"),
        ([{"role": "robot", "content": "x"}], "invalid_value", "input[0].role"),
        ([{"role": "user", "content": 5}], "invalid_type", "input[0].content"),
        ([], "invalid_value", "input"),
        (5, "invalid_type", "input"),
    ],
)
def test_bad_input_items(items: Any, code: str, param: str) -> None:
    err = refused(input=items)
    assert (err.code, err.param) == (code, param)


def test_missing_input_and_bad_types() -> None:
    assert refused().param == "input"
    assert refused(input="x", temperature="hot").code == "invalid_type"
    assert refused(input="x", max_output_tokens=0).code == "invalid_value"


# ---- rendering a whole answer -----------------------------------------------------------------


def shell(**body: Any) -> wire.ResponseShell:
    return wire.ResponseShell("resp_abc", parse(input="hi", **body), 1700000000)


def test_text_answer_validates_as_sdk_response() -> None:
    resp = ChatResponse("x", "up", [Choice(0, [TextPart("Hello there")], "stop")], Usage(10, 3, 4))
    body = wire.render_response(resp, shell(tools=[WEATHER]))
    parsed = Response.model_validate(body)
    assert parsed.id == "resp_abc" and parsed.status == "completed"
    assert parsed.output_text == "Hello there"
    assert parsed.usage is not None
    assert (parsed.usage.input_tokens, parsed.usage.output_tokens, parsed.usage.total_tokens) == (
        10,
        3,
        13,
    )
    assert parsed.usage.input_tokens_details.cached_tokens == 4
    assert parsed.tools[0].name == "get_weather"  # type: ignore[union-attr]


def test_tool_calls_and_length_answer() -> None:
    calls = [ToolCall("call_1", "get_weather", '{"city":"sim"}'), ToolCall("call_2", "f", "{}")]
    resp = ChatResponse("x", "up", [Choice(0, list(calls), "tool_calls")], Usage(1, 1))
    body = Response.model_validate(wire.render_response(resp, shell()))
    items = [(o.type, getattr(o, "call_id", None)) for o in body.output]
    assert items == [("function_call", "call_1"), ("function_call", "call_2")]
    assert body.output[0].arguments == '{"city":"sim"}'  # type: ignore[union-attr]

    cut = ChatResponse("x", "up", [Choice(0, [TextPart("Hel")], "length")], Usage(1, 1))
    body = Response.model_validate(wire.render_response(cut, shell(max_output_tokens=16)))
    assert body.status == "incomplete"
    assert (
        body.incomplete_details is not None
        and body.incomplete_details.reason == "max_output_tokens"
    )
    assert body.max_output_tokens == 16


# ---- rendering a stream ------------------------------------------------------------------------


def sse_events(data: bytes) -> list[dict[str, Any]]:
    events = []
    for frame in data.decode().split("\n\n"):
        if not frame:
            continue
        lines = dict(line.split(": ", 1) for line in frame.split("\n"))
        payload = json.loads(lines["data"])
        assert lines["event"] == payload["type"]
        events.append(payload)
    return events


def run_stream(chunks: list[StreamChunk]) -> list[dict[str, Any]]:
    r = wire.EventRenderer(shell(tools=[WEATHER]))
    data = r.start() + b"".join(r.render(c) for c in chunks) + r.finish_events()
    return sse_events(data)


def sdk_final(events: list[dict[str, Any]]) -> Any:
    """Feed the events through the SDK's own stream accumulator, as `responses.stream()` does."""
    state: ResponseStreamState[Any] = ResponseStreamState(input_tools=[], text_format=omit)
    for e in events:
        state.handle_event(EVENTS.validate_python(e))
    return state._completed_response


def test_text_stream_event_sequence() -> None:
    events = run_stream(
        [
            StreamChunk([StreamStart("x", "up"), TextDelta("Hello ")]),
            StreamChunk([TextDelta("world")]),
            StreamChunk([ChoiceEnd("stop"), UsageReport(Usage(5, 2))]),
        ]
    )
    assert [e["type"] for e in events] == [
        "response.created",
        "response.in_progress",
        "response.output_item.added",
        "response.content_part.added",
        "response.output_text.delta",
        "response.output_text.delta",
        "response.output_text.done",
        "response.content_part.done",
        "response.output_item.done",
        "response.completed",
    ]
    assert [e["sequence_number"] for e in events] == list(range(len(events)))
    assert events[6]["text"] == "Hello world"
    final = sdk_final(events)
    assert final.output_text == "Hello world" and final.status == "completed"
    assert final.usage.total_tokens == 7


def test_text_then_parallel_calls_stream() -> None:
    events = run_stream(
        [
            StreamChunk([StreamStart("x", "up"), TextDelta("Checking.")]),
            StreamChunk([ToolCallStart(0, "call_a", "get_weather"), ToolCallDelta(0, '{"city":')]),
            StreamChunk([ToolCallDelta(0, '"sim"}')]),
            StreamChunk([ToolCallStart(1, "call_b", "get_weather"), ToolCallDelta(1, "{}")]),
            StreamChunk([ChoiceEnd("tool_calls")]),
        ]
    )
    kinds = [e["type"] for e in events]
    # Every item is closed before the next opens, and each done follows its own deltas.
    assert kinds.count("response.output_item.added") == 3
    assert kinds.count("response.output_item.done") == 3
    args_done = [e for e in events if e["type"] == "response.function_call_arguments.done"]
    assert [e["arguments"] for e in args_done] == ['{"city":"sim"}', "{}"]
    final = sdk_final(events)
    assert [o.type for o in final.output] == ["message", "function_call", "function_call"]
    assert final.output_text == "Checking."
    assert [(o.call_id, o.arguments) for o in final.output[1:]] == [
        ("call_a", '{"city":"sim"}'),
        ("call_b", "{}"),
    ]


def test_length_stream_ends_incomplete() -> None:
    events = run_stream(
        [StreamChunk([StreamStart("x", "up"), TextDelta("Hi"), ChoiceEnd("length")])]
    )
    assert events[-1]["type"] == "response.incomplete"
    assert events[-1]["response"]["incomplete_details"] == {"reason": "max_output_tokens"}
    EVENTS.validate_python(events[-1])


def test_failure_mid_stream_yields_failed_and_error_events() -> None:
    r = wire.EventRenderer(shell())
    data = r.start() + r.render(StreamChunk([StreamStart("x", "up"), TextDelta("Hel")]))
    data += r.failed_events("upstream_error", "the upstream broke", "api_error")
    events = sse_events(data)
    failed, error = events[-2], events[-1]
    assert failed["type"] == "response.failed" and failed["response"]["status"] == "failed"
    assert failed["response"]["output"][0]["status"] == "incomplete"
    assert error["type"] == "error" and error["message"] == "the upstream broke"
    # The SDK raises APIError on a frame carrying an `error` object.
    assert error["error"]["message"] == "the upstream broke"
    for e in events:
        EVENTS.validate_python(e)
