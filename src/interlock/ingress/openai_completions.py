"""`POST /v1/completions`: the legacy text completions API."""

from __future__ import annotations

from typing import Any

from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, ChatResponse, Exchange, StreamChunk
from interlock.ingress.errors import openai_error
from interlock.ingress.openai_chat import same_family
from interlock.wire import openai_completions
from interlock.wire.openai_chat import render_error_frame


def _passthrough(ex: Exchange) -> bool:
    # An OpenAI-family upstream answered on its own /completions: its body is already the
    # client's wire format. Anything else (or a chat-shaped body) is rendered from canonical.
    if not same_family(ex):
        return False
    resp = ex.response
    return not isinstance(resp, ChatResponse) or (
        resp.raw is not None and resp.raw.get("object") == "text_completion"
    )


class OpenAICompletionsStream:
    def __init__(self, ex: Exchange) -> None:
        req = ex.request
        assert isinstance(req, ChatRequest)
        self.ex = ex
        self.chunks = openai_completions.ChunkRenderer(
            openai_completions.completion_id(ex.request_id),
            req.model,
            req.include_usage,
            passthrough=_passthrough(ex),
        )

    def start(self) -> bytes:
        return b""

    def render(self, chunk: StreamChunk) -> bytes:
        return self.chunks.render(chunk)

    def finish(self) -> bytes:
        return self.chunks.done()

    def error(self, err: GatewayError) -> bytes:
        return render_error_frame(openai_error(err, self.ex.request_id))


class OpenAICompletionsIngress:
    wire = "openai.completions"
    kind = "chat"

    def parse(self, body: dict[str, Any]) -> ChatRequest:
        return openai_completions.parse_request(body)

    def render(self, ex: Exchange) -> dict[str, Any]:
        resp = ex.response
        assert isinstance(resp, ChatResponse)
        if _passthrough(ex) and resp.raw is not None:
            return resp.raw
        rid = openai_completions.completion_id(ex.request_id)
        return openai_completions.render_response(resp, rid, ex.request.model)

    def stream_renderer(self, ex: Exchange) -> OpenAICompletionsStream:
        return OpenAICompletionsStream(ex)

    def error_body(self, err: GatewayError, request_id: str) -> dict[str, Any]:
        return openai_error(err, request_id)
