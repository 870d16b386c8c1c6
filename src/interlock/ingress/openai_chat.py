"""`POST /v1/chat/completions`."""

from __future__ import annotations

from typing import Any

from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, ChatResponse, Exchange, StreamChunk
from interlock.ingress.errors import openai_error
from interlock.wire import openai_chat


def same_family(ex: Exchange) -> bool:
    """The answer came from an OpenAI-family upstream and nothing rewrote it."""
    return ex.served_family == "openai"


class OpenAIChatStream:
    def __init__(self, ex: Exchange) -> None:
        req = ex.request
        assert isinstance(req, ChatRequest)
        self.ex = ex
        self.chunks = openai_chat.ChunkRenderer(
            ex.request_id, req.model, req.include_usage, passthrough=same_family(ex)
        )

    def start(self) -> bytes:
        return b""

    def render(self, chunk: StreamChunk) -> bytes:
        return self.chunks.render(chunk)

    def finish(self) -> bytes:
        return self.chunks.done()

    def error(self, err: GatewayError) -> bytes:
        return openai_chat.render_error_frame(openai_error(err, self.ex.request_id))


class OpenAIChatIngress:
    wire = "openai.chat"
    kind = "chat"

    def parse(self, body: dict[str, Any]) -> ChatRequest:
        return openai_chat.parse_request(body)

    def render(self, ex: Exchange) -> dict[str, Any] | bytes:
        resp = ex.response
        assert isinstance(resp, ChatResponse)
        if resp.raw_body is not None and same_family(ex):
            return resp.raw_body  # the provider's bytes: no second serialisation on the hot path
        return openai_chat.render_response(resp, ex.request.model, same_family(ex))

    def stream_renderer(self, ex: Exchange) -> OpenAIChatStream:
        return OpenAIChatStream(ex)

    def error_body(self, err: GatewayError, request_id: str) -> dict[str, Any]:
        return openai_error(err, request_id)
