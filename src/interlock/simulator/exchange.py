"""One simulated exchange: intake (log, auth, faults) and delivery (whole body or chunked stream).

Every provider handler follows the same order: record the request, check the provider's own
credentials, consult the fault registry, and only then validate and answer. Faults therefore
never mask an authentication failure, and every call that reached a provider is in the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import orjson
from aiohttp import web

from interlock.simulator.faults import Fault
from interlock.simulator.state import STATE, SimulatorState

# Builds a provider's error response: (status, message) -> response in that provider's shape.
ErrorFactory = Callable[[int, str], web.Response]

# Something a client can never parse as JSON, for `malformed` faults.
MALFORMED_JSON = b'{"id": "sim-malformed", "choices": [{"oops'


class InvalidRequest(Exception):
    """A request body the provider would refuse with a 400 in its own error shape."""

    def __init__(self, message: str, param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.param = param


@dataclass(slots=True)
class Call:
    """A request that passed authentication, with the fault (if any) that applies to it."""

    request: web.Request
    state: SimulatorState
    provider: str
    model: str
    body: Any
    fault: Fault | None
    started: float

    @property
    def chunk_delay_s(self) -> float:
        if self.fault is not None and self.fault.chunk_latency_ms is not None:
            return self.fault.chunk_latency_ms / 1000
        return self.state.config.chunk_latency_ms / 1000

    @property
    def malformed(self) -> bool:
        return self.fault is not None and self.fault.malformed

    def elapsed_ms(self) -> int:
        return int((time.monotonic() - self.started) * 1000)


def parse_json(raw: bytes) -> Any:
    """The request body as JSON, or None when it is empty or not JSON."""
    if not raw:
        return None
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return None


def json_response(
    payload: Any, status: int = 200, headers: dict[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=orjson.dumps(payload),
        status=status,
        content_type="application/json",
        headers=headers,
    )


async def open_call(
    request: web.Request,
    *,
    provider: str,
    model: str,
    body: Any,
    auth_failure: web.StreamResponse | None,
    error: ErrorFactory,
) -> Call | web.StreamResponse:
    """Logs the request, then applies auth and the fault prelude; returns a response to end early."""
    started = time.monotonic()
    state = request.app[STATE]
    state.record(request, provider, model, body)
    if auth_failure is not None:
        return auth_failure
    fault = state.faults.take(provider, model)
    call = Call(request, state, provider, model, body, fault, started)
    if fault is None:
        return call
    if fault.latency_ms:
        await asyncio.sleep(fault.latency_ms / 1000)
    if fault.hang:
        await hang(state)
        await _abort(request)
        return web.Response(status=503)
    if fault.status is not None:
        response = error(fault.status, fault.message or f"Simulated error {fault.status}")
        if fault.retry_after is not None:
            response.headers["Retry-After"] = _seconds_text(fault.retry_after)
        return response
    return call


def malformed_response(call: Call) -> web.Response | None:
    """The 200-with-garbage answer of a `malformed` fault on a non-streaming call."""
    if not call.malformed:
        return None
    return web.Response(body=MALFORMED_JSON, status=200, content_type="application/json")


async def hang(state: SimulatorState) -> None:
    """Never answers: waits until the client goes away (handler cancelled) or the server stops."""
    await state.closing.wait()


async def send_body(call: Call, response: web.Response) -> web.StreamResponse:
    """Sends a whole-body answer; a `cut_after_chunks` fault sends only the first half of it."""
    if call.fault is None or call.fault.cut_after_chunks is None:
        return response
    body = bytes(response.body) if isinstance(response.body, (bytes, bytearray)) else b""
    partial = web.StreamResponse(status=response.status, headers=response.headers)
    partial.content_length = len(body)
    await partial.prepare(call.request)
    with contextlib.suppress(ConnectionError):
        await partial.write(body[: len(body) // 2])
        await _abort(call.request)
    return partial


async def send_stream(
    call: Call,
    chunks: Iterable[bytes],
    *,
    content_type: str,
    headers: dict[str, str] | None = None,
) -> web.StreamResponse:
    """Writes a stream chunk by chunk, honouring chunk latency and `cut_after_chunks`.

    Chunks come from an iterable so that providers can build each one lazily; a cut drops the
    connection without the provider's terminating event (no `[DONE]`, no `message_stop`).
    """
    response = web.StreamResponse(status=200, headers=headers)
    response.headers["Content-Type"] = content_type
    response.headers.setdefault("Cache-Control", "no-cache")
    await response.prepare(call.request)
    cut = call.fault.cut_after_chunks if call.fault is not None else None
    delay = call.chunk_delay_s
    try:
        for sent, chunk in enumerate(chunks):
            if cut is not None and sent >= cut:
                await _abort(call.request)
                return response
            if sent and delay:
                await asyncio.sleep(delay)
            await response.write(chunk)
        await response.write_eof()
    except ConnectionError:
        pass  # the client went away mid-stream; nothing left to tell it
    return response


async def _abort(request: web.Request) -> None:
    """Drops the TCP connection once what was written has left, so the cut is exact."""
    transport = request.transport
    if transport is None:
        return
    for _ in range(200):
        if transport.is_closing() or transport.get_write_buffer_size() == 0:
            break
        await asyncio.sleep(0.005)
    transport.abort()


def _seconds_text(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)
