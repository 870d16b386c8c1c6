"""OpenAI Responses API wire format, client side: request → canonical, canonical → Response.

The gateway is stateless: it translates each Responses request into a canonical chat request
that any provider can serve through its chat API, and renders the answer (whole or as the
Responses event stream) back. Anything that needs state kept by the server (stored responses,
conversations, background runs, stored prompts) or a tool the server would run itself is
refused with a 400 that says so, rather than silently ignored.
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
    FinishReason,
    ImagePart,
    Message,
    Part,
    ResponseFormat,
    StreamChunk,
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

STATELESS = "this gateway is stateless and does not keep responses between requests"

# Top-level fields that only make sense with server-side state: refused, never ignored.
_STATEFUL: dict[str, str] = {
    "previous_response_id": "send the whole conversation in 'input' instead",
    "conversation": "send the whole conversation in 'input' instead",
    "prompt": "stored prompt templates are not available; send 'instructions' and 'input'",
}


def unsupported(param: str, message: str) -> GatewayError:
    return GatewayError("unsupported_parameter", message, param=param)


# ---- request: wire → canonical -----------------------------------------------------------------


def _image(item: dict[str, Any], param: str) -> ImagePart:
    if item.get("file_id") is not None:
        raise unsupported(f"{param}.file_id", f"file_id images are not supported: {STATELESS}")
    url = required(item, "image_url", str, f"{param}.image_url")
    return ImagePart.from_url(url, optional(item, "detail", str, f"{param}.detail"))


def _content(content: Any, param: str, role: str) -> list[TextPart | ImagePart]:
    if isinstance(content, str):
        return [TextPart(content)]
    if not isinstance(content, list):
        raise wrong_type(param, "a string or an array of content parts", content)
    parts: list[TextPart | ImagePart] = []
    for i, part in enumerate(content):
        p = f"{param}[{i}]"
        check(part, dict, p)
        kind = required(part, "type", str, f"{p}.type")
        if kind in ("input_text", "output_text"):
            parts.append(TextPart(required(part, "text", str, f"{p}.text")))
        elif kind == "refusal" and role == "assistant":
            parts.append(TextPart(required(part, "refusal", str, f"{p}.refusal")))
        elif kind == "input_image" and role != "assistant":
            parts.append(_image(part, p))
        elif kind == "input_file":
            raise unsupported(p, "input_file content parts are not supported by this gateway")
        else:
            raise unsupported(p, f"content part type '{kind}' is not supported in a {role} message")
    return parts


def _message(item: dict[str, Any], param: str) -> Message:
    role = required(item, "role", str, f"{param}.role")
    if role not in ("user", "assistant", "system", "developer"):
        raise GatewayError(
            "invalid_value",
            f"'{param}.role' must be one of user, assistant, system, developer",
            param=f"{param}.role",
        )
    content = required(item, "content", object, f"{param}.content")
    parts: list[Part] = list(_content(content, f"{param}.content", role))
    return Message("system" if role == "developer" else role, parts)  # type: ignore[arg-type]


def _tool_output(output: Any, param: str) -> list[TextPart | ImagePart]:
    if isinstance(output, str):
        return [TextPart(output)]
    return _content(output, param, "tool")


def parse_input(raw: Any, param: str = "input") -> list[Message]:
    if isinstance(raw, str):
        return [Message("user", [TextPart(raw)])]
    if not isinstance(raw, list):
        raise wrong_type(param, "a string or an array of input items", raw)
    messages: list[Message] = []
    call_names: dict[str, str] = {}  # call_id → function name, for providers matching by name
    for i, item in enumerate(raw):
        p = f"{param}[{i}]"
        check(item, dict, p)
        # Messages may omit `type` (the "easy input message" form).
        kind = item.get("type") or ("message" if "role" in item else None)
        if kind == "message":
            messages.append(_message(item, p))
        elif kind == "function_call":
            call = ToolCall(
                id=required(item, "call_id", str, f"{p}.call_id"),
                name=required(item, "name", str, f"{p}.name"),
                arguments=optional(item, "arguments", str, f"{p}.arguments") or "{}",
            )
            call_names[call.id] = call.name
            # Calls following an assistant message (or each other) belong to the same turn.
            if messages and messages[-1].role == "assistant":
                messages[-1].parts.append(call)
            else:
                messages.append(Message("assistant", [call]))
        elif kind == "function_call_output":
            call_id = required(item, "call_id", str, f"{p}.call_id")
            output = _tool_output(required(item, "output", object, f"{p}.output"), f"{p}.output")
            result = ToolResult(call_id, output, name=call_names.get(call_id))
            messages.append(Message("tool", [result]))
        elif kind == "reasoning":
            # A previous turn's reasoning summary, handed back by clients that replay `output`.
            # Chat APIs have no slot for it and the answer does not depend on it: dropped.
            continue
        elif kind == "item_reference":
            raise unsupported(p, f"item_reference inputs are not supported: {STATELESS}")
        elif kind is None:
            raise GatewayError("missing_field", f"'{p}.type' is required", param=f"{p}.type")
        else:
            raise unsupported(
                p,
                f"input item type '{kind}' is not supported; this gateway runs function tools only",
            )
    return messages


def parse_tools(raw: Any, param: str = "tools") -> list[Tool]:
    check(raw, list, param)
    tools: list[Tool] = []
    for i, t in enumerate(raw):
        p = f"{param}[{i}]"
        check(t, dict, p)
        kind = required(t, "type", str, f"{p}.type")
        if kind != "function":
            raise unsupported(
                p,
                f"tool type '{kind}' is not supported: the gateway forwards function tools only "
                "and runs no built-in tools",
            )
        tools.append(
            Tool(
                name=required(t, "name", str, f"{p}.name"),
                description=optional(t, "description", str, f"{p}.description"),
                parameters=optional(t, "parameters", dict, f"{p}.parameters") or {},
                strict=optional(t, "strict", bool, f"{p}.strict"),
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
    kind = required(raw, "type", str, f"{param}.type")
    if kind != "function":
        raise unsupported(param, f"tool_choice type '{kind}' is not supported")
    return ToolChoice("tool", required(raw, "name", str, f"{param}.name"))


def parse_text_format(raw: Any, param: str = "text") -> ResponseFormat | None:
    if raw is None:
        return None
    check(raw, dict, param)
    fmt = optional(raw, "format", dict, f"{param}.format")
    if fmt is None:
        return None
    p = f"{param}.format"
    kind = required(fmt, "type", str, f"{p}.type")
    if kind == "json_schema":
        return ResponseFormat(
            "json_schema",
            schema=required(fmt, "schema", dict, f"{p}.schema"),
            name=optional(fmt, "name", str, f"{p}.name"),
            strict=optional(fmt, "strict", bool, f"{p}.strict"),
        )
    if kind in ("text", "json_object"):
        return ResponseFormat(kind)  # type: ignore[arg-type]
    raise GatewayError(
        "invalid_value", f"'{p}.type' must be text, json_object or json_schema", param=f"{p}.type"
    )


def _refuse_stateful(body: dict[str, Any]) -> None:
    for key, advice in _STATEFUL.items():
        if body.get(key) is not None:
            raise unsupported(key, f"'{key}' is not supported: {STATELESS}; {advice}")
    if body.get("store") is True:
        raise unsupported(
            "store", f"'store: true' is not supported: {STATELESS}; omit it or send false"
        )
    if body.get("background") is True:
        raise unsupported(
            "background",
            f"background responses are not supported: {STATELESS}; use stream: true instead",
        )


def parse_request(body: dict[str, Any]) -> ChatRequest:
    model = required(body, "model", str)
    _refuse_stateful(body)
    messages: list[Message] = []
    instructions = optional(body, "instructions", str)
    if instructions:
        messages.append(Message("system", [TextPart(instructions)]))
    if body.get("input") is None:
        raise GatewayError("missing_field", "'input' is required", param="input")
    messages.extend(parse_input(body["input"]))
    if not any(m.role != "system" for m in messages):
        raise GatewayError("invalid_value", "'input' must not be empty", param="input")
    temperature = optional(body, "temperature", float)
    ranged(temperature, "temperature", 0, 2)
    top_p = optional(body, "top_p", float)
    ranged(top_p, "top_p", 0, 1)
    max_tokens = optional(body, "max_output_tokens", int)
    ranged(max_tokens, "max_output_tokens", 1, 10_000_000)
    return ChatRequest(
        model=model,
        messages=messages,
        tools=parse_tools(body["tools"]) if body.get("tools") is not None else [],
        tool_choice=parse_tool_choice(body.get("tool_choice")),
        parallel_tool_calls=optional(body, "parallel_tool_calls", bool),
        max_tokens=max_tokens,
        temperature=temperature,
        top_p=top_p,
        response_format=parse_text_format(body.get("text")),
        stream=optional(body, "stream", bool) or False,
        user=optional(body, "user", str) or optional(body, "safety_identifier", str),
        metadata=optional(body, "metadata", dict),
        raw=body,
    )


# ---- response: canonical → wire ------------------------------------------------------------------

_INCOMPLETE: dict[str, str] = {"length": "max_output_tokens", "content_filter": "content_filter"}


def usage_to_wire(u: Usage) -> dict[str, Any]:
    return {
        "input_tokens": u.input_tokens,
        "input_tokens_details": {
            "cached_tokens": u.cached_input_tokens,
            "cache_write_tokens": u.cache_write_tokens,
        },
        "output_tokens": u.output_tokens,
        "output_tokens_details": {"reasoning_tokens": u.reasoning_tokens},
        "total_tokens": u.total_tokens,
    }


def response_id(request_id: str) -> str:
    """`resp_…` derived from the gateway's request id, so logs and clients share one key."""
    return "resp_" + request_id.removeprefix("req_")


def _text_part(text: str) -> dict[str, Any]:
    return {"type": "output_text", "text": text, "annotations": [], "logprobs": []}


def _message_item(item_id: str, text: str | None, status: str) -> dict[str, Any]:
    content = [] if text is None else [_text_part(text)]
    return {
        "id": item_id,
        "type": "message",
        "status": status,
        "role": "assistant",
        "content": content,
    }


def _call_item(item_id: str, call: ToolCall, status: str) -> dict[str, Any]:
    return {
        "id": item_id,
        "type": "function_call",
        "status": status,
        "call_id": call.id,
        "name": call.name,
        "arguments": call.arguments,
    }


class ResponseShell:
    """The Response object's fields that echo the request; shared by whole and streamed answers."""

    def __init__(self, rid: str, req: ChatRequest, created_at: int | None = None) -> None:
        self.id = rid
        self.req = req
        self.created_at = created_at or int(time.time())

    def build(
        self,
        status: str,
        output: list[dict[str, Any]],
        usage: Usage | None = None,
        finish: FinishReason | None = None,
        error: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        raw = self.req.raw or {}
        reason = _INCOMPLETE.get(finish or "")
        rf = self.req.response_format
        text_format: dict[str, Any] = {"type": "text"}
        if rf is not None and rf.type == "json_schema":
            text_format = {
                "type": "json_schema",
                "name": rf.name or "response",
                "schema": rf.schema or {},
                "strict": rf.strict,
            }
        elif rf is not None:
            text_format = {"type": rf.type}
        return {
            "id": self.id,
            "object": "response",
            "created_at": self.created_at,
            "status": status,
            "background": False,
            "error": error,
            "incomplete_details": {"reason": reason} if status == "incomplete" else None,
            "instructions": raw.get("instructions"),
            "max_output_tokens": self.req.max_tokens,
            "max_tool_calls": None,
            "model": self.req.model,
            "output": output,
            "parallel_tool_calls": self.req.parallel_tool_calls is not False,
            "previous_response_id": None,
            "reasoning": {"effort": None, "summary": None},
            "store": False,
            "temperature": self.req.temperature if self.req.temperature is not None else 1.0,
            "text": {"format": text_format},
            "tool_choice": raw.get("tool_choice") or "auto",
            "tools": raw.get("tools") or [],
            "top_p": self.req.top_p if self.req.top_p is not None else 1.0,
            "truncation": "disabled",
            "usage": usage_to_wire(usage) if usage is not None else None,
            "user": self.req.user,
            "metadata": self.req.metadata or {},
        }


def _status(finish: FinishReason | None) -> str:
    return "incomplete" if finish in _INCOMPLETE else "completed"


def render_response(resp: ChatResponse, shell: ResponseShell) -> dict[str, Any]:
    base = shell.id.removeprefix("resp_")
    choice = resp.choices[0] if resp.choices else None
    finish = choice.finish_reason if choice else "stop"
    status = _status(finish)
    output: list[dict[str, Any]] = []
    calls = choice.tool_calls() if choice else []
    text = choice.text() if choice else ""
    if text or not calls:
        output.append(_message_item(f"msg_{base}", text, status))
    for n, call in enumerate(calls):
        output.append(_call_item(f"fc_{base}_{n}", call, "completed"))
    return shell.build(status, output, resp.usage, finish)


# ---- streaming: canonical events → Responses events ---------------------------------------------


class _Item:
    """One output item being streamed: a message with one output_text part, or a function call."""

    __slots__ = ("call", "id", "index", "status", "text")

    def __init__(self, index: int, item_id: str, call: ToolCall | None = None) -> None:
        self.index = index
        self.id = item_id
        self.call = call
        self.text: list[str] = []
        self.status: str | None = None  # set when the item is closed

    def wire(self, status: str) -> dict[str, Any]:
        if self.call is not None:
            return _call_item(self.id, self.call, status)
        return _message_item(self.id, "".join(self.text), status)


class EventRenderer:
    """Turns canonical stream chunks into the Responses SSE event sequence.

    Items are opened as their first event arrives and closed when the next item starts or the
    stream ends, so the client sees the same added → delta → done nesting the API produces.
    Only the first choice is rendered: the Responses API has no `n`.
    """

    def __init__(self, shell: ResponseShell) -> None:
        self.shell = shell
        self.base = shell.id.removeprefix("resp_")
        self.seq = 0
        self.items: list[_Item] = []
        self.open: _Item | None = None
        self.calls: dict[int, _Item] = {}  # tool call index → its item
        self.finish: FinishReason | None = None
        self.usage = Usage()

    # -- framing --

    def _event(self, kind: str, **fields: Any) -> bytes:
        payload = {"type": kind, "sequence_number": self.seq, **fields}
        self.seq += 1
        return b"event: " + kind.encode() + b"\ndata: " + orjson.dumps(payload) + b"\n\n"

    def _output(self, unfinished: str) -> list[dict[str, Any]]:
        return [item.wire(item.status or unfinished) for item in self.items]

    # -- items --

    def _close_open(self) -> list[bytes]:
        item, self.open = self.open, None
        if item is None or item.status is not None:
            return []
        # A cut-short answer leaves its message incomplete; a call is only ever sent whole.
        item.status = _status(self.finish) if item.call is None else "completed"
        out: list[bytes] = []
        if item.call is None:
            text = "".join(item.text)
            common = {"item_id": item.id, "output_index": item.index, "content_index": 0}
            out.append(self._event("response.output_text.done", **common, text=text, logprobs=[]))
            out.append(self._event("response.content_part.done", **common, part=_text_part(text)))
        else:
            out.append(
                self._event(
                    "response.function_call_arguments.done",
                    item_id=item.id,
                    output_index=item.index,
                    arguments=item.call.arguments,
                )
            )
        out.append(
            self._event(
                "response.output_item.done", output_index=item.index, item=item.wire(item.status)
            )
        )
        return out

    def _open_message(self) -> list[bytes]:
        out = self._close_open()
        item = _Item(
            len(self.items), f"msg_{self.base}" + (f"_{len(self.items)}" if self.items else "")
        )
        self.items.append(item)
        self.open = item
        out.append(
            self._event(
                "response.output_item.added",
                output_index=item.index,
                item=_message_item(item.id, None, "in_progress"),
            )
        )
        out.append(
            self._event(
                "response.content_part.added",
                item_id=item.id,
                output_index=item.index,
                content_index=0,
                part=_text_part(""),
            )
        )
        return out

    def _open_call(self, start: ToolCallStart) -> list[bytes]:
        out = self._close_open()
        call = ToolCall(start.id, start.name, "")
        item = _Item(len(self.items), f"fc_{self.base}_{start.index}", call)
        self.items.append(item)
        self.calls[start.index] = item
        self.open = item
        out.append(
            self._event(
                "response.output_item.added",
                output_index=item.index,
                item=_call_item(item.id, call, "in_progress"),
            )
        )
        return out

    # -- the StreamRenderer surface --

    def start(self) -> bytes:
        snapshot = self.shell.build("in_progress", [])
        return self._event("response.created", response=snapshot) + self._event(
            "response.in_progress", response=snapshot
        )

    def render(self, chunk: StreamChunk) -> bytes:
        out: list[bytes] = []
        for e in chunk.events:
            if isinstance(e, UsageReport):
                self.usage.add(e.usage)
            elif getattr(e, "choice", 0) != 0:
                continue
            elif isinstance(e, TextDelta):
                if not e.text:
                    continue
                if self.open is None or self.open.call is not None:
                    out.extend(self._open_message())
                assert self.open is not None
                self.open.text.append(e.text)
                out.append(
                    self._event(
                        "response.output_text.delta",
                        item_id=self.open.id,
                        output_index=self.open.index,
                        content_index=0,
                        delta=e.text,
                        logprobs=[],
                    )
                )
            elif isinstance(e, ToolCallStart):
                out.extend(self._open_call(e))
            elif isinstance(e, ToolCallDelta):
                item = self.calls.get(e.index)
                if item is None or item.call is None or not e.arguments:
                    continue
                # A late delta for an already-closed call still reaches the client and the
                # final response, so no argument text is ever lost.
                item.call.arguments += e.arguments
                out.append(
                    self._event(
                        "response.function_call_arguments.delta",
                        item_id=item.id,
                        output_index=item.index,
                        delta=e.arguments,
                    )
                )
            elif isinstance(e, ChoiceEnd):
                self.finish = e.finish_reason
        return b"".join(out)

    def finish_events(self) -> bytes:
        out: list[bytes] = []
        if not self.items:  # an empty answer is still one (empty) message, as when not streamed
            out.extend(self._open_message())
        out.extend(self._close_open())
        status = _status(self.finish)
        response = self.shell.build(status, self._output(status), self.usage, self.finish)
        kind = "response.incomplete" if status == "incomplete" else "response.completed"
        out.append(self._event(kind, response=response))
        return b"".join(out)

    def failed_events(self, code: str, message: str, error_type: str) -> bytes:
        """A mid-stream failure: `response.failed`, then an `error` event.

        The `error` event carries the documented top-level code/message and, as the API does in
        practice, a nested `error` object: the openai SDK raises APIError on a frame with one,
        so a client never mistakes a broken stream for a finished one.
        """
        error = {"code": "server_error", "message": message}
        response = self.shell.build("failed", self._output("incomplete"), self.usage, error=error)
        return self._event("response.failed", response=response) + self._event(
            "error",
            code=code,
            message=message,
            param=None,
            error={"type": error_type, "code": code, "message": message, "param": None},
        )
