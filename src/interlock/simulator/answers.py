"""The deterministic answer rules shared by every simulated provider.

Each provider module turns its wire request into a provider-neutral `Prompt`; `answer()` applies
the rules below and each provider renders the resulting `Answer` in its own wire format.

Text answer
    ``f"Simulated {provider} reply from {model}. You said: {last_user_text}"`` where provider is
    openai/azure/anthropic/bedrock/gemini, model is the model (or Azure deployment) as received,
    and last_user_text is the text of the last user message (its text parts joined with one
    space, truncated to 200 characters). When the request carries images anywhere,
    `` [images: N]`` is appended (N = image parts in the whole request).
Tool calls
    When tools are given, the last message is a user message (not tool results) and the tool
    choice is not "none": one call to the first tool, or to the first two when the last user
    text contains the word "parallel", there are at least two tools and parallel calls are not
    disabled. A forced tool choice (OpenAI named function, Anthropic/Bedrock "tool", Gemini ANY
    with one allowed name) calls that tool instead. Arguments fill each property of the tool's
    JSON-schema ``properties``: string "sim", integer 1, number 1.5, boolean true, array [],
    object {}, null None; an ``enum``/``const`` gives its first/only value. Ids are
    ``{prefix}{index}`` (call_sim_0, toolu_sim_0, tooluse_sim_0). Finish reason tool_calls /
    tool_use / STOP (Gemini, with functionCall parts).
Tool results
    When the last message carries tool results: ``f"Simulated {provider} reply from {model}.
    Tool results: {texts}"``, the result texts joined with one space (JSON results compact).
JSON mode
    A JSON-schema response format answers the schema's properties filled as above; a plain JSON
    object format answers ``{"answer": "<the text answer>"}`` (``json.dumps`` default spacing).
Cuts
    A stop sequence cuts the text before its first occurrence (earliest of all sequences); then
    a max-token limit smaller than the word count keeps that many words (finish "length").
Streaming
    The text is streamed one word per chunk, each word carrying its leading whitespace, so the
    chunks concatenate to exactly the non-streamed text. Tool-call arguments stream as
    8-character pieces of their compact JSON (Gemini sends function calls whole).
Usage
    input = ceil(characters of all text in the request / 4) (system prompts, every message's
    text parts, tool-result text; not tool definitions or tool-call arguments). output = words
    in the answer, or for tool calls ceil(total length of the arguments JSON / 4). Models whose
    name contains "cache" report half the input (floored) as cached; names containing "reason"
    report 7 reasoning tokens. Each provider reports these in its own convention (see there).
Embeddings
    `dimensions` (default 8) float32 values derived from SHA-256 of the input, unit length.
"""

from __future__ import annotations

import copy
import hashlib
import json
import math
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import orjson

Finish = Literal["stop", "stop_sequence", "length", "tool_calls"]
ToolChoice = Literal["auto", "none", "required"]

LAST_USER_TEXT_LIMIT = 200
REASONING_TOKENS = 7
DEFAULT_EMBEDDING_DIMENSIONS = 8

_PARALLEL_WORD = re.compile(r"\bparallel\b", re.IGNORECASE)
_WORD = re.compile(r"\s*\S+")
_SAMPLE_VALUES: dict[str, Any] = {
    "string": "sim",
    "integer": 1,
    "number": 1.5,
    "boolean": True,
    "array": [],
    "object": {},
    "null": None,
}


@dataclass(frozen=True, slots=True)
class ToolSpec:
    name: str
    schema: Mapping[str, Any]


@dataclass(slots=True)
class Prompt:
    """What the rules need to know about one request, whatever provider it came from."""

    provider: str
    model: str
    last_user_text: str = ""
    text_chars: int = 0
    image_count: int = 0
    last_is_user: bool = False
    # Set (possibly empty) when the last message carries tool results.
    tool_results: list[str] | None = None
    tools: list[ToolSpec] = field(default_factory=list)
    tool_choice: ToolChoice = "auto"
    forced_tool: str | None = None
    parallel_allowed: bool = True
    json_mode: Literal["object", "schema"] | None = None
    json_schema: Mapping[str, Any] | None = None
    max_tokens: int | None = None
    stop: list[str] = field(default_factory=list)

    def count_text(self, text: str) -> str:
        """Counts `text` towards the input tokens and hands it back."""
        self.text_chars += len(text)
        return text

    def count_image(self) -> None:
        self.image_count += 1


@dataclass(frozen=True, slots=True)
class ToolCall:
    index: int
    name: str
    arguments: dict[str, Any]

    @property
    def arguments_json(self) -> str:
        return orjson.dumps(self.arguments).decode()


@dataclass(frozen=True, slots=True)
class Usage:
    input_tokens: int
    output_tokens: int
    cached_tokens: int
    reasoning_tokens: int


@dataclass(frozen=True, slots=True)
class Answer:
    text: str
    tool_calls: tuple[ToolCall, ...]
    finish: Finish
    stop_sequence: str | None
    usage: Usage

    @property
    def chunks(self) -> list[str]:
        return split_words(self.text)


def split_words(text: str) -> list[str]:
    """One chunk per word, each with its leading whitespace; the chunks join back to `text`."""
    chunks = _WORD.findall(text)
    if not chunks:
        return [text] if text else []
    rest = text[sum(len(c) for c in chunks) :]
    if rest:
        chunks[-1] += rest
    return chunks


def count_words(text: str) -> int:
    return len(text.split())


def input_tokens_for(chars: int) -> int:
    return math.ceil(chars / 4)


def split_fragments(text: str, size: int = 8) -> list[str]:
    """Pieces of a tool call's argument JSON, as providers stream them."""
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def sample_value(schema: Any) -> Any:
    """A deterministic value for one JSON-schema property."""
    if not isinstance(schema, Mapping):
        return None
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if str(k).lower() != "null"), "null")
    if kind is None:
        for key in ("anyOf", "oneOf"):
            options = schema.get(key)
            if isinstance(options, list) and options:
                usable = [o for o in options if isinstance(o, Mapping) and o.get("type") != "null"]
                return sample_value((usable or options)[0])
        return None
    # Gemini's OpenAPI-style schemas spell types in capitals ("STRING").
    return copy.copy(_SAMPLE_VALUES.get(str(kind).lower()))


def fill_properties(schema: Mapping[str, Any] | None) -> dict[str, Any]:
    properties = schema.get("properties") if isinstance(schema, Mapping) else None
    if not isinstance(properties, Mapping):
        return {}
    return {name: sample_value(prop) for name, prop in properties.items()}


def _base_text(prompt: Prompt) -> str:
    head = f"Simulated {prompt.provider} reply from {prompt.model}."
    if prompt.tool_results is not None:
        text = f"{head} Tool results: {' '.join(prompt.tool_results)}"
    else:
        text = f"{head} You said: {prompt.last_user_text[:LAST_USER_TEXT_LIMIT]}"
    if prompt.image_count:
        text += f" [images: {prompt.image_count}]"
    return text


def _chosen_tools(prompt: Prompt) -> list[ToolSpec]:
    if not prompt.tools or prompt.tool_results is not None or not prompt.last_is_user:
        return []
    if prompt.tool_choice == "none":
        return []
    if prompt.forced_tool is not None:
        forced = [t for t in prompt.tools if t.name == prompt.forced_tool]
        return forced[:1] or prompt.tools[:1]
    wants_parallel = bool(_PARALLEL_WORD.search(prompt.last_user_text))
    if wants_parallel and prompt.parallel_allowed and len(prompt.tools) >= 2:
        return prompt.tools[:2]
    return prompt.tools[:1]


def _cut(text: str, prompt: Prompt) -> tuple[str, Finish, str | None]:
    finish: Finish = "stop"
    matched: str | None = None
    hits = [(text.find(s), s) for s in prompt.stop if s and s in text]
    if hits:
        position, matched = min(hits)
        text, finish = text[:position], "stop_sequence"
    if prompt.max_tokens is not None:
        chunks = split_words(text)
        words = count_words(text)
        if prompt.max_tokens < words:
            text = "".join(chunks[: max(prompt.max_tokens, 0)])
            finish, matched = "length", None
    return text, finish, matched


def _usage(prompt: Prompt, output_tokens: int) -> Usage:
    input_tokens = input_tokens_for(prompt.text_chars)
    model = prompt.model.lower()
    return Usage(
        input_tokens=input_tokens,
        output_tokens=output_tokens,
        cached_tokens=input_tokens // 2 if "cache" in model else 0,
        reasoning_tokens=REASONING_TOKENS if "reason" in model else 0,
    )


def answer(prompt: Prompt) -> Answer:
    """Applies the module's rules to one request."""
    tools = _chosen_tools(prompt)
    if tools:
        calls = tuple(
            ToolCall(index=i, name=tool.name, arguments=fill_properties(tool.schema))
            for i, tool in enumerate(tools)
        )
        size = sum(len(call.arguments_json) for call in calls)
        return Answer("", calls, "tool_calls", None, _usage(prompt, math.ceil(size / 4)))
    text = _base_text(prompt)
    if prompt.json_mode == "schema":
        text = json.dumps(fill_properties(prompt.json_schema), ensure_ascii=False)
    elif prompt.json_mode == "object":
        text = json.dumps({"answer": text}, ensure_ascii=False)
    text, finish, matched = _cut(text, prompt)
    return Answer(text, (), finish, matched, _usage(prompt, count_words(text)))


def stop_list(value: Any) -> list[str]:
    """Stop sequences as the wire formats give them: one string or a list."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, Sequence):
        return [s for s in value if isinstance(s, str)]
    return []


def embedding_vector(text: str, dimensions: int = DEFAULT_EMBEDDING_DIMENSIONS) -> list[float]:
    """A unit-length float32 vector derived from SHA-256 of `text` (exact in base64 too)."""
    raw: list[float] = []
    counter = 0
    while len(raw) < dimensions:
        digest = hashlib.sha256(f"{counter}:{text}".encode()).digest()
        for (value,) in struct.iter_unpack("<I", digest):
            raw.append(value / 2**31 - 1.0)
        counter += 1
    raw = raw[:dimensions]
    norm = math.sqrt(sum(v * v for v in raw)) or 1.0
    packed = struct.pack(f"<{dimensions}f", *(v / norm for v in raw))
    return list(struct.unpack(f"<{dimensions}f", packed))


def embedding_bytes(vector: Sequence[float]) -> bytes:
    return struct.pack(f"<{len(vector)}f", *vector)
