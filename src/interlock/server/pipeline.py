"""The request path: ingress → stages → dispatch → render, for every way in.

Stages are addons with hooks named after the events they handle (`on_request`, `on_response`,
`on_done`); the gateway core runs with none, and identity, DLP, budgets and audit plug in here.
"""

from __future__ import annotations

import contextlib
import itertools
import logging
import os
import time
import zlib
from collections.abc import Awaitable, Callable
from inspect import isawaitable
from typing import Any, Protocol

import orjson
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from interlock.dispatch.dispatcher import StreamBroken
from interlock.errors import GatewayError
from interlock.exchange import ChatRequest, EmbeddingRequest, Exchange, StreamChunk
from interlock.ingress.base import Ingress
from interlock.providers.base import Target
from interlock.server.runtime import Runtime, RuntimeHolder
from interlock.streaming import StreamAccumulator

log = logging.getLogger("interlock.pipeline")

JSON = "application/json"


class Addon(Protocol):
    """Any subset of these hooks; each runs in the order the addons were registered.

    Hooks may be plain functions instead of coroutines (returning None, or the plan): a stage
    that usually has nothing to do answers with a call rather than a coroutine. An addon with
    `applies_to(policy)` is skipped entirely for exchanges under a policy it returns False for.
    """

    def applies_to(self, policy: Any) -> bool:
        """Whether this addon's exchange hooks run under `policy` (None: no identity)."""
        ...

    async def on_authenticate(self, request: web.Request, ex: Exchange) -> Any:
        """Return the resolved principal or raise GatewayError (401/403)."""

    async def on_request(self, ex: Exchange) -> None:
        """The body is parsed into `ex.request`: inspect or rewrite it (set `modified`)."""

    async def on_plan(self, ex: Exchange, plan: list[Target]) -> list[Target]:
        """Routing has made a plan: return it, or another (downgrade, reorder, refuse)."""
        ...

    async def on_response(self, ex: Exchange) -> None:
        """A whole (non-streamed) answer is in `ex.response`, not yet sent."""

    async def on_done(self, ex: Exchange) -> None:
        """Always last, answered, refused or failed, streamed or not: settle and record."""

    def stream_filter(self, ex: Exchange) -> StreamFilter | None:
        """A filter for this exchange's stream, or None to leave it alone."""


class EndStream(Exception):
    """Raised by a stream filter: send `deliver`, then `error` as the stream's last event."""

    def __init__(self, error: GatewayError, deliver: list[StreamChunk] | None = None) -> None:
        super().__init__(error.message)
        self.error = error
        self.deliver = deliver or []


class StreamFilter(Protocol):
    """Sees a stream's chunks before the client does; may hold some back, rewrite or end it.

    `feed` gets each batch as it arrives and returns what may go out now; `finish` returns
    what it still holds once the upstream is done. Raising EndStream ends the stream with an
    error event in the caller's format. A filter that changes a chunk must drop its `raw`
    bytes, so renderers encode the changed events instead of passing the provider's through.
    """

    def feed(self, chunks: list[StreamChunk]) -> list[StreamChunk]: ...

    def finish(self) -> list[StreamChunk]: ...


REQUEST_ID = web.RequestKey("request_id", str)


# Unique, not secret: a random per-process prefix and a counter, so no syscall per request.
_ID_PREFIX = ""
_id_counter = itertools.count(1)


def _new_id_prefix() -> None:
    global _ID_PREFIX, _id_counter
    _ID_PREFIX = "req_" + os.urandom(6).hex()
    _id_counter = itertools.count(1)


_new_id_prefix()
os.register_at_fork(after_in_child=_new_id_prefix)  # forked workers must not share a prefix


def new_request_id() -> str:
    return f"{_ID_PREFIX}{next(_id_counter):012x}"


class Hooks:
    """The hooks that run for one kind of exchange, bound once so the hot path iterates lists.

    A hook may be a coroutine function or a plain one; a plain hook returns None (or, for
    `on_plan`, the plan itself), so stages with nothing to do for an exchange cost a call, not
    a coroutine.
    """

    __slots__ = ("done", "plan", "request", "response", "stream_filters")

    def __init__(self, addons: list[Any]) -> None:
        self.request: list[Callable[[Exchange], Awaitable[None] | None]] = [
            a.on_request for a in addons if hasattr(a, "on_request")
        ]
        self.plan: list[
            Callable[[Exchange, list[Target]], Awaitable[list[Target]] | list[Target]]
        ] = [a.on_plan for a in addons if hasattr(a, "on_plan")]
        self.response: list[Callable[[Exchange], Awaitable[None] | None]] = [
            a.on_response for a in addons if hasattr(a, "on_response")
        ]
        self.done: list[Callable[[Exchange], Awaitable[None] | None]] = [
            a.on_done for a in addons if hasattr(a, "on_done")
        ]
        self.stream_filters: list[Callable[[Exchange], StreamFilter | None]] = [
            a.stream_filter for a in addons if hasattr(a, "stream_filter")
        ]


class Pipeline:
    def __init__(self, holder: RuntimeHolder, addons: list[Any] | None = None) -> None:
        self.holder = holder
        self.addons = addons or []
        self.all = Hooks(self.addons)
        # Every hook of every addon, for code that inspects the pipeline (tests, tools).
        self.request_hooks = self.all.request
        self.done_hooks = self.all.done
        # Authentication runs before the body is even read: a refused request does no other work.
        self.authenticators: list[Callable[[web.Request, Exchange], Any]] = [
            a.on_authenticate for a in self.addons if hasattr(a, "on_authenticate")
        ]
        # Per policy, only the stages that act on it: a gateway with no DLP, injection or
        # output policy pays nothing for those stages. Keyed by the policy object (None when
        # no identity), so a reloaded configuration gets fresh entries.
        self._by_policy: dict[int, tuple[Any, Hooks]] = {}

    def hooks_for(self, principal: Any) -> Hooks:
        # getattr on None would raise (and format) an AttributeError inside: test first.
        policy = None if principal is None else getattr(principal, "policy", None)
        entry = self._by_policy.get(id(policy))
        if entry is not None and entry[0] is policy:
            return entry[1]
        hooks = Hooks(
            [a for a in self.addons if not hasattr(a, "applies_to") or a.applies_to(policy)]
        )
        if len(self._by_policy) > 1024:  # reloads leave old policies behind
            self._by_policy.clear()
        self._by_policy[id(policy)] = (policy, hooks)
        return hooks

    async def authenticate(self, request: web.Request, ex: Exchange) -> None:
        for authenticate in self.authenticators:
            principal = authenticate(request, ex)
            if isawaitable(principal):
                principal = await principal
            ex.principal = principal

    async def inspect(self, ex: Exchange, hooks: Hooks) -> None:
        """The request hooks, in order, on a parsed request."""
        for hook in hooks.request:
            pending = hook(ex)
            if pending is not None:
                await pending

    async def finish(self, ex: Exchange, hooks: Hooks | None = None) -> None:
        for hook in (hooks or self.hooks_for(ex.principal)).done:
            pending = hook(ex)
            if pending is not None:
                await pending

    async def handle(self, request: web.Request, ingress: Ingress) -> web.StreamResponse:
        request_id = request[REQUEST_ID]
        runtime = self.holder.current
        runtime.enter()
        ex = Exchange(request_id, ingress.wire)
        ex.client_headers = request.headers
        hooks: Hooks | None = None
        try:
            # Inlined (not `await self.authenticate(...)`): no coroutine when nothing suspends.
            for authenticate in self.authenticators:
                principal = authenticate(request, ex)
                ex.principal = await principal if isawaitable(principal) else principal
            hooks = self.hooks_for(ex.principal)
            body = await read_json(request, runtime.config.server.max_body_bytes)
            req = ex.request = ingress.parse(body)
            for hook in hooks.request:
                pending = hook(ex)
                if pending is not None:
                    await pending
            plan = runtime.routes.plan(req.model, ingress.kind)
            if ex.model_filter is not None:
                plan = [t for t in plan if ex.model_filter(t.name)]
            for plan_hook in hooks.plan:
                planned = plan_hook(ex, plan)
                plan = planned if type(planned) is list else await planned  # type: ignore[misc]
            if req.stream:
                return await self._stream(request, ingress, ex, runtime, plan, hooks)
            if isinstance(req, EmbeddingRequest):
                ex.response = await runtime.dispatcher.embeddings(ex, plan)
            else:
                ex.response = await runtime.dispatcher.chat(ex, plan)
            ex.usage = ex.response.usage
            for hook in hooks.response:
                pending = hook(ex)
                if pending is not None:
                    await pending
            rendered = ingress.render(ex)
            body = rendered if isinstance(rendered, bytes) else orjson.dumps(rendered)
            return web.Response(body=body, content_type=JSON, headers=ex.headers or None)
        except GatewayError as err:
            ex.status, ex.error_code = err.status, err.code
            return error_response(ingress, err, request_id, ex.headers)
        except Exception:
            log.exception("unhandled error in request %s", request_id)
            err = GatewayError("internal_error", "The gateway failed to handle this request")
            ex.status, ex.error_code = err.status, err.code
            return error_response(ingress, err, request_id)
        finally:
            closing = runtime.leave()
            if closing is not None:
                await closing
            for hook in (hooks or self.hooks_for(ex.principal)).done:
                pending = hook(ex)
                if pending is not None:
                    await pending

    async def _stream(
        self,
        request: web.Request,
        ingress: Ingress,
        ex: Exchange,
        runtime: Runtime,
        plan: list[Target],
        hooks: Hooks,
    ) -> web.StreamResponse:
        # Errors up to here (and while opening the stream) are plain JSON errors: no byte of the
        # stream has been sent, and the dispatcher has already retried and failed over.
        first, rest = await runtime.dispatcher.chat_stream(ex, plan)
        assert isinstance(ex.request, ChatRequest)
        renderer = ingress.stream_renderer(ex)
        filters = [f for make in hooks.stream_filters if (f := make(ex)) is not None]
        acc = StreamAccumulator()  # what the client was sent: the audit records that
        response = web.StreamResponse(
            headers={
                "content-type": "text/event-stream",
                "cache-control": "no-cache",
                "x-request-id": ex.request_id,
                **ex.headers,
            }
        )
        await response.prepare(request)
        ttfb = time.perf_counter()

        def render(batch: list[StreamChunk]) -> bytes:
            for stream_filter in filters:
                batch = stream_filter.feed(batch)
            frames = []
            for chunk in batch:
                acc.add(chunk)
                frames.append(renderer.render(chunk))
            return b"".join(frames)

        tail = b""
        try:
            out = renderer.start() + render(first)
            if out:
                await response.write(out)
            async for batch in rest:
                out = render(batch)
                if out:
                    await response.write(out)
            # What filters still hold back goes out once the upstream is done, in filter order.
            held: list[StreamChunk] = []
            for stream_filter in filters:
                held = stream_filter.feed(held) + stream_filter.finish()
            for chunk in held:
                acc.add(chunk)
                tail += renderer.render(chunk)
        except EndStream as end:
            # A filter ended the stream: what it let through, then an error event in the
            # caller's own format.
            err = end.error
            ex.status, ex.error_code = err.status, err.code
            delivered = b""
            for chunk in end.deliver:
                acc.add(chunk)
                delivered += renderer.render(chunk)
            await _write_quietly(response, delivered + renderer.error(err))
        except StreamBroken as exc:
            err = GatewayError("upstream_error", f"The upstream stream failed mid-way: {exc}")
            ex.status, ex.error_code = 502, err.code
            await _write_quietly(response, renderer.error(err))
        except ConnectionError:
            # The caller hung up mid-stream: nothing more can be written. Not an error of
            # ours (no traceback, no 500): the record says 499 with what had been streamed.
            ex.status, ex.error_code = 499, "client_disconnected"
            return response
        finally:
            ex.response = acc.response()
            ex.usage = acc.usage
            ex.decide("stream", "ended", first_chunk_ms=round((ttfb - ex.started) * 1000, 3))
        await response.write_eof(tail + renderer.finish() if ex.error_code is None else b"")
        return response


async def _write_quietly(response: web.StreamResponse, data: bytes) -> None:
    with contextlib.suppress(ConnectionError):
        await response.write(data)


async def read_json(request: web.Request, limit: int) -> dict[str, Any]:
    if request.content_length is not None and request.content_length > limit:
        raise _too_large(limit)
    try:
        raw = await request.read()
    except web.HTTPRequestEntityTooLarge:
        raise _too_large(limit) from None
    except BODY_ERRORS as exc:
        raise unreadable_body(exc) from None
    return json_object(raw, limit)


# What reading a body raises when the client is at fault: malformed chunking or content
# encoding (aiohttp's parser errors, wrapped or not), or a client that went away before
# sending all it announced.
BODY_ERRORS = (web.RequestPayloadError, HttpProcessingError, zlib.error, ConnectionError)


def unreadable_body(exc: BaseException) -> GatewayError:
    if isinstance(exc, ConnectionError):
        # Nobody is left to read the answer; the status is for the audit record.
        return GatewayError(
            "client_disconnected", "The client closed the connection mid-body", status=499
        )
    return GatewayError(
        "invalid_request",
        "The request body could not be read: malformed chunked transfer or content encoding",
    )


def _too_large(limit: int) -> GatewayError:
    return GatewayError("body_too_large", f"The request body exceeds the limit of {limit} bytes")


def json_object(raw: bytes, limit: int) -> dict[str, Any]:
    """The body as a JSON object, or a clear 4xx saying why not."""
    if len(raw) > limit:
        raise _too_large(limit)
    # The body decides, not the content type: clients label JSON in many ways (curl's form
    # default among them), and a body that is not JSON gets a clear invalid_json below.
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise GatewayError(
            "invalid_json", f"The request body is not valid JSON ({exc.msg} at {exc.pos})"
        ) from None
    if not isinstance(body, dict):
        raise GatewayError("invalid_json", "The request body must be a JSON object")
    return body


def error_response(
    ingress: Ingress, err: GatewayError, request_id: str, extra: dict[str, str] | None = None
) -> web.Response:
    # `extra`: headers stages added to the exchange (x-ratelimit-* on a 429, budget warnings).
    headers = dict(extra) if extra else {}
    if err.retry_after is not None:
        headers["retry-after"] = str(max(1, round(err.retry_after)))
    return web.Response(
        status=err.status,
        body=orjson.dumps(ingress.error_body(err, request_id)),
        content_type=JSON,
        headers=headers or None,
    )
