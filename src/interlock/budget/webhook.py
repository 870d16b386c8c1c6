"""Signed webhooks for budget warnings, delivered off the request path with retries.

Each POST carries a JSON event and `x-interlock-signature: t=<unix seconds>,v1=<hex>`, where
the hex is HMAC-SHA256 with the configured secret over `<t>.<raw body>`: a receiver checks
the signature with `verify_signature` and refuses old timestamps, so a captured delivery cannot
be replayed later.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
import os
import time
from typing import Any

import aiohttp
import orjson
from yarl import URL

from interlock.budget.config import WebhookSettings

log = logging.getLogger("interlock.budget")

SIGNATURE_HEADER = "x-interlock-signature"


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify_signature(
    secret: str, body: bytes, header: str, tolerance_s: float = 300, now: float | None = None
) -> bool:
    """What a receiver runs: the signature matches and is recent."""
    try:
        fields = dict(part.split("=", 1) for part in header.split(","))
        timestamp = int(fields["t"])
        given = fields["v1"]
    except (ValueError, KeyError):
        return False
    if abs((time.time() if now is None else now) - timestamp) > tolerance_s:
        return False
    expected = sign(secret, timestamp, body).rsplit("v1=", 1)[1]
    return hmac.compare_digest(expected, given)


class WebhookSender:
    def __init__(self) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.delivered = 0
        self.failed = 0

    def send(self, settings: WebhookSettings, event: dict[str, Any]) -> None:
        """Queue one delivery; returns at once."""
        task = asyncio.ensure_future(self._deliver(settings, event))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _deliver(self, settings: WebhookSettings, event: dict[str, Any]) -> None:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        body = orjson.dumps(event)
        delivery = "whd_" + os.urandom(8).hex()
        delay = 0.5
        for attempt in range(1, settings.max_attempts + 1):
            headers = {
                "content-type": "application/json",
                "user-agent": "interlock-webhook/1",
                "x-interlock-event": str(event.get("type", "")),
                "x-interlock-delivery": delivery,
                SIGNATURE_HEADER: sign(settings.secret, int(time.time()), body),
            }
            try:
                async with self._session.post(
                    settings.url,
                    data=body,
                    headers=headers,
                    timeout=aiohttp.ClientTimeout(total=settings.timeout_s),
                ) as resp:
                    if resp.status < 300:
                        self.delivered += 1
                        return
                    reason = f"HTTP {resp.status}"
            except (aiohttp.ClientError, TimeoutError, OSError) as exc:
                reason = str(exc) or type(exc).__name__
            if attempt < settings.max_attempts:
                log.warning("webhook %s attempt %d failed (%s)", delivery, attempt, reason)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 30)
        self.failed += 1
        # The origin only: a URL's path or query may carry a token.
        where = str(URL(settings.url).origin())
        log.error("webhook %s to %s not delivered: %s", delivery, where, reason)

    async def close(self, wait_s: float = 2.0) -> None:
        if self._tasks:
            # Deliveries in progress get a moment to finish; the rest are abandoned.
            await asyncio.wait(list(self._tasks), timeout=wait_s)
            for task in self._tasks:
                task.cancel()
        if self._session is not None:
            with contextlib.suppress(Exception):
                await self._session.close()
