"""OpenAI legacy Completions wire format (`/v1/completions`), client side.

A completions request becomes a canonical chat request with one user message and
`legacy_prompt` set: OpenAI-family adapters then send the client's own body to the upstream's
`/completions`, every other provider answers it as chat. Answers render as `text_completion`.
"""

from __future__ import annotations

import time
from typing import Any

import orjson

from interlock.errors import GatewayError
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    ChoiceEnd,
    Message,
    StreamChunk,
    TextDelta,
    TextPart,
    Usage,
    UsageReport,
)
from interlock.wire.fields import optional, ranged, required, wrong_type
from interlock.wire.openai_chat import parse_stop

# Canonical finish reasons a text completion can report; tool calls cannot happen here.
_FINISH_OUT = {"length": "length", "content_filter": "content_filter"}


def unsupported(param: str, message: str) -> GatewayError:
    return GatewayError("unsupported_parameter", message, param=param)


def parse_prompt(raw: Any) -> str:
    if isinstance(raw, str):
        return raw
    if isinstance(raw, list):
        if any(not isinstance(p, str) for p in raw):
            raise unsupported("prompt", "token-array prompts are not supported; send the text")
        if len(raw) == 1:
            return raw[0]
        raise unsupported(
            "prompt", "only one prompt per request is supported; send one request per prompt"
        )
    raise wrong_type("prompt", "a string", raw)


def parse_request(body: dict[str, Any]) -> ChatRequest:
    model = required(body, "model", str)
    prompt = parse_prompt(required(body, "prompt", object))
    if optional(body, "echo", bool):
        raise unsupported("echo", "'echo' is not supported by this gateway")
    if body.get("suffix") is not None:
        raise unsupported("suffix", "'suffix' (insertion) is not supported by this gateway")
    stream = optional(body, "stream", bool) or False
    stream_options = optional(body, "stream_options", dict) or {}
    n = optional(body, "n", int)
    ranged(n, "n", 1, 128)
    temperature = optional(body, "temperature", float)
    ranged(temperature, "temperature", 0, 2)
    top_p = optional(body, "top_p", float)
    ranged(top_p, "top_p", 0, 1)
    max_tokens = optional(body, "max_tokens", int)
    ranged(max_tokens, "max_tokens", 1, 10_000_000)
    logprobs = optional(body, "logprobs", int)
    ranged(logprobs, "logprobs", 0, 5)
    presence = optional(body, "presence_penalty", float)
    ranged(presence, "presence_penalty", -2, 2)
    frequency = optional(body, "frequency_penalty", float)
    ranged(frequency, "frequency_penalty", -2, 2)
    return ChatRequest(
        model=model,
        messages=[Message("user", [TextPart(prompt)])],
        max_tokens=max_tokens,
        temperature=temperature,
        top_p=top_p,
        stop=parse_stop(body.get("stop")),
        n=n or 1,
        seed=optional(body, "seed", int),
        # Legacy `logprobs: k` = the sampled token's logprob plus the k most likely alternatives.
        logprobs=logprobs is not None,
        top_logprobs=logprobs,
        presence_penalty=presence,
        frequency_penalty=frequency,
        stream=stream,
        include_usage=bool(stream and stream_options.get("include_usage")),
        user=optional(body, "user", str),
        raw=body,
        legacy_prompt=True,
    )


# ---- response: canonical → wire --------------------------------------------------------------------


def completion_id(request_id: str) -> str:
    return "cmpl-" + request_id.removeprefix("req_")


def usage_to_wire(u: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": u.input_tokens,
        "completion_tokens": u.output_tokens,
        "total_tokens": u.total_tokens,
    }


def legacy_logprobs(value: Any, offset: int = 0) -> dict[str, Any] | None:
    """Chat-style logprobs (`{"content": [...]}`) in the legacy shape, offsets from `offset`."""
    if not isinstance(value, dict):
        return None
    if "tokens" in value:  # already legacy
        return value
    content = value.get("content")
    if not isinstance(content, list):
        return None
    tokens, token_logprobs, top, offsets = [], [], [], []
    for entry in content:
        token = str(entry.get("token", ""))
        tokens.append(token)
        token_logprobs.append(entry.get("logprob"))
        top.append({t.get("token", ""): t.get("logprob") for t in entry.get("top_logprobs") or []})
        offsets.append(offset)
        offset += len(token)
    return {
        "tokens": tokens,
        "token_logprobs": token_logprobs,
        "top_logprobs": top,
        "text_offset": offsets,
    }


def render_response(resp: ChatResponse, rid: str, model: str) -> dict[str, Any]:
    return {
        "id": rid,
        "object": "text_completion",
        "created": resp.created or int(time.time()),
        "model": model,
        "choices": [
            {
                "text": c.text(),
                "index": c.index,
                "logprobs": legacy_logprobs(c.logprobs),
                "finish_reason": _FINISH_OUT.get(c.finish_reason or "stop", "stop"),
            }
            for c in resp.choices
        ],
        "usage": usage_to_wire(resp.usage),
        "system_fingerprint": resp.system_fingerprint,
    }


class ChunkRenderer:
    """Canonical stream chunks → `text_completion` SSE chunks.

    Same-family streams pass the upstream's frames through untouched, minus the usage-only frame
    the gateway asked for on behalf of a client that did not. Otherwise usage is summed and sent
    once, as the last chunk before `[DONE]`, as OpenAI does.
    """

    def __init__(self, rid: str, model: str, include_usage: bool, passthrough: bool) -> None:
        self.id = rid
        self.model = model
        self.include_usage = include_usage
        self.passthrough = passthrough
        self.created = int(time.time())
        self.usage: Usage | None = None
        self.offsets: dict[int, int] = {}

    def _frame(self, choices: list[dict[str, Any]], usage: Usage | None = None) -> bytes:
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "text_completion",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        }
        if self.include_usage:
            chunk["usage"] = usage_to_wire(usage) if usage is not None else None
        return b"data: " + orjson.dumps(chunk) + b"\n\n"

    def render(self, chunk: StreamChunk) -> bytes:
        if self.passthrough and chunk.raw is not None:
            usage_only = bool(chunk.events) and all(
                isinstance(e, UsageReport) for e in chunk.events
            )
            if usage_only and not self.include_usage:
                return b""
            return b"data: " + chunk.raw + b"\n\n"
        out: list[bytes] = []
        for e in chunk.events:
            if isinstance(e, TextDelta):
                offset = self.offsets.get(e.choice, 0)
                self.offsets[e.choice] = offset + len(e.text)
                choice = {
                    "text": e.text,
                    "index": e.choice,
                    "logprobs": legacy_logprobs(e.logprobs, offset),
                    "finish_reason": None,
                }
                out.append(self._frame([choice]))
            elif isinstance(e, ChoiceEnd):
                choice = {
                    "text": "",
                    "index": e.choice,
                    "logprobs": None,
                    "finish_reason": _FINISH_OUT.get(e.finish_reason, "stop"),
                }
                out.append(self._frame([choice]))
            elif isinstance(e, UsageReport):
                self.usage = self.usage or Usage()
                self.usage.add(e.usage)
        return b"".join(out)

    def done(self) -> bytes:
        tail = b""
        if self.include_usage and (not self.passthrough or self.usage is not None):
            tail = self._frame([], self.usage or Usage())
        return tail + b"data: [DONE]\n\n"
