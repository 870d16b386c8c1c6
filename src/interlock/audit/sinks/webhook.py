"""A generic webhook: JSON batches signed with HMAC-SHA256 over the timestamp and the body.

Headers: `x-interlock-timestamp` (UNIX seconds), `x-interlock-signature: v1=<hex>` where the
hex is HMAC-SHA256(secret, f"{timestamp}.{body}"), and `x-interlock-delivery` (chain:first-last,
the same on a retry, so a receiver can drop duplicates). A receiver checks the signature with
a constant-time compare and refuses old timestamps.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from typing import Any

import orjson

from interlock.audit.config import WebhookSink
from interlock.audit.formats import shape
from interlock.audit.sinks.http import Poster


def signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "v1=" + mac.hexdigest()


class SignedWebhook:
    def __init__(self, name: str, config: WebhookSink) -> None:
        self.name = name
        self.config = config
        self.batch = config.batch
        self.retry_max_s = config.retry_max_s
        self.poster = Poster()

    async def start(self) -> None:
        return None

    async def send(self, records: list[dict[str, Any]]) -> None:
        body = orjson.dumps({"records": [shape(r, self.config.format) for r in records]})
        ts = str(int(time.time()))
        first, last = records[0], records[-1]
        headers = {
            **self.config.headers,
            "content-type": "application/json",
            "x-interlock-timestamp": ts,
            "x-interlock-signature": signature(self.config.secret, ts, body),
            "x-interlock-delivery": f"{first.get('chain')}:{first.get('seq')}-{last.get('seq')}",
        }
        await self.poster.post(self.config.url, body, headers, f"webhook {self.name}")

    async def close(self) -> None:
        await self.poster.close()
