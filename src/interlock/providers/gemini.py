"""Google Gemini through the Generative Language API (`v1beta` generateContent).

The key goes in the `x-goog-api-key` header, never in the URL, so it cannot leak into access
logs. Gemini matches a function's result to its call by the function's name, not an id, and
streams whole `GenerateContentResponse` objects as SSE frames, each with the new parts only.
"""

from __future__ import annotations

import mimetypes
import re
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

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
from interlock.providers.sse import SSEDecoder

FINISH_REASONS: dict[str, FinishReason] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "LANGUAGE": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
    "IMAGE_PROHIBITED_CONTENT": "content_filter",
    "IMAGE_RECITATION": "content_filter",
    "MALFORMED_FUNCTION_CALL": "error",
    "UNEXPECTED_TOOL_CALL": "error",
    "TOO_MANY_TOOL_CALLS": "error",
    "OTHER": "stop",
    "FINISH_REASON_UNSPECIFIED": "stop",
}

FUNCTION_CALLING_MODES = {"auto": "AUTO", "required": "ANY", "none": "NONE", "tool": "ANY"}

# The OpenAPI 3.0 subset Gemini's `Schema` accepts; any other key is a 400 upstream.
_SCHEMA_KEYS = frozenset(
    {
        "type",
        "format",
        "title",
        "description",
        "nullable",
        "enum",
        "items",
        "minItems",
        "maxItems",
        "properties",
        "required",
        "minProperties",
        "maxProperties",
        "minLength",
        "maxLength",
        "pattern",
        "example",
        "anyOf",
        "propertyOrdering",
        "default",
        "minimum",
        "maximum",
    }
)
_MAX_SCHEMA_DEPTH = 32
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s$")


class GeminiAdapter:
    family = "gemini"
    default_base_url = "https://generativelanguage.googleapis.com"

    def __init__(self, name: str, config: ProviderConfig) -> None:
        self.name = name
        self.config = config
        self.base_url = config.base_url or self.default_base_url
        self._headers = {"content-type": "application/json", **config.headers}
        if config.api_key:
            self._headers["x-goog-api-key"] = config.api_key

    def url(self, model: str, method: str) -> str:
        # Tuned models and explicit `models/...` names are full resource names already.
        resource = model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"
        return f"{self.base_url}/v1beta/{resource}:{method}"

    def chat_request(self, req: ChatRequest, target: Target, wire: str) -> UpstreamRequest:
        body = build_request(req)
        url = self.url(target.upstream_model, "generateContent")
        if req.stream:
            url = self.url(target.upstream_model, "streamGenerateContent") + "?alt=sse"
        return UpstreamRequest("POST", url, self._headers, orjson.dumps(body))

    def chat_response(self, body: bytes, target: Target) -> ChatResponse:
        return decode_response(_object(body), target.upstream_model)

    def chat_stream(self, target: Target) -> GeminiStreamDecoder:
        return GeminiStreamDecoder(target.upstream_model)

    def embedding_request(self, req: EmbeddingRequest, target: Target) -> UpstreamRequest:
        model = target.upstream_model
        resource = model if model.startswith(("models/", "tunedModels/")) else f"models/{model}"
        requests = []
        for text in req.inputs:
            item: dict[str, Any] = {"model": resource, "content": {"parts": [{"text": text}]}}
            if req.dimensions is not None:
                item["outputDimensionality"] = req.dimensions
            requests.append(item)
        return UpstreamRequest(
            "POST",
            self.url(model, "batchEmbedContents"),
            self._headers,
            orjson.dumps({"requests": requests}),
        )

    def embedding_response(self, body: bytes, target: Target) -> EmbeddingResponse:
        data = _object(body)
        embeddings = data.get("embeddings")
        if not isinstance(embeddings, list):
            raise ProtocolError("batchEmbedContents response has no embeddings")
        vectors = []
        for e in embeddings:
            values = e.get("values") if isinstance(e, dict) else None
            if not isinstance(values, list):
                raise ProtocolError("an embedding has no values")
            vectors.append(values)
        # batchEmbedContents reports no token usage.
        return EmbeddingResponse(
            model=target.upstream_model, vectors=vectors, usage=Usage(), raw=data
        )

    def error(self, status: int, headers: Mapping[str, str], body: bytes) -> UpstreamError:
        # {"error": {"code": 429, "message": "...", "status": "RESOURCE_EXHAUSTED", "details": []}}
        # (streaming endpoints may wrap it in a one-element array).
        message, kind = f"upstream answered HTTP {status}", None
        retry_after = retry_after_seconds(headers)
        try:
            data: Any = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = None
        if isinstance(data, list) and data:
            data = data[0]
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            message = str(err.get("message") or message)
            kind = err.get("status") or None
            if retry_after is None:
                retry_after = _retry_delay(err.get("details"))
        return UpstreamError(status, message, kind, retry_after)


def _retry_delay(details: Any) -> float | None:
    # google.rpc.RetryInfo {"retryDelay": "30s"} says how long a quota needs to refill.
    for d in details if isinstance(details, list) else ():
        if isinstance(d, dict) and str(d.get("@type", "")).endswith("google.rpc.RetryInfo"):
            match = _DURATION.match(str(d.get("retryDelay", "")))
            if match:
                return float(match.group(1))
    return None


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ProtocolError("response body is not JSON") from None
    if not isinstance(data, dict):
        raise ProtocolError("response body is not a JSON object")
    return data


# ---- request: canonical → Gemini ---------------------------------------------------------


def build_request(req: ChatRequest) -> dict[str, Any]:
    if req.logprobs or req.top_logprobs:
        raise GatewayError(
            "unsupported_parameter",
            "logprobs are not supported for Gemini models by this gateway",
            param="logprobs",
        )
    body: dict[str, Any] = {"contents": contents(req.messages)}
    system = [
        {"text": p.text}
        for m in req.messages
        if m.role == "system"
        for p in m.parts
        if isinstance(p, TextPart) and p.text
    ]
    if system:
        body["systemInstruction"] = {"parts": system}
    if req.tools:
        declarations = []
        for t in req.tools:
            decl: dict[str, Any] = {"name": t.name}
            if t.description:
                decl["description"] = t.description
            # A function without parameters must leave them out: an OBJECT with no properties
            # is refused.
            if (t.parameters or {}).get("properties"):
                decl["parameters"] = gemini_schema(t.parameters, f"tools.{t.name}.parameters")
            declarations.append(decl)
        body["tools"] = [{"functionDeclarations": declarations}]
    if req.tool_choice is not None and req.tools:
        config: dict[str, Any] = {"mode": FUNCTION_CALLING_MODES[req.tool_choice.mode]}
        if req.tool_choice.mode == "tool" and req.tool_choice.name:
            config["allowedFunctionNames"] = [req.tool_choice.name]
        body["toolConfig"] = {"functionCallingConfig": config}

    generation: dict[str, Any] = {}
    for key, value in (
        ("maxOutputTokens", req.max_tokens),
        ("temperature", req.temperature),
        ("topP", req.top_p),
        ("topK", req.top_k),
        ("seed", req.seed),
        ("presencePenalty", req.presence_penalty),
        ("frequencyPenalty", req.frequency_penalty),
    ):
        if value is not None:
            generation[key] = value
    if req.stop:
        generation["stopSequences"] = req.stop
    if req.n != 1:
        generation["candidateCount"] = req.n
    rf = req.response_format
    if rf is not None and rf.type in ("json_object", "json_schema"):
        generation["responseMimeType"] = "application/json"
        if rf.type == "json_schema" and rf.schema:
            generation["responseSchema"] = gemini_schema(rf.schema, "response_format.schema")
    if generation:
        body["generationConfig"] = generation
    # Not in the Gemini API and dropped: parallel_tool_calls, user, metadata.
    return body


def contents(messages: list[Message]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i, m in enumerate(messages):
        if m.role == "system":
            continue
        role = "model" if m.role == "assistant" else "user"
        parts: list[dict[str, Any]] = []
        for p in m.parts:
            if isinstance(p, TextPart):
                if p.text:
                    parts.append({"text": p.text})
            elif isinstance(p, ImagePart):
                parts.append(_image(p))
            elif isinstance(p, ToolCall):
                parts.append({"functionCall": {"name": p.name, "args": _arguments(p)}})
            elif isinstance(p, ToolResult):
                parts.extend(_function_response(p, messages, i))
        if not parts:
            continue
        # Results of parallel calls must come back together, in one user turn.
        if out and out[-1]["role"] == role:
            out[-1]["parts"].extend(parts)
        else:
            out.append({"role": role, "parts": parts})
    return out


def _image(p: ImagePart) -> dict[str, Any]:
    if p.data is not None:
        return {"inlineData": {"mimeType": p.media_type or "image/png", "data": p.data}}
    file: dict[str, Any] = {"fileUri": p.url or ""}
    mime, _ = mimetypes.guess_type(urlsplit(p.url or "").path)
    if mime:
        file["mimeType"] = mime
    return {"fileData": file}


def _arguments(call: ToolCall) -> dict[str, Any]:
    try:
        args = orjson.loads(call.arguments or "{}")
    except orjson.JSONDecodeError:
        raise GatewayError(
            "invalid_value",
            f"The arguments of tool call '{call.id}' are not valid JSON",
            param="messages",
        ) from None
    if not isinstance(args, dict):  # Gemini's args is a Struct
        raise GatewayError(
            "invalid_value",
            f"The arguments of tool call '{call.id}' must be a JSON object for Gemini",
            param="messages",
        )
    return args


def _function_response(
    result: ToolResult, messages: list[Message], position: int
) -> list[dict[str, Any]]:
    name = result.name or _call_name(result.tool_call_id, messages, position)
    if name is None:
        raise GatewayError(
            "invalid_value",
            f"Tool result '{result.tool_call_id}' answers no earlier tool call; Gemini needs the "
            "function's name",
            param="messages",
        )
    response: dict[str, Any] = {"content": result.text()}
    if result.is_error:
        response["error"] = True
    parts: list[dict[str, Any]] = [{"functionResponse": {"name": name, "response": response}}]
    # Images a tool returned follow the response in the same turn.
    parts.extend(_image(c) for c in result.content if isinstance(c, ImagePart))
    return parts


def _call_name(call_id: str, messages: list[Message], before: int) -> str | None:
    # The nearest earlier call with this id: ids may repeat across turns of a long conversation.
    for m in reversed(messages[:before]):
        for p in m.parts:
            if isinstance(p, ToolCall) and p.id == call_id:
                return p.name
    return None


def gemini_schema(schema: Any, param: str) -> dict[str, Any]:
    """A JSON Schema rewritten into the OpenAPI subset Gemini accepts.

    Local `$ref`s are inlined, `type: [x, "null"]` and `anyOf [..., {type: null}]` become
    `nullable`, `const` becomes a one-value enum, and keys Gemini does not know are dropped.
    """
    if not isinstance(schema, dict):
        raise GatewayError("invalid_type", f"'{param}' must be a JSON Schema object", param=param)
    defs = {**(schema.get("definitions") or {}), **(schema.get("$defs") or {})}
    return _schema(schema, defs, param, 0)


def _schema(node: dict[str, Any], defs: dict[str, Any], param: str, depth: int) -> dict[str, Any]:
    if depth > _MAX_SCHEMA_DEPTH:
        raise GatewayError(
            "unsupported_parameter",
            f"'{param}' is recursive or too deep for Gemini's schema format",
            param=param,
        )
    ref = node.get("$ref")
    if isinstance(ref, str):
        name = ref.rsplit("/", 1)[-1]
        target = defs.get(name) if ref.startswith(("#/$defs/", "#/definitions/")) else None
        if not isinstance(target, dict):
            raise GatewayError(
                "unsupported_parameter", f"'{param}' has an unresolvable $ref '{ref}'", param=param
            )
        merged = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
        return _schema(merged, defs, param, depth + 1)

    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out["properties"] = {
                k: _schema(v, defs, param, depth + 1)
                for k, v in value.items()
                if isinstance(v, dict)
            }
        elif key == "items" and isinstance(value, dict):
            out["items"] = _schema(value, defs, param, depth + 1)
        elif key in ("anyOf", "oneOf") and isinstance(value, list):
            options = [v for v in value if isinstance(v, dict)]
            if any(o.get("type") == "null" for o in options):
                out["nullable"] = True
                options = [o for o in options if o.get("type") != "null"]
            if len(options) == 1:
                out.update(_schema(options[0], defs, param, depth + 1))
            elif options:
                out["anyOf"] = [_schema(o, defs, param, depth + 1) for o in options]
        elif key == "allOf" and isinstance(value, list) and len(value) == 1:
            out.update(_schema(value[0], defs, param, depth + 1))
        elif key == "type" and isinstance(value, list):
            types = [t for t in value if t != "null"]
            if len(types) < len(value):
                out["nullable"] = True
            if len(types) == 1:
                out["type"] = types[0]
            elif types:
                out["anyOf"] = [{"type": t} for t in types]
        elif key == "const":
            out["enum"] = [str(value)]
        elif key == "enum" and isinstance(value, list):
            out["enum"] = [str(v) for v in value if v is not None]
        elif key in _SCHEMA_KEYS and key not in out:
            out[key] = value
    if isinstance(out.get("required"), list) and isinstance(out.get("properties"), dict):
        out["required"] = [r for r in out["required"] if r in out["properties"]]
    return out


# ---- response: Gemini → canonical --------------------------------------------------------


def finish_reason(raw: Any, has_calls: bool) -> FinishReason:
    reason = FINISH_REASONS.get(raw, "stop") if isinstance(raw, str) else "stop"
    # Gemini says STOP after a function call; OpenAI-style clients look for "tool_calls".
    return "tool_calls" if reason == "stop" and has_calls else reason


def decode_usage(raw: Any) -> Usage:
    if not isinstance(raw, dict):
        return Usage()
    thoughts = int(raw.get("thoughtsTokenCount") or 0)
    return Usage(
        # promptTokenCount already includes the cached part; tool-use prompt tokens (results
        # of built-in tools) are billed as input too.
        input_tokens=int(raw.get("promptTokenCount") or 0)
        + int(raw.get("toolUsePromptTokenCount") or 0),
        # Thinking tokens are billed as output, as OpenAI counts reasoning in completion tokens.
        output_tokens=int(raw.get("candidatesTokenCount") or 0) + thoughts,
        cached_input_tokens=int(raw.get("cachedContentTokenCount") or 0),
        reasoning_tokens=thoughts,
    )


def new_call_id() -> str:
    # Gemini gives calls no ids; clients need ones unique across the conversation, since a
    # later turn (or a failover to another provider) sees the whole history.
    return "call_" + uuid.uuid4().hex[:24]


def _call(part: dict[str, Any]) -> ToolCall:
    fc = part["functionCall"]
    args = fc.get("args")
    return ToolCall(
        str(fc.get("id") or new_call_id()),
        str(fc.get("name", "")),
        orjson.dumps(args if args is not None else {}).decode(),
    )


def decode_response(data: dict[str, Any], model: str) -> ChatResponse:
    choices: list[Choice] = []
    for i, cand in enumerate(data.get("candidates") or ()):
        if not isinstance(cand, dict):
            continue
        parts: list[TextPart | ToolCall] = []
        text: list[str] = []
        for part in (cand.get("content") or {}).get("parts") or ():
            if not isinstance(part, dict) or part.get("thought"):
                continue  # thought summaries are not part of the answer
            if isinstance(part.get("text"), str):
                text.append(part["text"])
            elif isinstance(part.get("functionCall"), dict):
                parts.append(_call(part))
        if text:
            parts.insert(0, TextPart("".join(text)))
        has_calls = any(isinstance(p, ToolCall) for p in parts)
        choices.append(
            Choice(
                int(cand.get("index", i)),
                parts,
                finish_reason(cand.get("finishReason"), has_calls),
            )
        )
    if not choices:
        # The prompt itself was blocked: promptFeedback.blockReason, and no candidates at all.
        if not (data.get("promptFeedback") or {}).get("blockReason"):
            raise ProtocolError("Gemini response has no candidates")
        choices.append(Choice(0, [], "content_filter"))
    return ChatResponse(
        id=str(data.get("responseId") or "gemini-" + uuid.uuid4().hex),
        model=str(data.get("modelVersion") or model),
        choices=choices,
        usage=decode_usage(data.get("usageMetadata")),
        raw=data,
    )


class GeminiStreamDecoder:
    """`streamGenerateContent?alt=sse` frames → canonical chunks.

    Each frame is a whole GenerateContentResponse with only the new parts. Usage is reported
    once, from the last frame that carried it, when the stream closes; a stream that closes
    before every candidate has a finishReason is incomplete.
    """

    __slots__ = ("_calls", "_finished", "_model", "_seen", "_sse", "_started", "_usage")

    def __init__(self, model: str) -> None:
        self._sse = SSEDecoder()
        self._model = model
        self._started = False
        self._calls: dict[int, int] = {}  # candidate → tool calls so far
        self._seen: set[int] = set()
        self._finished: set[int] = set()
        self._usage: Usage | None = None

    def feed(self, data: bytes) -> list[StreamChunk]:
        chunks: list[StreamChunk] = []
        for event in self._sse.feed(data):
            if not event.data:
                continue
            try:
                frame = orjson.loads(event.data)
            except orjson.JSONDecodeError:
                raise ProtocolError("stream frame is not JSON") from None
            if isinstance(frame, list) and len(frame) == 1:
                frame = frame[0]
            if not isinstance(frame, dict):
                raise ProtocolError("stream frame is not an object")
            if isinstance(frame.get("error"), dict):
                err = frame["error"]
                raise ProtocolError(
                    f"upstream stream error: {err.get('status', 'error')}: "
                    f"{err.get('message', 'unknown')}"
                )
            events = self._frame(frame)
            if events:
                chunks.append(StreamChunk(events))
        return chunks

    def _frame(self, frame: dict[str, Any]) -> list[StreamEvent]:
        events: list[StreamEvent] = []
        if not self._started:
            self._started = True
            events.append(
                StreamStart(
                    str(frame.get("responseId") or "gemini-" + uuid.uuid4().hex),
                    str(frame.get("modelVersion") or self._model),
                )
            )
        if isinstance(frame.get("usageMetadata"), dict):
            self._usage = decode_usage(frame["usageMetadata"])
        candidates = frame.get("candidates") or []
        if not candidates and (frame.get("promptFeedback") or {}).get("blockReason"):
            self._seen.add(0)
            self._finished.add(0)
            events.append(ChoiceEnd("content_filter", 0))
        for i, cand in enumerate(candidates):
            if not isinstance(cand, dict):
                continue
            choice = int(cand.get("index", i))
            self._seen.add(choice)
            for part in (cand.get("content") or {}).get("parts") or ():
                if not isinstance(part, dict) or part.get("thought"):
                    continue
                if isinstance(part.get("text"), str):
                    if part["text"]:
                        events.append(TextDelta(part["text"], choice))
                elif isinstance(part.get("functionCall"), dict):
                    call = _call(part)
                    index = self._calls.get(choice, 0)
                    self._calls[choice] = index + 1
                    # Gemini sends a call whole, so its arguments arrive in one delta.
                    events.append(ToolCallStart(index, call.id, call.name, choice))
                    events.append(ToolCallDelta(index, call.arguments, choice))
            if cand.get("finishReason"):
                self._finished.add(choice)
                has_calls = self._calls.get(choice, 0) > 0
                events.append(ChoiceEnd(finish_reason(cand["finishReason"], has_calls), choice))
        return events

    def close(self) -> list[StreamChunk]:
        if self._sse.pending():
            raise ProtocolError("stream ended in the middle of a frame")
        if not self._finished or not self._seen <= self._finished:
            raise ProtocolError("stream ended before a finishReason")
        if self._usage is None:
            return []
        return [StreamChunk([UsageReport(self._usage)])]
