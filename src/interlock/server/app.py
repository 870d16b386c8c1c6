"""The HTTP surface: routes, request IDs on every response, errors in the caller's own shape."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import import_module
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

from interlock.config import GatewayConfig
from interlock.errors import GatewayError
from interlock.ingress.base import Ingress
from interlock.ingress.errors import anthropic_error, openai_error
from interlock.server.pipeline import Pipeline, new_request_id
from interlock.server.runtime import RuntimeHolder

log = logging.getLogger("interlock.server")

# (path, ingress class): every way in goes through the same pipeline.
INGRESS_ROUTES: list[tuple[str, str]] = [
    ("/v1/chat/completions", "interlock.ingress.openai_chat:OpenAIChatIngress"),
    ("/v1/completions", "interlock.ingress.openai_completions:OpenAICompletionsIngress"),
    ("/v1/embeddings", "interlock.ingress.openai_embeddings:OpenAIEmbeddingsIngress"),
    ("/v1/responses", "interlock.ingress.openai_responses:OpenAIResponsesIngress"),
    ("/v1/messages", "interlock.ingress.anthropic_messages:AnthropicMessagesIngress"),
]

HOLDER = web.AppKey("holder", RuntimeHolder)
PIPELINE = web.AppKey("pipeline", Pipeline)


def _load(spec: str) -> Any:
    module, _, name = spec.partition(":")
    return getattr(import_module(module), name)


def _is_anthropic(request: web.Request) -> bool:
    return request.path.startswith("/v1/messages") or "anthropic-version" in request.headers


def render_error(request: web.Request, err: GatewayError) -> web.Response:
    rid = request.get("request_id") or new_request_id()
    body = anthropic_error(err, rid) if _is_anthropic(request) else openai_error(err, rid)
    return web.Response(status=err.status, body=orjson.dumps(body), content_type="application/json")


@web.middleware
async def request_id_middleware(
    request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
) -> web.StreamResponse:
    rid = new_request_id()
    request["request_id"] = rid
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        # aiohttp's own 404/405/413 become errors in the caller's API shape.
        code = {404: "not_found", 405: "method_not_allowed", 413: "body_too_large"}.get(
            exc.status, "invalid_request"
        )
        message = {
            404: f"No route for {request.method} {request.path}",
            405: f"{request.method} is not allowed on {request.path}",
        }.get(exc.status, exc.reason)
        response = render_error(request, GatewayError(code, message, status=exc.status))
    if not response.prepared:
        response.headers["x-request-id"] = rid
    return response


async def _set_stream_request_id(request: web.Request, response: web.StreamResponse) -> None:
    # Streams are prepared inside the handler, before the middleware sees them.
    if "x-request-id" not in response.headers and "request_id" in request:
        response.headers["x-request-id"] = request["request_id"]


def build_app(
    config: GatewayConfig, config_path: Path | None = None, addons: list[Any] | None = None
) -> web.Application:
    holder = RuntimeHolder(config_path, config)
    pipeline = Pipeline(holder, addons)
    app = web.Application(
        middlewares=[request_id_middleware],
        client_max_size=config.server.max_body_bytes + 1,
    )
    app[HOLDER] = holder
    app[PIPELINE] = pipeline
    app.on_response_prepare.append(_set_stream_request_id)

    for path, spec in INGRESS_ROUTES:
        try:  # DEV-ONLY: tolerate ingress modules still being written; removed before commit
            ingress: Ingress = _load(spec)()
        except ModuleNotFoundError:
            continue

        async def handle(request: web.Request, ingress: Ingress = ingress) -> web.StreamResponse:
            return await pipeline.handle(request, ingress)

        app.router.add_post(path, handle)

    from interlock.ingress.models import models_handler

    app.router.add_get("/v1/models", models_handler(holder))
    app.router.add_get("/healthz", _healthz)

    async def on_startup(app: web.Application) -> None:
        holder.start()

    async def on_cleanup(app: web.Application) -> None:
        await holder.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


async def _healthz(request: web.Request) -> web.Response:
    return web.json_response({"status": "ok"})
