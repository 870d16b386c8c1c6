"""`GET /v1/models`: the models the caller's policy allows, in OpenAI's or Anthropic's shape.

Listing is an exchange like any other: it is authenticated by the same stage and recorded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from interlock.errors import GatewayError
from interlock.exchange import Exchange
from interlock.ingress.errors import caller_error
from interlock.server.pipeline import REQUEST_ID
from interlock.server.runtime import RuntimeHolder

if TYPE_CHECKING:
    from interlock.server.pipeline import Pipeline


def models_handler(
    holder: RuntimeHolder, pipeline: Pipeline
) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        anthropic = "anthropic-version" in request.headers
        ex = Exchange(request[REQUEST_ID], "anthropic.messages" if anthropic else "openai.chat")
        ex.client_headers = request.headers
        try:
            await pipeline.authenticate(request, ex)
        except GatewayError as err:
            ex.status, ex.error_code = err.status, err.code
            return caller_error(request, err, ex.request_id)
        finally:
            await pipeline.finish(ex)
        allowed = ex.model_filter
        entries: list[tuple[str, str]] = []
        for name, model in holder.current.config.models.items():
            for served_as in (name, *model.aliases):
                if allowed is None or allowed(served_as):
                    entries.append((served_as, model.provider))
        if anthropic:
            data = [
                {
                    "type": "model",
                    "id": name,
                    "display_name": name,
                    "created_at": "1970-01-01T00:00:00Z",
                }
                for name, _ in entries
            ]
            return web.json_response(
                {
                    "data": data,
                    "has_more": False,
                    "first_id": data[0]["id"] if data else None,
                    "last_id": data[-1]["id"] if data else None,
                }
            )
        return web.json_response(
            {
                "object": "list",
                "data": [
                    {"id": n, "object": "model", "created": 0, "owned_by": p} for n, p in entries
                ],
            }
        )

    return handle
