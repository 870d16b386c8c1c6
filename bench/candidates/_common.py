"""Shared bits of the candidate pass-through proxies (argument parsing, URL mapping)."""

from __future__ import annotations

import argparse

# Same header subset as bench/floor_proxy.py so every stack does the same work.
FORWARD_HEADERS = ("content-type", "authorization", "accept")


def parse_args(doc: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--upstream", required=True, help="base URL, e.g. http://127.0.0.1:8080/v1")
    args = parser.parse_args()
    args.upstream = args.upstream.rstrip("/")
    return args


def upstream_url(base: str, path: str, query: str) -> str:
    """Map ``/v1/<rest>`` on the proxy onto ``<base>/<rest>`` upstream."""
    rest = path[3:] if path.startswith("/v1") else path
    return f"{base}{rest}?{query}" if query else f"{base}{rest}"


def pick_headers(pairs: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI header pairs -> the forwarded subset."""
    out: dict[str, str] = {}
    for k, v in pairs:
        name = k.decode("latin-1").lower()
        if name in FORWARD_HEADERS:
            out[name] = v.decode("latin-1")
    return out
