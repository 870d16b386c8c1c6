"""Candidate (b): uvicorn (httptools, uvloop) raw ASGI app + httpx AsyncClient."""

from __future__ import annotations

from typing import Any

import httpx
import uvicorn
from _common import parse_args, pick_headers, upstream_url

ARGS = parse_args(__doc__ or "")
_client: httpx.AsyncClient | None = None


async def _read_body(receive: Any) -> bytes:
    parts = []
    while True:
        msg = await receive()
        parts.append(msg.get("body", b""))
        if not msg.get("more_body"):
            return b"".join(parts)


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    global _client
    if scope["type"] == "lifespan":
        while True:
            msg = await receive()
            if msg["type"] == "lifespan.startup":
                # Pool sized like the aiohttp variants (limit=256) for a fair comparison.
                _client = httpx.AsyncClient(
                    limits=httpx.Limits(max_connections=256, max_keepalive_connections=256),
                    timeout=httpx.Timeout(60.0, connect=5.0),
                )
                await send({"type": "lifespan.startup.complete"})
            elif msg["type"] == "lifespan.shutdown":
                if _client is not None:
                    await _client.aclose()
                await send({"type": "lifespan.shutdown.complete"})
                return
    assert _client is not None and scope["type"] == "http"
    body = await _read_body(receive)
    url = upstream_url(ARGS.upstream, scope["path"], scope["query_string"].decode("latin-1"))
    req = _client.build_request(
        scope["method"], url, content=body, headers=pick_headers(scope["headers"])
    )
    up = await _client.send(req, stream=True)
    try:
        ctype = up.headers.get("content-type", "application/octet-stream")
        if not ctype.startswith("text/event-stream"):
            data = await up.aread()
            await send(
                {
                    "type": "http.response.start",
                    "status": up.status_code,
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
                "status": up.status_code,
                "headers": [(b"content-type", ctype.encode()), (b"cache-control", b"no-cache")],
            }
        )
        async for chunk in up.aiter_raw():
            await send({"type": "http.response.body", "body": chunk, "more_body": True})
        await send({"type": "http.response.body", "body": b""})
    finally:
        await up.aclose()


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
