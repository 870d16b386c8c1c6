"""OpenAI Chat Completions wire format, both directions.

Ingress uses `parse_request` and the `render_*` functions; the OpenAI-family provider adapters
use `build_request` and the `decode_*` functions. One module keeps both halves consistent.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
    Role,
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

# Fields the canonical form models; everything else in an OpenAI body passes through untouched
# when the upstream speaks OpenAI too.
_MODELED = frozenset(
    [
        "model",
        "messages",
        "tools",
        "tool_choice",
        "parallel_tool_calls",
        "max_tokens",
        "max_completion_tokens",
        "temperature",
        "top_p",
        "stop",
        "n",
        "seed",
        "logprobs",
        "top_logprobs",
        "presence_penalty",
        "frequency_penalty",
        "response_format",
        "stream",
        "stream_options",
        "user",
        "metadata",
    ]
)

_FINISH_IN: dict[str, FinishReason] = {
    "stop": "stop",
    "length": "length",
    "tool_calls": "tool_calls",
    "function_call": "tool_calls",
    "content_filter": "content_filter",
}

# ---- request: wire → canonical ---------------------------------------------------------------


def _content_parts(content: Any, param: str, allow_images: bool = True) -> list[Part]:
    if isinstance(content, str):
        return [TextPart(content)]
    if not isinstance(content, list):
        raise wrong_type(param, "a string or an array of content parts", content)
    parts: list[Part] = []
    for i, item in enumerate(content):
        p = f"{param}[{i}]"
        check(item, dict, p)
        kind = required(item, "type", str, f"{p}.type")
        if kind == "text":
            parts.append(TextPart(required(item, "text", str, f"{p}.text")))
        elif kind == "image_url" and allow_images:
            image = item.get("image_url")
            if isinstance(image, str):  # older clients send the bare URL
                image = {"url": image}
            check(image, dict, f"{p}.image_url")
            url = required(image, "url", str, f"{p}.image_url.url")
            parts.append(ImagePart.from_url(url, optional(image, "detail", str)))
        elif kind == "refusal":
            parts.append(TextPart(required(item, "refusal", str, f"{p}.refusal")))
        else:
            raise GatewayError(
                "unsupported_parameter", f"content part type '{kind}' is not supported", param=p
            )
    return parts


def _tool_calls(calls: Any, param: str) -> list[Part]:
    check(calls, list, param)
    out: list[Part] = []
    for i, call in enumerate(calls):
        p = f"{param}[{i}]"
        check(call, dict, p)
        fn = required(call, "function", dict, f"{p}.function")
        out.append(
            ToolCall(
                id=required(call, "id", str, f"{p}.id"),
                name=required(fn, "name", str, f"{p}.function.name"),
                arguments=optional(fn, "arguments", str, f"{p}.function.arguments") or "{}",
            )
        )
    return out


_PLAIN_ROLES: dict[str, Role] = {"system": "system", "developer": "system", "user": "user"}


def parse_messages(raw: Any, param: str = "messages") -> list[Message]:
    if type(raw) is not list:
        check(raw, list, param)
    if not raw:
        raise GatewayError("invalid_value", f"'{param}' must not be empty", param=param)
    messages: list[Message] = []
    for i, m in enumerate(raw):
        if type(m) is dict and len(m) == 2:
            role, content = m.get("role"), m.get("content")
            if (
                type(role) is str and role in _PLAIN_ROLES and type(content) is str
            ):  # the common case: {"role": …, "content": "text"}
                messages.append(Message(_PLAIN_ROLES[role], [TextPart(content)]))
                continue
        p = f"{param}[{i}]"
        check(m, dict, p)
        role = required(m, "role", str, f"{p}.role")
        content = m.get("content")
        name = optional(m, "name", str, f"{p}.name")
        if role in ("system", "developer"):
            parts = _content_parts(required(m, "content", object, f"{p}.content"), f"{p}.content")
            messages.append(Message("system", parts, name))
        elif role == "user":
            parts = _content_parts(required(m, "content", object, f"{p}.content"), f"{p}.content")
            messages.append(Message("user", parts, name))
        elif role == "assistant":
            parts = [] if content is None else _content_parts(content, f"{p}.content", False)
            if m.get("tool_calls") is not None:
                parts.extend(_tool_calls(m["tool_calls"], f"{p}.tool_calls"))
            messages.append(Message("assistant", parts, name))
        elif role == "tool":
            call_id = required(m, "tool_call_id", str, f"{p}.tool_call_id")
            body = _content_parts(required(m, "content", object, f"{p}.content"), f"{p}.content")
            result = ToolResult(call_id, [b for b in body if isinstance(b, TextPart | ImagePart)])
            messages.append(Message("tool", [result]))
        else:
            raise GatewayError(
                "invalid_value",
                f"'{p}.role' must be one of system, developer, user, assistant, tool",
                param=f"{p}.role",
            )
    return messages


def parse_tools(raw: Any, param: str = "tools") -> list[Tool]:
    check(raw, list, param)
    tools = []
    for i, t in enumerate(raw):
        p = f"{param}[{i}]"
        check(t, dict, p)
        if t.get("type", "function") != "function":
            raise GatewayError(
                "unsupported_parameter", f"tool type '{t.get('type')}' is not supported", param=p
            )
        fn = required(t, "function", dict, f"{p}.function")
        tools.append(
            Tool(
                name=required(fn, "name", str, f"{p}.function.name"),
                description=optional(fn, "description", str, f"{p}.function.description"),
                parameters=optional(fn, "parameters", dict, f"{p}.function.parameters") or {},
                strict=optional(fn, "strict", bool, f"{p}.function.strict"),
            )
        )
    return tools


def parse_tool_choice(raw: Any, param: str = "tool_choice") -> ToolChoice | None:
    if raw is None:
        return None
    if isinstance(raw, str):
        if raw not in ("auto", "none", "required"):
            raise GatewayError(
                "invalid_value", f"'{param}' must be auto, none or required", param=param
            )
        return ToolChoice(raw)  # type: ignore[arg-type]
    check(raw, dict, param)
    fn = raw.get("function") if isinstance(raw.get("function"), dict) else raw
    return ToolChoice("tool", required(fn, "name", str, f"{param}.function.name"))


def parse_response_format(raw: Any, param: str = "response_format") -> ResponseFormat | None:
    if raw is None:
        return None
    check(raw, dict, param)
    kind = required(raw, "type", str, f"{param}.type")
    if kind == "json_schema":
        spec = required(raw, "json_schema", dict, f"{param}.json_schema")
        return ResponseFormat(
            "json_schema",
            schema=optional(spec, "schema", dict, f"{param}.json_schema.schema") or {},
            name=optional(spec, "name", str, f"{param}.json_schema.name"),
            strict=optional(spec, "strict", bool, f"{param}.json_schema.strict"),
        )
    if kind in ("text", "json_object"):
        return ResponseFormat(kind)  # type: ignore[arg-type]
    raise GatewayError(
        "invalid_value", f"'{param}.type' must be text, json_object or json_schema", param=param
    )


def parse_stop(raw: Any) -> list[str]:
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    check(raw, list, "stop")
    return [check(s, str, f"stop[{i}]") for i, s in enumerate(raw)]


# Parameters by body key: the ChatRequest field it fills, its type and the range a value must
# fall in (None: any). A body names only a few of them, so parsing walks the body's keys and
# passes what it found to ChatRequest, whose defaults stand for the rest.
_SCALARS: dict[str, tuple[str, type, float | None, float | None]] = {
    "stream": ("stream", bool, None, None),
    "stream_options": ("stream_options", dict, None, None),
    "n": ("n", int, 1, 128),
    "temperature": ("temperature", float, 0, 2),
    "top_p": ("top_p", float, 0, 1),
    "max_tokens": ("max_tokens", int, 1, 10_000_000),
    "max_completion_tokens": ("max_completion_tokens", int, 1, 10_000_000),
    "top_logprobs": ("top_logprobs", int, 0, 20),
    "presence_penalty": ("presence_penalty", float, -2, 2),
    "frequency_penalty": ("frequency_penalty", float, -2, 2),
    "parallel_tool_calls": ("parallel_tool_calls", bool, None, None),
    "seed": ("seed", int, None, None),
    "logprobs": ("logprobs", bool, None, None),
    "user": ("user", str, None, None),
    "metadata": ("metadata", dict, None, None),
}
_STRUCTURED: dict[str, Callable[[Any], Any]] = {
    "tools": parse_tools,
    "tool_choice": parse_tool_choice,
    "stop": parse_stop,
    "response_format": parse_response_format,
}


def parse_request(body: dict[str, Any]) -> ChatRequest:
    # Type tests inline, the validators only on the slow path: this runs on every request.
    model = body.get("model")
    if type(model) is not str:
        model = required(body, "model", str)
    messages = parse_messages(required(body, "messages", object))
    fields: dict[str, Any] = {}
    for key, value in body.items():
        if value is None:
            continue
        spec = _SCALARS.get(key)
        if spec is not None:
            name, typ, lo, hi = spec
            if type(value) is not typ:
                value = check(value, typ, key)
            if lo is not None and not lo <= value <= hi:  # type: ignore[operator]
                ranged(value, "max_tokens" if key == "max_completion_tokens" else key, lo, hi)  # type: ignore[arg-type]
            fields[name] = value
        elif key in _STRUCTURED:
            fields[key] = _STRUCTURED[key](value)
    options = fields.pop("stream_options", None)
    if options and fields.get("stream") and options.get("include_usage"):
        fields["include_usage"] = True
    newer = fields.pop("max_completion_tokens", None)
    if newer is not None:
        fields["max_tokens"] = newer  # the newer name wins when a client sends both
    return ChatRequest(model, messages, raw=body, **fields)


# ---- request: canonical → wire -----------------------------------------------------------------


def _content_to_wire(parts: list[Any]) -> str | list[dict[str, Any]]:
    if all(isinstance(p, TextPart) for p in parts):
        return "".join(p.text for p in parts)
    out: list[dict[str, Any]] = []
    for p in parts:
        if isinstance(p, TextPart):
            out.append({"type": "text", "text": p.text})
        elif isinstance(p, ImagePart):
            image: dict[str, Any] = {"url": p.as_data_url()}
            if p.detail:
                image["detail"] = p.detail
            out.append({"type": "image_url", "image_url": image})
    return out


def messages_to_wire(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "assistant":
            text = m.text()
            msg: dict[str, Any] = {"role": "assistant", "content": text or None}
            calls = [p for p in m.parts if isinstance(p, ToolCall)]
            if calls:
                msg["tool_calls"] = [
                    {
                        "id": c.id,
                        "type": "function",
                        "function": {"name": c.name, "arguments": c.arguments},
                    }
                    for c in calls
                ]
            out.append(msg)
            continue
        # Tool results become their own `tool` messages, in order, before the rest of the turn.
        rest: list[Part] = []
        for p in m.parts:
            if isinstance(p, ToolResult):
                content = _content_to_wire(p.content) if p.content else ""
                if not isinstance(content, str):  # tool messages take text parts only
                    content = [c for c in content if c["type"] == "text"] or ""
                out.append({"role": "tool", "tool_call_id": p.tool_call_id, "content": content})
            else:
                rest.append(p)
        if rest:
            role = "user" if m.role == "tool" else m.role
            msg = {"role": role, "content": _content_to_wire(rest)}
            if m.name:
                msg["name"] = m.name
            out.append(msg)
    return out


def build_request(req: ChatRequest, upstream_model: str, same_wire: bool) -> dict[str, Any]:
    """The OpenAI body for this request. `same_wire`: the client spoke OpenAI chat too."""
    if same_wire and req.raw is not None and not req.modified:
        body = dict(req.raw)  # fast path: the client's own body, model replaced
    else:
        body = (
            {k: v for k, v in req.raw.items() if k not in _MODELED} if same_wire and req.raw else {}
        )
        body["messages"] = messages_to_wire(req.messages)
        if req.tools:
            body["tools"] = [
                {
                    "type": "function",
                    "function": {
                        "name": t.name,
                        **({"description": t.description} if t.description else {}),
                        "parameters": t.parameters or {"type": "object", "properties": {}},
                        **({"strict": t.strict} if t.strict is not None else {}),
                    },
                }
                for t in req.tools
            ]
        if req.tool_choice is not None:
            tc = req.tool_choice
            body["tool_choice"] = (
                {"type": "function", "function": {"name": tc.name}}
                if tc.mode == "tool"
                else tc.mode
            )
        for key, value in (
            ("parallel_tool_calls", req.parallel_tool_calls if req.tools else None),
            ("max_completion_tokens", req.max_tokens),
            ("temperature", req.temperature),
            ("top_p", req.top_p),
            ("seed", req.seed),
            ("top_logprobs", req.top_logprobs),
            ("presence_penalty", req.presence_penalty),
            ("frequency_penalty", req.frequency_penalty),
            ("user", req.user),
        ):
            if value is not None:
                body[key] = value
        if req.stop:
            body["stop"] = req.stop
        if req.n != 1:
            body["n"] = req.n
        if req.logprobs:
            body["logprobs"] = True
        rf = req.response_format
        if rf is not None:
            if rf.type == "json_schema":
                spec: dict[str, Any] = {"name": rf.name or "response", "schema": rf.schema or {}}
                if rf.strict is not None:
                    spec["strict"] = rf.strict
                body["response_format"] = {"type": "json_schema", "json_schema": spec}
            else:
                body["response_format"] = {"type": rf.type}
    body["model"] = upstream_model
    body["stream"] = req.stream
    if req.stream:
        # Always ask for usage so cost is known; the usage chunk is dropped for clients that
        # did not ask for it.
        options = dict(body.get("stream_options") or {})
        options["include_usage"] = True
        body["stream_options"] = options
    else:
        body.pop("stream_options", None)
    return body


# ---- response: wire → canonical ----------------------------------------------------------------


def decode_usage(raw: dict[str, Any] | None) -> Usage:
    if not raw:
        return Usage()
    get = raw.get
    prompt_details = get("prompt_tokens_details")
    completion_details = get("completion_tokens_details")
    return Usage(
        int(get("prompt_tokens") or 0),
        int(get("completion_tokens") or 0),
        int(prompt_details.get("cached_tokens") or 0) if prompt_details else 0,
        0,
        int(completion_details.get("reasoning_tokens") or 0) if completion_details else 0,
    )


def decode_response(body: dict[str, Any]) -> ChatResponse:
    choices = []
    for c in body.get("choices") or []:
        msg = c.get("message") or {}
        parts: list[TextPart | ToolCall] = []
        if msg.get("content"):
            parts.append(TextPart(msg["content"]))
        for call in msg.get("tool_calls") or []:
            fn = call.get("function") or {}
            parts.append(ToolCall(call.get("id", ""), fn.get("name", ""), fn.get("arguments", "")))
        choices.append(
            Choice(
                index=int(c.get("index", len(choices))),
                parts=parts,
                finish_reason=_FINISH_IN.get(c.get("finish_reason") or "stop", "stop"),
                logprobs=c.get("logprobs"),
            )
        )
    return ChatResponse(
        id=str(body.get("id", "")),
        model=str(body.get("model", "")),
        choices=choices,
        usage=decode_usage(body.get("usage")),
        created=int(body.get("created") or 0),
        raw=body,
        system_fingerprint=body.get("system_fingerprint"),
    )


def decode_chunk(chunk: dict[str, Any], first: bool) -> list[StreamEvent]:
    events: list[StreamEvent] = []
    if first:
        events.append(StreamStart(str(chunk.get("id", "")), str(chunk.get("model", ""))))
    for c in chunk.get("choices") or ():
        index = int(c.get("index", 0))
        delta = c.get("delta") or {}
        # Legacy completions streams carry `text` instead of a delta.
        content = delta.get("content") if "delta" in c else c.get("text")
        if content:
            events.append(TextDelta(content, index, c.get("logprobs")))
        for call in delta.get("tool_calls") or ():
            fn = call.get("function") or {}
            ti = int(call.get("index", 0))
            if call.get("id"):
                events.append(ToolCallStart(ti, call["id"], fn.get("name", ""), index))
            if fn.get("arguments"):
                events.append(ToolCallDelta(ti, fn["arguments"], index))
        reason = c.get("finish_reason")
        if reason:
            events.append(ChoiceEnd(_FINISH_IN.get(reason, "stop"), index))
    if chunk.get("usage"):
        events.append(UsageReport(decode_usage(chunk["usage"])))
    return events


# ---- response: canonical → wire ----------------------------------------------------------------


def usage_to_wire(u: Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": u.input_tokens,
        "completion_tokens": u.output_tokens,
        "total_tokens": u.total_tokens,
        "prompt_tokens_details": {"cached_tokens": u.cached_input_tokens},
        "completion_tokens_details": {"reasoning_tokens": u.reasoning_tokens},
    }


def render_response(resp: ChatResponse, model: str, passthrough: bool) -> dict[str, Any]:
    if passthrough and resp.raw is not None:
        return resp.raw
    choices = []
    for c in resp.choices:
        calls = c.tool_calls()
        message: dict[str, Any] = {"role": "assistant", "content": c.text() or None}
        if calls:
            message["tool_calls"] = [
                {
                    "id": t.id,
                    "type": "function",
                    "function": {"name": t.name, "arguments": t.arguments},
                }
                for t in calls
            ]
        message["refusal"] = None
        choices.append(
            {
                "index": c.index,
                "message": message,
                "logprobs": c.logprobs,
                "finish_reason": c.finish_reason or "stop",
            }
        )
    return {
        "id": resp.id if resp.id.startswith("chatcmpl") else f"chatcmpl-{resp.id}",
        "object": "chat.completion",
        "created": resp.created,
        "model": model,
        "choices": choices,
        "usage": usage_to_wire(resp.usage),
        "system_fingerprint": resp.system_fingerprint,
    }


class ChunkRenderer:
    """Turns canonical stream chunks into OpenAI `chat.completion.chunk` SSE frames."""

    def __init__(self, request_id: str, model: str, include_usage: bool, passthrough: bool) -> None:
        self.id = f"chatcmpl-{request_id}"
        self.model = model
        self.include_usage = include_usage
        self.passthrough = passthrough
        self.created = 0
        self.usage: Usage | None = None

    def _frame(self, choices: list[dict[str, Any]], usage: dict[str, Any] | None = None) -> bytes:
        chunk: dict[str, Any] = {
            "id": self.id,
            "object": "chat.completion.chunk",
            "created": self.created,
            "model": self.model,
            "choices": choices,
        }
        if self.include_usage:
            chunk["usage"] = usage
        return b"data: " + orjson.dumps(chunk) + b"\n\n"

    def _delta(
        self, choice: int, delta: dict[str, Any], logprobs: Any = None, finish: str | None = None
    ) -> bytes:
        return self._frame(
            [{"index": choice, "delta": delta, "logprobs": logprobs, "finish_reason": finish}]
        )

    def render(self, chunk: StreamChunk) -> bytes:
        if self.passthrough and chunk.raw is not None:
            usage_only = bool(chunk.events) and all(
                isinstance(e, UsageReport) for e in chunk.events
            )
            if usage_only and not self.include_usage:
                return b""  # the usage-only chunk we asked for on the client's behalf
            return b"data: " + chunk.raw + b"\n\n"
        out = []
        for e in chunk.events:
            if isinstance(e, TextDelta):
                out.append(self._delta(e.choice, {"content": e.text}, e.logprobs))
            elif isinstance(e, StreamStart):
                self.created = self.created or int(time.time())
                out.append(self._delta(0, {"role": "assistant", "content": ""}))
            elif isinstance(e, ToolCallStart):
                call = {
                    "index": e.index,
                    "id": e.id,
                    "type": "function",
                    "function": {"name": e.name, "arguments": ""},
                }
                out.append(self._delta(e.choice, {"tool_calls": [call]}))
            elif isinstance(e, ToolCallDelta):
                call = {"index": e.index, "function": {"arguments": e.arguments}}
                out.append(self._delta(e.choice, {"tool_calls": [call]}))
            elif isinstance(e, ChoiceEnd):
                out.append(self._delta(e.choice, {}, finish=e.finish_reason))
            elif isinstance(e, UsageReport):
                # Providers may report usage more than once; the client gets one usage chunk.
                self.usage = e.usage if self.usage is None else self.usage
                self.usage.add(e.usage)
        return b"".join(out)

    def done(self) -> bytes:
        tail = b""
        if self.include_usage and not self.passthrough and self.usage is not None:
            tail = self._frame([], usage_to_wire(self.usage))
        return tail + b"data: [DONE]\n\n"


def render_error_frame(body: dict[str, Any]) -> bytes:
    # The openai SDK raises APIError when a stream frame carries an `error` object.
    return b"data: " + orjson.dumps(body) + b"\n\n"
