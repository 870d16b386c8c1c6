"""The official Anthropic SDK against the gateway's `/v1/messages`, for every provider family.

The simulator answers deterministically (see tests/support.py), so the tests assert the exact
text each provider produced, tool calls with schema-filled arguments, mapped stop reasons and
usage that is non-zero and the same whether streamed or not.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import orjson
import pytest

from interlock.errors import GatewayError
from tests.support import CHAT_MODELS, SIM_NAMES, GatewayServer, gateway_config

FAMILIES = list(CHAT_MODELS)
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
    )
).decode()
WEATHER = {
    "name": "get_weather",
    "description": "Current weather for a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
        "required": ["city", "days"],
    },
}
TIME = {
    "name": "get_time",
    "description": "Local time in a city",
    "input_schema": {
        "type": "object",
        "properties": {"city": {"type": "string"}, "utc": {"type": "boolean"}},
        "required": ["city"],
    },
}


def reply(family: str, said: str) -> str:
    provider, model = SIM_NAMES[family]
    return f"Simulated {provider} reply from {model}. You said: {said}"


@pytest.fixture(scope="module")
def client(gateway: GatewayServer) -> Iterator[anthropic.Anthropic]:
    with anthropic.Anthropic(base_url=gateway.url, api_key="any", max_retries=0) as c:
        yield c


def text_of(message: Any) -> str:
    return "".join(b.text for b in message.content if b.type == "text")


def tool_uses(message: Any) -> list[Any]:
    return [b for b in message.content if b.type == "tool_use"]


# ---- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
def test_text(client: anthropic.Anthropic, family: str) -> None:
    said = "Tell me about the weather in Lisbon"
    message = client.messages.create(
        model=CHAT_MODELS[family],
        max_tokens=200,
        system=[{"type": "text", "text": "You are terse."}, {"type": "text", "text": "Be kind."}],
        messages=[{"role": "user", "content": said}],
    )
    assert message.type == "message" and message.role == "assistant"
    assert message.id.startswith("msg_")
    assert text_of(message) == reply(family, said)
    assert message.stop_reason == "end_turn"
    # The simulator counts ceil(characters of all request text / 4): the system blocks and the
    # message reached every provider whole, and usage came back in Anthropic's convention.
    chars = len("You are terse.") + len("Be kind.") + len(said)
    assert message.usage.input_tokens == math.ceil(chars / 4)
    assert message.usage.output_tokens == len(reply(family, said).split())
    assert message.usage.cache_read_input_tokens == 0


@pytest.mark.parametrize("family", FAMILIES)
def test_stream_matches_non_stream(client: anthropic.Anthropic, family: str) -> None:
    said = "Stream the weather in Oslo please"
    params: dict[str, Any] = {
        "model": CHAT_MODELS[family],
        "max_tokens": 200,
        "system": "You are terse.",
        "messages": [{"role": "user", "content": said}],
    }
    whole = client.messages.create(**params)
    with client.messages.stream(**params) as stream:
        pieces = list(stream.text_stream)
        final = stream.get_final_message()
    assert len(pieces) > 1  # really streamed, word by word
    assert "".join(pieces) == reply(family, said)
    assert text_of(final) == reply(family, said)
    assert final.stop_reason == "end_turn"
    assert final.usage.input_tokens == whole.usage.input_tokens > 0
    assert final.usage.output_tokens == whole.usage.output_tokens > 0


@pytest.mark.parametrize("family", FAMILIES)
def test_raw_stream_event_sequence(client: anthropic.Anthropic, family: str) -> None:
    events = list(
        client.messages.create(
            model=CHAT_MODELS[family],
            max_tokens=100,
            messages=[{"role": "user", "content": "Count the events"}],
            stream=True,
        )
    )
    kinds = [e.type for e in events]
    assert kinds[0] == "message_start" and kinds[-2:] == ["message_delta", "message_stop"]
    assert kinds[1] == "content_block_start" and kinds[-3] == "content_block_stop"
    assert set(kinds[2:-3]) == {"content_block_delta"}
    assert events[-2].delta.stop_reason == "end_turn"  # type: ignore[union-attr]
    assert events[-2].usage.output_tokens > 0  # type: ignore[union-attr]


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("stream", [False, True])
def test_max_tokens_cut(client: anthropic.Anthropic, family: str, stream: bool) -> None:
    params: dict[str, Any] = {
        "model": CHAT_MODELS[family],
        "max_tokens": 3,
        "messages": [{"role": "user", "content": "A long answer please"}],
    }
    if stream:
        with client.messages.stream(**params) as s:
            message = s.get_final_message()
    else:
        message = client.messages.create(**params)
    assert text_of(message) == " ".join(reply(family, "").split()[:3])
    assert message.stop_reason == "max_tokens"
    assert message.usage.output_tokens == 3


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("stream", [False, True])
def test_stop_sequences(client: anthropic.Anthropic, family: str, stream: bool) -> None:
    said = "Tell me the weather please"
    params: dict[str, Any] = {
        "model": CHAT_MODELS[family],
        "max_tokens": 100,
        "stop_sequences": ["weather"],
        "messages": [{"role": "user", "content": said}],
    }
    if stream:
        with client.messages.stream(**params) as s:
            message = s.get_final_message()
    else:
        message = client.messages.create(**params)
    assert text_of(message) == reply(family, "Tell me the ")
    # Only Anthropic itself says which stop sequence matched; other providers just "stopped".
    if family == "anthropic":
        assert (message.stop_reason, message.stop_sequence) == ("stop_sequence", "weather")
    else:
        assert (message.stop_reason, message.stop_sequence) == ("end_turn", None)


@pytest.fixture(scope="module")
def cache_client(simulator: Any) -> Iterator[anthropic.Anthropic]:
    """A gateway with an OpenAI model the simulator reports half the input of as cached."""
    extra = "  gpt-cache: {provider: openai, model: gpt-cache-test}\n"
    gw = GatewayServer(gateway_config(simulator.url, extra_models=extra))
    try:
        with anthropic.Anthropic(base_url=gw.url, api_key="any", max_retries=0) as c:
            yield c
    finally:
        gw.close()


@pytest.mark.parametrize("stream", [False, True])
def test_cached_usage_in_anthropic_convention(
    cache_client: anthropic.Anthropic, stream: bool
) -> None:
    said = "x" * 400  # 100 tokens in all, of which OpenAI reports 50 as cached
    params: dict[str, Any] = {
        "model": "gpt-cache",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": said}],
    }
    if stream:
        with cache_client.messages.stream(**params) as s:
            message = s.get_final_message()
    else:
        message = cache_client.messages.create(**params)
    # OpenAI's prompt_tokens includes cached tokens; Anthropic's input_tokens does not.
    assert message.usage.input_tokens == 50
    assert message.usage.cache_read_input_tokens == 50
    assert message.usage.cache_creation_input_tokens == 0
    assert message.usage.output_tokens == len(text_of(message).split())


# ---- images --------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("stream", [False, True])
def test_base64_image(client: anthropic.Anthropic, family: str, stream: bool) -> None:
    said = "What is in this picture?"
    params: dict[str, Any] = {
        "model": CHAT_MODELS[family],
        "max_tokens": 100,
        "messages": [
            {
                "role": "user",
                "content": [
                    {
                        "type": "image",
                        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
                    },
                    {"type": "text", "text": said},
                ],
            }
        ],
    }
    if stream:
        with client.messages.stream(**params) as s:
            message = s.get_final_message()
    else:
        message = client.messages.create(**params)
    assert text_of(message) == reply(family, said) + " [images: 1]"


# ---- tools ---------------------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES)
@pytest.mark.parametrize("stream", [False, True])
def test_tool_use_round_trip(client: anthropic.Anthropic, family: str, stream: bool) -> None:
    model = CHAT_MODELS[family]
    question = {"role": "user", "content": "What is the weather in Paris?"}

    def ask(messages: list[dict[str, Any]]) -> Any:
        params = {"model": model, "max_tokens": 200, "tools": [WEATHER, TIME]}
        if stream:
            with client.messages.stream(**params, messages=messages) as s:
                return s.get_final_message()
        return client.messages.create(**params, messages=messages)

    first = ask([question])
    assert first.stop_reason == "tool_use"
    (call,) = tool_uses(first)
    assert call.name == "get_weather"
    assert call.input == {"city": "sim", "days": 1}
    assert call.id

    second = ask(
        [
            question,
            {"role": "assistant", "content": [b.model_dump() for b in first.content]},
            {
                "role": "user",
                "content": [
                    {"type": "tool_result", "tool_use_id": call.id, "content": "18C and sunny"}
                ],
            },
        ]
    )
    assert second.stop_reason == "end_turn"
    assert not tool_uses(second)
    assert "Tool results: " in text_of(second)
    assert "18C and sunny" in text_of(second)


@pytest.mark.parametrize("family", FAMILIES)
def test_parallel_tool_use(client: anthropic.Anthropic, family: str) -> None:
    message = client.messages.create(
        model=CHAT_MODELS[family],
        max_tokens=200,
        tools=[WEATHER, TIME],
        messages=[{"role": "user", "content": "Weather and time in Rome, in parallel"}],
    )
    assert message.stop_reason == "tool_use"
    calls = tool_uses(message)
    assert [c.name for c in calls] == ["get_weather", "get_time"]
    assert calls[0].input == {"city": "sim", "days": 1}
    assert calls[1].input == {"city": "sim", "utc": True}
    assert calls[0].id != calls[1].id


@pytest.mark.parametrize("family", FAMILIES)
def test_tool_choice(client: anthropic.Anthropic, family: str) -> None:
    params: dict[str, Any] = {
        "model": CHAT_MODELS[family],
        "max_tokens": 200,
        "tools": [WEATHER, TIME],
        "messages": [{"role": "user", "content": "What time is it in Rome?"}],
    }
    forced = client.messages.create(**params, tool_choice={"type": "tool", "name": "get_time"})
    assert [(c.name, c.input) for c in tool_uses(forced)] == [
        ("get_time", {"city": "sim", "utc": True})
    ]
    assert forced.usage.output_tokens > 0
    single = client.messages.create(
        **{**params, "messages": [{"role": "user", "content": "Both, in parallel"}]},
        tool_choice={"type": "auto", "disable_parallel_tool_use": True},
    )
    if family in ("bedrock", "gemini"):
        # Converse and Gemini have no switch for parallel calls: their adapters drop it.
        assert [c.name for c in tool_uses(single)] == ["get_weather", "get_time"]
    else:
        assert [c.name for c in tool_uses(single)] == ["get_weather"]
    refused = client.messages.create(**params, tool_choice={"type": "none"})
    assert not tool_uses(refused)
    assert text_of(refused) == reply(family, "What time is it in Rome?")
    assert refused.stop_reason == "end_turn"


# ---- count_tokens --------------------------------------------------------------------------


def test_count_tokens(client: anthropic.Anthropic) -> None:
    system, said = "You are terse.", "How many tokens is this?"
    counted = client.messages.count_tokens(
        model="claude-sonnet",
        system=system,
        messages=[{"role": "user", "content": said}],
        tools=[WEATHER],
    )
    tool_chars = (
        len(WEATHER["name"])
        + len(WEATHER["description"])
        + len(orjson.dumps(WEATHER["input_schema"]))
    )
    assert counted.input_tokens == math.ceil((len(system) + len(said) + tool_chars) / 4)

    without_tools = client.messages.count_tokens(
        model="fast", messages=[{"role": "user", "content": said}]
    )
    assert without_tools.input_tokens == math.ceil(len(said) / 4)


def test_count_tokens_errors(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        client.messages.count_tokens(
            model="no-such-model", messages=[{"role": "user", "content": "x"}]
        )
    assert_anthropic_error(info.value, 404, "not_found_error", "no-such-model")
    with pytest.raises(anthropic.BadRequestError) as info2:
        client.messages.count_tokens(model="claude-sonnet", messages="hello")  # type: ignore[arg-type]
    assert_anthropic_error(info2.value, 400, "invalid_request_error", "'messages'")
    with pytest.raises(anthropic.BadRequestError) as info2:
        client.messages.count_tokens(
            model="text-embedding-3-small", messages=[{"role": "user", "content": "x"}]
        )
    assert_anthropic_error(info2.value, 400, "invalid_request_error", "embedding")


class RecordingAddon:
    """Refuses callers without the right key and records what the hooks saw."""

    def __init__(self) -> None:
        self.requested: list[str] = []
        self.done: list[tuple[int, str | None, list[str]]] = []

    async def on_authenticate(self, request: Any, ex: Any) -> str:
        # Anthropic SDKs send the key as x-api-key or (newer ones) as a bearer token.
        keys = {request.headers.get("x-api-key"), request.headers.get("authorization")}
        if not keys & {"good-key", "Bearer good-key"}:
            raise GatewayError("unauthorized", "Invalid API key")
        return "principal"

    async def on_request(self, ex: Any) -> None:
        self.requested.append(ex.request.model)
        if ex.request.model == "local-llama":
            raise GatewayError("model_not_allowed", "Not for you", param="model")

    async def on_done(self, ex: Any) -> None:
        self.done.append((ex.status, ex.error_code, [d.stage for d in ex.decisions]))


def test_count_tokens_runs_the_pipeline_addons(simulator: Any) -> None:
    addon = RecordingAddon()
    gw = GatewayServer(gateway_config(simulator.url), addons=[addon])
    message = [{"role": "user", "content": "hello"}]
    try:
        with anthropic.Anthropic(base_url=gw.url, api_key="bad-key", max_retries=0) as c:
            with pytest.raises(anthropic.AuthenticationError) as info:
                c.messages.count_tokens(model="claude-sonnet", messages=message)
            assert_anthropic_error(info.value, 401, "authentication_error", "Invalid API key")
        with anthropic.Anthropic(base_url=gw.url, api_key="good-key", max_retries=0) as c:
            assert (
                c.messages.count_tokens(model="claude-sonnet", messages=message).input_tokens == 2
            )
            with pytest.raises(anthropic.PermissionDeniedError):
                c.messages.count_tokens(model="local-llama", messages=message)
    finally:
        gw.close()
    assert addon.requested == ["claude-sonnet", "local-llama"]  # the refused caller got no further
    assert addon.done == [
        (401, "unauthorized", []),
        (200, None, ["count_tokens"]),
        (403, "model_not_allowed", []),
    ]


# ---- errors --------------------------------------------------------------------------------


def assert_anthropic_error(
    err: anthropic.APIStatusError, status: int, kind: str, text: str
) -> None:
    assert err.status_code == status
    body = err.body
    assert isinstance(body, dict)
    assert body["type"] == "error"
    assert body["error"]["type"] == kind
    assert text in body["error"]["message"]
    assert body["request_id"].startswith("req_")
    assert err.response.headers["x-request-id"] == body["request_id"]


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        (
            {"model": "claude-sonnet", "messages": [{"role": "user", "content": "x"}]},
            "'max_tokens' is required",
        ),
        (
            {
                "model": "claude-sonnet",
                "max_tokens": "ten",
                "messages": [{"role": "user", "content": "x"}],
            },
            "'max_tokens' must be an integer",
        ),
        (
            {
                "model": "claude-sonnet",
                "max_tokens": 5,
                "temperature": "hot",
                "messages": [{"role": "user", "content": "x"}],
            },
            "'temperature' must be a number",
        ),
        (
            {
                "model": "claude-sonnet",
                "max_tokens": 5,
                "messages": [{"role": "user", "content": 42}],
            },
            "'messages[0].content'",
        ),
        (
            {
                "model": "claude-sonnet",
                "max_tokens": 5,
                "messages": [{"role": "system", "content": "x"}],
            },
            "'messages[0].role'",
        ),
    ],
)
def test_bad_request_through_the_sdk(
    client: anthropic.Anthropic, payload: dict[str, Any], text: str
) -> None:
    with pytest.raises(anthropic.BadRequestError) as info:
        client.post("/v1/messages", cast_to=httpx.Response, body=payload)
    assert_anthropic_error(info.value, 400, "invalid_request_error", text)
    assert info.value.body["error"]["code"] in ("missing_field", "invalid_type", "invalid_value")  # type: ignore[index]


def test_unknown_model(client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.NotFoundError) as info:
        client.messages.create(
            model="claude-none", max_tokens=10, messages=[{"role": "user", "content": "x"}]
        )
    assert_anthropic_error(info.value, 404, "not_found_error", "claude-none")


def test_malformed_json(gateway: GatewayServer) -> None:
    response = httpx.post(
        gateway.url + "/v1/messages",
        content=b'{"model": "claude-sonnet", "max_tokens": ',
        headers={"content-type": "application/json", "anthropic-version": "2023-06-01"},
    )
    assert response.status_code == 400
    body = response.json()
    assert body["type"] == "error" and body["error"]["type"] == "invalid_request_error"
    assert "not valid JSON" in body["error"]["message"]
    assert body["request_id"] == response.headers["x-request-id"]


# ---- mid-stream failure --------------------------------------------------------------------


@pytest.mark.parametrize("family", ["anthropic", "openai"])
def test_mid_stream_failure_raises_in_the_sdk(
    client: anthropic.Anthropic, sim: Any, family: str
) -> None:
    said = "one two three four five six seven eight"
    sim.add_fault(provider=SIM_NAMES[family][0], cut_after_chunks=3)
    received: list[str] = []
    with (
        pytest.raises(anthropic.APIStatusError) as info,
        client.messages.stream(
            model=CHAT_MODELS[family],
            max_tokens=200,
            messages=[{"role": "user", "content": "one two three four five six seven eight"}],
        ) as stream,
    ):
        for text in stream.text_stream:
            received.append(text)
    # The stream had begun (HTTP 200, message_start sent) when the error event arrived; through
    # an OpenAI upstream the cut comes after the first words, so those reached the client too.
    assert info.value.status_code == 200
    if family == "openai":
        assert received and reply(family, said).startswith("".join(received))
        assert "".join(received) != reply(family, said)
    body = info.value.body
    assert isinstance(body, dict) and body["type"] == "error"
    assert body["error"]["type"] == "api_error"
    assert "mid-way" in body["error"]["message"]
