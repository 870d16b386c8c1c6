"""The HTTP surface: routes, request IDs on every response, errors in the caller's own shape."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from importlib import import_module
from pathlib import Path
from typing import Any

from aiohttp import HttpVersion11, hdrs, web

from interlock.config import GatewayConfig
from interlock.errors import GatewayError
from interlock.ingress.base import Ingress
from interlock.ingress.errors import caller_error
from interlock.server.limits import Admission, handler_args
from interlock.server.logs import current_request_id
from interlock.server.pipeline import REQUEST_ID, Pipeline, new_request_id
from interlock.server.runtime import RuntimeHolder
from interlock.server.stages import build_stages

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


def render_error(request: web.Request, err: GatewayError) -> web.Response:
    return caller_error(request, err, request.get(REQUEST_ID) or new_request_id())


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def request_scoped(handler: Handler) -> Handler:
    """Give the request its ID and every response the `x-request-id` header.

    A plain wrapper rather than an aiohttp middleware: middleware dispatch costs several
    microseconds per request on the hot path, this costs one call.
    """

    async def wrapped(request: web.Request) -> web.StreamResponse:
        rid = request[REQUEST_ID] = new_request_id()
        current_request_id.set(rid)  # each request runs in its own task: no reset needed
        return _identified(request, await handler(request), rid)

    return wrapped


def _identified(request: web.Request, response: web.StreamResponse, rid: str) -> web.StreamResponse:
    if not response.prepared:  # streams set it themselves before their first byte
        response.headers["x-request-id"] = rid
        if request.path.startswith("/v1/messages"):
            response.headers["request-id"] = rid  # where the Anthropic SDK looks for it
    return response


def ingress_handler(pipeline: Pipeline, ingress: Ingress, admission: Admission) -> Handler:
    """`request_scoped`, admission and the pipeline in one coroutine: the hot path's every way in."""

    async def handle(request: web.Request) -> web.StreamResponse:
        rid = request[REQUEST_ID] = new_request_id()
        current_request_id.set(rid)
        refused = admission.admit(request, rid)  # concurrency limit, slow-body guard
        if refused is not None:
            return _identified(request, refused, rid)
        try:
            return _identified(request, await pipeline.handle(request, ingress), rid)
        finally:
            admission.release(request)

    return handle


def _fallback(known_paths: set[str]) -> Handler:
    async def unmatched(request: web.Request) -> web.Response:
        # Reached only when no route matched: 405 on a known path, 404 elsewhere.
        if request.path in known_paths:
            err = GatewayError(
                "method_not_allowed", f"{request.method} is not allowed on {request.path}"
            )
        else:
            err = GatewayError("not_found", f"No route for {request.method} {request.path}")
        return render_error(request, err)

    return unmatched


def build_app(
    config: GatewayConfig, config_path: Path | None = None, addons: list[Any] | None = None
) -> web.Application:
    holder = RuntimeHolder(config_path, config)
    addons = [*build_stages(holder, config, config_path), *(addons or [])]
    pipeline = Pipeline(holder, addons)
    app = web.Application(
        client_max_size=config.server.max_body_bytes + 1,
        handler_args=handler_args(config.server),  # header limits, idle timeout (limits.py)
    )
    admission = Admission(holder)
    app[HOLDER] = holder
    app[PIPELINE] = pipeline
    for addon in addons:
        if hasattr(addon, "install"):
            addon.install(app)  # its own routes (admin API, metrics…) and start/stop hooks

    inference: dict[str, Handler] = {}
    for path, spec in INGRESS_ROUTES:
        handler = inference[path] = ingress_handler(pipeline, _load(spec)(), admission)
        app.router.add_post(path, handler)  # also routed: what the router lists and documents
    _route_inference_first(app, inference)

    from interlock.ingress.anthropic_messages import count_tokens_handler
    from interlock.ingress.models import models_handler
    from interlock.ingress.openapi import openapi_handler

    app.router.add_get("/v1/models", request_scoped(models_handler(holder, pipeline)))
    app.router.add_post(
        "/v1/messages/count_tokens", request_scoped(admission.wrap(count_tokens_handler(holder)))
    )
    app.router.add_get("/v1/openapi.json", request_scoped(openapi_handler))
    app.router.add_get("/healthz", request_scoped(_healthz))
    app.router.add_get("/readyz", request_scoped(_readyz(holder, addons)))
    known = {r.canonical for r in app.router.resources()}
    app.router.add_route("*", "/{tail:.*}", request_scoped(_fallback(known)))

    async def on_startup(app: web.Application) -> None:
        _tolerate_unknown_expectations(app)  # every route exists by now (the router is frozen)
        holder.start()

    async def on_cleanup(app: web.Application) -> None:
        await holder.close()

    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    return app


async def _continue_or_ignore(request: web.Request) -> None:
    """`Expect: 100-continue` is answered as aiohttp answers it; any other expectation is ignored
    (RFC 9110 lets a server do so) instead of aiohttp's bare 417, which no middleware sees: the
    request goes on to get its request ID and an answer in the caller's format like any other."""
    expect = request.headers.get(hdrs.EXPECT, "")
    if request.version == HttpVersion11 and expect.lower() == "100-continue":
        await request.writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
        request.writer.output_size = 0  # the body has not started


def _tolerate_unknown_expectations(app: web.Application) -> None:
    # aiohttp takes the expect handler only as an argument of each add_route call, and routes
    # come from many modules (ingress, admin, console, metrics): set it on all of them here.
    for route in app.router.routes():
        if hasattr(route, "_expect_handler"):
            route._expect_handler = _continue_or_ignore


def _route_inference_first(app: web.Application, inference: dict[str, Handler]) -> None:
    """Hand the inference POSTs straight to their handlers, ahead of aiohttp's router.

    The router's resolution, match info and middleware checks cost the hot path about as much
    as a stage; these paths are fixed, so a dict lookup finds them. Everything else, and any
    request that expects `100-continue` (the router answers that), goes through the router.
    """
    routed = app._handle

    async def dispatch(request: web.Request) -> web.StreamResponse:
        if request.method == "POST" and "Expect" not in request.headers:
            handler = inference.get(request.path)
            if handler is not None:
                return await handler(request)
        return await routed(request)

    app._handle = dispatch  # type: ignore[method-assign]


async def _healthz(request: web.Request) -> web.Response:
    """Alive: the process answers. Load balancers restart on this, so it checks nothing else."""
    return web.json_response({"status": "ok"})


def _readyz(holder: RuntimeHolder, addons: list[Any]) -> Handler:
    """Ready: configuration loaded and every stage's dependencies usable (e.g. the identity view
    is fresh). Load balancers stop routing here while it says 503."""
    probes = [a.readiness for a in addons if hasattr(a, "readiness")]

    async def readyz(request: web.Request) -> web.Response:
        checks: dict[str, str] = {"config": "ok" if getattr(holder, "current", None) else "loading"}
        for probe in probes:
            name, problem = probe()
            checks[name] = problem or "ok"
        ready = all(v == "ok" for v in checks.values())
        return web.json_response(
            {"status": "ready" if ready else "not_ready", "checks": checks},
            status=200 if ready else 503,
        )

    return readyz
