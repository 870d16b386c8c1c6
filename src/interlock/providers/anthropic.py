"""Anthropic's Messages API."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NoReturn

import orjson

from interlock.config.schema import ProviderConfig
from interlock.errors import GatewayError
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    EmbeddingRequest,
    EmbeddingResponse,
    StreamChunk,
)
from interlock.providers.base import (
    ProtocolError,
    Target,
    UpstreamError,
    UpstreamRequest,
    retry_after_seconds,
)
from interlock.providers.sse import SSEDecoder, encode_sse
from interlock.wire import anthropic_messages


class AnthropicStreamDecoder:
    """Anthropic's SSE stream → canonical chunks; complete only once `message_stop` arrived.

    Each chunk's `raw` is the whole SSE frame (event line included), so an Anthropic client can
    be sent the provider's stream as it was: thinking blocks, citations and the stop sequence
    survive. Pings are dropped: the gateway's own stream carries no idle gaps they would fill.
    """

    __slots__ = ("_events", "_sse")

    def __init__(self) -> None:
        self._sse = SSEDecoder()
        self._events = anthropic_messages.StreamEventDecoder()

    def feed(self, data: bytes) -> list[StreamChunk]:
        chunks: list[StreamChunk] = []
        for event in self._sse.feed(data):
            if event.event == "ping" or not event.data:
                continue
            try:
                frame = orjson.loads(event.data)
            except orjson.JSONDecodeError:
                raise ProtocolError("stream event is not JSON") from None
            if not isinstance(frame, dict):
                raise ProtocolError("stream event is not an object")
            kind = frame.get("type")
            if event.event == "error" or kind == "error":
                err = frame.get("error") if isinstance(frame.get("error"), dict) else {}
                raise ProtocolError(
                    f"upstream stream error: {err.get('type', 'error')}: "
                    f"{err.get('message', 'unknown')}"
                )
            if kind == "ping":
                continue
            name = event.event or str(kind)
            chunks.append(StreamChunk(self._events.event(frame), encode_sse(event.data, name)))
        return chunks

    def close(self) -> list[StreamChunk]:
        if not self._events.done:
            raise ProtocolError("stream ended before message_stop")
        return []


class AnthropicAdapter:
    family = "anthropic"
    default_base_url = "https://api.anthropic.com"

    def __init__(self, name: str, config: ProviderConfig) -> None:
        self.name = name
        self.config = config
        self.url = f"{config.base_url or self.default_base_url}/v1/messages"
        self._headers = {
            "content-type": "application/json",
            "anthropic-version": config.anthropic_version,
            **config.headers,
        }
        if config.api_key:
            self._headers["x-api-key"] = config.api_key

    def chat_request(self, req: ChatRequest, target: Target, wire: str) -> UpstreamRequest:
        body = anthropic_messages.build_request(
            req, target.upstream_model, wire == "anthropic.messages"
        )
        return UpstreamRequest("POST", self.url, self._headers, orjson.dumps(body))

    def chat_response(self, body: bytes, target: Target) -> ChatResponse:
        try:
            data = orjson.loads(body)
        except orjson.JSONDecodeError:
            raise ProtocolError("response body is not JSON") from None
        if not isinstance(data, dict) or data.get("type") not in ("message", None):
            raise ProtocolError("response body is not an Anthropic message")
        return anthropic_messages.decode_response(data)

    def chat_stream(self, target: Target) -> AnthropicStreamDecoder:
        return AnthropicStreamDecoder()

    def embedding_request(self, req: EmbeddingRequest, target: Target) -> UpstreamRequest:
        _no_embeddings()

    def embedding_response(self, body: bytes, target: Target) -> EmbeddingResponse:
        _no_embeddings()

    def error(self, status: int, headers: Mapping[str, str], body: bytes) -> UpstreamError:
        # {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
        message, kind = f"upstream answered HTTP {status}", None
        try:
            data: Any = orjson.loads(body)
        except orjson.JSONDecodeError:
            data = None
        err = data.get("error") if isinstance(data, dict) else None
        if isinstance(err, dict):
            message = str(err.get("message") or message)
            kind = err.get("type")
        return UpstreamError(status, message, kind, retry_after_seconds(headers))


def _no_embeddings() -> NoReturn:
    raise GatewayError("unsupported_parameter", "Anthropic has no embeddings API", param="model")
