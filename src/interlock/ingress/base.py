"""What each way in offers the pipeline: parse the client's body, render answers and errors."""

from __future__ import annotations

from typing import Any, Protocol

from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, EmbeddingRequest, Exchange, StreamChunk, WireFormat


class StreamRenderer(Protocol):
    def start(self) -> bytes: ...

    def render(self, chunk: StreamChunk) -> bytes: ...

    def finish(self) -> bytes: ...

    def error(self, err: GatewayError) -> bytes: ...


class Ingress(Protocol):
    wire: WireFormat
    kind: str  # "chat" or "embedding": which models it may address

    def parse(self, body: dict[str, Any]) -> ChatRequest | EmbeddingRequest: ...

    def render(self, ex: Exchange) -> dict[str, Any] | bytes:
        """The whole answer: a body to serialise, or bytes ready to send."""
        ...

    def stream_renderer(self, ex: Exchange) -> StreamRenderer: ...

    def error_body(self, err: GatewayError, request_id: str) -> dict[str, Any]: ...
