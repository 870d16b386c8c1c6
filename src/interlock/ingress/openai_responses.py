"""`POST /v1/responses`: the OpenAI Responses API, served through any provider's chat API."""

from __future__ import annotations

from typing import Any

from interlock.errors import GatewayError, openai_error_type
from interlock.exchange import ChatRequest, ChatResponse, Exchange, StreamChunk
from interlock.ingress.errors import openai_error
from interlock.wire import openai_responses
from interlock.wire.openai_responses import EventRenderer, ResponseShell


def _shell(ex: Exchange) -> ResponseShell:
    req = ex.request
    assert isinstance(req, ChatRequest)
    return ResponseShell(openai_responses.response_id(ex.request_id), req, int(ex.received_at))


class OpenAIResponsesStream:
    def __init__(self, ex: Exchange) -> None:
        self.events = EventRenderer(_shell(ex))

    def start(self) -> bytes:
        return self.events.start()

    def render(self, chunk: StreamChunk) -> bytes:
        return self.events.render(chunk)

    def finish(self) -> bytes:
        return self.events.finish_events()

    def error(self, err: GatewayError) -> bytes:
        return self.events.failed_events(err.code, err.message, openai_error_type(err.status))


class OpenAIResponsesIngress:
    wire = "openai.responses"
    kind = "chat"

    def parse(self, body: dict[str, Any]) -> ChatRequest:
        return openai_responses.parse_request(body)

    def render(self, ex: Exchange) -> dict[str, Any]:
        assert isinstance(ex.response, ChatResponse)
        return openai_responses.render_response(ex.response, _shell(ex))

    def stream_renderer(self, ex: Exchange) -> OpenAIResponsesStream:
        return OpenAIResponsesStream(ex)

    def error_body(self, err: GatewayError, request_id: str) -> dict[str, Any]:
        return openai_error(err, request_id)
