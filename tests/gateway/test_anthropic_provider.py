"""The official OpenAI SDK against the gateway, served by the Anthropic adapter (`claude-sonnet`).

Checks the translation OpenAI chat → Anthropic Messages → OpenAI chat end to end: text, streams,
tools (parallel too), images as data URLs, usage and finish reasons, what reached the upstream,
and how the upstream's errors come back.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterator
from typing import Any

import anthropic
import openai
import pytest

from tests.support import SIM_NAMES, GatewayServer, gateway_config

MODEL = "claude-sonnet"
PROVIDER, UPSTREAM_MODEL = SIM_NAMES["anthropic"]
PNG = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c63000100000500010d0a2db40000000049454e44ae426082"
    )
).decode()
TOOLS: list[dict[str, Any]] = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "days": {"type": "integer"}},
                "required": ["city", "days"],
            },
        },
    },
    {
        "type": "function",
        "function": {
            "name": "get_time",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}, "offset": {"type": "number"}},
            },
        },
    },
]


def reply(said: str) -> str:
    return f"Simulated {PROVIDER} reply from {UPSTREAM_MODEL}. You said: {said}"


@pytest.fixture(scope="module")
def client(gateway: GatewayServer) -> Iterator[openai.OpenAI]:
    with openai.OpenAI(base_url=gateway.url + "/v1", api_key="any", max_retries=0) as c:
        yield c


def upstream_bodies(sim: Any) -> list[dict[str, Any]]:
    """The bodies the simulator received on Anthropic's Messages endpoint."""
    return [r["body"] for r in sim.requests("anthropic") if r["path"] == "/v1/messages"]


# ---- text ----------------------------------------------------------------------------------


def test_text(client: openai.OpenAI, sim: Any) -> None:
    said = "Hello from an OpenAI client"
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[
            {"role": "system", "content": "You are terse."},
            {"role": "user", "content": said},
        ],
    )
    choice = completion.choices[0]
    assert choice.message.content == reply(said)
    assert choice.finish_reason == "stop"
    assert choice.message.tool_calls is None
    usage = completion.usage
    assert usage is not None
    assert usage.prompt_tokens == math.ceil((len("You are terse.") + len(said)) / 4)
    assert usage.completion_tokens == len(reply(said).split())
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens

    (sent,) = upstream_bodies(sim)
    assert sent["model"] == UPSTREAM_MODEL
    assert sent["max_tokens"] == 4096  # the client gave none; Anthropic requires one
    assert sent["system"] == "You are terse."
    assert sent["messages"] == [{"role": "user", "content": [{"type": "text", "text": said}]}]


def test_stream(client: openai.OpenAI) -> None:
    said = "Stream this back to me"
    whole = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": said}]
    )
    chunks = list(
        client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": said}],
            stream=True,
            stream_options={"include_usage": True},
        )
    )
    pieces = [
        c.choices[0].delta.content for c in chunks if c.choices and c.choices[0].delta.content
    ]
    assert len(pieces) > 1
    assert "".join(pieces) == reply(said)
    finishes = [
        c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason
    ]
    assert finishes == ["stop"]
    usage = chunks[-1].usage
    assert usage is not None and whole.usage is not None
    assert usage.prompt_tokens == whole.usage.prompt_tokens > 0
    assert usage.completion_tokens == whole.usage.completion_tokens > 0


@pytest.mark.parametrize("stream", [False, True])
def test_finish_reasons(client: openai.OpenAI, stream: bool) -> None:
    def ask(**extra: Any) -> tuple[str, str | None]:
        params: dict[str, Any] = {
            "model": MODEL,
            "messages": [{"role": "user", "content": "Tell me the weather"}],
            **extra,
        }
        if not stream:
            choice = client.chat.completions.create(**params).choices[0]
            return choice.message.content or "", choice.finish_reason
        text, finish = "", None
        for chunk in client.chat.completions.create(**params, stream=True):
            if chunk.choices:
                text += chunk.choices[0].delta.content or ""
                finish = chunk.choices[0].finish_reason or finish
        return text, finish

    assert ask(max_tokens=2) == (" ".join(reply("").split()[:2]), "length")
    # Anthropic's stop_sequence is an ordinary "stop" to an OpenAI client.
    assert ask(stop=["weather"]) == (reply("Tell me the "), "stop")


@pytest.fixture(scope="module")
def cache_client(simulator: Any) -> Iterator[openai.OpenAI]:
    """A gateway with an Anthropic model the simulator reports half the input of as cached."""
    extra = "  claude-cache: {provider: anthropic, model: claude-cache-test}\n"
    gw = GatewayServer(gateway_config(simulator.url, extra_models=extra))
    try:
        with openai.OpenAI(base_url=gw.url + "/v1", api_key="any", max_retries=0) as c:
            yield c
    finally:
        gw.close()


@pytest.mark.parametrize("stream", [False, True])
def test_cached_usage_in_openai_convention(cache_client: openai.OpenAI, stream: bool) -> None:
    params: dict[str, Any] = {
        "model": "claude-cache",
        "messages": [{"role": "user", "content": "x" * 400}],  # 100 tokens, 50 cached
    }
    if stream:
        chunks = list(
            cache_client.chat.completions.create(
                **params, stream=True, stream_options={"include_usage": True}
            )
        )
        usage = chunks[-1].usage
    else:
        usage = cache_client.chat.completions.create(**params).usage
    # Anthropic's input_tokens excludes cache reads; OpenAI's prompt_tokens includes them.
    assert usage is not None and usage.prompt_tokens_details is not None
    assert usage.prompt_tokens == 100
    assert usage.prompt_tokens_details.cached_tokens == 50
    assert usage.total_tokens == 100 + usage.completion_tokens


def test_image_data_url(client: openai.OpenAI, sim: Any) -> None:
    said = "Describe the image"
    completion = client.chat.completions.create(
        model=MODEL,
        messages=[
            {
                "role": "user",
                "content": [
                    {"type": "text", "text": said},
                    {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
                ],
            }
        ],
    )
    assert completion.choices[0].message.content == reply(said) + " [images: 1]"
    (sent,) = upstream_bodies(sim)
    assert sent["messages"][0]["content"][1] == {
        "type": "image",
        "source": {"type": "base64", "media_type": "image/png", "data": PNG},
    }


# ---- tools ---------------------------------------------------------------------------------


@pytest.mark.parametrize("stream", [False, True])
def test_tool_call_round_trip(client: openai.OpenAI, sim: Any, stream: bool) -> None:
    question = {"role": "user", "content": "What is the weather in Paris?"}
    if stream:
        calls: dict[int, dict[str, str]] = {}
        finish = None
        for chunk in client.chat.completions.create(
            model=MODEL, messages=[question], tools=TOOLS, stream=True
        ):
            if not chunk.choices:
                continue
            c = chunk.choices[0]
            for tc in c.delta.tool_calls or []:
                entry = calls.setdefault(tc.index, {"id": "", "name": "", "arguments": ""})
                if tc.id:
                    entry["id"] = tc.id
                if tc.function and tc.function.name:
                    entry["name"] = tc.function.name
                if tc.function and tc.function.arguments:
                    entry["arguments"] += tc.function.arguments
            finish = c.finish_reason or finish
        assert finish == "tool_calls"
        assert len(calls) == 1
        call_id, name, arguments = calls[0]["id"], calls[0]["name"], calls[0]["arguments"]
    else:
        completion = client.chat.completions.create(model=MODEL, messages=[question], tools=TOOLS)
        choice = completion.choices[0]
        assert choice.finish_reason == "tool_calls"
        (tc,) = choice.message.tool_calls or []
        call_id, name, arguments = tc.id, tc.function.name, tc.function.arguments
    assert name == "get_weather"
    assert json.loads(arguments) == {"city": "sim", "days": 1}
    assert call_id

    answer = client.chat.completions.create(
        model=MODEL,
        tools=TOOLS,
        messages=[
            question,
            {
                "role": "assistant",
                "content": None,
                "tool_calls": [
                    {
                        "id": call_id,
                        "type": "function",
                        "function": {"name": name, "arguments": arguments},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": call_id, "content": "18C and sunny"},
        ],
    )
    assert answer.choices[0].finish_reason == "stop"
    assert "Tool results: " in (answer.choices[0].message.content or "")
    assert "18C and sunny" in (answer.choices[0].message.content or "")

    # The tool result reached Anthropic as a user tool_result block answering the tool_use.
    sent = upstream_bodies(sim)[-1]
    assert [m["role"] for m in sent["messages"]] == ["user", "assistant", "user"]
    assert sent["messages"][1]["content"] == [
        {
            "type": "tool_use",
            "id": call_id,
            "name": "get_weather",
            "input": {"city": "sim", "days": 1},
        }
    ]
    assert sent["messages"][2]["content"] == [
        {"type": "tool_result", "tool_use_id": call_id, "content": "18C and sunny"}
    ]
    assert sent["tools"][0]["input_schema"] == TOOLS[0]["function"]["parameters"]


def test_parallel_tool_calls(client: openai.OpenAI) -> None:
    completion = client.chat.completions.create(
        model=MODEL,
        tools=TOOLS,
        messages=[{"role": "user", "content": "Weather and time in Rome, in parallel"}],
    )
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls or []
    assert [c.function.name for c in calls] == ["get_weather", "get_time"]
    assert json.loads(calls[0].function.arguments) == {"city": "sim", "days": 1}
    assert json.loads(calls[1].function.arguments) == {"city": "sim", "offset": 1.5}
    assert calls[0].id != calls[1].id

    # Both results go back in one user turn.
    answer = client.chat.completions.create(
        model=MODEL,
        tools=TOOLS,
        messages=[
            {"role": "user", "content": "Weather and time in Rome, in parallel"},
            choice.message.model_dump(exclude_none=True),  # type: ignore[list-item]
            {"role": "tool", "tool_call_id": calls[0].id, "content": "warm"},
            {"role": "tool", "tool_call_id": calls[1].id, "content": "noon"},
        ],
    )
    text = answer.choices[0].message.content or ""
    assert "warm" in text and "noon" in text


def test_parallel_tool_calls_false_reaches_anthropic(client: openai.OpenAI, sim: Any) -> None:
    client.chat.completions.create(
        model=MODEL,
        tools=TOOLS,
        tool_choice="required",
        parallel_tool_calls=False,
        messages=[{"role": "user", "content": "Weather?"}],
    )
    (sent,) = upstream_bodies(sim)
    assert sent["tool_choice"] == {"type": "any", "disable_parallel_tool_use": True}


# ---- JSON mode and what Anthropic cannot do -----------------------------------------------------


def test_json_mode_becomes_a_system_instruction(client: openai.OpenAI, sim: Any) -> None:
    client.chat.completions.create(
        model=MODEL,
        response_format={"type": "json_object"},
        messages=[{"role": "user", "content": "Give me JSON"}],
    )
    (sent,) = upstream_bodies(sim)
    assert "JSON object" in sent["system"]


@pytest.mark.parametrize(("extra", "param"), [({"n": 2}, "n"), ({"logprobs": True}, "logprobs")])
def test_unsupported_parameters(client: openai.OpenAI, extra: dict[str, Any], param: str) -> None:
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(
            model=MODEL, messages=[{"role": "user", "content": "x"}], **extra
        )
    body = info.value.body
    assert isinstance(body, dict)
    assert body["code"] == "unsupported_parameter" and body["param"] == param


# ---- the Anthropic client's fast path, and upstream errors ------------------------------------


def test_anthropic_client_body_reaches_anthropic_unchanged(
    gateway: GatewayServer, sim: Any
) -> None:
    payload = {
        "model": MODEL,
        "max_tokens": 321,
        "system": [{"type": "text", "text": "Terse.", "cache_control": {"type": "ephemeral"}}],
        "messages": [{"role": "user", "content": "Unchanged please"}],
        "metadata": {"user_id": "u-1"},
        "stop_sequences": ["NEVER-SEEN"],
    }
    with anthropic.Anthropic(base_url=gateway.url, api_key="any", max_retries=0) as c:
        # A field this SDK does not model still reaches the provider on the fast path.
        extra = {"top_k": 7, "temperature": 0.2}
        message = c.messages.create(**payload, extra_body=extra)  # type: ignore[arg-type]
    assert message.content[0].text == reply("Unchanged please")  # type: ignore[union-attr]
    (sent,) = upstream_bodies(sim)
    assert sent == {**payload, **extra, "model": UPSTREAM_MODEL}


def test_upstream_error_is_decoded(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider=PROVIDER, status=400, times=1)
    with pytest.raises(openai.BadRequestError) as info:
        client.chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "x"}])
    assert "The provider refused the request: " in info.value.message


def test_overloaded_upstream_is_retried(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider=PROVIDER, status=529, times=1)
    completion = client.chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "retry me"}]
    )
    assert completion.choices[0].message.content == reply("retry me")
    assert len(upstream_bodies(sim)) == 2


def test_mid_stream_cut_reaches_the_openai_client(client: openai.OpenAI, sim: Any) -> None:
    sim.add_fault(provider=PROVIDER, cut_after_chunks=3)
    with pytest.raises(openai.APIError):
        for _ in client.chat.completions.create(
            model=MODEL,
            messages=[{"role": "user", "content": "one two three four five six seven"}],
            stream=True,
        ):
            pass
