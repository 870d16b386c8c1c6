"""The deterministic answer rules, independent of any wire format."""

from __future__ import annotations

import json
import math

from interlock.simulator.answers import (
    Prompt,
    ToolSpec,
    answer,
    embedding_bytes,
    embedding_vector,
    fill_properties,
    split_words,
)

WEATHER = ToolSpec(
    "get_weather",
    {
        "type": "object",
        "properties": {
            "city": {"type": "string"},
            "days": {"type": "integer"},
            "temp": {"type": "number"},
            "metric": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}},
            "extra": {"type": "object"},
        },
    },
)
TIME = ToolSpec("get_time", {"type": "object", "properties": {"zone": {"type": "string"}}})


def user_prompt(text: str, **kw: object) -> Prompt:
    prompt = Prompt(provider="openai", model="gpt-x", last_user_text=text, last_is_user=True)
    prompt.count_text(text)
    for name, value in kw.items():
        setattr(prompt, name, value)
    return prompt


def test_text_answer_names_provider_model_and_last_user_text() -> None:
    result = answer(user_prompt("Hello  there\nfriend"))
    assert result.text == "Simulated openai reply from gpt-x. You said: Hello  there\nfriend"
    assert result.finish == "stop"
    assert result.tool_calls == ()


def test_last_user_text_is_truncated_to_200_chars_and_images_are_counted() -> None:
    prompt = user_prompt("x" * 500)
    prompt.count_image()
    prompt.count_image()
    result = answer(prompt)
    assert (
        result.text == "Simulated openai reply from gpt-x. You said: " + "x" * 200 + " [images: 2]"
    )


def test_split_words_keeps_spacing_so_chunks_rejoin_exactly() -> None:
    text = "  Simulated   reply\n from  x. "
    chunks = split_words(text)
    assert "".join(chunks) == text
    assert chunks == ["  Simulated", "   reply", "\n from", "  x. "]
    assert split_words("") == []
    assert split_words("   ") == ["   "]


def test_usage_counts_characters_words_cache_and_reasoning() -> None:
    prompt = user_prompt("abcdefghij")  # 10 chars -> 3 tokens
    result = answer(prompt)
    assert result.usage.input_tokens == 3
    assert result.usage.output_tokens == len(result.text.split())
    assert result.usage.cached_tokens == 0
    assert result.usage.reasoning_tokens == 0
    cached = answer(Prompt("openai", "my-cache-reasoner", "abc", text_chars=41, last_is_user=True))
    assert cached.usage.input_tokens == 11
    assert cached.usage.cached_tokens == 5
    assert cached.usage.reasoning_tokens == 7


def test_tools_call_the_first_tool_with_filled_arguments() -> None:
    result = answer(user_prompt("what is the weather", tools=[WEATHER, TIME]))
    assert result.finish == "tool_calls"
    assert result.text == ""
    (call,) = result.tool_calls
    assert call.name == "get_weather"
    assert call.arguments == {
        "city": "sim",
        "days": 1,
        "temp": 1.5,
        "metric": True,
        "tags": [],
        "extra": {},
    }
    assert result.usage.output_tokens == math.ceil(len(call.arguments_json) / 4)


def test_parallel_word_calls_the_first_two_tools_unless_disabled() -> None:
    both = answer(user_prompt("do it in Parallel please", tools=[WEATHER, TIME]))
    assert [c.name for c in both.tool_calls] == ["get_weather", "get_time"]
    assert [c.index for c in both.tool_calls] == [0, 1]
    one = answer(user_prompt("parallel", tools=[WEATHER, TIME], parallel_allowed=False))
    assert [c.name for c in one.tool_calls] == ["get_weather"]
    not_a_word = answer(user_prompt("parallelism", tools=[WEATHER, TIME]))
    assert len(not_a_word.tool_calls) == 1
    single_tool = answer(user_prompt("parallel", tools=[WEATHER]))
    assert len(single_tool.tool_calls) == 1


def test_tool_choice_none_and_forced_tool() -> None:
    assert answer(user_prompt("hi", tools=[WEATHER], tool_choice="none")).tool_calls == ()
    forced = answer(user_prompt("hi", tools=[WEATHER, TIME], forced_tool="get_time"))
    assert [c.name for c in forced.tool_calls] == ["get_time"]


def test_tool_results_answer_and_no_new_tool_call() -> None:
    prompt = user_prompt("ignored", tools=[WEATHER], tool_results=["sunny", '{"t":3}'])
    prompt.last_is_user = False
    result = answer(prompt)
    assert result.text == 'Simulated openai reply from gpt-x. Tool results: sunny {"t":3}'
    assert result.tool_calls == ()


def test_stop_sequence_then_max_tokens() -> None:
    stopped = answer(user_prompt("one two three", stop=["three", "reply"]))
    assert stopped.text == "Simulated openai "
    assert stopped.finish == "stop_sequence"
    assert stopped.stop_sequence == "reply"
    limited = answer(user_prompt("one two three", max_tokens=3))
    assert limited.text == "Simulated openai reply"
    assert limited.finish == "length"
    assert limited.usage.output_tokens == 3
    roomy = answer(user_prompt("one", max_tokens=1000))
    assert roomy.finish == "stop"


def test_json_modes() -> None:
    as_object = answer(user_prompt("hi", json_mode="object"))
    assert json.loads(as_object.text) == {
        "answer": "Simulated openai reply from gpt-x. You said: hi"
    }
    schema = {
        "type": "object",
        "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["a", "b"]},
            "n": {"type": ["integer", "null"]},
            "KIND": {"type": "NUMBER"},
        },
    }
    as_schema = answer(user_prompt("hi", json_mode="schema", json_schema=schema))
    assert json.loads(as_schema.text) == {"name": "sim", "kind": "a", "n": 1, "KIND": 1.5}


def test_fill_properties_without_properties_is_empty() -> None:
    assert fill_properties({"type": "object"}) == {}
    assert fill_properties(None) == {}


def test_embeddings_are_deterministic_unit_float32_vectors() -> None:
    first = embedding_vector("hello", 16)
    assert first == embedding_vector("hello", 16)
    assert first != embedding_vector("hello!", 16)
    assert len(first) == 16
    assert math.isclose(math.sqrt(sum(v * v for v in first)), 1.0, rel_tol=1e-5)
    assert len(embedding_bytes(first)) == 64
    assert len(embedding_vector("x")) == 8
