"""AWS Bedrock through the Converse and ConverseStream APIs, signed with SigV4.

Converse is one message shape for every model Bedrock hosts, so one translation serves them
all. Field names follow the bedrock-runtime 2023-09-30 service model; streams come back in the
AWS binary event-stream framing, not SSE.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from collections.abc import Mapping
from typing import Any, NoReturn
from urllib.parse import quote

import orjson

from interlock.config.schema import ProviderConfig
from interlock.errors import GatewayError
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    Choice,
    ChoiceEnd,
    EmbeddingRequest,
    EmbeddingResponse,
    FinishReason,
    ImagePart,
    Message,
    StreamChunk,
    StreamEvent,
    StreamStart,
    TextDelta,
    TextPart,
    ToolCall,
    ToolCallDelta,
    ToolCallStart,
    ToolResult,
    Usage,
    UsageReport,
)
from interlock.providers.base import (
    ProtocolError,
    Target,
    UpstreamError,
    UpstreamRequest,
    retry_after_seconds,
)
from interlock.providers.eventstream import EventStreamDecoder
from interlock.providers.sigv4 import AwsCredentials, sign

SIGNING_SERVICE = "bedrock"  # the service's signing name, not its endpoint prefix

STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "content_filtered": "content_filter",
    "guardrail_intervened": "content_filter",
    "malformed_model_output": "error",
    "malformed_tool_use": "error",
}

IMAGE_FORMATS = {
    "image/png": "png",
    "image/jpeg": "jpeg",
    "image/jpg": "jpeg",
    "image/gif": "gif",
    "image/webp": "webp",
}


class BedrockAdapter:
    family = "bedrock"

    def __init__(self, name: str, config: ProviderConfig) -> None:
        self.name = name
        self.config = config
        self.region = config.region or "us-east-1"
        self.base_url = config.base_url or f"https://bedrock-runtime.{self.region}.amazonaws.com"
        self.credentials = AwsCredentials(
            config.access_key_id or "", config.secret_access_key or "", config.session_token
        )
        self._headers = {"content-type": "application/json", **config.headers}

    def url(self, model_id: str, operation: str) -> str:
        # The model id is one path segment, percent-encoded as the AWS SDKs do (`:` → `%3A`,
        # an inference-profile ARN's `/` → `%2F`); the URL is signed and sent exactly so.
        return f"{self.base_url}/model/{quote(model_id, safe='')}/{operation}"

    def chat_request(self, req: ChatRequest, target: Target, wire: str) -> UpstreamRequest:
        body = orjson.dumps(build_request(req, target.upstream_model))
        url = self.url(target.upstream_model, "converse-stream" if req.stream else "converse")
        accept = "application/vnd.amazon.eventstream" if req.stream else "application/json"
        headers = sign(
            "POST",
            url,
            {**self._headers, "accept": accept},
            body,
            self.credentials,
            self.region,
            SIGNING_SERVICE,
        )
        return UpstreamRequest("POST", url, headers, body)

    def chat_response(self, body: bytes, target: Target) -> ChatResponse:
        return decode_response(_object(body), target.upstream_model)

    def chat_stream(self, target: Target) -> BedrockStreamDecoder:
        return BedrockStreamDecoder(target.upstream_model)

    def embedding_request(self, req: EmbeddingRequest, target: Target) -> UpstreamRequest:
        _no_embeddings()

    def embedding_response(self, body: bytes, target: Target) -> EmbeddingResponse:
        _no_embeddings()

    def error(self, status: int, headers: Mapping[str, str], body: bytes) -> UpstreamError:
        # Body {"message": "..."}; the error's type is in `x-amzn-errortype`
        # ("ThrottlingException:http://internal.amazon.com/coral/..."), or `__type` in the body.
        message, kind = f"upstream answered HTTP {status}", None
        try:
            data: Any = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = None
        if isinstance(data, dict):
            message = str(data.get("message") or data.get("Message") or message)
            kind = data.get("__type") or data.get("code")
        header = _header(headers, "x-amzn-errortype")
        if header:
            kind = header
        if isinstance(kind, str):
            kind = kind.split(":", 1)[0].rsplit("#", 1)[-1] or None
        return UpstreamError(status, message, kind, retry_after_seconds(headers))


def _no_embeddings() -> NoReturn:
    # Bedrock's embedding models (Titan, Cohere) are reached through InvokeModel with a body per
    # model family, not through Converse; this adapter does not translate them.
    raise GatewayError(
        "unsupported_parameter",
        "Embeddings through Bedrock are not supported by this gateway",
        param="model",
    )


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:  # plain dicts (tests, other clients) are not case-insensitive
        value = next((v for k, v in headers.items() if k.lower() == name), None)
    return value


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ProtocolError("response body is not JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("response body is not a JSON object")
    return data


# ---- request: canonical → Converse -------------------------------------------------------


def build_request(req: ChatRequest, model_id: str) -> dict[str, Any]:
    if req.n != 1:
        raise GatewayError(
            "unsupported_parameter", "Bedrock returns a single choice; 'n' must be 1", param="n"
        )
    if req.logprobs or req.top_logprobs:
        raise GatewayError(
            "unsupported_parameter", "Bedrock does not return logprobs", param="logprobs"
        )
    body: dict[str, Any] = {}
    system = [{"text": p.text} for m in req.messages if m.role == "system" for p in _texts(m)]
    if system:
        body["system"] = system
    body["messages"] = messages_to_converse(req.messages)

    inference: dict[str, Any] = {}
    for key, value in (
        ("maxTokens", req.max_tokens),
        ("temperature", req.temperature),
        ("topP", req.top_p),
    ):
        if value is not None:
            inference[key] = value
    if req.stop:
        inference["stopSequences"] = req.stop
    if inference:
        body["inferenceConfig"] = inference
    if req.top_k is not None:
        # Converse has no common top-k; Anthropic models take it as a model-specific field.
        if "anthropic." not in model_id:
            raise GatewayError(
                "unsupported_parameter",
                "top_k is only supported for Anthropic models on Bedrock",
                param="top_k",
            )
        body["additionalModelRequestFields"] = {"top_k": req.top_k}

    tool_config = _tool_config(req)
    if tool_config:
        body["toolConfig"] = tool_config

    rf = req.response_format
    if rf is not None and rf.type == "json_object":
        raise GatewayError(
            "unsupported_parameter",
            "Bedrock has no schema-less JSON mode; use response_format json_schema",
            param="response_format",
        )
    if rf is not None and rf.type == "json_schema":
        schema: dict[str, Any] = {"schema": orjson.dumps(rf.schema or {}).decode()}
        if rf.name:
            schema["name"] = rf.name
        body["outputConfig"] = {
            "textFormat": {"type": "json_schema", "structure": {"jsonSchema": schema}}
        }
    # Not in Converse and dropped: seed, presence/frequency penalties, parallel_tool_calls, user.
    return body


def _texts(m: Message) -> list[TextPart]:
    return [p for p in m.parts if isinstance(p, TextPart) and p.text]


def messages_to_converse(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for m in messages:
        if m.role == "system":
            continue
        role = "assistant" if m.role == "assistant" else "user"
        content = [block for p in m.parts for block in _content_block(p)]
        if not content:
            continue
        # Converse wants user and assistant turns alternating: parallel tool results arriving
        # as separate `tool` messages, or a user text after them, join into one user turn.
        if out and out[-1]["role"] == role:
            out[-1]["content"].extend(content)
        else:
            out.append({"role": role, "content": content})
    return out


def _content_block(p: Any) -> list[dict[str, Any]]:
    if isinstance(p, TextPart):
        return [{"text": p.text}] if p.text else []  # Converse rejects blank text blocks
    if isinstance(p, ImagePart):
        return [{"image": _image(p)}]
    if isinstance(p, ToolCall):
        return [{"toolUse": {"toolUseId": p.id, "name": p.name, "input": _arguments(p)}}]
    if isinstance(p, ToolResult):
        content: list[dict[str, Any]] = []
        for c in p.content:
            if isinstance(c, TextPart) and c.text:
                content.append({"text": c.text})
            elif isinstance(c, ImagePart):
                content.append({"image": _image(c)})
        result: dict[str, Any] = {
            "toolUseId": p.tool_call_id,
            # A result must have content; an empty one is sent as an empty JSON document.
            "content": content or [{"json": {}}],
        }
        if p.is_error:
            result["status"] = "error"
        return [{"toolResult": result}]
    return []


def _image(p: ImagePart) -> dict[str, Any]:
    if p.data is None:
        raise GatewayError(
            "unsupported_parameter",
            "Bedrock takes images as inline bytes only; send a data: URL instead of a link",
            param="messages",
        )
    fmt = IMAGE_FORMATS.get((p.media_type or "").lower())
    if fmt is None:
        raise GatewayError(
            "unsupported_parameter",
            f"Bedrock does not accept images of type '{p.media_type}' (png, jpeg, gif, webp)",
            param="messages",
        )
    try:
        base64.b64decode(p.data, validate=True)
    except (binascii.Error, ValueError):
        raise GatewayError(
            "invalid_value", "An image's data URL is not valid base64", param="messages"
        ) from None
    # The rest-json protocol carries the blob `bytes` as base64 text.
    return {"format": fmt, "source": {"bytes": p.data}}


def _arguments(call: ToolCall) -> Any:
    try:
        return orjson.loads(call.arguments or "{}")
    except orjson.JSONDecodeError:
        raise GatewayError(
            "invalid_value",
            f"The arguments of tool call '{call.id}' are not valid JSON",
            param="messages",
        ) from None


def _tool_config(req: ChatRequest) -> dict[str, Any] | None:
    choice = req.tool_choice
    tools = [
        {
            "toolSpec": {
                "name": t.name,
                **({"description": t.description} if t.description else {}),
                "inputSchema": {"json": t.parameters or {"type": "object", "properties": {}}},
            }
        }
        for t in req.tools
    ]
    # Converse refuses toolUse/toolResult blocks unless toolConfig is present; a client that
    # stopped sending its tools mid-conversation still gets its history through.
    declared = {t.name for t in req.tools}
    for m in req.messages:
        for p in m.parts:
            if isinstance(p, ToolCall) and p.name not in declared:
                declared.add(p.name)
                tools.append(
                    {
                        "toolSpec": {
                            "name": p.name,
                            "inputSchema": {"json": {"type": "object", "properties": {}}},
                        }
                    }
                )
    if not tools:
        return None
    if choice is not None and choice.mode == "none":
        # Converse cannot forbid tool use; without tool history, leave the tools out entirely.
        if not any(isinstance(p, ToolCall | ToolResult) for m in req.messages for p in m.parts):
            return None
        return {"tools": tools}
    config: dict[str, Any] = {"tools": tools}
    if choice is not None:
        if choice.mode == "required":
            config["toolChoice"] = {"any": {}}
        elif choice.mode == "tool":
            config["toolChoice"] = {"tool": {"name": choice.name}}
        else:
            config["toolChoice"] = {"auto": {}}
    return config


# ---- response: Converse → canonical ------------------------------------------------------


def decode_usage(raw: Any) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    # Bedrock's inputTokens leaves out the tokens read from or written to the prompt cache;
    # the canonical input count holds every prompt token.
    cached = int(raw.get("cacheReadInputTokens") or 0)
    written = int(raw.get("cacheWriteInputTokens") or 0)
    return Usage(
        input_tokens=int(raw.get("inputTokens") or 0) + cached + written,
        output_tokens=int(raw.get("outputTokens") or 0),
        cached_input_tokens=cached,
        cache_write_tokens=written,
    )


def stop_reason(raw: Any) -> FinishReason:
    return STOP_REASONS.get(raw, "stop") if isinstance(raw, str) else "stop"


def decode_response(data: dict[str, Any], model_id: str) -> ChatResponse:
    output = data.get("output")
    message = output.get("message") if isinstance(output, dict) else None
    if not isinstance(message, dict):
        raise ProtocolError("Converse response has no output.message")
    parts: list[TextPart | ToolCall] = []
    for block in message.get("content") or ():
        if not isinstance(block, dict):
            continue
        if isinstance(block.get("text"), str):
            parts.append(TextPart(block["text"]))
        elif isinstance(block.get("toolUse"), dict):
            use = block["toolUse"]
            parts.append(
                ToolCall(
                    str(use.get("toolUseId", "")),
                    str(use.get("name", "")),
                    orjson.dumps(use.get("input", {})).decode(),
                )
            )
        # reasoningContent and citations have no canonical slot yet
    # Adjacent text blocks read as one text, as the other providers' answers do.
    merged: list[TextPart | ToolCall] = []
    for p in parts:
        if isinstance(p, TextPart) and merged and isinstance(merged[-1], TextPart):
            merged[-1] = TextPart(merged[-1].text + p.text)
        else:
            merged.append(p)
    return ChatResponse(
        id=_response_id(),
        model=model_id,
        choices=[Choice(0, merged, stop_reason(data.get("stopReason")))],
        usage=decode_usage(data.get("usage")),
        raw=data,
    )


def _response_id() -> str:
    # Converse answers carry no id in the body (only the x-amzn-requestid header).
    return "bedrock-" + uuid.uuid4().hex


class BedrockStreamDecoder:
    """ConverseStream events → canonical chunks; complete only once `messageStop` arrived."""

    __slots__ = ("_done", "_frames", "_model", "_started", "_tool_index")

    def __init__(self, model_id: str) -> None:
        self._frames = EventStreamDecoder()
        self._model = model_id
        self._started = False
        self._done = False
        self._tool_index: dict[int, int] = {}  # content block index → tool call index

    def feed(self, data: bytes) -> list[StreamChunk]:
        chunks: list[StreamChunk] = []
        for headers, payload in self._frames.feed(data):
            kind = headers.get(":message-type")
            if kind == "exception":
                raise ProtocolError(
                    f"upstream stream error: {headers.get(':exception-type', 'exception')}: "
                    f"{_message(payload)}"
                )
            if kind == "error":
                raise ProtocolError(
                    f"upstream stream error: {headers.get(':error-code', 'error')}: "
                    f"{headers.get(':error-message', '')}"
                )
            if kind != "event":
                raise ProtocolError(f"unexpected event-stream message type {kind!r}")
            event_type = headers.get(":event-type")
            try:
                event = orjson.loads(payload) if payload else {}
            except orjson.JSONDecodeError:
                raise ProtocolError(f"{event_type} event payload is not JSON") from None
            if not isinstance(event, dict):
                raise ProtocolError(f"{event_type} event payload is not an object")
            events = self._event(str(event_type), event)
            if events:
                chunks.append(StreamChunk(events))
        return chunks

    def _event(self, event_type: str, event: dict[str, Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        if not self._started:
            self._started = True
            events.append(StreamStart(_response_id(), self._model))
        if event_type == "contentBlockStart":
            use = (event.get("start") or {}).get("toolUse")
            if isinstance(use, dict):
                index = len(self._tool_index)
                self._tool_index[int(event.get("contentBlockIndex", 0))] = index
                events.append(
                    ToolCallStart(index, str(use.get("toolUseId", "")), str(use.get("name", "")))
                )
        elif event_type == "contentBlockDelta":
            delta = event.get("delta") or {}
            if isinstance(delta.get("text"), str) and delta["text"]:
                events.append(TextDelta(delta["text"]))
            elif isinstance(delta.get("toolUse"), dict):
                block = int(event.get("contentBlockIndex", 0))
                if block not in self._tool_index:
                    raise ProtocolError("toolUse delta for a content block that never started")
                arguments = delta["toolUse"].get("input")
                if arguments:
                    events.append(ToolCallDelta(self._tool_index[block], str(arguments)))
        elif event_type == "messageStop":
            self._done = True
            events.append(ChoiceEnd(stop_reason(event.get("stopReason"))))
        elif event_type == "metadata" and isinstance(event.get("usage"), dict):
            events.append(UsageReport(decode_usage(event["usage"])))
        # messageStart and contentBlockStop carry nothing canonical
        return events

    def close(self) -> list[StreamChunk]:
        self._frames.close()
        if not self._done:
            raise ProtocolError("stream ended before messageStop")
        return []


def _message(payload: bytes) -> str:
    try:
        data = orjson.loads(payload)
    except orjson.JSONDecodeError:
        return payload[:200].decode(errors="replace")
    return str(data.get("message", "")) if isinstance(data, dict) else ""
