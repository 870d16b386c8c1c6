"""Candidate (c): granian (RSGI, uvloop) + aiohttp client."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any

import aiohttp

# Granian imports this module again inside its worker process, so the upstream travels
# through the environment rather than argv.
ENV_UPSTREAM = "BENCH_UPSTREAM"
FORWARD_HEADERS = ("content-type", "authorization", "accept")


class App:
    def __init__(self) -> None:
        self.upstream = os.environ.get(ENV_UPSTREAM, "").rstrip("/")
        self.session: aiohttp.ClientSession | None = None

    def __rsgi_init__(self, loop: asyncio.AbstractEventLoop) -> None:
        # Called before the worker's loop runs: build the pooled session on that loop.
        async def make() -> aiohttp.ClientSession:
            return aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=256, keepalive_timeout=60),
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=5, sock_read=60),
                auto_decompress=False,
            )

        self.session = loop.run_until_complete(make())

    def __rsgi_del__(self, loop: asyncio.AbstractEventLoop) -> None:
        if self.session is not None:
            loop.run_until_complete(self.session.close())

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        assert self.session is not None
        body = await proto()
        path: str = scope.path
        rest = path[3:] if path.startswith("/v1") else path
        url = f"{self.upstream}{rest}"
        if scope.query_string:
            url += f"?{scope.query_string}"
        headers = {k: v for k in FORWARD_HEADERS if (v := scope.headers.get(k)) is not None}
        async with self.session.request(scope.method, url, data=body, headers=headers) as up:
            ctype = up.headers.get("Content-Type", "application/octet-stream")
            if not ctype.startswith("text/event-stream"):
                proto.response_bytes(up.status, [("content-type", ctype)], await up.read())
                return
            transport = proto.response_stream(
                up.status, [("content-type", ctype), ("cache-control", "no-cache")]
            )
            async for chunk in up.content.iter_any():
                await transport.send_bytes(chunk)


app = App()


if __name__ == "__main__":
    from _common import parse_args
    from granian import Granian
    from granian.constants import HTTPModes, Interfaces, Loops

    args = parse_args(__doc__ or "")
    os.environ[ENV_UPSTREAM] = args.upstream
    Granian(
        "granian_aiohttp:app",
        address=args.host,
        port=args.port,
        interface=Interfaces.RSGI,
        workers=1,
        loop=Loops.uvloop,
        http=HTTPModes.http1,
        websockets=False,
        working_dir=Path(__file__).resolve().parent,
    ).serve()
