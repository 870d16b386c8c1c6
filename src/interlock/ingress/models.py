"""`GET /v1/models`: the configured models and aliases, in OpenAI's or Anthropic's list shape."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from interlock.server.runtime import RuntimeHolder


def models_handler(holder: RuntimeHolder) -> Callable[[web.Request], Awaitable[web.Response]]:
    async def handle(request: web.Request) -> web.Response:
        config = holder.current.config
        entries: list[tuple[str, str]] = []
        for name, model in config.models.items():
            entries.append((name, model.provider))
            entries.extend((alias, model.provider) for alias in model.aliases)
        if "anthropic-version" in request.headers:
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
