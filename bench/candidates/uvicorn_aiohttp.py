"""Candidate (a): uvicorn (httptools, uvloop) raw ASGI app + aiohttp client."""

from __future__ import annotations

from typing import Any

import aiohttp
import uvicorn
from _common import parse_args, pick_headers, upstream_url

ARGS = parse_args(__doc__ or "")
_session: aiohttp.ClientSession | None = None


async def _read_body(receive: Any) -> bytes:
    parts = []
    while True:
        msg = await receive()
        parts.append(msg.get("body", b""))
        if not msg.get("more_body"):
            return b"".join(parts)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _session
    if scope["type"] == "lifespan":
        # The pooled session must be made on the server's loop, hence lifespan.
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                _session = aiohttp.ClientSession(
                    connector=aiohttp.TCPConnector(limit=256, keepalive_timeout=60),
                    timeout=aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=60),
                    auto_decompress=False,
                )
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                if _session is not None:
                    await _session.close()
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert _session is not None and scope["type"] == "http"
    body = await _read_body(receive)
    url = upstream_url(ARGS.upstream, scope["path"], scope["query_string"].decode("latin-1"))
    async with _session.request(
        scope["method"], url, data=body, headers=pick_headers(scope["headers"])
    ) as up:
        ctype = up.headers.get("Content-Type", "application/octet-stream")
        if not ctype.startswith("text/event-stream"):
            data = await up.read()
            await send(
                {
                    "type": "http.response.start",
                    "status": up.status,
                    "headers": [
                        (b"content-type", ctype.encode()),
                        (b"content-length", str(len(data)).encode()),
                    ],
                }
            )
            await send({"type": "http.response.body", "body": data})
            return
        await send(
            {
                "type": "http.response.start",
                "status": up.status,
                "headers": [(b"content-type", ctype.encode()), (b"cache-control", b"no-cache")],
            }
        )
        async for chunk in up.content.iter_any():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})


if __name__ == "__main__":
    uvicorn.run(
        app,
        host=ARGS.host,
        port=ARGS.port,
        loop="uvloop",
        http="httptools",
        lifespan="on",
        access_log=False,
        log_level="warning",
        workers=1,
    )
