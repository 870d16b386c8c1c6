"""What every provider adapter offers the dispatcher.

An adapter is pure translation: it builds the upstream HTTP request from the exchange and
decodes the upstream's answer (whole, or frame by frame for streams) back into canonical types.
The dispatcher owns the sockets, retries and timeouts, so adapters stay small and testable.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from interlock.config.schema import ProviderConfig
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    EmbeddingRequest,
    EmbeddingResponse,
    StreamChunk,
)


@dataclass(slots=True)
class UpstreamRequest:
    method: str
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass(slots=True)
class UpstreamError:
    """A non-2xx answer decoded from the provider's error shape."""

    status: int
    message: str
    type: str | None = None
    retry_after: float | None = None


class StreamDecoder(Protocol):
    """Incremental decoder of one upstream stream; raises ProtocolError on a broken stream."""

    def feed(self, data: bytes) -> list[StreamChunk]: ...

    def close(self) -> list[StreamChunk]:
        """The upstream closed the connection: return what is left, or raise if incomplete."""
        ...


class ProtocolError(Exception):
    """The upstream answered something that is not its own wire format."""


@dataclass(slots=True)
class Target:
    """One concrete place a request can go: a configured model on a configured provider."""

    name: str  # the model's key in the configuration
    provider: str  # the provider's key in the configuration
    upstream_model: str  # what the provider calls it (Azure: the deployment)
    kind: str = "chat"
    extra: dict[str, Any] = field(default_factory=dict)


class ProviderAdapter(Protocol):
    family: str  # wire family: "openai", "anthropic", "bedrock" or "gemini"

    def __init__(self, name: str, config: ProviderConfig) -> None: ...

    def chat_request(self, req: ChatRequest, target: Target, wire: str) -> UpstreamRequest: ...

    def chat_response(self, body: bytes, target: Target) -> ChatResponse: ...

    def chat_stream(self, target: Target) -> StreamDecoder: ...

    def embedding_request(self, req: EmbeddingRequest, target: Target) -> UpstreamRequest: ...

    def embedding_response(self, body: bytes, target: Target) -> EmbeddingResponse: ...

    def error(self, status: int, headers: Mapping[str, str], body: bytes) -> UpstreamError: ...


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    value = headers.get("retry-after") or headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None  # HTTP-date form: rare from LLM APIs; fall back to our own backoff
