"""What one client may send and hold, with safe defaults (README "Limits"; `server:` section).

- Request line and header size, header count: aiohttp's parser refuses beyond them with a 400
  and closes the connection (`max_header_bytes`, `max_headers`).
- Idle keep-alive connections, and clients still trickling their headers (slowloris): closed
  after `idle_timeout_s` (aiohttp's keep-alive timer runs from the connection's first byte and
  fires while no complete request has arrived).
- Slow bodies: a body not fully received within `body_timeout_s` of its headers ends the
  request with a 408 in the caller's format.
- Concurrency: beyond `max_concurrent_requests` in flight on this worker (streams included), a
  503 with Retry-After in the caller's format, before any other work.

Requests aiohttp refuses itself (malformed HTTP) are logged on one line without a traceback
and without the offending bytes: they are the client's fault, may hold credentials, and a
traceback per bad request would let anyone flood the logs.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.streams import StreamReader

from interlock.errors import GatewayError
from interlock.ingress.errors import caller_error
from interlock.server.pipeline import REQUEST_ID

if TYPE_CHECKING:
    from interlock.config.schema import ServerSettings
    from interlock.server.runtime import RuntimeHolder

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
RETRY_AFTER_S = 1


# Raised while aiohttp reads a request (its parser, the body's decoding, or our body timeout,
# which aiohttp meets again when it drains the rest of a refused body).
CLIENT_FAULTS = (HttpProcessingError, web.RequestPayloadError, GatewayError)


class _ServerLog(logging.LoggerAdapter):  # type: ignore[type-arg]
    """aiohttp's server logger, minus the traceback (and bytes) of a client's malformed HTTP."""

    def exception(self, msg: object, *args: object, exc_info: Any = True, **kwargs: Any) -> None:
        exc = exc_info if isinstance(exc_info, BaseException) else sys.exc_info()[1]
        if isinstance(exc, CLIENT_FAULTS):
            # The class names the fault (LineTooLong, BadStatusLine…); its message may quote
            # the request's bytes, credentials included, so it stays out of the log.
            self.logger.info("refused malformed or slow HTTP: %s", type(exc).__name__)
            return
        self.logger.error(msg, *args, exc_info=exc_info, **kwargs)


SERVER_LOG = _ServerLog(logging.getLogger("aiohttp.server"), {})


def handler_args(server: ServerSettings) -> dict[str, Any]:
    """aiohttp's per-connection settings (web.Application(handler_args=…)); fixed at start."""
    return {
        "max_line_size": server.max_header_bytes,
        "max_field_size": server.max_header_bytes,
        "max_headers": server.max_headers,
        "keepalive_timeout": server.idle_timeout_s,
        "logger": SERVER_LOG,
    }


def _expire_body(payload: StreamReader, seconds: float) -> None:
    if not payload.is_eof():
        # The handler's pending read raises this; the pipeline answers it in the caller's format.
        payload.set_exception(
            GatewayError("request_timeout", f"The request body did not arrive within {seconds:g} s")
        )


BODY_TIMER = web.RequestKey("body_timer", object)  # its TimerHandle, or None: no timer


class Admission:
    """Admits a request to this worker: the concurrency limit, then the slow-body guard.

    Synchronous `admit`/`release` around the handler rather than another coroutine level: the
    hot path pays a comparison and two additions. Limits are read from the running
    configuration per request, so a reload changes them.
    """

    def __init__(self, holder: RuntimeHolder) -> None:
        self.holder = holder
        self.in_flight = 0

    def admit(self, request: web.Request, request_id: str) -> web.Response | None:
        """None when admitted (then `release` must follow), else the refusal to send."""
        server = self.holder.current.config.server
        if self.in_flight >= server.max_concurrent_requests:
            err = GatewayError(
                "overloaded",
                "The gateway is at its concurrency limit; retry shortly",
                retry_after=RETRY_AFTER_S,
            )
            response = caller_error(request, err, request_id)
            response.headers["retry-after"] = str(RETRY_AFTER_S)
            return response
        self.in_flight += 1
        payload = request.content
        # Always set, so `release` reads it without a miss: a request's `get` of an absent key
        # raises and catches a KeyError inside (MutableMapping's default), once per request.
        request[BODY_TIMER] = (
            None
            if payload.is_eof()  # the whole body is here: no timer at all
            else asyncio.get_running_loop().call_later(
                server.body_timeout_s, _expire_body, payload, server.body_timeout_s
            )
        )
        return None

    def release(self, request: web.Request) -> None:
        self.in_flight -= 1
        timer = request[BODY_TIMER]
        if timer is not None:
            timer.cancel()

    def wrap(self, handler: Handler) -> Handler:
        """The same around a handler outside the pipeline (count_tokens); after request_scoped."""

        async def admitted(request: web.Request) -> web.StreamResponse:
            refused = self.admit(request, request[REQUEST_ID])
            if refused is not None:
                return refused
            try:
                return await handler(request)
            finally:
                self.release(request)

        return admitted
