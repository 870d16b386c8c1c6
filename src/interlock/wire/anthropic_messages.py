"""Anthropic Messages wire format, both directions.

Ingress uses `parse_request`, `render_response` and `MessageStreamRenderer`; the Anthropic
provider adapter uses `build_request`, `decode_response` and `StreamEventDecoder`. One module
keeps both halves consistent.

Usage convention: canonical `Usage.input_tokens` counts every prompt token, cached or not (as
OpenAI's `prompt_tokens` does), while Anthropic's `input_tokens` counts only the uncached part.
Decoding adds `cache_read_input_tokens` and `cache_creation_input_tokens` back in; rendering
takes them out again, so the numbers round-trip exactly.
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from interlock.errors import GatewayError
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    Choice,
    ChoiceEnd,
    FinishReason,
    ImagePart,
    Message,
    Part,
    ResponseFormat,
    StreamChunk,
    StreamEvent,
    StreamStart,
    TextDelta,
    TextPart,
    Tool,
    ToolCall,
    ToolCallDelta,
    ToolCallStart,
    ToolChoice,
    ToolResult,
    Usage,
    UsageReport,
)
from interlock.wire.fields import check, optional, ranged, required, wrong_type

# Anthropic requires max_tokens; clients of other wire formats often leave it out.
DEFAULT_MAX_TOKENS = 4096

# Fields the canonical form models; everything else in an Anthropic body (thinking,
# service_tier, ...) passes through untouched when the upstream speaks Anthropic too.
_MODELED = frozenset(
    [
        "model",
        "messages",
        "system",
        "max_tokens",
        "tools",
        "tool_choice",
        "stop_sequences",
        "temperature",
        "top_p",
        "top_k",
        "metadata",
        "stream",
    ]
)

STOP_IN: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "refusal": "content_filter",
}

STOP_OUT: dict[str, str] = {
    "stop": "end_turn",
    "length": "max_tokens",
    "tool_calls": "tool_use",
    "content_filter": "refusal",
    "error": "end_turn",  # Anthropic has no error stop reason; errors travel as error events
}

# Assistant-history blocks the canonical form does not carry. Other providers do not need
# them; an Anthropic upstream gets them through the raw body on the fast path.
_IGNORED_BLOCKS = frozenset(["thinking", "redacted_thinking"])

# ---- request: wire → canonical ---------------------------------------------------------------


def _image(block: dict[str, Any], p: str) -> ImagePart:
    source = required(block, "source", dict, f"{p}.source")
    kind = required(source, "type", str, f"{p}.source.type")
    if kind == "base64":
        return ImagePart(
            data=required(source, "data", str, f"{p}.source.data"),
            media_type=required(source, "media_type", str, f"{p}.source.media_type"),
        )
    if kind == "url":
        return ImagePart(url=required(source, "url", str, f"{p}.source.url"))
    raise GatewayError(
        "unsupported_parameter",
        f"'{p}.source.type' must be base64 or url, got '{kind}'",
        param=f"{p}.source.type",
    )


def _result_content(content: Any, p: str) -> list[TextPart | ImagePart]:
    if content is None:
        return []
    if isinstance(content, str):
        return [TextPart(content)]
    if not isinstance(content, list):
        raise wrong_type(p, "a string or an array of content blocks", content)
    out: list[TextPart | ImagePart] = []
    for i, block in enumerate(content):
        bp = f"{p}[{i}]"
        check(block, dict, bp)
        kind = required(block, "type", str, f"{bp}.type")
        if kind == "text":
            out.append(TextPart(required(block, "text", str, f"{bp}.text")))
        elif kind == "image":
            out.append(_image(block, bp))
        else:
            raise GatewayError(
                "unsupported_parameter",
                f"'{bp}.type': tool_result content block type '{kind}' is not supported",
                param=f"{bp}.type",
            )
    return out


def _blocks(content: Any, role: str, p: str) -> list[Part]:
    if isinstance(content, str):
        return [TextPart(content)]
    if not isinstance(content, list):
        raise wrong_type(p, "a string or an array of content blocks", content)
    parts: list[Part] = []
    for i, block in enumerate(content):
        bp = f"{p}[{i}]"
        check(block, dict, bp)
        kind = required(block, "type", str, f"{bp}.type")
        if kind == "text":
            parts.append(TextPart(required(block, "text", str, f"{bp}.text")))
        elif kind == "image" and role == "user":
            parts.append(_image(block, bp))
        elif kind == "tool_use" and role == "assistant":
            arguments = required(block, "input", dict, f"{bp}.input")
            parts.append(
                ToolCall(
                    id=required(block, "id", str, f"{bp}.id"),
                    name=required(block, "name", str, f"{bp}.name"),
                    arguments=orjson.dumps(arguments).decode(),
                )
            )
        elif kind == "tool_result" and role == "user":
            parts.append(
                ToolResult(
                    tool_call_id=required(block, "tool_use_id", str, f"{bp}.tool_use_id"),
                    content=_result_content(block.get("content"), f"{bp}.content"),
                    is_error=optional(block, "is_error", bool, f"{bp}.is_error") or False,
                )
            )
        elif kind in _IGNORED_BLOCKS and role == "assistant":
            continue
        elif kind in ("image", "tool_use", "tool_result"):
            raise GatewayError(
                "invalid_value",
                f"'{bp}.type': a '{kind}' block is not allowed in a {role} message",
                param=f"{bp}.type",
            )
        else:
            raise GatewayError(
                "unsupported_parameter",
                f"'{bp}.type': content block type '{kind}' is not supported",
                param=f"{bp}.type",
            )
    return parts


def parse_system(raw: Any, param: str = "system") -> Message | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        return Message("system", [TextPart(raw)])
    if not isinstance(raw, list):
        raise wrong_type(param, "a string or an array of text blocks", raw)
    parts: list[Part] = []
    for i, block in enumerate(raw):
        p = f"{param}[{i}]"
        check(block, dict, p)
        kind = required(block, "type", str, f"{p}.type")
        if kind != "text":
            raise GatewayError(
                "invalid_value", f"'{p}.type' must be 'text', got '{kind}'", param=f"{p}.type"
            )
        parts.append(TextPart(required(block, "text", str, f"{p}.text")))
    return Message("system", parts)


def parse_messages(raw: Any, param: str = "messages") -> list[Message]:
    """Anthropic turns → canonical messages.

    A user turn's tool_result blocks become canonical `tool` messages (one per result, in
    order) ahead of the rest of the turn, as OpenAI-style providers expect; each result
    carries the name of the tool call it answers, which Gemini matches on.
    """
    check(raw, list, param)
    if not raw:
        raise GatewayError("invalid_value", f"'{param}' must not be empty", param=param)
    names: dict[str, str] = {}
    messages: list[Message] = []
    for i, m in enumerate(raw):
        p = f"{param}[{i}]"
        check(m, dict, p)
        role = required(m, "role", str, f"{p}.role")
        if role not in ("user", "assistant"):
            hint = " (use the top-level 'system' parameter)" if role == "system" else ""
            raise GatewayError(
                "invalid_value", f"'{p}.role' must be user or assistant{hint}", param=f"{p}.role"
            )
        parts = _blocks(required(m, "content", object, f"{p}.content"), role, f"{p}.content")
        if role == "assistant":
            names.update((c.id, c.name) for c in parts if isinstance(c, ToolCall))
            messages.append(Message("assistant", parts))
            continue
        rest: list[Part] = []
        for part in parts:
            if isinstance(part, ToolResult):
                part.name = names.get(part.tool_call_id)
                messages.append(Message("tool", [part]))
            else:
                rest.append(part)
        if rest or not any(isinstance(part, ToolResult) for part in parts):
            messages.append(Message("user", rest))
    return messages


def parse_tools(raw: Any, param: str = "tools") -> list[Tool]:
    check(raw, list, param)
    tools = []
    for i, t in enumerate(raw):
        p = f"{param}[{i}]"
        check(t, dict, p)
        kind = optional(t, "type", str, f"{p}.type")
        if kind not in (None, "custom"):
            raise GatewayError(
                "unsupported_parameter",
                f"'{p}.type': server tool type '{kind}' is not supported; define a custom tool",
                param=f"{p}.type",
            )
        tools.append(
            Tool(
                name=required(t, "name", str, f"{p}.name"),
                description=optional(t, "description", str, f"{p}.description"),
                parameters=required(t, "input_schema", dict, f"{p}.input_schema"),
                strict=optional(t, "strict", bool, f"{p}.strict"),
            )
        )
    return tools


def parse_tool_choice(
    raw: Any, param: str = "tool_choice"
) -> tuple[ToolChoice | None, bool | None]:
    """The canonical tool choice and `parallel_tool_calls` (from `disable_parallel_tool_use`)."""
    if raw is None:
        return None, None
    check(raw, dict, param)
    kind = required(raw, "type", str, f"{param}.type")
    modes = {"auto": "auto", "any": "required", "none": "none", "tool": "tool"}
    if kind not in modes:
        raise GatewayError(
            "invalid_value",
            f"'{param}.type' must be auto, any, tool or none",
            param=f"{param}.type",
        )
    name = required(raw, "name", str, f"{param}.name") if kind == "tool" else None
    disable = optional(raw, "disable_parallel_tool_use", bool, f"{param}.disable_parallel_tool_use")
    choice = ToolChoice(modes[kind], name)  # type: ignore[arg-type]
    return choice, None if disable is None else not disable


def parse_request(body: dict[str, Any], *, counting: bool = False) -> ChatRequest:
    """An Anthropic `/v1/messages` body → canonical request.

    `counting`: the body is for `/v1/messages/count_tokens`, which takes no max_tokens.
    """
    model = required(body, "model", str)
    max_tokens = (
        optional(body, "max_tokens", int) if counting else required(body, "max_tokens", int)
    )
    ranged(max_tokens, "max_tokens", 1, 10_000_000)
    messages = parse_messages(required(body, "messages", list))
    system = parse_system(body.get("system"))
    if system is not None:
        messages.insert(0, system)
    temperature = optional(body, "temperature", float)
    ranged(temperature, "temperature", 0, 1)
    top_p = optional(body, "top_p", float)
    ranged(top_p, "top_p", 0, 1)
    top_k = optional(body, "top_k", int)
    ranged(top_k, "top_k", 0, 1_000_000)
    stop = optional(body, "stop_sequences", list) or []
    for i, s in enumerate(stop):
        check(s, str, f"stop_sequences[{i}]")
    metadata = optional(body, "metadata", dict) or {}
    tool_choice, parallel = parse_tool_choice(body.get("tool_choice"))
    return ChatRequest(
        model=model,
        messages=messages,
        tools=parse_tools(body["tools"]) if body.get("tools") is not None else [],
        tool_choice=tool_choice,
        parallel_tool_calls=parallel,
        max_tokens=max_tokens,
        temperature=temperature,
        top_p=top_p,
        top_k=top_k,
        stop=stop,
        stream=optional(body, "stream", bool) or False,
        user=optional(metadata, "user_id", str, "metadata.user_id"),
        raw=body,
    )


# ---- request: canonical → wire -----------------------------------------------------------------


def _image_to_wire(p: ImagePart) -> dict[str, Any]:
    if p.data is not None:
        source = {"type": "base64", "media_type": p.media_type or "image/png", "data": p.data}
    else:
        source = {"type": "url", "url": p.url or ""}
    return {"type": "image", "source": source}


def _result_to_wire(r: ToolResult) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": r.tool_call_id}
    if r.content:
        if all(isinstance(c, TextPart) for c in r.content):
            block["content"] = r.text()
        else:
            block["content"] = [
                {"type": "text", "text": c.text} if isinstance(c, TextPart) else _image_to_wire(c)
                for c in r.content
            ]
    if r.is_error:
        block["is_error"] = True
    return block


def _part_to_wire(p: Part) -> dict[str, Any] | None:
    if isinstance(p, TextPart):
        # Anthropic refuses empty text blocks; an empty part carries nothing anyway.
        return {"type": "text", "text": p.text} if p.text else None
    if isinstance(p, ImagePart):
        return _image_to_wire(p)
    if isinstance(p, ToolCall):
        return {"type": "tool_use", "id": p.id, "name": p.name, "input": tool_input(p.arguments)}
    return _result_to_wire(p)


def _json_instruction(rf: ResponseFormat | None) -> str | None:
    # Anthropic has no native JSON mode: the closest faithful equivalent is to tell the model,
    # in the system prompt, to answer with JSON only (matching the schema when one is given).
    if rf is None or rf.type == "text":
        return None
    if rf.type == "json_schema":
        schema = orjson.dumps(rf.schema or {}).decode()
        return (
            "Respond only with a JSON value that matches this JSON schema, with no other text "
            f"before or after it: {schema}"
        )
    return "Respond only with a valid JSON object, with no other text before or after it."


def messages_to_wire(messages: list[Message]) -> tuple[list[dict[str, Any]], list[str]]:
    """Canonical messages → (Anthropic turns, system texts).

    System messages are hoisted, `tool` results become user tool_result blocks, and consecutive
    turns of the same role are merged, since Anthropic requires user and assistant to alternate.
    Within a user turn tool_result blocks come first, as Anthropic requires.
    """
    system: list[str] = []
    turns: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "system":
            text = m.text()
            if text:
                system.append(text)
            continue
        role = "assistant" if m.role == "assistant" else "user"
        blocks = [b for b in map(_part_to_wire, m.parts) if b is not None]
        if not blocks:
            continue
        if turns and turns[-1]["role"] == role:
            turns[-1]["content"].extend(blocks)
        else:
            turns.append({"role": role, "content": blocks})
    for turn in turns:
        if turn["role"] == "user":
            turn["content"].sort(key=lambda b: b["type"] != "tool_result")  # stable: keeps order
    return turns, system


def _tool_choice_to_wire(req: ChatRequest) -> dict[str, Any] | None:
    tc = req.tool_choice
    mode = tc.mode if tc is not None else "auto"
    if mode == "none":
        return {"type": "none"}
    out: dict[str, Any] = {"type": {"auto": "auto", "required": "any", "tool": "tool"}[mode]}
    if mode == "tool" and tc is not None:
        out["name"] = tc.name
    if req.parallel_tool_calls is False:
        out["disable_parallel_tool_use"] = True
    if tc is None and len(out) == 1:
        return None  # nothing the default does not already say
    return out


def build_request(req: ChatRequest, upstream_model: str, same_wire: bool) -> dict[str, Any]:
    """The Anthropic body for this request. `same_wire`: the client spoke Anthropic too."""
    if req.n != 1:
        raise GatewayError(
            "unsupported_parameter", "Anthropic models return one choice; 'n' must be 1", param="n"
        )
    if req.logprobs:
        raise GatewayError(
            "unsupported_parameter", "Anthropic models do not return logprobs", param="logprobs"
        )
    if same_wire and req.raw is not None and not req.modified:
        body = dict(req.raw)  # fast path: the client's own body, model replaced
        body["model"] = upstream_model
        return body
    body = {k: v for k, v in req.raw.items() if k not in _MODELED} if same_wire and req.raw else {}
    turns, system = messages_to_wire(req.messages)
    instruction = _json_instruction(req.response_format)
    if instruction:
        system.append(instruction)
    body["model"] = upstream_model
    body["max_tokens"] = req.max_tokens or DEFAULT_MAX_TOKENS
    if system:
        body["system"] = (
            system[0] if len(system) == 1 else [{"type": "text", "text": s} for s in system]
        )
    body["messages"] = turns
    if req.tools:
        body["tools"] = [
            {
                "name": t.name,
                **({"description": t.description} if t.description else {}),
                "input_schema": t.parameters or {"type": "object", "properties": {}},
            }
            for t in req.tools
        ]
        choice = _tool_choice_to_wire(req)
        if choice is not None:
            body["tool_choice"] = choice
    if req.temperature is not None:
        # Anthropic's range is 0–1 where OpenAI's is 0–2: clamp rather than fail the request.
        body["temperature"] = min(req.temperature, 1.0)
    for key, value in (("top_p", req.top_p), ("top_k", req.top_k)):
        if value is not None:
            body[key] = value
    if req.stop:
        body["stop_sequences"] = req.stop
    if req.user:
        body["metadata"] = {"user_id": req.user}
    if req.stream:
        body["stream"] = True
    return body


# ---- response: wire → canonical ----------------------------------------------------------------


def decode_usage(raw: dict[str, Any] | None) -> Usage:
    if not raw:
        return Usage()
    cached = int(raw.get("cache_read_input_tokens") or 0)
    written = int(raw.get("cache_creation_input_tokens") or 0)
    return Usage(
        input_tokens=int(raw.get("input_tokens") or 0) + cached + written,
        output_tokens=int(raw.get("output_tokens") or 0),
        cached_input_tokens=cached,
        cache_write_tokens=written,
    )


def _arguments(value: Any) -> str:
    return orjson.dumps(value if value is not None else {}).decode()


def decode_response(body: dict[str, Any]) -> ChatResponse:
    parts: list[TextPart | ToolCall] = []
    for block in body.get("content") or ():
        kind = block.get("type")
        if kind == "text":
            parts.append(TextPart(block.get("text") or ""))
        elif kind == "tool_use":
            parts.append(
                ToolCall(block.get("id", ""), block.get("name", ""), _arguments(block.get("input")))
            )
    reason = STOP_IN.get(body.get("stop_reason") or "end_turn", "stop")
    return ChatResponse(
        id=str(body.get("id", "")),
        model=str(body.get("model", "")),
        choices=[Choice(0, parts, reason)],
        usage=decode_usage(body.get("usage")),
        raw=body,
    )


class StreamEventDecoder:
    """Anthropic stream events (parsed JSON, any transport) → canonical stream events.

    Also usable for Anthropic-on-Bedrock, whose stream carries the same event objects.
    """

    __slots__ = ("_tool_blocks", "done", "usage")

    def __init__(self) -> None:
        self._tool_blocks: dict[int, int] = {}  # content block index → tool call index
        self.usage: dict[str, Any] = {}
        self.done = False

    def event(self, frame: dict[str, Any]) -> list[StreamEvent]:
        kind = frame.get("type")
        if kind == "message_start":
            message = frame.get("message") or {}
            # Held until message_delta: one usage report per stream, at its end, as OpenAI-style
            # renderers expect (they turn each report into a usage chunk).
            self.usage = dict(message.get("usage") or {})
            return [StreamStart(str(message.get("id", "")), str(message.get("model", "")))]
        if kind == "content_block_start":
            return self._block_start(int(frame.get("index", 0)), frame.get("content_block") or {})
        if kind == "content_block_delta":
            index = int(frame.get("index", 0))
            delta = frame.get("delta") or {}
            dtype = delta.get("type")
            if dtype == "text_delta" and delta.get("text"):
                return [TextDelta(delta["text"])]
            if dtype == "input_json_delta" and delta.get("partial_json"):
                tool = self._tool_blocks.get(index)
                if tool is not None:
                    return [ToolCallDelta(tool, delta["partial_json"])]
            return []  # thinking, signature and citation deltas have no canonical form
        if kind == "message_delta":
            # Usage here is cumulative; fields it leaves out keep their message_start values.
            self.usage.update(
                {k: v for k, v in (frame.get("usage") or {}).items() if v is not None}
            )
            delta = frame.get("delta") or {}
            events: list[StreamEvent] = []
            if delta.get("stop_reason"):
                events.append(ChoiceEnd(STOP_IN.get(delta["stop_reason"], "stop")))
            events.append(UsageReport(decode_usage(self.usage)))
            return events
        if kind == "message_stop":
            self.done = True
        # content_block_stop, ping and event types added later carry nothing canonical.
        return []

    def _block_start(self, index: int, block: dict[str, Any]) -> list[StreamEvent]:
        kind = block.get("type")
        if kind == "text":
            return [TextDelta(block["text"])] if block.get("text") else []
        if kind == "tool_use":
            tool = len(self._tool_blocks)
            self._tool_blocks[index] = tool
            events: list[StreamEvent] = [
                ToolCallStart(tool, str(block.get("id", "")), str(block.get("name", "")))
            ]
            if block.get("input"):  # normally {} with the input streamed as deltas
                events.append(ToolCallDelta(tool, _arguments(block["input"])))
            return events
        return []


# ---- response: canonical → wire ----------------------------------------------------------------


def usage_to_wire(u: Usage) -> dict[str, int]:
    return {
        "input_tokens": max(0, u.input_tokens - u.cached_input_tokens - u.cache_write_tokens),
        "output_tokens": u.output_tokens,
        "cache_creation_input_tokens": u.cache_write_tokens,
        "cache_read_input_tokens": u.cached_input_tokens,
    }


def tool_input(arguments: str) -> dict[str, Any]:
    """A tool call's JSON arguments as Anthropic's `input` object.

    Text that is not a JSON object (a model can emit broken JSON) is kept under `_raw` rather
    than dropped, so the client can see what the model produced.
    """
    if not arguments.strip():
        return {}
    try:
        value = orjson.loads(arguments)
    except orjson.JSONDecodeError:
        return {"_raw": arguments}
    return value if isinstance(value, dict) else {"_raw": arguments}


def message_id(upstream_id: str, request_id: str) -> str:
    if upstream_id.startswith("msg_"):
        return upstream_id
    return "msg_" + (request_id.removeprefix("req_") or os.urandom(12).hex())


def render_response(
    resp: ChatResponse, model: str, passthrough: bool, request_id: str
) -> dict[str, Any]:
    if passthrough and resp.raw is not None:
        return resp.raw
    choice = resp.choices[0] if resp.choices else Choice(0, [], "stop")
    content: list[dict[str, Any]] = []
    for p in choice.parts:
        if isinstance(p, TextPart):
            if p.text:
                content.append({"type": "text", "text": p.text})
        else:
            content.append(
                {"type": "tool_use", "id": p.id, "name": p.name, "input": tool_input(p.arguments)}
            )
    return {
        "id": message_id(resp.id, request_id),
        "type": "message",
        "role": "assistant",
        "model": model,
        "content": content,
        "stop_reason": STOP_OUT.get(choice.finish_reason or "stop", "end_turn"),
        "stop_sequence": None,
        "usage": usage_to_wire(resp.usage),
    }


def _event(kind: str, data: dict[str, Any]) -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(data) + b"\n\n"


class MessageStreamRenderer:
    """Canonical stream chunks → Anthropic's SSE event sequence.

    message_start, then per content block content_block_start/delta.../stop (text_delta or
    input_json_delta), then message_delta with stop_reason and usage, then message_stop. The
    stop reason and usage are held back to the end: OpenAI-style upstreams report usage after
    the finish reason, and Anthropic wants both in message_delta. With `passthrough` (the
    upstream speaks Anthropic) the upstream's own frames are sent as they came.
    """

    def __init__(self, request_id: str, model: str, passthrough: bool = False) -> None:
        # passthrough: the upstream speaks Anthropic too, and its frames are sent as they were.
        self.passthrough = passthrough
        self.id = message_id("", request_id)
        self.model = model
        self.block = -1  # index of the open content block, -1 when none is open
        self.block_kind: str | None = None
        self.tool_blocks: dict[int, int] = {}  # tool call index → content block index
        self.stop_reason: str | None = None
        self.usage = Usage()

    def start(self) -> bytes:
        if self.passthrough:
            return b""  # the upstream's own message_start follows
        message = {
            "id": self.id,
            "type": "message",
            "role": "assistant",
            "model": self.model,
            "content": [],
            "stop_reason": None,
            "stop_sequence": None,
            "usage": usage_to_wire(Usage()),
        }
        return _event("message_start", {"type": "message_start", "message": message})

    def _close(self) -> bytes:
        if self.block_kind is None:
            return b""
        self.block_kind = None
        return _event("content_block_stop", {"type": "content_block_stop", "index": self.block})

    def _open(self, block: dict[str, Any]) -> bytes:
        out = self._close()
        self.block += 1
        self.block_kind = block["type"]
        start = {"type": "content_block_start", "index": self.block, "content_block": block}
        return out + _event("content_block_start", start)

    def _delta(self, index: int, delta: dict[str, Any]) -> bytes:
        return _event(
            "content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta}
        )

    def render(self, chunk: StreamChunk) -> bytes:
        if self.passthrough and chunk.raw is not None:
            return chunk.raw
        out = []
        for e in chunk.events:
            if isinstance(e, UsageReport):
                self.usage.add(e.usage)
            elif getattr(e, "choice", 0) != 0:
                continue  # Anthropic has one choice; the ingress never asks for more
            elif isinstance(e, TextDelta):
                if self.block_kind != "text":
                    out.append(self._open({"type": "text", "text": ""}))
                out.append(self._delta(self.block, {"type": "text_delta", "text": e.text}))
            elif isinstance(e, ToolCallStart):
                out.append(
                    self._open({"type": "tool_use", "id": e.id, "name": e.name, "input": {}})
                )
                self.tool_blocks[e.index] = self.block
            elif isinstance(e, ToolCallDelta):
                index = self.tool_blocks.get(e.index)
                if index is not None and e.arguments:
                    delta = {"type": "input_json_delta", "partial_json": e.arguments}
                    out.append(self._delta(index, delta))
            elif isinstance(e, ChoiceEnd):
                out.append(self._close())
                self.stop_reason = STOP_OUT.get(e.finish_reason, "end_turn")
        return b"".join(out)

    def finish(self) -> bytes:
        if self.passthrough:
            return b""  # the upstream's message_delta and message_stop were passed through
        stop = self.stop_reason or ("tool_use" if self.tool_blocks else "end_turn")
        delta = {
            "type": "message_delta",
            "delta": {"stop_reason": stop, "stop_sequence": None},
            "usage": usage_to_wire(self.usage),
        }
        return (
            self._close()
            + _event("message_delta", delta)
            + _event("message_stop", {"type": "message_stop"})
        )


def render_error_event(body: dict[str, Any]) -> bytes:
    # The anthropic SDKs raise an APIStatusError when the stream carries an `error` event.
    return _event("error", body)
