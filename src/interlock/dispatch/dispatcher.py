"""Dispatch: send the exchange along its plan with retries, failover, timeouts and breakers.

One keep-alive connection pool per upstream. A stream is committed to a target only once its
first frame has arrived, so any failure before the client saw a byte is retried or failed over.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

import aiohttp
from yarl import URL

from interlock.config.schema import GatewayConfig, ProviderConfig
from interlock.dispatch.breaker import CircuitBreaker
from interlock.errors import GatewayError
from interlock.exchange import (
    Attempt,
    ChatRequest,
    ChatResponse,
    EmbeddingRequest,
    EmbeddingResponse,
    Exchange,
    StreamChunk,
)
from interlock.providers import adapter_for
from interlock.providers.base import (
    ProtocolError,
    ProviderAdapter,
    StreamDecoder,
    Target,
    UpstreamError,
    UpstreamRequest,
)

T = TypeVar("T")

RETRYABLE_STATUS = frozenset({408, 409, 425, 429, 500, 502, 503, 504, 529})
# Not worth retrying on the same provider, but another provider may well serve the request.
FAILOVER_STATUS = RETRYABLE_STATUS | {401, 403, 404}


class UpstreamFailure(Exception):
    def __init__(self, error: UpstreamError | None, reason: str, retryable: bool) -> None:
        super().__init__(reason)
        self.error = error
        self.reason = reason
        self.retryable = retryable

    @property
    def failover(self) -> bool:
        return self.retryable or (self.error is not None and self.error.status in FAILOVER_STATUS)


@dataclass(slots=True)
class Upstream:
    name: str
    config: ProviderConfig
    adapter: ProviderAdapter
    session: aiohttp.ClientSession
    breaker: CircuitBreaker
    unary_timeout: aiohttp.ClientTimeout
    stream_timeout: aiohttp.ClientTimeout


class Dispatcher:
    def __init__(self, config: GatewayConfig) -> None:
        self.total_timeout_s = config.server.total_timeout_s
        self.upstreams: dict[str, Upstream] = {}
        for name, pc in config.providers.items():
            connector = aiohttp.TCPConnector(
                limit=pc.max_connections, keepalive_timeout=60, ttl_dns_cache=300
            )
            self.upstreams[name] = Upstream(
                name=name,
                config=pc,
                adapter=adapter_for(name, pc),
                session=aiohttp.ClientSession(
                    connector=connector,
                    auto_decompress=True,
                    skip_auto_headers=("User-Agent",),
                    # One session serves every tenant: a cookie one upstream answer sets must
                    # never ride along on another caller's request (and the jar costs per call).
                    cookie_jar=aiohttp.DummyCookieJar(),
                ),
                breaker=CircuitBreaker(
                    pc.circuit_breaker.failure_threshold, pc.circuit_breaker.reset_after_s
                ),
                unary_timeout=aiohttp.ClientTimeout(
                    total=None, connect=pc.timeouts.connect_s, sock_read=pc.timeouts.read_s
                ),
                stream_timeout=aiohttp.ClientTimeout(
                    total=None, connect=pc.timeouts.connect_s, sock_read=pc.timeouts.read_s
                ),
            )

    async def close(self) -> None:
        await asyncio.gather(*(u.session.close() for u in self.upstreams.values()))

    # ---- public entry points ---------------------------------------------------------------

    async def chat(self, ex: Exchange, plan: list[Target]) -> ChatResponse:
        req = ex.request
        assert isinstance(req, ChatRequest)

        # A plain function handing back `_unary`'s coroutine: one frame less per attempt.
        def one(up: Upstream, target: Target, remaining: float) -> Awaitable[ChatResponse]:
            upstream_req = up.adapter.chat_request(req, target, ex.wire)
            return self._unary(up, upstream_req, remaining, up.adapter.chat_response, target)

        return await self._along_plan(ex, plan, one)

    async def embeddings(self, ex: Exchange, plan: list[Target]) -> EmbeddingResponse:
        req = ex.request
        assert isinstance(req, EmbeddingRequest)

        def one(up: Upstream, target: Target, remaining: float) -> Awaitable[EmbeddingResponse]:
            upstream_req = up.adapter.embedding_request(req, target)
            return self._unary(up, upstream_req, remaining, up.adapter.embedding_response, target)

        return await self._along_plan(ex, plan, one)

    async def chat_stream(
        self, ex: Exchange, plan: list[Target]
    ) -> tuple[list[StreamChunk], AsyncIterator[list[StreamChunk]]]:
        """Open a stream; returns its first chunks and an iterator over batches of the rest.

        The rest raises `StreamBroken` if the upstream fails after the commit point.
        """
        req = ex.request
        assert isinstance(req, ChatRequest)

        async def one(
            up: Upstream, target: Target, remaining: float
        ) -> tuple[list[StreamChunk], AsyncIterator[list[StreamChunk]]]:
            return await self._open_stream(
                up, target, up.adapter.chat_request(req, target, ex.wire), remaining
            )

        return await self._along_plan(ex, plan, one)

    # ---- the plan loop -----------------------------------------------------------------------

    async def _along_plan(
        self,
        ex: Exchange,
        plan: list[Target],
        one: Callable[[Upstream, Target, float], Awaitable[T]],
    ) -> T:
        # A deadline checked between attempts and passed down as each attempt's time limit:
        # cheaper than a cancel scope around the whole loop, and never lets an attempt outlive it.
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.total_timeout_s
        last: UpstreamFailure | None = None
        skipped_open = 0
        for target in plan:
            up = self.upstreams[target.provider]
            policy = up.config.retry
            for attempt_no in range(policy.max_attempts):
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise _total_timeout()
                breaker = up.breaker
                if breaker.state != "closed" and not breaker.allow():  # closed: no call
                    skipped_open += 1
                    ex.decide("dispatch", "circuit_open", provider=up.name, model=target.name)
                    break
                attempt = Attempt(up.name, target.name, started=time.time())
                ex.attempts.append(attempt)
                t0 = time.perf_counter()
                try:
                    result = await one(up, target, remaining)
                except UpstreamFailure as failure:
                    attempt.duration_ms = (time.perf_counter() - t0) * 1000
                    attempt.status = failure.error.status if failure.error else None
                    attempt.error = failure.reason
                    last = failure
                    if failure.retryable:
                        breaker.record_failure()
                    else:
                        breaker.record_success()  # it answered; the request was bad
                    if not failure.failover:
                        raise _client_error(failure) from None
                    if not failure.retryable or attempt_no + 1 >= policy.max_attempts:
                        break
                    delay = _backoff(attempt_no, failure, policy)
                    if delay is None:
                        break  # Retry-After longer than we may wait: fail over now
                    if loop.time() + delay >= deadline:
                        raise _total_timeout() from None
                    await asyncio.sleep(delay)
                    continue
                attempt.duration_ms = (time.perf_counter() - t0) * 1000
                attempt.status = 200
                if breaker.failures or breaker.state != "closed":
                    breaker.record_success()
                ex.served_by = (up.name, target.name)
                ex.served_family = up.adapter.family
                if target is not plan[0]:
                    ex.decide("dispatch", "failover", served_by=target.name, requested=plan[0].name)
                return result
        if last is None and skipped_open:
            raise GatewayError(
                "upstream_unavailable",
                "Every provider for this model is failing; try again shortly",
                retry_after=min(self.upstreams[t.provider].breaker.reset_after_s for t in plan),
            )
        assert last is not None
        raise _client_error(last)

    # ---- single attempts ---------------------------------------------------------------------

    async def _unary(
        self,
        up: Upstream,
        req: UpstreamRequest,
        remaining: float,
        decode: Callable[[bytes, Target], T],
        target: Target,
    ) -> T:
        timeout = up.unary_timeout
        if remaining < up.config.timeouts.read_s:
            timeout = aiohttp.ClientTimeout(total=remaining, connect=up.config.timeouts.connect_s)
        try:
            async with up.session.request(
                req.method,
                _wire_url(req),
                data=req.body,
                headers=req.headers,
                timeout=timeout,
            ) as resp:
                body = await resp.read()
                if resp.status >= 400:
                    raise _status_failure(up, resp.status, resp.headers, body)
        except (TimeoutError, aiohttp.ServerTimeoutError):
            raise UpstreamFailure(None, "timeout", retryable=True) from None
        except aiohttp.ClientError as exc:
            raise UpstreamFailure(
                None, f"connection: {type(exc).__name__}", retryable=True
            ) from None
        return decode(body, target)

    async def _open_stream(
        self, up: Upstream, target: Target, req: UpstreamRequest, remaining: float
    ) -> tuple[list[StreamChunk], AsyncIterator[list[StreamChunk]]]:
        resp: aiohttp.ClientResponse | None = None
        timeout = up.stream_timeout
        if remaining < up.config.timeouts.read_s:
            # Near the total deadline the per-read limit shrinks so the first frame cannot
            # arrive after it; the stream then keeps that shorter gap limit.
            timeout = aiohttp.ClientTimeout(
                total=None, connect=up.config.timeouts.connect_s, sock_read=remaining
            )
        try:
            resp = await up.session.request(
                req.method,
                _wire_url(req),
                data=req.body,
                headers=req.headers,
                timeout=timeout,
            )
            if resp.status >= 400:
                body = await resp.read()
                raise _status_failure(up, resp.status, resp.headers, body)
            decoder = up.adapter.chat_stream(target)
            first: list[StreamChunk] = []
            async for data in resp.content.iter_any():
                first = decoder.feed(data)
                if first:
                    break
            else:
                first = decoder.close()
                resp.release()
                return first, _empty()
            return first, _rest(resp, decoder)
        except (TimeoutError, aiohttp.ServerTimeoutError):
            _abort(resp)
            raise UpstreamFailure(None, "timeout", retryable=True) from None
        except aiohttp.ClientError as exc:
            _abort(resp)
            raise UpstreamFailure(
                None, f"connection: {type(exc).__name__}", retryable=True
            ) from None
        except ProtocolError as exc:
            _abort(resp)
            raise UpstreamFailure(None, f"protocol: {exc}", retryable=True) from None
        except UpstreamFailure:
            _abort(resp)
            raise


_URLS: dict[str, URL] = {}


def _wire_url(req: UpstreamRequest) -> URL:
    # Adapters build fully encoded URLs, and a signed one (SigV4) must go out byte for byte:
    # re-quoting would turn a Bedrock model id's `%3A` back into `:` and break the signature.
    # The set of upstream URLs is small and fixed by the configuration, so parse each once.
    url = _URLS.get(req.url)
    if url is None:
        if len(_URLS) > 4096:
            _URLS.clear()
        url = _URLS[req.url] = URL(req.url, encoded=True)
    return url


class StreamBroken(Exception):
    """The upstream failed after the client had received part of the stream."""


async def _rest(
    resp: aiohttp.ClientResponse, decoder: StreamDecoder
) -> AsyncIterator[list[StreamChunk]]:
    # One batch per upstream read: the client gets one write per read, as soon as it arrives.
    try:
        async for data in resp.content.iter_any():
            batch = decoder.feed(data)
            if batch:
                yield batch
        tail = decoder.close()
        if tail:
            yield tail
    except (TimeoutError, aiohttp.ServerTimeoutError):
        raise StreamBroken("the upstream stopped sending (read timeout)") from None
    except aiohttp.ClientError as exc:
        raise StreamBroken(f"the upstream connection failed: {type(exc).__name__}") from None
    except ProtocolError as exc:
        raise StreamBroken(f"the upstream stream broke: {exc}") from None
    finally:
        # A half-read connection cannot go back to the pool.
        if resp.content.at_eof():
            resp.release()
        else:
            resp.close()


async def _empty() -> AsyncIterator[list[StreamChunk]]:
    return
    yield  # pragma: no cover - makes this an async generator


def _abort(resp: aiohttp.ClientResponse | None) -> None:
    if resp is not None:
        resp.close()


def _status_failure(up: Upstream, status: int, headers: object, body: bytes) -> UpstreamFailure:
    error = up.adapter.error(status, headers, body)  # type: ignore[arg-type]
    return UpstreamFailure(error, f"HTTP {status}", retryable=status in RETRYABLE_STATUS)


def _backoff(attempt_no: int, failure: UpstreamFailure, policy: object) -> float | None:
    retry_after = failure.error.retry_after if failure.error else None
    if retry_after is not None:
        return retry_after if retry_after <= policy.retry_after_max_s else None  # type: ignore[attr-defined]
    ceiling = min(policy.backoff_max_s, policy.backoff_base_s * (2**attempt_no))  # type: ignore[attr-defined]
    return random.uniform(ceiling / 2, ceiling)  # jitter keeps many clients from retrying in step


def _total_timeout() -> GatewayError:
    return GatewayError(
        "upstream_timeout", "The upstream did not answer within the total time limit"
    )


def _client_error(failure: UpstreamFailure) -> GatewayError:
    err = failure.error
    if err is None:
        if failure.reason == "timeout":
            return GatewayError("upstream_timeout", "The upstream did not answer in time")
        return GatewayError(
            "upstream_error", f"The upstream could not be reached ({failure.reason})"
        )
    if err.status == 429:
        return GatewayError(
            "upstream_rate_limited",
            "The upstream provider is rate limiting; retry later",
            retry_after=err.retry_after,
        )
    if 400 <= err.status < 500 and err.status not in (401, 403, 404, 408):
        # The provider refused the request itself: the caller can fix it, so say what it said.
        return GatewayError(
            "upstream_bad_request",
            f"The provider refused the request: {err.message}",
            status=400 if err.status != 413 else 413,
        )
    return GatewayError("upstream_error", f"The upstream failed (HTTP {err.status})")
