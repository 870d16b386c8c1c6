"""The Responses API through the gateway with the official openai SDK, served by every provider
family through its chat API."""

from __future__ import annotations

import json
from typing import Any

import httpx
import openai
import pytest

from tests.support import CHAT_MODELS, SIM_NAMES, GatewayServer

FAMILIES = list(CHAT_MODELS)
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather for a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string"}},
        "required": ["city"],
    },
}
TIME = {
    "type": "function",
    "name": "get_time",
    "parameters": {"type": "object", "properties": {"zone": {"type": "string"}}},
}
TEXT_EVENTS = [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
]


@pytest.fixture()
def client(gateway: GatewayServer) -> openai.OpenAI:
    return openai.OpenAI(base_url=gateway.url + "/v1", api_key="any", max_retries=0)


def expected(family: str, said: str) -> str:
    provider, model = SIM_NAMES[family]
    return f"Simulated {provider} reply from {model}. You said: {said}"


def dedupe(kinds: list[str]) -> list[str]:
    """Event types with repeats collapsed: the shape of the sequence, whatever the delta count."""
    return [k for i, k in enumerate(kinds) if i == 0 or kinds[i - 1] != k]


@pytest.mark.parametrize("family", FAMILIES)
def test_text_answer(client: openai.OpenAI, family: str) -> None:
    resp = client.responses.create(
        model=CHAT_MODELS[family], instructions="Be terse.", input="Hello responses"
    )
    assert resp.output_text == expected(family, "Hello responses")
    assert resp.id.startswith("resp_") and resp.object == "response"
    assert resp.status == "completed" and resp.error is None
    assert resp.model == CHAT_MODELS[family]
    assert [o.type for o in resp.output] == ["message"]
    assert resp.output[0].status == "completed"  # type: ignore[union-attr]
    assert resp.usage is not None
    assert resp.usage.output_tokens == len(resp.output_text.split())
    assert resp.usage.input_tokens > 0
    assert resp.usage.total_tokens == resp.usage.input_tokens + resp.usage.output_tokens
    assert resp.usage.input_tokens_details.cached_tokens == 0
    assert resp.usage.output_tokens_details.reasoning_tokens == 0


@pytest.mark.parametrize("family", FAMILIES)
def test_message_list_input(client: openai.OpenAI, family: str) -> None:
    resp = client.responses.create(
        model=CHAT_MODELS[family],
        input=[
            {"role": "developer", "content": "Answer plainly."},
            {"role": "user", "content": "First question"},
            {"role": "assistant", "content": "First answer"},
            {"role": "user", "content": [{"type": "input_text", "text": "Second question"}]},
        ],
    )
    assert resp.output_text == expected(family, "Second question")


@pytest.mark.parametrize("family", FAMILIES)
def test_stream(client: openai.OpenAI, family: str) -> None:
    with client.responses.stream(model=CHAT_MODELS[family], input="stream this answer") as stream:
        events = list(stream)
        final = stream.get_final_response()
    kinds = [e.type for e in events]
    assert dedupe(kinds) == TEXT_EVENTS
    assert kinds.count("response.output_text.delta") > 3
    assert [e.sequence_number for e in events] == list(range(len(events)))
    text = expected(family, "stream this answer")
    assert "".join(e.delta for e in events if e.type == "response.output_text.delta") == text
    assert final.output_text == text and final.status == "completed"
    assert final.usage is not None and final.usage.output_tokens == len(text.split())
    assert events[0].response.status == "in_progress"  # type: ignore[union-attr]
    # One id for the whole stream: created, completed and the final object agree.
    assert events[0].response.id == events[-1].response.id == final.id  # type: ignore[union-attr]


@pytest.mark.parametrize("family", FAMILIES)
def test_function_call_and_output_round_trip(client: openai.OpenAI, family: str) -> None:
    model = CHAT_MODELS[family]
    history: list[Any] = [{"role": "user", "content": "What is the weather in Paris?"}]
    resp = client.responses.create(model=model, input=history, tools=[WEATHER])  # type: ignore[list-item]
    calls = [o for o in resp.output if o.type == "function_call"]
    assert len(calls) == 1
    call = calls[0]
    assert call.name == "get_weather" and json.loads(call.arguments) == {"city": "sim"}
    assert call.call_id and call.id and call.status == "completed"
    assert resp.output_text == ""

    # The usual client loop: hand the output back, then the function's result.
    history += [o.model_dump(exclude_none=True) for o in resp.output]
    history.append({"type": "function_call_output", "call_id": call.call_id, "output": "22C sunny"})
    final = client.responses.create(model=model, input=history, tools=[WEATHER])  # type: ignore[list-item]
    assert final.status == "completed"
    assert final.output_text.startswith(f"Simulated {SIM_NAMES[family][0]} reply")
    assert "Tool results:" in final.output_text and "22C sunny" in final.output_text


@pytest.mark.parametrize("family", FAMILIES)
def test_streamed_parallel_function_calls(client: openai.OpenAI, family: str) -> None:
    with client.responses.stream(
        model=CHAT_MODELS[family], input="parallel lookups please", tools=[WEATHER, TIME]
    ) as stream:
        events = list(stream)
        final = stream.get_final_response()
    calls = [o for o in final.output if o.type == "function_call"]
    assert [c.name for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[0].arguments) == {"city": "sim"}
    assert json.loads(calls[1].arguments) == {"zone": "sim"}
    kinds = [e.type for e in events]
    assert kinds.count("response.function_call_arguments.done") == 2
    assert kinds[-1] == "response.completed"
    done = [e for e in events if e.type == "response.output_item.done"]
    assert {e.item.type for e in done} >= {"function_call"}


def test_text_format_json_schema(client: openai.OpenAI, sim: Any) -> None:
    schema = {
        "type": "object",
        "properties": {"answer": {"type": "string"}},
        "required": ["answer"],
        "additionalProperties": False,
    }
    resp = client.responses.create(
        model="gpt-4o-mini",
        input="Answer as JSON",
        text={
            "format": {"type": "json_schema", "name": "answer", "schema": schema, "strict": True}
        },
        max_output_tokens=200,
        temperature=0.5,
    )
    assert set(json.loads(resp.output_text)) == {"answer"}
    assert resp.text is not None and resp.text.format.type == "json_schema"
    sent = [r for r in sim.requests() if r.get("model") == "gpt-4o-mini"][-1]
    body = sent.get("body", sent)
    assert body["response_format"]["json_schema"]["schema"] == schema
    assert body["max_completion_tokens"] == 200 and body["temperature"] == 0.5


def test_mid_stream_failure_raises_in_the_sdk(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider="openai", model="gpt-4o-mini", cut_after_chunks=4, times=1)
    seen: list[str] = []
    with pytest.raises(openai.APIError) as exc:
        stream = client.responses.create(
            model="gpt-4o-mini", input="one two three four five six seven", stream=True
        )
        for event in stream:
            seen.append(event.type)
    assert "upstream" in exc.value.message.lower()
    assert "response.failed" in seen and "response.completed" not in seen
    assert "response.output_text.delta" in seen


@pytest.mark.parametrize(
    ("extra", "param"),
    [
        ({"previous_response_id": "resp_123"}, "previous_response_id"),
        ({"store": True}, "store"),
        ({"background": True}, "background"),
        ({"tools": [{"type": "web_search"}]}, "tools[0]"),
    ],
)
def test_stateful_features_are_refused(
    client: openai.OpenAI, extra: dict[str, Any], param: str
) -> None:
    with pytest.raises(openai.BadRequestError) as exc:
        client.responses.create(model="gpt-4o-mini", input="hi", **extra)
    assert exc.value.code == "unsupported_parameter"
    assert exc.value.param == param
    assert exc.value.response.headers["x-request-id"].startswith("req_")


def test_errors_in_openai_shape(gateway: GatewayServer) -> None:
    r = httpx.post(gateway.url + "/v1/responses", json={"model": "nope", "input": "hi"}, timeout=10)
    assert r.status_code == 404 and r.json()["error"]["code"] == "model_not_found"
    r = httpx.post(gateway.url + "/v1/responses", json={"model": "gpt-4o-mini"}, timeout=10)
    assert r.status_code == 400
    assert (r.json()["error"]["code"], r.json()["error"]["param"]) == ("missing_field", "input")
    assert r.headers["x-request-id"].startswith("req_")


@pytest.mark.parametrize("family", FAMILIES)
def test_input_image(client: openai.OpenAI, family: str) -> None:
    pixel = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNg+M/AAAAFAAIB5ScK6AAAAABJRU5ErkJggg=="
    resp = client.responses.create(
        model=CHAT_MODELS[family],
        input=[
            {
                "role": "user",
                "content": [
                    {"type": "input_text", "text": "Describe this"},
                    {"type": "input_image", "image_url": f"data:image/png;base64,{pixel}"},
                ],
            }
        ],
    )
    assert resp.output_text == expected(family, "Describe this") + " [images: 1]"


@pytest.mark.parametrize("family", FAMILIES)
def test_max_output_tokens_gives_incomplete(client: openai.OpenAI, family: str) -> None:
    resp = client.responses.create(
        model=CHAT_MODELS[family], input="a long answer please", max_output_tokens=3
    )
    assert resp.status == "incomplete"
    assert resp.incomplete_details is not None
    assert resp.incomplete_details.reason == "max_output_tokens"
    assert resp.output_text == " ".join(expected(family, "a long answer please").split()[:3])
    assert resp.output[0].status == "incomplete"  # type: ignore[union-attr]


@pytest.mark.parametrize("family", ["openai", "anthropic", "gemini"])
def test_streamed_incomplete_ends_with_response_incomplete(
    client: openai.OpenAI, family: str
) -> None:
    stream = client.responses.create(
        model=CHAT_MODELS[family], input="a long answer please", max_output_tokens=3, stream=True
    )
    events = list(stream)
    assert events[-1].type == "response.incomplete"
    assert events[-1].response.incomplete_details.reason == "max_output_tokens"  # type: ignore[union-attr]
    assert "response.completed" not in [e.type for e in events]
    deltas = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    final = events[-1].response.output[0]  # type: ignore[union-attr]
    assert deltas == final.content[0].text  # type: ignore[union-attr]
    assert final.status == "incomplete"
    done = [e for e in events if e.type == "response.output_item.done"]
    assert [e.item.status for e in done] == ["incomplete"]  # type: ignore[union-attr]
