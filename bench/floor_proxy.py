"""The floor: the thinnest pass-through proxy on Interlock's own stack.

aiohttp web server + one shared aiohttp ClientSession on uvloop. It does no parsing,
no policy and no routing: whatever Interlock costs beyond this is Interlock's overhead.

    python bench/floor_proxy.py --port 9000 --upstream http://127.0.0.1:8080/v1

A request to ``/v1/<rest>`` is forwarded to ``<upstream>/<rest>``; an upstream answer of
``text/event-stream`` is streamed back chunk by chunk as it arrives.
"""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import AsyncIterator

import aiohttp
import uvloop
from aiohttp import web

# Only the headers an OpenAI-style upstream needs; copying all hop-by-hop headers
# would be wrong for a proxy and is not what a gateway does either.
FORWARD_HEADERS = ("Content-Type", "Authorization", "Accept")

UPSTREAM = web.AppKey("upstream", str)
SESSION = web.AppKey("session", aiohttp.ClientSession)


def upstream_url(base: str, path: str, query: str) -> str:
    """Map ``/v1/<rest>`` on the proxy onto ``<base>/<rest>`` upstream."""
    rest = path[3:] if path.startswith("/v1") else path
    return f"{base}{rest}?{query}" if query else f"{base}{rest}"


async def session_ctx(app: web.Application) -> AsyncIterator[None]:
    # One pooled session for the whole process: per-request sessions would pay a TCP
    # connect to the upstream on every call and measure the wrong thing.
    connector = aiohttp.TCPConnector(limit=256, keepalive_timeout=60)
    timeout = aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=60)
    async with aiohttp.ClientSession(
        connector=connector, timeout=timeout, auto_decompress=False
    ) as session:
        app[SESSION] = session
        yield


async def proxy(request: web.Request) -> web.StreamResponse:
    body = await request.read()
    headers = {k: v for k in FORWARD_HEADERS if (v := request.headers.get(k)) is not None}
    url = upstream_url(request.app[UPSTREAM], request.path, request.query_string)
    async with request.app[SESSION].request(
        request.method, url, data=body, headers=headers
    ) as upstream:
        ctype = upstream.headers.get("Content-Type", "application/octet-stream")
        if not ctype.startswith("text/event-stream"):
            return web.Response(
                status=upstream.status, body=await upstream.read(), headers={"Content-Type": ctype}
            )
        resp = web.StreamResponse(
            status=upstream.status, headers={"Content-Type": ctype, "Cache-Control": "no-cache"}
        )
        await resp.prepare(request)
        # iter_any() hands over whatever bytes arrived, so no chunk waits for a buffer to fill.
        async for chunk in upstream.content.iter_any():
            await resp.write(chunk)
        await resp.write_eof()
        return resp


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="base URL, e.g. http://127.0.0.1:8080/v1")
    args = parser.parse_args()

    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    app = web.Application()
    app[UPSTREAM] = args.upstream.rstrip("/")
    app.cleanup_ctx.append(session_ctx)
    app.router.add_route("*", "/{tail:.*}", proxy)
    web.run_app(app, host=args.host, port=args.port, access_log=None, print=None)


if __name__ == "__main__":
    main()
