"""The wire parsers fuzzed in-process (what an atheris harness would do, with hypothesis): any
JSON object, and valid bodies with one field replaced by any JSON value, either parse or raise
a GatewayError with a 4xx status. Anything else would be a 500 at the edge.
`INTERLOCK_FUZZ_EXAMPLES` scales the run (x10 here: each case costs microseconds)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interlock.errors import GatewayError
from interlock.ingress.anthropic_messages import AnthropicMessagesIngress
from interlock.ingress.openai_chat import OpenAIChatIngress
from interlock.ingress.openai_completions import OpenAICompletionsIngress
from interlock.ingress.openai_embeddings import OpenAIEmbeddingsIngress
from interlock.ingress.openai_responses import OpenAIResponsesIngress
from interlock.wire import anthropic_messages
from tests.security.support import FUZZ_EXAMPLES

SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
JSON = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=20,
)
KEYS = st.sampled_from(
    ["model", "messages", "role", "content", "type", "text", "tools", "tool_choice", "stream",
     "stream_options", "max_tokens", "n", "stop", "input", "prompt", "system", "response_format",
     "image_url", "tool_calls", "function", "arguments", "tool_use_id", "source", "instructions",
     "encoding_format", "dimensions", "temperature", "logprobs", "seed", "metadata", "name"]
)  # fmt: skip

VALID: dict[str, dict[str, Any]] = {
    "chat": {
        "model": "m",
        "messages": [
            {"role": "system", "content": "s"},
            {"role": "user", "content": [{"type": "text", "text": "hi"},
                                         {"type": "image_url", "image_url": {"url": "https://x/i.png"}}]},
            {"role": "assistant", "content": None,
             "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
            {"role": "tool", "tool_call_id": "c1", "content": "r"},
        ],
        "tools": [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}],
        "stream": True, "stream_options": {"include_usage": True}, "n": 1, "stop": ["x"],
        "response_format": {"type": "json_schema", "json_schema": {"name": "s", "schema": {}}},
    },
    "completions": {"model": "m", "prompt": ["a"], "max_tokens": 3, "stop": "x"},
    "embeddings": {"model": "m", "input": ["a", "b"], "encoding_format": "float"},
    "responses": {
        "model": "m",
        "input": [{"role": "user", "content": [{"type": "input_text", "text": "hi"}]}],
        "instructions": "be brief",
        "tools": [{"type": "function", "name": "f", "parameters": {"type": "object"}}],
    },
    "messages": {
        "model": "m", "max_tokens": 5, "system": [{"type": "text", "text": "s"}],
        "messages": [
            {"role": "user", "content": [{"type": "text", "text": "hi"},
                                         {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "AA=="}}]},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "t1", "name": "f", "input": {}}]},
            {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "t1", "content": "r"}]},
        ],
        "tools": [{"name": "f", "input_schema": {"type": "object"}}],
    },
}  # fmt: skip

PARSERS = {
    "chat": OpenAIChatIngress().parse,
    "completions": OpenAICompletionsIngress().parse,
    "embeddings": OpenAIEmbeddingsIngress().parse,
    "responses": OpenAIResponsesIngress().parse,
    "messages": AnthropicMessagesIngress().parse,
    "count_tokens": lambda body: anthropic_messages.parse_request(body, counting=True),
}
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES * 10, deadline=None, database=None,
    suppress_health_check=list(HealthCheck),
)  # fmt: skip


def parse_or_4xx(name: str, body: Any) -> None:
    try:
        PARSERS[name](body)
    except GatewayError as err:
        assert 400 <= err.status < 500, (err.code, err.message)


def replace_somewhere(value: Any, path: list[int], new: Any) -> Any:
    """`value` with the node picked by `path` (indices into its containers) set to `new`."""
    if not path or not isinstance(value, (dict, list)) or not value:
        return new
    if isinstance(value, dict):
        keys = list(value)
        key = keys[path[0] % len(keys)]
        return {**value, key: replace_somewhere(value[key], path[1:], new)}
    i = path[0] % len(value)
    return [*value[:i], replace_somewhere(value[i], path[1:], new), *value[i + 1 :]]


@pytest.mark.parametrize("name", list(PARSERS))
def test_valid_bodies_parse(name: str) -> None:
    PARSERS[name](VALID.get(name, VALID["messages"]))


@pytest.mark.parametrize("name", list(PARSERS))
@FUZZ
@given(body=st.dictionaries(KEYS | st.text(max_size=8), JSON, max_size=6))
def test_any_object_parses_or_is_a_4xx(name: str, body: dict[str, Any]) -> None:
    parse_or_4xx(name, body)


@pytest.mark.parametrize("name", list(PARSERS))
@FUZZ
@given(path=st.lists(st.integers(0, 50), min_size=1, max_size=6), new=JSON)
def test_mutated_valid_bodies_parse_or_are_a_4xx(name: str, path: list[int], new: Any) -> None:
    parse_or_4xx(name, replace_somewhere(VALID.get(name, VALID["messages"]), path, new))
