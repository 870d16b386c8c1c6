"""OpenAI chat completions: request parsing and response/stream rendering (shared with Azure).

Usage convention (as OpenAI reports it): `prompt_tokens` includes the cached tokens
(`prompt_tokens_details.cached_tokens`), and `completion_tokens` includes the reasoning tokens
(`completion_tokens_details.reasoning_tokens`); with `n` > 1 completion tokens add up over the
choices. Azure adds its content-filter annotations, including the real service's first stream
chunk that has empty `choices` and only `prompt_filter_results`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from interlock.simulator.answers import (
    Answer,
    Prompt,
    ToolSpec,
    answer,
    split_fragments,
    stop_list,
)
from interlock.simulator.exchange import (
    Call,
    ErrorFactory,
    InvalidRequest,
    json_response,
    malformed_response,
    send_body,
    send_stream,
)
from interlock.simulator.sse import sse_event

FINISH_REASONS = {
    "stop": "stop",
    "stop_sequence": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
}
SYSTEM_FINGERPRINT = "fp_sim"
DONE = b"data: [DONE]\n\n"

_SAFE = {"filtered": False, "severity": "safe"}
AZURE_FILTERS = {"hate": _SAFE, "self_harm": _SAFE, "sexual": _SAFE, "violence": _SAFE}


def text_parts(content: Any) -> list[str]:
    """The text of a message's `content`: a string, or a list of typed parts."""
    if isinstance(content, str):
        return [content]
    if isinstance(content, list):
        return [
            p["text"]
            for p in content
            if isinstance(p, dict) and p.get("type") in ("text", "input_text")
            if isinstance(p.get("text"), str)
        ]
    return []


def _count_images(content: Any) -> int:
    if not isinstance(content, list):
        return 0
    return sum(
        1
        for p in content
        if isinstance(p, dict) and p.get("type") in ("image_url", "input_image", "image")
    )


def chat_prompt(provider: str, model: str, body: dict[str, Any]) -> Prompt:
    messages = body.get("messages")
    if not isinstance(messages, list) or not messages:
        raise InvalidRequest("'messages' must be a non-empty array", "messages")
    prompt = Prompt(provider=provider, model=model)
    for message in messages:
        if not isinstance(message, dict) or "role" not in message:
            raise InvalidRequest("each message must be an object with a 'role'", "messages")
        for text in text_parts(message.get("content")):
            prompt.count_text(text)
        for _ in range(_count_images(message.get("content"))):
            prompt.count_image()
    last_role = messages[-1]["role"]
    if last_role in ("tool", "function"):
        trailing: list[str] = []
        for message in reversed(messages):
            if message["role"] not in ("tool", "function"):
                break
            trailing.insert(0, " ".join(text_parts(message.get("content"))))
        prompt.tool_results = trailing
    prompt.last_is_user = last_role == "user"
    users = [m for m in messages if m["role"] == "user"]
    if users:
        prompt.last_user_text = " ".join(text_parts(users[-1].get("content")))
    _read_tools(prompt, body)
    _read_response_format(prompt, body.get("response_format"))
    limit = body.get("max_completion_tokens", body.get("max_tokens"))
    prompt.max_tokens = limit if isinstance(limit, int) else None
    prompt.stop = stop_list(body.get("stop"))
    return prompt


def _read_tools(prompt: Prompt, body: dict[str, Any]) -> None:
    for tool in body.get("tools") or []:
        function = tool.get("function") if isinstance(tool, dict) else None
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            prompt.tools.append(ToolSpec(function["name"], function.get("parameters") or {}))
    for function in body.get("functions") or []:  # the deprecated pre-tools spelling
        if isinstance(function, dict) and isinstance(function.get("name"), str):
            prompt.tools.append(ToolSpec(function["name"], function.get("parameters") or {}))
    choice = body.get("tool_choice")
    if choice in ("none", "auto", "required"):
        prompt.tool_choice = choice
    elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        prompt.forced_tool = choice["function"].get("name")
    if body.get("parallel_tool_calls") is False:
        prompt.parallel_allowed = False


def _read_response_format(prompt: Prompt, response_format: Any) -> None:
    if not isinstance(response_format, dict):
        return
    kind = response_format.get("type")
    if kind == "json_object":
        prompt.json_mode = "object"
    elif kind == "json_schema":
        spec = response_format.get("json_schema") or {}
        prompt.json_mode = "schema"
        prompt.json_schema = spec.get("schema") if isinstance(spec, dict) else None


def choice_count(body: dict[str, Any]) -> int:
    n = body.get("n", 1)
    if n is None:
        return 1
    if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= 128:
        raise InvalidRequest("'n' must be an integer between 1 and 128", "n")
    return n


def openai_usage(result: Answer, n: int = 1) -> dict[str, Any]:
    usage = result.usage
    reasoning = usage.reasoning_tokens * n
    completion = usage.output_tokens * n + reasoning
    return {
        "prompt_tokens": usage.input_tokens,
        "completion_tokens": completion,
        "total_tokens": usage.input_tokens + completion,
        "prompt_tokens_details": {"cached_tokens": usage.cached_tokens, "audio_tokens": 0},
        "completion_tokens_details": {
            "reasoning_tokens": reasoning,
            "audio_tokens": 0,
            "accepted_prediction_tokens": 0,
            "rejected_prediction_tokens": 0,
        },
    }


def token_logprob(token: str, top: int) -> dict[str, Any]:
    """One token's logprob entry; the alternatives are fixed, lower-probability stand-ins."""
    entry: dict[str, Any] = {"token": token, "logprob": -0.1, "bytes": list(token.encode())}
    alternatives = [token] + [f"<alt{j}>" for j in range(1, top)]
    entry["top_logprobs"] = [
        {"token": alt, "logprob": -0.1 - j, "bytes": list(alt.encode())}
        for j, alt in enumerate(alternatives[:top])
    ]
    return entry


def _tool_call_objects(result: Answer) -> list[dict[str, Any]]:
    return [
        {
            "id": f"call_sim_{tc.index}",
            "type": "function",
            "function": {"name": tc.name, "arguments": tc.arguments_json},
        }
        for tc in result.tool_calls
    ]


class ChatRendering:
    """Renders one answer as an OpenAI (or Azure) chat completion, whole or streamed."""

    def __init__(self, call: Call, result: Answer, body: dict[str, Any], *, azure: bool) -> None:
        self.result = result
        self.azure = azure
        self.n = choice_count(body)
        self.logprobs = body.get("logprobs") is True
        top = body.get("top_logprobs")
        self.top_logprobs = top if isinstance(top, int) and not isinstance(top, bool) else 0
        options = body.get("stream_options")
        self.include_usage = isinstance(options, dict) and options.get("include_usage") is True
        self.head = {
            "id": call.state.next_id("chatcmpl-sim"),
            "created": int(time.time()),
            "model": call.model,
            "system_fingerprint": SYSTEM_FINGERPRINT,
        }

    @property
    def finish_reason(self) -> str:
        return FINISH_REASONS[self.result.finish]

    def _logprobs(self, tokens: list[str]) -> dict[str, Any] | None:
        if not self.logprobs:
            return None
        content = [token_logprob(t, self.top_logprobs) for t in tokens]
        return {"content": content, "refusal": None}

    def completion(self) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": None, "refusal": None}
        if self.result.tool_calls:
            message["tool_calls"] = _tool_call_objects(self.result)
        else:
            message["content"] = self.result.text
        message["annotations"] = []
        choices = []
        for index in range(self.n):
            choice: dict[str, Any] = {
                "index": index,
                "message": message,
                "logprobs": self._logprobs(self.result.chunks),
                "finish_reason": self.finish_reason,
            }
            if self.azure:
                choice["content_filter_results"] = AZURE_FILTERS
            choices.append(choice)
        body: dict[str, Any] = {
            **self.head,
            "object": "chat.completion",
            "choices": choices,
            "usage": openai_usage(self.result, self.n),
        }
        if self.azure:
            body["prompt_filter_results"] = [
                {"prompt_index": 0, "content_filter_results": AZURE_FILTERS}
            ]
        else:
            body["service_tier"] = "default"
        return body

    def _chunk(self, choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> bytes:
        chunk: dict[str, Any] = {**self.head, "object": "chat.completion.chunk", "choices": choices}
        if self.include_usage:
            chunk["usage"] = usage
        return sse_event(chunk)

    def _choice(
        self,
        index: int,
        delta: dict[str, Any],
        finish: str | None = None,
        logprobs: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        choice: dict[str, Any] = {
            "index": index,
            "delta": delta,
            "logprobs": logprobs,
            "finish_reason": finish,
        }
        if self.azure:
            choice["content_filter_results"] = AZURE_FILTERS if delta.get("content") else {}
        return choice

    def chunks(self) -> Iterator[bytes]:
        if self.azure:
            yield sse_event(
                {
                    "choices": [],
                    "created": 0,
                    "id": "",
                    "model": "",
                    "object": "",
                    "prompt_filter_results": [
                        {"prompt_index": 0, "content_filter_results": AZURE_FILTERS}
                    ],
                }
            )
        tool_calls = self.result.tool_calls
        for index in range(self.n):
            role = {"role": "assistant", "content": None if tool_calls else "", "refusal": None}
            yield self._chunk([self._choice(index, role)])
        if tool_calls:
            yield from self._tool_call_chunks()
        else:
            for word in self.result.chunks:
                for index in range(self.n):
                    choice = self._choice(index, {"content": word}, None, self._logprobs([word]))
                    yield self._chunk([choice])
        for index in range(self.n):
            yield self._chunk([self._choice(index, {}, self.finish_reason)])
        if self.include_usage:
            yield self._chunk([], openai_usage(self.result, self.n))
        yield DONE

    def _tool_call_chunks(self) -> Iterator[bytes]:
        for tc in self.result.tool_calls:
            opening = {
                "index": tc.index,
                "id": f"call_sim_{tc.index}",
                "type": "function",
                "function": {"name": tc.name, "arguments": ""},
            }
            for index in range(self.n):
                yield self._chunk([self._choice(index, {"tool_calls": [opening]})])
            for fragment in split_fragments(tc.arguments_json):
                delta = {"tool_calls": [{"index": tc.index, "function": {"arguments": fragment}}]}
                for index in range(self.n):
                    yield self._chunk([self._choice(index, delta)])


def malformed_chunks() -> Iterator[bytes]:
    yield sse_event(b'{"id": "chatcmpl-sim", "choices": [{"delta": ')
    yield DONE


async def answer_chat(call: Call, error: ErrorFactory, *, azure: bool) -> web.StreamResponse:
    """Answers a chat completion call for OpenAI or Azure after intake."""
    body = call.body
    if not isinstance(body, dict):
        return error(400, "We could not parse the JSON body of your request.")
    streaming = body.get("stream") is True
    try:
        prompt = chat_prompt(call.provider, call.model, body)
        rendering = ChatRendering(call, answer(prompt), body, azure=azure)
    except InvalidRequest as exc:
        return error(400, exc.message)
    if streaming:
        chunks = malformed_chunks() if call.malformed else rendering.chunks()
        return await send_stream(call, chunks, content_type="text/event-stream; charset=utf-8")
    bad = malformed_response(call)
    if bad is not None:
        return bad
    return await send_body(call, json_response(rendering.completion()))
