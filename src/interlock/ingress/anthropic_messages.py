"""`POST /v1/messages` and `POST /v1/messages/count_tokens`."""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable
from typing import Any

import orjson
from aiohttp import web

from interlock.errors import GatewayError
from interlock.exchange import (
    ChatRequest,
    ChatResponse,
    Exchange,
    ImagePart,
    StreamChunk,
    TextPart,
    ToolCall,
    ToolResult,
)
from interlock.ingress.errors import anthropic_error
from interlock.server.app import PIPELINE
from interlock.server.pipeline import REQUEST_ID, error_response, read_json
from interlock.server.runtime import RuntimeHolder
from interlock.wire import anthropic_messages

log = logging.getLogger("interlock.ingress")

# count_tokens counts an image as the most Anthropic bills for one (about 1.15 megapixels,
# ~1,600 tokens): the gateway does not decode images, and an upper bound is the safe side for
# a client checking whether a prompt fits.
IMAGE_TOKEN_ESTIMATE = 1600


def same_family(ex: Exchange) -> bool:
    """The answer came from an Anthropic upstream and nothing rewrote it."""
    return ex.served_family == "anthropic"


class AnthropicMessagesStream:
    def __init__(self, ex: Exchange) -> None:
        req = ex.request
        assert isinstance(req, ChatRequest)
        self.ex = ex
        self.events = anthropic_messages.MessageStreamRenderer(
            ex.request_id, req.model, passthrough=same_family(ex)
        )

    def start(self) -> bytes:
        return self.events.start()

    def render(self, chunk: StreamChunk) -> bytes:
        return self.events.render(chunk)

    def finish(self) -> bytes:
        return self.events.finish()

    def error(self, err: GatewayError) -> bytes:
        return anthropic_messages.render_error_event(anthropic_error(err, self.ex.request_id))


class AnthropicMessagesIngress:
    wire = "anthropic.messages"
    kind = "chat"

    def parse(self, body: dict[str, Any]) -> ChatRequest:
        return anthropic_messages.parse_request(body)

    def render(self, ex: Exchange) -> dict[str, Any]:
        assert isinstance(ex.response, ChatResponse) and isinstance(ex.request, ChatRequest)
        return anthropic_messages.render_response(
            ex.response, ex.request.model, same_family(ex), ex.request_id
        )

    def stream_renderer(self, ex: Exchange) -> AnthropicMessagesStream:
        return AnthropicMessagesStream(ex)

    def error_body(self, err: GatewayError, request_id: str) -> dict[str, Any]:
        return anthropic_error(err, request_id)


def estimate_input_tokens(req: ChatRequest) -> int:
    """A local estimate, not the provider's tokenizer: ceil(characters / 4) over the system
    prompt, the messages (text, tool calls with their arguments, tool results) and the tool
    definitions, plus IMAGE_TOKEN_ESTIMATE per image."""
    chars = 0
    images = 0

    def count(part: Any) -> None:
        nonlocal chars, images
        if isinstance(part, TextPart):
            chars += len(part.text)
        elif isinstance(part, ImagePart):
            images += 1
        elif isinstance(part, ToolCall):
            chars += len(part.name) + len(part.arguments)
        elif isinstance(part, ToolResult):
            for item in part.content:
                count(item)

    for message in req.messages:
        for part in message.parts:
            count(part)
    for tool in req.tools:
        chars += len(tool.name) + len(tool.description or "")
        chars += len(orjson.dumps(tool.parameters))
    return math.ceil(chars / 4) + images * IMAGE_TOKEN_ESTIMATE


def count_tokens_handler(holder: RuntimeHolder) -> Callable[[web.Request], Awaitable[web.Response]]:
    """`POST /v1/messages/count_tokens`, answered locally with `estimate_input_tokens`.

    No provider is called, but the request is an exchange like any other: the pipeline's
    addons authenticate it, apply their request policies and see it done, in the same order
    as for `/v1/messages`, so no endpoint skips a policy or the audit trail.
    """
    ingress = AnthropicMessagesIngress()

    async def handle(request: web.Request) -> web.Response:
        pipeline = request.app[PIPELINE]
        runtime = holder.current
        ex = Exchange(request[REQUEST_ID], ingress.wire)
        ex.client_headers = request.headers
        try:
            await pipeline.authenticate(request, ex)
            body = await read_json(request, runtime.config.server.max_body_bytes)
            req = ex.request = anthropic_messages.parse_request(body, counting=True)
            await pipeline.inspect(ex, pipeline.hooks_for(ex.principal))
            runtime.routes.plan(req.model, "chat")
            tokens = estimate_input_tokens(req)
            ex.decide("count_tokens", "estimated", input_tokens=tokens)
            return web.json_response({"input_tokens": tokens})
        except GatewayError as err:
            ex.status, ex.error_code = err.status, err.code
            return error_response(ingress, err, ex.request_id)
        except Exception:
            log.exception("unhandled error in request %s", ex.request_id)
            err = GatewayError("internal_error", "The gateway failed to handle this request")
            ex.status, ex.error_code = err.status, err.code
            return error_response(ingress, err, ex.request_id)
        finally:
            await pipeline.finish(ex)

    return handle
