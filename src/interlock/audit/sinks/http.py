"""A shared HTTP client for the sinks that POST (Splunk HEC, OTLP, webhooks)."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiohttp

from interlock.audit.sinks.base import SinkError


def ssl_context(base_dir: Path | None, ca_file: str | None, verify: bool) -> ssl.SSLContext | bool:
    if not verify:
        return False
    if ca_file:
        path = Path(ca_file)
        if base_dir is not None and not path.is_absolute():
            path = base_dir / path
        return ssl.create_default_context(cafile=str(path))
    return True


class Poster:
    def __init__(self, ssl_option: ssl.SSLContext | bool = True) -> None:
        self._session: aiohttp.ClientSession | None = None
        self._ssl = ssl_option

    async def post(self, url: str, body: bytes, headers: dict[str, str], what: str) -> bytes:
        if self._session is None:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        try:
            async with self._session.post(url, data=body, headers=headers, ssl=self._ssl) as resp:
                text = await resp.read()
                if resp.status >= 300:
                    # The status and a short excerpt, never our request headers (credentials).
                    raise SinkError(f"{what}: HTTP {resp.status} {text[:200]!r}")
                return text
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise SinkError(f"{what}: {type(exc).__name__}: {exc}") from None

    async def close(self) -> None:
        if self._session is not None:
            session, self._session = self._session, None
            await session.close()
