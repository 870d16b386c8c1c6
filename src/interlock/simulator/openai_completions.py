"""OpenAI legacy completions (`POST /v1/completions`).

Each prompt is answered as if it were the last user message; with several prompts (and `n`)
the choices are ordered prompt by prompt, `index = prompt_index * n + choice`.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

from aiohttp import web

from interlock.simulator.answers import Answer, Prompt, answer, stop_list
from interlock.simulator.exchange import (
    Call,
    ErrorFactory,
    InvalidRequest,
    json_response,
    malformed_response,
    send_body,
    send_stream,
)
from interlock.simulator.openai_chat import (
    DONE,
    FINISH_REASONS,
    choice_count,
    malformed_chunks,
    openai_usage,
)
from interlock.simulator.sse import sse_event


def prompt_texts(value: Any) -> list[str]:
    """The prompts as text: a string, strings, or token arrays (rendered as their numbers)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(v, int) for v in value):
            return [" ".join(str(v) for v in value)]
        if all(isinstance(v, str) for v in value):
            return list(value)
        if all(isinstance(v, list) for v in value):
            return [" ".join(str(t) for t in v) for v in value]
    raise InvalidRequest("'prompt' must be a string, strings, or token arrays", "prompt")


def _answers(call: Call, body: dict[str, Any]) -> list[Answer]:
    texts = prompt_texts(body.get("prompt"))
    total_chars = sum(len(t) for t in texts)
    limit = body.get("max_tokens")
    results = []
    for text in texts:
        prompt = Prompt(provider=call.provider, model=call.model, last_user_text=text)
        prompt.text_chars = total_chars
        prompt.last_is_user = True
        prompt.max_tokens = limit if isinstance(limit, int) else None
        prompt.stop = stop_list(body.get("stop"))
        results.append(answer(prompt))
    return results


def _legacy_logprobs(tokens: list[str], top: int) -> dict[str, Any]:
    offsets, position = [], 0
    for token in tokens:
        offsets.append(position)
        position += len(token)
    return {
        "tokens": tokens,
        "token_logprobs": [-0.1] * len(tokens),
        "top_logprobs": [{t: -0.1} if top else {} for t in tokens],
        "text_offset": offsets,
    }


class CompletionRendering:
    def __init__(self, call: Call, body: dict[str, Any]) -> None:
        self.results = _answers(call, body)
        self.n = choice_count(body)
        logprobs = body.get("logprobs")
        self.logprobs = logprobs if isinstance(logprobs, int) and logprobs >= 0 else None
        options = body.get("stream_options")
        self.include_usage = isinstance(options, dict) and options.get("include_usage") is True
        self.head = {
            "id": call.state.next_id("cmpl-sim"),
            "object": "text_completion",
            "created": int(time.time()),
            "model": call.model,
            "system_fingerprint": "fp_sim",
        }

    def _indexed(self) -> Iterator[tuple[int, Answer]]:
        for p, result in enumerate(self.results):
            for c in range(self.n):
                yield p * self.n + c, result

    def usage(self) -> dict[str, Any]:
        usage = openai_usage(self.results[0], self.n)
        completion = sum(r.usage.output_tokens for r in self.results) * self.n
        usage["completion_tokens"] = completion
        usage["total_tokens"] = usage["prompt_tokens"] + completion
        return usage

    def _lp(self, tokens: list[str]) -> dict[str, Any] | None:
        return None if self.logprobs is None else _legacy_logprobs(tokens, self.logprobs)

    def completion(self) -> dict[str, Any]:
        choices = [
            {
                "text": result.text,
                "index": index,
                "logprobs": self._lp(result.chunks),
                "finish_reason": FINISH_REASONS[result.finish],
            }
            for index, result in self._indexed()
        ]
        return {**self.head, "choices": choices, "usage": self.usage()}

    def _chunk(self, choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> bytes:
        chunk: dict[str, Any] = {**self.head, "choices": choices}
        if self.include_usage:
            chunk["usage"] = usage
        return sse_event(chunk)

    def chunks(self) -> Iterator[bytes]:
        for index, result in self._indexed():
            for word in result.chunks:
                choice = {
                    "text": word,
                    "index": index,
                    "logprobs": self._lp([word]),
                    "finish_reason": None,
                }
                yield self._chunk([choice])
            finish = FINISH_REASONS[result.finish]
            yield self._chunk(
                [{"text": "", "index": index, "logprobs": None, "finish_reason": finish}]
            )
        if self.include_usage:
            yield self._chunk([], self.usage())
        yield DONE


async def answer_completion(call: Call, error: ErrorFactory) -> web.StreamResponse:
    body = call.body
    if not isinstance(body, dict):
        return error(400, "We could not parse the JSON body of your request.")
    try:
        rendering = CompletionRendering(call, body)
    except InvalidRequest as exc:
        return error(400, exc.message)
    if body.get("stream") is True:
        chunks = malformed_chunks() if call.malformed else rendering.chunks()
        return await send_stream(call, chunks, content_type="text/event-stream; charset=utf-8")
    bad = malformed_response(call)
    if bad is not None:
        return bad
    return await send_body(call, json_response(rendering.completion()))
